from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
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
from thads.api.root import ApiRootView
from units.auth import (
    BROWSER_AUTH_URLS,
    LogoutView,
    ThrottledTokenRefreshView,
    TokenObtainView,
)
from units.views import (
    LoginSessionViewSet,
    MembershipViewSet,
    MeView,
    UnitViewSet,
    UserViewSet,
    WorkingDaysView,
)

# The API root is ours (thads.api.root): it lists every route, not only the router's.
router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("units", UnitViewSet, basename="unit")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("sessions", LoginSessionViewSet, basename="session")
router.register("users", UserViewSet, basename="user")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("devices", DeviceViewSet, basename="device")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("reminders", ReminderLedgerViewSet, basename="reminder")

api_v1 = [
    path("", ApiRootView.as_view(), name="api-root"),
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
    path("", include("enforcement.urls")),
    path("", include("reports.urls")),
    path("", include(router.urls)),
]

# The admin is leadership's desk: its titles in Vietnamese (English by
# Accept-Language), and "view site" leads to the landing page, not to a 404.
admin.site.site_header = _("THADS — Chỉ đạo, điều hành")
admin.site.site_title = _("Quản trị THADS")
admin.site.index_title = _("Quản trị")
admin.site.site_url = reverse_lazy("home")
# The lists are the desk: at 1400 px the app sidebar left the assignment and
# ledger lists too narrow for their columns. The breadcrumbs and the index lead
# to every page.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api-auth/", include(BROWSER_AUTH_URLS)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

handler404 = "thads.views.not_found"
handler500 = "thads.views.server_error"
