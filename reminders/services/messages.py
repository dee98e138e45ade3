"""What a ledger row says: the reminder about one assignment, the sweep digest
of leadership and heads, and the daily digest."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop

from directives.models import REMINDED_STATUSES, Assignment
from notifications.delivery import (
    Message,
    assignment_url,
    public_url,
)
from reminders.models import ReminderLedger
from reminders.services.ledger import SWEEP_DIGEST_KIND
from thads.clock import local_today
from units.calendar import load_calendar
from units.models import User


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
