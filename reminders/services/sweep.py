"""The sweep: record each due point in the ledger once per recipient and
channel, move the next reminder on, and hand pending rows to workers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import orjson
from django.conf import settings
from django.db import connection, transaction

from directives.models import REMINDED_STATUSES, Assignment, NextReminder
from directives.reminder_points import (
    AUDIENCE_HEAD,
    AUDIENCE_LEADERSHIP,
    AUDIENCE_UNIT,
    PolicyRules,
    ReminderPoint,
    configured_window,
    due_points,
)
from directives.reminder_policies import policy_book
from notifications.delivery import (
    channel_keys,
    preference_for,
)
from notifications.models import CHANNEL_INBOX
from reminders.models import LedgerState
from reminders.services.audiences import _audiences, _users_with_channels
from reminders.services.handout import _dispatch, _slow_lease_extra, enqueue_all_pending
from reminders.services.ledger import (
    DIGEST_REASON,
    SWEEP_DIGEST_REASON,
    _insert_ledger_rows,
    _key_prefix,
    _now,
    _point_at_digests,
    _reads_digest,
    _skip_locked,
    _sweep_digest_rows,
)
from thads.clock import local_today
from units.calendar import WorkingDayTable, load_calendar


@dataclass
class SweepResult:
    assignments: int = 0
    recorded: int = 0
    enqueued: int = 0
    window_closed: bool = False


def reminder_sweep(*, now: datetime | None = None, batch: int | None = None) -> SweepResult:
    """Record every due reminder point and hand pending deliveries to workers.

    Safe to run concurrently and repeatedly; records nothing outside the
    sending window (points wait for the next opening).
    """
    now = _now(now)
    batch = batch or settings.REMINDER_SWEEP_BATCH
    window = configured_window()
    today = local_today(now)
    sweep = _Sweep(now=now, window=window, today=today)
    result = SweepResult()
    if not window.is_open(now, sweep.calendar):
        result.window_closed = True
        return result
    while True:
        recorded, count = _record_due_points(sweep, batch=batch)
        result.assignments += count
        result.recorded += recorded
        if count < batch:
            break
    result.enqueued = sweep.handed_out + enqueue_all_pending(now=now, slow_ahead=sweep.slow_ahead)
    return result


class _Sweep:
    """What one sweep computes once and reuses batch after batch: the working-day
    table, each (deadline, rules, since)'s due points, the slow-channel rows it
    handed out so far (for their leases)."""

    def __init__(self, *, now: datetime, window, today: date) -> None:
        self.now, self.window, self.today = now, window, today
        # One query; the calendar loads what a later question needs beyond it.
        self.calendar = load_calendar(today - TABLE_MARGIN, today + TABLE_MARGIN)
        self.days: WorkingDayTable | None = None  # built by the first batch
        self.lease = now + timedelta(seconds=settings.REMINDER_DELIVERY_LEASE_SECONDS)
        self.handed_out = 0
        self.slow_ahead = 0
        self._due: dict[tuple, tuple[list[ReminderPoint], datetime | None]] = {}
        self._members: dict[int, list[int]] = {}
        self._heads: dict[int, list[int]] = {}
        self._leadership: list[int] | None = None
        self._recipients: dict[int, tuple[list[str], str, str] | None] = {}

    def audiences(self, unit_ids: set[int]) -> tuple[dict, dict, list[int]]:
        """(unit → member ids, unit → head ids, leadership ids), sorted; asked of
        the database for the units no earlier batch of this sweep had."""
        missing = unit_ids - self._members.keys()
        if missing or self._leadership is None:
            members, heads, leadership = _audiences(missing, self.today)
            for unit_id in missing:
                self._members[unit_id] = sorted(members.get(unit_id, ()))
                self._heads[unit_id] = sorted(heads.get(unit_id, ()))
            self._leadership = sorted(leadership)
        return self._members, self._heads, self._leadership

    def recipients(self, user_ids: set[int]) -> dict[int, tuple[list[str], str, str] | None]:
        """user id → (channel keys, state, reason) of the rows made for them, or
        None for a deactivated user; read once per sweep."""
        missing = user_ids - self._recipients.keys()
        if missing:
            users = _users_with_channels(missing)
            for user_id in missing:
                user = users.get(user_id)
                if user is None:
                    self._recipients[user_id] = None
                    continue
                preference = preference_for(user)
                state, reason = LedgerState.PENDING, ""
                if preference.digest:
                    state, reason = LedgerState.SKIPPED, DIGEST_REASON
                self._recipients[user_id] = (
                    channel_keys(user, preference=preference),
                    state,
                    reason,
                )
        return self._recipients

    def cover(self, first: date, last: date) -> None:
        """Build the table over a batch's deadlines and today, with the margin
        the points need around them; widen it when a later batch's fall outside."""
        first, last = first - TABLE_MARGIN, last + TABLE_MARGIN
        if self.days is not None:
            if self.days.covers(first, last):
                return
            first, last = min(first, self.days.first), max(last, self.days.last)
        self.days = WorkingDayTable(self.calendar, first, last)

    def due_points(
        self, deadline: date, rules: PolicyRules, since: datetime
    ) -> tuple[list[ReminderPoint], datetime | None]:
        # Pure in these three (now, window and calendar are the sweep's): work
        # assigned together shares a deadline, a policy and its last point.
        key = (deadline, rules, since)
        found = self._due.get(key)
        if found is None:
            found = self._due[key] = due_points(
                deadline=deadline,
                rules=rules,
                calendar=self.days,
                window=self.window,
                since=since,
                now=self.now,
            )
        return found


# The due rows, as tuples: values_list positions.
DUE_FIELDS = (
    "pk",
    "directive_id",
    "directive__document_id",
    "unit_id",
    "status",
    "due_date",
    "next_reminder__at",
)
DUE_DIRECTIVE, DUE_DOCUMENT, DUE_UNIT, DUE_DATE = 1, 2, 3, 5
# The working-day table reaches this far around the deadlines and today: the
# points before a deadline, the escalations after it, the next overdue point.
TABLE_MARGIN = timedelta(days=90)


@transaction.atomic
def _record_due_points(sweep: _Sweep, *, batch: int) -> tuple[int, int]:
    """Record the due points of up to `batch` due assignments and move their
    next reminder on. The pending rows are written leased and handed to the
    workers when this transaction commits: only the rows this sweep inserted,
    so a row another sweep recorded first is never handed out twice."""
    now = sweep.now
    due = list(due_query(now)[:batch])
    if not due:
        return 0, 0
    sweep.cover(
        min(row[DUE_DATE] for row in due), max(max(row[DUE_DATE] for row in due), sweep.today)
    )
    policies = policy_book(
        directive_ids={row[DUE_DIRECTIVE] for row in due},
        document_ids={row[DUE_DOCUMENT] for row in due},
    )
    unit_members, unit_heads, leadership = sweep.audiences({row[DUE_UNIT] for row in due})
    audience_users = {AUDIENCE_LEADERSHIP: leadership}

    planned: list[tuple[int, int, date, ReminderPoint, list[int]]] = []
    next_at: dict[int, datetime | None] = {}
    needed_users: set[int] = set()
    for pk, directive_id, document_id, unit_id, status, deadline, since in due:
        if status not in REMINDED_STATUSES:
            next_at[pk] = None
            continue
        rules = policies.rules(directive_id=directive_id, document_id=document_id)
        send, next_at[pk] = sweep.due_points(deadline, rules, since)
        audience_users[AUDIENCE_UNIT] = unit_members.get(unit_id, [])
        audience_users[AUDIENCE_HEAD] = unit_heads.get(unit_id, [])
        for point in send:
            users = audience_users[point.audience]
            planned.append((pk, unit_id, deadline, point, users))
            needed_users.update(users)

    recipients = sweep.recipients(needed_users)
    per_row = timedelta(seconds=settings.REMINDER_SLOW_DELIVERY_SECONDS)
    slow = sweep.slow_ahead
    rows = []
    for pk, unit_id, deadline, point, user_ids in planned:
        prefix = _key_prefix(pk, point.kind, deadline)
        for user_id in user_ids:
            recipient = recipients[user_id]
            if recipient is None:
                continue  # deactivated: nothing is sent, nothing is recorded
            channels, state, reason = recipient
            if state == LedgerState.PENDING and _reads_digest(
                user_id, unit_id, heads=unit_heads, leadership=leadership
            ):
                state, reason = LedgerState.SKIPPED, SWEEP_DIGEST_REASON
            for channel in channels:
                attempt_at = None
                if state == LedgerState.PENDING:
                    attempt_at = sweep.lease
                    if channel != CHANNEL_INBOX:
                        attempt_at += _slow_lease_extra(slow, per_row)
                        slow += 1
                rows.append(
                    (
                        f"{prefix}{user_id}:{channel}",  # ledger_key(...)
                        pk,
                        point.kind,
                        deadline,
                        user_id,
                        channel,
                        state,
                        reason,
                        point.at,
                        attempt_at,
                        None,  # digest_id: set by _point_at_digests
                    )
                )
    digests = _sweep_digest_rows(rows, sweep=sweep)
    inserted = _insert_ledger_rows(digests, created_at=now)
    _point_at_digests(rows, digests, inserted)
    inserted += _insert_ledger_rows(rows, created_at=now)
    inbox = sorted(
        pk
        for pk, channel, state, _key in inserted
        if state == LedgerState.PENDING and channel == CHANNEL_INBOX
    )
    others = sorted(
        pk
        for pk, channel, state, _key in inserted
        if state == LedgerState.PENDING and channel != CHANNEL_INBOX
    )
    if inbox or others:
        transaction.on_commit(lambda: _dispatch(inbox, others))
    sweep.handed_out += len(inbox) + len(others)
    sweep.slow_ahead = slow
    _move_next_reminders(next_at)
    return len(rows), len(due)


def due_query(now: datetime):
    """The due assignments in the sweep's order (the index on the narrow
    `NextReminder`, joined to each assignment's row), each assignment locked:
    one a service holds (a transition under way) waits for a later sweep, and
    every writer of a next reminder holds its assignment's lock."""
    return (
        Assignment.objects.select_for_update(of=("self",), **_skip_locked())
        .filter(next_reminder__at__lte=now)
        .order_by("next_reminder__at", "next_reminder__assignment_id")
        .values_list(*DUE_FIELDS)
    )


def _move_next_reminders(next_at: dict[int, datetime | None]) -> None:
    """Move each assignment's next reminder on, or delete it (None: nothing left
    to remind). PostgreSQL: one UPDATE ... FROM the pairs sent as one JSON array
    and one DELETE. Elsewhere: one UPDATE per distinct instant (due points
    cluster on a few: 07:30 of a few days)."""
    ended = [pk for pk, instant in next_at.items() if instant is None]
    if ended:
        NextReminder.objects.filter(assignment_id__in=ended).delete()
    moved = {pk: instant for pk, instant in next_at.items() if instant is not None}
    if not moved:
        return
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(NextReminder._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                # Identifiers from the model, every value a parameter.
                f"UPDATE {table} SET at = item.at "  # noqa: S608
                "FROM (SELECT (pair->>0)::bigint AS id, (pair->>1)::timestamptz AS at "
                "FROM jsonb_array_elements(%s::jsonb) AS pair) AS item "
                f"WHERE {table}.assignment_id = item.id",
                [orjson.dumps(list(moved.items())).decode()],
            )
        return
    by_instant: dict[datetime, list[int]] = defaultdict(list)
    for pk, instant in moved.items():
        by_instant[instant].append(pk)
    for instant, ids in by_instant.items():
        NextReminder.objects.filter(assignment_id__in=ids).update(at=instant)
