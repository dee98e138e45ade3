from functools import cache

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


@cache
def _field_names(serializer_class) -> tuple[str, ...]:
    return tuple(serializer_class().fields)


def wanted_fields(request, serializer_class) -> list[str] | None:
    """The `?fields=` selection (comma-separated), in the serializer's order; a 400
    naming the fields the serializer does not have."""
    raw = request.query_params.get("fields")
    if not raw:
        return None
    names = {name.strip() for name in raw.split(",") if name.strip()}
    known = _field_names(serializer_class)
    unknown = sorted(names - set(known))
    if unknown:
        raise ValidationError({"fields": [_("Trường không tồn tại: %s") % ", ".join(unknown)]})
    return [name for name in known if name in names]


class CursorPagination(pagination.CursorPagination):
    """Keyset pages: no COUNT(*), stable under inserts, cheap at any depth.

    Every list is `{results, next}` through this class. Ordered by the view's
    `ordering` (or its OrderingFilter), else newest first. `?fields=a,b` keeps
    those fields of each row, on every list alike; an unknown name is a 400
    before any query runs."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
    ordering = "-id"
    kept_fields: list[str] | None = None

    def paginate_queryset(self, queryset, request, view=None):
        if view is not None:
            self.kept_fields = wanted_fields(request, view.get_serializer_class())
        return super().paginate_queryset(queryset, request, view)

    def get_ordering(self, request, queryset, view):
        has_ordering_filter = any(
            hasattr(backend, "get_ordering") for backend in getattr(view, "filter_backends", [])
        )
        ordering = getattr(view, "ordering", None)
        if ordering and not has_ordering_filter:
            return (ordering,) if isinstance(ordering, str) else tuple(ordering)
        return super().get_ordering(request, queryset, view)

    def get_paginated_response(self, data):
        if self.kept_fields is not None:
            data = [{name: item[name] for name in self.kept_fields} for item in data]
        return super().get_paginated_response(data)

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": "fields",
                "required": False,
                "in": "query",
                "description": "Comma-separated names of the fields to keep in each "
                "result (e.g. id,status,due_date); an unknown name is a 400.",
                "schema": {"type": "string"},
            },
        ]
