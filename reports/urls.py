from django.urls import path, register_converter
from rest_framework.routers import SimpleRouter

from reports import views


class FeedTokenConverter:
    """A feed token: 64 hex digits; anything else is the resolver's 404."""

    regex = "[0-9a-f]{64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FeedTokenConverter, "feedtoken")

router = SimpleRouter(trailing_slash=True)
router.register("exports", views.ExportViewSet, basename="export")

urlpatterns = [
    path("reports/timeliness/", views.TimelinessReportView.as_view(), name="report-timeliness"),
    path(
        "reports/timeliness/chart/",
        views.TimelinessChartView.as_view(),
        name="report-timeliness-chart",
    ),
    path("reports/overdue/", views.OverdueReportView.as_view(), name="report-overdue"),
    path("reports/assignments/", views.AssignmentExportView.as_view(), name="report-assignments"),
    path("calendar/feed/", views.CalendarFeedView.as_view(), name="calendar-feed"),
    path(
        "calendar/feed/rotate/", views.CalendarFeedRotateView.as_view(), name="calendar-feed-rotate"
    ),
    path(
        "calendar/feed/<feedtoken:token>.ics",
        views.CalendarFeedICSView.as_view(),
        name="calendar-feed-ics",
    ),
    *router.urls,
]
