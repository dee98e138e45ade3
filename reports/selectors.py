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
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from directives.models import (
    AssignmentStatus,
    Category,
    Directive,
    SourceDocument,
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
from units.calendar import load_calendar
from units.models import OrgUnit
from units.selectors import Scope, user_scope

GROUP_BY_CHOICES = ("unit", "document", "directive", "category", "month")
BUCKETS: tuple[str, ...] = tuple(Timeliness.values)
# The counts of a row, in the order the API and the exports show them.
COUNTS = ("total", *BUCKETS, "extensions_approved", "reports_returned")

_CENT = Decimal("0.01")


def percent(part: int, base: int) -> Decimal | None:
    """part / base as a percentage with two decimals, rounded half up, exactly
    (integers and Decimal, no float); None when the base is 0."""
    if not base:
        return None
    return (Decimal(part) * 100 / Decimal(base)).quantize(_CENT, rounding=ROUND_HALF_UP)


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


def _group_key(group_by: str):
    """The GROUP BY column: an id on the assignment (or one join away), so the
    groups' names are fetched afterwards from the small tables, not joined into
    a million rows."""
    return {
        "unit": F("unit_id"),
        "document": F("directive__document_id"),
        "directive": F("directive_id"),
        "category": F("directive__category_id"),
        "month": TruncMonth("due_date"),
    }[group_by]


def _labels(group_by: str, keys: Iterable[Any]) -> dict[Any, tuple[Any, str, tuple]]:
    """key → (public key, Vietnamese label, sort key); one query (none for months)."""
    keys = [k for k in keys if k is not None]
    if group_by == "month":
        return {k: (k.strftime("%Y-%m"), k.strftime("%m/%Y"), (k,)) for k in keys}
    if group_by == "unit":
        rows = OrgUnit.objects.filter(pk__in=keys).values_list("id", "name", "code")
        return {pk: (pk, name, (code, pk)) for pk, name, code in rows}
    if group_by == "document":
        rows = SourceDocument.objects.filter(pk__in=keys).values_list(
            "id", "number", "title", "issued_on"
        )
        return {
            pk: (pk, f"{number} {title}".strip(), (-issued.toordinal(), -pk))
            for pk, number, title, issued in rows
        }
    if group_by == "directive":
        # Printed order: a conclusion's items read (1), (2), ... as in the document.
        rows = Directive.objects.filter(pk__in=keys).values_list(
            "id", "label", "title", "document_id", "position"
        )
        return {
            pk: (pk, f"({label}) {title}", (document_id, position, pk))
            for pk, label, title, document_id, position in rows
        }
    if group_by == "category":
        rows = Category.objects.filter(pk__in=keys).values_list("id", "code", "name_vi", "position")
        return {pk: (code, name, (position, code)) for pk, code, name, position in rows}
    raise ValueError(group_by)


def _average_delays(qs: QuerySet, key, *, today: date) -> dict[Any, Decimal | None]:
    """Average working days of delay of the done-late assignments, per group and
    overall (under the key None): one grouped query of (group, deadline,
    completion day) pairs, one calendar query."""
    pairs = list(
        qs.filter(timeliness_q(Timeliness.DONE_LATE, today=today))
        .values(group=key, due=F("due_date"), done=F("completed_on"))
        .annotate(n=Count("id"))
        .values_list("group", "due", "done", "n")
        .order_by()
    )
    if not pairs:
        return {}
    counter = WorkingDayCounter(min(p[1] for p in pairs), max(p[2] for p in pairs))
    sums: dict[Any, list[int]] = {}
    for group, due, done, n in pairs:
        for slot in (group, None):
            total = sums.setdefault(slot, [0, 0])
            total[0] += counter.between(due, done) * n
            total[1] += n
    return {
        slot: (Decimal(days) / Decimal(n)).quantize(_CENT, rounding=ROUND_HALF_UP)
        for slot, (days, n) in sums.items()
    }


def _finish(counts: dict[str, int], delay: Decimal | None) -> dict[str, Any]:
    return {**counts, "on_time_rate": on_time_rate(counts), "avg_delay_working_days": delay}


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
      done-late ones, working days from deadline to completion) are Decimals
      with two decimals, or None when there is nothing to divide by;
    - rows come in a stable order: units by code, documents newest first,
      directives in printed order within their document, categories in their
      order, months oldest first.

    Raises `thads.errors.NotFoundError` for a unit, document or directive
    filter outside the caller's scope. Costs a constant number of queries: the
    scope, one per id filter, the GROUP BY, the delays, the calendar, the names.
    """
    if group_by not in GROUP_BY_CHOICES:
        raise ValueError(f"unknown group_by {group_by!r}")
    today = today or local_today()
    filters = ReportFilters.coerce(filters)
    qs = report_assignments(user=user, filters=filters)
    key = _group_key(group_by)
    aggregates = {"total": Count("id")}
    for bucket in BUCKETS:
        aggregates[bucket] = Count("id", filter=timeliness_q(bucket, today=today))
    aggregates["extensions_approved"] = Sum("extension_count")
    aggregates["reports_returned"] = Sum("return_count")
    grouped = list(qs.values(group=key).annotate(**aggregates).order_by())
    delays = _average_delays(qs, key, today=today)
    labels = _labels(group_by, (row["group"] for row in grouped))

    rows = []
    totals = dict.fromkeys(COUNTS, 0)
    for row in grouped:
        counts = {name: row[name] or 0 for name in COUNTS}
        for name in COUNTS:
            totals[name] += counts[name]
        public, label, order = labels.get(row["group"], (row["group"], "", ()))
        rows.append(
            (order, {"key": public, "label": label, **_finish(counts, delays.get(row["group"]))})
        )
    rows.sort(key=lambda pair: pair[0])
    return {
        "group_by": group_by,
        "today": today,
        "filters": filters.as_dict(),
        "rows": [row for _, row in rows],
        "totals": _finish(totals, delays.get(None)),
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
