"""The statistics API (DESIGN §5b): unit reports and their workflow, the
summary, its per-unit export and chart, and the conference brief. Views
validate input, call one service or selector, and shape the answer."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from enforcement import exports, selectors, services
from enforcement.brief import build_brief
from enforcement.serializers import (
    BriefQuerySerializer,
    ChartQuerySerializer,
    ExportQuerySerializer,
    ReportFilterSerializer,
    StatisticsEventSerializer,
    StatisticsReportCreateSerializer,
    StatisticsReportSerializer,
    StatisticsReportUpdateSerializer,
    StatisticsReturnSerializer,
    StatisticsSummarySerializer,
    StatisticsUnitRowSerializer,
    SummaryQuerySerializer,
)
from thads.api.ids import ID_LOOKUP_REGEX
from thads.api.negotiation import DownloadFormatNegotiation
from thads.api.validation import validated, validated_query
from thads.errors import NotFoundError, found
from units.models import OrgUnit
from units.selectors import user_scope


def _visible_unit(request, unit_id: int | None) -> OrgUnit | None:
    if unit_id is None:
        return None
    if not user_scope(user=request.user).can_see_unit(unit_id):
        raise NotFoundError()
    return found(OrgUnit.objects.filter(pk=unit_id).first())


@extend_schema_view(list=extend_schema(parameters=[ReportFilterSerializer]))
class StatisticsReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A unit's figures for a period and group. Draft → submitted → validated,
    or returned to draft with a reason; a validated report never changes."""

    lookup_value_regex = ID_LOOKUP_REGEX
    serializer_class = StatisticsReportSerializer

    def get_queryset(self):
        filters = {}
        if self.action == "list":
            filters = validated_query(ReportFilterSerializer, self.request)
        return selectors.report_list(user=self.request.user, filters=filters)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "scope": user_scope(user=self.request.user)}

    def _report(self, pk) -> object:
        return found(selectors.report_get(user=self.request.user, pk=pk))

    def _answer(self, report, code=status.HTTP_200_OK):
        report = selectors.report_get(user=self.request.user, pk=report.pk)
        return Response(self.get_serializer(report).data, status=code)

    @extend_schema(
        request=StatisticsReportCreateSerializer, responses={201: StatisticsReportSerializer}
    )
    def create(self, request):
        data = validated(StatisticsReportCreateSerializer, request)
        unit = _visible_unit(request, data.pop("unit"))
        report = services.report_create(actor=request.user, unit=unit, **data)
        return self._answer(report, status.HTTP_201_CREATED)

    @extend_schema(request=StatisticsReportUpdateSerializer, responses=StatisticsReportSerializer)
    def partial_update(self, request, pk=None):
        data = validated(StatisticsReportUpdateSerializer, request)
        report = services.report_update(actor=request.user, report=self._report(pk), **data)
        return self._answer(report)

    @extend_schema(request=None, responses=StatisticsReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = services.report_submit(actor=request.user, report=self._report(pk))
        return self._answer(report)

    @extend_schema(request=None, responses=StatisticsReportSerializer)
    @action(detail=True, methods=["post"])
    def validate(self, request, pk=None):
        report = services.report_validate(actor=request.user, report=self._report(pk))
        return self._answer(report)

    @extend_schema(request=StatisticsReturnSerializer, responses=StatisticsReportSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        data = validated(StatisticsReturnSerializer, request)
        report = services.report_return(actor=request.user, report=self._report(pk), **data)
        return self._answer(report)

    @extend_schema(responses=StatisticsEventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        events = selectors.report_history(report=self._report(pk))
        return Response(StatisticsEventSerializer(events, many=True).data)


def _group(code: str):
    return selectors.group_by_code(code)


class StatisticsSummaryView(APIView):
    @extend_schema(parameters=[SummaryQuerySerializer], responses=StatisticsSummarySerializer)
    def get(self, request):
        query = validated_query(SummaryQuerySerializer, request)
        unit = _visible_unit(request, query.get("unit"))
        result = selectors.summary(
            user=request.user,
            year=query["year"],
            months=query["months"],
            group=query["group"],
            unit=unit,
        )
        return Response(StatisticsSummarySerializer(result).data)


class StatisticsSummaryUnitsView(APIView):
    content_negotiation_class = DownloadFormatNegotiation

    @extend_schema(
        parameters=[ExportQuerySerializer],
        responses={
            200: StatisticsUnitRowSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, exports.XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
        },
    )
    def get(self, request):
        """The summary per unit (after roll-up): JSON rows, or a CSV/XLSX download."""
        query = validated_query(ExportQuerySerializer, request)
        group = _group(query["group"])
        rows = selectors.summary_by_unit(
            user=request.user, year=query["year"], months=query["months"], group=group
        )
        if query["format"] == "json":
            return Response(StatisticsUnitRowSerializer(rows, many=True).data)
        return exports.summary_export(
            rows, year=query["year"], months=query["months"], group=group, fmt=query["format"]
        )


class StatisticsChartView(APIView):
    content_negotiation_class = DownloadFormatNegotiation

    @extend_schema(
        parameters=[ChartQuerySerializer],
        responses={
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "image/svg+xml"): OpenApiTypes.BINARY,
        },
    )
    def get(self, request):
        """Each unit's completion rate against the target, as PNG or SVG."""
        query = validated_query(ChartQuerySerializer, request)
        group = _group(query["group"])
        rows = selectors.summary_by_unit(
            user=request.user, year=query["year"], months=query["months"], group=group
        )
        body, content_type = exports.rate_chart(
            rows,
            year=query["year"],
            months=query["months"],
            group=group,
            metric=query["metric"],
            fmt=query["format"],
        )
        return HttpResponse(body, content_type=content_type)


class StatisticsBriefView(APIView):
    content_negotiation_class = DownloadFormatNegotiation

    @extend_schema(
        parameters=[BriefQuerySerializer],
        responses={
            (200, "text/plain"): OpenApiResponse(OpenApiTypes.STR),
            (200, exports.DOCX_CONTENT_TYPE): OpenApiTypes.BINARY,
        },
    )
    def get(self, request):
        """The results paragraph as the review conference printed it, then the
        period's directive timeliness per unit."""
        query = validated_query(BriefQuerySerializer, request)
        brief = build_brief(user=request.user, year=query["year"], months=query["months"])
        if query["format"] == "docx":
            response = HttpResponse(brief.docx(), content_type=exports.DOCX_CONTENT_TYPE)
            name = f"ket-qua-thads-{query['year']}-{query['months']}-thang.docx"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return HttpResponse(brief.text(), content_type="text/plain; charset=utf-8")
