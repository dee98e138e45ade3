"""Extension requests: a unit asks for a later deadline; leadership approves or
rejects; a request left pending when the work ends is closed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from changelog.log import (
    KIND_EXTENSION,
    record_change,
)
from directives import access
from directives.errors import (
    EXTENSION_DECIDED,
    EXTENSION_NOT_LATER,
    EXTENSION_PENDING,
    TRANSITION_NOT_ALLOWED,
)
from directives.models import (
    Assignment,
    AssignmentEvent,
    AssignmentStatus,
    ExtensionRequest,
    ExtensionStatus,
)
from directives.services._common import _check_day, _now, _require_reason, _store_attachments
from directives.services._transition import existing_by_uuid, mark_acknowledged, transition
from thads.errors import DomainError
from units.calendar import roll_to_working_day


@transaction.atomic
def extension_request_create(
    *,
    actor,
    assignment: Assignment,
    requested_due_date: date,
    reason: str,
    files: Sequence[UploadedFile] = (),
    client_uuid=None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> ExtensionRequest:
    existing = existing_by_uuid(
        ExtensionRequest, author_field="requested_by", actor=actor, client_uuid=client_uuid
    )
    if existing is not None:
        return existing
    at = _now(now)
    with transition(
        assignment,
        actor=actor,
        at=at,
        event=AssignmentEvent.Action.EXTENSION_REQUESTED,
        action="request_extension",
        expected_version=expected_version,
        note=f"{requested_due_date.isoformat()}: {reason}",
    ) as step:
        assignment = step.assignment
        _require_reason(reason)
        _check_day(requested_due_date, "requested_due_date")
        if requested_due_date <= assignment.due_date:
            raise DomainError(
                EXTENSION_NOT_LATER,
                _("Hạn đề nghị phải sau hạn hiện hành (%(day)s).")
                % {"day": assignment.due_date.strftime("%d/%m/%Y")},
                fields={"requested_due_date": [_("Phải sau hạn hiện hành.")]},
            )
        if assignment.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
            raise DomainError(
                EXTENSION_PENDING,
                _("Đã có một đề nghị gia hạn đang chờ duyệt."),
                status_code=409,
            )
        extension = ExtensionRequest.objects.create(
            assignment=assignment,
            requested_by=actor,
            requested_due_date=requested_due_date,
            reason=reason,
            previous_due_date=assignment.due_date,
            client_uuid=client_uuid,
            created_at=at,
        )
        if files:
            _store_attachments(files, actor=actor, now=at, extension=extension)
        record_change(KIND_EXTENSION, extension.pk, unit_id=assignment.unit_id)
        step.fields += mark_acknowledged(assignment, actor, at)
    return extension


def _lock_pending_extension(extension: ExtensionRequest) -> ExtensionRequest:
    extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    if extension.status != ExtensionStatus.PENDING:
        raise DomainError(
            EXTENSION_DECIDED,
            _("Đề nghị gia hạn đã được xử lý (%(status)s).")
            % {"status": ExtensionStatus(extension.status).label},
            extra={"status": extension.status},
            status_code=409,
        )
    return extension


def _decide(
    extension: ExtensionRequest, status: str, *, actor, at: datetime, unit_id: int, reason=None
) -> None:
    """Record the decision on a pending request and tell the feed of the unit
    that holds the assignment (`unit_id`, read from the locked row)."""
    extension.status = status
    extension.decided_by = actor
    extension.decided_at = at
    fields = ["status", "decided_by", "decided_at"]
    if reason is not None:
        extension.decision_reason = str(reason)
        fields.append("decision_reason")
    extension.save(update_fields=fields)
    record_change(KIND_EXTENSION, extension.pk, unit_id=unit_id)


@transaction.atomic
def extension_approve(
    *, actor, extension: ExtensionRequest, now: datetime | None = None
) -> ExtensionRequest:
    """Approve: the assignment's deadline moves to the requested date (rolled to a
    working day); the original deadline stays; the count of extensions grows."""
    access.ensure_leadership(actor)
    at = _now(now)
    extension = _lock_pending_extension(extension)
    with transition(
        extension.assignment,
        actor=actor,
        at=at,
        event=AssignmentEvent.Action.EXTENSION_APPROVED,
        snapshot_fields=["due_date", "extension_count"],
    ) as step:
        assignment = step.assignment
        if assignment.status in (AssignmentStatus.DONE, AssignmentStatus.CANCELLED):
            raise DomainError(
                TRANSITION_NOT_ALLOWED,
                _("Nhiệm vụ đã kết thúc; không thể gia hạn."),
                extra={"status": assignment.status, "allowed_actions": []},
                status_code=409,
            )
        _decide(
            extension,
            ExtensionStatus.APPROVED,
            actor=actor,
            at=at,
            unit_id=assignment.unit_id,
        )
        new_due = roll_to_working_day(extension.requested_due_date)
        if new_due <= assignment.due_date:
            # Leadership moved the deadline past the request meanwhile: approving it
            # would bring the deadline forward under the name of an extension.
            raise DomainError(
                EXTENSION_NOT_LATER,
                _("Hạn đề nghị (%(asked)s) không sau hạn hiện hành (%(due)s); hãy từ chối đề nghị.")
                % {
                    "asked": new_due.strftime("%d/%m/%Y"),
                    "due": assignment.due_date.strftime("%d/%m/%Y"),
                },
                status_code=409,
            )
        assignment.due_date = new_due
        assignment.extension_count += 1
        step.fields += ["due_date", "extension_count"]
    return extension


@transaction.atomic
def extension_reject(
    *, actor, extension: ExtensionRequest, reason: str, now: datetime | None = None
) -> ExtensionRequest:
    access.ensure_leadership(actor)
    _require_reason(reason)
    at = _now(now)
    extension = _lock_pending_extension(extension)
    with transition(
        extension.assignment,
        actor=actor,
        at=at,
        event=AssignmentEvent.Action.EXTENSION_REJECTED,
        note=reason,
    ) as step:
        _decide(
            extension,
            ExtensionStatus.REJECTED,
            actor=actor,
            at=at,
            unit_id=step.assignment.unit_id,
            reason=reason,
        )
    return extension


def close_pending_extensions(assignment: Assignment, *, actor, at: datetime, reason) -> None:
    """A request still pending when the work ends is moot: close it as rejected,
    with the reason, so nobody is left waiting for a decision."""
    for extension in assignment.extension_requests.select_for_update().filter(
        status=ExtensionStatus.PENDING
    ):
        _decide(
            extension,
            ExtensionStatus.REJECTED,
            actor=actor,
            at=at,
            unit_id=assignment.unit_id,
            reason=reason,
        )
