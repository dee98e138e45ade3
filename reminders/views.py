import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from reminders import selectors
from reminders.models import LedgerState, ReminderLedger
from reminders.serializers import ReminderLedgerSerializer
from thads.api.filters import IdFilter, StrictFilterSet
from units.permissions import IsLeadership


class LedgerFilter(StrictFilterSet):
    state = django_filters.ChoiceFilter(choices=LedgerState.choices)
    channel = django_filters.CharFilter(field_name="channel", lookup_expr="startswith")
    kind = django_filters.CharFilter()
    assignment = IdFilter(field_name="assignment_id")
    recipient = IdFilter(field_name="recipient_id")

    class Meta:
        model = ReminderLedger
        fields = ["state", "kind"]


class ReminderLedgerViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The reminder ledger: what was due, to whom, through which channel, and how
    it went (pending, sent, failed with the last error, skipped with the reason)."""

    serializer_class = ReminderLedgerSerializer
    permission_classes = [IsLeadership]
    filterset_class = LedgerFilter

    def get_queryset(self):
        return selectors.ledger_list(user=self.request.user)

    @extend_schema(
        responses=inline_serializer(
            "ReminderLedgerSummary",
            {
                "states": serializers.DictField(
                    child=serializers.DictField(child=serializers.IntegerField())
                )
            },
        ),
        filters=False,
    )
    @action(detail=False, methods=["get"], filterset_class=None)
    def summary(self, request):
        return Response({"states": selectors.ledger_summary()})
