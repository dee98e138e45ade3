"""The exportable tables: the timeliness report, the overdue list and the
assignment list, each as a `reports.exports.Table` (Vietnamese headers, the
filters used, a total row where one makes sense)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from directives.filters import AssignmentFilter
from directives.models import (
    AssignmentRole,
    AssignmentStatus,
    Category,
    Directive,
    SourceDocument,
    Timeliness,
)
from directives.selectors import assignment_list
from reports.exports import DATE, DATETIME, DECIMAL, INTEGER, Column, Table
from reports.selectors import ReportFilters, overdue_rows, timeliness_report
from thads.clock import local_today
from units.models import OrgUnit

GROUP_HEADERS = {
    "unit": _("Đơn vị"),
    "document": _("Văn bản"),
    "directive": _("Nhiệm vụ"),
    "category": _("Lĩnh vực"),
    "month": _("Tháng (hạn)"),
}

COUNT_COLUMNS = [
    Column("total", _("Tổng số"), kind=INTEGER, width=10),
    Column("done_on_time", Timeliness.DONE_ON_TIME.label, kind=INTEGER, width=14),
    Column("done_late", Timeliness.DONE_LATE.label, kind=INTEGER, width=14),
    Column("open_on_time", Timeliness.OPEN_ON_TIME.label, kind=INTEGER, width=16),
    Column("open_overdue", Timeliness.OPEN_OVERDUE.label, kind=INTEGER, width=16),
    Column("on_time_rate", _("Tỷ lệ đúng hạn (%)"), kind=DECIMAL, width=14),
    Column("avg_delay_working_days", _("Chậm trung bình (ngày làm việc)"), kind=DECIMAL, width=16),
    Column("extensions_approved", _("Lượt gia hạn được duyệt"), kind=INTEGER, width=14),
    Column("reports_returned", _("Lượt báo cáo bị trả lại"), kind=INTEGER, width=14),
]


def filter_lines(filters: ReportFilters) -> list[tuple[Any, Any]]:
    """The filters as (Vietnamese label, value) lines, with names, not ids."""
    lines: list[tuple[Any, Any]] = []
    if filters.unit is not None:
        name = OrgUnit.objects.filter(pk=filters.unit).values_list("name", flat=True).first()
        lines.append((_("Đơn vị"), name or filters.unit))
    if filters.document is not None:
        document = SourceDocument.objects.filter(pk=filters.document).first()
        lines.append((_("Văn bản"), str(document) if document else filters.document))
    if filters.directive is not None:
        directive = Directive.objects.filter(pk=filters.directive).first()
        lines.append((_("Nhiệm vụ"), str(directive) if directive else filters.directive))
    if filters.category:
        category = Category.objects.filter(code=filters.category).first()
        lines.append((_("Lĩnh vực"), category.name_vi if category else filters.category))
    if filters.date_from is not None:
        lines.append((_("Hạn từ ngày"), filters.date_from))
    if filters.date_to is not None:
        lines.append((_("Hạn đến ngày"), filters.date_to))
    return lines


def _judged_on(today: date) -> tuple[Any, date]:
    return (_("Tính đến ngày"), today)


def timeliness_table(
    *, user, group_by: str, filters: ReportFilters, today: date | None = None
) -> Table:
    today = today or local_today()
    report = timeliness_report(user=user, group_by=group_by, filters=filters, today=today)
    return Table(
        title=_("Báo cáo tiến độ thực hiện nhiệm vụ"),
        columns=[Column("label", GROUP_HEADERS[group_by], width=60), *COUNT_COLUMNS],
        rows=report["rows"],
        filters=[*filter_lines(filters), _judged_on(today)],
        totals=report["totals"],
    )


OVERDUE_COLUMNS = [
    Column("unit_name", _("Đơn vị"), width=40),
    Column("directive_label", _("Số thứ tự"), width=8),
    Column("directive_title", _("Nhiệm vụ"), width=60),
    Column("due_date", _("Hạn hiện hành"), kind=DATE, width=12),
    Column("original_due_date", _("Hạn ban đầu"), kind=DATE, width=12),
    Column("days_overdue", _("Số ngày làm việc quá hạn"), kind=INTEGER, width=14),
    Column("progress", _("Tiến độ (%)"), kind=INTEGER, width=10),
    Column("last_progress_at", _("Báo cáo gần nhất lúc"), kind=DATETIME, width=16),
    Column("last_progress_note", _("Nội dung báo cáo gần nhất"), width=50),
]


def overdue_table(*, user, filters: ReportFilters, today: date | None = None) -> Table:
    today = today or local_today()
    return Table(
        title=_("Danh sách nhiệm vụ quá hạn"),
        columns=OVERDUE_COLUMNS,
        rows=overdue_rows(user=user, filters=filters, today=today),
        filters=[*filter_lines(filters), _judged_on(today)],
    )


ASSIGNMENT_COLUMNS = [
    Column("id", _("Mã giao việc"), kind=INTEGER, width=10),
    Column("directive__label", _("Số thứ tự"), width=8),
    Column("directive__title", _("Nhiệm vụ"), width=60),
    Column("unit__name", _("Đơn vị"), width=40),
    Column("role_label", _("Vai trò"), width=10),
    Column("status_label", _("Trạng thái"), width=18),
    Column("progress", _("Tiến độ (%)"), kind=INTEGER, width=10),
    Column("due_date", _("Hạn hiện hành"), kind=DATE, width=12),
    Column("original_due_date", _("Hạn ban đầu"), kind=DATE, width=12),
    Column("timeliness_label", _("Tình trạng thời hạn"), width=24),
    Column("latest_report__note", _("Báo cáo gần nhất"), width=50),
    Column("updated_at", _("Cập nhật lúc"), kind=DATETIME, width=16),
]


def assignments_queryset(*, user, params: Mapping[str, Any]):
    """The assignment list as GET assignments/ filters it (the same filter set);
    a ValidationError (400) for a bad or unknown parameter."""
    data = {k: v for k, v in params.items() if k != "format"}
    filterset = AssignmentFilter(data=data, queryset=assignment_list(user=user))
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs


def _labelled(rows) -> Iterator[dict[str, Any]]:
    roles = dict(AssignmentRole.choices)
    statuses = dict(AssignmentStatus.choices)
    timeliness = dict(Timeliness.choices)
    for row in rows:
        row["role_label"] = roles.get(row["role"], row["role"])
        row["status_label"] = statuses.get(row["status"], row["status"])
        row["timeliness_label"] = timeliness.get(row["timeliness"], "")
        yield row


# What the export's columns read; `_labelled` adds the three labels from codes.
_LABELLED = {"role_label": "role", "status_label": "status", "timeliness_label": "timeliness"}
_ASSIGNMENT_FIELDS = tuple(_LABELLED.get(column.key, column.key) for column in ASSIGNMENT_COLUMNS)


def assignments_table(*, user, params: Mapping[str, Any]) -> Table:
    qs = assignments_queryset(user=user, params=params)
    rows = qs.values(*_ASSIGNMENT_FIELDS).order_by("-id").iterator(chunk_size=2000)
    shown = [(name, value) for name, value in params.items() if name != "format" and value]
    return Table(
        title=_("Danh sách giao nhiệm vụ"),
        columns=ASSIGNMENT_COLUMNS,
        rows=_labelled(rows),
        filters=[*shown, _judged_on(local_today())],
        totals=None,
    )
