"""The admin's report page: the timeliness counts leadership sees in the API,
grouped as asked (`?group_by=`), with the CSV and XLSX downloads; plus the
export jobs, read-only."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from reports.models import ExportJob, TimelinessSummary
from reports.selectors import GROUP_BY_CHOICES, timeliness_report
from reports.tables import COUNT_COLUMNS, GROUP_HEADERS


@admin.register(TimelinessSummary)
class TimelinessSummaryAdmin(admin.ModelAdmin):
    """Not a list of rows: the report itself, for the signed-in staff member's scope."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        group_by = request.GET.get("group_by", "unit")
        if group_by not in GROUP_BY_CHOICES:
            group_by = "unit"
        report = timeliness_report(user=request.user, group_by=group_by)
        columns = [(c.key, c.header) for c in COUNT_COLUMNS]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Báo cáo tiến độ thực hiện nhiệm vụ"),
            "group_by": group_by,
            "groupings": [(key, GROUP_HEADERS[key]) for key in GROUP_BY_CHOICES],
            "group_header": GROUP_HEADERS[group_by],
            "columns": columns,
            "rows": [(row["label"], [row[key] for key, _ in columns]) for row in report["rows"]],
            "totals": [report["totals"][key] for key, _ in columns],
            "today": report["today"],
        }
        return TemplateResponse(request, "admin/reports/timeliness.html", context)


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "kind", "format", "status", "row_count", "created_at")
    list_filter = ("status", "kind", "format")
    readonly_fields = [f.name for f in ExportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
