"""`GET /api/v1/`: every route of the API, read from the URLconf.

The list is derived, not written down, so a new endpoint appears in it the
day it is routed (the hand-kept router root listed 8 resources of 20)."""

import re
from functools import cache

from django.contrib.admindocs.views import simplify_regex
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

# `<pk>` or `<int:pk>` in a simplified pattern; `pk` is called `id`, as in the schema.
_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def url_patterns(entries, prefix: str = ""):
    """Every route's whole pattern (regex or route syntax), includes flattened."""
    for entry in entries:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry.url_patterns, pattern)
        elif isinstance(entry, URLPattern):
            yield pattern


def _template(pattern: str) -> str:
    path = simplify_regex(pattern)
    return _PARAMETER.sub(lambda m: "{" + ("id" if m[1] == "pk" else m[1]) + "}", path)


@cache
def api_routes(prefix: str) -> tuple[str, ...]:
    """The paths under `prefix` (e.g. "/api/v1/") in URLconf order, relative to it,
    parameters as `{name}` (RFC 6570); without the `.json`-style format suffixes."""
    routes: dict[str, None] = {}
    for pattern in url_patterns(get_resolver().url_patterns):
        path = _template(pattern)
        if path.startswith(prefix) and path != prefix and "{format}" not in path:
            routes[path.removeprefix(prefix)] = None
    return tuple(routes)


class ApiRootView(APIView):
    """Every route of the API: its path (without the trailing slash) → its URL,
    path parameters as URI templates (`assignments/{id}/accept` →
    `https://host/api/v1/assignments/{id}/accept/`). Public, like the schema."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(exclude=True)
    def get(self, request):
        root = reverse("v1:api-root")
        base = request.build_absolute_uri(root)
        return Response({route.rstrip("/"): base + route for route in api_routes(root)})
