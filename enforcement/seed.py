"""Demo statistics from the seed document (enforcement.seed_figures), entered,
submitted and validated through the services as the Cục would have in April
2022; the 2022 targets; and the recurring reporting obligation. Idempotent:
what exists is left as it is."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from directives import services as directive_services
from directives.models import DocumentKind, SourceDocument
from enforcement import seed_figures as data
from enforcement import services
from enforcement.models import StatGroup, Target, UnitReport
from enforcement.obligation import OBLIGATION_RRULE, OBLIGATION_TITLE
from units.models import OrgUnit, User
from units.seed import LEADERSHIP_GROUP

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
DERIVED_NOTE = (
    "Số liệu toàn tỉnh theo báo cáo Hội nghị sơ kết 22/4/2022; phân bổ cho từng đơn vị là "
    "minh họa (tài liệu chỉ in số toàn tỉnh)."
)


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=9, tzinfo=LOCAL)


@transaction.atomic
def seed_statistics(*, director: User) -> int:
    """Enter, submit and validate the seed's reports; the number created."""
    seed_targets()
    if UnitReport.objects.filter(year=data.YEAR, months=data.MONTHS).exists():
        return 0
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=list(data.UNIT_WEIGHTS))}
    created = 0
    # `all` first: a group's report is checked against it.
    for (year, group), province in sorted(data.PROVINCE.items(), key=lambda i: i[0][1] != "all"):
        derived = sorted(
            {f"{m}.{name}" for m in ("cases", "money") for name in _names(m)}
            - data.PRINTED[(year, group)]
        )
        cases = data.split(province["cases"])
        money = data.split(province["money"])
        for code, unit in units.items():
            entered = _at(f"{year}-04-05")
            report = services.report_create(
                actor=director,
                unit=unit,
                year=year,
                months=data.MONTHS,
                group=group,
                cases=data.complete(cases[code], money=False),
                money=data.complete(money[code], money=True),
                note=DERIVED_NOTE,
                derived_fields=derived,
                now=entered,
            )
            services.report_submit(actor=director, report=report, now=entered)
            services.report_validate(actor=director, report=report, now=_at(f"{year}-04-12"))
            created += 1
    return created


def _names(metric: str):
    from enforcement.figures import FIGURES

    return FIGURES[metric]


def seed_targets() -> None:
    for year, group, metric, rate in data.TARGETS:
        Target.objects.get_or_create(
            year=year,
            group=StatGroup.objects.get(code=group),
            unit=None,
            metric=metric,
            defaults={"rate": Decimal(rate), "source": data.TARGET_SOURCE},
        )


def seed_leadership_permissions() -> None:
    """The leadership group of the demo may use the statistics admin."""
    group = Group.objects.filter(name=LEADERSHIP_GROUP).first()
    if group is not None:
        group.permissions.add(*Permission.objects.filter(content_type__app_label="enforcement"))


@transaction.atomic
def seed_obligation(*, director: User) -> SourceDocument | None:
    """The recurring directive "monthly statistics report": one assignment per
    Chi cục per month, due on the second weekday (see enforcement.obligation),
    chased by the ordinary reminders."""
    if SourceDocument.objects.filter(title=OBLIGATION_TITLE).exists():
        return None
    plan = directive_services.document_create(
        actor=director,
        kind=DocumentKind.PLAN,
        title=OBLIGATION_TITLE,
        issued_on=date(2022, 4, 29),
        issuing_unit=OrgUnit.objects.get(code="BG-CUC"),
        signatory="Nguyễn Thị Bích Tần",
        body=(
            "Thực hiện Thông tư số 06/2019/TT-BTP về chế độ báo cáo thống kê thi hành án dân sự, "
            "yêu cầu:\n(1) Các Chi cục THADS gửi báo cáo thống kê lũy kế từ 01/10 về Cục trong "
            "02 ngày làm việc sau khi kết thúc mỗi tháng."
        ),
    )
    (directive,) = directive_services.document_extract_confirm(actor=director, document=plan)
    directive_services.recurring_schedule_set(
        actor=director,
        directive=directive,
        rrule=OBLIGATION_RRULE,
        starts_on=date(2022, 5, 1),
        units=list(OrgUnit.objects.filter(kind="sub_department").order_by("code")),
    )
    directive_services.recurring_fan_out()
    return plan


def statistics_line(director: User) -> str:
    """The seeded province rates in one line, for `seed_demo` (hence `make run`)."""
    from enforcement.figures import vn_percent
    from enforcement.selectors import summary

    result = summary(
        user=director,
        year=data.YEAR,
        months=data.MONTHS,
        group=StatGroup.ALL,
    )

    def pct(value) -> str:
        return "—" if value is None else f"{vn_percent(value)}%"

    def points(value) -> str:
        return "—" if value is None else f"{'+' if value >= 0 else '−'}{vn_percent(abs(value))}"

    cases, money = result.cases, result.money
    return (
        f"Statistics, {data.MONTHS} months of {data.YEAR} ({result.reports} validated reports): "
        f"{pct(cases.rate)} of cases ({points(cases.change_points)} points on 2021), "
        f"{pct(money.rate)} of money ({points(money.change_points)}); "
        f"GET /api/v1/statistics/summary/?year={data.YEAR}&months={data.MONTHS} "
        f"and /api/v1/statistics/brief/?year={data.YEAR}&months={data.MONTHS}"
    )
