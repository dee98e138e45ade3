from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.request import Request


def validated(serializer_class, request: Request, **context: Any) -> dict[str, Any]:
    """Validate a request body with an input serializer; a 400 envelope otherwise."""
    serializer = serializer_class(data=request.data, context={"request": request, **context})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class QuerySerializer(serializers.Serializer):
    """Query parameters (or a stored copy of them): an unknown name is a 400 naming
    it, like the filter sets' (a typo never silently widens a report).
    `extra_params` are names another layer reads (paging, `format`)."""

    extra_params: frozenset[str] = frozenset()

    def to_internal_value(self, data):
        known = set(self.fields) | set(self.extra_params)
        unknown = sorted(set(data.keys()) - known)
        if unknown:
            raise serializers.ValidationError(
                {name: [_("Tham số không được hỗ trợ.")] for name in unknown}
            )
        return super().to_internal_value(data)


def validated_query(serializer_class, request: Request) -> dict[str, Any]:
    """Validate a request's query parameters with a `QuerySerializer`."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
