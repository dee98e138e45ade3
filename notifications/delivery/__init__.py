"""Delivery: one message through one channel key, whatever the transport.

`deliver(channel, user=..., message=..., delivery_id=...)` sends one message
through one channel key: "inbox", "email", "push:<device id>" or
"webhook:<endpoint id>". It returns on success and raises `DeliveryError`
otherwise, `permanent=True` when retrying cannot help (no address, a dead
push subscription, a refused webhook URL). `delivery_id` is stable across
retries, so a receiver (and the inbox) can recognise a repeat.

The transports live one per module (`inbox`, `email`, `push`, `webhook`) and
import only `base`; this module routes a key to them.
"""

from __future__ import annotations

from notifications.delivery.base import (
    RECIPIENT_DEACTIVATED,
    DeliveryError,
    Message,
    assignment_url,
    public_url,
)
from notifications.delivery.email import send_email
from notifications.delivery.inbox import InboxDelivery, deliver_inbox_many, send_inbox
from notifications.delivery.push import send_push
from notifications.delivery.webhook import send_webhook
from notifications.models import (
    CHANNEL_EMAIL,
    CHANNEL_INBOX,
    CHANNEL_PUSH,
    CHANNEL_WEBHOOK,
    Device,
    NotificationPreference,
    WebhookEndpoint,
)

__all__ = [
    "RECIPIENT_DEACTIVATED",
    "DeliveryError",
    "InboxDelivery",
    "Message",
    "assignment_url",
    "channel_keys",
    "deliver",
    "deliver_inbox_many",
    "preference_for",
    "public_url",
]


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
        send_inbox(user=user, message=message, delivery_id=delivery_id)
    elif kind == CHANNEL_EMAIL:
        send_email(user=user, message=message, delivery_id=delivery_id)
    elif kind == CHANNEL_PUSH:
        device = Device.objects.filter(pk=target, user=user, is_active=True).first()
        if device is None:
            raise DeliveryError("push device is gone or inactive", permanent=True)
        send_push(device=device, message=message, delivery_id=delivery_id)
    elif kind == CHANNEL_WEBHOOK:
        endpoint = WebhookEndpoint.objects.filter(pk=target, user=user, is_active=True).first()
        if endpoint is None:
            raise DeliveryError("webhook endpoint is gone or disabled", permanent=True)
        send_webhook(endpoint=endpoint, message=message, delivery_id=delivery_id)
    else:
        raise DeliveryError(f"unknown channel {channel!r}", permanent=True)
