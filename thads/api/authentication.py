"""JWT authentication aware of sign-in sessions.

Kept apart from the auth views: DRF imports its authentication classes while
`rest_framework.views` is still loading, so this module must not import views.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Exists
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.settings import api_settings

SESSION_CLAIM = "sid"


class SessionJWTAuthentication(JWTAuthentication):
    """JWT authentication that also refuses tokens of a revoked session, in the
    same single query that loads the user."""

    def get_user(self, validated_token):
        session_id = validated_token.get(SESSION_CLAIM)
        if session_id is None:
            return super().get_user(validated_token)
        user_id = validated_token.get(api_settings.USER_ID_CLAIM)
        user = (
            get_user_model()
            .objects.filter(pk=user_id)
            .annotate(
                session_alive=Exists(
                    apps.get_model("units", "LoginSession").objects.filter(
                        pk=session_id, revoked_at__isnull=True
                    )
                )
            )
            .first()
        )
        if user is None or not user.is_active or not user.session_alive:
            raise AuthenticationFailed(
                _("Mã truy cập không hợp lệ hoặc đã hết hạn."), code="token_not_valid"
            )
        user.login_session_id = session_id
        return user
