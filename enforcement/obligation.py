"""The obligation to report, as a recurring directive like any other.

Each Chi cục must send its cumulative figures within 2 working days of the end
of every month (TT 06/2019, Đ9 k2). That obligation is the recurring directive
seeded below: one assignment per unit per month, chased by the ordinary
reminders. A unit report of the `all` group is tied to its period's assignment:
submitting it reports the assignment complete, validating accepts it, returning
returns it (see enforcement.services).
"""

from __future__ import annotations

from datetime import date, timedelta

from directives.models import Assignment
from enforcement.figures import period_bounds

OBLIGATION_TITLE = "Báo cáo thống kê thi hành án dân sự hằng tháng của các Chi cục"
# The second weekday of each month, the deadline the reminders use. It is the
# second working day after the month ends except when the 1st or 2nd weekday
# is a holiday; the unit report's own `due_date` counts the real calendar.
OBLIGATION_RRULE = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=2"


def period_assignment(*, unit_id: int, year: int, months: int) -> Assignment | None:
    """The assignment of the reporting obligation for this unit and period: the
    occurrence in the month after the period ends."""
    _first, end = period_bounds(year, months)
    return (
        Assignment.objects.filter(
            directive__document__title=OBLIGATION_TITLE,
            unit_id=unit_id,
            period_start__gt=end,
            period_start__lte=end + timedelta(days=31),
        )
        .order_by("period_start")
        .first()
    )


def occurrence_period(period_start: date) -> tuple[int, int]:
    """(year, months) of the statistics period an obligation occurrence reports."""
    end = period_start.replace(day=1) - timedelta(days=1)
    year = end.year + 1 if end.month >= 10 else end.year
    months = (end.month - 10) % 12 + 1
    return year, months
