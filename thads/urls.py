from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter
from rest_framework_simplejwt.views import TokenVerifyView

from notifications.views import (
    DeviceViewSet,
    NotificationSettingsView,
    NotificationViewSet,
    WebhookViewSet,
)
from reminders.views import ReminderLedgerViewSet
from sync.views import SyncView
from thads import views
from thads.api.auth import LogoutView, ThrottledTokenRefreshView, TokenObtainView
from units.views import (
    LoginSessionViewSet,
    MembershipViewSet,
    MeView,
    UnitViewSet,
    UserViewSet,
    WorkingDaysView,
)

router = DefaultRouter(trailing_slash=True)
router.register("units", UnitViewSet, basename="unit")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("sessions", LoginSessionViewSet, basename="session")
router.register("users", UserViewSet, basename="user")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("devices", DeviceViewSet, basename="device")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("reminders", ReminderLedgerViewSet, basename="reminder")

api_v1 = [
    path("auth/token/", TokenObtainView.as_view(), name="token-obtain"),
    path("auth/token/refresh/", ThrottledTokenRefreshView.as_view(), name="token-refresh"),
    path("auth/token/verify/", TokenVerifyView.as_view(), name="token-verify"),
    path("auth/logout/", LogoutView.as_view(), name="logout"),
    path("me/", MeView.as_view(), name="me"),
    path(
        "me/notification-settings/",
        NotificationSettingsView.as_view(),
        name="notification-settings",
    ),
    path("calendar/working-days/", WorkingDaysView.as_view(), name="working-days"),
    path("sync/", SyncView.as_view(), name="sync"),
    path("", include("directives.urls")),
    path("", include("reports.urls")),
    path("", include(router.urls)),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

handler404 = "thads.views.not_found"
handler500 = "thads.views.server_error"
