"""The assignment workflow: acknowledge, report, accept, return, cancel, move the
deadline, transfer to a successor unit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from changelog.log import (
    KIND_REPORT,
    record_change,
)
from directives import access
from directives.errors import INVALID_PERCENT, TRANSFER_TO_ITSELF
from directives.models import (
    Assignment,
    AssignmentEvent,
    AssignmentStatus,
    ProgressReport,
)
from directives.services._common import _check_due_date, _now, _require_reason, _store_attachments
from directives.services._transition import (
    NOT_LOADED,
    existing_by_uuid,
    mark_acknowledged,
    record_event,
    save,
    snapshot,
    transition,
)
from directives.services.extensions import close_pending_extensions
from thads.clock import local_today
from thads.errors import DomainError
from units.calendar import roll_to_working_day
from units.models import OrgUnit


@transaction.atomic
def assignment_acknowledge(
    *,
    actor,
    assignment: Assignment,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Assignment:
    at = _now(now)
    with transition(
        assignment,
        actor=actor,
        at=at,
        event=AssignmentEvent.Action.ACKNOWLEDGED,
        action="acknowledge",
        expected_version=expected_version,
        snapshot_fields=["status"],
    ) as step:
        step.assignment.status = AssignmentStatus.ACKNOWLEDGED
        step.fields += ["status", *mark_acknowledged(step.assignment, actor, at)]
    return step.assignment


@transaction.atomic
def assignment_report_progress(
    *,
    actor,
    assignment: Assignment,
    percent: int,
    note: str = "",
    figures: dict[str, Any] | None = None,
    files: Sequence[UploadedFile] = (),
    client_uuid=None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> ProgressReport:
    """Append a progress report; the assignment shows it as the latest and moves
    to in_progress. A report sent twice with the same `client_uuid` is created once."""
    existing = existing_by_uuid(
        ProgressReport, author_field="author", actor=actor, client_uuid=client_uuid
    )
    if existing is not None:
        return existing
    at = _now(now)
    with transition(
        assignment,
        actor=actor,
        at=at,
        event=AssignmentEvent.Action.PROGRESS_REPORTED,
        action="progress",
        expected_version=expected_version,
        snapshot_fields=["status", "progress"],
        note=note,
    ) as step:
        assignment = step.assignment
        if not 0 <= percent <= 100:
            raise DomainError(
                INVALID_PERCENT,
                _("Tiến độ phải từ 0 đến 100."),
                fields={"percent": [_("Tiến độ phải từ 0 đến 100.")]},
            )
        report = _report(
            assignment,
            ProgressReport.Kind.PROGRESS,
            actor=actor,
            at=at,
            percent=percent,
            note=note,
            files=files,
            client_uuid=client_uuid,
            figures=figures or {},
        )
        assignment.status = AssignmentStatus.IN_PROGRESS
        assignment.progress = percent
        assignment.latest_report = report
        step.fields += [
            "status",
            "progress",
            "latest_report",
            *mark_acknowledged(assignment, actor, at),
        ]
    return report


def _report(
    assignment: Assignment,
    kind: str,
    *,
    actor,
    at: datetime,
    percent: int,
    note: str,
    files: Sequence[UploadedFile],
    client_uuid,
    **extra: Any,
) -> ProgressReport:
    """A new report on `assignment`, its files, and its line in the unit's feed."""
    report = ProgressReport.objects.create(
        assignment=assignment,
        kind=kind,
        author=actor,
        percent=percent,
        note=note,
        client_uuid=client_uuid,
        created_at=at,
        **extra,
    )
    if files:
        _store_attachments(files, actor=actor, now=at, report=report)
    record_change(KIND_REPORT, report.pk, unit_id=assignment.unit_id)
    return report


@transaction.atomic
def assignment_report_completion(
    *,
    actor,
    assignment: Assignment,
    note: str = "",
    files: Sequence[UploadedFile] = (),
    client_uuid=None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Assignment:
    existing = existing_by_uuid(
        ProgressReport, author_field="author", actor=actor, client_uuid=client_uuid
    )
    if existing is not None:
        return existing.assignment
    at = _now(now)
    with transition(
        assignment,
        actor=actor,
        at=at,
        event=AssignmentEvent.Action.COMPLETION_REPORTED,
        action="complete",
        expected_version=expected_version,
        snapshot_fields=["status", "progress"],
        note=note,
    ) as step:
        assignment = step.assignment
        report = _report(
            assignment,
            ProgressReport.Kind.COMPLETION,
            actor=actor,
            at=at,
            percent=100,
            note=note,
            files=files,
            client_uuid=client_uuid,
        )
        assignment.status = AssignmentStatus.REPORTED
        assignment.progress = 100
        assignment.reported_at = at
        assignment.latest_report = report
        step.fields += [
            "status",
            "progress",
            "reported_at",
            "latest_report",
            *mark_acknowledged(assignment, actor, at),
        ]
    return assignment


@transaction.atomic
def assignment_accept(
    *,
    actor,
    assignment: Assignment,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Assignment:
    """Accept the reported completion. Timeliness is judged on the day the unit
    reported it, against the latest approved deadline."""
    at = _now(now)
    with transition(
        assignment,
        actor=actor,
        at=at,
        event=AssignmentEvent.Action.ACCEPTED,
        action="accept",
        expected_version=expected_version,
        snapshot_fields=["status"],
        note=note,
    ) as step:
        assignment = step.assignment
        assignment.status = AssignmentStatus.DONE
        assignment.completed_at = assignment.reported_at or at
        assignment.completed_on = local_today(assignment.completed_at)
        step.fields += ["status", "completed_at", "completed_on"]
        close_pending_extensions(
            assignment, actor=actor, at=at, reason=_("Nhiệm vụ đã hoàn thành.")
        )
    return assignment


@transaction.atomic
def assignment_return(
    *,
    actor,
    assignment: Assignment,
    reason: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Assignment:
    at = _now(now)
    with transition(
        assignment,
        actor=actor,
        at=at,
        event=AssignmentEvent.Action.RETURNED,
        action="return",
        expected_version=expected_version,
        snapshot_fields=["status", "return_count"],
        note=reason,
    ) as step:
        _require_reason(reason)
        assignment = step.assignment
        assignment.status = AssignmentStatus.IN_PROGRESS
        assignment.return_count += 1
        assignment.reported_at = None
        step.fields += ["status", "return_count", "reported_at"]
    return assignment


@transaction.atomic
def assignment_cancel(
    *,
    actor,
    assignment: Assignment,
    reason: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Assignment:
    at = _now(now)
    with transition(
        assignment,
        actor=actor,
        at=at,
        event=AssignmentEvent.Action.CANCELLED,
        action="cancel",
        expected_version=expected_version,
        snapshot_fields=["status"],
        note=reason,
    ) as step:
        _require_reason(reason)
        assignment = step.assignment
        assignment.status = AssignmentStatus.CANCELLED
        assignment.cancelled_at = at
        step.fields += ["status", "cancelled_at"]
        close_pending_extensions(assignment, actor=actor, at=at, reason=_("Nhiệm vụ đã bị hủy."))
    return assignment


@transaction.atomic
def assignment_update(
    *,
    actor,
    assignment: Assignment,
    due_date: date | None = None,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Assignment:
    """Leadership sets a new deadline directly (an approved deadline by decision);
    the original deadline stays."""
    at = _now(now)
    with transition(
        assignment,
        actor=actor,
        at=at,
        event=AssignmentEvent.Action.UPDATED,
        action="update",
        expected_version=expected_version,
        snapshot_fields=["due_date"],
        note=note,
    ) as step:
        assignment = step.assignment
        if due_date is not None:
            _check_due_date(assignment.directive.document, due_date)
            assignment.due_date = roll_to_working_day(due_date)
            step.fields.append("due_date")
    return assignment


@transaction.atomic
def assignments_transfer(
    *, actor, from_unit: OrgUnit, to_unit: OrgUnit, now: datetime | None = None
) -> list[Assignment]:
    """Move `from_unit`'s open assignments to its successor `to_unit`, with history.

    Where the successor already has the same directive, the predecessor's
    assignment is cancelled instead (its history points to the successor's).
    """
    access.ensure_leadership(actor)
    if from_unit.pk == to_unit.pk:
        raise DomainError(
            TRANSFER_TO_ITSELF,
            _("Đơn vị kế thừa phải khác đơn vị chuyển đi."),
            fields={"to_unit": [_("Đơn vị kế thừa phải khác đơn vị chuyển đi.")]},
        )
    at = _now(now)
    moved = []
    open_statuses = [s for s in AssignmentStatus.values if s not in ("done", "cancelled")]
    for assignment in (
        Assignment.objects.select_for_update()
        .filter(unit=from_unit, status__in=open_statuses)
        .order_by("id")
    ):
        if Assignment.objects.filter(directive_id=assignment.directive_id, unit=to_unit).exists():
            assignment_cancel(
                actor=actor,
                assignment=assignment,
                reason=str(
                    _("Đơn vị kế thừa %(code)s đã có nhiệm vụ này.") % {"code": to_unit.code}
                ),
                now=at,
            )
            continue
        # Locked by the query above, all at once: the skeleton's pieces, not its lock.
        before = snapshot(assignment, ["unit_id"])
        assignment.unit = to_unit
        save(assignment, ["unit"], at=at, loaded=NOT_LOADED)
        record_event(
            assignment, AssignmentEvent.Action.TRANSFERRED, actor=actor, at=at, before=before
        )
        moved.append(assignment)
    return moved
