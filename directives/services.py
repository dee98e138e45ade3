"""Every write to documents, directives and assignments.

Each state change of an assignment goes through one function here, under
`select_for_update`, bumps `version`, and appends an `AssignmentEvent` with
the actor, the time and the fields before and after. Callers may rely on:
nothing is written when a function raises.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import rrulestr
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from changelog.log import (
    KIND_ASSIGNMENT,
    KIND_DIRECTIVE,
    KIND_DOCUMENT,
    KIND_EXTENSION,
    KIND_REPORT,
    record_change,
    record_changes,
)
from directives import access
from directives.extraction import ExtractedItem, extract_items, make_title
from directives.files import check_uploads, upright_photo
from directives.models import (
    REMINDED_STATUSES,
    Assignment,
    AssignmentEvent,
    AssignmentRole,
    AssignmentStatus,
    Attachment,
    Category,
    Directive,
    DocumentLink,
    DocumentRelation,
    ExtensionRequest,
    ExtensionStatus,
    ProgressReport,
    RecurringSchedule,
    ReminderPolicy,
    SourceDocument,
)
from directives.reminder_points import PolicyRules, configured_window, next_point_after
from thads.clock import DAY_RANGE, OUT_OF_RANGE, day_in_range, local_today
from thads.errors import DomainError
from units.calendar import load_calendar, roll_to_working_day
from units.models import OrgUnit

# Error codes (tests assert on these).
DUE_BEFORE_DOCUMENT = "due_before_document"
DAY_OUT_OF_RANGE = "day_out_of_range"
DUPLICATE_UNIT = "duplicate_unit"
LEAD_REQUIRED = "lead_required"
LEAD_NOT_AMONG_UNITS = "lead_not_among_units"
TWO_LEADS = "two_leads"
UNIT_ALREADY_ASSIGNED = "unit_already_assigned"
UNIT_INACTIVE = "unit_inactive"
UNKNOWN_CATEGORY = "unknown_category"
NO_NUMBERED_ITEMS = "no_numbered_items"
DIRECTIVES_EXIST = "directives_exist"
DIRECTIVE_REVOKED = "directive_revoked"
EXTENSION_NOT_LATER = "extension_not_later"
EXTENSION_PENDING = "extension_pending"
EXTENSION_DECIDED = "extension_decided"
VERSION_MISMATCH = "precondition_failed"
LINK_TO_SELF = "link_to_self"
REASON_REQUIRED = "reason_required"


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- documents --------------------------------------------------------------


def _store_attachments(
    uploads: Sequence[UploadedFile], *, actor, now: datetime, **owner: Any
) -> list[Attachment]:
    content_types = check_uploads(list(uploads))
    stored = []
    for original, content_type in zip(uploads, content_types, strict=True):
        upload = upright_photo(original, content_type)
        attachment = Attachment(
            original_name=upload.name[:255],
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
            uploaded_at=now,
            **owner,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


@transaction.atomic
def document_create(
    *,
    actor,
    kind: str,
    title: str,
    issued_on: date,
    number: str = "",
    body: str = "",
    issuing_unit: OrgUnit | None = None,
    signatory: str = "",
    period_start: date | None = None,
    period_end: date | None = None,
    links: Sequence[tuple[str, SourceDocument]] = (),
    files: Sequence[UploadedFile] = (),
    now: datetime | None = None,
) -> SourceDocument:
    access.ensure_leadership(actor)
    if period_start and period_end and period_end < period_start:
        raise DomainError(
            "invalid_dates",
            _("Ngày kết thúc kỳ phải sau ngày bắt đầu."),
            fields={"period_end": [_("Ngày kết thúc kỳ phải sau ngày bắt đầu.")]},
        )
    document = SourceDocument(
        kind=kind,
        number=number,
        title=title,
        issued_on=issued_on,
        body=body,
        issuing_unit=issuing_unit,
        signatory=signatory,
        period_start=period_start,
        period_end=period_end,
        created_by=actor,
    )
    document.full_clean()
    document.save()
    record_change(KIND_DOCUMENT, document.pk)
    for relation, target in links:
        document_link(actor=actor, source=document, target=target, relation=relation)
    if files:
        _store_attachments(files, actor=actor, now=_now(now), document=document)
    return document


@transaction.atomic
def document_update(*, actor, document: SourceDocument, **changes: Any) -> SourceDocument:
    access.ensure_leadership(actor)
    document = SourceDocument.objects.select_for_update().get(pk=document.pk)
    for field, value in changes.items():
        setattr(document, field, value)
    document.full_clean()
    document.save()
    record_change(KIND_DOCUMENT, document.pk)
    return document


@transaction.atomic
def document_link(
    *, actor, source: SourceDocument, target: SourceDocument, relation: str
) -> DocumentLink:
    access.ensure_leadership(actor)
    if source.pk == target.pk:
        raise DomainError(LINK_TO_SELF, _("Một văn bản không thể liên kết với chính nó."))
    if relation not in DocumentRelation.values:
        raise DomainError(
            "invalid_relation",
            _("Quan hệ văn bản không hợp lệ."),
            fields={"relation": [", ".join(DocumentRelation.values)]},
        )
    link, _created = DocumentLink.objects.get_or_create(
        source=source, target=target, relation=relation
    )
    record_change(KIND_DOCUMENT, source.pk)
    return link


def _category_keywords() -> dict[str, list[str]]:
    return {
        category.code: list(category.keywords)
        for category in Category.objects.filter(is_active=True).order_by("position", "code")
    }


def document_extract_preview(*, document: SourceDocument) -> list[ExtractedItem]:
    """The numbered items of the document's body, as directives would be made of them."""
    items = extract_items(document.body, categories=_category_keywords())
    if not items:
        raise DomainError(
            NO_NUMBERED_ITEMS,
            _(
                "Không tìm thấy mục đánh số nào trong nội dung văn bản (dạng (1), 1., 1), a)). "
                "Hãy kiểm tra nội dung hoặc tạo nhiệm vụ thủ công."
            ),
            status_code=422,
        )
    return items


def _category(code: str) -> Category:
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise DomainError(
            UNKNOWN_CATEGORY,
            _("Lĩnh vực '%(code)s' không tồn tại.") % {"code": code},
            fields={"category": [_("Lĩnh vực không tồn tại.")]},
        )
    return category


@transaction.atomic
def document_extract_confirm(
    *,
    actor,
    document: SourceDocument,
    items: Sequence[dict[str, Any]] | None = None,
    default_due_date: date | None = None,
) -> list[Directive]:
    """Create the document's directives, from `items` (a client's edited preview)
    or from a fresh extraction. A document whose directives exist is refused:
    directives are then edited one by one, never silently doubled."""
    access.ensure_leadership(actor)
    document = SourceDocument.objects.select_for_update().get(pk=document.pk)
    if document.directives.exists():
        raise DomainError(
            DIRECTIVES_EXIST,
            _("Văn bản đã có nhiệm vụ; hãy sửa từng nhiệm vụ thay vì trích xuất lại."),
            status_code=409,
        )
    if items is None:
        items = [
            {"label": i.label, "title": i.title, "body": i.body, "category": i.category}
            for i in document_extract_preview(document=document)
        ]
    if not items:
        raise DomainError(NO_NUMBERED_ITEMS, _("Không có mục nào để tạo."), status_code=422)
    _check_due_date(document, default_due_date, field="default_due_date")
    categories = {code: _category(code) for code in {item["category"] for item in items}}
    directives = [
        Directive(
            document=document,
            label=item["label"],
            position=position,
            title=item.get("title") or make_title(item["body"]),
            body=item["body"],
            category=categories[item["category"]],
            default_due_date=default_due_date,
        )
        for position, item in enumerate(items, start=1)
    ]
    for directive in directives:
        directive.full_clean(exclude=["search_key"])
        directive.save()
        record_change(KIND_DIRECTIVE, directive.pk)
    return directives


@transaction.atomic
def directive_create(
    *,
    actor,
    document: SourceDocument,
    label: str,
    body: str,
    category: str,
    title: str = "",
    position: int | None = None,
    default_due_date: date | None = None,
) -> Directive:
    access.ensure_leadership(actor)
    document = SourceDocument.objects.select_for_update().get(pk=document.pk)
    _check_due_date(document, default_due_date, field="default_due_date")
    last = document.directives.order_by("-position").values_list("position", flat=True).first()
    if position is None:
        position = (last or 0) + 1
    elif document.directives.filter(position=position).exists():
        # Insert before the existing item at that position, keeping printed order.
        for existing in document.directives.filter(position__gte=position).order_by("-position"):
            existing.position += 1
            existing.save(update_fields=["position", "updated_at"])
            record_change(KIND_DIRECTIVE, existing.pk)
    directive = Directive(
        document=document,
        label=label,
        position=position,
        title=title or make_title(body),
        body=body,
        category=_category(category),
        default_due_date=default_due_date,
    )
    directive.full_clean(exclude=["search_key"])
    directive.save()
    record_change(KIND_DIRECTIVE, directive.pk)
    return directive


@transaction.atomic
def directive_update(*, actor, directive: Directive, **changes: Any) -> Directive:
    access.ensure_leadership(actor)
    directive = (
        Directive.objects.select_for_update().select_related("document").get(pk=directive.pk)
    )
    if "category" in changes:
        changes["category"] = _category(changes["category"])
    if "default_due_date" in changes:
        _check_due_date(directive.document, changes["default_due_date"], "default_due_date")
    for field, value in changes.items():
        setattr(directive, field, value)
    directive.full_clean(exclude=["search_key"])
    directive.save()
    _log_directive(directive)
    return directive


@transaction.atomic
def directive_revoke(
    *, actor, directive: Directive, reason: str, now: datetime | None = None
) -> Directive:
    """Revoke a directive: it stays in the document's history; its open
    assignments are cancelled with the reason."""
    access.ensure_leadership(actor)
    _require_reason(reason)
    at = _now(now)
    directive = Directive.objects.select_for_update().get(pk=directive.pk)
    directive.is_active = False
    directive.revoked_at = at
    directive.save(update_fields=["is_active", "revoked_at", "updated_at", "search_key"])
    _log_directive(directive)
    for assignment in directive.assignments.filter(
        status__in=[s for s in AssignmentStatus.values if s not in ("done", "cancelled")]
    ):
        assignment_cancel(actor=actor, assignment=assignment, reason=reason, now=at)
    return directive


# --- assigning --------------------------------------------------------------


def _check_day(day: date | None, field: str) -> None:
    """The API's fields refuse such a day already; this holds for every caller
    (the admin, the seed, a shell)."""
    if day is not None and not day_in_range(day):
        raise DomainError(
            DAY_OUT_OF_RANGE,
            OUT_OF_RANGE % DAY_RANGE,
            fields={field: [_("Ngày ngoài khoảng cho phép.")]},
        )


def _check_due_date(document: SourceDocument, due: date | None, field: str = "due_date"):
    _check_day(due, field)
    if due is not None and due < document.issued_on:
        raise DomainError(
            DUE_BEFORE_DOCUMENT,
            _("Hạn hoàn thành không thể trước ngày ban hành văn bản (%(day)s).")
            % {"day": document.issued_on.strftime("%d/%m/%Y")},
            fields={field: [_("Hạn trước ngày ban hành văn bản.")]},
        )


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


def _log_directive(directive: Directive) -> None:
    """A directive changed: it, and every assignment showing its label and title."""
    record_changes(
        [{"kind": KIND_DIRECTIVE, "object_id": directive.pk}]
        + [
            {"kind": KIND_ASSIGNMENT, "object_id": pk, "unit_id": unit_id}
            for pk, unit_id in directive.assignments.values_list("id", "unit_id")
        ]
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


@transaction.atomic
def directive_assign(
    *,
    actor,
    directive: Directive,
    units: Sequence[OrgUnit],
    due_date: date,
    lead_unit: OrgUnit | None = None,
    now: datetime | None = None,
) -> list[Assignment]:
    """Assign one directive to several units at once; `lead_unit` leads, the others
    coordinate. The deadline rolls to the next working day. A unit appears at
    most once per directive and a directive has exactly one lead."""
    access.ensure_leadership(actor)
    at = _now(now)
    directive = (
        Directive.objects.select_for_update().select_related("document").get(pk=directive.pk)
    )
    if not directive.is_active:
        raise DomainError(DIRECTIVE_REVOKED, _("Nhiệm vụ đã bị thu hồi."), status_code=409)
    unit_ids = [unit.pk for unit in units]
    duplicates = sorted({uid for uid in unit_ids if unit_ids.count(uid) > 1})
    if duplicates:
        raise DomainError(
            DUPLICATE_UNIT,
            _("Một đơn vị chỉ được giao một lần cho mỗi nhiệm vụ."),
            fields={"units": [_("Đơn vị bị lặp: %s") % ", ".join(map(str, duplicates))]},
        )
    # A unit keeps one assignment per directive for good, cancelled ones included:
    # its history stays in one place (reopening is a new directive or period).
    existing_rows = list(
        directive.assignments.filter(period_start__isnull=True).values_list(
            "unit_id", "role", "status"
        )
    )
    existing = {unit_id: role for unit_id, role, status in existing_rows if status != "cancelled"}
    already = sorted(set(unit_ids) & {unit_id for unit_id, _role, _status in existing_rows})
    if already:
        raise DomainError(
            UNIT_ALREADY_ASSIGNED,
            _("Đơn vị đã được giao nhiệm vụ này."),
            fields={"units": [_("Đã giao: %s") % ", ".join(map(str, already))]},
        )
    has_lead = AssignmentRole.LEAD in existing.values()
    if lead_unit is None and not has_lead:
        raise DomainError(
            LEAD_REQUIRED,
            _("Cần chỉ định một đơn vị chủ trì."),
            fields={"lead_unit": [_("Bắt buộc.")]},
        )
    if lead_unit is not None and has_lead:
        raise DomainError(
            TWO_LEADS,
            _("Nhiệm vụ đã có đơn vị chủ trì; mỗi nhiệm vụ chỉ có một đơn vị chủ trì."),
            fields={"lead_unit": [_("Đã có đơn vị chủ trì.")]},
        )
    if lead_unit is not None and lead_unit.pk not in unit_ids:
        raise DomainError(
            LEAD_NOT_AMONG_UNITS,
            _("Đơn vị chủ trì phải nằm trong danh sách đơn vị được giao."),
            fields={"lead_unit": [_("Không nằm trong danh sách đơn vị.")]},
        )
    today = local_today(at)
    inactive = [unit.code for unit in units if not unit.is_active_on(today)]
    if inactive:
        raise DomainError(
            UNIT_INACTIVE,
            _("Đơn vị không còn hoạt động: %s.") % ", ".join(inactive),
            fields={"units": [_("Đơn vị không còn hoạt động: %s.") % ", ".join(inactive)]},
        )
    _check_due_date(directive.document, due_date)
    rolled = roll_to_working_day(due_date)
    created = []
    for unit in units:
        assignment = Assignment(
            directive=directive,
            unit=unit,
            role=AssignmentRole.LEAD
            if lead_unit is not None and unit.pk == lead_unit.pk
            else AssignmentRole.COORDINATING,
            original_due_date=rolled,
            due_date=rolled,
            assigned_by=actor,
            assigned_at=at,
        )
        assignment.next_reminder_at = next_reminder_at(assignment, after=at, new_deadline=True)
        try:
            with transaction.atomic():
                assignment.save()
        except IntegrityError as exc:  # a concurrent assign got there first
            raise DomainError(
                UNIT_ALREADY_ASSIGNED, _("Đơn vị đã được giao nhiệm vụ này."), status_code=409
            ) from exc
        note = (
            ""
            if rolled == due_date
            else _("Hạn %(a)s rơi vào ngày nghỉ, chuyển sang %(b)s.")
            % {
                "a": due_date.strftime("%d/%m/%Y"),
                "b": rolled.strftime("%d/%m/%Y"),
            }
        )
        _event(assignment, AssignmentEvent.Action.ASSIGNED, actor=actor, at=at, note=str(note))
        created.append(assignment)
    return created


# --- the assignment workflow ---------------------------------------------------


def reminder_policy_for(directive: Directive) -> ReminderPolicy:
    """The policy that applies: the directive's own, else its document's, else the default."""
    policies = list(
        ReminderPolicy.objects.filter(
            Q(directive_id=directive.pk) | Q(document_id=directive.document_id) | Q(is_default=True)
        )
    )
    for wanted in ("directive_id", "document_id"):
        for policy in policies:
            if getattr(policy, wanted) is not None:
                return policy
    for policy in policies:
        if policy.is_default:
            return policy
    return ReminderPolicy(is_default=True)  # built from the model defaults, never saved


def next_reminder_at(
    assignment: Assignment, *, after: datetime, new_deadline: bool = False
) -> datetime | None:
    """The first reminder point after `after`, or None when the unit has nothing
    left to do (reported, done, cancelled).

    With `new_deadline` (the deadline was just set: assigned, moved, extended) the
    points already due at `after` are not skipped: the answer is then the first
    point of the schedule, so the next sweep sends the latest due point of each
    series (a deadline set today or in the past gets its due-day or overdue
    reminder) instead of none."""
    if assignment.status not in REMINDED_STATUSES:
        return None
    deadline = assignment.due_date
    return next_point_after(
        deadline=deadline,
        rules=PolicyRules.of(reminder_policy_for(assignment.directive)),
        calendar=load_calendar(deadline - timedelta(days=30), deadline + timedelta(days=400)),
        window=configured_window(),
        after=None if new_deadline else after,
    )


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


def _require_reason(reason: str | None, field: str = "reason") -> None:
    if not reason or not reason.strip():
        raise DomainError(REASON_REQUIRED, _("Cần nêu lý do."), fields={field: [_("Bắt buộc.")]})


def _mark_acknowledged(assignment: Assignment, actor, at: datetime) -> list[str]:
    if assignment.acknowledged_at is None:
        assignment.acknowledged_at = at
        assignment.acknowledged_by = actor
        return ["acknowledged_at", "acknowledged_by"]
    return []


@transaction.atomic
def assignment_acknowledge(
    *,
    actor,
    assignment: Assignment,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Assignment:
    at = _now(now)
    assignment = _lock(assignment, expected_version)
    access.ensure_action(actor=actor, assignment=assignment, action="acknowledge")
    before = _snapshot(assignment, ["status"])
    assignment.status = AssignmentStatus.ACKNOWLEDGED
    fields = ["status", *_mark_acknowledged(assignment, actor, at)]
    _save(assignment, fields, at=at)
    _event(assignment, AssignmentEvent.Action.ACKNOWLEDGED, actor=actor, at=at, before=before)
    return assignment


def _existing_by_uuid(model, *, author_field: str, actor, client_uuid):
    if client_uuid is None:
        return None
    return model.objects.filter(**{author_field: actor, "client_uuid": client_uuid}).first()


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
    existing = _existing_by_uuid(
        ProgressReport, author_field="author", actor=actor, client_uuid=client_uuid
    )
    if existing is not None:
        return existing
    at = _now(now)
    assignment = _lock(assignment, expected_version)
    access.ensure_action(actor=actor, assignment=assignment, action="progress")
    if not 0 <= percent <= 100:
        raise DomainError(
            "invalid_percent",
            _("Tiến độ phải từ 0 đến 100."),
            fields={"percent": [_("Tiến độ phải từ 0 đến 100.")]},
        )
    report = ProgressReport.objects.create(
        assignment=assignment,
        kind=ProgressReport.Kind.PROGRESS,
        author=actor,
        percent=percent,
        note=note,
        figures=figures or {},
        client_uuid=client_uuid,
        created_at=at,
    )
    if files:
        _store_attachments(files, actor=actor, now=at, report=report)
    record_change(KIND_REPORT, report.pk, unit_id=assignment.unit_id)
    before = _snapshot(assignment, ["status", "progress"])
    assignment.status = AssignmentStatus.IN_PROGRESS
    assignment.progress = percent
    assignment.latest_report = report
    fields = ["status", "progress", "latest_report", *_mark_acknowledged(assignment, actor, at)]
    _save(assignment, fields, at=at)
    _event(
        assignment,
        AssignmentEvent.Action.PROGRESS_REPORTED,
        actor=actor,
        at=at,
        before=before,
        note=note,
    )
    return report


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
    existing = _existing_by_uuid(
        ExtensionRequest, author_field="requested_by", actor=actor, client_uuid=client_uuid
    )
    if existing is not None:
        return existing
    at = _now(now)
    assignment = _lock(assignment, expected_version)
    access.ensure_action(actor=actor, assignment=assignment, action="request_extension")
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
    fields = _mark_acknowledged(assignment, actor, at)
    _save(assignment, fields, at=at)
    _event(
        assignment,
        AssignmentEvent.Action.EXTENSION_REQUESTED,
        actor=actor,
        at=at,
        note=f"{requested_due_date.isoformat()}: {reason}",
    )
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


@transaction.atomic
def extension_approve(
    *, actor, extension: ExtensionRequest, now: datetime | None = None
) -> ExtensionRequest:
    """Approve: the assignment's deadline moves to the requested date (rolled to a
    working day); the original deadline stays; the count of extensions grows."""
    access.ensure_leadership(actor)
    at = _now(now)
    extension = _lock_pending_extension(extension)
    assignment = _lock(extension.assignment, None)
    if assignment.status in (AssignmentStatus.DONE, AssignmentStatus.CANCELLED):
        raise DomainError(
            access.TRANSITION_NOT_ALLOWED,
            _("Nhiệm vụ đã kết thúc; không thể gia hạn."),
            extra={"status": assignment.status, "allowed_actions": []},
            status_code=409,
        )
    extension.status = ExtensionStatus.APPROVED
    extension.decided_by = actor
    extension.decided_at = at
    extension.save(update_fields=["status", "decided_by", "decided_at"])
    record_change(KIND_EXTENSION, extension.pk, unit_id=assignment.unit_id)
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
    before = _snapshot(assignment, ["due_date", "extension_count"])
    assignment.due_date = new_due
    assignment.extension_count += 1
    _save(assignment, ["due_date", "extension_count"], at=at)
    _event(
        assignment,
        AssignmentEvent.Action.EXTENSION_APPROVED,
        actor=actor,
        at=at,
        before=before,
    )
    return extension


@transaction.atomic
def extension_reject(
    *, actor, extension: ExtensionRequest, reason: str, now: datetime | None = None
) -> ExtensionRequest:
    access.ensure_leadership(actor)
    _require_reason(reason)
    at = _now(now)
    extension = _lock_pending_extension(extension)
    assignment = _lock(extension.assignment, None)
    extension.status = ExtensionStatus.REJECTED
    extension.decided_by = actor
    extension.decided_at = at
    extension.decision_reason = reason
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    record_change(KIND_EXTENSION, extension.pk, unit_id=assignment.unit_id)
    _save(assignment, [], at=at)
    _event(assignment, AssignmentEvent.Action.EXTENSION_REJECTED, actor=actor, at=at, note=reason)
    return extension


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
    existing = _existing_by_uuid(
        ProgressReport, author_field="author", actor=actor, client_uuid=client_uuid
    )
    if existing is not None:
        return existing.assignment
    at = _now(now)
    assignment = _lock(assignment, expected_version)
    access.ensure_action(actor=actor, assignment=assignment, action="complete")
    report = ProgressReport.objects.create(
        assignment=assignment,
        kind=ProgressReport.Kind.COMPLETION,
        author=actor,
        percent=100,
        note=note,
        client_uuid=client_uuid,
        created_at=at,
    )
    if files:
        _store_attachments(files, actor=actor, now=at, report=report)
    record_change(KIND_REPORT, report.pk, unit_id=assignment.unit_id)
    before = _snapshot(assignment, ["status", "progress"])
    assignment.status = AssignmentStatus.REPORTED
    assignment.progress = 100
    assignment.reported_at = at
    assignment.latest_report = report
    fields = [
        "status",
        "progress",
        "reported_at",
        "latest_report",
        *_mark_acknowledged(assignment, actor, at),
    ]
    _save(assignment, fields, at=at)
    _event(
        assignment,
        AssignmentEvent.Action.COMPLETION_REPORTED,
        actor=actor,
        at=at,
        before=before,
        note=note,
    )
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
    assignment = _lock(assignment, expected_version)
    access.ensure_action(actor=actor, assignment=assignment, action="accept")
    before = _snapshot(assignment, ["status"])
    assignment.status = AssignmentStatus.DONE
    assignment.completed_at = assignment.reported_at or at
    assignment.completed_on = local_today(assignment.completed_at)
    _save(assignment, ["status", "completed_at", "completed_on"], at=at)
    _close_pending_extensions(assignment, actor=actor, at=at, reason=_("Nhiệm vụ đã hoàn thành."))
    _event(
        assignment, AssignmentEvent.Action.ACCEPTED, actor=actor, at=at, before=before, note=note
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
    assignment = _lock(assignment, expected_version)
    access.ensure_action(actor=actor, assignment=assignment, action="return")
    _require_reason(reason)
    before = _snapshot(assignment, ["status", "return_count"])
    assignment.status = AssignmentStatus.IN_PROGRESS
    assignment.return_count += 1
    assignment.reported_at = None
    _save(assignment, ["status", "return_count", "reported_at"], at=at)
    _event(
        assignment, AssignmentEvent.Action.RETURNED, actor=actor, at=at, before=before, note=reason
    )
    return assignment


def _close_pending_extensions(assignment: Assignment, *, actor, at: datetime, reason) -> None:
    """A request still pending when the work ends is moot: close it as rejected,
    with the reason, so nobody is left waiting for a decision."""
    for extension in assignment.extension_requests.select_for_update().filter(
        status=ExtensionStatus.PENDING
    ):
        extension.status = ExtensionStatus.REJECTED
        extension.decided_by = actor
        extension.decided_at = at
        extension.decision_reason = str(reason)
        extension.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        record_change(KIND_EXTENSION, extension.pk, unit_id=assignment.unit_id)


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
    assignment = _lock(assignment, expected_version)
    access.ensure_action(actor=actor, assignment=assignment, action="cancel")
    _require_reason(reason)
    before = _snapshot(assignment, ["status"])
    assignment.status = AssignmentStatus.CANCELLED
    assignment.cancelled_at = at
    _save(assignment, ["status", "cancelled_at"], at=at)
    _close_pending_extensions(assignment, actor=actor, at=at, reason=_("Nhiệm vụ đã bị hủy."))
    _event(
        assignment, AssignmentEvent.Action.CANCELLED, actor=actor, at=at, before=before, note=reason
    )
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
    assignment = _lock(assignment, expected_version)
    access.ensure_action(actor=actor, assignment=assignment, action="update")
    fields = []
    before = _snapshot(assignment, ["due_date"])
    if due_date is not None:
        _check_due_date(assignment.directive.document, due_date)
        assignment.due_date = roll_to_working_day(due_date)
        fields.append("due_date")
    _save(assignment, fields, at=at)
    _event(assignment, AssignmentEvent.Action.UPDATED, actor=actor, at=at, before=before, note=note)
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
            "transfer_to_itself",
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
        before = _snapshot(assignment, ["unit_id"])
        assignment.unit = to_unit
        _save(assignment, ["unit"], at=at)
        _event(assignment, AssignmentEvent.Action.TRANSFERRED, actor=actor, at=at, before=before)
        moved.append(assignment)
    return moved


# --- recurring directives ---------------------------------------------------------

INVALID_RRULE = "invalid_rrule"
# The longest run of days off a deadline can roll over (Tết with its weekends).
MAX_ROLL_DAYS = 14


def parse_rrule(rule: str, *, starts_on: date):
    """An RFC 5545 RRULE (without DTSTART) as a dateutil rule, or a 400."""
    try:
        parsed = rrulestr(rule, dtstart=datetime.combine(starts_on, time(0, 0)))
        parsed[0]  # a rule with no occurrence at all is a mistake too
        if re.search(r"FREQ\s*=\s*(HOURLY|MINUTELY|SECONDLY)", rule, re.IGNORECASE):
            # Deadlines are dates: an hourly rule would only make the hourly
            # fan-out walk thousands of occurrences that land on the same days.
            raise ValueError("the rule must repeat daily or less often")
    except (ValueError, TypeError, IndexError) as exc:
        raise DomainError(
            INVALID_RRULE,
            _("Quy tắc lặp không hợp lệ (RFC 5545, ví dụ FREQ=MONTHLY;BYMONTHDAY=15)."),
            fields={"rrule": [str(exc) or _("Không có lần lặp nào.")]},
        ) from exc
    return parsed


@transaction.atomic
def recurring_schedule_set(
    *,
    actor,
    directive: Directive,
    rrule: str,
    starts_on: date,
    units: Sequence[OrgUnit],
    ends_on: date | None = None,
    lead_unit: OrgUnit | None = None,
    lead_time_days: int = 30,
) -> RecurringSchedule:
    """Make a directive recur: one assignment per unit per occurrence. Without a
    lead unit every unit leads its own (a head's monthly reception day)."""
    access.ensure_leadership(actor)
    parse_rrule(rrule, starts_on=starts_on)
    _check_day(starts_on, "starts_on")
    _check_day(ends_on, "ends_on")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(
            "validation_error",
            _("Ngày kết thúc lặp phải từ ngày bắt đầu trở đi."),
            fields={"ends_on": [_("Trước ngày bắt đầu.")]},
        )
    if not units:
        raise DomainError(
            "validation_error", _("Cần ít nhất một đơn vị."), fields={"units": [_("Bắt buộc.")]}
        )
    if lead_unit is not None and lead_unit.pk not in {unit.pk for unit in units}:
        raise DomainError(
            LEAD_NOT_AMONG_UNITS,
            _("Đơn vị chủ trì phải nằm trong danh sách đơn vị được giao."),
            fields={"lead_unit": [_("Không nằm trong danh sách đơn vị.")]},
        )
    schedule, _created = RecurringSchedule.objects.update_or_create(
        directive=directive,
        defaults={
            "rrule": rrule,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "lead_unit": lead_unit,
            "lead_time_days": lead_time_days,
            "is_active": True,
            "created_by": actor,
        },
    )
    schedule.units.set(units)
    return schedule


def recurring_fan_out(*, now: datetime | None = None) -> int:
    """Create the assignments of every occurrence due within each schedule's lead
    time. Runs hourly from beat; an occurrence is never created twice (the
    database holds one assignment per directive, unit and period)."""
    at = _now(now)
    today = local_today(at)
    created = 0
    schedules = (
        RecurringSchedule.objects.filter(is_active=True, directive__is_active=True)
        .select_related("directive", "created_by")
        .prefetch_related("units")
    )
    for schedule in schedules:
        rule = parse_rrule(schedule.rrule, starts_on=schedule.starts_on)
        horizon = today + timedelta(days=schedule.lead_time_days)
        # Look back a little: a period whose date has passed may still have its
        # rolled deadline ahead (the 15th falling in Tết is due after the break).
        occurrences = rule.between(
            datetime.combine(today - timedelta(days=MAX_ROLL_DAYS), time(0, 0)),
            datetime.combine(horizon, time(0, 0)),
            inc=True,
        )
        for occurrence in occurrences:
            period = occurrence.date()
            if schedule.ends_on and period > schedule.ends_on:
                break
            if roll_to_working_day(period) < today:
                continue
            for unit in schedule.units.all():
                if unit.is_active_on(today):
                    created += _assign_period(schedule, unit, period, at)
    return created


@transaction.atomic
def _assign_period(schedule: RecurringSchedule, unit: OrgUnit, period: date, at: datetime) -> int:
    due = roll_to_working_day(period)
    is_lead = schedule.lead_unit_id is None or schedule.lead_unit_id == unit.pk
    assignment = Assignment(
        directive=schedule.directive,
        unit=unit,
        role=AssignmentRole.LEAD if is_lead else AssignmentRole.COORDINATING,
        period_start=period,
        original_due_date=due,
        due_date=due,
        assigned_by=schedule.created_by,
        assigned_at=at,
    )
    assignment.next_reminder_at = next_reminder_at(assignment, after=at, new_deadline=True)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        return 0  # this period was fanned out already (another beat, an earlier run)
    _event(
        assignment,
        AssignmentEvent.Action.ASSIGNED,
        actor=schedule.created_by,
        at=at,
        note=str(_("Kỳ %(day)s (nhiệm vụ định kỳ).") % {"day": period.strftime("%d/%m/%Y")}),
    )
    return 1


# --- reminder policies ---------------------------------------------------------------

POLICY_FIELDS = (
    "before_working_days",
    "on_due_day",
    "overdue_first_after_days",
    "overdue_every_days",
    "escalate_to_head",
    "escalate_to_leadership_after_days",
)


@transaction.atomic
def reminder_policy_set(
    *,
    actor,
    document: SourceDocument | None = None,
    directive: Directive | None = None,
    now: datetime | None = None,
    **rules: Any,
) -> ReminderPolicy:
    """Set the default policy (no document, no directive) or a document's or a
    directive's own, then move the next reminder of every open assignment it
    governs."""
    access.ensure_leadership(actor)
    at = _now(now)
    unknown = set(rules) - set(POLICY_FIELDS)
    if unknown:
        raise ValueError(f"unknown policy fields: {sorted(unknown)}")
    if "before_working_days" in rules:
        days = rules["before_working_days"]
        if any(not isinstance(n, int) or not 1 <= n <= 60 for n in days):
            raise DomainError(
                "invalid_policy",
                _("Số ngày nhắc trước phải là số nguyên từ 1 đến 60."),
                fields={"before_working_days": [_("Số nguyên từ 1 đến 60.")]},
            )
        rules["before_working_days"] = sorted(set(days), reverse=True)
    if directive is not None:
        policy, _created = ReminderPolicy.objects.get_or_create(directive=directive)
        governed = Assignment.objects.filter(directive=directive)
    elif document is not None:
        policy, _created = ReminderPolicy.objects.get_or_create(document=document)
        governed = Assignment.objects.filter(directive__document=document)
    else:
        policy, _created = ReminderPolicy.objects.get_or_create(is_default=True)
        governed = Assignment.objects.all()
    for field, value in rules.items():
        setattr(policy, field, value)
    policy.full_clean()
    policy.save()
    for assignment in governed.filter(status__in=REMINDED_STATUSES).select_related("directive"):
        assignment.next_reminder_at = next_reminder_at(assignment, after=at)
        assignment.save(update_fields=["next_reminder_at"])
    return policy
