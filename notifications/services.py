"""Writes to a user's own inbox, channel settings, devices and webhooks."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from changelog.log import KIND_NOTIFICATION, record_change, record_changes
from changelog.models import ChangeOp
from notifications.models import (
    Device,
    Notification,
    NotificationPreference,
    WebhookEndpoint,
)


@transaction.atomic
def notification_mark_read(*, user, notification: Notification, now: datetime | None = None):
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        notification.save(update_fields=["read_at"])
        record_change(KIND_NOTIFICATION, notification.pk, user_id=user.pk)
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user, now: datetime | None = None) -> int:
    unread = Notification.objects.select_for_update().filter(user=user, read_at__isnull=True)
    ids = list(unread.values_list("id", flat=True))
    Notification.objects.filter(pk__in=ids).update(read_at=now or timezone.now())
    record_changes([{"kind": KIND_NOTIFICATION, "object_id": pk, "user_id": user.pk} for pk in ids])
    return len(ids)


@transaction.atomic
def notification_delete(*, user, notification: Notification) -> None:
    """Remove a message from the caller's inbox; their other devices learn of it
    as a tombstone in the sync feed."""
    record_change(KIND_NOTIFICATION, notification.pk, user_id=user.pk, op=ChangeOp.DELETE)
    notification.delete()


@transaction.atomic
def notification_settings_set(*, user, channels: list[str], digest: bool) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
        user=user
    )
    preference.channels = list(dict.fromkeys(channels))  # keep order, drop repeats
    preference.digest = digest
    preference.save()
    return preference


@transaction.atomic
def device_register(*, user, endpoint: str, p256dh: str, auth: str, name: str = "") -> Device:
    """Register a push subscription. The same endpoint registered again (a
    reinstall, another account on the same phone) moves to the new owner."""
    Device.objects.filter(endpoint=endpoint, is_active=True).exclude(user=user).update(
        is_active=False, deactivated_reason="registered again by another user"
    )
    device, _created = Device.objects.update_or_create(
        user=user,
        endpoint=endpoint,
        is_active=True,
        defaults={"p256dh": p256dh, "auth": auth, "name": name},
    )
    return device


def device_remove(*, user, device: Device) -> None:
    device.is_active = False
    device.deactivated_reason = "removed by its owner"
    device.save(update_fields=["is_active", "deactivated_reason"])


def webhook_create(*, user, url: str) -> WebhookEndpoint:
    from notifications.delivery.webhook import validate_webhook_url

    validate_webhook_url(url)
    return WebhookEndpoint.objects.create(user=user, url=url)


def webhook_remove(*, user, endpoint: WebhookEndpoint) -> None:
    endpoint.is_active = False
    endpoint.disabled_at = timezone.now()
    endpoint.save(update_fields=["is_active", "disabled_at"])
