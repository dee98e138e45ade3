"""Enforcement statistics: each unit's figures per period and group, their
workflow, and the targets leadership sets.

A report holds raw counts and whole đồng only; rates are always computed
(enforcement.figures), never stored. The figures live in plain columns named
`<metric>_<figure>` so that the province totals are one SQL aggregate.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from enforcement.figures import (
    CASE_FIGURES,
    CASES,
    FIGURE_HEADERS,
    FIRST_YEAR,
    LAST_YEAR,
    METRIC_NAMES,
    MONEY,
    MONEY_FIGURES,
)
from thads.models import NFCTextModel
from units.models import OrgUnit


class StatGroup(NFCTextModel):
    """A group of cases the figures are kept for: `all`, and the thematic groups
    (credit-institution debts, state-budget receipts, ...). Leadership adds more
    in the admin; a group in use is never deleted."""

    ALL = "all"

    code = models.SlugField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("nhóm thống kê")
        verbose_name_plural = _("nhóm thống kê")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Nháp")
    SUBMITTED = "submitted", _("Đã gửi")
    VALIDATED = "validated", _("Đã duyệt")


def _figure(metric: str, name: str) -> models.BigIntegerField:
    # Whole việc or whole đồng: a province's money exceeds 2^31 many times over.
    label = format_lazy("{} ({})", FIGURE_HEADERS[name], METRIC_NAMES[metric])
    return models.BigIntegerField(label, default=0)


def figure_columns() -> list[tuple[str, str, str]]:
    """(column, metric, figure) for every figure of a report."""
    return [(f"{CASES}_{name}", CASES, name) for name in CASE_FIGURES] + [
        (f"{MONEY}_{name}", MONEY, name) for name in MONEY_FIGURES
    ]


COLUMNS = [column for column, _metric, _name in figure_columns()]


def _rule_constraints() -> list[models.CheckConstraint]:
    """The arithmetic of enforcement.figures.check_report, held by the database too."""
    constraints = [
        models.CheckConstraint(
            condition=Q(**{f"{column}__gte": 0}), name=f"unitreport_{column}_ge0"
        )
        for column in COLUMNS
    ]
    for metric in (CASES, MONEY):

        def f(name, metric=metric):
            return F(f"{metric}_{name}")

        reduced = f("reduced") if metric == MONEY else 0
        constraints += [
            models.CheckConstraint(
                condition=Q(
                    **{
                        f"{metric}_to_enforce": f("carried_over")
                        + f("received")
                        - f("entrusted_out")
                    }
                ),
                name=f"unitreport_{metric}_to_enforce_sum",
            ),
            models.CheckConstraint(
                condition=Q(
                    **{f"{metric}_to_enforce": f("enforceable") + f("not_yet_enforceable")}
                ),
                name=f"unitreport_{metric}_enforceable_split",
            ),
            models.CheckConstraint(
                condition=Q(**{f"{metric}_enforceable__gte": f("completed") + f("terminated")}),
                name=f"unitreport_{metric}_resolved_le_enforceable",
            ),
            models.CheckConstraint(
                condition=Q(
                    **{
                        f"{metric}_carried_forward": f("to_enforce")
                        - f("completed")
                        - f("terminated")
                        - reduced
                    }
                ),
                name=f"unitreport_{metric}_carried_forward_sum",
            ),
        ]
    return constraints


class UnitReport(models.Model):
    """One unit's figures for one period (statistical `year`, `months` elapsed
    since 1 October) and one group. Draft → submitted → validated, or returned
    to draft with a reason. Validated reports are immutable: the services refuse,
    and a database trigger (migration 0002) refuses any UPDATE (and DELETE on
    PostgreSQL) too."""

    unit = models.ForeignKey(
        "units.OrgUnit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm thống kê"))
    months = models.PositiveSmallIntegerField(_("số tháng"))
    group = models.ForeignKey(
        StatGroup, verbose_name=_("nhóm"), on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    due_date = models.DateField(_("hạn gửi"))
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    # Figures of the seed that the source document does not print (a base that
    # only its printed rate constrains); docs/decisions.md says how they were made.
    derived_fields = models.JSONField(_("số liệu suy ra"), default=list, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    # The period's obligation to report (the recurring "monthly statistics
    # report" directive), completed when this report is submitted.
    assignment = models.ForeignKey(
        "directives.Assignment",
        verbose_name=_("nhiệm vụ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tạo lúc"))
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    validated_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người duyệt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"))

    cases_carried_over = _figure(CASES, "carried_over")
    cases_received = _figure(CASES, "received")
    cases_entrusted_out = _figure(CASES, "entrusted_out")
    cases_to_enforce = _figure(CASES, "to_enforce")
    cases_enforceable = _figure(CASES, "enforceable")
    cases_not_yet_enforceable = _figure(CASES, "not_yet_enforceable")
    cases_completed = _figure(CASES, "completed")
    cases_terminated = _figure(CASES, "terminated")
    cases_carried_forward = _figure(CASES, "carried_forward")
    money_carried_over = _figure(MONEY, "carried_over")
    money_received = _figure(MONEY, "received")
    money_entrusted_out = _figure(MONEY, "entrusted_out")
    money_to_enforce = _figure(MONEY, "to_enforce")
    money_enforceable = _figure(MONEY, "enforceable")
    money_not_yet_enforceable = _figure(MONEY, "not_yet_enforceable")
    money_completed = _figure(MONEY, "completed")
    money_terminated = _figure(MONEY, "terminated")
    money_reduced = _figure(MONEY, "reduced")
    money_carried_forward = _figure(MONEY, "carried_forward")

    class Meta:
        verbose_name = _("báo cáo thống kê")
        verbose_name_plural = _("báo cáo thống kê")
        ordering = ["-year", "-months", "unit_id", "group_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "months", "group"], name="unitreport_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(months__gte=1, months__lte=12), name="unitreport_months_1_12"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR),
                name="unitreport_year_in_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="unitreport_status_valid"
            ),
            *_rule_constraints(),
        ]
        indexes = [
            models.Index(fields=["year", "months", "group", "status"], name="unitreport_period"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}/{self.months}T {self.group}"

    def figures(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {CASES: {}, MONEY: {}}
        for column, metric, name in figure_columns():
            out[metric][name] = getattr(self, column)
        return out


class ReportEvent(models.Model):
    """The history of a report. Append-only: written by the services only."""

    class Action(models.TextChoices):
        CREATED = "created", _("Tạo")
        UPDATED = "updated", _("Sửa")
        SUBMITTED = "submitted", _("Gửi")
        RETURNED = "returned", _("Trả lại")
        VALIDATED = "validated", _("Duyệt")

    report = models.ForeignKey(
        UnitReport, verbose_name=_("báo cáo"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("thao tác"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("thời điểm"))
    note = models.TextField(_("ghi chú"), blank=True)
    before = models.JSONField(_("trước"), default=dict)
    after = models.JSONField(_("sau"), default=dict)

    class Meta:
        verbose_name = _("lịch sử báo cáo thống kê")
        verbose_name_plural = _("lịch sử báo cáo thống kê")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report} {self.get_action_display()}"


class Target(models.Model):
    """A target rate (chỉ tiêu) for a year, group and metric: the province's
    when `unit` is empty, else that unit's. "Above 81,50 %" is stored as 81.50."""

    year = models.PositiveSmallIntegerField(_("năm thống kê"))
    group = models.ForeignKey(
        StatGroup, verbose_name=_("nhóm thống kê"), on_delete=models.PROTECT, related_name="targets"
    )
    unit = models.ForeignKey(
        "units.OrgUnit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    metric = models.CharField(
        _("chỉ tiêu về"),
        max_length=5,
        choices=[(CASES, _("việc")), (MONEY, _("tiền"))],
    )
    rate = models.DecimalField(_("tỷ lệ (%)"), max_digits=5, decimal_places=2)
    source = models.CharField(_("căn cứ"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["-year", "group_id", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "group", "unit", "metric"], name="target_unique_unit"
            ),
            models.UniqueConstraint(
                fields=["year", "group", "metric"],
                condition=Q(unit__isnull=True),
                name="target_unique_province",
            ),
            models.CheckConstraint(condition=Q(metric__in=[CASES, MONEY]), name="target_metric"),
            models.CheckConstraint(
                condition=Q(rate__gte=0, rate__lte=100), name="target_rate_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.group} {self.metric} {self.rate}"


class MissingReport(OrgUnit):
    """A unit seen as the owner of a missing report (the admin's changelist of
    the reports a period still lacks). No table of its own."""

    class Meta:
        proxy = True
        verbose_name = _("báo cáo còn thiếu")
        verbose_name_plural = _("báo cáo còn thiếu")
