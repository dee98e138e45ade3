"""Optimistic concurrency on real PostgreSQL: If-Match / 412 / 428.

50 phones PATCH the same assignment at the same instant, all with the ETag they
read before: exactly one wins, 49 answer 412 with the current representation,
and the version moves by one. Each thread has its own `django.test.Client`
(signed in with a real JWT) and its own database connection, closed at the end.
"""

import json
import threading
from datetime import date

import pytest
from django.db import connection
from django.test import Client

from directives.models import Assignment, AssignmentEvent
from tests.directives.factories import API, assign_one
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 50
WAIT = 60


def jwt(username: str) -> str:
    response = Client().post(
        f"{API}/auth/token/",
        {"username": username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["access"]


def url(assignment: Assignment) -> str:
    return f"{API}/assignments/{assignment.pk}/"


@pytest.fixture
def assignment(org, director) -> Assignment:
    return assign_one(actor=director, unit=org.hiephoa)


def test_fifty_concurrent_patches_with_one_etag_exactly_one_wins(director, assignment):
    token = jwt(director.username)
    reader = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    read = reader.get(url(assignment))
    assert read.status_code == 200
    etag, version = read["ETag"], read.json()["version"]
    start = threading.Barrier(WRITERS)
    results: list = [None] * WRITERS
    errors: list = []

    def patch(index: int) -> None:
        try:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
            client.get("/healthz")  # builds the middleware chain before the race
            new_due = date(2099, 11, 2 + index % 20).isoformat()
            start.wait(WAIT)
            response = client.patch(
                url(assignment),
                json.dumps({"due_date": new_due, "note": f"writer {index}"}),
                content_type="application/json",
                HTTP_IF_MATCH=etag,
            )
            results[index] = (response.status_code, response.json(), response.get("ETag"))
        except BaseException as exc:
            errors.append(exc)
            start.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=patch, args=(i,), daemon=True) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert not errors, errors
    assert all(result is not None for result in results), "a writer never answered"

    statuses = sorted(status for status, _body, _etag in results)
    assert statuses == [200] + [412] * (WRITERS - 1), statuses
    assignment.refresh_from_db()
    assert assignment.version == version + 1
    winner_body, winner_etag = next((b, e) for s, b, e in results if s == 200)
    assert winner_body["version"] == version + 1
    assert assignment.due_date.isoformat() == winner_body["due_date"]
    assert winner_etag and winner_etag != etag
    for status, body, _etag in results:
        if status == 412:
            assert body["code"] == "precondition_failed"
            assert body["current"]["version"] == version + 1
            assert body["current"]["due_date"] == winner_body["due_date"]
    updates = assignment.events.filter(action=AssignmentEvent.Action.UPDATED)
    assert updates.count() == 1
    # The winner's ETag is the one a fresh read gives.
    assert reader.get(url(assignment))["ETag"] == winner_etag


def test_a_stale_etag_after_a_committed_write_is_412_with_the_current_version(director, assignment):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {jwt(director.username)}")
    old = client.get(url(assignment))["ETag"]
    first = client.patch(
        url(assignment),
        json.dumps({"due_date": "2099-11-04"}),
        content_type="application/json",
        HTTP_IF_MATCH=old,
    )
    assert first.status_code == 200, first.content

    second = client.patch(
        url(assignment),
        json.dumps({"due_date": "2099-11-05"}),
        content_type="application/json",
        HTTP_IF_MATCH=old,
    )

    assert second.status_code == 412, second.content
    body = second.json()
    assert body["code"] == "precondition_failed"
    assert body["current"]["version"] == first.json()["version"]
    assert body["current"]["due_date"] == "2099-11-04"
    assignment.refresh_from_db()
    assert assignment.due_date == date(2099, 11, 4)


def test_a_patch_without_if_match_is_428_and_changes_nothing(director, assignment):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {jwt(director.username)}")
    before = Assignment.objects.get(pk=assignment.pk)

    response = client.patch(
        url(assignment), json.dumps({"due_date": "2099-11-04"}), content_type="application/json"
    )

    assert response.status_code == 428, response.content
    body = response.json()
    assert body["code"] == "precondition_required"
    assert "If-Match" in body["message"]
    after = Assignment.objects.get(pk=assignment.pk)
    assert (after.version, after.due_date) == (before.version, before.due_date)


def test_a_phone_reading_gzipped_gets_a_weak_etag_that_still_guards_its_write(director, assignment):
    """GZipMiddleware weakens the ETag of a compressed response (RFC 9110: the bytes
    differ). The view compares If-Match on the version-derived tag whether weak or
    not, so a phone that reads gzipped can still write, and a stale one still loses."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {jwt(director.username)}")
    read = client.get(url(assignment), HTTP_ACCEPT_ENCODING="gzip")
    assert read["Content-Encoding"] == "gzip"
    weak = read["ETag"]
    assert weak.startswith('W/"'), weak

    first = client.patch(
        url(assignment),
        json.dumps({"due_date": "2099-11-04"}),
        content_type="application/json",
        HTTP_IF_MATCH=weak,
    )
    again = client.patch(
        url(assignment),
        json.dumps({"due_date": "2099-11-05"}),
        content_type="application/json",
        HTTP_IF_MATCH=weak,
    )

    assert first.status_code == 200, first.content
    assert again.status_code == 412, again.content
