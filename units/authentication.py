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

from thads.clock import local_today
from units import scope_cache

SESSION_CLAIM = "sid"
# Never cached: the password hash has no business in Redis, and no request
# authenticated by a token reads it (it is loaded on demand if one does).
_UNCACHED_FIELDS = frozenset({"password"})


def _cached_fields(user) -> dict:
    return {
        field.attname: getattr(user, field.attname)
        for field in user._meta.concrete_fields
        if field.attname not in _UNCACHED_FIELDS
    }


def _user_from(fields: dict):
    names = list(fields)
    return get_user_model().from_db("default", names, [fields[name] for name in names])


class SessionJWTAuthentication(JWTAuthentication):
    """JWT authentication that also refuses tokens of a revoked session.

    The user and the sessions seen alive are cached with the user's scope for
    today (`units.scope_cache`), fetched in one cache round trip: a request whose
    user is cached costs no query before its own. A miss costs the single query
    that loads the user and checks the session together."""

    def get_user(self, validated_token):
        session_id = validated_token.get(SESSION_CLAIM)
        try:  # simplejwt writes the id as a string
            user_id = int(validated_token[api_settings.USER_ID_CLAIM])
        except (KeyError, TypeError, ValueError):  # not a token this project issued
            return super().get_user(validated_token)
        today = local_today()
        user_key, day_key = scope_cache.user_key(user_id), scope_cache.scope_key(user_id, today)
        tag, cached = scope_cache.read(user_id, [user_key, day_key])
        entry = cached.get(user_key)
        if entry is not None and (session_id is None or session_id in entry["sessions"]):
            user = _user_from(entry["fields"])
        else:
            user = self._load(user_id, session_id)
            sessions = entry["sessions"] if entry is not None else frozenset()
            if session_id is not None:
                sessions = sessions | {session_id}
            scope_cache.write(
                tag, {user_key: {"fields": _cached_fields(user), "sessions": sessions}}
            )
        if day_key in cached:
            user.__dict__["_thads_scope_cache"] = {today: cached[day_key]}
        if session_id is not None:
            user.login_session_id = session_id
        return user

    def _load(self, user_id, session_id):
        if session_id is None:
            return super().get_user({api_settings.USER_ID_CLAIM: user_id})
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
        return user
