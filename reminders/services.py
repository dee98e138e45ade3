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
from notifications.channels import (
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
from units.calendar import load_calendar
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
    subject = f"a{assignment_id}" if assignment_id is not None else "digest"
    return f"{subject}:{kind}:{deadline.isoformat() if deadline else '-'}:{recipient_id}:{channel}"


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


def _policies(assignments: list[Assignment]) -> tuple[dict, dict, ReminderPolicy]:
    directive_ids = {a.directive_id for a in assignments}
    document_ids = {a.directive.document_id for a in assignments}
    by_directive, by_document, default = {}, {}, ReminderPolicy(is_default=True)
    for policy in ReminderPolicy.objects.filter(
        Q(directive_id__in=directive_ids) | Q(document_id__in=document_ids) | Q(is_default=True)
    ):
        if policy.directive_id:
            by_directive[policy.directive_id] = policy
        elif policy.document_id:
            by_document[policy.document_id] = policy
        else:
            default = policy
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
    calendar = load_calendar(today - timedelta(days=30), today + timedelta(days=30))
    result = SweepResult()
    if not window.is_open(now, calendar):
        result.window_closed = True
        return result
    while True:
        recorded, count = _record_due_points(now=now, batch=batch, window=window)
        result.assignments += count
        result.recorded += recorded
        if count < batch:
            break
    result.enqueued = enqueue_all_pending(now=now)
    return result


def enqueue_all_pending(*, now: datetime | None = None, limit: int = 5000) -> int:
    """`enqueue_pending` until nothing due is left: a backlog goes out in one
    sweep instead of `limit` rows per sweep interval. Leased rows are not due,
    so each call finds the next ones."""
    total = slow = 0
    while True:
        handed, slow_handed = _hand_out(now=now, limit=limit, slow_ahead=slow)
        total += handed
        slow += slow_handed
        if handed < limit:
            return total


@transaction.atomic
def _record_due_points(*, now: datetime, batch: int, window) -> tuple[int, int]:
    assignments = list(
        Assignment.objects.select_for_update(of=("self",), **_skip_locked())
        .filter(next_reminder_at__lte=now)
        .select_related("directive")
        .order_by("next_reminder_at", "id")[:batch]
    )
    if not assignments:
        return 0, 0
    today = local_today(now)
    due_dates = [a.due_date for a in assignments]
    calendar = load_calendar(min(due_dates) - timedelta(days=30), max(due_dates))
    by_directive, by_document, default = _policies(assignments)
    members, heads, leadership = _audiences({a.unit_id for a in assignments}, today)

    planned: list[tuple[Assignment, ReminderPoint, list[int], str]] = []
    needed_users: set[int] = set()
    for assignment in assignments:
        if assignment.status not in REMINDED_STATUSES:
            assignment.next_reminder_at = None
            continue
        policy = (
            by_directive.get(assignment.directive_id)
            or by_document.get(assignment.directive.document_id)
            or default
        )
        send, next_at = due_points(
            deadline=assignment.due_date,
            rules=PolicyRules.of(policy),
            calendar=calendar,
            window=window,
            since=assignment.next_reminder_at,
            now=now,
        )
        assignment.next_reminder_at = next_at
        audience_users = {
            AUDIENCE_UNIT: sorted(members.get(assignment.unit_id, ())),
            AUDIENCE_HEAD: sorted(heads.get(assignment.unit_id, ())),
            AUDIENCE_LEADERSHIP: sorted(leadership),
        }
        for point in send:
            users = audience_users[point.audience]
            planned.append((assignment, point, users, LedgerState.PENDING))
            needed_users.update(users)

    users = _users_with_channels(needed_users)
    rows = []
    for assignment, point, user_ids, state in planned:
        for user_id in user_ids:
            user = users.get(user_id)
            if user is None:
                continue  # deactivated: nothing is sent, nothing is recorded
            preference = preference_for(user)
            row_state, reason = state, ""
            if preference.digest:
                row_state, reason = LedgerState.SKIPPED, DIGEST_REASON
            elif _reads_digest(user_id, assignment, heads=heads, leadership=leadership):
                row_state, reason = LedgerState.SKIPPED, SWEEP_DIGEST_REASON
            for channel in channel_keys(user, preference=preference):
                rows.append(
                    ReminderLedger(
                        key=ledger_key(
                            assignment_id=assignment.pk,
                            kind=point.kind,
                            deadline=assignment.due_date,
                            recipient_id=user_id,
                            channel=channel,
                        ),
                        assignment=assignment,
                        kind=point.kind,
                        deadline=assignment.due_date,
                        recipient_id=user_id,
                        channel=channel,
                        state=row_state,
                        reason=reason,
                        due_at=point.at,
                        next_attempt_at=now if row_state == LedgerState.PENDING else None,
                        created_at=now,
                    )
                )
    _attach_to_sweep_digests(rows, now=now, today=today)
    ReminderLedger.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    # One UPDATE per distinct next instant: due points cluster on a few instants
    # (07:30 of a few days), where bulk_update would write one CASE per row.
    by_instant: dict[datetime | None, list[int]] = defaultdict(list)
    for assignment in assignments:
        by_instant[assignment.next_reminder_at].append(assignment.pk)
    for instant, ids in by_instant.items():
        Assignment.objects.filter(pk__in=ids).update(next_reminder_at=instant)
    return len(rows), len(assignments)


def _reads_digest(user_id: int, assignment: Assignment, *, heads: dict, leadership) -> bool:
    """Whether `user_id` hears of `assignment` in a sweep digest: leadership and the
    heads of its unit do (REMINDER_LEADERS_DIGEST); its other members one by one."""
    if not settings.REMINDER_LEADERS_DIGEST:
        return False
    return user_id in heads.get(assignment.unit_id, ()) or user_id in leadership


def _attach_to_sweep_digests(rows: list[ReminderLedger], *, now: datetime, today: date) -> None:
    """Create this batch's digest rows, one per recipient and channel of the rows
    recorded for a digest, and point those rows at theirs.

    A digest row is created with its items in one transaction and never gains an
    item afterwards, so whenever it is sent it lists all of them. Its key names
    the sweep's instant and the batch, so a later sweep (a deadline set at 14:00)
    or a second batch of a backlog makes a digest of its own."""
    items = [row for row in rows if row.reason == SWEEP_DIGEST_REASON]
    if not items:
        return
    # Two sweeps never lock the same assignment: the first of the batch names it.
    batch = f"{SWEEP_DIGEST_KIND}@{now:%H%M%S%f}.{min(row.assignment_id for row in items)}"
    digests: dict[tuple[int, str], ReminderLedger] = {}
    for row in items:
        target = (row.recipient_id, row.channel)
        if target not in digests:
            digests[target] = ReminderLedger(
                key=ledger_key(
                    assignment_id=None,
                    kind=batch,
                    deadline=today,
                    recipient_id=row.recipient_id,
                    channel=row.channel,
                ),
                kind=SWEEP_DIGEST_KIND,
                deadline=today,
                recipient_id=row.recipient_id,
                channel=row.channel,
                due_at=now,
                next_attempt_at=now,
                created_at=now,
            )
    created = list(digests.values())
    ReminderLedger.objects.bulk_create(created)
    if any(digest.pk is None for digest in created):  # a backend that returns no ids
        ids = dict(
            ReminderLedger.objects.filter(key__in=[d.key for d in created]).values_list("key", "pk")
        )
        for digest in created:
            digest.pk = ids[digest.key]
    for row in items:
        row.digest = digests[(row.recipient_id, row.channel)]


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
    from reminders.tasks import deliver_inbox_reminders, deliver_reminder

    now = _now(now)
    lease = now + timedelta(seconds=settings.REMINDER_DELIVERY_LEASE_SECONDS)
    per_row = settings.REMINDER_SLOW_DELIVERY_SECONDS
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
            ahead = position // SLOW_LEASE_STEP * SLOW_LEASE_STEP
            slow_leases[lease + timedelta(seconds=ahead * per_row)].append(pk)
        # One statement, whatever the number of lease steps; inbox rows take `lease`.
        ReminderLedger.objects.filter(pk__in=[pk for pk, _channel in rows]).update(
            next_attempt_at=Case(
                *(When(pk__in=ids, then=Value(until)) for until, ids in slow_leases.items()),
                default=Value(lease),
            )
        )
        size = settings.REMINDER_INBOX_BATCH

        def hand_out() -> None:
            for start in range(0, len(inbox), size):
                deliver_inbox_reminders.delay(inbox[start : start + size])
            for ledger_id in others:
                deliver_reminder.delay(ledger_id)

        transaction.on_commit(hand_out)
    return len(rows), len(others)


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
