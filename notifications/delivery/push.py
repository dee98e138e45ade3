"""Web Push: a reminder to one of the user's browsers or apps.

A message goes to the device's push service (RFC 8030) as a payload encrypted
for that subscription (RFC 8291, aes128gcm) and signed with the server's VAPID
key (RFC 8292); `pywebpush` does the protocol. The subscription's endpoint comes
from a client, so it is reached through the same guarded session as webhooks:
no private addresses unless `settings.WEBHOOK_ALLOW_PRIVATE`, no redirects.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
from datetime import datetime

import requests
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from py_vapid import Vapid, VapidException
from pywebpush import WebPushException, webpush

from notifications.delivery.base import DeliveryError, Message
from notifications.delivery.webhook import GuardedSession, OutboundURLRefused
from notifications.models import Device

# A reminder a day late is still worth showing; older than that, the inbox has it.
TTL_SECONDS = 24 * 60 * 60
# RFC 8291 §4: a push service need not accept more than 3993 octets of plaintext
# (one 4096-octet aes128gcm record).
MAX_PAYLOAD_BYTES = 3993
_DEACTIVATED_REASON_MAX = Device._meta.get_field("deactivated_reason").max_length


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@functools.lru_cache(maxsize=4)
def _load_vapid(private_key: str) -> Vapid:
    # Environment files often carry a PEM on one line with literal "\n".
    text = private_key.strip().replace("\\n", "\n")
    try:
        if "-----BEGIN" in text:
            key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        else:
            key = Vapid.from_string(text).private_key  # raw 32-byte scalar or DER
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ImproperlyConfigured(
            "WEBPUSH_VAPID_PRIVATE_KEY is not a private key (PEM, or base64url raw/DER)"
        ) from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ImproperlyConfigured("WEBPUSH_VAPID_PRIVATE_KEY must be an EC P-256 key")
    return Vapid(private_key=key)


def _configured_vapid() -> Vapid | None:
    key = settings.WEBPUSH_VAPID_PRIVATE_KEY
    return _load_vapid(key) if key else None


def vapid_public_key() -> str:
    """The application server key clients pass to `PushManager.subscribe()`: the
    base64url uncompressed P-256 point of the VAPID key. Empty when push is not
    configured; `ImproperlyConfigured` when the configured key is unusable."""
    vapid = _configured_vapid()
    if vapid is None:
        return ""
    return _b64url(
        vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


def _payload(message: Message, delivery_id: str) -> str:
    document = {
        "id": delivery_id,
        "title": message.title,
        "body": message.body,
        "url": message.url,
        "event": message.event,
        "data": message.data,
    }

    def encode() -> str:
        return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False)

    text = encode()
    # Too long for one record: shorten the body, then drop the extra data; the
    # notification still shows and opens the full item through its url.
    while len(text.encode("utf-8")) > MAX_PAYLOAD_BYTES and len(document["body"]) > 1:
        document["body"] = document["body"][: len(document["body"]) // 2].rstrip() + "…"
        text = encode()
    if len(text.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        document["data"] = {}
        document["title"] = document["title"][:200]
        text = encode()
    return text


def _topic(delivery_id: str) -> str:
    # RFC 8030 §5.4: a queued message with the same Topic is replaced, so a retry that
    # reaches the push service before the device came online is shown once.
    # A Topic is at most 32 characters of the base64url alphabet.
    return _b64url(hashlib.sha256(delivery_id.encode("utf-8")).digest())[:32]


def _deactivate(device: Device, reason: str) -> None:
    device.is_active = False
    device.deactivated_reason = reason[:_DEACTIVATED_REASON_MAX]
    device.save(update_fields=["is_active", "deactivated_reason"])


def _subscription(device: Device) -> dict:
    """The subscription in pywebpush's shape, its keys checked: a key that is not a
    P-256 point or a 16-byte secret will never work, so the device is pruned."""
    try:
        p256dh = _b64url_decode(device.p256dh)
        auth = _b64url_decode(device.auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
        if len(auth) != 16:
            raise ValueError("auth secret is not 16 bytes")
    except (ValueError, binascii.Error) as exc:
        _deactivate(device, f"invalid subscription keys: {exc}")
        raise DeliveryError(
            f"push subscription keys are invalid ({exc}); device pruned", permanent=True
        ) from exc
    return {"endpoint": device.endpoint, "keys": {"p256dh": device.p256dh, "auth": device.auth}}


def send_push(
    *,
    device: Device,
    message: Message,
    delivery_id: str,
    now: datetime | None = None,
) -> None:
    """Send `message` to `device` through its push service; return once the service
    accepted it (2xx), after recording `device.last_success_at`.

    Raises `DeliveryError`: permanent when push is not configured, when the service
    says the subscription is gone (404/410: the device is deactivated, "dead tokens
    pruned") or refuses the request (other 4xx), or when the endpoint is a forbidden
    address; transient for 429, 5xx, timeouts and connection errors.
    """
    if not settings.WEBPUSH_VAPID_PRIVATE_KEY:
        raise DeliveryError("push is not configured", permanent=True)
    try:
        vapid = _configured_vapid()
    except ImproperlyConfigured as exc:
        raise DeliveryError(f"push is misconfigured: {exc}", permanent=True) from exc
    subscription = _subscription(device)

    try:
        with GuardedSession() as session:
            webpush(
                subscription_info=subscription,
                data=_payload(message, delivery_id),
                vapid_private_key=vapid,
                # pywebpush adds "aud" and "exp" to this dict: a fresh one per call.
                vapid_claims={"sub": settings.WEBPUSH_VAPID_SUBJECT},
                ttl=TTL_SECONDS,
                timeout=settings.WEBPUSH_TIMEOUT_SECONDS,
                headers={"Topic": _topic(delivery_id)},
                requests_session=session,
            )
    except WebPushException as exc:
        status = exc.status_code
        if status is None or not 200 <= status < 300:
            raise _push_error(device, exc, status) from exc
    except VapidException as exc:
        raise DeliveryError(f"push is misconfigured: {exc}", permanent=True) from exc
    except OutboundURLRefused as exc:
        raise DeliveryError(f"push endpoint not allowed: {exc}", permanent=True) from exc
    except requests.Timeout as exc:
        raise DeliveryError(f"push service timed out: {exc}") from exc
    except requests.ConnectionError as exc:
        raise DeliveryError(f"push service unreachable: {exc}") from exc
    except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema) as exc:
        raise DeliveryError(f"push endpoint is not a usable URL: {exc}", permanent=True) from exc
    except requests.RequestException as exc:
        raise DeliveryError(f"push request failed: {exc}") from exc

    device.last_success_at = now or timezone.now()
    device.save(update_fields=["last_success_at"])


def _push_error(device: Device, exc: WebPushException, status: int | None) -> DeliveryError:
    if status is None:
        return DeliveryError(f"push refused locally: {exc.message}", permanent=True)
    if status in (404, 410):
        _deactivate(device, f"push service answered {status}: subscription expired")
        return DeliveryError(
            f"push subscription is gone (HTTP {status}); dead tokens pruned", permanent=True
        )
    if status == 429 or status >= 500:
        return DeliveryError(f"push service answered HTTP {status}")
    return DeliveryError(f"push service refused the message (HTTP {status})", permanent=True)
