"""Directives: create, edit, revoke, and assign them to units."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from changelog.log import (
    KIND_DIRECTIVE,
    record_change,
)
from directives import access
from directives.errors import (
    DIRECTIVE_REVOKED,
    DUPLICATE_UNIT,
    LEAD_NOT_AMONG_UNITS,
    LEAD_REQUIRED,
    TWO_LEADS,
    UNIT_ALREADY_ASSIGNED,
    UNIT_INACTIVE,
)
from directives.extraction import make_title
from directives.models import (
    Assignment,
    AssignmentEvent,
    AssignmentRole,
    AssignmentStatus,
    Directive,
    SourceDocument,
)
from directives.services._common import (
    _category,
    _check_due_date,
    _log_directive,
    _now,
    _require_reason,
)
from directives.services._transition import record_event
from directives.services.policies import next_reminder_at, set_next_reminder
from directives.services.workflow import assignment_cancel
from thads.clock import local_today
from thads.errors import DomainError
from units.calendar import roll_to_working_day
from units.models import OrgUnit


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
        try:
            with transaction.atomic():
                assignment.save()
        except IntegrityError as exc:  # a concurrent assign got there first
            raise DomainError(
                UNIT_ALREADY_ASSIGNED, _("Đơn vị đã được giao nhiệm vụ này."), status_code=409
            ) from exc
        set_next_reminder(assignment, next_reminder_at(assignment, after=at, new_deadline=True))
        note = (
            ""
            if rolled == due_date
            else _("Hạn %(a)s rơi vào ngày nghỉ, chuyển sang %(b)s.")
            % {
                "a": due_date.strftime("%d/%m/%Y"),
                "b": rolled.strftime("%d/%m/%Y"),
            }
        )
        record_event(
            assignment, AssignmentEvent.Action.ASSIGNED, actor=actor, at=at, note=str(note)
        )
        created.append(assignment)
    return created
