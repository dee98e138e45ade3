import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

# Parameters that belong to pagination, ordering or rendering, not to filtering.
NON_FILTER_PARAMS = frozenset({"cursor", "page_size", "ordering", "format", "fields"})


class StrictFilterSet(django_filters.FilterSet):
    """A filter set that rejects parameters it does not know.

    A misspelt filter (`?stauts=done`) would otherwise be ignored and the
    client would take the unfiltered list for the filtered one.
    """

    extra_params: frozenset[str] = frozenset()

    def is_valid(self) -> bool:
        known = set(self.filters) | NON_FILTER_PARAMS | set(self.extra_params)
        unknown = sorted(set(self.data.keys()) - known)
        if unknown:
            raise ValidationError({name: [_("Tham số lọc không được hỗ trợ.")] for name in unknown})
        return super().is_valid()


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when a request has no filter parameter:
    building and validating the filter form costs a few milliseconds that the
    hottest lists (a phone's plain poll) need not pay. A misspelt filter is a
    parameter, so it still reaches the filter set and gets its 400."""

    def filter_queryset(self, request, queryset, view):
        if not set(request.query_params) - NON_FILTER_PARAMS:
            return queryset
        return super().filter_queryset(request, queryset, view)
