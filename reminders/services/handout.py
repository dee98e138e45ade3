"""Hand pending ledger rows to workers, leased so no other sweep hands them out
again before the lease ends."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Value, When

from notifications.models import CHANNEL_INBOX
from reminders.models import LedgerState, ReminderLedger
from reminders.services.ledger import _now, _skip_locked


def enqueue_all_pending(
    *, now: datetime | None = None, limit: int = 5000, slow_ahead: int = 0
) -> int:
    """`enqueue_pending` until nothing due is left: a backlog goes out in one
    sweep instead of `limit` rows per sweep interval. Leased rows are not due,
    so each call finds the next ones. `slow_ahead`: slow-channel rows the caller
    already handed out (their leases count them)."""
    total, slow = 0, slow_ahead
    while True:
        handed, slow_handed = _hand_out(now=now, limit=limit, slow_ahead=slow)
        total += handed
        slow += slow_handed
        if handed < limit:
            return total


def enqueue_pending(*, now: datetime | None = None, limit: int = 5000) -> int:
    """Hand pending rows whose time has come to workers (at most `limit`),
    leasing them so no other sweep hands them out again before the lease ends.

    Inbox rows go out in batches of `REMINDER_INBOX_BATCH`, one task each: an
    inbox message is a few rows in this database, and one transaction for many
    of them is what makes the inbox fast. Every other channel talks to a server
    that may be slow, so each of its rows is a task of its own and a slow
    webhook holds up no one else's reminder."""
    return _hand_out(now=now, limit=limit, slow_ahead=0)[0]


SLOW_LEASE_STEP = 100  # rows of the slow channels per lease extension


def _hand_out(*, now: datetime | None, limit: int, slow_ahead: int) -> tuple[int, int]:
    """`enqueue_pending`, also told how many slow-channel rows went out ahead of
    these in the same sweep. Returns (rows handed out, of which slow-channel).

    A slow-channel row waits in the queue behind those ahead of it; its lease
    grows by `REMINDER_SLOW_DELIVERY_SECONDS` for each of them (in steps of 100),
    so a large hand-out is not handed out again by the next sweep while it is
    still being worked through."""
    now = _now(now)
    lease = now + timedelta(seconds=settings.REMINDER_DELIVERY_LEASE_SECONDS)
    per_row = timedelta(seconds=settings.REMINDER_SLOW_DELIVERY_SECONDS)
    with transaction.atomic():
        rows = list(
            ReminderLedger.objects.select_for_update(**_skip_locked())
            .filter(state=LedgerState.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .values_list("id", "channel")[:limit]
        )
        if not rows:
            return 0, 0
        inbox = [pk for pk, channel in rows if channel == CHANNEL_INBOX]
        others = [pk for pk, channel in rows if channel != CHANNEL_INBOX]
        slow_leases: dict[datetime, list[int]] = defaultdict(list)
        for position, pk in enumerate(others, start=slow_ahead):
            slow_leases[lease + _slow_lease_extra(position, per_row)].append(pk)
        # One statement, whatever the number of lease steps; inbox rows take `lease`.
        ReminderLedger.objects.filter(pk__in=[pk for pk, _channel in rows]).update(
            next_attempt_at=Case(
                *(When(pk__in=ids, then=Value(until)) for until, ids in slow_leases.items()),
                default=Value(lease),
            )
        )
        transaction.on_commit(lambda: _dispatch(inbox, others))
    return len(rows), len(others)


def _slow_lease_extra(position: int, per_row: timedelta) -> timedelta:
    """How much longer than the lease a slow-channel row at `position` in the
    hand-out is leased: `per_row` for each row ahead of it, in steps of 100."""
    return position // SLOW_LEASE_STEP * SLOW_LEASE_STEP * per_row


def _dispatch(inbox: list[int], others: list[int]) -> None:
    """Hand leased rows to the workers: inbox rows in tasks of
    `REMINDER_INBOX_BATCH`, every other row in a task of its own."""
    from reminders.tasks import deliver_inbox_reminders, deliver_reminder

    size = settings.REMINDER_INBOX_BATCH
    for start in range(0, len(inbox), size):
        deliver_inbox_reminders.delay(inbox[start : start + size])
    for ledger_id in others:
        deliver_reminder.delay(ledger_id)
