"""The conference brief: the results paragraph as a review conference prints it,
then the period's directive timeliness per unit.

Built from `enforcement.selectors.summary` (the same figures and rates as
`statistics/summary/`) and `reports.selectors.timeliness_report` (the one
timeliness computation): this module only words and formats them, in the
conference's number format (7.479; 63,89%; 761.546.547.000đ).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from enforcement import figures as fig
from enforcement.models import StatGroup
from enforcement.selectors import MetricSummary, Summary, summary
from reports.selectors import timeliness_report

# How the conference words each thematic group (the seed document's own phrases).
GROUP_LEADS = {
    "credit": (
        "Đối với thi hành các việc liên quan đến thu hồi nợ của tổ chức tín dụng",
        "đã thi hành được",
    ),
    "budget": ("Đối với thi hành các khoản thu cho ngân sách nhà nước", "đã thi hành được"),
    "prisoners": (
        "Đối với thi hành phần dân sự trong các bản án, quyết định hình sự đối với người đang "
        "chấp hành hình phạt tù tại các trại giam",
        "đã thi hành xong",
    ),
    "corruption": (
        "Đối với thu hồi tài sản bị chiếm đoạt, thất thoát trong các vụ án hình sự về tham "
        "nhũng, kinh tế",
        "đã thi hành xong",
    ),
}


@dataclass
class Brief:
    title: str
    paragraph: str
    target_sentence: str
    timeliness_title: str
    timeliness_lines: list[str]

    def text(self) -> str:
        parts = [self.title, "", self.paragraph]
        if self.target_sentence:
            parts += ["", self.target_sentence]
        parts += ["", self.timeliness_title, *self.timeliness_lines]
        return "\n".join(parts) + "\n"

    def docx(self) -> bytes:
        from docx import Document

        document = Document()
        document.add_heading(self.title, level=1)
        document.add_paragraph(self.paragraph)
        if self.target_sentence:
            document.add_paragraph(self.target_sentence)
        document.add_heading(self.timeliness_title, level=2)
        for line in self.timeliness_lines:
            document.add_paragraph(line.removeprefix("- "), style="List Bullet")
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{fig.vn_percent(value)}%"


def _resolved(metric: MetricSummary) -> int:
    return metric.figures["completed"] + metric.figures["terminated"]


def _change(cases: Decimal, money: Decimal, previous_year: int) -> str:
    def way(value: Decimal) -> str:
        return "giảm" if value < 0 else "tăng"

    if way(cases) == way(money):
        change = f"{way(cases)} {_pct(abs(cases))} về việc và {_pct(abs(money))} về tiền"
    else:
        change = f"{way(cases)} {_pct(abs(cases))} về việc, {way(money)} {_pct(abs(money))} về tiền"
    return f" {change} so với tỷ lệ đạt được cùng kỳ năm {previous_year}"


def _all_sentence(total: Summary) -> str:
    cases, money = total.cases, total.money
    text = (
        f"Trong số {fig.vn_int(cases.figures['enforceable'])} việc = "
        f"{fig.vn_money(money.figures['enforceable'])} (chiếm {_pct(cases.enforceable_share)} "
        f"về việc và {_pct(money.enforceable_share)} về tiền trong tổng số phải thi hành), "
        f"đã thi hành xong {fig.vn_int(_resolved(cases))} việc (đạt tỷ lệ {_pct(cases.rate)}) = "
        f"{fig.vn_money(_resolved(money))} (đạt tỷ lệ {_pct(money.rate)})"
    )
    if cases.change_points is not None and money.change_points is not None:
        text += _change(cases.change_points, money.change_points, total.year - 1)
    return text


def _group_sentence(group: StatGroup, total: Summary) -> str:
    lead, verb = GROUP_LEADS.get(group.code, (f"Đối với nhóm {group.name}", "đã thi hành được"))
    return (
        f"{lead}, {verb} {fig.vn_int(_resolved(total.cases))} việc = "
        f"{fig.vn_money(_resolved(total.money))}, đạt tỷ lệ {_pct(total.cases.rate)} về việc và "
        f"{_pct(total.money.rate)} về tiền"
    )


def _period_name(year: int, months: int) -> str:
    first, end = fig.period_bounds(year, months)
    span = f"từ {first:%d/%m/%Y} đến {end:%d/%m/%Y}"
    if months == 12:
        return f"năm {year} ({span})"
    return f"{months} tháng đầu năm {year} ({span})"


def build_brief(*, user, year: int, months: int) -> Brief:
    """The brief of what `user` may see (the province for leadership). A group
    without any validated report of the period is left out."""
    groups = list(StatGroup.objects.order_by("position", "id"))
    summaries = [(g, summary(user=user, year=year, months=months, group=g.code)) for g in groups]
    sentences = []
    target_sentence = ""
    for group, total in summaries:
        if not total.reports:
            continue
        if group.code == StatGroup.ALL:
            sentences.append(_all_sentence(total))
            cases, money = total.cases, total.money
            if cases.target is not None and money.target is not None:
                target_sentence = (
                    f"Chỉ tiêu được giao năm {year}: trên {_pct(cases.target)} về việc và trên "
                    f"{_pct(money.target)} về tiền; so với chỉ tiêu, tỷ lệ đạt được "
                    f"{_gap(cases.gap_points)} về việc và {_gap(money.gap_points)} về tiền."
                )
        else:
            sentences.append(_group_sentence(group, total))
    if sentences:
        numbered = "; ".join(f"({i}) {s}" for i, s in enumerate(sentences, start=1))
        paragraph = f"Kết quả thi hành án dân sự, cụ thể: {numbered}."
    else:
        paragraph = "Chưa có báo cáo thống kê nào của kỳ được duyệt."

    first, end = fig.period_bounds(year, months)
    report = timeliness_report(user=user, group_by="unit", filters={"from": first, "to": end})
    lines = [
        f"- {row['label']}: {row['total']} nhiệm vụ; hoàn thành đúng hạn {row['done_on_time']}, "
        f"hoàn thành quá hạn {row['done_late']}, chưa hoàn thành trong hạn "
        f"{row['open_on_time']}, quá hạn {row['open_overdue']}; tỷ lệ đúng hạn "
        f"{_pct(row['on_time_rate'])}"
        for row in report["rows"]
    ] or ["- Không có nhiệm vụ nào có hạn trong kỳ."]
    return Brief(
        title=f"Kết quả công tác thi hành án dân sự {_period_name(year, months)}",
        paragraph=paragraph,
        target_sentence=target_sentence,
        timeliness_title="Tiến độ thực hiện nhiệm vụ có hạn trong kỳ, theo đơn vị",
        timeliness_lines=lines,
    )


def _gap(value: Decimal | None) -> str:
    if value is None:
        return "—"
    word = "cao hơn" if value >= 0 else "thấp hơn"
    return f"{word} {fig.vn_percent(abs(value))} điểm %"
