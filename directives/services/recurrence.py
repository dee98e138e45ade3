"""Recurring directives: a schedule (RFC 5545 RRULE) and the hourly fan-out of
its periods into assignments."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from dateutil.rrule import rrulestr
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from directives import access
from directives.errors import INVALID_RRULE, LEAD_NOT_AMONG_UNITS, VALIDATION_ERROR
from directives.models import (
    Assignment,
    AssignmentEvent,
    AssignmentRole,
    Directive,
    RecurringSchedule,
)
from directives.services._common import _check_day, _now
from directives.services._transition import record_event
from directives.services.policies import next_reminder_at, set_next_reminder
from thads.clock import local_today
from thads.errors import DomainError
from units.calendar import roll_to_working_day
from units.models import OrgUnit

MAX_ROLL_DAYS = 14


def parse_rrule(rule: str, *, starts_on: date):
    """An RFC 5545 RRULE (without DTSTART) as a dateutil rule, or a 400."""
    try:
        parsed = rrulestr(rule, dtstart=datetime.combine(starts_on, time(0, 0)))
        parsed[0]  # a rule with no occurrence at all is a mistake too
        if re.search(r"FREQ\s*=\s*(HOURLY|MINUTELY|SECONDLY)", rule, re.IGNORECASE):
            # Deadlines are dates: an hourly rule would only make the hourly
            # fan-out walk thousands of occurrences that land on the same days.
            raise ValueError("the rule must repeat daily or less often")
    except (ValueError, TypeError, IndexError) as exc:
        raise DomainError(
            INVALID_RRULE,
            _("Quy tắc lặp không hợp lệ (RFC 5545, ví dụ FREQ=MONTHLY;BYMONTHDAY=15)."),
            fields={"rrule": [str(exc) or _("Không có lần lặp nào.")]},
        ) from exc
    return parsed


@transaction.atomic
def recurring_schedule_set(
    *,
    actor,
    directive: Directive,
    rrule: str,
    starts_on: date,
    units: Sequence[OrgUnit],
    ends_on: date | None = None,
    lead_unit: OrgUnit | None = None,
    lead_time_days: int = 30,
) -> RecurringSchedule:
    """Make a directive recur: one assignment per unit per occurrence. Without a
    lead unit every unit leads its own (a head's monthly reception day)."""
    access.ensure_leadership(actor)
    parse_rrule(rrule, starts_on=starts_on)
    _check_day(starts_on, "starts_on")
    _check_day(ends_on, "ends_on")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(
            VALIDATION_ERROR,
            _("Ngày kết thúc lặp phải từ ngày bắt đầu trở đi."),
            fields={"ends_on": [_("Trước ngày bắt đầu.")]},
        )
    if not units:
        raise DomainError(
            VALIDATION_ERROR, _("Cần ít nhất một đơn vị."), fields={"units": [_("Bắt buộc.")]}
        )
    if lead_unit is not None and lead_unit.pk not in {unit.pk for unit in units}:
        raise DomainError(
            LEAD_NOT_AMONG_UNITS,
            _("Đơn vị chủ trì phải nằm trong danh sách đơn vị được giao."),
            fields={"lead_unit": [_("Không nằm trong danh sách đơn vị.")]},
        )
    schedule, _created = RecurringSchedule.objects.update_or_create(
        directive=directive,
        defaults={
            "rrule": rrule,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "lead_unit": lead_unit,
            "lead_time_days": lead_time_days,
            "is_active": True,
            "created_by": actor,
        },
    )
    schedule.units.set(units)
    return schedule


def recurring_fan_out(*, now: datetime | None = None) -> int:
    """Create the assignments of every occurrence due within each schedule's lead
    time. Runs hourly from beat; an occurrence is never created twice (the
    database holds one assignment per directive, unit and period)."""
    at = _now(now)
    today = local_today(at)
    created = 0
    schedules = (
        RecurringSchedule.objects.filter(is_active=True, directive__is_active=True)
        .select_related("directive", "created_by")
        .prefetch_related("units")
    )
    for schedule in schedules:
        rule = parse_rrule(schedule.rrule, starts_on=schedule.starts_on)
        horizon = today + timedelta(days=schedule.lead_time_days)
        # Look back a little: a period whose date has passed may still have its
        # rolled deadline ahead (the 15th falling in Tết is due after the break).
        occurrences = rule.between(
            datetime.combine(today - timedelta(days=MAX_ROLL_DAYS), time(0, 0)),
            datetime.combine(horizon, time(0, 0)),
            inc=True,
        )
        for occurrence in occurrences:
            period = occurrence.date()
            if schedule.ends_on and period > schedule.ends_on:
                break
            if roll_to_working_day(period) < today:
                continue
            for unit in schedule.units.all():
                if unit.is_active_on(today):
                    created += _assign_period(schedule, unit, period, at)
    return created


@transaction.atomic
def _assign_period(schedule: RecurringSchedule, unit: OrgUnit, period: date, at: datetime) -> int:
    due = roll_to_working_day(period)
    is_lead = schedule.lead_unit_id is None or schedule.lead_unit_id == unit.pk
    assignment = Assignment(
        directive=schedule.directive,
        unit=unit,
        role=AssignmentRole.LEAD if is_lead else AssignmentRole.COORDINATING,
        period_start=period,
        original_due_date=due,
        due_date=due,
        assigned_by=schedule.created_by,
        assigned_at=at,
    )
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        return 0  # this period was fanned out already (another beat, an earlier run)
    set_next_reminder(assignment, next_reminder_at(assignment, after=at, new_deadline=True))
    record_event(
        assignment,
        AssignmentEvent.Action.ASSIGNED,
        actor=schedule.created_by,
        at=at,
        note=str(_("Kỳ %(day)s (nhiệm vụ định kỳ).") % {"day": period.strftime("%d/%m/%Y")}),
    )
    return 1
