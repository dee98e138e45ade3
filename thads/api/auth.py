"""Sign-in for the API: JWT access + rotating refresh tokens, logout, throttling."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from thads.api.exceptions import GENERIC_MESSAGES
from thads.errors import DomainError
from thads.text import nfc


class LoginIPThrottle(SimpleRateThrottle):
    """Sign-in attempts per client address."""

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginUserThrottle(SimpleRateThrottle):
    """Sign-in attempts per username, whoever sends them: slows password guessing
    spread over many addresses."""

    scope = "login_user"

    def get_cache_key(self, request, view):
        username = request.data.get("username") if hasattr(request.data, "get") else None
        if not isinstance(username, str) or not username:
            return None
        return self.cache_format % {"scope": self.scope, "ident": nfc(username).lower()[:150]}


class TokenObtainView(TokenObtainPairView):
    throttle_classes = [LoginIPThrottle, LoginUserThrottle]


class ThrottledTokenRefreshView(TokenRefreshView):
    throttle_classes = [LoginIPThrottle]


class LogoutInputSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class LogoutView(APIView):
    """Blacklist a refresh token so it can never be used again."""

    permission_classes = [AllowAny]

    @extend_schema(request=LogoutInputSerializer, responses={204: None})
    def post(self, request):
        serializer = LogoutInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            RefreshToken(serializer.validated_data["refresh"]).blacklist()
        except TokenError as exc:
            raise DomainError(
                "token_not_valid", GENERIC_MESSAGES["token_not_valid"], status_code=401
            ) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)
