"""The one small interface every channel implements.

`deliver(channel, user=..., message=..., delivery_id=...)` sends one message
through one channel key: "inbox", "email", "push:<device id>" or
"webhook:<endpoint id>". It returns on success and raises `DeliveryError`
otherwise, `permanent=True` when retrying cannot help (no address, a dead
push subscription, a refused webhook URL). `delivery_id` is stable across
retries, so a receiver (and the inbox) can recognise a repeat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from changelog.log import KIND_NOTIFICATION, record_changes
from notifications.models import (
    CHANNEL_EMAIL,
    CHANNEL_INBOX,
    CHANNEL_PUSH,
    CHANNEL_WEBHOOK,
    Device,
    Notification,
    NotificationPreference,
    WebhookEndpoint,
)

RECIPIENT_DEACTIVATED = "recipient is deactivated"


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    url: str = ""
    event: str = "reminder"
    data: dict[str, Any] = field(default_factory=dict)


def public_url(path: str) -> str:
    """`path` on the site's public address (`PUBLIC_BASE_URL`): a link that works
    from a mail client or a phone, not only inside the site."""
    return f"{settings.PUBLIC_BASE_URL}/{path.lstrip('/')}"


def assignment_url(assignment_id: int) -> str:
    """Where a person opens an assignment: its API detail, which a browser shows
    as a page (DRF's browsable API, after signing in at /api-auth/login/) and an
    app reads as JSON. The admin's change page would serve leadership only: unit
    members, who get most reminders, are not staff."""
    return public_url(f"/api/v1/assignments/{assignment_id}/")


def preference_for(user) -> NotificationPreference:
    preference = getattr(user, "notification_preference", None)
    return preference or NotificationPreference(user=user)


def channel_keys(user, *, preference: NotificationPreference | None = None) -> list[str]:
    """The channel keys a message to `user` goes to, from their preference."""
    preference = preference or preference_for(user)
    keys: list[str] = []
    for channel in preference.channels:
        if channel in (CHANNEL_INBOX, CHANNEL_EMAIL):
            keys.append(channel)
        elif channel == CHANNEL_PUSH:
            keys.extend(f"push:{device.pk}" for device in user.devices.all() if device.is_active)
        elif channel == CHANNEL_WEBHOOK:
            keys.extend(f"webhook:{hook.pk}" for hook in user.webhooks.all() if hook.is_active)
    return keys


@dataclass(frozen=True)
class InboxDelivery:
    user: Any
    message: Message
    delivery_id: str


def deliver_inbox_many(deliveries: list[InboxDelivery]) -> None:
    """The inbox channel for many messages at once: one INSERT for the messages
    and one for their change-log rows, in the caller's transaction. A delivery id
    already in the inbox (a repeat) is not stored again.

    The caller holds what makes each delivery id its own (the reminder ledger's
    row lock), so two calls never race on one id."""
    if not deliveries:
        return
    wanted = {delivery.delivery_id: delivery for delivery in deliveries}
    present = set(
        Notification.objects.filter(dedup_key__in=list(wanted)).values_list("dedup_key", flat=True)
    )
    now = timezone.now()
    fresh = []
    for key, delivery in wanted.items():
        if key in present:
            continue
        notification = Notification(
            user=delivery.user,
            title=delivery.message.title[:300],
            body=delivery.message.body,
            url=delivery.message.url[:300],
            data=delivery.message.data,
            dedup_key=key,
            created_at=now,
        )
        notification.normalize_text()  # what save() does; bulk_create does not call it
        fresh.append(notification)
    Notification.objects.bulk_create(fresh)
    record_changes(
        [{"kind": KIND_NOTIFICATION, "object_id": n.pk, "user_id": n.user_id} for n in fresh]
    )


def deliver(channel: str, *, user, message: Message, delivery_id: str) -> None:
    if not user.is_active:
        raise DeliveryError(RECIPIENT_DEACTIVATED, permanent=True)
    kind, _sep, target = channel.partition(":")
    # A malformed key ("push:", "push:abc", "inbox:3") is a bug upstream that no retry
    # fixes; without this check the id lookup below raises ValueError instead.
    has_id = target.isascii() and target.isdigit()
    if (kind in (CHANNEL_PUSH, CHANNEL_WEBHOOK)) != has_id:
        raise DeliveryError(f"malformed channel key {channel!r}", permanent=True)
    if kind == CHANNEL_INBOX:
        deliver_inbox_many([InboxDelivery(user=user, message=message, delivery_id=delivery_id)])
    elif kind == CHANNEL_EMAIL:
        from notifications.email import send_email

        send_email(user=user, message=message, delivery_id=delivery_id)
    elif kind == CHANNEL_PUSH:
        from notifications.push import send_push

        device = Device.objects.filter(pk=target, user=user, is_active=True).first()
        if device is None:
            raise DeliveryError("push device is gone or inactive", permanent=True)
        send_push(device=device, message=message, delivery_id=delivery_id)
    elif kind == CHANNEL_WEBHOOK:
        from notifications.webhooks import send_webhook

        endpoint = WebhookEndpoint.objects.filter(pk=target, user=user, is_active=True).first()
        if endpoint is None:
            raise DeliveryError("webhook endpoint is gone or disabled", permanent=True)
        send_webhook(endpoint=endpoint, message=message, delivery_id=delivery_id)
    else:
        raise DeliveryError(f"unknown channel {channel!r}", permanent=True)
