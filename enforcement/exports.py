"""The summary per unit as a download (CSV/XLSX) and as a chart of rates
against the target, through the reports app's writers (reports.exports,
reports.charts): no second CSV, XLSX or chart writer here."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from enforcement import figures as fig
from enforcement.models import StatGroup
from enforcement.selectors import UnitRow
from reports.charts import CHART_CONTENT_TYPES, Series, bar_chart, cached_chart
from reports.exports import (
    DECIMAL,
    INTEGER,
    TEXT,
    XLSX_CONTENT_TYPE,
    Column,
    Table,
    export_response,
)

__all__ = ["DOCX_CONTENT_TYPE", "XLSX_CONTENT_TYPE", "rate_chart", "summary_export"]

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

RATE_HEADERS = {
    "rate": _("Tỷ lệ (%)"),
    "same_period_rate": _("Cùng kỳ (%)"),
    "change_points": _("Tăng/giảm (điểm %)"),
    "target": _("Chỉ tiêu (%)"),
    "gap_points": _("So với chỉ tiêu (điểm %)"),
}


def _columns() -> list[Column]:
    columns = [
        Column("code", _("Mã đơn vị"), width=14),
        Column("name", _("Đơn vị"), kind=TEXT, width=44),
    ]
    for metric in fig.METRICS:
        unit = fig.METRIC_NAMES[metric]
        columns += [
            Column(
                f"{metric}.{name}",
                f"{fig.FIGURE_HEADERS[name]} ({unit})",
                kind=INTEGER,
                summed=True,
            )
            for name in fig.FIGURES[metric]
        ]
        columns += [
            Column(f"{metric}.{name}", f"{header} ({unit})", kind=DECIMAL)
            for name, header in RATE_HEADERS.items()
        ]
    return columns


def _flat(row: UnitRow) -> dict:
    flat = {"code": row.unit.code, "name": row.unit.name}
    for metric in fig.METRICS:
        summary = getattr(row, metric)
        for name, value in summary.figures.items():
            flat[f"{metric}.{name}"] = value
        for name in RATE_HEADERS:
            flat[f"{metric}.{name}"] = getattr(summary, name)
    return flat


def summary_export(rows: list[UnitRow], *, year: int, months: int, group: StatGroup, fmt: str):
    """The per-unit summary as CSV (UTF-8 with BOM) or XLSX, with Vietnamese headers."""
    table = Table(
        title=_("Kết quả thi hành án dân sự theo đơn vị"),
        columns=_columns(),
        rows=(_flat(row) for row in rows),
        filters=[
            (_("Năm thống kê"), year),
            (_("Số tháng"), months),
            (_("Nhóm"), group.name),
        ],
        totals=None,
        sheet_name="Thống kê",
    )
    return export_response(table, fmt=fmt, basename=f"thong-ke-{year}-{months}-thang-{group.code}")


def rate_chart(
    rows: list[UnitRow], *, year: int, months: int, group: StatGroup, metric: str, fmt: str
) -> tuple[bytes, str]:
    """Each unit's completion rate (bars) against the target (a line)."""
    rates = [getattr(row, metric).rate for row in rows]
    targets = {getattr(row, metric).target for row in rows} - {None}
    target = targets.pop() if len(targets) == 1 else None
    labels = [row.unit.name for row in rows]
    annotations = ["—" if r is None else f"{fig.vn_percent(r)} %" for r in rates]
    title = _("Tỷ lệ thi hành xong về %(metric)s, %(months)s tháng năm %(year)s — %(group)s") % {
        "metric": fig.METRIC_NAMES[metric],
        "months": months,
        "year": year,
        "group": group.name,
    }
    parts = ("statistics-rate", labels, [str(r) for r in rates], str(target), str(title), fmt)

    def build() -> bytes:
        return bar_chart(
            categories=labels,
            series=[Series(_("Tỷ lệ thi hành xong (%)"), rates, "#1565c0")],
            fmt=fmt,
            title=title,
            value_label="%",
            stacked=False,
            annotations=annotations,
            target=target,
            target_label=(
                _("Chỉ tiêu %(rate)s %%") % {"rate": fig.vn_percent(target)} if target else ""
            ),
        )

    return cached_chart(parts, build), CHART_CONTENT_TYPES[fmt]
