from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from thads.api.fields import DayField
from thads.api.ids import ID_LOOKUP_REGEX
from thads.api.pagination import CursorPagination
from thads.api.validation import validated as _valid
from thads.clock import local_today
from thads.errors import DomainError, NotFoundError
from units import services
from units.calendar import working_days_payload
from units.errors import VALIDATION_ERROR
from units.filters import MembershipFilter, UnitFilter
from units.models import Membership, OrgUnit, User
from units.permissions import IsLeadership, ReadOrLeadership
from units.selectors import (
    login_session_get,
    login_session_list,
    membership_list,
    memberships_active,
    unit_tree,
    user_scope,
)
from units.serializers import (
    LoginSessionQuerySerializer,
    LoginSessionSerializer,
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
    UserSerializer,
    WorkingDaySerializer,
)


class UnitPagination(CursorPagination):
    """A province has tens of units: one page holds them all, in the contract's
    paginated shape."""

    ordering = "id"
    page_size = settings.API_MAX_PAGE_SIZE


class UnitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The organisation: every signed-in user reads it; leadership changes it."""

    lookup_value_regex = ID_LOOKUP_REGEX
    serializer_class = UnitSerializer
    permission_classes = [ReadOrLeadership]
    filterset_class = UnitFilter
    queryset = OrgUnit.objects.prefetch_related("successor_links").order_by("id")
    pagination_class = UnitPagination

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

    @extend_schema(
        request=UnitSplitInputSerializer, responses={201: UnitSerializer(many=True)}, filters=False
    )
    @action(detail=True, methods=["post"], pagination_class=None)
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

    @extend_schema(responses=UnitChangeSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        unit = self.get_object()
        changes = unit.changes.select_related("actor").order_by("at", "id")
        return Response(UnitChangeSerializer(changes, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("on", str, description="YYYY-MM-DD; today by default")],
        responses=UnitTreeNodeSerializer(many=True),
        filters=False,
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def tree(self, request):
        on_param = request.query_params.get("on")
        on = DayField().to_internal_value(on_param) if on_param else local_today()
        return Response(unit_tree(on=on))


class MembershipViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who belongs to which unit, in which role; leadership only."""

    lookup_value_regex = ID_LOOKUP_REGEX
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


LEADERSHIP_CAPABILITIES = [
    "units.manage",
    "memberships.manage",
    "users.manage",
    "documents.create",
    "directives.create",
    "directives.assign",
    "extensions.decide",
    "assignments.accept",
    "assignments.return",
    "assignments.cancel",
    "assignments.update",
    "reminders.view",
    "reminder_policies.manage",
]
MEMBER_CAPABILITIES = [
    "assignments.acknowledge",
    "assignments.report_progress",
    "assignments.request_extension",
    "assignments.complete",
]


def capabilities(scope) -> list[str]:
    """The actions a client should offer this user; the server checks each anyway."""
    granted = list(LEADERSHIP_CAPABILITIES) if scope.is_leadership else []
    if scope.acting_unit_ids:
        granted += MEMBER_CAPABILITIES
    return granted


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
            "permissions": capabilities(scope),
            "session": getattr(user, "login_session_id", None),
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
                    VALIDATION_ERROR, _("Thiếu tham số."), fields={name: [_("Bắt buộc.")]}
                )
            params[name] = DayField().to_internal_value(raw)
        start, end = params["from"], params["to"]
        if end < start or (end - start).days >= MAX_CALENDAR_DAYS:
            raise DomainError(
                VALIDATION_ERROR,
                _("Khoảng ngày không hợp lệ (tối đa %(n)d ngày).") % {"n": MAX_CALENDAR_DAYS},
                fields={"to": [_("Khoảng ngày không hợp lệ.")]},
            )
        return Response(WorkingDaySerializer(working_days_payload(start, end), many=True).data)


@extend_schema_view(list=extend_schema(parameters=[LoginSessionQuerySerializer]))
class LoginSessionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Signed-in devices: the caller's own; leadership may list anyone's (`?user=`)
    and revoke any. Revoking ends the refresh token at once and the access token
    at its next request."""

    lookup_value_regex = ID_LOOKUP_REGEX
    serializer_class = LoginSessionSerializer

    def _of_user(self) -> int | None:
        """Whose sessions: leadership may name anyone (`?user=`, validated); for
        others the parameter is ignored."""
        if not user_scope(user=self.request.user).is_leadership:
            return None
        query = LoginSessionQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data.get("user")

    def get_queryset(self):
        return login_session_list(user=self.request.user, of_user=self._of_user())

    @extend_schema(request=None, responses=LoginSessionSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        self._of_user()  # a malformed `?user=` is refused here too, as on the list
        session = login_session_get(user=request.user, pk=pk)
        if session is None:
            raise NotFoundError()
        services.login_session_revoke(session=session, reason=f"revoked by {request.user}")
        return Response(LoginSessionSerializer(session, context={"request": request}).data)


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """People, for leadership: deactivate someone who left (every device signed out)."""

    lookup_value_regex = ID_LOOKUP_REGEX
    serializer_class = UserSerializer
    permission_classes = [IsLeadership]
    queryset = User.objects.all()
    ordering = "id"

    @extend_schema(request=None, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        user = services.user_set_active(actor=request.user, user=self.get_object(), active=False)
        return Response(UserSerializer(user).data)

    @extend_schema(request=None, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        user = services.user_set_active(actor=request.user, user=self.get_object(), active=True)
        return Response(UserSerializer(user).data)
