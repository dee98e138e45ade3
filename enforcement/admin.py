"""The statistics admin for leadership: enter a unit's figures, import them
from XLSX, submit and validate; the reports still missing for a period; groups
and targets. Every write to a report goes through enforcement.services, so the
admin checks the same rules and writes the same history as the API."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from enforcement import figures as fig
from enforcement import imports, selectors, services
from enforcement.models import (
    COLUMNS,
    MissingReport,
    ReportEvent,
    ReportStatus,
    StatGroup,
    Target,
    UnitReport,
    figure_columns,
)
from thads.clock import local_today
from thads.errors import DomainError
from units.models import OrgUnit


@admin.register(StatGroup)
class StatGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "position"]

    def has_delete_permission(self, request, obj=None):
        return False  # reports refer to their group


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["year", "group", "unit", "metric", "rate", "source"]
    list_filter = ["year", "group", "metric"]


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class UnitReportForm(forms.ModelForm):
    group = forms.ModelChoiceField(queryset=StatGroup.objects.all(), to_field_name="code")

    class Meta:
        model = UnitReport
        fields = ["unit", "year", "months", "group", "note", *COLUMNS]

    def _post_clean(self):
        # The services validate (and write); the model's own checks would only
        # repeat them with less precise messages.
        self.instance = construct_instance(self, self.instance, self._meta.fields)


def _split(data: dict) -> tuple[dict, dict]:
    values: dict[str, dict] = {fig.CASES: {}, fig.MONEY: {}}
    for column, metric, name in figure_columns():
        values[metric][name] = data.get(column)
    return values[fig.CASES], values[fig.MONEY]


def _run(modeladmin, request, queryset, service) -> None:
    done = 0
    for report in queryset:
        try:
            service(actor=request.user, report=report)
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{report}: {exc.message}", level=messages.ERROR)
    if done:
        modeladmin.message_user(request, _("Đã xử lý %d báo cáo.") % done, level=messages.SUCCESS)


class ImportForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=OrgUnit.objects.order_by("code"), label=_("Đơn vị"))
    year = forms.IntegerField(min_value=fig.FIRST_YEAR, max_value=fig.LAST_YEAR, label=_("Năm"))
    months = forms.IntegerField(min_value=1, max_value=12, label=_("Số tháng"))
    file = forms.FileField(label=_("Tệp XLSX"))


@admin.register(UnitReport)
class UnitReportAdmin(admin.ModelAdmin):
    form = UnitReportForm
    list_display = ["unit", "year", "months", "group", "status", "due_date", "submitted_at"]
    list_filter = ["status", "year", "months", "group"]
    list_select_related = ["unit", "group"]
    search_fields = ["unit__name", "unit__code"]
    inlines = [ReportEventInline]
    actions = ["submit_reports", "validate_reports"]
    change_list_template = "admin/enforcement/unitreport/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        base = ["status", "due_date", "return_reason", "derived_fields", "version"]
        if obj is None:
            return base
        if obj.status != ReportStatus.DRAFT:
            return [*base, "unit", "year", "months", "group", "note", *COLUMNS]
        return [*base, "unit", "year", "months", "group"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        cases, money = _split(form.cleaned_data)
        try:
            if change:
                report = services.report_update(
                    actor=request.user,
                    report=obj,
                    cases=cases,
                    money=money,
                    note=form.cleaned_data.get("note", ""),
                )
            else:
                report = services.report_create(
                    actor=request.user,
                    unit=form.cleaned_data["unit"],
                    year=form.cleaned_data["year"],
                    months=form.cleaned_data["months"],
                    group=form.cleaned_data["group"].code,
                    cases=cases,
                    money=money,
                    note=form.cleaned_data.get("note", ""),
                )
        except DomainError as exc:
            raise ValidationError(_error_text(exc)) from exc
        obj.pk = report.pk
        obj._state.adding = False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level=messages.ERROR)
            return redirect(request.get_full_path())

    @admin.action(description=_("Gửi các báo cáo đã chọn"))
    def submit_reports(self, request, queryset):
        _run(self, request, queryset, services.report_submit)

    @admin.action(description=_("Duyệt các báo cáo đã chọn"))
    def validate_reports(self, request, queryset):
        _run(self, request, queryset, services.report_validate)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="enforcement_unitreport_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload a unit's figures (XLSX); all rows or none are entered."""
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = ImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                rows = imports.read_rows(data["file"])
                reports = services.report_import(
                    actor=request.user,
                    unit=data["unit"],
                    year=data["year"],
                    months=data["months"],
                    rows=rows,
                )
            except imports.UnreadableWorkbook as exc:
                errors = [str(exc)]
            except DomainError as exc:
                errors = [str(exc.message)] + [
                    f"{where}: {message}"
                    for where, items in exc.fields.items()
                    for message in items
                ]
            else:
                self.message_user(
                    request,
                    _("Đã nhập %d báo cáo (nháp).") % len(reports),
                    level=messages.SUCCESS,
                )
                return redirect(reverse("admin:enforcement_unitreport_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Nhập số liệu thống kê từ tệp XLSX"),
            "form": form,
            "errors": errors,
            "opts": self.model._meta,
            "columns": ["group", "metric", *fig.MONEY_FIGURES],
        }
        return TemplateResponse(request, "admin/enforcement/unitreport/import.html", context)


def _error_text(exc: DomainError) -> str:
    details = [f"{name}: {'; '.join(map(str, items))}" for name, items in exc.fields.items()]
    return " ".join([str(exc.message), *details])


class PeriodFilter(admin.SimpleListFilter):
    """The period whose missing reports are listed: the last 24 months' periods,
    the last period that has ended by default."""

    title = _("kỳ báo cáo")
    parameter_name = "period"

    @staticmethod
    def periods():
        today = local_today()
        year = today.year + 1 if today.month >= 10 else today.year
        months = (today.month - 10) % 12  # months of this statistical year ended
        found = []
        for _step in range(24):
            if months == 0:
                year, months = year - 1, 12
            found.append((year, months))
            months -= 1
        return found

    def lookups(self, request, model_admin):
        return [
            (f"{y}-{m}", _("%(months)s tháng năm %(year)s") % {"months": m, "year": y})
            for y, m in self.periods()
        ]

    def chosen(self) -> tuple[int, int]:
        try:
            year, months = (int(part) for part in (self.value() or "").split("-"))
            services.check_period(year, months)
        except (ValueError, DomainError):
            return self.periods()[0]
        return year, months

    def choices(self, changelist):
        year, months = self.chosen()
        chosen = f"{year}-{months}"
        for value, label in self.lookup_choices:
            yield {
                "selected": value == chosen,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        year, months = self.chosen()
        return queryset.filter(pk__in=selectors.missing_reports(year=year, months=months))


@admin.register(MissingReport)
class MissingReportAdmin(admin.ModelAdmin):
    """The units that owe the period's report and have not submitted it."""

    list_display = ["code", "name", "kind"]
    list_filter = [PeriodFilter]
    search_fields = ["code", "name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("enforcement.view_unitreport")
