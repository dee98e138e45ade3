"""The skeleton every assignment transition repeats: lock, check, snapshot,
save, event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from directives.errors import VERSION_MISMATCH
from directives.models import (
    REMINDED_STATUSES,
    Assignment,
    AssignmentEvent,
)
from directives.services.policies import next_reminder_at
from sync.log import (
    KIND_ASSIGNMENT,
    KIND_DIRECTIVE,
    KIND_DOCUMENT,
    KIND_EXTENSION,
    KIND_REPORT,
    record_changes,
)
from thads.errors import DomainError


def _snapshot(assignment: Assignment, fields: Sequence[str]) -> dict[str, Any]:
    values = {}
    for field in fields:
        value = getattr(assignment, field)
        values[field] = value.isoformat() if isinstance(value, (date, datetime)) else value
    return values


def _event(
    assignment: Assignment,
    action: str,
    *,
    actor,
    at: datetime,
    before: dict[str, Any] | None = None,
    note: str = "",
) -> AssignmentEvent:
    before = before or {}
    if before:
        after = _snapshot(assignment, list(before))
    elif action == AssignmentEvent.Action.ASSIGNED:
        # The start of the trail: what was assigned, so history alone rebuilds it.
        after = _snapshot(
            assignment, ["unit_id", "role", "status", "due_date", "original_due_date"]
        )
    else:
        after = {}
    _log_assignment(assignment, action, before)
    return AssignmentEvent.objects.create(
        assignment=assignment,
        action=action,
        actor=actor,
        at=at,
        before=before,
        after=after,
        note=note,
    )


def _log_assignment(assignment: Assignment, action: str, before: dict[str, Any]) -> None:
    """Tell the sync feed: the unit sees the assignment change; a new assignment
    also brings its directive and document into the unit's view; a transfer
    takes it out of the old unit's."""
    rows = [{"kind": KIND_ASSIGNMENT, "object_id": assignment.pk, "unit_id": assignment.unit_id}]
    if action == AssignmentEvent.Action.TRANSFERRED:
        # The successor receives the whole file: reports and requests too.
        rows += [
            {"kind": KIND_REPORT, "object_id": pk, "unit_id": assignment.unit_id}
            for pk in assignment.reports.values_list("id", flat=True)
        ]
        rows += [
            {"kind": KIND_EXTENSION, "object_id": pk, "unit_id": assignment.unit_id}
            for pk in assignment.extension_requests.values_list("id", flat=True)
        ]
    if action in (AssignmentEvent.Action.ASSIGNED, AssignmentEvent.Action.TRANSFERRED):
        directive = assignment.directive
        rows += [
            {"kind": KIND_DIRECTIVE, "object_id": directive.pk, "unit_id": assignment.unit_id},
            {
                "kind": KIND_DOCUMENT,
                "object_id": directive.document_id,
                "unit_id": assignment.unit_id,
            },
        ]
    if "unit_id" in before and before["unit_id"] != assignment.unit_id:
        rows.append(
            {"kind": KIND_ASSIGNMENT, "object_id": assignment.pk, "unit_id": before["unit_id"]}
        )
    record_changes(rows)


def _lock(assignment: Assignment, expected_version: int | None) -> Assignment:
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    locked._loaded = (locked.status, locked.due_date)
    if expected_version is not None and locked.version != expected_version:
        raise DomainError(
            VERSION_MISMATCH,
            _("Nhiệm vụ đã được thay đổi bởi người khác; hãy tải lại rồi thử lại."),
            extra={"current_version": locked.version},
            status_code=412,
        )
    return locked


def _save(assignment: Assignment, fields: Sequence[str], *, at: datetime) -> None:
    assignment.version += 1
    was_status, was_due = getattr(assignment, "_loaded", (None, None))
    unchanged_schedule = (
        assignment.next_reminder_at is not None
        and assignment.status in REMINDED_STATUSES
        and was_status in REMINDED_STATUSES
        and was_due == assignment.due_date
    )
    if not unchanged_schedule:
        # A new deadline or a change of phase starts the points afresh; otherwise
        # the pending point stays, even if it is due and the sweep has not run yet.
        # A moved deadline keeps the points of the new one that are already due.
        moved = was_due is not None and was_due != assignment.due_date
        assignment.next_reminder_at = next_reminder_at(assignment, after=at, new_deadline=moved)
    assignment.save(update_fields=[*fields, "version", "next_reminder_at", "updated_at"])


def _mark_acknowledged(assignment: Assignment, actor, at: datetime) -> list[str]:
    if assignment.acknowledged_at is None:
        assignment.acknowledged_at = at
        assignment.acknowledged_by = actor
        return ["acknowledged_at", "acknowledged_by"]
    return []


def _existing_by_uuid(model, *, author_field: str, actor, client_uuid):
    if client_uuid is None:
        return None
    return model.objects.filter(**{author_field: actor, "client_uuid": client_uuid}).first()
