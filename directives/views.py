"""The directives API. Views validate input, call one service or selector and
serialize the result; visibility comes from the selectors, rules from the
services."""

import hashlib

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from directives import rows, selectors, services
from directives.access import allowed_actions, ensure_leadership
from directives.errors import PRECONDITION_REQUIRED, VERSION_MISMATCH
from directives.files import ALLOWED_CONTENT_TYPES
from directives.filters import AssignmentFilter, DirectiveFilter, DocumentFilter, ExtensionFilter
from directives.models import Assignment, Category, RecurringSchedule, ReminderPolicy
from directives.serializers import (
    AssignInputSerializer,
    AssignmentEventSerializer,
    AssignmentSerializer,
    AssignmentUpdateInputSerializer,
    AttachmentSerializer,
    CategorySerializer,
    CompleteInputSerializer,
    DirectiveCreateInputSerializer,
    DirectiveSerializer,
    DirectiveUpdateInputSerializer,
    DocumentCreateInputSerializer,
    DocumentSerializer,
    DocumentUpdateInputSerializer,
    ExtensionInputSerializer,
    ExtensionRequestSerializer,
    ExtractedItemSerializer,
    ExtractInputSerializer,
    ExtractPreviewSerializer,
    NoteInputSerializer,
    ProgressInputSerializer,
    ProgressReportSerializer,
    ReasonInputSerializer,
    RecurringScheduleInputSerializer,
    RecurringScheduleSerializer,
    ReminderPolicyInputSerializer,
    ReminderPolicySerializer,
    TransferInputSerializer,
)
from thads.api.filters import StrictFilterBackend
from thads.api.ids import ID_LOOKUP_REGEX
from thads.api.validation import validated
from thads.clock import local_today
from thads.errors import DomainError, found
from units.permissions import IsLeadership
from units.selectors import user_scope

# --- conditional requests -----------------------------------------------------


def assignment_etag(assignment: Assignment, scope) -> str:
    """A validator from the version and what the caller may do with it: the same
    row gives different users different representations.

    Weak (`W/"..."`) on every answer: GZipMiddleware weakens the tag of a
    compressed body (RFC 9110, the bytes differ), so a strong tag would come in
    two forms. What it names is the representation, whatever its encoding."""
    actions = ",".join(allowed_actions(scope=scope, assignment=assignment))
    digest = hashlib.sha256(f"{assignment.pk}:{assignment.version}:{actions}".encode())
    return f'W/"{assignment.version}-{digest.hexdigest()[:16]}"'


def etag_listed(etag: str, header: str) -> bool:
    """Whether an If-Match / If-None-Match header names `etag`, in its weak or its
    strong form (a client or proxy may have dropped the `W/`)."""
    opaque = etag.removeprefix("W/")
    return opaque in [tag.strip().removeprefix("W/") for tag in header.split(",")]


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The assignment's current ETag (428 without it, 412 when stale).",
)


class AssignmentWriteMixin:
    """Writes to an assignment need `If-Match` with its current ETag."""

    def _expected_version(self, request, assignment: Assignment) -> int | None:
        header = request.headers.get("If-Match")
        if not header:
            raise DomainError(
                PRECONDITION_REQUIRED,
                _("Cần gửi tiêu đề If-Match với ETag hiện tại của nhiệm vụ."),
                status_code=428,
            )
        if header.strip() == "*":
            return None
        scope = user_scope(user=request.user)
        if not etag_listed(assignment_etag(assignment, scope), header):
            self._precondition_failed(request, assignment)
        return assignment.version

    def _precondition_failed(self, request, assignment: Assignment):
        fresh = selectors.assignment_get(user=request.user, pk=assignment.pk)
        raise DomainError(
            VERSION_MISMATCH,
            _("Nhiệm vụ đã được thay đổi bởi người khác; hãy tải lại rồi thử lại."),
            extra={"current": self._represent(request, fresh)},
            status_code=412,
        )

    def _represent(self, request, assignment: Assignment) -> dict:
        scope = user_scope(user=request.user)
        return AssignmentSerializer(assignment, context={"scope": scope}).data

    def _conditional(self, request, pk, service, **kwargs):
        assignment = found(selectors.assignment_get(user=request.user, pk=pk))
        expected = self._expected_version(request, assignment)
        try:
            return assignment, service(
                actor=request.user, assignment=assignment, expected_version=expected, **kwargs
            )
        except DomainError as exc:
            if exc.code == VERSION_MISMATCH:
                self._precondition_failed(request, assignment)
            raise

    def _assignment_response(self, request, pk, status_code=status.HTTP_200_OK):
        assignment = selectors.assignment_get(user=request.user, pk=pk)
        scope = user_scope(user=request.user)
        response = Response(
            AssignmentSerializer(assignment, context={"scope": scope}).data, status=status_code
        )
        response["ETag"] = assignment_etag(assignment, scope)
        return response


# --- documents ------------------------------------------------------------------


class DocumentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = ID_LOOKUP_REGEX
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    filter_backends = [StrictFilterBackend, OrderingFilter]
    ordering_fields = ["id", "issued_on", "updated_at"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.document_list(user=self.request.user)

    def retrieve(self, request, pk=None):
        document = found(selectors.document_get(user=request.user, pk=pk))
        return Response(DocumentSerializer(document).data)

    @extend_schema(request=DocumentCreateInputSerializer, responses={201: DocumentSerializer})
    def create(self, request):
        ensure_leadership(request.user)  # before validating: no hints about ids to others
        data = validated(DocumentCreateInputSerializer, request)
        links = [(link["relation"], link["target"]) for link in data.pop("links")]
        document = services.document_create(
            actor=request.user, links=links, files=request.FILES.getlist("files"), **data
        )
        document = selectors.document_get(user=request.user, pk=document.pk)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DocumentUpdateInputSerializer, responses=DocumentSerializer)
    def partial_update(self, request, pk=None):
        document = found(selectors.document_get(user=request.user, pk=pk))
        ensure_leadership(request.user)
        data = validated(DocumentUpdateInputSerializer, request)
        services.document_update(actor=request.user, document=document, **data)
        return Response(DocumentSerializer(selectors.document_get(user=request.user, pk=pk)).data)

    @extend_schema(
        request=ExtractInputSerializer,
        responses={
            200: ExtractPreviewSerializer,
            201: DirectiveSerializer(many=True),
            422: OpenApiResponse(description="The body has no numbered items."),
        },
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def extract(self, request, pk=None):
        """`confirm: false` previews the numbered items; `confirm: true` creates the
        directives (from `items` when given, the client's edited preview)."""
        document = found(selectors.document_get(user=request.user, pk=pk))
        ensure_leadership(request.user)
        data = validated(ExtractInputSerializer, request)
        if not data["confirm"]:
            items = services.document_extract_preview(document=document)
            payload = [
                {
                    "label": i.label,
                    "position": i.position,
                    "title": i.title,
                    "body": i.body,
                    "category": i.category,
                }
                for i in items
            ]
            return Response({"items": ExtractedItemSerializer(payload, many=True).data})
        directives = services.document_extract_confirm(
            actor=request.user,
            document=document,
            items=data.get("items"),
            default_due_date=data["default_due_date"],
        )
        return Response(
            DirectiveSerializer(directives, many=True).data, status=status.HTTP_201_CREATED
        )


# --- directives ----------------------------------------------------------------


class DirectiveViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = ID_LOOKUP_REGEX
    serializer_class = DirectiveSerializer
    filterset_class = DirectiveFilter
    filter_backends = [StrictFilterBackend, OrderingFilter]
    ordering_fields = ["position", "id", "updated_at"]
    ordering = ["position", "id"]

    def get_queryset(self):
        return selectors.directive_list(user=self.request.user)

    def retrieve(self, request, pk=None):
        return Response(
            DirectiveSerializer(found(selectors.directive_get(user=request.user, pk=pk))).data
        )

    @extend_schema(request=DirectiveCreateInputSerializer, responses={201: DirectiveSerializer})
    def create(self, request):
        ensure_leadership(request.user)  # before validating: no hints about ids to others
        data = validated(DirectiveCreateInputSerializer, request)
        directive = services.directive_create(actor=request.user, **data)
        return Response(DirectiveSerializer(directive).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DirectiveUpdateInputSerializer, responses=DirectiveSerializer)
    def partial_update(self, request, pk=None):
        directive = found(selectors.directive_get(user=request.user, pk=pk))
        ensure_leadership(request.user)
        data = validated(DirectiveUpdateInputSerializer, request)
        directive = services.directive_update(actor=request.user, directive=directive, **data)
        return Response(DirectiveSerializer(directive).data)

    @extend_schema(request=ReasonInputSerializer, responses=DirectiveSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        directive = found(selectors.directive_get(user=request.user, pk=pk))
        ensure_leadership(request.user)
        data = validated(ReasonInputSerializer, request)
        directive = services.directive_revoke(actor=request.user, directive=directive, **data)
        return Response(DirectiveSerializer(directive).data)

    @extend_schema(
        request=AssignInputSerializer,
        responses={201: AssignmentSerializer(many=True)},
        filters=False,
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def assign(self, request, pk=None):
        directive = found(selectors.directive_get(user=request.user, pk=pk))
        ensure_leadership(request.user)
        data = validated(AssignInputSerializer, request)
        created = services.directive_assign(actor=request.user, directive=directive, **data)
        assignments = (
            selectors.assignment_list(user=request.user)
            .filter(pk__in=[a.pk for a in created])
            .order_by("id")
        )
        scope = user_scope(user=request.user)
        return Response(
            AssignmentSerializer(assignments, many=True, context={"scope": scope}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(methods=["GET"], responses={200: RecurringScheduleSerializer, 404: None})
    @extend_schema(
        methods=["PUT"],
        request=RecurringScheduleInputSerializer,
        responses=RecurringScheduleSerializer,
    )
    @action(detail=True, methods=["get", "put"])
    def recurrence(self, request, pk=None):
        """Make the directive recur (RFC 5545 rule): one assignment per unit per period."""
        directive = found(selectors.directive_get(user=request.user, pk=pk))
        if request.method == "GET":
            schedule = found(RecurringSchedule.objects.filter(directive=directive).first())
            return Response(RecurringScheduleSerializer(schedule).data)
        ensure_leadership(request.user)
        data = validated(RecurringScheduleInputSerializer, request)
        schedule = services.recurring_schedule_set(actor=request.user, directive=directive, **data)
        return Response(RecurringScheduleSerializer(schedule).data)


class ReminderPolicyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Reminder policies: the default, and documents' or directives' own.
    POST sets one (creating it if needed); leadership only."""

    serializer_class = ReminderPolicySerializer
    permission_classes = [IsLeadership]
    queryset = ReminderPolicy.objects.all()
    ordering = ["-is_default", "id"]  # the default first

    # 200, not the 201 drf-spectacular assumes for a POST: the policy is set, and
    # usually it existed already.
    @extend_schema(request=ReminderPolicyInputSerializer, responses={200: ReminderPolicySerializer})
    def create(self, request):
        data = validated(ReminderPolicyInputSerializer, request)
        policy = services.reminder_policy_set(actor=request.user, **data)
        return Response(ReminderPolicySerializer(policy).data)


class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Directive categories; leadership adds new ones."""

    serializer_class = CategorySerializer
    queryset = Category.objects.all()
    ordering = ["position", "code"]

    @extend_schema(request=CategorySerializer, responses={201: CategorySerializer})
    def create(self, request):
        ensure_leadership(request.user)
        data = validated(CategorySerializer, request)
        category = services.category_create(actor=request.user, **data)
        return Response(CategorySerializer(category).data, status=status.HTTP_201_CREATED)


# --- assignments ---------------------------------------------------------------


# The query parameters of the plain list, served by one keyset query.
_PLAIN_LIST_PARAMS = frozenset({"cursor", "page_size", "fields"})


class AssignmentViewSet(AssignmentWriteMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = ID_LOOKUP_REGEX
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    filter_backends = [StrictFilterBackend, OrderingFilter]
    ordering_fields = ["id", "due_date", "updated_at", "status", "progress"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.assignment_list(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "scope": user_scope(user=self.request.user)}

    def list(self, request):
        """Shaped from rows, not model instances (see `directives.rows`); the
        output is the same as `AssignmentSerializer`'s. The plain list (no filter,
        no ordering: what phones poll) is one keyset query; a filtered or reordered
        one pages the ORM's ids, then reads their rows."""
        scope = user_scope(user=request.user)
        today = local_today()
        shape = rows.Shaper(scope)
        page = None
        if request.query_params.keys() <= _PLAIN_LIST_PARAMS:
            page = self.paginator.paginate_by_id(
                request,
                lambda **where: rows.fetch(scope=scope, today=today, **where),
                view=self,
            )
        if page is None:
            positions = self.paginate_queryset(
                self.filter_queryset(self.get_queryset()).values(*self.ordering_fields)
            )
            ids = [position["id"] for position in positions]
            by_id = {row[0]: row for row in rows.fetch(scope=scope, today=today, ids=ids)}
            page = [by_id[pk] for pk in ids]
        results = [shape(row) for row in page]
        self.paginator.page = results  # the links read their positions from the page
        return self.get_paginated_response(results)

    @extend_schema(
        parameters=[OpenApiParameter("If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER)],
        responses={200: AssignmentSerializer, 304: OpenApiResponse(description="Not modified")},
    )
    def retrieve(self, request, pk=None):
        assignment = found(selectors.assignment_get(user=request.user, pk=pk))
        scope = user_scope(user=request.user)
        etag = assignment_etag(assignment, scope)
        if etag_listed(etag, request.headers.get("If-None-Match", "")):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        response = Response(AssignmentSerializer(assignment, context={"scope": scope}).data)
        response["ETag"] = etag
        return response

    @extend_schema(
        parameters=[IF_MATCH],
        request=AssignmentUpdateInputSerializer,
        responses=AssignmentSerializer,
    )
    def partial_update(self, request, pk=None):
        data = validated(AssignmentUpdateInputSerializer, request)
        self._conditional(request, pk, services.assignment_update, **data)
        return self._assignment_response(request, pk)

    @extend_schema(parameters=[IF_MATCH], request=None, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        self._conditional(request, pk, services.assignment_acknowledge)
        return self._assignment_response(request, pk)

    @extend_schema(
        parameters=[IF_MATCH],
        request={
            "application/json": ProgressInputSerializer,
            "multipart/form-data": ProgressInputSerializer,
        },
        responses={201: ProgressReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        data = validated(ProgressInputSerializer, request)
        _, report = self._conditional(request, pk, services.assignment_report_progress, **data)
        report = selectors.assignment_reports(assignment=report.assignment).get(pk=report.pk)
        return Response(ProgressReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ProgressReportSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None)
    def reports(self, request, pk=None):
        assignment = found(selectors.assignment_get(user=request.user, pk=pk))
        reports = selectors.assignment_reports(assignment=assignment)
        return Response(ProgressReportSerializer(reports, many=True).data)

    @extend_schema(
        parameters=[IF_MATCH],
        request={
            "application/json": ExtensionInputSerializer,
            "multipart/form-data": ExtensionInputSerializer,
        },
        responses={201: ExtensionRequestSerializer},
    )
    @action(detail=True, methods=["post"])
    def extensions(self, request, pk=None):
        data = validated(ExtensionInputSerializer, request)
        _, extension = self._conditional(request, pk, services.extension_request_create, **data)
        extension = selectors.extension_get(user=request.user, pk=extension.pk)
        return Response(ExtensionRequestSerializer(extension).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[IF_MATCH],
        request={
            "application/json": CompleteInputSerializer,
            "multipart/form-data": CompleteInputSerializer,
        },
        responses=AssignmentSerializer,
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        data = validated(CompleteInputSerializer, request)
        self._conditional(request, pk, services.assignment_report_completion, **data)
        return self._assignment_response(request, pk)

    @extend_schema(
        parameters=[IF_MATCH], request=NoteInputSerializer, responses=AssignmentSerializer
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = validated(NoteInputSerializer, request)
        self._conditional(request, pk, services.assignment_accept, **data)
        return self._assignment_response(request, pk)

    @extend_schema(
        parameters=[IF_MATCH], request=ReasonInputSerializer, responses=AssignmentSerializer
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        data = validated(ReasonInputSerializer, request)
        self._conditional(request, pk, services.assignment_return, **data)
        return self._assignment_response(request, pk)

    @extend_schema(
        parameters=[IF_MATCH], request=ReasonInputSerializer, responses=AssignmentSerializer
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = validated(ReasonInputSerializer, request)
        self._conditional(request, pk, services.assignment_cancel, **data)
        return self._assignment_response(request, pk)

    @extend_schema(responses=AssignmentEventSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        assignment = found(selectors.assignment_get(user=request.user, pk=pk))
        events = selectors.assignment_history(assignment=assignment)
        return Response(AssignmentEventSerializer(events, many=True).data)

    @extend_schema(
        request=TransferInputSerializer, responses=AssignmentSerializer(many=True), filters=False
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    def transfer(self, request):
        """Move a unit's open assignments to its successor after a restructuring."""
        ensure_leadership(request.user)
        data = validated(TransferInputSerializer, request)
        moved = services.assignments_transfer(actor=request.user, **data)
        assignments = (
            selectors.assignment_list(user=request.user)
            .filter(pk__in=[a.pk for a in moved])
            .order_by("id")
        )
        return Response(
            AssignmentSerializer(
                assignments, many=True, context={"scope": user_scope(user=request.user)}
            ).data
        )


# --- extensions ----------------------------------------------------------------


class ExtensionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = ID_LOOKUP_REGEX
    serializer_class = ExtensionRequestSerializer
    filterset_class = ExtensionFilter

    def get_queryset(self):
        return selectors.extension_list(user=self.request.user)

    def retrieve(self, request, pk=None):
        extension = found(selectors.extension_get(user=request.user, pk=pk))
        return Response(ExtensionRequestSerializer(extension).data)

    @extend_schema(request=None, responses=ExtensionRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        extension = found(selectors.extension_get(user=request.user, pk=pk))
        services.extension_approve(actor=request.user, extension=extension)
        return Response(
            ExtensionRequestSerializer(selectors.extension_get(user=request.user, pk=pk)).data
        )

    @extend_schema(request=ReasonInputSerializer, responses=ExtensionRequestSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        extension = found(selectors.extension_get(user=request.user, pk=pk))
        data = validated(ReasonInputSerializer, request)
        services.extension_reject(actor=request.user, extension=extension, **data)
        return Response(
            ExtensionRequestSerializer(selectors.extension_get(user=request.user, pk=pk)).data
        )


# --- files ------------------------------------------------------------------------


class AttachmentViewSet(viewsets.GenericViewSet):
    lookup_value_regex = ID_LOOKUP_REGEX
    serializer_class = AttachmentSerializer

    def retrieve(self, request, pk=None):
        attachment = found(selectors.attachment_get(user=request.user, pk=pk))
        return Response(AttachmentSerializer(attachment).data)

    # Served with the type detected at upload (directives.files), one of these.
    @extend_schema(
        responses={(200, media): OpenApiTypes.BINARY for media in sorted(ALLOWED_CONTENT_TYPES)},
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        attachment = found(selectors.attachment_get(user=request.user, pk=pk))
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
