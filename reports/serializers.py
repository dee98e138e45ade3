"""Query parameters of the reports (validated like bodies: a 400 naming each bad
one) and the shapes of their answers (for the OpenAPI schema)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reports.charts import CHART_FORMATS
from reports.exports import FORMATS
from reports.models import ExportFormat, ExportJob, ExportKind
from reports.selectors import GROUP_BY_CHOICES, ReportFilters
from thads.api.fields import DayField
from thads.api.ids import MAX_ID
from thads.api.validation import QuerySerializer

# Parameters a query serializer does not declare but a view reads (pagination).
PAGING_PARAMS = frozenset({"cursor", "page_size"})


def _id_field(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_ID, help_text=help_text
    )


class ReportFilterQuerySerializer(QuerySerializer):
    document = _id_field("Source document id.")
    directive = _id_field("Directive id.")
    unit = _id_field("Unit id (404 when outside the caller's scope).")
    category = serializers.CharField(
        required=False, max_length=40, help_text="Directive category code."
    )
    # `from` is a Python keyword: declared through the class namespace.
    vars()["from"] = DayField(
        required=False, help_text="Deadlines on or after this day (YYYY-MM-DD)."
    )
    to = DayField(required=False, help_text="Deadlines on or before this day (YYYY-MM-DD).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("from"), attrs.get("to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"from": [_("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.")]}
            )
        return attrs

    @staticmethod
    def report_filters(data: dict[str, Any]) -> ReportFilters:
        return ReportFilters(
            document=data.get("document"),
            directive=data.get("directive"),
            unit=data.get("unit"),
            category=data.get("category") or None,
            date_from=data.get("from"),
            date_to=data.get("to"),
        )


class TimelinessQuerySerializer(ReportFilterQuerySerializer):
    group_by = serializers.ChoiceField(choices=GROUP_BY_CHOICES, default="unit")
    format = serializers.ChoiceField(
        choices=("json", *FORMATS),
        required=False,
        help_text="`csv` or `xlsx` for a download; JSON otherwise.",
    )


class ChartQuerySerializer(ReportFilterQuerySerializer):
    group_by = serializers.ChoiceField(choices=GROUP_BY_CHOICES, default="unit")
    format = serializers.ChoiceField(choices=CHART_FORMATS, default="png")


class OverdueQuerySerializer(ReportFilterQuerySerializer):
    extra_params = PAGING_PARAMS
    format = serializers.ChoiceField(
        choices=("json", *FORMATS),
        required=False,
        help_text="`csv` or `xlsx` for a download; a page of JSON otherwise.",
    )


class DownloadFormatSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=FORMATS)


# --- answers ----------------------------------------------------------------------------

RATE = {"max_digits": 5, "decimal_places": 2, "coerce_to_string": False, "allow_null": True}


class TimelinessCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Assignments that are not cancelled.")
    done_on_time = serializers.IntegerField()
    done_late = serializers.IntegerField()
    open_on_time = serializers.IntegerField()
    open_overdue = serializers.IntegerField()
    extensions_approved = serializers.IntegerField()
    reports_returned = serializers.IntegerField()
    on_time_rate = serializers.DecimalField(
        **RATE,
        help_text="done_on_time / (done_on_time + done_late + open_overdue), in percent, "
        "two decimals rounded half up; null when that base is 0.",
    )
    avg_delay_working_days = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        coerce_to_string=False,
        allow_null=True,
        help_text="Average working days from deadline to completion of the done-late ones.",
    )


class TimelinessRowSerializer(TimelinessCountsSerializer):
    key = serializers.JSONField(
        help_text="Unit, document or directive id; category code; month as YYYY-MM."
    )
    label = serializers.CharField(help_text="The Vietnamese name of the group.")


class TimelinessReportSerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=GROUP_BY_CHOICES)
    today = serializers.DateField(help_text="The local day timeliness was judged on.")
    filters = serializers.DictField(help_text="The filters applied.")
    rows = TimelinessRowSerializer(many=True)
    totals = TimelinessCountsSerializer()


class OverdueItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.IntegerField()
    unit_code = serializers.CharField()
    unit_name = serializers.CharField()
    directive = serializers.IntegerField()
    directive_label = serializers.CharField()
    directive_title = serializers.CharField()
    document = serializers.IntegerField()
    role = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    due_date = serializers.DateField()
    original_due_date = serializers.DateField()
    days_overdue = serializers.IntegerField(help_text="Working days past the deadline.")
    last_progress_percent = serializers.IntegerField(allow_null=True)
    last_progress_note = serializers.CharField()
    last_progress_at = serializers.DateTimeField(allow_null=True)


class ExportCreateInputSerializer(serializers.Serializer):
    report = serializers.ChoiceField(choices=ExportKind.choices)
    format = serializers.ChoiceField(choices=ExportFormat.choices)
    params = serializers.DictField(
        child=serializers.CharField(max_length=200, allow_blank=True),
        required=False,
        default=dict,
        help_text="The report's query parameters, as in its GET (without format).",
    )


class ExportJobSerializer(serializers.ModelSerializer):
    report = serializers.CharField(source="kind")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "report",
            "format",
            "params",
            "status",
            "row_count",
            "error",
            "created_at",
            "finished_at",
            "expires_at",
            "download_url",
        ]

    def get_download_url(self, job: ExportJob) -> str | None:
        request = self.context.get("request")
        if job.status != "done" or request is None:
            return None
        return request.build_absolute_uri(reverse("v1:export-download", args=[job.pk]))


class CalendarFeedSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The secret iCalendar URL: whoever has it reads it.")
