"""The reminder sweep and the delivery of each reminder.

`reminder_sweep` runs every few minutes from beat. It reads the assignments
whose `next_reminder_at` has come (an index, so its cost follows the due
points, not the history), records each due point in the ledger once per
recipient and channel under a unique key, moves `next_reminder_at` on, and
hands the pending ledger rows to workers. `reminder_deliver` sends one row;
`reminder_deliver_inbox` sends a batch of inbox rows in one transaction.

Exactly once, per channel and recipient:
- two sweeps (two beats) lock disjoint rows (`skip_locked`) and meet the same
  unique keys, so nothing is recorded twice;
- a row handed out is leased for a while; a killed worker's row is handed
  out again by a later sweep when the lease ends;
- delivering locks the row and returns early unless it is still pending, so a
  redelivered task does nothing; the inbox also keys its message by the row.
No task is scheduled with a long ETA: retries wait in the ledger, not in Redis.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Prefetch, Q, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop

from directives.models import REMINDED_STATUSES, Assignment, ReminderPolicy
from directives.reminder_points import (
    AUDIENCE_HEAD,
    AUDIENCE_LEADERSHIP,
    AUDIENCE_UNIT,
    PolicyRules,
    ReminderPoint,
    configured_window,
    due_points,
)
from notifications.delivery import (
    RECIPIENT_DEACTIVATED,
    DeliveryError,
    InboxDelivery,
    Message,
    assignment_url,
    channel_keys,
    deliver,
    deliver_inbox_many,
    preference_for,
    public_url,
)
from notifications.models import CHANNEL_INBOX, NotificationPreference
from reminders.models import LedgerState, ReminderLedger
from thads.clock import local_today
from units.calendar import WorkingDayTable, load_calendar
from units.models import HEAD_ROLES, Membership, Role, User

LEADERSHIP_RECIPIENT_ROLES = (Role.DIRECTOR, Role.DEPUTY_DIRECTOR)
DIGEST_REASON = "digest"
# Leadership and unit heads hear of an assignment in one message per sweep: its
# ledger row is recorded as skipped with this reason and points at the digest row
# (kind SWEEP_DIGEST_KIND) that carries it.
SWEEP_DIGEST_REASON = "sweep digest"
SWEEP_DIGEST_KIND = "digest_sweep"


@dataclass
class SweepResult:
    assignments: int = 0
    recorded: int = 0
    enqueued: int = 0
    window_closed: bool = False


def ledger_key(
    *, assignment_id: int | None, kind: str, deadline: date | None, recipient_id: int, channel: str
) -> str:
    return f"{_key_prefix(assignment_id, kind, deadline)}{recipient_id}:{channel}"


def _key_prefix(assignment_id: int | None, kind: str, deadline: date | None) -> str:
    """The part of `ledger_key` that all recipients of one point share."""
    subject = f"a{assignment_id}" if assignment_id is not None else "digest"
    return f"{subject}:{kind}:{deadline.isoformat() if deadline else '-'}:"


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _skip_locked() -> dict:
    features = connection.features
    return {"skip_locked": True} if features.has_select_for_update_skip_locked else {}


# --- who hears about what ---------------------------------------------------


def _users_with_channels(user_ids: Iterable[int]) -> dict[int, User]:
    return {
        user.pk: user
        for user in User.objects.filter(pk__in=set(user_ids), is_active=True)
        .select_related("notification_preference")
        .prefetch_related("devices", "webhooks")
    }


def _audiences(unit_ids: set[int], today: date) -> tuple[dict, dict, list[int]]:
    """(unit → member ids, unit → head ids, leadership ids), one query each."""
    members: dict[int, set[int]] = defaultdict(set)
    heads: dict[int, set[int]] = defaultdict(set)
    for unit_id, user_id, role in (
        Membership.objects.active_on(today)
        .filter(unit_id__in=unit_ids)
        .values_list("unit_id", "user_id", "role")
    ):
        members[unit_id].add(user_id)
        if role in HEAD_ROLES:
            heads[unit_id].add(user_id)
    leadership = list(
        Membership.objects.active_on(today)
        .filter(role__in=LEADERSHIP_RECIPIENT_ROLES)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )
    return members, heads, leadership


def _policies(rows: list[tuple]) -> tuple[dict, dict, PolicyRules]:
    """(directive id → rules, document id → rules, the default rules) for the due
    rows, in one query; each policy's rules are built once, not once per row."""
    directive_ids = {row[DUE_DIRECTIVE] for row in rows}
    document_ids = {row[DUE_DOCUMENT] for row in rows}
    by_directive, by_document = {}, {}
    default = PolicyRules.of(ReminderPolicy(is_default=True))
    for policy in ReminderPolicy.objects.filter(
        Q(directive_id__in=directive_ids) | Q(document_id__in=document_ids) | Q(is_default=True)
    ):
        if policy.directive_id:
            by_directive[policy.directive_id] = PolicyRules.of(policy)
        elif policy.document_id:
            by_document[policy.document_id] = PolicyRules.of(policy)
        else:
            default = PolicyRules.of(policy)
    return by_directive, by_document, default


# --- the sweep ----------------------------------------------------------------


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


# The due rows, as tuples: values_list positions.
DUE_FIELDS = (
    "pk",
    "directive_id",
    "directive__document_id",
    "unit_id",
    "status",
    "due_date",
    "next_reminder_at",
)
DUE_DIRECTIVE, DUE_DOCUMENT, DUE_UNIT, DUE_DATE = 1, 2, 3, 5
# The working-day table reaches this far around the deadlines and today: the
# points before a deadline, the escalations after it, the next overdue point.
TABLE_MARGIN = timedelta(days=90)


@transaction.atomic
def _record_due_points(sweep: _Sweep, *, batch: int) -> tuple[int, int]:
    """Record the due points of up to `batch` due assignments and move their
    `next_reminder_at` on. The pending rows are written leased and handed to the
    workers when this transaction commits: only the rows this sweep inserted,
    so a row another sweep recorded first is never handed out twice."""
    now = sweep.now
    due = list(
        Assignment.objects.select_for_update(of=("self",), **_skip_locked())
        .filter(next_reminder_at__lte=now)
        .order_by("next_reminder_at", "id")
        .values_list(*DUE_FIELDS)[:batch]
    )
    if not due:
        return 0, 0
    sweep.cover(
        min(row[DUE_DATE] for row in due), max(max(row[DUE_DATE] for row in due), sweep.today)
    )
    by_directive, by_document, default = _policies(due)
    unit_members, unit_heads, leadership = sweep.audiences({row[DUE_UNIT] for row in due})
    audience_users = {AUDIENCE_LEADERSHIP: leadership}

    planned: list[tuple[int, int, date, ReminderPoint, list[int]]] = []
    next_at: dict[int, datetime | None] = {}
    needed_users: set[int] = set()
    for pk, directive_id, document_id, unit_id, status, deadline, since in due:
        if status not in REMINDED_STATUSES:
            next_at[pk] = None
            continue
        rules = by_directive.get(directive_id) or by_document.get(document_id) or default
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


def _move_next_reminders(next_at: dict[int, datetime | None]) -> None:
    """Set each assignment's `next_reminder_at`. PostgreSQL: one UPDATE ... FROM
    the pairs sent as one JSON array. Elsewhere: one UPDATE per distinct instant
    (due points cluster on a few: 07:30 of a few days)."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Assignment._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                # Identifiers from the model, every value a parameter.
                f"UPDATE {table} SET next_reminder_at = item.at "  # noqa: S608
                "FROM (SELECT (pair->>0)::bigint AS id, (pair->>1)::timestamptz AS at "
                "FROM json_array_elements(%s::json) AS pair) AS item "
                f"WHERE {table}.id = item.id",
                [orjson.dumps(list(next_at.items())).decode()],
            )
        return
    by_instant: dict[datetime | None, list[int]] = defaultdict(list)
    for pk, instant in next_at.items():
        by_instant[instant].append(pk)
    for instant, ids in by_instant.items():
        Assignment.objects.filter(pk__in=ids).update(next_reminder_at=instant)


# The ledger columns a sweep writes, in the order of its row tuples; the others
# take attempts 0, no error, and the sweep's instant as created_at.
LEDGER_COLUMNS = (
    "key",
    "assignment_id",
    "kind",
    "deadline",
    "recipient_id",
    "channel",
    "state",
    "reason",
    "due_at",
    "next_attempt_at",
    "digest_id",
)
LEDGER_COLUMN_TYPES = (
    "varchar",
    "bigint",
    "varchar",
    "date",
    "bigint",
    "varchar",
    "varchar",
    "varchar",
    "timestamptz",
    "timestamptz",
    "bigint",
)


def _insert_ledger_rows(
    rows: list[tuple], *, created_at: datetime
) -> list[tuple[int, str, str, str]]:
    """Insert the rows whose key is new; (id, channel, state, key) of those inserted.

    PostgreSQL: one INSERT ... SELECT ... ON CONFLICT DO NOTHING whatever the
    number of rows, the rows sent as one JSON array (orjson writes it in about a
    millisecond per thousand rows; the driver quoting one array parameter per
    column took seventy). Elsewhere (SQLite): a multi-row INSERT ... ON CONFLICT
    DO NOTHING per as many rows as the database takes parameters."""
    if not rows:
        return []
    table = connection.ops.quote_name(ReminderLedger._meta.db_table)
    columns = ", ".join(
        map(connection.ops.quote_name, (*LEDGER_COLUMNS, "attempts", "last_error", "created_at"))
    )
    returning = "RETURNING id, channel, state, key"
    inserted: list[tuple[int, str, str, str]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            values = ", ".join(
                f"(item->>{i})::{kind}" for i, kind in enumerate(LEDGER_COLUMN_TYPES)
            )
            cursor.execute(
                # Identifiers from the model, every value a parameter.
                f"INSERT INTO {table} ({columns}) "  # noqa: S608
                f"SELECT {values}, 0, '', %s FROM json_array_elements(%s::json) AS item "
                f"ON CONFLICT DO NOTHING {returning}",
                [created_at, orjson.dumps(rows).decode()],
            )
            return cursor.fetchall()
        fields = [
            ReminderLedger._meta.get_field(name.removesuffix("_id"))
            for name in (*LEDGER_COLUMNS, "attempts", "last_error", "created_at")
        ]
        size = connection.ops.bulk_batch_size(fields, rows)
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608
                f"VALUES {', '.join([one] * len(chunk))} ON CONFLICT DO NOTHING {returning}",
                [
                    # The database's form of each value (SQLite: UTC text for an instant).
                    field.get_db_prep_save(value, connection)
                    for row in chunk
                    for field, value in zip(fields, (*row, 0, "", created_at), strict=True)
                ],
            )
            inserted.extend(cursor.fetchall())
    return inserted


def _reads_digest(user_id: int, unit_id: int, *, heads: dict, leadership) -> bool:
    """Whether `user_id` hears of work of `unit_id` in a sweep digest: leadership
    and the unit's heads do (REMINDER_LEADERS_DIGEST); its other members one by one."""
    if not settings.REMINDER_LEADERS_DIGEST:
        return False
    return user_id in heads.get(unit_id, ()) or user_id in leadership


_KEY, _ASSIGNMENT, _RECIPIENT, _CHANNEL, _REASON, _DIGEST = 0, 1, 4, 5, 7, 10


def _sweep_digest_rows(rows: list[tuple], *, sweep: _Sweep) -> list[tuple]:
    """This batch's digest rows (ledger tuples), one per recipient and channel of
    the rows recorded for a digest.

    A digest row is inserted with its items in one transaction and never gains
    an item afterwards, so whenever it is sent it lists all of them. Its key
    names the sweep's instant and the batch, so a later sweep (a deadline set at
    14:00) or a second batch of a backlog makes a digest of its own."""
    items = [row for row in rows if row[_REASON] == SWEEP_DIGEST_REASON]
    if not items:
        return []
    now, today = sweep.now, sweep.today
    # Two sweeps never lock the same assignment: the first of the batch names it.
    batch = f"{SWEEP_DIGEST_KIND}@{now:%H%M%S%f}.{min(row[_ASSIGNMENT] for row in items)}"
    digests: dict[tuple[int, str], tuple] = {}
    for row in items:
        target = (row[_RECIPIENT], row[_CHANNEL])
        if target not in digests:
            digests[target] = (
                ledger_key(
                    assignment_id=None,
                    kind=batch,
                    deadline=today,
                    recipient_id=target[0],
                    channel=target[1],
                ),
                None,
                SWEEP_DIGEST_KIND,
                today,
                target[0],
                target[1],
                LedgerState.PENDING,
                "",
                now,
                sweep.lease,
                None,
            )
    return list(digests.values())


def _point_at_digests(
    rows: list[tuple], digests: list[tuple], inserted: list[tuple[int, str, str, str]]
) -> None:
    """Point each digest item of `rows` at its digest's id (in place)."""
    if not digests:
        return
    ids = {key: pk for pk, _channel, _state, key in inserted}
    missing = [row[_KEY] for row in digests if row[_KEY] not in ids]
    if missing:  # recorded by another sweep at the same instant: still the one digest
        ids.update(ReminderLedger.objects.filter(key__in=missing).values_list("key", "pk"))
    by_target = {(row[_RECIPIENT], row[_CHANNEL]): ids[row[_KEY]] for row in digests}
    for index, row in enumerate(rows):
        if row[_REASON] == SWEEP_DIGEST_REASON:
            rows[index] = (*row[:_DIGEST], by_target[(row[_RECIPIENT], row[_CHANNEL])])


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


# --- one delivery -----------------------------------------------------------------


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 4 ** max(0, attempts - 1), 3600))


def _message(row: ReminderLedger) -> Message:
    assignment = row.assignment
    directive = assignment.directive
    subject = f"({directive.label}) {directive.title}"
    due = assignment.due_date.strftime("%d/%m/%Y")
    unit = assignment.unit.name
    kind = row.kind
    if kind.startswith("before_") and local_today(row.created_at) > local_today(row.due_at):
        # Recorded days after its point (a deadline set late): the count is stale.
        title = _("Sắp đến hạn: %(subject)s") % {"subject": subject}
        body = _("%(unit)s: nhiệm vụ đến hạn ngày %(due)s.") % {"unit": unit, "due": due}
    elif kind.startswith("before_"):
        days = kind.removeprefix("before_")
        title = _("Sắp đến hạn: %(subject)s") % {"subject": subject}
        body = _("%(unit)s: nhiệm vụ đến hạn ngày %(due)s (còn %(days)s ngày làm việc).") % {
            "unit": unit,
            "due": due,
            "days": days,
        }
    elif kind == "due":
        title = _("Đến hạn hôm nay: %(subject)s") % {"subject": subject}
        body = _("%(unit)s: hôm nay (%(due)s) là hạn hoàn thành nhiệm vụ.") % {
            "unit": unit,
            "due": due,
        }
    elif kind == "escalation_head":
        title = _("Đơn vị có nhiệm vụ quá hạn: %(subject)s") % {"subject": subject}
        body = _("%(unit)s chưa hoàn thành nhiệm vụ đã đến hạn ngày %(due)s.") % {
            "unit": unit,
            "due": due,
        }
    elif kind == "escalation_leadership":
        title = _("Báo cáo lãnh đạo — nhiệm vụ quá hạn: %(subject)s") % {"subject": subject}
        body = _("%(unit)s chưa hoàn thành nhiệm vụ; hạn %(due)s đã qua hơn 7 ngày.") % {
            "unit": unit,
            "due": due,
        }
    else:
        title = _("Quá hạn: %(subject)s") % {"subject": subject}
        body = _("%(unit)s: nhiệm vụ quá hạn từ ngày %(due)s, chưa báo cáo hoàn thành.") % {
            "unit": unit,
            "due": due,
        }
    return Message(
        title=title,
        body=body,
        url=assignment_url(assignment.pk),
        event=f"reminder.{kind.split('_')[0]}",
        data={
            "assignment": assignment.pk,
            "kind": kind,
            "due_date": assignment.due_date.isoformat(),
        },
    )


def _stale_reason(row: ReminderLedger) -> str:
    """Why a recorded reminder no longer makes sense (a retry or a backlog can
    reach a row after the work moved on), or "" when it still does. A sweep
    digest is stale once none of its items is."""
    assignment = row.assignment
    if assignment is None:
        if row.kind == SWEEP_DIGEST_KIND and not _live_items(row):
            # No item at all: a second beat met keys already recorded.
            return "work ended" if row.items.exists() else "nothing new"
        return ""
    if assignment.status not in REMINDED_STATUSES:
        return "work ended"
    if row.deadline != assignment.due_date:
        return "deadline changed"
    return ""


def _message_for(row: ReminderLedger, now: datetime) -> Message:
    # In the site's language, whatever a previous request or task left active in
    # this thread (users have no language of their own yet).
    with translation.override(settings.LANGUAGE_CODE):
        if row.assignment is not None:
            return _message(row)
        if row.kind == SWEEP_DIGEST_KIND:
            return _sweep_digest_message(row)
        return _digest_message(row, now)


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


# --- the sweep digest of leadership and heads -------------------------------------

# The strongest reminder about an assignment names its line in a digest.
_DIGEST_STATES = (
    ("escalation_leadership", _noop("quá hạn, báo lãnh đạo Cục")),
    ("escalation_head", _noop("quá hạn, báo trưởng đơn vị")),
    ("overdue_", _noop("quá hạn")),
    ("due", _noop("đến hạn hôm nay")),
    ("before_", _noop("sắp đến hạn")),
)


def _live_items(row: ReminderLedger) -> list[ReminderLedger]:
    """The digest's items whose work is still open on the same deadline, once per
    delivery attempt (cached on the row)."""
    if not hasattr(row, "_live_items"):
        items = row.items.select_related("assignment__directive", "assignment__unit").order_by(
            "assignment__due_date", "assignment_id", "id"
        )
        row._live_items = [
            item
            for item in items
            if item.assignment.status in REMINDED_STATUSES
            and item.deadline == item.assignment.due_date
        ]
    return row._live_items


def _digest_state(kinds: set[str]) -> str:
    for prefix, label in _DIGEST_STATES:
        if any(kind.startswith(prefix) for kind in kinds):
            return _(label)
    return _("cần theo dõi")


def _digest_line(assignment: Assignment, state: str, *, link: bool) -> str:
    """One assignment in a digest: directive, unit, state and deadline (and link)."""
    directive = assignment.directive
    line = (
        f"- ({directive.label}) {directive.title} — "
        f"{assignment.unit.short_name or assignment.unit.name}: "
        f"{state} {assignment.due_date:%d/%m/%Y}"
    )
    return f"{line}\n  {assignment_url(assignment.pk)}" if link else line


def _sweep_digest_message(row: ReminderLedger) -> Message:
    kinds: dict[int, set[str]] = defaultdict(set)
    assignments: dict[int, Assignment] = {}
    for item in _live_items(row):
        kinds[item.assignment_id].add(item.kind)
        assignments[item.assignment_id] = item.assignment
    lines = [
        _digest_line(assignment, _digest_state(kinds[pk]), link=True)
        for pk, assignment in assignments.items()
    ]
    day = row.deadline.strftime("%d/%m/%Y")
    return Message(
        title=_("Nhắc hạn ngày %(day)s: %(count)s nhiệm vụ cần theo dõi")
        % {"day": day, "count": len(lines)},
        body="\n".join(lines),
        url=public_url("/api/v1/assignments/?timeliness=open_overdue"),
        event="reminder.digest",
        data={"date": row.deadline.isoformat(), "assignments": list(assignments)},
    )


# --- the daily digest -----------------------------------------------------------


def _digest_assignments(user: User, today: date):
    from units.selectors import user_scope

    scope = user_scope(user=user, on=today)
    horizon = load_calendar(today, today + timedelta(days=30)).add_working_days(today, 7)
    return (
        Assignment.objects.filter(
            unit_id__in=sorted(scope.acting_unit_ids),
            status__in=REMINDED_STATUSES,
            due_date__lte=horizon,
        )
        .select_related("directive", "unit")
        .order_by("due_date", "id")
    )


def _digest_message(row: ReminderLedger, now: datetime) -> Message:
    today = row.deadline or local_today(now)
    lines = []
    for assignment in _digest_assignments(row.recipient, today)[:50]:
        state = _("quá hạn") if assignment.due_date < today else _("sắp đến hạn")
        lines.append(_digest_line(assignment, state, link=False))
    return Message(
        title=_("Tổng hợp nhắc hạn ngày %(day)s") % {"day": today.strftime("%d/%m/%Y")},
        body="\n".join(lines) or _("Không có nhiệm vụ sắp đến hạn hay quá hạn."),
        url=public_url("/api/v1/assignments/?timeliness=open_overdue"),
        event="reminder.digest",
        data={"date": today.isoformat(), "count": len(lines)},
    )


def digests_record(*, now: datetime | None = None) -> int:
    """Record today's digest for every user who chose one and has work due soon
    or overdue; enqueue them. Idempotent for the day."""
    now = _now(now)
    today = local_today(now)
    if not load_calendar(today, today).is_working_day(today):
        return 0  # beat fires daily; digests, like reminders, go out on working days
    rows = []
    preferences = (
        NotificationPreference.objects.filter(digest=True, user__is_active=True)
        .select_related("user")
        .prefetch_related(Prefetch("user__devices"), Prefetch("user__webhooks"))
    )
    for preference in preferences:
        user = preference.user
        if not _digest_assignments(user, today).exists():
            continue
        for channel in channel_keys(user, preference=preference):
            rows.append(
                ReminderLedger(
                    key=ledger_key(
                        assignment_id=None,
                        kind="digest",
                        deadline=today,
                        recipient_id=user.pk,
                        channel=channel,
                    ),
                    kind="digest",
                    deadline=today,
                    recipient=user,
                    channel=channel,
                    due_at=now,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    ReminderLedger.objects.bulk_create(rows, ignore_conflicts=True)
    enqueue_all_pending(now=now)
    return len(rows)
