"""Reads of enforcement statistics: reports in scope, and the summary.

Visibility is decided by units.selectors.user_scope only: a report, or a unit's
summary, outside the caller's scope is a 404. The summary is the one
computation of totals and rates: the API's summary, the per-unit export, the
chart and the conference brief all read it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from enforcement import figures as fig
from enforcement.models import COLUMNS, ReportStatus, StatGroup, Target, UnitReport
from enforcement.obligation import OBLIGATION_TITLE
from thads.errors import DomainError
from units.models import OrgUnit, SuccessionEvent, UnitSuccession
from units.selectors import Scope, user_scope

UNKNOWN_GROUP = "unknown_group"


def report_list(*, user, filters: dict | None = None) -> QuerySet[UnitReport]:
    """The reports of the units the user may see, newest period first."""
    filters = filters or {}
    scope = user_scope(user=user)
    qs = (
        UnitReport.objects.filter(scope.unit_filter("unit"))
        .select_related("unit", "group")
        .order_by("-year", "-months", "unit_id", "group__position", "id")
    )
    for name in ("year", "months", "status"):
        if filters.get(name) is not None:
            qs = qs.filter(**{name: filters[name]})
    if filters.get("unit") is not None:
        qs = qs.filter(unit_id=filters["unit"])
    if filters.get("group"):
        qs = qs.filter(group__code=filters["group"])
    return qs


def report_get(*, user, pk: int) -> UnitReport | None:
    return report_list(user=user).filter(pk=pk).first()


def report_history(*, report: UnitReport):
    return report.events.select_related("actor").order_by("at", "id")


# --- roll-up through successors ------------------------------------------------------


def rollup_targets() -> dict[int, int]:
    """unit id → the unit its figures roll up into: a unit merged into another
    counts under its (last) successor. A unit split in several keeps its own
    figures (they cannot be divided without inventing them). Each report maps to
    exactly one unit, so no total ever counts a report twice."""
    merged: dict[int, int] = {}
    for predecessor, successor in UnitSuccession.objects.filter(
        event=SuccessionEvent.MERGE
    ).values_list("predecessor_id", "successor_id"):
        merged[predecessor] = successor
    targets = {}
    for start in merged:
        seen = {start}
        current = merged[start]
        while current in merged and merged[current] not in seen:
            seen.add(current)
            current = merged[current]
        targets[start] = current
    return targets


# --- the summary -----------------------------------------------------------------------


@dataclass
class MetricSummary:
    figures: dict[str, int]
    rate: Decimal | None
    enforceable_share: Decimal | None
    same_period_figures: dict[str, int] | None
    same_period_rate: Decimal | None
    change_points: Decimal | None
    target: Decimal | None
    gap_points: Decimal | None


@dataclass
class Summary:
    year: int
    months: int
    group: str  # the group's code
    unit: OrgUnit | None
    reports: int
    cases: MetricSummary
    money: MetricSummary
    same_period_reports: int = 0
    rows: list = field(default_factory=list)


def _empty() -> dict[str, int]:
    return dict.fromkeys(COLUMNS, 0)


def _metric(
    metric: str, current: dict, previous: dict | None, target: Decimal | None
) -> MetricSummary:
    names = fig.FIGURES[metric]
    now = {name: int(current[f"{metric}_{name}"]) for name in names}
    rate = fig.rate(now)
    before = {name: int(previous[f"{metric}_{name}"]) for name in names} if previous else None
    same = fig.rate(before) if before else None
    return MetricSummary(
        figures=now,
        rate=rate,
        enforceable_share=fig.enforceable_share(now),
        same_period_figures=before,
        same_period_rate=same,
        change_points=fig.points(rate, same),
        target=target,
        gap_points=fig.points(rate, target),
    )


def _validated(scope: Scope, *, years: list[int], months: int, group: StatGroup | str):
    by_group = {"group__code": group} if isinstance(group, str) else {"group": group}
    return UnitReport.objects.filter(
        scope.unit_filter("unit"),
        year__in=years,
        months=months,
        status=ReportStatus.VALIDATED,
        **by_group,
    )


def _sums() -> dict:
    return {column: Sum(column) for column in COLUMNS}


def _targets(*, year: int, group: StatGroup | str, unit_ids: list[int]) -> dict[int | None, dict]:
    """(unit id or None for the province) → {metric: rate}."""
    by_group = {"group__code": group} if isinstance(group, str) else {"group": group}
    found: dict[int | None, dict] = defaultdict(dict)
    for unit_id, metric, rate in Target.objects.filter(
        Q(unit__isnull=True) | Q(unit_id__in=unit_ids), year=year, **by_group
    ).values_list("unit_id", "metric", "rate"):
        found[unit_id][metric] = rate
    return found


def _aggregate_sql() -> str:
    report, group = UnitReport._meta.db_table, StatGroup._meta.db_table
    sums = ", ".join(f"SUM(r.{column})" for column in COLUMNS)
    # Names from the models; every value is a parameter.
    select = f"SELECT r.year, COUNT(*), {sums} FROM {report} r"  # noqa: S608
    return (
        f"{select} JOIN {group} g ON g.id = r.group_id WHERE g.code = %s"
        " AND r.year IN (%s, %s) AND r.months = %s AND r.status = %s"
    )


def _year_totals(
    scope: Scope, *, year: int, months: int, group: str, unit_ids: list[int] | None
) -> dict[int, dict]:
    """year → {"reports": n, column: sum} of the validated reports, for `year` and
    the year before. Hand-written SQL: the summary is the hottest statistics
    read, and building this 21-aggregate query through the ORM cost more than
    running it (docs/benchmarks.md). The same filters as `_validated`."""
    sql = _aggregate_sql()
    params: list = [group, year, year - 1, months, ReportStatus.VALIDATED]
    for ids in (
        None if scope.visible_unit_ids is None else sorted(scope.visible_unit_ids),
        unit_ids,
    ):
        if ids is not None:
            sql += f" AND r.unit_id IN ({', '.join(['%s'] * len(ids))})" if ids else " AND 1 = 0"
            params += ids
    with connection.cursor() as cursor:
        cursor.execute(sql + " GROUP BY r.year", params)
        rows = cursor.fetchall()
    return {row[0]: {"reports": row[1], **dict(zip(COLUMNS, row[2:], strict=True))} for row in rows}


def group_by_code(code: str) -> StatGroup:
    """The group, or a 400 naming the `group` field."""
    group = StatGroup.objects.filter(code=code).first()
    if group is None:
        raise DomainError(
            UNKNOWN_GROUP,
            _("Không có nhóm thống kê '%(code)s'.") % {"code": code},
            fields={"group": [_("Không có nhóm này.")]},
        )
    return group


def summary(*, user, year: int, months: int, group: str, unit: OrgUnit | None = None) -> Summary:
    """Totals of the validated reports of the period and group, their rates, the
    same period of the previous statistical year, and the target.

    Without `unit`: every unit in the caller's scope (the province for
    leadership). With `unit`: that unit and the units merged into it. The
    caller has checked that `unit` is visible. A unit's target is its own when
    it has one, else the province's. `group` is a group's code: an unknown one
    is a 400 (checked only when nothing was found, to spare a query)."""
    scope = user_scope(user=user)
    unit_ids = None
    if unit is not None:
        unit_ids = [unit.pk, *(uid for uid, into in rollup_targets().items() if into == unit.pk)]
    totals = _year_totals(scope, year=year, months=months, group=group, unit_ids=unit_ids)
    targets = _targets(year=year, group=group, unit_ids=[unit.pk] if unit else [])
    chosen = (targets.get(unit.pk) if unit else None) or targets.get(None, {})
    current = totals.get(year) or {**_empty(), "reports": 0}
    previous = totals.get(year - 1)
    if not totals and not targets:
        group_by_code(group)
    return Summary(
        year=year,
        months=months,
        group=group,
        unit=unit,
        reports=current["reports"],
        same_period_reports=previous["reports"] if previous else 0,
        cases=_metric(fig.CASES, current, previous, chosen.get(fig.CASES)),
        money=_metric(fig.MONEY, current, previous, chosen.get(fig.MONEY)),
    )


@dataclass
class UnitRow:
    unit: OrgUnit
    reports: int
    cases: MetricSummary
    money: MetricSummary


def summary_by_unit(*, user, year: int, months: int, group: StatGroup) -> list[UnitRow]:
    """The summary per unit (after roll-up), in unit code order: the rows of the
    export, the chart and the brief. Same computation as `summary`, grouped."""
    scope = user_scope(user=user)
    rollup = rollup_targets()
    rows = (
        _validated(scope, years=[year, year - 1], months=months, group=group)
        .order_by()
        .values("unit_id", "year")
        .annotate(reports=Count("id"), **_sums())
    )
    by_unit: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in rows:
        into = rollup.get(row["unit_id"], row["unit_id"])
        bucket = by_unit[into].setdefault(row["year"], {**_empty(), "reports": 0})
        for column in [*COLUMNS, "reports"]:
            bucket[column] += row[column]
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=list(by_unit))}
    targets = _targets(year=year, group=group, unit_ids=list(by_unit))
    result = []
    for unit_id, years in by_unit.items():
        current = years.get(year)
        if current is None:
            continue
        chosen = targets.get(unit_id) or targets.get(None, {})
        previous = years.get(year - 1)
        result.append(
            UnitRow(
                unit=units[unit_id],
                reports=current["reports"],
                cases=_metric(fig.CASES, current, previous, chosen.get(fig.CASES)),
                money=_metric(fig.MONEY, current, previous, chosen.get(fig.MONEY)),
            )
        )
    result.sort(key=lambda row: row.unit.code)
    return result


def missing_reports(*, year: int, months: int) -> QuerySet[OrgUnit]:
    """The units that owe the period's `all` report (the units of the reporting
    obligation, else every Chi cục active at the period's end) and have not
    submitted it."""
    _first, end = fig.period_bounds(year, months)
    owing = OrgUnit.objects.active_on(end).filter(
        recurring_schedules__directive__document__title=OBLIGATION_TITLE
    )
    if not owing.exists():
        owing = OrgUnit.objects.active_on(end).filter(kind="sub_department")
    sent = UnitReport.objects.filter(
        year=year,
        months=months,
        group__code=StatGroup.ALL,
        status__in=[ReportStatus.SUBMITTED, ReportStatus.VALIDATED],
    ).values("unit_id")
    return owing.exclude(pk__in=sent).distinct().order_by("code")
