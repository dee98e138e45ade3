import django_filters

from directives.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Directive,
    DocumentKind,
    ExtensionRequest,
    ExtensionStatus,
    SourceDocument,
    Timeliness,
)
from directives.selectors import assignments_search, timeliness_q
from thads.api.filters import IdFilter, InstantFilter, StrictFilterSet
from thads.clock import local_today
from thads.models import search


class _SearchMixin:
    def filter_q(self, queryset, name, value):
        return search(queryset, value)


class DocumentFilter(_SearchMixin, StrictFilterSet):
    kind = django_filters.ChoiceFilter(choices=DocumentKind.choices)
    issued_after = django_filters.DateFilter(field_name="issued_on", lookup_expr="gte")
    issued_before = django_filters.DateFilter(field_name="issued_on", lookup_expr="lte")
    q = django_filters.CharFilter(method="filter_q", max_length=200)

    class Meta:
        model = SourceDocument
        fields = ["kind"]


class DirectiveFilter(_SearchMixin, StrictFilterSet):
    document = IdFilter(field_name="document_id")
    category = django_filters.CharFilter(field_name="category__code", max_length=40)
    is_active = django_filters.BooleanFilter()
    updated_since = InstantFilter(field_name="updated_at", lookup_expr="gte")
    q = django_filters.CharFilter(method="filter_q", max_length=200)

    class Meta:
        model = Directive
        fields = ["document", "category", "is_active"]


class AssignmentFilter(StrictFilterSet):
    unit = IdFilter(field_name="unit_id")
    directive = IdFilter(field_name="directive_id")
    document = IdFilter(field_name="directive__document_id")
    status = django_filters.MultipleChoiceFilter(choices=AssignmentStatus.choices)
    timeliness = django_filters.ChoiceFilter(choices=Timeliness.choices, method="filter_timeliness")
    role = django_filters.ChoiceFilter(choices=AssignmentRole.choices)
    category = django_filters.CharFilter(field_name="directive__category__code", max_length=40)
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    updated_since = InstantFilter(field_name="updated_at", lookup_expr="gte")
    q = django_filters.CharFilter(method="filter_q", max_length=200)

    class Meta:
        model = Assignment
        fields = ["unit", "directive", "status", "role"]

    def filter_timeliness(self, queryset, name, value):
        return queryset.filter(timeliness_q(value, today=local_today()))

    def filter_q(self, queryset, name, value):
        return assignments_search(queryset, value)


class ExtensionFilter(StrictFilterSet):
    assignment = IdFilter(field_name="assignment_id")
    status = django_filters.ChoiceFilter(choices=ExtensionStatus.choices)

    class Meta:
        model = ExtensionRequest
        fields = ["assignment", "status"]
