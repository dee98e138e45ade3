from datetime import UTC

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from thads.api.fields import OUT_OF_RANGE
from thads.api.ids import MAX_ID
from thads.clock import DAY_RANGE, day_in_range

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


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An id filter (`?unit=12`): a whole number within the 64-bit ids, or a 400
    naming the parameter. django-filter's NumberFilter takes any decimal, and a
    number past 2**63 would reach the database (see thads.api.ids)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class InstantField(IsoDateTimeField):
    """An ISO 8601 instant, in UTC once cleaned: PostgreSQL refuses a UTC offset of
    16 hours or more, which ISO 8601 and Python allow. A day outside the service's
    range (thads.clock) is refused like a malformed one."""

    def to_python(self, value):
        instant = super().to_python(value)
        if instant is None:
            return None
        if not day_in_range(instant.date()):
            raise forms.ValidationError(OUT_OF_RANGE, code="out_of_range", params=DAY_RANGE)
        return instant.astimezone(UTC)


class InstantFilter(django_filters.IsoDateTimeFilter):
    """`?updated_since=2026-05-15T16:30:00+07:00` and the like (see InstantField)."""

    field_class = InstantField
