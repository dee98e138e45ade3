"""A unit's figures from an XLSX workbook, for the admin's import.

The first sheet: a header row naming the columns `group`, `metric` and the
figures (`carried_over` … `carried_forward`, `reduced` for money), then one row
per group and metric (`cases`/`việc` or `money`/`tiền`). Cells are numbers: a
figure typed as text ("1.000.000"), a fraction or a negative number is refused
with its row and column named.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from enforcement import figures as fig

METRIC_WORDS = {"cases": fig.CASES, "việc": fig.CASES, "money": fig.MONEY, "tiền": fig.MONEY}
MAX_ROWS = 200


@dataclass
class ImportRow:
    line: int
    group: str
    metric: str
    values: dict[str, Any] = field(default_factory=dict)


class UnreadableWorkbook(Exception):
    """The workbook cannot be read at all (not XLSX, no header)."""


def read_rows(upload: IO[bytes]) -> list[ImportRow]:
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableWorkbook(_("Tệp không phải bảng tính XLSX.")) from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if not header:
        raise UnreadableWorkbook(_("Bảng tính trống."))
    names = [str(cell).strip() if cell is not None else "" for cell in header]
    if "group" not in names or "metric" not in names:
        raise UnreadableWorkbook(_("Dòng tiêu đề phải có cột 'group' và 'metric'."))
    result = []
    for line, cells in enumerate(rows, start=2):
        if all(cell is None for cell in cells):
            continue
        if len(result) >= MAX_ROWS:
            raise UnreadableWorkbook(_("Tối đa %(n)d dòng.") % {"n": MAX_ROWS})
        record = dict(zip(names, cells, strict=False))
        metric_word = str(record.pop("metric") or "").strip().lower()
        row = ImportRow(
            line=line,
            group=str(record.pop("group") or "").strip(),
            metric=METRIC_WORDS.get(metric_word, metric_word),
        )
        row.values = {name: value for name, value in record.items() if name and value is not None}
        result.append(row)
    workbook.close()
    return result
