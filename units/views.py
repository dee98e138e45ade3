from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from thads.api.validation import validated as _valid
from thads.clock import local_today
from thads.errors import DomainError
from units import services
from units.calendar import working_days_payload
from units.filters import MembershipFilter, UnitFilter
from units.models import Membership, OrgUnit
from units.permissions import IsLeadership, ReadOrLeadership
from units.selectors import membership_list, memberships_active, unit_tree, user_scope
from units.serializers import (
    MembershipCreateInputSerializer,
    MembershipEndInputSerializer,
    MembershipSerializer,
    MeSerializer,
    UnitChangeSerializer,
    UnitCreateInputSerializer,
    UnitMergeInputSerializer,
    UnitRenameInputSerializer,
    UnitSerializer,
    UnitSplitInputSerializer,
    UnitTreeNodeSerializer,
    UnitUpdateInputSerializer,
    WorkingDaySerializer,
)


class UnitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The organisation: every signed-in user reads it; leadership changes it."""

    serializer_class = UnitSerializer
    permission_classes = [ReadOrLeadership]
    filterset_class = UnitFilter
    queryset = OrgUnit.objects.prefetch_related("successor_links").order_by("id")
    pagination_class = None  # a province has tens of units; clients want them all at once

    @extend_schema(request=UnitCreateInputSerializer, responses={201: UnitSerializer})
    def create(self, request):
        data = _valid(UnitCreateInputSerializer, request)
        unit = services.unit_create(actor=request.user, **data)
        return Response(UnitSerializer(unit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=UnitUpdateInputSerializer, responses=UnitSerializer)
    def partial_update(self, request, pk=None):
        unit = self.get_object()
        data = _valid(UnitUpdateInputSerializer, request)
        unit = services.unit_update(actor=request.user, unit=unit, **data)
        return Response(UnitSerializer(unit).data)

    @extend_schema(request=UnitRenameInputSerializer, responses=UnitSerializer)
    @action(detail=True, methods=["post"])
    def rename(self, request, pk=None):
        unit = self.get_object()
        data = _valid(UnitRenameInputSerializer, request)
        unit = services.unit_rename(actor=request.user, unit=unit, **data)
        return Response(UnitSerializer(unit).data)

    @extend_schema(request=UnitSplitInputSerializer, responses={201: UnitSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def split(self, request, pk=None):
        unit = self.get_object()
        data = _valid(UnitSplitInputSerializer, request)
        created = services.unit_split(actor=request.user, unit=unit, **data)
        return Response(UnitSerializer(created, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=UnitMergeInputSerializer, responses=UnitSerializer)
    @action(detail=False, methods=["post"])
    def merge(self, request):
        data = _valid(UnitMergeInputSerializer, request)
        unit = services.units_merge(actor=request.user, **data)
        return Response(UnitSerializer(unit).data)

    @extend_schema(responses=UnitChangeSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        unit = self.get_object()
        changes = unit.changes.select_related("actor").order_by("at", "id")
        return Response(UnitChangeSerializer(changes, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("on", str, description="YYYY-MM-DD; today by default")],
        responses=UnitTreeNodeSerializer(many=True),
        filters=False,
    )
    @action(detail=False, methods=["get"], filterset_class=None)
    def tree(self, request):
        on_param = request.query_params.get("on")
        on = serializers.DateField().to_internal_value(on_param) if on_param else local_today()
        return Response(unit_tree(on=on))


class MembershipViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who belongs to which unit, in which role; leadership only."""

    serializer_class = MembershipSerializer
    permission_classes = [IsLeadership]
    filterset_class = MembershipFilter

    def get_queryset(self):
        return membership_list()

    @extend_schema(request=MembershipCreateInputSerializer, responses={201: MembershipSerializer})
    def create(self, request):
        data = _valid(MembershipCreateInputSerializer, request)
        membership = services.membership_create(actor=request.user, **data)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MembershipEndInputSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        membership = get_object_or_404(Membership, pk=pk)
        data = _valid(MembershipEndInputSerializer, request)
        membership = services.membership_end(actor=request.user, membership=membership, **data)
        return Response(MembershipSerializer(membership).data)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        scope = user_scope(user=user)
        payload = {
            "id": user.id,
            "username": user.username,
            "full_name": user.full_name,
            "email": user.email,
            "is_leadership": scope.is_leadership,
            "memberships": memberships_active(user=user),
            "acting_unit_ids": sorted(scope.acting_unit_ids),
            "visible_unit_ids": (
                None if scope.visible_unit_ids is None else sorted(scope.visible_unit_ids)
            ),
        }
        return Response(MeSerializer(payload).data)


MAX_CALENDAR_DAYS = 366


class WorkingDaysView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True),
        ],
        responses=WorkingDaySerializer(many=True),
    )
    def get(self, request):
        params = {}
        for name in ("from", "to"):
            raw = request.query_params.get(name)
            if not raw:
                raise DomainError(
                    "validation_error", _("Thiếu tham số."), fields={name: [_("Bắt buộc.")]}
                )
            params[name] = serializers.DateField().to_internal_value(raw)
        start, end = params["from"], params["to"]
        if end < start or (end - start).days >= MAX_CALENDAR_DAYS:
            raise DomainError(
                "validation_error",
                _("Khoảng ngày không hợp lệ (tối đa %(n)d ngày).") % {"n": MAX_CALENDAR_DAYS},
                fields={"to": [_("Khoảng ngày không hợp lệ.")]},
            )
        return Response(WorkingDaySerializer(working_days_payload(start, end), many=True).data)
