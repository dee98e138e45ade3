"""The figures of a THADS statistics report, the rules between them, and rates.

Pure functions over plain integers (no database): the services validate with
them, the summary and the brief compute with them, the tests call them directly.

Rates are percentages with two decimals, rounded half up, computed from
integers through `Decimal` (never a float), and None where the base is 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from thads.numbers import percent

CASES = "cases"
MONEY = "money"
METRICS = (CASES, MONEY)

# In the order of the TT 06/2019 forms. `reduced` (giảm) exists for money only.
CASE_FIGURES = (
    "carried_over",
    "received",
    "entrusted_out",
    "to_enforce",
    "enforceable",
    "not_yet_enforceable",
    "completed",
    "terminated",
    "carried_forward",
)
MONEY_FIGURES = (*CASE_FIGURES[:8], "reduced", "carried_forward")
FIGURES = {CASES: CASE_FIGURES, MONEY: MONEY_FIGURES}

# The Vietnamese names of the metrics and figures (export headers, admin labels).
METRIC_NAMES = {CASES: _("việc"), MONEY: _("tiền")}
FIGURE_HEADERS = {
    "carried_over": _("Cũ chuyển sang"),
    "received": _("Thụ lý mới"),
    "entrusted_out": _("Ủy thác"),
    "to_enforce": _("Phải thi hành"),
    "enforceable": _("Có điều kiện"),
    "not_yet_enforceable": _("Chưa có điều kiện"),
    "completed": _("Thi hành xong"),
    "terminated": _("Đình chỉ"),
    "reduced": _("Giảm"),
    "carried_forward": _("Chuyển kỳ sau"),
}

# Flows summed from 1 October: a later cumulative period never has less of them.
CUMULATIVE = ("received", "entrusted_out", "completed", "terminated", "reduced")

# The largest figure accepted: 10^15 đồng is a thousand times a province's year.
MAX_FIGURE = 10**15

# Statistical years the service accepts: the period's first day (1 October of
# year − 1) and last day must fall within thads.clock's range of days.
FIRST_YEAR = 1946
LAST_YEAR = 2199

# Rule codes (tests assert on these; each names the rule broken).
NOT_WHOLE_NUMBER = "not_whole_number"
NEGATIVE = "negative"
TOO_LARGE = "too_large"
TO_ENFORCE_SUM = "to_enforce_sum"
ENFORCEABLE_SPLIT = "enforceable_split"
RESOLVED_EXCEEDS_ENFORCEABLE = "resolved_exceeds_enforceable"
CARRIED_FORWARD_SUM = "carried_forward_sum"
EXCEEDS_ALL_GROUP = "exceeds_all_group"
CUMULATIVE_DECREASE = "cumulative_decrease"

RULE_MESSAGES = {
    NOT_WHOLE_NUMBER: _("Phải là số nguyên (không có phần thập phân, không có dấu phân cách)."),
    NEGATIVE: _("Không được âm."),
    TOO_LARGE: _("Vượt quá giới hạn 10^15."),
    TO_ENFORCE_SUM: _("Phải thi hành phải bằng cũ chuyển sang + thụ lý mới − ủy thác."),
    ENFORCEABLE_SPLIT: _("Có điều kiện + chưa có điều kiện phải bằng số phải thi hành."),
    RESOLVED_EXCEEDS_ENFORCEABLE: _("Thi hành xong + đình chỉ không được vượt số có điều kiện."),
    CARRIED_FORWARD_SUM: _(
        "Chuyển kỳ sau phải bằng phải thi hành − thi hành xong − đình chỉ (− giảm, về tiền)."
    ),
    EXCEEDS_ALL_GROUP: _("Số liệu của nhóm không được vượt số liệu chung (nhóm 'all')."),
    CUMULATIVE_DECREASE: _(
        "Số lũy kế không được giảm từ kỳ trước sang kỳ sau (so với báo cáo %(months)s tháng)."
    ),
}

Figures = Mapping[str, int]


@dataclass(frozen=True)
class RuleBreak:
    """One broken rule: the field it is reported on, e.g. `money.to_enforce`."""

    field: str
    code: str
    params: tuple[tuple[str, object], ...] = ()

    @property
    def message(self):
        message = RULE_MESSAGES[self.code]
        return message % dict(self.params) if self.params else message


def check_value(value: object) -> str | None:
    """The rule a single raw figure breaks, or None. A figure is a JSON integer:
    not a bool, a float (even 1.0), or a string ("1.000", "1,000")."""
    if isinstance(value, bool) or not isinstance(value, int):
        return NOT_WHOLE_NUMBER
    if value < 0:
        return NEGATIVE
    if value > MAX_FIGURE:
        return TOO_LARGE
    return None


def check_report(cases: Figures, money: Figures) -> list[RuleBreak]:
    """The rules between the figures of one report (TT 06/2019 arithmetic)."""
    broken = []
    for metric, f in ((CASES, cases), (MONEY, money)):
        reduced = f.get("reduced", 0)
        if f["to_enforce"] != f["carried_over"] + f["received"] - f["entrusted_out"]:
            broken.append(RuleBreak(f"{metric}.to_enforce", TO_ENFORCE_SUM))
        if f["enforceable"] + f["not_yet_enforceable"] != f["to_enforce"]:
            broken.append(RuleBreak(f"{metric}.not_yet_enforceable", ENFORCEABLE_SPLIT))
        if f["completed"] + f["terminated"] > f["enforceable"]:
            broken.append(RuleBreak(f"{metric}.completed", RESOLVED_EXCEEDS_ENFORCEABLE))
        if f["carried_forward"] != f["to_enforce"] - f["completed"] - f["terminated"] - reduced:
            broken.append(RuleBreak(f"{metric}.carried_forward", CARRIED_FORWARD_SUM))
    return broken


def check_within(group: Mapping[str, Figures], all_group: Mapping[str, Figures]) -> list[RuleBreak]:
    """A thematic group's figures never exceed the `all` group's of the same report."""
    return [
        RuleBreak(f"{metric}.{name}", EXCEEDS_ALL_GROUP)
        for metric in METRICS
        for name in FIGURES[metric]
        if group[metric][name] > all_group[metric][name]
    ]


def check_cumulative(
    earlier: Mapping[str, Figures], later: Mapping[str, Figures], *, earlier_months: int
) -> list[RuleBreak]:
    """The cumulative flows of a later period never go below an earlier one's."""
    return [
        RuleBreak(f"{metric}.{name}", CUMULATIVE_DECREASE, (("months", earlier_months),))
        for metric in METRICS
        for name in CUMULATIVE
        if name in FIGURES[metric] and later[metric][name] < earlier[metric][name]
    ]


# --- rates ------------------------------------------------------------------------


def rate(f: Figures) -> Decimal | None:
    """Completion rate: (completed + terminated) / enforceable."""
    return percent(f["completed"] + f["terminated"], f["enforceable"])


def enforceable_share(f: Figures) -> Decimal | None:
    return percent(f["enforceable"], f["to_enforce"])


def points(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    """a − b in percentage points, from the printed (rounded) rates, as a
    conference computes its "tăng 2,66%"."""
    if a is None or b is None:
        return None
    return a - b


# --- periods ----------------------------------------------------------------------


def period_bounds(year: int, months: int) -> tuple[date, date]:
    """The first and last day of `months` cumulative months of statistical year
    `year` (1 October of year − 1 onward)."""
    first = date(year - 1, 10, 1)
    index = 8 + months  # the last month, counted from January of year − 1 (October = 9)
    end_year, end_month = year - 1 + index // 12, index % 12 + 1
    next_month = date(end_year + (end_month == 12), end_month % 12 + 1, 1)
    return first, next_month - timedelta(days=1)


# --- Vietnamese number format -----------------------------------------------------


def vn_int(value: int) -> str:
    """7479 → "7.479" (dots for thousands)."""
    return f"{value:,}".replace(",", ".")


def vn_money(value: int) -> str:
    """761546547000 → "761.546.547.000đ"."""
    return f"{vn_int(value)}đ"


def vn_percent(value: Decimal) -> str:
    """63.89 → "63,89"; 25.70 → "25,7"; 63.10 → "63,1" (the conference drops a
    trailing zero)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
