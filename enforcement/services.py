"""Every write to enforcement statistics.

Each state change of a report goes through one function here, under
`select_for_update`, bumps `version`, and appends a `ReportEvent`. Callers may
rely on: nothing is written when a function raises; a report that breaks a rule
of enforcement.figures is never stored (the database's check constraints hold
the same arithmetic); a validated report never changes again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directives import access as directive_access
from directives import services as directive_services
from directives.models import AssignmentStatus
from enforcement import figures as fig
from enforcement.models import COLUMNS, ReportEvent, ReportStatus, StatGroup, UnitReport
from enforcement.obligation import period_assignment
from enforcement.selectors import group_by_code
from thads.errors import DomainError, NotFoundError
from units.calendar import load_calendar
from units.models import OrgUnit
from units.selectors import user_scope

# Error codes (tests assert on these).
FIGURES_INVALID = "figures_invalid"
PERIOD_INVALID = "period_invalid"
REPORT_EXISTS = "report_exists"
ALL_GROUP_MISSING = "all_group_missing"
UNIT_INACTIVE = "unit_inactive"
TRANSITION_NOT_ALLOWED = directive_access.TRANSITION_NOT_ALLOWED
PERMISSION_DENIED = directive_access.PERMISSION_DENIED
REASON_REQUIRED = "reason_required"
VERSION_MISMATCH = "precondition_failed"

# Days a unit has to send its figures after the period ends (TT 06/2019, Đ9 k2:
# Chi cục → Cục within 2 working days).
DUE_WORKING_DAYS = 2

# action → (who may take it, the statuses it is allowed from)
REPORT_ACTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "update": ("unit", frozenset({ReportStatus.DRAFT})),
    "submit": ("unit", frozenset({ReportStatus.DRAFT})),
    "return": ("leadership", frozenset({ReportStatus.SUBMITTED})),
    "validate": ("leadership", frozenset({ReportStatus.SUBMITTED})),
}


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- input ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFigures:
    cases: dict[str, int]
    money: dict[str, int]

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {fig.CASES: self.cases, fig.MONEY: self.money}


def _invalid(breaks: list[fig.RuleBreak], message=None) -> DomainError:
    fields: dict[str, list[Any]] = {}
    for rule in breaks:
        fields.setdefault(rule.field, []).append(rule.message)
    return DomainError(
        FIGURES_INVALID,
        message or _("Số liệu không hợp lệ: %(rules)s.") % {"rules": ", ".join(fields)},
        fields=fields,
        extra={"rules": {rule.field: rule.code for rule in breaks}},
    )


def parse_figures(cases: Any, money: Any) -> ReportFigures:
    """Raw input (JSON objects) → figures, or a 400 naming each bad field and
    its rule. Every figure of each metric is required; unknown names are refused."""
    breaks: list[fig.RuleBreak] = []
    fields: dict[str, list[Any]] = {}
    parsed: dict[str, dict[str, int]] = {}
    for metric, raw in ((fig.CASES, cases), (fig.MONEY, money)):
        if not isinstance(raw, Mapping):
            fields[metric] = [_("Phải là một đối tượng {tên số liệu: số nguyên}.")]
            continue
        names = fig.FIGURES[metric]
        for name in sorted(set(raw) - set(names)):
            fields[f"{metric}.{name}"] = [_("Không có số liệu này.")]
        values = {}
        for name in names:
            if name not in raw:
                fields[f"{metric}.{name}"] = [_("Bắt buộc.")]
                continue
            code = fig.check_value(raw[name])
            if code:
                breaks.append(fig.RuleBreak(f"{metric}.{name}", code))
            else:
                values[name] = raw[name]
        parsed[metric] = values
    if fields or breaks:
        error = _invalid(breaks)
        error.fields = {**fields, **error.fields}
        raise error
    result = ReportFigures(parsed[fig.CASES], parsed[fig.MONEY])
    rule_breaks = fig.check_report(result.cases, result.money)
    if rule_breaks:
        raise _invalid(rule_breaks)
    return result


def check_period(year: Any, months: Any) -> None:
    fields = {}
    if (
        isinstance(year, bool)
        or not isinstance(year, int)
        or not (fig.FIRST_YEAR <= year <= fig.LAST_YEAR)
    ):
        fields["year"] = [
            _("Năm thống kê phải từ %(first)s đến %(last)s.")
            % {"first": fig.FIRST_YEAR, "last": fig.LAST_YEAR}
        ]
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 12:
        fields["months"] = [_("Số tháng phải từ 1 đến 12.")]
    if fields:
        raise DomainError(PERIOD_INVALID, _("Kỳ báo cáo không hợp lệ."), fields=fields)


# --- rules across reports -------------------------------------------------------------


def _check_neighbours(
    *, unit_id: int, year: int, months: int, group: StatGroup, figures: ReportFigures, pk=None
) -> None:
    """The rules that involve other reports of the same unit: a group within the
    `all` group, and cumulative flows that never go down from month to month."""
    mine = figures.as_dict()
    peers = (
        UnitReport.objects.filter(unit_id=unit_id, year=year).exclude(pk=pk).select_related("group")
    )
    breaks: list[fig.RuleBreak] = []
    for peer in peers:
        theirs = peer.figures()
        if peer.months == months and group.code != StatGroup.ALL:
            if peer.group.code == StatGroup.ALL:
                breaks += fig.check_within(mine, theirs)
        elif peer.months == months:  # this is the `all` report: every group stays within it
            breaks += fig.check_within(theirs, mine)
        elif peer.group_id == group.pk and peer.months < months:
            breaks += fig.check_cumulative(theirs, mine, earlier_months=peer.months)
        elif peer.group_id == group.pk:  # a later period already entered
            breaks += [
                fig.RuleBreak(rule.field, fig.CUMULATIVE_DECREASE, (("months", peer.months),))
                for rule in fig.check_cumulative(mine, theirs, earlier_months=months)
            ]
    if breaks:
        unique = list(dict.fromkeys(breaks))
        raise _invalid(unique)


# --- access ---------------------------------------------------------------------------


def _visible_unit(actor, unit: OrgUnit) -> None:
    if not user_scope(user=actor).can_see_unit(unit.pk):
        raise NotFoundError()


def allowed_actions(*, actor, report: UnitReport) -> list[str]:
    scope = user_scope(user=actor)
    return [
        action
        for action, (who, statuses) in REPORT_ACTIONS.items()
        if report.status in statuses and _may(scope, who, report.unit_id)
    ]


def _may(scope, who: str, unit_id: int) -> bool:
    if who == "leadership":
        return scope.is_leadership
    return scope.is_leadership or scope.can_act_for_unit(unit_id)


def _ensure(actor, report: UnitReport, action: str) -> None:
    """404 outside the actor's scope, 403 for the wrong role, 409 (naming the
    allowed actions) when the report's status does not allow `action`."""
    scope = user_scope(user=actor)
    if not scope.can_see_unit(report.unit_id):
        raise NotFoundError()
    who, statuses = REPORT_ACTIONS[action]
    if not _may(scope, who, report.unit_id):
        message = (
            _("Chỉ lãnh đạo Cục được thực hiện thao tác này.")
            if who == "leadership"
            else _("Chỉ thành viên của đơn vị báo cáo mới thực hiện được thao tác này.")
        )
        raise DomainError(PERMISSION_DENIED, message, status_code=403)
    if report.status not in statuses:
        allowed = allowed_actions(actor=actor, report=report)
        raise DomainError(
            TRANSITION_NOT_ALLOWED,
            _(
                "Không thể thực hiện '%(action)s' khi báo cáo đang ở trạng thái "
                "'%(status)s'. Thao tác được phép: %(allowed)s."
            )
            % {"action": action, "status": report.status, "allowed": ", ".join(allowed) or "—"},
            extra={"status": report.status, "allowed_actions": allowed},
            status_code=409,
        )


# --- writes ----------------------------------------------------------------------------


def _set_figures(report: UnitReport, figures: ReportFigures) -> None:
    for metric, values in figures.as_dict().items():
        for name, value in values.items():
            setattr(report, f"{metric}_{name}", value)


def _event(report: UnitReport, action: str, *, actor, at, before=None, after=None, note=""):
    ReportEvent.objects.create(
        report=report,
        action=action,
        actor=actor,
        at=at,
        note=note,
        before=before or {},
        after=after or {},
    )


def _lock(report: UnitReport, expected_version: int | None = None) -> UnitReport:
    locked = (
        UnitReport.objects.select_for_update().select_related("group", "unit").get(pk=report.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise DomainError(
            VERSION_MISMATCH,
            _("Báo cáo đã được thay đổi bởi người khác; hãy tải lại rồi thử lại."),
            extra={"current_version": locked.version},
            status_code=412,
        )
    return locked


def _save(report: UnitReport, fields: list[str], at: datetime) -> None:
    report.version += 1
    report.updated_at = at
    report.save(update_fields=[*fields, "version", "updated_at"])


def report_due_date(year: int, months: int):
    _first, end = fig.period_bounds(year, months)
    return load_calendar(end, end).add_working_days(end, DUE_WORKING_DAYS)


@transaction.atomic
def report_create(
    *,
    actor,
    unit: OrgUnit,
    year: Any,
    months: Any,
    group: str,
    cases: Any,
    money: Any,
    note: str = "",
    derived_fields: list[str] | None = None,
    now: datetime | None = None,
) -> UnitReport:
    """A draft report of `unit` for the period and group. The figures must keep
    every rule of enforcement.figures, within the report and against the unit's
    other reports of the year."""
    at = _now(now)
    scope = user_scope(user=actor)
    _visible_unit(actor, unit)
    if not _may(scope, "unit", unit.pk):
        raise DomainError(
            PERMISSION_DENIED,
            _("Chỉ thành viên của đơn vị báo cáo mới thực hiện được thao tác này."),
            status_code=403,
        )
    check_period(year, months)
    stat_group = group_by_code(group)
    figures = parse_figures(cases, money)
    _first, end = fig.period_bounds(year, months)
    if not unit.is_active_on(end):
        raise DomainError(
            UNIT_INACTIVE,
            _("Đơn vị không còn hoạt động vào cuối kỳ (%(day)s); đơn vị kế thừa báo cáo.")
            % {"day": end.strftime("%d/%m/%Y")},
            fields={"unit": [_("Không hoạt động vào cuối kỳ.")]},
        )
    if UnitReport.objects.filter(unit=unit, year=year, months=months, group=stat_group).exists():
        raise DomainError(
            REPORT_EXISTS,
            _("Đơn vị đã có báo cáo của kỳ và nhóm này; hãy sửa báo cáo đó."),
            status_code=409,
        )
    _check_neighbours(unit_id=unit.pk, year=year, months=months, group=stat_group, figures=figures)
    report = UnitReport(
        unit=unit,
        year=year,
        months=months,
        group=stat_group,
        due_date=report_due_date(year, months),
        note=note,
        derived_fields=derived_fields or [],
        created_by=actor,
        created_at=at,
        updated_at=at,
    )
    _set_figures(report, figures)
    report.save()
    _event(report, ReportEvent.Action.CREATED, actor=actor, at=at, after=figures.as_dict())
    return report


@transaction.atomic
def report_update(
    *,
    actor,
    report: UnitReport,
    cases: Any,
    money: Any,
    note: str | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> UnitReport:
    """New figures for a draft (a returned report is a draft again)."""
    at = _now(now)
    report = _lock(report, expected_version)
    _ensure(actor, report, "update")
    figures = parse_figures(cases, money)
    _check_neighbours(
        unit_id=report.unit_id,
        year=report.year,
        months=report.months,
        group=report.group,
        figures=figures,
        pk=report.pk,
    )
    before = report.figures()
    _set_figures(report, figures)
    fields = list(COLUMNS)
    if note is not None:
        report.note = note
        fields.append("note")
    _save(report, fields, at)
    _event(
        report,
        ReportEvent.Action.UPDATED,
        actor=actor,
        at=at,
        before=before,
        after=figures.as_dict(),
    )
    return report


@transaction.atomic
def report_submit(*, actor, report: UnitReport, now: datetime | None = None) -> UnitReport:
    """Send a draft to the Cục. A thematic group needs the unit's `all` report
    of the period. The `all` report completes the period's reporting assignment."""
    at = _now(now)
    report = _lock(report)
    _ensure(actor, report, "submit")
    figures = ReportFigures(**{m: v for m, v in report.figures().items()})
    if (
        report.group.code != StatGroup.ALL
        and not UnitReport.objects.filter(
            unit_id=report.unit_id,
            year=report.year,
            months=report.months,
            group__code=StatGroup.ALL,
        ).exists()
    ):
        raise DomainError(
            ALL_GROUP_MISSING,
            _("Cần nhập báo cáo chung (nhóm 'all') của kỳ trước khi gửi báo cáo nhóm."),
            fields={"group": [_("Chưa có báo cáo nhóm 'all' của kỳ.")]},
        )
    _check_neighbours(
        unit_id=report.unit_id,
        year=report.year,
        months=report.months,
        group=report.group,
        figures=figures,
        pk=report.pk,
    )
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = at
    fields = ["status", "submitted_at"]
    if report.group.code == StatGroup.ALL:
        assignment = _complete_obligation(actor, report, at)
        if assignment is not None:
            report.assignment = assignment
            fields.append("assignment")
    _save(report, fields, at)
    _event(
        report,
        ReportEvent.Action.SUBMITTED,
        actor=actor,
        at=at,
        before={"status": ReportStatus.DRAFT},
        after={"status": report.status},
    )
    return report


def _complete_obligation(actor, report: UnitReport, at: datetime):
    """Report the period's obligation complete when the submitter may (a member
    of the unit; leadership entering figures for a unit does not speak for it)."""
    assignment = period_assignment(unit_id=report.unit_id, year=report.year, months=report.months)
    if assignment is None:
        return None
    scope = user_scope(user=actor)
    if "complete" in directive_access.allowed_actions(scope=scope, assignment=assignment):
        directive_services.assignment_report_completion(
            actor=actor,
            assignment=assignment,
            note=str(_("Đã gửi báo cáo thống kê %(months)s tháng.") % {"months": report.months}),
            now=at,
        )
    return assignment


@transaction.atomic
def report_return(
    *, actor, report: UnitReport, reason: str, now: datetime | None = None
) -> UnitReport:
    """Send a submitted report back to its unit as a draft, with the reason."""
    at = _now(now)
    report = _lock(report)
    _ensure(actor, report, "return")
    if not reason or not str(reason).strip():
        raise DomainError(REASON_REQUIRED, _("Cần nêu lý do."), fields={"reason": [_("Bắt buộc.")]})
    report.status = ReportStatus.DRAFT
    report.return_reason = reason.strip()
    _save(report, ["status", "return_reason"], at)
    _event(
        report,
        ReportEvent.Action.RETURNED,
        actor=actor,
        at=at,
        before={"status": ReportStatus.SUBMITTED},
        after={"status": report.status},
        note=report.return_reason,
    )
    if report.assignment_id and report.assignment.status == AssignmentStatus.REPORTED:
        directive_services.assignment_return(
            actor=actor, assignment=report.assignment, reason=report.return_reason, now=at
        )
    return report


@transaction.atomic
def report_validate(*, actor, report: UnitReport, now: datetime | None = None) -> UnitReport:
    """Accept a submitted report: it counts in the province totals from now on
    and never changes again."""
    at = _now(now)
    report = _lock(report)
    _ensure(actor, report, "validate")
    report.status = ReportStatus.VALIDATED
    report.validated_at = at
    report.validated_by = actor
    _save(report, ["status", "validated_at", "validated_by"], at)
    _event(
        report,
        ReportEvent.Action.VALIDATED,
        actor=actor,
        at=at,
        before={"status": ReportStatus.SUBMITTED},
        after={"status": report.status},
    )
    if report.assignment_id and report.assignment.status == AssignmentStatus.REPORTED:
        directive_services.assignment_accept(actor=actor, assignment=report.assignment, now=at)
    return report


# --- import ------------------------------------------------------------------------------

IMPORT_INVALID = "import_invalid"


@transaction.atomic
def report_import(
    *, actor, unit: OrgUnit, year: int, months: int, rows: list, now: datetime | None = None
) -> list[UnitReport]:
    """A unit's figures for one period, one row per group and metric
    (enforcement.imports.ImportRow): each group becomes a draft report (an
    existing draft is updated). All or nothing: when any row is bad, nothing is
    written and the error names every bad row."""
    check_period(year, months)
    errors: dict[str, list[Any]] = {}

    def bad(line: int, message) -> None:
        errors.setdefault(str(_("Dòng %(line)s") % {"line": line}), []).append(message)

    by_group: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.metric not in fig.METRICS:
            bad(row.line, _("Cột 'metric' phải là cases/việc hoặc money/tiền."))
            continue
        entry = by_group.setdefault(row.group, {})
        if row.metric in entry:
            bad(row.line, _("Trùng dòng của nhóm và chỉ tiêu này."))
            continue
        entry[row.metric] = row
    done = []
    # `all` first: each group is checked against it.
    for group, entry in sorted(by_group.items(), key=lambda item: item[0] != StatGroup.ALL):
        missing = [m for m in fig.METRICS if m not in entry]
        if missing:
            line = next(iter(entry.values())).line
            bad(line, _("Thiếu dòng %(metric)s của nhóm.") % {"metric": ", ".join(missing)})
            continue
        lines = {metric: row.line for metric, row in entry.items()}
        try:
            with transaction.atomic():
                existing = UnitReport.objects.filter(
                    unit=unit, year=year, months=months, group__code=group
                ).first()
                values = {m: entry[m].values for m in fig.METRICS}
                if existing is None:
                    done.append(
                        report_create(
                            actor=actor,
                            unit=unit,
                            year=year,
                            months=months,
                            group=group,
                            now=now,
                            **values,
                        )
                    )
                else:
                    done.append(report_update(actor=actor, report=existing, now=now, **values))
        except DomainError as exc:
            if not exc.fields:
                bad(lines[fig.CASES], exc.message)
            for name, messages in exc.fields.items():
                metric = name.split(".", 1)[0]
                line = lines.get(metric, lines[fig.CASES])
                for message in messages:
                    bad(line, f"{name}: {message}" if name in _figure_names() else message)
    if errors:
        raise DomainError(
            IMPORT_INVALID,
            _("Không nhập được: %(count)s dòng có lỗi; không có số liệu nào được ghi.")
            % {"count": len(errors)},
            fields=errors,
        )
    return done


def _figure_names() -> set[str]:
    return {f"{metric}.{name}" for metric in fig.METRICS for name in fig.FIGURES[metric]}
