"""Signed webhooks: a reminder as a JSON POST to a URL the user registered.

The receiver verifies `X-THADS-Signature: sha256=<hex>`, the HMAC-SHA256 with the
endpoint's secret over `f"{X-THADS-Timestamp}.{raw body}"`, and may drop a repeat
by `X-THADS-Delivery` (the same across retries).

A webhook URL is chosen by a user, so the server must not become a way to reach
what only it can reach: a URL is refused unless every address its host resolves
to is public (`validate_webhook_url`, when the URL is registered and again before
each send), and the address actually connected to is checked once more, because
DNS can answer differently between the check and the connection.
`settings.WEBHOOK_ALLOW_PRIVATE` lifts the address rule (tests, on-premises
receivers). The same guarded session carries Web Push (`notifications.delivery.push`),
whose endpoint is also supplied by a client.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
from datetime import datetime

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from notifications.delivery.base import DeliveryError, Message
from notifications.models import WebhookEndpoint
from thads.errors import DomainError

WEBHOOK_URL_NOT_ALLOWED = "webhook_url_not_allowed"
USER_AGENT = "THADS-Directives-Notifier/1.0"

# Statuses worth retrying: the receiver is down, overloaded or asked us to wait.
_TRANSIENT_STATUSES = frozenset({408, 425, 429})
_LAST_ERROR_MAX = WebhookEndpoint._meta.get_field("last_error").max_length


class OutboundURLRefused(Exception):
    """The URL may not be contacted; `reason` is a stable code for the API."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class OutboundURLUnresolvable(Exception):
    """The host name does not resolve right now."""


# --- Address policy ------------------------------------------------------------------


def _address_forbidden(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if ip.version == 6:
        # An IPv6 address can carry an IPv4 one (::ffff:10.0.0.1, 6to4, Teredo) that the
        # network stack may end up reaching; judge what it carries too.
        embedded = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
        if any(v4 is not None and _address_forbidden(v4) for v4 in embedded):
            return True
    # `is_global` alone misses multicast (224.0.0.0/4 counts as global) and the flags
    # below name what the policy means; together they cover the special-purpose
    # registries (carrier-grade NAT, documentation and benchmarking ranges, ...).
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    # getaddrinfo writes link-local IPv6 addresses with a zone ("fe80::1%eth0").
    return ipaddress.ip_address(text.split("%", 1)[0])


def _resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (a literal address resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundURLUnresolvable(f"cannot resolve {host!r}: {exc}") from exc
    return [str(info[4][0]) for info in infos]


def _check_url(url: str) -> None:
    """Raise `OutboundURLRefused` or `OutboundURLUnresolvable` unless `url` may be used."""
    try:
        # urllib3's parser is the one the connection itself uses: checking a host that
        # another parser read differently from the same string would check nothing.
        parsed = parse_url(url)
    except LocationParseError as exc:
        raise OutboundURLRefused("invalid", f"not a valid URL: {exc}") from exc
    scheme = (parsed.scheme or "").lower()
    if scheme not in ("http", "https"):
        raise OutboundURLRefused("scheme", f"scheme {scheme or '(none)'!r} is not http(s)")
    if not parsed.host:
        raise OutboundURLRefused("invalid", "the URL has no host")
    if settings.WEBHOOK_ALLOW_PRIVATE:
        return
    host = parsed.host.strip("[]")
    port = parsed.port or (443 if scheme == "https" else 80)
    for address in _resolve(host, port):
        if _address_forbidden(_parse_ip(address)):
            raise OutboundURLRefused(
                "private_address", f"{host} resolves to a non-public address ({address})"
            )


def validate_webhook_url(url: str) -> None:
    """Raise `DomainError("webhook_url_not_allowed")` (400) unless `url` is an http(s)
    URL whose host resolves only to public addresses (any address when
    `settings.WEBHOOK_ALLOW_PRIVATE`). `extra["reason"]` says why: "scheme",
    "invalid", "private_address" or "unresolvable"."""
    try:
        _check_url(url)
    except OutboundURLRefused as exc:
        reason = exc.reason
    except OutboundURLUnresolvable:
        reason = "unresolvable"
    else:
        return
    raise DomainError(
        WEBHOOK_URL_NOT_ALLOWED,
        _("Địa chỉ webhook không được chấp nhận: cần một URL http(s) tới địa chỉ công khai."),
        extra={"reason": reason},
    )


# --- A session that will not connect to a forbidden address -----------------------------


def _check_peer(sock: socket.socket, host: str) -> None:
    if settings.WEBHOOK_ALLOW_PRIVATE:
        return
    address = sock.getpeername()[0]
    if _address_forbidden(_parse_ip(address)):
        sock.close()
        raise OutboundURLRefused(
            "private_address", f"{host} connected to a non-public address ({address})"
        )


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(sock, self.host)
        return sock


class _GuardedHTTPSConnection(HTTPSConnection):
    # Checked before the TLS handshake: nothing but the TCP handshake reaches the peer.
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(sock, self.host)
        return sock


class _GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPConnectionPool,
            "https": _GuardedHTTPSConnectionPool,
        }


class GuardedSession(requests.Session):
    """A requests session for URLs that clients chose.

    It connects only to addresses the policy allows (`OutboundURLRefused` escapes
    from the request otherwise), never follows a redirect (a redirect could point
    anywhere, and the receiver is the URL that was registered), and ignores the
    environment: no proxy (the peer check would judge the proxy, not the receiver)
    and no ~/.netrc credentials sent to a host a user picked.
    """

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False
        self.headers["User-Agent"] = USER_AGENT
        adapter = _GuardedAdapter()
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def get_redirect_target(self, resp) -> None:
        return None


# --- Sending --------------------------------------------------------------------------


def sign(secret: str, timestamp: int | str, body: bytes | str) -> str:
    """Hex HMAC-SHA256 with `secret` over `f"{timestamp}.{body}"` (the header value is
    `"sha256=" + sign(...)`). The timestamp is signed so that a captured request cannot
    be replayed later with a fresh one."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    signed = f"{timestamp}.".encode("ascii") + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def _payload(message: Message, delivery_id: str, now: datetime) -> bytes:
    document = {
        "id": delivery_id,
        "event": message.event,
        "title": message.title,
        "body": message.body,
        "url": message.url,
        "data": message.data,
        "sent_at": timezone.localtime(now).isoformat(),
    }
    return json.dumps(
        document, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def _record_success(endpoint: WebhookEndpoint) -> None:
    if endpoint.failure_count == 0 and not endpoint.last_error:
        return
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failure_count=0, last_error="")
    endpoint.failure_count = 0
    endpoint.last_error = ""


def _record_failure(endpoint: WebhookEndpoint, error: str, now: datetime) -> None:
    # Two workers may be delivering different reminders to the same endpoint at once:
    # the count is incremented in the database, never from a value read earlier,
    # and the two updates touch only these columns (the user may be editing the URL).
    error = error[:_LAST_ERROR_MAX]
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        failure_count=F("failure_count") + 1, last_error=error
    )
    WebhookEndpoint.objects.filter(
        pk=endpoint.pk,
        is_active=True,
        failure_count__gte=settings.WEBHOOK_DISABLE_AFTER_FAILURES,
    ).update(is_active=False, disabled_at=now)
    endpoint.refresh_from_db(fields=["failure_count", "last_error", "is_active", "disabled_at"])


def _fail(endpoint: WebhookEndpoint, error: str, now: datetime, *, permanent: bool):
    _record_failure(endpoint, error, now)
    if not endpoint.is_active:
        error = f"{error}; endpoint disabled after {endpoint.failure_count} failures"
    return DeliveryError(error, permanent=permanent)


def send_webhook(
    *,
    endpoint: WebhookEndpoint,
    message: Message,
    delivery_id: str,
    now: datetime | None = None,
) -> None:
    """POST `message` to `endpoint`, signed; return on a 2xx answer.

    Raises `DeliveryError`: transient for timeouts, connection errors, 5xx, 408 and
    429; permanent for other answers (redirects are not followed) and for a URL that
    now resolves to a forbidden address. Every failure counts on the endpoint, which
    is disabled at `settings.WEBHOOK_DISABLE_AFTER_FAILURES` in a row; a success
    resets the count. Only the endpoint's counter columns are written.
    """
    now = now or timezone.now()
    try:
        _check_url(endpoint.url)
    except OutboundURLRefused as exc:
        raise _fail(endpoint, f"URL not allowed: {exc}", now, permanent=True) from exc
    except OutboundURLUnresolvable as exc:
        raise _fail(endpoint, str(exc), now, permanent=False) from exc

    body = _payload(message, delivery_id, now)
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "X-THADS-Delivery": delivery_id,
        "X-THADS-Timestamp": str(timestamp),
        "X-THADS-Signature": f"sha256={sign(endpoint.secret, timestamp, body)}",
    }
    try:
        with GuardedSession() as session:
            # stream=True: only the status line and headers are read, so a receiver
            # answering with a huge body costs nothing.
            response = session.post(
                endpoint.url,
                data=body,
                headers=headers,
                timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
                allow_redirects=False,
                stream=True,
            )
            response.close()
    except OutboundURLRefused as exc:
        raise _fail(endpoint, f"URL not allowed: {exc}", now, permanent=True) from exc
    except requests.Timeout as exc:
        raise _fail(endpoint, f"timed out: {exc}", now, permanent=False) from exc
    except requests.ConnectionError as exc:
        raise _fail(endpoint, f"connection failed: {exc}", now, permanent=False) from exc
    except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema) as exc:
        raise _fail(endpoint, f"invalid URL: {exc}", now, permanent=True) from exc
    except requests.RequestException as exc:
        raise _fail(endpoint, f"request failed: {exc}", now, permanent=False) from exc

    status = response.status_code
    if 200 <= status < 300:
        _record_success(endpoint)
        return
    error = f"HTTP {status} {response.reason or ''}".strip()
    transient = status >= 500 or status in _TRANSIENT_STATUSES
    raise _fail(endpoint, error, now, permanent=not transient)
