"""One delivery: send a pending ledger row (or a batch of inbox rows) and
record how it went."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F

from notifications.delivery import (
    RECIPIENT_DEACTIVATED,
    DeliveryError,
    InboxDelivery,
    deliver,
    deliver_inbox_many,
)
from notifications.models import CHANNEL_INBOX
from reminders.models import LedgerState, ReminderLedger
from reminders.services.ledger import _now, _skip_locked
from reminders.services.messages import _message_for, _stale_reason


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 4 ** max(0, attempts - 1), 3600))


@transaction.atomic
def reminder_deliver(*, ledger_id: int, now: datetime | None = None) -> str:
    """Send one ledger row. Returns the row's state afterwards; a row that is not
    pending any more (already sent by a redelivered task) is left alone."""
    row = (
        ReminderLedger.objects.select_for_update(of=("self",))
        .select_related("assignment__directive", "assignment__unit", "recipient")
        .filter(pk=ledger_id)
        .first()
    )
    if row is None or row.state != LedgerState.PENDING:
        return row.state if row else "missing"
    now = _now(now)
    row.attempts += 1
    stale = _stale_reason(row)
    if stale:
        row.state, row.reason, row.next_attempt_at = LedgerState.SKIPPED, stale, None
        row.save(update_fields=["state", "reason", "attempts", "next_attempt_at"])
        return row.state
    message = _message_for(row, now)
    try:
        deliver(row.channel, user=row.recipient, message=message, delivery_id=f"ledger:{row.pk}")
    except DeliveryError as exc:
        row.last_error = str(exc)[:500]
        if exc.permanent or row.attempts >= settings.REMINDER_MAX_ATTEMPTS:
            row.state, row.next_attempt_at = LedgerState.FAILED, None
        else:
            row.next_attempt_at = now + _backoff(row.attempts)
    else:
        row.state, row.sent_at, row.next_attempt_at, row.last_error = (
            LedgerState.SENT,
            now,
            None,
            "",
        )
    row.save(update_fields=["state", "attempts", "last_error", "next_attempt_at", "sent_at"])
    return row.state


@transaction.atomic
def reminder_deliver_inbox(*, ledger_ids: list[int], now: datetime | None = None) -> dict[str, int]:
    """Send many pending inbox rows in one transaction: the same outcomes as
    `reminder_deliver` row by row, in a handful of statements for the batch.

    Rows that are no longer pending (a redelivered task), locked by another
    delivery, or not inbox rows are left alone: they are someone else's, or
    their lease runs out and a sweep hands them out again. Returns the count
    per resulting state."""
    now = _now(now)
    rows = list(
        ReminderLedger.objects.select_for_update(of=("self",), **_skip_locked())
        .select_related("assignment__directive", "assignment__unit", "recipient")
        .filter(pk__in=ledger_ids, state=LedgerState.PENDING, channel=CHANNEL_INBOX)
        .order_by("id")
    )
    sent: list[int] = []
    skipped: dict[str, list[int]] = defaultdict(list)
    refused: list[int] = []
    deliveries = []
    for row in rows:
        stale = _stale_reason(row)
        if stale:
            skipped[stale].append(row.pk)
        elif not row.recipient.is_active:
            refused.append(row.pk)
        else:
            message = _message_for(row, now)
            deliveries.append(
                InboxDelivery(user=row.recipient, message=message, delivery_id=f"ledger:{row.pk}")
            )
            sent.append(row.pk)
    deliver_inbox_many(deliveries)

    def settle(ids: list[int], **fields) -> None:
        if ids:
            ReminderLedger.objects.filter(pk__in=ids).update(
                attempts=F("attempts") + 1, next_attempt_at=None, **fields
            )

    settle(sent, state=LedgerState.SENT, sent_at=now, last_error="")
    for reason, ids in skipped.items():
        settle(ids, state=LedgerState.SKIPPED, reason=reason)
    settle(refused, state=LedgerState.FAILED, last_error=RECIPIENT_DEACTIVATED)
    outcome = {
        LedgerState.SENT: len(sent),
        LedgerState.SKIPPED: sum(map(len, skipped.values())),
        LedgerState.FAILED: len(refused),
    }
    return {str(state): count for state, count in outcome.items() if count}
