"""Leadership's reports, their downloads and charts, export jobs, and the calendar
feed. Views validate the query, call one selector or service, and answer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from directives.filters import AssignmentFilter
from directives.models import Assignment
from reports import selectors, services
from reports.charts import BUCKET_COLORS, CHART_CONTENT_TYPES, Series, bar_chart, cached_chart
from reports.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, Table, export_response
from reports.feeds import CONTENT_TYPE as CALENDAR_CONTENT_TYPE
from reports.feeds import feed_chunks
from reports.models import ExportJob, ExportStatus
from reports.serializers import (
    CalendarFeedSerializer,
    ChartQuerySerializer,
    DownloadFormatSerializer,
    ExportCreateInputSerializer,
    ExportJobSerializer,
    OverdueItemSerializer,
    OverdueQuerySerializer,
    ReportFilterQuerySerializer,
    TimelinessQuerySerializer,
    TimelinessReportSerializer,
)
from reports.tables import assignments_queryset, assignments_table, overdue_table, timeliness_table
from thads.api.filters import StrictFilterBackend
from thads.api.ids import ID_LOOKUP_REGEX
from thads.api.negotiation import DownloadFormatNegotiation
from thads.api.pagination import CursorPagination
from thads.api.renderers import ORJSONRenderer, _default
from thads.api.validation import validated, validated_query
from thads.errors import DomainError, found

EXPORT_TOO_LARGE = "export_too_large"
EXPORT_NOT_READY = "export_not_ready"
EXPORT_EXPIRED = "export_expired"

DOWNLOAD_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}


NOT_FOUND_FILTER = OpenApiResponse(
    description="`not_found`: the unit, document or directive filter is outside the "
    "caller's scope, or does not exist."
)


def _download_responses(json_response: Any) -> dict:
    return {
        (200, "application/json"): json_response,
        (200, CSV_CONTENT_TYPE): OpenApiTypes.BINARY,
        (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
        404: NOT_FOUND_FILTER,
        409: OpenApiResponse(
            description="`export_too_large`: more rows than EXPORT_SYNC_MAX_ROWS; "
            "ask for it with POST exports/ instead."
        ),
    }


def _report_default(value: Any) -> Any:
    # Rates and averages are exact Decimals with two places; JSON has one kind of
    # number, and the shortest float of such a Decimal prints the same digits
    # (66.67 → 66.67), so they go out as numbers, not strings.
    if isinstance(value, Decimal):
        return float(value)
    return _default(value)


class ReportJSONRenderer(ORJSONRenderer):
    """The project's JSON, with Decimals as numbers; orjson calls the default
    only for the values it does not know, so a 100,000-row report is not walked
    twice."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=_report_default, option=orjson.OPT_NON_STR_KEYS)


def report_json(report: dict[str, Any]) -> dict[str, Any]:
    """The report as the API answers it (the selector's dict, filters by their
    query names)."""
    filters = dict(report["filters"])
    for name, query in (("date_from", "from"), ("date_to", "to")):
        if name in filters:
            filters[query] = filters.pop(name)
    return {**report, "filters": filters}


def _too_large(count: int) -> None:
    if count > settings.EXPORT_SYNC_MAX_ROWS:
        raise DomainError(
            EXPORT_TOO_LARGE,
            _("Quá %(n)d dòng: hãy tạo tệp xuất qua POST /api/v1/exports/.")
            % {"n": settings.EXPORT_SYNC_MAX_ROWS},
            extra={"max_rows": settings.EXPORT_SYNC_MAX_ROWS},
            status_code=409,
        )


def _download(table: Table, fmt: str, basename: str):
    return export_response(table, fmt=fmt, basename=basename)


class ReportView(APIView):
    content_negotiation_class = DownloadFormatNegotiation
    renderer_classes = [ReportJSONRenderer]


class TimelinessReportView(ReportView):
    @extend_schema(
        parameters=[TimelinessQuerySerializer],
        responses=_download_responses(TimelinessReportSerializer),
        description="Counts in the four timeliness buckets per group, with the on-time "
        "rate; `?format=csv|xlsx` downloads the same table.",
    )
    def get(self, request):
        data = validated_query(TimelinessQuerySerializer, request)
        filters = ReportFilterQuerySerializer.report_filters(data)
        fmt = data.get("format", "json")
        if fmt != "json":
            table = timeliness_table(user=request.user, group_by=data["group_by"], filters=filters)
            return _download(table, fmt, f"bao-cao-tien-do-{data['group_by']}")
        report = selectors.timeliness_report(
            user=request.user, group_by=data["group_by"], filters=filters
        )
        return Response(report_json(report))


class TimelinessChartView(ReportView):
    @extend_schema(
        parameters=[ChartQuerySerializer],
        responses={
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "image/svg+xml"): OpenApiTypes.BINARY,
            404: NOT_FOUND_FILTER,
        },
        description="Stacked bars of the four buckets per group, with the on-time rate, "
        "drawn from the same rows as reports/timeliness/.",
    )
    def get(self, request):
        data = validated_query(ChartQuerySerializer, request)
        filters = ReportFilterQuerySerializer.report_filters(data)
        report = selectors.timeliness_report(
            user=request.user, group_by=data["group_by"], filters=filters
        )
        if len(report["rows"]) > CHART_MAX_GROUPS:
            raise DomainError(
                CHART_TOO_MANY_GROUPS,
                _("Quá %(n)d nhóm cho một biểu đồ: hãy lọc thêm (theo văn bản, đơn vị, kỳ).")
                % {"n": CHART_MAX_GROUPS},
                fields={"group_by": [_("Quá nhiều nhóm.")]},
            )
        fmt = data["format"]
        image = cached_chart(
            ("timeliness", report_json(report), fmt, get_language()),
            lambda: timeliness_chart(report, fmt=fmt),
        )
        response = StreamingHttpResponse([image], content_type=CHART_CONTENT_TYPES[fmt])
        response["Content-Length"] = str(len(image))
        return response


# More bars than this make no readable chart (and a 100,000-bar one would take a
# worker minutes): the caller narrows the report first.
CHART_MAX_GROUPS = 60
CHART_TOO_MANY_GROUPS = "chart_too_many_groups"


def timeliness_chart(report: dict[str, Any], *, fmt: str) -> bytes:
    from directives.models import Timeliness

    rows = report["rows"]
    return bar_chart(
        categories=[row["label"] for row in rows],
        series=[
            Series(Timeliness(bucket).label, [row[bucket] for row in rows], color)
            for bucket, color in BUCKET_COLORS.items()
        ],
        fmt=fmt,
        title=_("Tiến độ thực hiện nhiệm vụ (tỷ lệ đúng hạn)"),
        value_label=_("Số nhiệm vụ"),
        annotations=[
            "—" if row["on_time_rate"] is None else f"{row['on_time_rate']} %" for row in rows
        ],
    )


class OverduePagination(CursorPagination):
    ordering = ("due_date", "id")


class OverdueReportView(ReportView):
    pagination_class = OverduePagination

    @extend_schema(
        parameters=[OverdueQuerySerializer],
        responses=_download_responses(OverdueItemSerializer(many=True)),
        description="Open overdue assignments, most working days overdue first.",
    )
    def get(self, request):
        data = validated_query(OverdueQuerySerializer, request)
        filters = ReportFilterQuerySerializer.report_filters(data)
        fmt = data.get("format", "json")
        if fmt != "json":
            qs = selectors.overdue_assignments(user=request.user, filters=filters)
            _too_large(qs[: settings.EXPORT_SYNC_MAX_ROWS + 1].count())
            return _download(overdue_table(user=request.user, filters=filters), fmt, "qua-han")
        qs = selectors.overdue_assignments(user=request.user, filters=filters)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        shaper = selectors.OverdueShaper()
        items = [OverdueItemSerializer(shaper.shape(row)).data for row in page]
        return paginator.get_paginated_response(items)


class AssignmentExportView(GenericAPIView):
    """The assignment list (the same filters as GET assignments/) as a download."""

    content_negotiation_class = DownloadFormatNegotiation
    renderer_classes = [ReportJSONRenderer]
    # For the schema: the filters documented are GET assignments/'s own.
    filterset_class = AssignmentFilter
    filter_backends = [StrictFilterBackend]
    queryset = Assignment.objects.none()
    pagination_class = None

    @extend_schema(
        filters=True,
        parameters=[DownloadFormatSerializer],
        responses={
            (200, CSV_CONTENT_TYPE): OpenApiTypes.BINARY,
            (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            409: OpenApiResponse(description="`export_too_large`: use POST exports/."),
        },
        description="The assignment list as CSV or XLSX; every filter of GET assignments/ "
        "(unit, directive, document, status, timeliness, role, category, due_before, "
        "due_after, updated_since, q) applies.",
    )
    def get(self, request):
        fmt = validated_format(request)
        qs = assignments_queryset(user=request.user, params=request.query_params)
        _too_large(qs[: settings.EXPORT_SYNC_MAX_ROWS + 1].count())
        table = assignments_table(user=request.user, params=request.query_params)
        return _download(table, fmt, "giao-nhiem-vu")


def validated_format(request) -> str:
    serializer = DownloadFormatSerializer(data={"format": request.query_params.get("format")})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["format"]


# --- export jobs ----------------------------------------------------------------------


class ExportViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own exports. Another user's export is a 404."""

    lookup_value_regex = ID_LOOKUP_REGEX
    serializer_class = ExportJobSerializer
    filter_backends: list = []

    def get_queryset(self):
        return ExportJob.objects.filter(owner=self.request.user).order_by("-id")

    @extend_schema(request=ExportCreateInputSerializer, responses={202: ExportJobSerializer})
    def create(self, request):
        data = validated(ExportCreateInputSerializer, request)
        job = services.export_job_create(
            actor=request.user, kind=data["report"], fmt=data["format"], params=data["params"]
        )
        return Response(
            ExportJobSerializer(job, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )

    def retrieve(self, request, pk=None):
        job = found(self.get_queryset().filter(pk=pk).first())
        return Response(ExportJobSerializer(job, context={"request": request}).data)

    @extend_schema(
        responses={
            (200, CSV_CONTENT_TYPE): OpenApiTypes.BINARY,
            (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            409: OpenApiResponse(description="`export_not_ready`: still being built, or failed."),
            410: OpenApiResponse(description="`export_expired`: the download has expired."),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = found(self.get_queryset().filter(pk=pk).first())
        expired = job.status == ExportStatus.EXPIRED or (
            job.expires_at is not None and job.expires_at <= timezone.now()
        )
        if expired:
            raise DomainError(EXPORT_EXPIRED, _("Tệp xuất đã hết hạn tải về."), status_code=410)
        if job.status != ExportStatus.DONE:
            raise DomainError(
                EXPORT_NOT_READY,
                _("Tệp xuất chưa sẵn sàng."),
                extra={"status": job.status},
                status_code=409,
            )
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=job.filename,
            content_type=DOWNLOAD_TYPES[job.format],
        )


# --- calendar feed --------------------------------------------------------------------


def _feed_url(request, feed) -> str:
    token = services.feed_token(feed)
    return request.build_absolute_uri(reverse("v1:calendar-feed-ics", args=[token]))


class CalendarFeedView(APIView):
    @extend_schema(responses=CalendarFeedSerializer)
    def get(self, request):
        feed = services.calendar_feed_get_or_create(user=request.user)
        return Response({"url": _feed_url(request, feed)})


class CalendarFeedRotateView(APIView):
    @extend_schema(request=None, responses=CalendarFeedSerializer)
    def post(self, request):
        feed = services.calendar_feed_rotate(user=request.user)
        return Response({"url": _feed_url(request, feed)})


class CalendarFeedICSView(APIView):
    """The feed itself: the token in the URL is the credential."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    content_negotiation_class = DownloadFormatNegotiation

    @extend_schema(
        auth=[],
        responses={(200, "text/calendar"): OpenApiTypes.BINARY, 404: None},
        description="iCalendar (RFC 5545): one all-day event per open assignment in the "
        "owner's scope, on its current deadline. Unknown or revoked token: 404.",
    )
    def get(self, request, token: str):
        feed = found(services.calendar_feed_find(token=token))
        response = StreamingHttpResponse(
            feed_chunks(user=feed.user), content_type=CALENDAR_CONTENT_TYPE
        )
        response["Content-Disposition"] = 'inline; filename="thads.ics"'
        response["Cache-Control"] = "private, max-age=300"
        return response
