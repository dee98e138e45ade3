"""The middleware: claim the key, run the view, store or release."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings
from rest_framework_simplejwt.authentication import JWTAuthentication

from thads.idempotency.fingerprint import request_fingerprint, spooled_if_large
from thads.idempotency.keys import HEADER, KEY_INVALID, covered_path, error_response, parse_key
from thads.idempotency.records import claim, finish, release


class IdempotencyMiddleware:
    """Placed after AuthenticationMiddleware (it reads the session user) and outside
    any per-view transaction (its claim must be committed before the view runs)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # The project's JWT class when it has one (it may refuse more than simplejwt's,
        # a revoked sign-in session say), so the caller is whom DRF will see.
        self.jwt = next(
            (
                authentication()
                for authentication in api_settings.DEFAULT_AUTHENTICATION_CLASSES
                if issubclass(authentication, JWTAuthentication)
            ),
            JWTAuthentication(),
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get(HEADER)
        if header is None or not (request.method == "POST" and covered_path(request.path_info)):
            return self.get_response(request)
        user = self._caller(request)
        if user is None:
            return self.get_response(request)
        key = parse_key(header)
        if key is None:
            return error_response(400, KEY_INVALID)

        with spooled_if_large(request) as spool:
            fingerprint = request_fingerprint(request, spool)
            if spool is not None:
                # The view reads the body from the spooled copy, as if untouched.
                spool.seek(0)
                request._stream = spool
            record, answer = claim(user=user, key=key, fingerprint=fingerprint)
            if answer is not None:
                return answer
            assert record is not None
            try:
                response = self.get_response(request)
            except BaseException:
                release(record)
                raise
            finish(record, response)
            return response

    def _caller(self, request: HttpRequest):
        """Whom DRF will authenticate: the JWT's user if a Bearer token is sent, else
        the session user. A bad token is left to DRF, which answers 401."""
        try:
            authenticated = self.jwt.authenticate(request)
        except APIException:
            return None
        if authenticated is not None:
            return authenticated[0]
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None
