"""Leadership's reports: reads only, through the directives' visibility and its one
timeliness rule.

- `timeliness_report` counts a caller's assignments in the four timeliness
  buckets (`directives.selectors.timeliness_q`, the very filter the assignment
  list uses for `?timeliness=`), grouped by unit, document, directive, category
  or month of the deadline, in one GROUP BY with conditional aggregation;
- `overdue_rows` lists the open overdue assignments, most working days
  overdue first, with the days counted on the working-day calendar.

Other apps may call both (the enforcement statistics' conference brief does):
the arguments are keyword-only, and what each returns is what the API sends.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    Func,
    IntegerField,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Least, Mod, TruncMonth

from directives.models import (
    AssignmentStatus,
    Category,
    Timeliness,
)
from directives.selectors import (
    assignment_visible,
    directive_get,
    document_get,
    timeliness_q,
)
from thads.clock import local_today
from thads.errors import NotFoundError
from thads.numbers import hundredths, percent
from units.calendar import HOLIDAY, WORKDAY, load_calendar
from units.models import CalendarDay, OrgUnit
from units.selectors import Scope, user_scope

GROUP_BY_CHOICES = ("unit", "document", "directive", "category", "month")
BUCKETS: tuple[str, ...] = tuple(Timeliness.values)
# The counts of a row, in the order the API and the exports show them.
COUNTS = ("total", *BUCKETS, "extensions_approved", "reports_returned")


def on_time_rate(counts: Mapping[str, int]) -> Decimal | None:
    """done_on_time / (done_on_time + done_late + open_overdue): of the work whose
    deadline has come (or that is finished), the share finished on time. Open work
    still within its deadline is not counted either way (DESIGN §5b)."""
    due = counts["done_on_time"] + counts["done_late"] + counts["open_overdue"]
    return percent(counts["done_on_time"], due)


@dataclass(frozen=True)
class ReportFilters:
    """The report's filters; every one optional.

    `date_from` / `date_to` bound the current deadline (`due_date`), both
    inclusive (the API's `from` and `to`). `category` is a category code.
    """

    document: int | None = None
    directive: int | None = None
    unit: int | None = None
    category: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def coerce(cls, value: ReportFilters | Mapping[str, Any] | None) -> ReportFilters:
        """A ReportFilters from itself, None, or a mapping; `from` and `to` are
        accepted for `date_from` and `date_to`; unknown keys are a ValueError."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        data = dict(value)
        if "from" in data:
            data["date_from"] = data.pop("from")
        if "to" in data:
            data["date_to"] = data.pop("to")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown report filters: {', '.join(unknown)}")
        return cls(**{k: v for k, v in data.items() if v not in (None, "")})

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


# --- the filtered assignments -----------------------------------------------------


def _check_visible(*, user, scope: Scope, filters: ReportFilters) -> None:
    """A unit, document or directive the caller may not see is a 404, as in every
    other endpoint, whether it exists or not."""
    if filters.unit is not None and (
        not scope.can_see_unit(filters.unit) or not OrgUnit.objects.filter(pk=filters.unit).exists()
    ):
        raise NotFoundError()
    if filters.document is not None and document_get(user=user, pk=filters.document) is None:
        raise NotFoundError()
    if filters.directive is not None and directive_get(user=user, pk=filters.directive) is None:
        raise NotFoundError()


def report_assignments(*, user, filters: ReportFilters | Mapping | None = None) -> QuerySet:
    """The assignments a report counts: visible to `user`, not cancelled, filtered.

    Raises `thads.errors.NotFoundError` for a unit, document or directive filter
    outside the caller's scope (or that does not exist).
    """
    filters = ReportFilters.coerce(filters)
    scope = user_scope(user=user)
    _check_visible(user=user, scope=scope, filters=filters)
    q = ~Q(status=AssignmentStatus.CANCELLED)
    if filters.unit is not None:
        q &= Q(unit_id=filters.unit)
    if filters.directive is not None:
        q &= Q(directive_id=filters.directive)
    if filters.document is not None:
        q &= Q(directive__document_id=filters.document)
    if filters.category:
        q &= Q(directive__category__code=filters.category)
    if filters.date_from is not None:
        q &= Q(due_date__gte=filters.date_from)
    if filters.date_to is not None:
        q &= Q(due_date__lte=filters.date_to)
    return assignment_visible(scope=scope).filter(q).order_by()


# --- working days ---------------------------------------------------------------------


class WorkingDayCounter:
    """Counts working days between two dates in O(1) after one calendar query.

    `between(start, end)` is the number of working days d with start < d <= end:
    the working days of delay of something due on `start` and done (or still
    open) on `end`. Dates outside [first, last] are clamped to it.
    """

    def __init__(self, first: date, last: date) -> None:
        self.first, self.last = first, max(first, last)
        calendar = load_calendar(self.first, self.last)
        self._working: list[int] = []  # ordinals of the working days in the span
        day = self.first
        while day <= self.last:
            if calendar.is_working_day(day):
                self._working.append(day.toordinal())
            day += timedelta(days=1)

    def _upto(self, day: date) -> int:
        return bisect_right(self._working, day.toordinal())

    def between(self, start: date, end: date) -> int:
        if end <= start:
            return 0
        return self._upto(end) - self._upto(start)


# --- the timeliness report ----------------------------------------------------------


# A Monday: day numbers count from it, so a week is n // 7 and its weekday n % 7.
_EPOCH = date(1945, 1, 1)


class DayNumber(Func):
    """Days from _EPOCH to a date column, as an integer, in PostgreSQL and SQLite."""

    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} - DATE '{_EPOCH.isoformat()}')", params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(julianday({sql}) - julianday('{_EPOCH.isoformat()}') AS INTEGER)", params


def working_days_upto(field: str, exceptions: list[tuple[date, int]]):
    """An SQL expression: the number of working days from _EPOCH up to and including
    the date in `field`, on the civil-service calendar (`units.calendar`): Monday to
    Friday, less the weekday holidays, plus the Saturdays worked, given as
    `exceptions` [(day, -1 or +1)]. Only differences of it mean anything: working
    days d with a < d <= b are upto(b) - upto(a), so exceptions before every date
    compared may be left out."""
    n = DayNumber(F(field))
    integer = IntegerField()
    weekday = Mod(n, Value(7), output_field=integer)
    weekdays = (n / Value(7)) * Value(5) + Least(weekday + Value(1), Value(5), output_field=integer)
    if not exceptions:
        return weekdays
    steps, running = [], 0
    for day, change in sorted(exceptions):
        running += change
        steps.append((day, running))
    # The latest exception on or before the date gives the running correction.
    correction = Case(
        *[When(**{f"{field}__gte": day}, then=Value(total)) for day, total in reversed(steps)],
        default=Value(0),
        output_field=IntegerField(),
    )
    return weekdays + correction


def _calendar_exceptions(qs: QuerySet, *, today: date) -> list[tuple[date, int]]:
    """The exceptions that change a working-day count between the earliest deadline
    of the finished work (an index read) and today: one query each."""
    first = qs.model.objects.filter(status=AssignmentStatus.DONE).aggregate(first=Min("due_date"))[
        "first"
    ]
    if first is None:
        return []
    return _calendar_exceptions_between(first, today)


def _calendar_exceptions_between(first: date, last: date) -> list[tuple[date, int]]:
    rows = CalendarDay.objects.filter(date__gt=first, date__lte=last).values_list("date", "kind")
    changes = []
    for day, kind in rows:
        weekend = day.weekday() >= 5
        if kind == HOLIDAY and not weekend:
            changes.append((day, -1))
        elif kind == WORKDAY and weekend:
            changes.append((day, +1))
    return changes


def _grouping(group_by: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The GROUP BY column (the group's id, on the assignment or one join away), and
    for documents and directives (thousands of groups) their names, taken in the
    same query as MIN() of the joined columns; the few units and categories are
    named from their small tables afterwards."""
    if group_by == "document":
        return {"group": F("directive__document_id")}, {
            "g_number": Min("directive__document__number"),
            "g_title": Min("directive__document__title"),
            "g_issued": Min("directive__document__issued_on"),
        }
    if group_by == "directive":
        return {"group": F("directive_id")}, {
            "g_label": Min("directive__label"),
            "g_title": Min("directive__title"),
            "g_document": Min("directive__document_id"),
            "g_position": Min("directive__position"),
        }
    return {
        "unit": {"group": F("unit_id")},
        "category": {"group": F("directive__category_id")},
        "month": {"group": TruncMonth("due_date")},
    }[group_by], {}


def _day(value: Any) -> date:
    # Rows are read without Django's converters: SQLite gives dates as text.
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return value.date()
    return value


def _namer(group_by: str, at: Mapping[str, int]):
    """record → (public key, Vietnamese label, sort key), reading the GROUP BY's
    tuple at the positions `at`; at most one small query (units, categories)."""
    key = at["group"]
    if group_by == "month":

        def month(record):
            day = _day(record[key])
            return day.strftime("%Y-%m"), day.strftime("%m/%Y"), (day,)

        return month
    if group_by == "document":
        number, title, issued = at["g_number"], at["g_title"], at["g_issued"]
        return lambda record: (
            record[key],
            f"{record[number]} {record[title]}".strip(),
            (-_day(record[issued]).toordinal(), -record[key]),
        )
    if group_by == "directive":
        # Printed order: a conclusion's items read (1), (2), ... as in the document.
        label, title, document, position = (
            at["g_label"],
            at["g_title"],
            at["g_document"],
            at["g_position"],
        )
        return lambda record: (
            record[key],
            f"({record[label]}) {record[title]}",
            (record[document], record[position], record[key]),
        )
    if group_by == "unit":
        rows = OrgUnit.objects.values_list("id", "name", "code")
        units = {pk: (name, code) for pk, name, code in rows}

        def unit(record):
            name, code = units.get(record[key], ("", ""))
            return record[key], name, (code, record[key])

        return unit
    if group_by == "category":
        categories = {
            pk: (code, name, position)
            for pk, code, name, position in Category.objects.values_list(
                "id", "code", "name_vi", "position"
            )
        }

        def category(record):
            code, name, position = categories.get(record[key], ("", "", 0))
            return code, name, (position, code)

        return category
    raise ValueError(group_by)


def _average(days: int | None, count: int) -> Decimal | None:
    if not count:
        return None
    return hundredths(days or 0, count)


def timeliness_report(
    *,
    user,
    group_by: str,
    filters: ReportFilters | Mapping[str, Any] | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """The timeliness report of what `user` may see, as the API sends it.

    `group_by` is one of GROUP_BY_CHOICES (a ValueError otherwise); `filters` a
    ReportFilters or a mapping of its fields (`from`/`to` accepted); `today` the
    local date timeliness is judged on (default: today in Vietnam).

    Returns::

        {"group_by": str, "today": date, "filters": {...},
         "rows": [{"key", "label", "total", "done_on_time", "done_late",
                   "open_on_time", "open_overdue", "extensions_approved",
                   "reports_returned", "on_time_rate", "avg_delay_working_days"}],
         "totals": {the same counts and rates over every row}}

    - `key`: the unit's, document's or directive's id, the category's code, or
      the month as "YYYY-MM"; `label`: its Vietnamese name ("(3) title" for a
      directive, "MM/YYYY" for a month);
    - `total` counts the assignments that are not cancelled; the four buckets
      add up to it; `extensions_approved` and `reports_returned` sum the
      assignments' approved extensions and returned completion reports;
    - `on_time_rate` (see `on_time_rate`) and `avg_delay_working_days` (of the
      done-late ones, working days from deadline to completion day) are
      Decimals with two decimals, or None when there is nothing to divide by;
    - rows come in a stable order: units by code, documents newest first,
      directives in printed order within their document, categories in their
      order, months oldest first.

    Raises `thads.errors.NotFoundError` for a unit, document or directive
    filter outside the caller's scope. Costs a constant number of queries: the
    scope, one per id filter, the earliest finished deadline (an index read),
    the calendar's exceptions since, the one GROUP BY, and for units or
    categories their names.
    """
    if group_by not in GROUP_BY_CHOICES:
        raise ValueError(f"unknown group_by {group_by!r}")
    today = today or local_today()
    filters = ReportFilters.coerce(filters)
    qs = report_assignments(user=user, filters=filters)
    late = timeliness_q(Timeliness.DONE_LATE, today=today)
    exceptions = _calendar_exceptions(qs, today=today)
    delay = working_days_upto("completed_on", exceptions) - working_days_upto(
        "due_date", exceptions
    )
    aggregates: dict[str, Any] = {"total": Count("id")}
    for bucket in BUCKETS:
        aggregates[bucket] = Count("id", filter=timeliness_q(bucket, today=today))
    aggregates["extensions_approved"] = Sum("extension_count")
    aggregates["reports_returned"] = Sum("return_count")
    aggregates["delay_days"] = Sum(delay, filter=late)
    keys, names = _grouping(group_by)
    grouped = qs.values(**keys).annotate(**names, **aggregates).order_by()

    # Read as plain tuples: Django's per-value converters and row dicts cost more
    # than the query itself on 100,000 groups.
    try:
        sql, params = grouped.query.sql_with_params()
    except EmptyResultSet:  # a scope of no unit: nothing to ask the database
        sql, fetched = None, []
    if sql is not None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            at = {column[0]: index for index, column in enumerate(cursor.description)}
            fetched = cursor.fetchall()
    rows = []
    total_delay = 0
    if fetched:
        name = _namer(group_by, at)
        i_total, i_on, i_late, i_open, i_over, i_ext, i_ret = (at[column] for column in COUNTS)
        i_delay = at["delay_days"]
    for record in fetched:
        on, late, over = record[i_on] or 0, record[i_late] or 0, record[i_over] or 0
        delay_days = record[i_delay] or 0
        total_delay += delay_days
        base = on + late + over
        key, label, order = name(record)
        rows.append(
            (
                order,
                {
                    "key": key,
                    "label": label,
                    "total": record[i_total] or 0,
                    "done_on_time": on,
                    "done_late": late,
                    "open_on_time": record[i_open] or 0,
                    "open_overdue": over,
                    "extensions_approved": record[i_ext] or 0,
                    "reports_returned": record[i_ret] or 0,
                    # on_time_rate() and _average(), inlined for 100,000 rows.
                    "on_time_rate": hundredths(on * 100, base) if base else None,
                    "avg_delay_working_days": hundredths(delay_days, late) if late else None,
                },
            )
        )
    totals = {column: sum(row[column] for _, row in rows) for column in COUNTS}
    rows.sort(key=lambda pair: pair[0])
    totals_row = {
        **totals,
        "on_time_rate": on_time_rate(totals),
        "avg_delay_working_days": _average(total_delay, totals["done_late"]),
    }
    return {
        "group_by": group_by,
        "today": today,
        "filters": filters.as_dict(),
        "rows": [row for _, row in rows],
        "totals": totals_row,
    }


# --- the overdue list -----------------------------------------------------------------

OVERDUE_COLUMNS = (
    "id",
    "unit_id",
    "unit__code",
    "unit__name",
    "directive_id",
    "directive__label",
    "directive__title",
    "directive__document_id",
    "role",
    "status",
    "progress",
    "due_date",
    "original_due_date",
    "latest_report__percent",
    "latest_report__note",
    "latest_report__created_at",
)


def overdue_assignments(
    *, user, filters: ReportFilters | Mapping | None = None, today: date | None = None
) -> QuerySet:
    """The open overdue assignments `user` may see, as rows of OVERDUE_COLUMNS,
    most overdue first (earliest deadline; working days grow with calendar days).
    Page or stream it, then shape the rows with `OverdueShaper`."""
    today = today or local_today()
    return (
        report_assignments(user=user, filters=filters)
        .filter(timeliness_q(Timeliness.OPEN_OVERDUE, today=today))
        .values(*OVERDUE_COLUMNS)
        .order_by("due_date", "id")
    )


class OverdueShaper:
    """Turns overdue rows into the API's items, counting `days_overdue` in working
    days (after the deadline, up to and including `today`). The calendar is loaded
    once, on the first row, from that row's deadline (rows come earliest first)."""

    def __init__(self, *, today: date | None = None) -> None:
        self.today = today or local_today()
        self._counter: WorkingDayCounter | None = None

    def days_overdue(self, due: date) -> int:
        if self._counter is None or due < self._counter.first:
            self._counter = WorkingDayCounter(due, self.today)
        return self._counter.between(due, self.today)

    def shape(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "id": row["id"],
            "unit": row["unit_id"],
            "unit_code": row["unit__code"],
            "unit_name": row["unit__name"],
            "directive": row["directive_id"],
            "directive_label": row["directive__label"],
            "directive_title": row["directive__title"],
            "document": row["directive__document_id"],
            "role": row["role"],
            "status": row["status"],
            "progress": row["progress"],
            "due_date": row["due_date"],
            "original_due_date": row["original_due_date"],
            "days_overdue": self.days_overdue(row["due_date"]),
            "last_progress_percent": row["latest_report__percent"],
            "last_progress_note": row["latest_report__note"] or "",
            "last_progress_at": row["latest_report__created_at"],
        }

    def shape_all(self, rows: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            yield self.shape(row)


def overdue_rows(
    *, user, filters: ReportFilters | Mapping | None = None, today: date | None = None
) -> Iterator[dict[str, Any]]:
    """Every overdue item `user` may see, shaped, streamed from the database in
    chunks (for exports; the API pages `overdue_assignments` instead)."""
    today = today or local_today()
    qs = overdue_assignments(user=user, filters=filters, today=today)
    return OverdueShaper(today=today).shape_all(qs.iterator(chunk_size=2000))
