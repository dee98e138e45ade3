"""Web Push against a fake push service on 127.0.0.1: a real pywebpush request,
checked the way a push service and then the browser would check it (VAPID
signature, then decryption with the subscription's private key and auth secret)."""

import base64
import json
import os
import time

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid

from notifications.delivery import DeliveryError, Message, push
from notifications.delivery.push import send_push, vapid_public_key
from notifications.models import Device
from tests.factories import UserFactory
from tests.notifications.fake_servers import FakeServer

SUBJECT = "mailto:thads@example.org"
MESSAGE = Message(
    title="Quá hạn: báo cáo kết quả thi hành án",
    body="Đã quá hạn 1 ngày làm việc.",
    url="/directives/7",
    event="reminder.overdue",
    data={"assignment": 7},
)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_point(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


@pytest.fixture
def vapid(settings):
    key = Vapid()
    key.generate_keys()
    settings.WEBPUSH_VAPID_PRIVATE_KEY = key.private_pem().decode()
    settings.WEBPUSH_VAPID_SUBJECT = SUBJECT
    settings.WEBPUSH_TIMEOUT_SECONDS = 2.0
    # The fake push service listens on 127.0.0.1.
    settings.WEBHOOK_ALLOW_PRIVATE = True
    return key


@pytest.fixture
def push_service():
    with FakeServer(default_status=201) as server:
        yield server


@pytest.fixture
def browser_key():
    """The subscription's key pair, as the browser keeps it."""
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def auth_secret():
    return os.urandom(16)


@pytest.fixture
def device(db, push_service, browser_key, auth_secret):
    return Device.objects.create(
        user=UserFactory(),
        name="Chrome trên máy cơ quan",
        endpoint=push_service.url("/push/subscription-abc"),
        p256dh=b64url(public_point(browser_key)),
        auth=b64url(auth_secret),
    )


def vapid_claims(authorization: str) -> dict:
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid"
    parts = dict(part.split("=", 1) for part in params.split(","))
    assert Vapid.verify(authorization), "VAPID signature does not verify"
    payload = parts["t"].split(".")[1]
    return {"k": parts["k"], **json.loads(b64url_decode(payload))}


def test_push_sends_encrypted_vapid_signed_payload(
    vapid, push_service, device, browser_key, auth_secret
):
    send_push(device=device, message=MESSAGE, delivery_id="ledger-7")

    [request] = push_service.requests
    assert request.method == "POST"
    assert request.path == "/push/subscription-abc"
    assert request.headers["Content-Encoding"] == "aes128gcm"
    assert request.headers["TTL"] == str(24 * 60 * 60)
    assert 0 < len(request.headers["Topic"]) <= 32

    claims = vapid_claims(request.headers["Authorization"])
    assert claims["k"] == vapid_public_key()
    assert claims["sub"] == SUBJECT
    assert claims["aud"] == f"http://127.0.0.1:{push_service.port}"
    assert claims["exp"] > time.time()

    plaintext = http_ece.decrypt(
        request.body, private_key=browser_key, auth_secret=auth_secret, version="aes128gcm"
    )
    assert json.loads(plaintext) == {
        "id": "ledger-7",
        "title": MESSAGE.title,
        "body": MESSAGE.body,
        "url": "/directives/7",
        "event": "reminder.overdue",
        "data": {"assignment": 7},
    }
    device.refresh_from_db()
    assert device.last_success_at is not None
    assert device.is_active


def test_push_topic_is_stable_per_delivery(vapid, push_service, device):
    send_push(device=device, message=MESSAGE, delivery_id="ledger-7")
    send_push(device=device, message=MESSAGE, delivery_id="ledger-7")
    send_push(device=device, message=MESSAGE, delivery_id="ledger-8")

    topics = [r.headers["Topic"] for r in push_service.requests]
    assert topics[0] == topics[1] != topics[2]


def test_push_long_body_is_shortened_to_fit_one_record(
    vapid, push_service, device, browser_key, auth_secret
):
    message = Message(title="Nhắc hạn", body="Nội dung rất dài. " * 1000)

    send_push(device=device, message=message, delivery_id="ledger-long")

    [request] = push_service.requests
    plaintext = http_ece.decrypt(
        request.body, private_key=browser_key, auth_secret=auth_secret, version="aes128gcm"
    )
    assert len(plaintext) <= push.MAX_PAYLOAD_BYTES
    payload = json.loads(plaintext)
    assert payload["body"].startswith("Nội dung rất dài.")
    assert payload["body"].endswith("…")


@pytest.mark.parametrize("status", [404, 410])
def test_push_gone_subscription_deactivates_device(vapid, push_service, device, status):
    push_service.respond(status)

    with pytest.raises(DeliveryError) as caught:
        send_push(device=device, message=MESSAGE, delivery_id="ledger-7")

    assert caught.value.permanent
    assert "dead tokens pruned" in str(caught.value)
    device.refresh_from_db()
    assert not device.is_active
    assert str(status) in device.deactivated_reason


@pytest.mark.parametrize("status", [429, 500, 503])
def test_push_service_trouble_is_transient(vapid, push_service, device, status):
    push_service.respond(status)

    with pytest.raises(DeliveryError) as caught:
        send_push(device=device, message=MESSAGE, delivery_id="ledger-7")

    assert not caught.value.permanent
    device.refresh_from_db()
    assert device.is_active
    assert device.last_success_at is None


@pytest.mark.parametrize("status", [400, 403, 413])
def test_push_other_client_errors_are_permanent_but_keep_device(
    vapid, push_service, device, status
):
    push_service.respond(status)

    with pytest.raises(DeliveryError) as caught:
        send_push(device=device, message=MESSAGE, delivery_id="ledger-7")

    assert caught.value.permanent
    device.refresh_from_db()
    assert device.is_active


def test_push_timeout_is_transient(vapid, settings, push_service, device):
    settings.WEBPUSH_TIMEOUT_SECONDS = 0.5
    push_service.respond(201, delay=5)

    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        send_push(device=device, message=MESSAGE, delivery_id="ledger-7")

    assert not caught.value.permanent
    assert time.monotonic() - started < 2.5


def test_push_not_configured_is_permanent(settings, push_service, device):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""

    with pytest.raises(DeliveryError) as caught:
        send_push(device=device, message=MESSAGE, delivery_id="ledger-7")

    assert caught.value.permanent
    assert "not configured" in str(caught.value)
    assert push_service.requests == []
    assert vapid_public_key() == ""


def test_push_to_private_endpoint_is_refused_without_allow_private(
    vapid, settings, push_service, device
):
    # The endpoint comes from a client: the same address rule as for webhooks.
    settings.WEBHOOK_ALLOW_PRIVATE = False

    with pytest.raises(DeliveryError) as caught:
        send_push(device=device, message=MESSAGE, delivery_id="ledger-7")

    assert caught.value.permanent
    assert push_service.requests == []


def test_push_invalid_subscription_keys_prune_device(vapid, push_service, device):
    device.p256dh = b64url(b"\x04" + b"\x01" * 64)  # not a point on P-256
    device.save()

    with pytest.raises(DeliveryError) as caught:
        send_push(device=device, message=MESSAGE, delivery_id="ledger-7")

    assert caught.value.permanent
    assert push_service.requests == []
    device.refresh_from_db()
    assert not device.is_active
    assert "invalid subscription keys" in device.deactivated_reason


def test_vapid_public_key_is_the_uncompressed_point_in_any_key_format(settings, vapid):
    expected = b64url(
        vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
    assert vapid_public_key() == expected
    assert len(b64url_decode(expected)) == 65

    raw = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    settings.WEBPUSH_VAPID_PRIVATE_KEY = b64url(raw)
    assert vapid_public_key() == expected

    # A PEM squeezed onto one line of an environment file.
    settings.WEBPUSH_VAPID_PRIVATE_KEY = vapid.private_pem().decode().replace("\n", "\\n")
    assert vapid_public_key() == expected


@pytest.mark.parametrize("curve", [None, ec.SECP384R1()])
def test_vapid_public_key_rejects_a_key_that_is_not_p256(settings, curve):
    if curve is None:
        settings.WEBPUSH_VAPID_PRIVATE_KEY = "bm90IGEga2V5"  # "not a key"
    else:
        settings.WEBPUSH_VAPID_PRIVATE_KEY = (
            ec.generate_private_key(curve)
            .private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            .decode()
        )

    with pytest.raises(ImproperlyConfigured):
        vapid_public_key()


def test_push_with_unusable_key_is_permanent(settings, push_service, device):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = "bm90IGEga2V5"
    settings.WEBHOOK_ALLOW_PRIVATE = True

    with pytest.raises(DeliveryError) as caught:
        send_push(device=device, message=MESSAGE, delivery_id="ledger-7")

    assert caught.value.permanent
    assert "misconfigured" in str(caught.value)
    assert push_service.requests == []
