"""Table exports any app may use: CSV and XLSX from column specs and an iterator
of rows, streamed so that 100,000 rows cost the memory of a few.

    columns = [
        Column("unit_name", _("Đơn vị"), width=40),
        Column("due_date", _("Hạn"), kind=DATE),
        Column("total", _("Tổng số"), kind=INTEGER, summed=True),
        Column("on_time_rate", _("Tỷ lệ đúng hạn (%)"), kind=PERCENT),
    ]
    table = Table(title=_("Báo cáo ..."), columns=columns, rows=iterator,
                  filters=[(_("Đơn vị"), "Hiệp Hòa")], totals=SUM)
    return csv_response(table, filename="bao-cao.csv")   # or xlsx_response(...)

- CSV: UTF-8 with a byte order mark (Excel then reads Vietnamese right), one
  header line, the rows, and the total row when the table has one; dates as
  dd/mm/yyyy. Generated lazily: a StreamingHttpResponse pulls rows as it sends.
- XLSX: openpyxl's write-only mode (rows go to a temporary file as they are
  written): the title and the filters above the table, bold Vietnamese headers,
  the header row frozen, column widths, dates as real dates shown dd/mm/yyyy,
  a bold total row.

`totals` is a mapping of column key → value (written as given, e.g. a
report's computed totals and rates), or SUM to add up the columns marked
`summed` while streaming. Row values are read with `row[column.key]` (a dict)
or, when the row is not a mapping, `getattr`.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from thads.clock import LOCAL_TZ

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}

# Column kinds: how a value is written.
TEXT = "text"
INTEGER = "integer"
DECIMAL = "decimal"  # two decimals (rates, averages)
PERCENT = DECIMAL
DATE = "date"
DATETIME = "datetime"

SUM = "sum"
BOM = "\ufeff"
DAY_FORMAT = "%d/%m/%Y"
INSTANT_FORMAT = "%d/%m/%Y %H:%M"
_XLSX_NUMBER_FORMATS = {
    INTEGER: "#,##0",
    DECIMAL: "0.00",
    DATE: "DD/MM/YYYY",
    DATETIME: "DD/MM/YYYY HH:MM",
}
_HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")


@dataclass(frozen=True)
class Column:
    """One column: the row's `key`, its Vietnamese `header` (lazy text is fine),
    its `kind` (TEXT, INTEGER, DECIMAL, DATE, DATETIME), an XLSX `width` in
    characters (default from the header), and whether the total row sums it."""

    key: str
    header: Any
    kind: str = TEXT
    width: int | None = None
    summed: bool = False


@dataclass
class Table:
    """What an export writes. `rows` is consumed once."""

    title: Any
    columns: Sequence[Column]
    rows: Iterable[Any]
    filters: Sequence[tuple[Any, Any]] = ()  # (label, value) lines printed above (XLSX)
    totals: Mapping[str, Any] | str | None = None  # a mapping, SUM, or None
    totals_label: Any = field(default_factory=lambda: _("Tổng cộng"))
    sheet_name: str = "Báo cáo"


def _get(row: Any, key: str) -> Any:
    return row[key] if isinstance(row, Mapping) else getattr(row, key)


def _local(value: datetime) -> datetime:
    return value.astimezone(LOCAL_TZ) if value.tzinfo else value


def _text(value: Any, kind: str) -> str:
    """A value as CSV text."""
    if value is None:
        return ""
    if kind == DATETIME and isinstance(value, datetime):
        return _local(value).strftime(INSTANT_FORMAT)
    if kind == DATE and isinstance(value, date):
        return value.strftime(DAY_FORMAT)
    if isinstance(value, Decimal):
        return f"{value:.2f}" if kind == DECIMAL else str(value)
    return str(value)


def _cell_value(value: Any, kind: str) -> Any:
    """A value as openpyxl takes it: dates stay dates, instants local and naive
    (XLSX has no time zones), lazy text becomes text."""
    if value is None:
        return None
    if kind == DATETIME and isinstance(value, datetime):
        return _local(value).replace(tzinfo=None)
    if isinstance(value, (int, float, Decimal, date)):
        return value
    return str(value)


class _Totals:
    """The total row: given, or summed while the rows stream past."""

    def __init__(self, table: Table) -> None:
        self.given = table.totals if isinstance(table.totals, Mapping) else None
        self.summing = table.totals == SUM
        self.sums = {c.key: 0 for c in table.columns if c.summed}

    @property
    def wanted(self) -> bool:
        return self.given is not None or self.summing

    def add(self, row: Any) -> None:
        if self.summing:
            for key in self.sums:
                self.sums[key] += _get(row, key) or 0

    def row(self, table: Table) -> dict[str, Any]:
        values = dict(self.given) if self.given is not None else dict(self.sums)
        first = table.columns[0].key
        if values.get(first) in (None, ""):
            values[first] = str(table.totals_label)
        return values


# --- CSV --------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(table: Table, *, rows_per_chunk: int = 500) -> Iterator[bytes]:
    """The table as CSV bytes, chunk by chunk: BOM, header, rows, total row."""
    writer = csv.writer(_Echo())
    totals = _Totals(table)
    kinds = [(c.key, c.kind) for c in table.columns]
    yield (BOM + writer.writerow([str(c.header) for c in table.columns])).encode()
    buffer: list[str] = []
    for row in table.rows:
        totals.add(row)
        buffer.append(writer.writerow([_text(_get(row, key), kind) for key, kind in kinds]))
        if len(buffer) >= rows_per_chunk:
            yield "".join(buffer).encode()
            buffer = []
    if totals.wanted:
        last = totals.row(table)
        buffer.append(writer.writerow([_text(last.get(key), kind) for key, kind in kinds]))
    if buffer:
        yield "".join(buffer).encode()


def csv_response(table: Table, *, filename: str) -> StreamingHttpResponse:
    """A streaming download of the table as CSV (`text/csv; charset=utf-8`)."""
    response = StreamingHttpResponse(csv_chunks(table), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- XLSX -------------------------------------------------------------------------


def _width(column: Column) -> int:
    if column.width:
        return column.width
    return max(10, min(60, len(str(column.header)) + 2))


def write_xlsx(table: Table, target: str | IO[bytes]) -> int:
    """Write the table as an XLSX workbook to a path or a binary file; returns the
    number of data rows. Memory stays flat: write-only mode keeps no rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.sheet_name[:31])
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _width(column)

    bold = Font(bold=True)
    title = WriteOnlyCell(sheet, value=str(table.title))
    title.font = Font(bold=True, size=14)
    lines: list[list[Any]] = [[title]]
    for label, value in table.filters:
        lines.append([f"{label}: {_text(value, DATE if isinstance(value, date) else TEXT)}"])
    lines.append([])
    # Frozen below the header, whatever number of filter lines came above it.
    header_row = len(lines) + 1
    sheet.freeze_panes = f"A{header_row + 1}"
    for line in lines:
        sheet.append(line)

    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=str(column.header))
        cell.font = bold
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header.append(cell)
    sheet.append(header)

    formats = [_XLSX_NUMBER_FORMATS.get(c.kind) for c in table.columns]
    totals = _Totals(table)
    count = 0
    for row in table.rows:
        totals.add(row)
        values = []
        for column, number_format in zip(table.columns, formats, strict=True):
            value = _cell_value(_get(row, column.key), column.kind)
            if number_format and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                values.append(cell)
            else:
                values.append(value)
        sheet.append(values)
        count += 1
    if totals.wanted:
        last = totals.row(table)
        cells = []
        for column, number_format in zip(table.columns, formats, strict=True):
            cell = WriteOnlyCell(sheet, value=_cell_value(last.get(column.key), column.kind))
            cell.font = bold
            if number_format:
                cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)
    workbook.save(target)
    return count


def xlsx_response(table: Table, *, filename: str) -> FileResponse:
    """A download of the table as XLSX, built in an anonymous temporary file
    (deleted when the response closes it), so memory does not grow with rows."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_xlsx(table, spool)
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


def export_response(table: Table, *, fmt: str, basename: str):
    """`csv_response` or `xlsx_response` by format name ("csv" or "xlsx")."""
    if fmt == "csv":
        return csv_response(table, filename=f"{basename}.csv")
    if fmt == "xlsx":
        return xlsx_response(table, filename=f"{basename}.xlsx")
    raise ValueError(fmt)


def write_export(table: Table, *, fmt: str, target: IO[bytes]) -> int:
    """Write the table in `fmt` ("csv" or "xlsx") to a binary file; returns the
    number of data rows written (the total row not counted)."""
    if fmt == "xlsx":
        return write_xlsx(table, target)
    if fmt == "csv":
        count = 0

        def counted(rows: Iterable[Any]) -> Iterator[Any]:
            nonlocal count
            for row in rows:
                count += 1
                yield row

        table.rows = counted(table.rows)
        for chunk in csv_chunks(table):
            target.write(chunk)
        return count
    raise ValueError(fmt)
