"""Vietnam's public holidays as the Labour Code sets them, for any year.

Computed by the `holidays` library (pinned in requirements.txt): Bộ luật Lao
động 2019, Điều 112 — 1/1, Tết Nguyên đán by the lunar calendar, Giỗ Tổ Hùng
Vương (10/3 lunar), 30/4, 1/5, 2/9 and its adjacent day — with a holiday on a
weekend given back on the next working day, and the bridge days the government
has swapped in the past. From 2026 the library also counts 24/11 (Ngày Văn hóa
Việt Nam, paid day off under Nghị quyết 80-NQ/TW); a year whose recorded
decision says otherwise is listed in full and read from its rows alone.

The government's yearly decisions (the Tết span and the day next to 2/9 it
chooses, swapped days and the Saturdays worked for them) are data: `CalendarDay`
rows, which `units.calendar` lays over these dates, and `CalendarYear`, which
records the decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import holidays

HOLIDAY = "holiday"


@lru_cache(maxsize=64)
def law_holidays(year: int) -> tuple[tuple[date, str, str], ...]:
    """(date, "holiday", Vietnamese name) for every public holiday of `year` and
    every weekday given back for one, in date order (none after 2100, where the
    library's lunar calendar ends)."""
    days = holidays.country_holidays("VN", years=year, language="vi")
    return tuple((day, HOLIDAY, name) for day, name in sorted(days.items()))


def overlay(rows, *, first: date, last: date) -> list[tuple[date, str, str]]:
    """The calendar's exceptions for the years of [first, last]: the recorded
    `CalendarDay` rows, plus the law's holidays of each year not listed in full,
    a recorded row winning on its date.

    `rows` are (date, kind, name, listed_in_full) for every recorded day of those
    whole years, the flag coming from the year's `CalendarYear`."""
    recorded: dict[date, tuple[date, str, str]] = {}
    listed: set[int] = set()
    for day, kind, name, in_full in rows:
        recorded[day] = (day, kind, name)
        if in_full:
            listed.add(day.year)
    result = list(recorded.values())
    for year in range(first.year, last.year + 1):
        if year not in listed:
            result.extend(row for row in law_holidays(year) if row[0] not in recorded)
    return result


def years_without_decision(years: Iterable[int]) -> list[int]:
    """Those of `years` with no government decision recorded (`CalendarYear`)."""
    from units.models import CalendarYear

    years = sorted(set(years))
    decided = set(
        CalendarYear.objects.filter(year__in=years)
        .exclude(decision="")
        .values_list("year", flat=True)
    )
    return [year for year in years if year not in decided]
