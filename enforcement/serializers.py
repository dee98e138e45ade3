"""Shapes of the statistics API. Inputs are checked strictly: a figure is a JSON
integer (the services refuse floats, strings and negatives and name the rule);
query parameters are whole numbers within their ranges."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from enforcement import figures as fig
from enforcement.models import ReportStatus, UnitReport
from thads.api.ids import MAX_ID
from thads.api.validation import QuerySerializer


def _figures_schema(names) -> dict:
    return {
        "type": "object",
        "properties": {
            name: {"type": "integer", "minimum": 0, "maximum": fig.MAX_FIGURE} for name in names
        },
        "required": list(names),
        "additionalProperties": False,
    }


@extend_schema_field(_figures_schema(fig.CASE_FIGURES))
class CaseFiguresField(serializers.JSONField):
    """Passed to the service as sent: the service names each bad figure."""


@extend_schema_field(_figures_schema(fig.MONEY_FIGURES))
class MoneyFiguresField(serializers.JSONField):
    pass


class StatisticsReportSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    group = serializers.CharField(source="group.code", read_only=True)
    cases = serializers.SerializerMethodField()
    money = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = UnitReport
        fields = [
            "id",
            "unit",
            "unit_name",
            "year",
            "months",
            "group",
            "status",
            "due_date",
            "cases",
            "money",
            "derived_fields",
            "note",
            "return_reason",
            "version",
            "allowed_actions",
            "created_at",
            "submitted_at",
            "validated_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(_figures_schema(fig.CASE_FIGURES))
    def get_cases(self, obj) -> dict:
        return obj.figures()[fig.CASES]

    @extend_schema_field(_figures_schema(fig.MONEY_FIGURES))
    def get_money(self, obj) -> dict:
        return obj.figures()[fig.MONEY]

    def get_allowed_actions(self, obj) -> list[str]:
        from enforcement.services import REPORT_ACTIONS, _may

        scope = self.context["scope"]
        return [
            action
            for action, (who, statuses) in REPORT_ACTIONS.items()
            if obj.status in statuses and _may(scope, who, obj.unit_id)
        ]


class StatisticsReportCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    year = serializers.JSONField()
    months = serializers.JSONField()
    group = serializers.SlugField(max_length=32, default="all")
    cases = CaseFiguresField()
    money = MoneyFiguresField()
    note = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)


class StatisticsReportUpdateSerializer(serializers.Serializer):
    cases = CaseFiguresField()
    money = MoneyFiguresField()
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class StatisticsReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class StatisticsEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    actor = serializers.CharField(source="actor.username", default=None)
    at = serializers.DateTimeField()
    note = serializers.CharField()
    before = serializers.JSONField()
    after = serializers.JSONField()


class PeriodQuerySerializer(QuerySerializer):
    year = serializers.IntegerField(min_value=fig.FIRST_YEAR, max_value=fig.LAST_YEAR)
    months = serializers.IntegerField(min_value=1, max_value=12)
    group = serializers.SlugField(max_length=32, default="all")


class SummaryQuerySerializer(PeriodQuerySerializer):
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class ReportFilterSerializer(QuerySerializer):
    extra_params = frozenset({"cursor", "page_size"})  # the paginator's
    year = serializers.IntegerField(
        min_value=fig.FIRST_YEAR, max_value=fig.LAST_YEAR, required=False
    )
    months = serializers.IntegerField(min_value=1, max_value=12, required=False)
    group = serializers.SlugField(max_length=32, required=False)
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    status = serializers.ChoiceField(choices=ReportStatus.choices, required=False)


class BriefQuerySerializer(QuerySerializer):
    year = serializers.IntegerField(min_value=fig.FIRST_YEAR, max_value=fig.LAST_YEAR)
    months = serializers.IntegerField(min_value=1, max_value=12)
    format = serializers.ChoiceField(choices=["text", "docx"], default="text")


class ExportQuerySerializer(PeriodQuerySerializer):
    format = serializers.ChoiceField(choices=["json", "csv", "xlsx"], default="json")


class ChartQuerySerializer(PeriodQuerySerializer):
    format = serializers.ChoiceField(choices=["png", "svg"], default="png")
    metric = serializers.ChoiceField(choices=[fig.CASES, fig.MONEY], default=fig.CASES)


RATE = {"type": "number", "nullable": True, "description": _("Phần trăm, hai chữ số thập phân")}


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            **{name: {"type": "integer"} for name in fig.MONEY_FIGURES},
            "enforceable_share": RATE,
            "rate": RATE,
            "same_period_rate": RATE,
            "change_points": RATE,
            "target": RATE,
            "gap_points": RATE,
        },
    }
)
class MetricSummaryField(serializers.Field):
    def to_representation(self, value):
        return metric_payload(value)


def _number(value):
    # Rates are Decimal with two places; the renderer writes Decimal as a
    # string, and the contract wants a JSON number. A two-place value below
    # 10^13 round-trips exactly through a float's shortest representation.
    return None if value is None else float(value)


def metric_payload(metric) -> dict:
    return {
        **metric.figures,
        "enforceable_share": _number(metric.enforceable_share),
        "rate": _number(metric.rate),
        "same_period_rate": _number(metric.same_period_rate),
        "change_points": _number(metric.change_points),
        "target": _number(metric.target),
        "gap_points": _number(metric.gap_points),
    }


class StatisticsSummarySerializer(serializers.Serializer):
    year = serializers.IntegerField()
    months = serializers.IntegerField()
    group = serializers.CharField()
    unit = serializers.IntegerField(source="unit.pk", allow_null=True, default=None)
    reports = serializers.IntegerField()
    same_period_reports = serializers.IntegerField()
    cases = MetricSummaryField()
    money = MetricSummaryField()


class StatisticsUnitRowSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    code = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="unit.name")
    reports = serializers.IntegerField()
    cases = MetricSummaryField()
    money = MetricSummaryField()


@extend_schema_field(OpenApiTypes.BINARY)
class BinaryField(serializers.Field):
    pass
