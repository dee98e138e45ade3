"""When reminders about a deadline fall due: pure arithmetic on the policy,
the deadline and the working-day calendar.

A point is an instant and a kind ("before_3", "due", "overdue_2",
"escalation_head", "escalation_leadership") for an audience (the unit's
members, its heads, or the department's leadership). Points sit at the opening
of the sending window (07:30 local by default) on working days, so a point
never falls outside working hours; with the window "always" they sit at 00:00.

Points come in three series: before the deadline and on the day, overdue
repeats, and the two escalations. When a sweep finds several points of one
series already due (the system was down, or the deadline was set late), only
the latest is sent: a pile of stale reminders helps nobody.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings

from thads.clock import LOCAL_TZ, local_now
from units.calendar import WorkingCalendar

AUDIENCE_UNIT = "unit"
AUDIENCE_HEAD = "head"
AUDIENCE_LEADERSHIP = "leadership"


@dataclass(frozen=True)
class Window:
    """The daily sending window in local time; `start is None` means always."""

    start: time | None
    end: time | None

    @classmethod
    def parse(cls, value: str) -> Window:
        text = value.strip().lower()
        if text == "always":
            return cls(None, None)
        try:
            first, last = (time.fromisoformat(part.strip()) for part in text.split("-"))
        except ValueError as exc:
            raise ValueError(
                f"REMINDER_WINDOW must be 'HH:MM-HH:MM' or 'always', not {value!r}"
            ) from exc
        if first >= last:
            raise ValueError(f"REMINDER_WINDOW must open before it closes: {value!r}")
        return cls(first, last)

    @property
    def always(self) -> bool:
        return self.start is None

    def opening(self, day: date) -> datetime:
        return datetime.combine(day, self.start or time(0, 0), tzinfo=LOCAL_TZ)

    def is_open(self, now: datetime, calendar: WorkingCalendar) -> bool:
        if self.always:
            return True
        local = local_now(now)
        return calendar.is_working_day(local.date()) and self.start <= local.time() < self.end


def configured_window() -> Window:
    return Window.parse(settings.REMINDER_WINDOW)


@dataclass(frozen=True)
class PolicyRules:
    """The parts of a `ReminderPolicy` the arithmetic needs (easy to build in tests)."""

    before_working_days: tuple[int, ...] = (7, 3, 1)
    on_due_day: bool = True
    overdue_first_after_days: int = 1
    overdue_every_days: int = 3
    escalate_to_head: bool = True
    escalate_to_leadership_after_days: int | None = 7

    @classmethod
    def of(cls, policy) -> PolicyRules:
        return cls(
            before_working_days=tuple(
                sorted({int(n) for n in policy.before_working_days if int(n) > 0}, reverse=True)
            ),
            on_due_day=policy.on_due_day,
            overdue_first_after_days=policy.overdue_first_after_days,
            overdue_every_days=max(1, policy.overdue_every_days),
            escalate_to_head=policy.escalate_to_head,
            escalate_to_leadership_after_days=policy.escalate_to_leadership_after_days,
        )


@dataclass(frozen=True)
class ReminderPoint:
    at: datetime
    kind: str
    audience: str
    series: str

    @property
    def sort_key(self) -> tuple[datetime, str]:
        return (self.at, self.kind)


def reminder_points(
    *, deadline: date, rules: PolicyRules, calendar: WorkingCalendar, window: Window
) -> Iterator[ReminderPoint]:
    """Every point for `deadline`, in time order; endless, since overdue
    reminders repeat until the work ends."""
    points: list[ReminderPoint] = []
    for n in rules.before_working_days:
        day = calendar.add_working_days(deadline, -n)
        points.append(ReminderPoint(window.opening(day), f"before_{n}", AUDIENCE_UNIT, "ahead"))
    if rules.on_due_day:
        day = calendar.roll_forward(deadline)
        points.append(ReminderPoint(window.opening(day), "due", AUDIENCE_UNIT, "ahead"))
    first_overdue = calendar.add_working_days(deadline, max(1, rules.overdue_first_after_days))
    if rules.escalate_to_head:
        points.append(
            ReminderPoint(window.opening(first_overdue), "escalation_head", AUDIENCE_HEAD, "head")
        )
    if rules.escalate_to_leadership_after_days is not None:
        day = calendar.roll_forward(
            deadline + timedelta(days=rules.escalate_to_leadership_after_days + 1)
        )
        points.append(
            ReminderPoint(
                window.opening(day), "escalation_leadership", AUDIENCE_LEADERSHIP, "leadership"
            )
        )

    def overdue() -> Iterator[ReminderPoint]:
        # Overdue reminders repeat for as long as the work stays open.
        day, k = first_overdue, 1
        while True:
            yield ReminderPoint(window.opening(day), f"overdue_{k}", AUDIENCE_UNIT, "overdue")
            day, k = calendar.add_working_days(day, rules.overdue_every_days), k + 1

    yield from heapq.merge(
        sorted(points, key=lambda p: p.sort_key), overdue(), key=lambda p: p.sort_key
    )


def due_points(
    *,
    deadline: date,
    rules: PolicyRules,
    calendar: WorkingCalendar,
    window: Window,
    since: datetime,
    now: datetime,
) -> tuple[list[ReminderPoint], datetime | None]:
    """The points to send now, of those in [since, now], and the next instant after now.

    Of several due points in one series only the latest is sent, and a reminder
    ahead of the deadline is dropped once an overdue one is due: a pile of stale
    reminders helps nobody.
    """
    latest: dict[str, ReminderPoint] = {}
    next_at = None
    for point in reminder_points(deadline=deadline, rules=rules, calendar=calendar, window=window):
        if point.at < since:
            continue
        if point.at > now:
            next_at = point.at
            break
        latest[point.series] = point
    if "overdue" in latest:
        latest.pop("ahead", None)
    return sorted(latest.values(), key=lambda p: p.sort_key), next_at


def next_point_after(
    *,
    deadline: date,
    rules: PolicyRules,
    calendar: WorkingCalendar,
    window: Window,
    after: datetime | None,
) -> datetime | None:
    """The first point strictly after `after`; with `after=None`, the first point
    of all, however long ago it fell due."""
    for point in reminder_points(deadline=deadline, rules=rules, calendar=calendar, window=window):
        if after is None or point.at > after:
            return point.at
    return None
