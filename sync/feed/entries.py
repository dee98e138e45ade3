"""What the feed serves of each kind: the objects the caller may see, as entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from changelog.log import (
    KIND_ASSIGNMENT,
    KIND_DIRECTIVE,
    KIND_DOCUMENT,
    KIND_EXTENSION,
    KIND_NOTIFICATION,
    KIND_REPORT,
    KIND_UNIT,
)
from directives import rows as rows_
from directives import selectors as directive_selectors
from directives.serializers import (
    DirectiveSerializer,
    DocumentSerializer,
    ExtensionRequestSerializer,
    ProgressReportSerializer,
)
from notifications.selectors import notification_list
from notifications.serializers import NotificationSerializer
from thads.clock import local_today
from units.models import OrgUnit
from units.selectors import Scope
from units.serializers import UnitSerializer

# The order of a full sync: parents before children, so a client can insert as it goes.
KINDS = (
    KIND_UNIT,
    KIND_DOCUMENT,
    KIND_DIRECTIVE,
    KIND_ASSIGNMENT,
    KIND_REPORT,
    KIND_EXTENSION,
    KIND_NOTIFICATION,
)


def _visible(kind: str, user) -> QuerySet:
    """Each kind's objects the caller may see, shaped for its serializer."""
    if kind == KIND_UNIT:
        # The organisation chart is open to every signed-in user (units.selectors.unit_list).
        return OrgUnit.objects.prefetch_related("successor_links")
    if kind == KIND_DOCUMENT:
        return directive_selectors.document_list(user=user)
    if kind == KIND_DIRECTIVE:
        return directive_selectors.directive_list(user=user)
    if kind == KIND_ASSIGNMENT:
        return directive_selectors.assignment_list(user=user)
    if kind == KIND_REPORT:
        return directive_selectors.progress_report_list(user=user)
    if kind == KIND_EXTENSION:
        return directive_selectors.extension_list(user=user)
    if kind == KIND_NOTIFICATION:
        return notification_list(user=user)
    raise ValueError(kind)


def _assignments(scope: Scope, **where) -> list[dict[str, Any]]:
    """Assignments, the bulk of every feed, as entries by id: read and shaped like
    the list endpoint's page (`directives.rows`), `where` as `rows.fetch` takes it."""
    shape = rows_.Shaper(scope)
    return [
        {"type": KIND_ASSIGNMENT, "id": row[0], "data": shape(row)}
        for row in rows_.fetch(scope=scope, today=local_today(), descending=False, **where)
    ]


def _fetch(kind: str, queryset: QuerySet, scope: Scope) -> list[dict[str, Any]]:
    """The objects of `queryset` as feed entries, in its order (assignments go
    through `_assignments`)."""
    objects = list(queryset)
    serializer = {
        KIND_UNIT: UnitSerializer,
        KIND_DOCUMENT: DocumentSerializer,
        KIND_DIRECTIVE: DirectiveSerializer,
        KIND_REPORT: ProgressReportSerializer,
        KIND_EXTENSION: ExtensionRequestSerializer,
        KIND_NOTIFICATION: NotificationSerializer,
    }[kind]
    data = serializer(objects, many=True, context={"scope": scope}).data
    return [
        {"type": kind, "id": obj.pk, "data": item} for obj, item in zip(objects, data, strict=True)
    ]


@dataclass
class Page:
    changes: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[dict[str, Any]] = field(default_factory=list)
    next_token: str = ""
    has_more: bool = False
