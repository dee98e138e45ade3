"""Webhooks: the signed POST, how answers count on the endpoint, and the address
policy that keeps user-chosen URLs away from the server's own network.

All traffic goes to a fake receiver on 127.0.0.1, so most tests allow private
addresses; the policy tests leave them forbidden and never send anything.
"""

import hashlib
import hmac
import json
import time
from datetime import datetime

import pytest

from notifications.delivery import DeliveryError, Message, deliver
from notifications.delivery import webhook as webhooks
from notifications.delivery.webhook import send_webhook, sign, validate_webhook_url
from notifications.models import WebhookEndpoint
from tests.factories import UserFactory
from tests.notifications.fake_servers import FakeServer
from thads.errors import DomainError

MESSAGE = Message(
    title="Sắp đến hạn: báo cáo kết quả thi hành án",
    body="Còn 3 ngày làm việc.",
    url="https://thads.example.org/directives/7",
    event="reminder.due_soon",
    data={"assignment": 7, "deadline": "2026-12-01"},
)


@pytest.fixture
def receiver():
    with FakeServer() as server:
        yield server


@pytest.fixture
def allow_private(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    return settings


@pytest.fixture
def endpoint(db, receiver):
    return WebhookEndpoint.objects.create(user=UserFactory(), url=receiver.url("/hooks/thads"))


def _send(endpoint, delivery_id="ledger-1"):
    send_webhook(endpoint=endpoint, message=MESSAGE, delivery_id=delivery_id)


# --- The request -----------------------------------------------------------------------


def test_webhook_posts_json_with_delivery_headers(allow_private, receiver, endpoint):
    _send(endpoint, "ledger-42")

    [request] = receiver.requests
    assert request.method == "POST"
    assert request.path == "/hooks/thads"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-THADS-Delivery"] == "ledger-42"
    assert request.headers["User-Agent"] == webhooks.USER_AGENT
    assert abs(int(request.headers["X-THADS-Timestamp"]) - time.time()) < 60
    payload = json.loads(request.body)
    assert payload["id"] == "ledger-42"
    assert payload["event"] == "reminder.due_soon"
    assert payload["title"] == MESSAGE.title
    assert payload["body"] == MESSAGE.body
    assert payload["url"] == MESSAGE.url
    assert payload["data"] == {"assignment": 7, "deadline": "2026-12-01"}
    sent_at = datetime.fromisoformat(payload["sent_at"])
    assert sent_at.utcoffset() is not None
    assert abs(sent_at.timestamp() - time.time()) < 60


def test_webhook_signature_verifies_with_endpoint_secret_over_exact_body(
    allow_private, receiver, endpoint
):
    _send(endpoint)

    [request] = receiver.requests
    timestamp = request.headers["X-THADS-Timestamp"]
    expected = hmac.new(
        endpoint.secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert request.headers["X-THADS-Signature"] == f"sha256={expected}"
    # The body is UTF-8 as sent (not \u-escaped): a receiver re-serialising would differ.
    assert "Sắp đến hạn".encode() in request.body


def test_sign_is_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(b"s3cret", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert sign("s3cret", 1700000000, b"{}") == expected
    assert sign("s3cret", "1700000000", "{}") == expected
    assert sign("other", 1700000000, b"{}") != expected


def test_webhook_does_not_follow_redirects(allow_private, receiver, endpoint):
    receiver.respond(302, headers={"Location": receiver.url("/elsewhere")})

    with pytest.raises(DeliveryError) as caught:
        _send(endpoint)

    assert caught.value.permanent
    assert [r.path for r in receiver.requests] == ["/hooks/thads"]


# --- Answers and the endpoint's counters -------------------------------------------------


def test_webhook_success_resets_failure_count(allow_private, receiver, endpoint):
    endpoint.failure_count = 4
    endpoint.last_error = "HTTP 503 Service Unavailable"
    endpoint.save()
    receiver.respond(204)

    _send(endpoint)

    endpoint.refresh_from_db()
    assert endpoint.failure_count == 0
    assert endpoint.last_error == ""
    assert endpoint.is_active


@pytest.mark.parametrize("status", [500, 502, 503, 408, 429])
def test_webhook_server_errors_are_transient_and_counted(allow_private, receiver, endpoint, status):
    receiver.respond(status)
    receiver.respond(status)

    for expected_count in (1, 2):
        with pytest.raises(DeliveryError) as caught:
            _send(endpoint)
        assert not caught.value.permanent
        assert endpoint.failure_count == expected_count

    endpoint.refresh_from_db()
    assert endpoint.failure_count == 2
    assert str(status) in endpoint.last_error
    assert endpoint.is_active


@pytest.mark.parametrize("status", [400, 401, 404, 410])
def test_webhook_client_errors_are_permanent(allow_private, receiver, endpoint, status):
    receiver.respond(status)

    with pytest.raises(DeliveryError) as caught:
        _send(endpoint)

    assert caught.value.permanent
    endpoint.refresh_from_db()
    assert endpoint.failure_count == 1
    assert f"HTTP {status}" in endpoint.last_error


def test_webhook_disabled_after_configured_failures(allow_private, receiver, endpoint):
    allow_private.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    for _ in range(3):
        receiver.respond(500)

    for _ in range(2):
        with pytest.raises(DeliveryError):
            _send(endpoint)
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.disabled_at is None

    with pytest.raises(DeliveryError) as caught:
        _send(endpoint)
    assert "disabled" in str(caught.value)
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_at is not None
    assert endpoint.failure_count == 3

    # Through the channel interface a disabled endpoint is not contacted again.
    with pytest.raises(DeliveryError) as caught:
        deliver(f"webhook:{endpoint.pk}", user=endpoint.user, message=MESSAGE, delivery_id="x")
    assert caught.value.permanent
    assert len(receiver.requests) == 3


def test_webhook_failure_leaves_other_columns_alone(allow_private, receiver, endpoint):
    # The user changed the URL while a delivery was in flight: the counters must not
    # write the stale URL back.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url="https://example.org/new")
    receiver.respond(500)

    with pytest.raises(DeliveryError):
        _send(endpoint)

    endpoint.refresh_from_db()
    assert endpoint.url == "https://example.org/new"
    assert endpoint.failure_count == 1


def test_webhook_timeout_is_transient_and_bounded(allow_private, receiver, endpoint):
    allow_private.WEBHOOK_TIMEOUT_SECONDS = 0.5
    receiver.respond(200, delay=5)

    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        _send(endpoint)
    elapsed = time.monotonic() - started

    assert not caught.value.permanent
    assert elapsed < 2.5
    endpoint.refresh_from_db()
    assert endpoint.failure_count == 1
    assert "timed out" in endpoint.last_error


def test_webhook_connection_refused_is_transient(allow_private, db):
    with FakeServer() as closed:
        url = closed.url("/gone")
    # The server has stopped: nothing listens on that port any more.
    endpoint = WebhookEndpoint.objects.create(user=UserFactory(), url=url)

    with pytest.raises(DeliveryError) as caught:
        _send(endpoint)

    assert not caught.value.permanent
    assert endpoint.failure_count == 1


# --- The address policy -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://[::1]/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.10/hook",
        "http://172.16.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/hook",  # carrier-grade NAT
        "http://0.0.0.0/hook",
        "http://224.0.0.1/hook",
        "http://[fe80::1]/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",  # IPv4-mapped loopback
        "http://[2002:7f00:1::1]/hook",  # 6to4 wrapping 127.0.0.1
        "http://localhost:8000/hook",
    ],
)
def test_validate_webhook_url_refuses_non_public_addresses(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE = False

    with pytest.raises(DomainError) as caught:
        validate_webhook_url(url)

    assert caught.value.code == "webhook_url_not_allowed"
    assert caught.value.status_code == 400
    assert caught.value.extra["reason"] == "private_address"


@pytest.mark.parametrize(
    "url", ["ftp://93.184.215.14/hook", "file:///etc/passwd", "gopher://93.184.215.14/", "//x"]
)
def test_validate_webhook_url_refuses_other_schemes(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the scheme rule holds even then

    with pytest.raises(DomainError) as caught:
        validate_webhook_url(url)

    assert caught.value.code == "webhook_url_not_allowed"
    assert caught.value.extra["reason"] == "scheme"


def test_validate_webhook_url_accepts_public_address(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    validate_webhook_url("https://93.184.215.14/hook")
    validate_webhook_url("http://[2001:4860:4860::8888]:8443/hook")


def test_validate_webhook_url_checks_every_resolved_address(settings, monkeypatch):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    monkeypatch.setattr(webhooks, "_resolve", lambda host, port: ["93.184.215.14", "10.0.0.5"])

    with pytest.raises(DomainError) as caught:
        validate_webhook_url("https://mixed.example.org/hook")

    assert caught.value.extra["reason"] == "private_address"


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/hook", "http://[::1]/hook", "http://localhost/hook"]
)
def test_validate_webhook_url_allows_private_when_configured(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    validate_webhook_url(url)


def test_send_refuses_url_that_now_resolves_privately(settings, receiver, endpoint):
    settings.WEBHOOK_ALLOW_PRIVATE = False  # the URL was accepted when registered

    with pytest.raises(DeliveryError) as caught:
        _send(endpoint)

    assert caught.value.permanent
    assert receiver.requests == []
    endpoint.refresh_from_db()
    assert endpoint.failure_count == 1
    assert "not allowed" in endpoint.last_error


def test_send_refuses_connection_that_lands_on_private_address(settings, monkeypatch, receiver, db):
    # DNS rebinding: the check sees a public address, the connection a private one.
    settings.WEBHOOK_ALLOW_PRIVATE = False
    monkeypatch.setattr(webhooks, "_resolve", lambda host, port: ["93.184.215.14"])
    endpoint = WebhookEndpoint.objects.create(
        user=UserFactory(), url=f"http://localhost:{receiver.port}/hooks/thads"
    )

    with pytest.raises(DeliveryError) as caught:
        _send(endpoint)

    assert caught.value.permanent
    assert "non-public address" in str(caught.value)
    assert receiver.requests == []
