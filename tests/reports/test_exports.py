"""The generic writers, read back with real readers (csv, openpyxl)."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from reports.exports import (
    DATE,
    DATETIME,
    DECIMAL,
    INTEGER,
    SUM,
    Column,
    Table,
    csv_chunks,
    write_export,
    write_xlsx,
)
from thads.clock import LOCAL_TZ

COLUMNS = [
    Column("name", "Đơn vị", width=40),
    Column("due", "Hạn hoàn thành", kind=DATE),
    Column("count", "Số nhiệm vụ", kind=INTEGER, summed=True),
    Column("rate", "Tỷ lệ đúng hạn (%)", kind=DECIMAL),
    Column("at", "Cập nhật lúc", kind=DATETIME),
]
ROWS = [
    {
        "name": "Chi cục Thi hành án dân sự huyện Hiệp Hòa",
        "due": date(2022, 9, 30),
        "count": 3,
        "rate": Decimal("66.67"),
        "at": datetime(2022, 9, 1, 2, 30, tzinfo=LOCAL_TZ),
    },
    {
        "name": "Chi cục Thi hành án dân sự huyện Yên Thế",
        "due": date(2022, 10, 3),
        "count": 4,
        "rate": None,
        "at": None,
    },
]


def table(**kwargs) -> Table:
    return Table(
        title="Báo cáo tiến độ",
        columns=COLUMNS,
        rows=iter(ROWS),
        filters=[("Đơn vị", "Hiệp Hòa"), ("Từ ngày", date(2022, 1, 1))],
        **kwargs,
    )


def test_csv_starts_with_a_bom_and_reads_back_with_vietnamese_intact():
    data = b"".join(csv_chunks(table(totals=SUM)))
    assert data.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == [c.header for c in COLUMNS]
    assert lines[1] == [
        "Chi cục Thi hành án dân sự huyện Hiệp Hòa",
        "30/09/2022",
        "3",
        "66.67",
        "01/09/2022 02:30",
    ]
    assert lines[2][3] == ""  # no rate: empty, not "None"
    assert lines[3][:3] == ["Tổng cộng", "", "7"]


def test_csv_without_totals_has_only_header_and_rows():
    data = b"".join(csv_chunks(table()))
    assert len(list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))) == 3


def test_xlsx_has_title_filters_frozen_header_dates_and_a_given_total_row():
    buffer = io.BytesIO()
    given = {"count": 7, "rate": Decimal("50.00")}
    assert write_xlsx(table(totals=given), buffer) == 2
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Báo cáo tiến độ"
    assert values[1][0] == "Đơn vị: Hiệp Hòa"
    assert values[2][0] == "Từ ngày: 01/01/2022"
    header_row = 5
    assert list(values[header_row - 1]) == [c.header for c in COLUMNS]
    assert sheet.freeze_panes == f"A{header_row + 1}"
    first = sheet.cell(row=header_row + 1, column=2)
    assert first.value == datetime(2022, 9, 30)
    assert first.number_format == "DD/MM/YYYY"
    assert sheet.cell(row=header_row + 1, column=1).value.endswith("Hiệp Hòa")
    assert sheet.cell(row=header_row + 1, column=4).value == 66.67
    total = values[header_row + 2]
    assert total[0] == "Tổng cộng" and total[2] == 7 and total[3] == 50
    assert sheet.cell(row=header_row + 3, column=1).font.b
    assert sheet.column_dimensions["A"].width == 40


def test_write_export_counts_rows_in_both_formats():
    for fmt in ("csv", "xlsx"):
        assert write_export(table(totals=SUM), fmt=fmt, target=io.BytesIO()) == 2
