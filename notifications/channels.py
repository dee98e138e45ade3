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

from django.utils import timezone

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
from sync.log import KIND_NOTIFICATION, record_change


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


def _deliver_inbox(user, message: Message, delivery_id: str) -> None:
    notification, created = Notification.objects.get_or_create(
        dedup_key=delivery_id,
        defaults={
            "user": user,
            "title": message.title[:300],
            "body": message.body,
            "url": message.url[:300],
            "data": message.data,
            "created_at": timezone.now(),
        },
    )
    if created:
        record_change(KIND_NOTIFICATION, notification.pk, user_id=user.pk)


def deliver(channel: str, *, user, message: Message, delivery_id: str) -> None:
    if not user.is_active:
        raise DeliveryError("recipient is deactivated", permanent=True)
    kind, _sep, target = channel.partition(":")
    # A malformed key ("push:", "push:abc", "inbox:3") is a bug upstream that no retry
    # fixes; without this check the id lookup below raises ValueError instead.
    has_id = target.isascii() and target.isdigit()
    if (kind in (CHANNEL_PUSH, CHANNEL_WEBHOOK)) != has_id:
        raise DeliveryError(f"malformed channel key {channel!r}", permanent=True)
    if kind == CHANNEL_INBOX:
        _deliver_inbox(user, message, delivery_id)
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
