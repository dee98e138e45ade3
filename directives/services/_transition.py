"""The skeleton every assignment transition repeats: lock, check, snapshot,
save, event (`transition`), and its pieces for the services that lock their
rows themselves (a transfer, a new assignment)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from changelog.log import (
    KIND_ASSIGNMENT,
    KIND_DIRECTIVE,
    KIND_DOCUMENT,
    KIND_EXTENSION,
    KIND_REPORT,
    record_changes,
)
from directives import access
from directives.errors import VERSION_MISMATCH
from directives.models import (
    REMINDED_STATUSES,
    Assignment,
    AssignmentEvent,
)
from directives.services.policies import next_reminder_at, set_next_reminder
from thads.errors import DomainError


def snapshot(assignment: Assignment, fields: Sequence[str]) -> dict[str, Any]:
    values = {}
    for name in fields:
        value = getattr(assignment, name)
        values[name] = value.isoformat() if isinstance(value, (date, datetime)) else value
    return values


def record_event(
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
        after = snapshot(assignment, list(before))
    elif action == AssignmentEvent.Action.ASSIGNED:
        # The start of the trail: what was assigned, so history alone rebuilds it.
        after = snapshot(assignment, ["unit_id", "role", "status", "due_date", "original_due_date"])
    else:
        after = {}
    log_assignment(assignment, action, before)
    return AssignmentEvent.objects.create(
        assignment=assignment,
        action=action,
        actor=actor,
        at=at,
        before=before,
        after=after,
        note=note,
    )


def log_assignment(assignment: Assignment, action: str, before: dict[str, Any]) -> None:
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


@dataclass(frozen=True)
class Loaded:
    """What the row held when it was locked. `save` compares the row against it to
    tell a new deadline or a change of phase (the reminder points start afresh)
    from an edit that leaves the schedule as it was."""

    status: str | None
    due_date: date | None


# A row its caller locked with its own query (a transfer): nothing is known of
# its earlier state, so its reminder points are computed afresh.
NOT_LOADED = Loaded(status=None, due_date=None)


def lock(assignment: Assignment, expected_version: int | None) -> tuple[Assignment, Loaded]:
    """The assignment's row under `select_for_update`, and what it held; a 412
    when the caller's `expected_version` is not the row's."""
    # Its next reminder comes in the same query (`save` compares against it); the
    # lock is the assignment's, as the sweep's is.
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("next_reminder")
        .get(pk=assignment.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise DomainError(
            VERSION_MISMATCH,
            _("Nhiệm vụ đã được thay đổi bởi người khác; hãy tải lại rồi thử lại."),
            extra={"current_version": locked.version},
            status_code=412,
        )
    return locked, Loaded(status=locked.status, due_date=locked.due_date)


def save(assignment: Assignment, fields: Sequence[str], *, at: datetime, loaded: Loaded) -> None:
    """Save `fields`, bump `version`, and keep the next reminder right."""
    assignment.version += 1
    unchanged_schedule = (
        assignment.status in REMINDED_STATUSES
        and loaded.status in REMINDED_STATUSES
        and loaded.due_date == assignment.due_date
        and assignment.next_reminder_at is not None
    )
    assignment.save(update_fields=[*fields, "version", "updated_at"])
    if not unchanged_schedule:
        # A new deadline or a change of phase starts the points afresh; otherwise
        # the pending point stays, even if it is due and the sweep has not run yet.
        # A moved deadline keeps the points of the new one that are already due.
        moved = loaded.due_date is not None and loaded.due_date != assignment.due_date
        set_next_reminder(assignment, next_reminder_at(assignment, after=at, new_deadline=moved))


@dataclass
class Step:
    """One transition in progress: the locked row to change, the fields it
    changed, and the event's `before` and note."""

    assignment: Assignment
    before: dict[str, Any]
    note: str = ""
    fields: list[str] = field(default_factory=list)


@contextmanager
def transition(
    assignment: Assignment,
    *,
    actor,
    at: datetime,
    event: str,
    action: str | None = None,
    expected_version: int | None = None,
    snapshot_fields: Sequence[str] = (),
    note: str = "",
) -> Iterator[Step]:
    """Lock the row (412 on a stale `expected_version`), check that `actor` may do
    `action` in its state (403/409; None when the caller checked already),
    snapshot `snapshot_fields`; the body changes `step.assignment` and lists
    what it changed in `step.fields`; then the row is saved (version, next
    reminder) and the event appended. When the body raises, nothing more is
    written and the exception goes on (the service's atomic block undoes the rest)."""
    locked, loaded = lock(assignment, expected_version)
    if action is not None:
        access.ensure_action(actor=actor, assignment=locked, action=action)
    step = Step(assignment=locked, before=snapshot(locked, snapshot_fields), note=note)
    yield step
    save(step.assignment, step.fields, at=at, loaded=loaded)
    record_event(step.assignment, event, actor=actor, at=at, before=step.before, note=step.note)


def mark_acknowledged(assignment: Assignment, actor, at: datetime) -> list[str]:
    if assignment.acknowledged_at is None:
        assignment.acknowledged_at = at
        assignment.acknowledged_by = actor
        return ["acknowledged_at", "acknowledged_by"]
    return []


def existing_by_uuid(model, *, author_field: str, actor, client_uuid):
    if client_uuid is None:
        return None
    return model.objects.filter(**{author_field: actor, "client_uuid": client_uuid}).first()
