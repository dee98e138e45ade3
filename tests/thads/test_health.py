from datetime import timedelta

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from thads import health


@pytest.fixture
def broker_up(monkeypatch):
    # The fast tier has no broker server (with REDIS_URL set, nothing listens there;
    # without it, the filesystem queue depends on the machine's var/ directory), so
    # only the broker probe is replaced. The database and worker checks run for real;
    # the integration tier probes a real broker.
    monkeypatch.setattr(health, "check_broker", lambda: None)


@pytest.mark.django_db
def test_healthz_answers_ok_without_a_database_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_answers_even_where_database_access_is_forbidden(client):
    # No django_db mark: pytest-django raises on any database access at all.
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_readyz_is_503_naming_the_worker_before_any_heartbeat(client, broker_up):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert list(body["failing"]) == ["worker"]
    assert "heartbeat" in body["failing"]["worker"]


@pytest.mark.django_db
def test_readyz_is_200_after_a_worker_heartbeat(client, broker_up):
    health.heartbeat_record()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_the_heartbeat_task_leaves_the_mark_readyz_reads(client, broker_up):
    from thads.tasks import heartbeat

    heartbeat.apply()  # run in-process: what a worker does when beat sends it
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_is_503_naming_the_worker_when_the_heartbeat_is_stale(client, broker_up):
    too_old = timedelta(seconds=settings.HEARTBEAT_SECONDS * 4 + 1)
    health.heartbeat_record(now=timezone.now() - too_old)
    response = client.get("/readyz")
    assert response.status_code == 503
    failing = response.json()["failing"]
    assert list(failing) == ["worker"]
    assert "heartbeat" in failing["worker"]


def test_a_heartbeat_exactly_four_periods_old_still_counts():
    now = timezone.now()
    limit = timedelta(seconds=settings.HEARTBEAT_SECONDS * 4)
    health.heartbeat_record(now=now - limit)
    assert health.check_worker(now=now) is None
    assert health.check_worker(now=now + timedelta(seconds=1)) is not None


@pytest.mark.django_db
def test_readyz_is_503_naming_the_database_when_it_does_not_answer(client, broker_up, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise OperationalError("could not connect to server")

    monkeypatch.setattr(health, "connection", BrokenConnection())
    health.heartbeat_record()
    response = client.get("/readyz")
    assert response.status_code == 503
    failing = response.json()["failing"]
    assert list(failing) == ["database"]
    assert "OperationalError" in failing["database"]


@pytest.mark.django_db
def test_readyz_names_the_broker_when_it_refuses_connections(client, monkeypatch):
    monkeypatch.setattr(health, "check_broker", lambda: "ConnectionRefusedError: [Errno 111]")
    health.heartbeat_record()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert list(response.json()["failing"]) == ["broker"]


@pytest.mark.django_db
def test_probes_answer_over_plain_http_when_https_is_enforced(settings, broker_up):
    settings.SECURE_SSL_REDIRECT = True  # production's default
    health.heartbeat_record()
    client = Client()  # a new client builds its middleware with the setting above
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    redirected = client.get("/api/v1/units/")
    assert redirected.status_code == 301
    assert redirected["Location"].startswith("https://")
