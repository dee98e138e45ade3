from django.urls import path
from rest_framework.routers import SimpleRouter

from enforcement import views

router = SimpleRouter(trailing_slash=True)
router.register("statistics/reports", views.StatisticsReportViewSet, basename="statistics-report")

urlpatterns = [
    path("statistics/summary/", views.StatisticsSummaryView.as_view(), name="statistics-summary"),
    path(
        "statistics/summary/units/",
        views.StatisticsSummaryUnitsView.as_view(),
        name="statistics-summary-units",
    ),
    path(
        "statistics/summary/chart/",
        views.StatisticsChartView.as_view(),
        name="statistics-summary-chart",
    ),
    path("statistics/brief/", views.StatisticsBriefView.as_view(), name="statistics-brief"),
    *router.urls,
]
