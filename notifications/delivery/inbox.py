"""The inbox: a message stored as a `Notification` the user reads through the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from changelog.log import KIND_NOTIFICATION, record_changes
from notifications.delivery.base import Message
from notifications.models import Notification


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


def send_inbox(*, user, message: Message, delivery_id: str) -> None:
    deliver_inbox_many([InboxDelivery(user=user, message=message, delivery_id=delivery_id)])
