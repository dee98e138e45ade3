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
    raw = request.query_params.get("fields") or ""
    names = {name.strip() for name in raw.split(",") if name.strip()}
    if not names:  # `?fields=` or `?fields=, `: nothing chosen, every field kept
        return None
    known = _field_names(serializer_class)
    unknown = sorted(names - set(known))
    if unknown:
        raise ValidationError({"fields": [_("Trường không tồn tại: %s") % ", ".join(unknown)]})
    return [name for name in known if name in names]


def _kept_fields(request, view) -> list[str] | None:
    """`?fields=` of a view with a serializer; a view that shapes its own rows
    (reports) validates its parameters itself."""
    if not hasattr(view, "get_serializer_class"):
        return None
    return wanted_fields(request, view.get_serializer_class())


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
        self.kept_fields = _kept_fields(request, view)
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

    def paginate_by_id(self, request, fetch, *, view):
        """`paginate_queryset` for the default ordering (newest id first) over
        `fetch(before=, after=, descending=, limit=, offset=)`, which returns rows
        whose first column is the id: the same rows, positions and links as DRF
        gives for the queryset, without building one. None when the cursor's
        position is not an id: the queryset path then answers as DRF does."""
        self.kept_fields = _kept_fields(request, view)
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = ("-id",)
        self.cursor = self.decode_cursor(request)  # 404 for a cursor that does not decode
        offset, reverse, position = self.cursor or (0, False, None)
        if not self.page_size or (position is not None and not position.isdigit()):
            return None
        position = None if position is None else int(position)
        # Forward pages run down the ids, a reversed cursor runs back up them.
        results = fetch(
            before=None if reverse else position,
            after=position if reverse else None,
            descending=not reverse,
            limit=self.page_size + 1,
            offset=offset,
        )
        self.page = results[: self.page_size]
        following = str(results[-1][0]) if len(results) > len(self.page) else None
        if reverse:
            self.page.reverse()
            self.has_next = position is not None or offset > 0
            self.has_previous = following is not None
            self.next_position = str(position) if self.has_next else None
            self.previous_position = following
        else:
            self.has_next = following is not None
            self.has_previous = position is not None or offset > 0
            self.next_position = following
            self.previous_position = str(position) if self.has_previous else None
        if (self.has_previous or self.has_next) and self.template is not None:
            self.display_page_controls = True
        return self.page
