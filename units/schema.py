"""OpenAPI extensions; imported by `UnitsConfig.ready` so drf-spectacular sees them."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class SessionJWTScheme(SimpleJWTScheme):
    """Our JWT authentication is simplejwt's with sign-in sessions: same scheme."""

    target_class = "units.authentication.SessionJWTAuthentication"
    name = "jwtAuth"
