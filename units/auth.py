"""Sign-in for the API: JWT access + rotating refresh tokens, logout, throttling."""

import logging

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from redis.exceptions import RedisError
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import (
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
)
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from thads.api.exceptions import GENERIC_MESSAGES
from thads.errors import DomainError
from thads.text import nfc
from units.authentication import SESSION_CLAIM
from units.models import LoginSession
from units.services import login_session_revoke, login_session_start

logger = logging.getLogger(__name__)


class FailOpenThrottle(SimpleRateThrottle):
    """A throttle that lets requests through when its cache (Redis) is down:
    signing in must keep working through a Redis outage, like the rest of the API."""

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError):  # the cache is down: nothing to count with
            logger.warning("login throttle skipped: cache unavailable", exc_info=True)
            return True


class LoginIPThrottle(FailOpenThrottle):
    """Sign-in attempts per client address."""

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginUserThrottle(FailOpenThrottle):
    """Sign-in attempts per username, whoever sends them: slows password guessing
    spread over many addresses."""

    scope = "login_user"

    def get_cache_key(self, request, view):
        username = request.data.get("username") if hasattr(request.data, "get") else None
        if not isinstance(username, str) or not username:
            return None
        return self.cache_format % {"scope": self.scope, "ident": nfc(username).lower()[:150]}


class DeviceTokenObtainSerializer(TokenObtainPairSerializer):
    """Username and password, plus the device signing in (a phone sends a stable
    id of its own). The tokens carry the session id, so the device can be
    signed out on its own."""

    device_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    device_name = serializers.CharField(max_length=100, required=False, allow_blank=True)

    def validate(self, attrs):
        data = super().validate(attrs)
        session = login_session_start(
            user=self.user,
            device_id=attrs.get("device_id", ""),
            device_name=attrs.get("device_name", ""),
        )
        refresh = self.get_token(self.user)
        refresh[SESSION_CLAIM] = session.pk
        data["refresh"] = str(refresh)
        data["access"] = str(refresh.access_token)
        data["session"] = session.pk
        return data


class SessionTokenRefreshSerializer(TokenRefreshSerializer):
    """Refuses a refresh token whose session was revoked (logout, leadership)."""

    def validate(self, attrs):
        try:
            session_id = RefreshToken(attrs["refresh"]).payload.get(SESSION_CLAIM)
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        if session_id is not None:
            updated = LoginSession.objects.filter(pk=session_id, revoked_at__isnull=True).update(
                last_used_at=timezone.now()
            )
            if not updated:
                raise DomainError(
                    "token_not_valid", GENERIC_MESSAGES["token_not_valid"], status_code=401
                )
        return super().validate(attrs)


class TokenObtainView(TokenObtainPairView):
    serializer_class = DeviceTokenObtainSerializer
    throttle_classes = [LoginIPThrottle, LoginUserThrottle]


class ThrottledTokenRefreshView(TokenRefreshView):
    serializer_class = SessionTokenRefreshSerializer
    throttle_classes = [LoginIPThrottle]


class LogoutInputSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class LogoutView(APIView):
    """Sign this device out: blacklist its refresh token and end its session."""

    permission_classes = [AllowAny]

    @extend_schema(request=LogoutInputSerializer, responses={204: None})
    def post(self, request):
        serializer = LogoutInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            refresh = RefreshToken(serializer.validated_data["refresh"])
            refresh.blacklist()
        except TokenError as exc:
            raise DomainError(
                "token_not_valid", GENERIC_MESSAGES["token_not_valid"], status_code=401
            ) from exc
        session = LoginSession.objects.filter(pk=refresh.payload.get(SESSION_CLAIM)).first()
        if session is not None:
            login_session_revoke(session=session, reason="signed out")
        return Response(status=status.HTTP_204_NO_CONTENT)


class BrowserLoginView(auth_views.LoginView):
    """Sign-in for a browser that opened a link from a reminder: the browsable
    API's form, a session cookie, under the same throttles as the token endpoint
    (the admin's login is for staff only, and most recipients are not)."""

    template_name = "rest_framework/login.html"
    next_page = "/api/v1/"

    def post(self, request, *args, **kwargs):
        api_request = Request(request, parsers=[FormParser(), MultiPartParser()])
        for throttle in (LoginIPThrottle(), LoginUserThrottle()):
            if not throttle.allow_request(api_request, self):
                wait = throttle.wait()
                response = HttpResponse(
                    _("Đăng nhập sai quá nhiều lần; hãy thử lại sau."),
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                if wait is not None:
                    response["Retry-After"] = str(max(1, int(wait)))
                return response
        return super().post(request, *args, **kwargs)


BROWSER_AUTH_URLS = (
    [
        path("login/", BrowserLoginView.as_view(), name="login"),
        path("logout/", auth_views.LogoutView.as_view(next_page="/api/v1/"), name="logout"),
    ],
    # The name DRF's browsable API looks the login and logout links up under.
    "rest_framework",
)
