"""Reads of documents, directives and assignments, and what each user may see.

Every endpoint fetches through these functions, so visibility is decided in
one place (with `units.selectors.user_scope`): an object outside the caller's
scope is simply not in the queryset, which makes it a 404 in details and
absent from lists, histories, files and search alike.

Querysets come back shaped for their serializers (joins and prefetches), so a
page costs the same number of queries whatever its size.
"""

from __future__ import annotations

from datetime import date

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from directives.models import (
    Assignment,
    AssignmentEvent,
    AssignmentStatus,
    Attachment,
    Directive,
    ExtensionRequest,
    ProgressReport,
    SourceDocument,
    Timeliness,
)
from thads.clock import local_today
from thads.models import search
from units.selectors import Scope, user_scope

_OPEN = [
    AssignmentStatus.ASSIGNED,
    AssignmentStatus.ACKNOWLEDGED,
    AssignmentStatus.IN_PROGRESS,
    AssignmentStatus.REPORTED,
]


def timeliness_q(value: str, *, today: date) -> Q:
    """The filter for one timeliness value, judged on `today` (local date).

    Done: on time when completed on or before the latest approved deadline.
    Open: overdue from the day after the deadline (00:00 local of D+1).
    Cancelled assignments have no timeliness.
    """
    if value == Timeliness.DONE_ON_TIME:
        return Q(status=AssignmentStatus.DONE, completed_on__lte=F("due_date"))
    if value == Timeliness.DONE_LATE:
        return Q(status=AssignmentStatus.DONE, completed_on__gt=F("due_date"))
    if value == Timeliness.OPEN_ON_TIME:
        return Q(status__in=_OPEN, due_date__gte=today)
    if value == Timeliness.OPEN_OVERDUE:
        return Q(status__in=_OPEN, due_date__lt=today)
    raise ValueError(value)


def timeliness_expression(*, today: date) -> Case:
    return Case(
        *[When(timeliness_q(value, today=today), then=Value(value)) for value in Timeliness],
        default=Value(None),
        output_field=CharField(),
    )


def timeliness_of(assignment: Assignment, *, today: date) -> str | None:
    """The same rule in Python, for an object already in memory."""
    if assignment.status == AssignmentStatus.DONE:
        on_time = assignment.completed_on <= assignment.due_date
        return Timeliness.DONE_ON_TIME if on_time else Timeliness.DONE_LATE
    if assignment.status == AssignmentStatus.CANCELLED:
        return None
    return Timeliness.OPEN_ON_TIME if assignment.due_date >= today else Timeliness.OPEN_OVERDUE


# --- assignments ------------------------------------------------------------


def assignment_visible(*, scope: Scope) -> QuerySet[Assignment]:
    return Assignment.objects.filter(scope.unit_filter("unit"))


def assignment_list(*, user, today: date | None = None) -> QuerySet[Assignment]:
    """The assignments `user` may see, annotated with `timeliness`, with the
    directive, unit and latest report joined in."""
    today = today or local_today()
    scope = user_scope(user=user)
    return (
        assignment_visible(scope=scope)
        # Only the directive row: the list shows its document's id, which the
        # directive holds; joining the document would drag its whole body along.
        .select_related("directive", "unit", "latest_report")
        .annotate(timeliness=timeliness_expression(today=today))
    )


def assignment_get(*, user, pk: int) -> Assignment | None:
    return assignment_list(user=user).filter(pk=pk).first()


def assignment_history(*, assignment: Assignment) -> QuerySet[AssignmentEvent]:
    return assignment.events.select_related("actor").order_by("at", "id")


def assignment_reports(*, assignment: Assignment) -> QuerySet[ProgressReport]:
    return (
        assignment.reports.select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def progress_report_list(*, user) -> QuerySet[ProgressReport]:
    """The progress reports of the assignments `user` may see (the sync feed's)."""
    scope = user_scope(user=user)
    return (
        ProgressReport.objects.filter(scope.unit_filter("assignment__unit"))
        .select_related("author")
        .prefetch_related("attachments")
    )


def assignments_search(qs: QuerySet[Assignment], query: str) -> QuerySet[Assignment]:
    """Assignments whose directive, unit or document has a word beginning with
    each word of `query` (see `thads.models.search`)."""
    return search(
        qs,
        query,
        fields=("directive__search_key", "unit__search_key", "directive__document__search_key"),
    )


# --- extensions -------------------------------------------------------------


def extension_list(*, user) -> QuerySet[ExtensionRequest]:
    scope = user_scope(user=user)
    return (
        ExtensionRequest.objects.filter(scope.unit_filter("assignment__unit"))
        .select_related("assignment", "requested_by", "decided_by")
        .prefetch_related("attachments")
    )


def extension_get(*, user, pk: int) -> ExtensionRequest | None:
    return extension_list(user=user).filter(pk=pk).first()


# --- directives and documents ---------------------------------------------------


def _directive_visible_filter(scope: Scope) -> Q:
    if scope.visible_unit_ids is None:
        return Q()
    seen = Assignment.objects.filter(
        directive=OuterRef("pk"), unit__in=sorted(scope.visible_unit_ids)
    )
    return Q(Exists(seen))


def directive_list(*, user) -> QuerySet[Directive]:
    """Leadership sees every directive; a unit sees the directives assigned to a
    unit in its scope."""
    scope = user_scope(user=user)
    return (
        Directive.objects.filter(_directive_visible_filter(scope))
        .select_related("category", "document")
        .order_by("document_id", "position", "id")
    )


def directive_get(*, user, pk: int) -> Directive | None:
    return directive_list(user=user).filter(pk=pk).first()


def document_list(*, user) -> QuerySet[SourceDocument]:
    scope = user_scope(user=user)
    qs = SourceDocument.objects.select_related("issuing_unit").prefetch_related(
        "outgoing_links", Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )
    if scope.visible_unit_ids is not None:
        seen = Assignment.objects.filter(
            directive__document=OuterRef("pk"), unit__in=sorted(scope.visible_unit_ids)
        )
        qs = qs.filter(Exists(seen))
    return qs.order_by("-issued_on", "-id")


def document_get(*, user, pk: int) -> SourceDocument | None:
    return document_list(user=user).filter(pk=pk).first()


def attachment_get(*, user, pk: int) -> Attachment | None:
    """An attachment is visible when its owner is: the document, or the report or
    extension request of a visible assignment."""
    attachment = (
        Attachment.objects.select_related("report__assignment", "extension__assignment")
        .filter(pk=pk)
        .first()
    )
    if attachment is None:
        return None
    if attachment.document_id is not None:
        return attachment if document_get(user=user, pk=attachment.document_id) else None
    owner = attachment.report or attachment.extension
    scope = user_scope(user=user)
    return attachment if scope.can_see_unit(owner.assignment.unit_id) else None
