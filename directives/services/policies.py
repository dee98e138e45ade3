"""Reminder policies: which one governs a directive, the next reminder point of
an assignment, and setting a policy."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from directives import access
from directives.errors import INVALID_POLICY
from directives.models import (
    REMINDED_STATUSES,
    Assignment,
    Directive,
    NextReminder,
    ReminderPolicy,
    SourceDocument,
)
from directives.reminder_points import PolicyRules, configured_window, next_point_after
from directives.reminder_policies import reminder_policy_for
from directives.services._common import _now
from thads.errors import DomainError
from units.calendar import load_calendar


def next_reminder_at(
    assignment: Assignment, *, after: datetime, new_deadline: bool = False
) -> datetime | None:
    """The first reminder point after `after`, or None when the unit has nothing
    left to do (reported, done, cancelled).

    With `new_deadline` (the deadline was just set: assigned, moved, extended) the
    points already due at `after` are not skipped: the answer is then the first
    point of the schedule, so the next sweep sends the latest due point of each
    series (a deadline set today or in the past gets its due-day or overdue
    reminder) instead of none."""
    if assignment.status not in REMINDED_STATUSES:
        return None
    deadline = assignment.due_date
    return next_point_after(
        deadline=deadline,
        rules=PolicyRules.of(reminder_policy_for(assignment.directive)),
        calendar=load_calendar(deadline - timedelta(days=30), deadline + timedelta(days=400)),
        window=configured_window(),
        after=None if new_deadline else after,
    )


def set_next_reminder(assignment: Assignment, at: datetime | None) -> None:
    """Keep the assignment's `NextReminder` row at `at`: written (one upsert),
    or deleted when None; the assignment's cached `next_reminder_at` follows."""
    cache = Assignment.next_reminder.related
    if cache.is_cached(assignment) and at == assignment.next_reminder_at:
        return  # as the lock read it: nothing to write
    if at is None:
        NextReminder.objects.filter(assignment_id=assignment.pk).delete()
        cache.set_cached_value(assignment, None)
        return
    (row,) = NextReminder.objects.bulk_create(
        [NextReminder(assignment_id=assignment.pk, at=at)],
        update_conflicts=True,
        unique_fields=["assignment"],
        update_fields=["at"],
    )
    cache.set_cached_value(assignment, row)


POLICY_FIELDS = (
    "before_working_days",
    "on_due_day",
    "overdue_first_after_days",
    "overdue_every_days",
    "escalate_to_head",
    "escalate_to_leadership_after_days",
)


@transaction.atomic
def reminder_policy_set(
    *,
    actor,
    document: SourceDocument | None = None,
    directive: Directive | None = None,
    now: datetime | None = None,
    **rules: Any,
) -> ReminderPolicy:
    """Set the default policy (no document, no directive) or a document's or a
    directive's own, then move the next reminder of every open assignment it
    governs."""
    access.ensure_leadership(actor)
    at = _now(now)
    unknown = set(rules) - set(POLICY_FIELDS)
    if unknown:
        raise ValueError(f"unknown policy fields: {sorted(unknown)}")
    if "before_working_days" in rules:
        days = rules["before_working_days"]
        if any(not isinstance(n, int) or not 1 <= n <= 60 for n in days):
            raise DomainError(
                INVALID_POLICY,
                _("Số ngày nhắc trước phải là số nguyên từ 1 đến 60."),
                fields={"before_working_days": [_("Số nguyên từ 1 đến 60.")]},
            )
        rules["before_working_days"] = sorted(set(days), reverse=True)
    if directive is not None:
        policy, _created = ReminderPolicy.objects.get_or_create(directive=directive)
        governed = Assignment.objects.filter(directive=directive)
    elif document is not None:
        policy, _created = ReminderPolicy.objects.get_or_create(document=document)
        governed = Assignment.objects.filter(directive__document=document)
    else:
        policy, _created = ReminderPolicy.objects.get_or_create(is_default=True)
        governed = Assignment.objects.all()
    for field, value in rules.items():
        setattr(policy, field, value)
    policy.full_clean()
    policy.save()
    open_work = governed.filter(status__in=REMINDED_STATUSES)
    for assignment in open_work.select_related("directive", "next_reminder"):
        set_next_reminder(assignment, next_reminder_at(assignment, after=at))
    return policy
