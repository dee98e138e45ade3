"""Working-day arithmetic on the civil-service calendar of Vietnam.

The normal week is Monday–Friday. `CalendarDay` rows are the exceptions: a
"holiday" is a day off (public holiday, compensation day, swapped bridge day, Tết),
a "workday" is a Saturday worked in exchange for a swapped day. Holidays are data
edited in the admin, never code (seeded from `units.calendar_data`), laid over the
public holidays the Labour Code gives any year (`units.public_holidays`).

Deadlines roll forward: a deadline that falls on a day off moves to the next working
day (Bộ luật Dân sự 2015, Điều 148). Reminders count "N working days before",
which is `add_working_days(deadline, -N)`.

Every function takes `date`s that are already local to Asia/Ho_Chi_Minh. A
`datetime` is refused rather than silently truncated, because a UTC timestamp taken
before 07:00 local time names the previous day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta

HOLIDAY = "holiday"
WORKDAY = "workday"
_KINDS = frozenset({HOLIDAY, WORKDAY})

# Loaded around the asked range so that a roll or an "N working days before" that
# crosses Tết (up to 9 days off, plus weekends) is answered without another query.
MARGIN = timedelta(days=60)
# How far past the asked day a lazy extension loads: a year costs one small query
# (about 20 rows) and lets a long walk of add_working_days extend rarely.
EXTENSION = timedelta(days=366)

# A row is (date, kind) or (date, kind, name).
Row = Sequence
Loader = Callable[[date, date], Iterable[Row]]


def _as_date(value: object) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"expected a local date, got {type(value).__name__}")
    return value


def _shift(day: date, delta: timedelta) -> date:
    # Clamped so that a margin around the extreme dates cannot overflow.
    return date.fromordinal(
        min(max(day.toordinal() + delta.days, date.min.toordinal()), date.max.toordinal())
    )


class WorkingCalendar:
    """Answers working-day questions from a set of exceptions to the Mon–Fri week.

    Built with `span=None` (the default) the exceptions are taken as complete: any
    day without one follows the plain Monday–Friday rule. Built with a `span`, the
    exceptions are known only inside it; a question about a day outside it calls
    `loader(first, last)` once to fetch the missing rows (one query for the
    database loader) and widens the span, so answers stay correct at any date.
    Without a loader such a question raises `ValueError` instead of guessing.
    """

    def __init__(
        self,
        exceptions: Iterable[Row] = (),
        *,
        span: tuple[date, date] | None = None,
        loader: Loader | None = None,
    ) -> None:
        if span is not None and span[0] > span[1]:
            raise ValueError("span must be (first, last) with first <= last")
        self._kinds: dict[date, str] = {}
        self._names: dict[date, str] = {}
        self._span = span
        self._loader = loader
        self._add(exceptions)

    @property
    def span(self) -> tuple[date, date] | None:
        """The dates whose exceptions are loaded; None when they are all known."""
        return self._span

    def _add(self, rows: Iterable[Row]) -> None:
        for row in rows:
            day, kind = _as_date(row[0]), str(row[1])
            if kind not in _KINDS:
                raise ValueError(f"unknown calendar kind {kind!r} on {day}")
            known = self._kinds.get(day)
            if known is not None and known != kind:
                raise ValueError(f"{day} is listed both as {known} and as {kind}")
            self._kinds[day] = kind
            if len(row) > 2 and row[2]:
                self._names[day] = str(row[2])

    def _ensure(self, day: date) -> None:
        if self._span is None:
            return
        first, last = self._span
        if first <= day <= last:
            return
        if self._loader is None:
            raise ValueError(f"{day} is outside the loaded calendar {first}..{last}")
        # Only the gap is fetched, so the span stays one contiguous, loaded range.
        if day < first:
            new_first = _shift(day, -EXTENSION)
            self._add(self._loader(new_first, _shift(first, -timedelta(days=1))))
            self._span = (new_first, last)
        else:
            new_last = _shift(day, EXTENSION)
            self._add(self._loader(_shift(last, timedelta(days=1)), new_last))
            self._span = (first, new_last)

    def is_working_day(self, day: date) -> bool:
        day = _as_date(day)
        self._ensure(day)
        kind = self._kinds.get(day)
        if kind == HOLIDAY:
            return False
        if kind == WORKDAY:
            return True
        return day.weekday() < 5

    def name(self, day: date) -> str | None:
        """The name of the holiday or swapped working day on `day`, else None."""
        day = _as_date(day)
        self._ensure(day)
        return self._names.get(day)

    def roll_forward(self, day: date) -> date:
        """`day` if it is a working day, else the next working day."""
        day = _as_date(day)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before `day`."""
        day = _as_date(day) - timedelta(days=1)
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (before it when n < 0); `day` when n == 0.

        `day` itself is never counted, so it need not be a working day:
        `add_working_days(deadline, -3)` is three working days before the deadline.
        """
        day = _as_date(day)
        step = timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> list[date]:
        """The working days d with start <= d <= end (empty when start > end)."""
        start, end = _as_date(start), _as_date(end)
        result = []
        day = start
        while day <= end:
            if self.is_working_day(day):
                result.append(day)
            day += timedelta(days=1)
        return result


class WorkingDayTable:
    """The answers of a `WorkingCalendar` over [first, last], precomputed into arrays
    indexed by day, so that `is_working_day`, `roll_forward` and `add_working_days`
    cost O(1) instead of a walk day by day (a sweep asks them a million times).

    Every day is asked of `calendar.is_working_day` once, when the table is built:
    whatever decides a working day there (the Mon–Fri week, the stored exceptions)
    decides it here. A question whose answer lies outside [first, last] goes to the
    calendar itself, so answers are the same at any date, only slower there.
    """

    def __init__(self, calendar: WorkingCalendar, first: date, last: date) -> None:
        first, last = _as_date(first), _as_date(last)
        if first > last:
            raise ValueError("first must not be after last")
        self.calendar = calendar
        self.first, self.last = first, last
        self._origin = first.toordinal()
        # _working[i]: day origin + i is a working day. _rank[i]: working days in
        # [first, that day). _days: the working days' ordinals, in order.
        self._working: list[bool] = []
        self._rank: list[int] = []
        self._days: list[int] = []
        for ordinal in range(self._origin, last.toordinal() + 1):
            working = calendar.is_working_day(date.fromordinal(ordinal))
            self._working.append(working)
            self._rank.append(len(self._days))
            if working:
                self._days.append(ordinal)

    def covers(self, first: date, last: date) -> bool:
        return self.first <= first and last <= self.last

    def _offset(self, day: date) -> int:
        """The index of `day` in the arrays, or -1 when it is outside them."""
        offset = _as_date(day).toordinal() - self._origin
        return offset if 0 <= offset < len(self._working) else -1

    def is_working_day(self, day: date) -> bool:
        offset = self._offset(day)
        if offset < 0:
            return self.calendar.is_working_day(day)
        return self._working[offset]

    def roll_forward(self, day: date) -> date:
        offset = self._offset(day)
        if offset >= 0:
            if self._working[offset]:
                return day
            rank = self._rank[offset]  # the first working day after `day`
            if rank < len(self._days):
                return date.fromordinal(self._days[rank])
        return self.calendar.roll_forward(day)

    def add_working_days(self, day: date, n: int) -> date:
        offset = self._offset(day)
        if n == 0:
            return _as_date(day)
        if offset >= 0:
            rank = self._rank[offset]
            # Working days after `day` start at rank (+1 when `day` itself is one);
            # those before it end at rank − 1.
            index = rank + self._working[offset] + n - 1 if n > 0 else rank + n
            if 0 <= index < len(self._days):
                return date.fromordinal(self._days[index])
        return self.calendar.add_working_days(day, n)


def _fetch(first: date, last: date) -> list[tuple[date, str, str]]:
    # Imported here so that the pure calendar above works without Django set up.
    from units.models import CalendarDay
    from units.public_holidays import overlay

    # Whole years, so that each year's flags are known from its rows; the law's
    # holidays of the years not listed in full are added under the recorded rows.
    # list(): the query runs now, once, not whenever the rows are first iterated.
    years = (date(first.year, 1, 1), date(last.year, 12, 31))
    rows = list(
        CalendarDay.objects.filter(date__range=years)
        .annotate(**_year_flags())
        .values_list("date", "kind", "name", "listed_in_full")
    )
    return overlay(rows, first=first, last=last)


def _year_flags() -> dict:
    from django.db.models import Exists, OuterRef
    from django.db.models.functions import ExtractYear

    from units.models import CalendarYear

    listed = CalendarYear.objects.filter(year=ExtractYear(OuterRef("date")), listed_in_full=True)
    return {"listed_in_full": Exists(listed)}


def load_calendar(start: date, end: date) -> WorkingCalendar:
    """A calendar for [start, end], loaded with one query on `CalendarDay`.

    The query covers [start − 60 days, end + 60 days] so that rolls and
    "N working days before" near the edges, even across Tết, need no other query.
    A question beyond that span costs one more query (see `WorkingCalendar`).
    """
    start, end = _as_date(start), _as_date(end)
    if start > end:
        raise ValueError("start must not be after end")
    first, last = _shift(start, -MARGIN), _shift(end, MARGIN)
    return WorkingCalendar(_fetch(first, last), span=(first, last), loader=_fetch)


def roll_to_working_day(day: date) -> date:
    """`day` if it is a working day, else the next one (one query)."""
    return load_calendar(day, day).roll_forward(day)


def working_days_payload(start: date, end: date) -> list[dict]:
    """One entry per date in [start, end] for GET /api/v1/calendar/working-days/.

    `{"date": "YYYY-MM-DD", "working": bool, "name": str | None}`; `name` is the
    holiday's or swapped working day's name. The view bounds the range.
    """
    start, end = _as_date(start), _as_date(end)
    if start > end:
        raise ValueError("start must not be after end")
    # Exactly the asked range: nothing here walks past it, so no margin is needed.
    calendar = WorkingCalendar(_fetch(start, end), span=(start, end), loader=_fetch)
    payload = []
    day = start
    while day <= end:
        payload.append(
            {
                "date": day.isoformat(),
                "working": calendar.is_working_day(day),
                "name": calendar.name(day),
            }
        )
        day += timedelta(days=1)
    return payload
