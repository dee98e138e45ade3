import django_filters

from thads.api.filters import IdFilter, StrictFilterSet
from thads.models import search
from units.models import Membership, OrgUnit, UnitKind


class UnitFilter(StrictFilterSet):
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices)
    active_on = django_filters.DateFilter(method="filter_active_on")
    q = django_filters.CharFilter(method="filter_q", max_length=200)
    parent = IdFilter(field_name="parent_id")

    class Meta:
        model = OrgUnit
        fields = ["kind", "parent"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)

    def filter_q(self, queryset, name, value):
        return search(queryset, value)


class MembershipFilter(StrictFilterSet):
    unit = IdFilter(field_name="unit_id")
    user = IdFilter(field_name="user_id")
    active_on = django_filters.DateFilter(method="filter_active_on")

    class Meta:
        model = Membership
        fields = ["unit", "user"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)
