"""Writes to units and memberships. Leadership-only checks live in the views'
permission classes; these functions enforce the rules of the data itself.

Every change to a unit is recorded in `UnitChange`; units are never deleted.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from changelog.log import KIND_UNIT, record_change
from thads.clock import local_today
from thads.errors import DomainError
from units.errors import (
    INVALID_DATES,
    INVALID_KIND,
    INVALID_ROLE,
    MEMBERSHIP_DUPLICATE,
    MERGE_NEEDS_SOURCES,
    SPLIT_NEEDS_PARTS,
    UNIT_CODE_TAKEN,
    UNIT_CYCLE,
    UNIT_HAS_ACTIVE_MEMBERSHIPS,
    UNIT_INACTIVE,
)
from units.models import (
    LoginSession,
    Membership,
    OrgUnit,
    Role,
    SuccessionEvent,
    UnitChange,
    UnitKind,
    UnitSuccession,
    User,
)
from units.scope_cache import scope_changed
from units.selectors import unit_ancestor_ids

_UNIT_FIELDS = ("code", "name", "short_name", "kind", "parent_id", "valid_from", "valid_to")


def _snapshot(unit: OrgUnit) -> dict[str, Any]:
    return {
        field: (value.isoformat() if isinstance(value, date) else value)
        for field in _UNIT_FIELDS
        for value in [getattr(unit, field)]
    }


def _record(unit: OrgUnit, event: str, *, actor, before, effective_on=None) -> None:
    record_change(KIND_UNIT, unit.pk)
    UnitChange.objects.create(
        unit=unit,
        event=event,
        effective_on=effective_on,
        before=before,
        after=_snapshot(unit),
        actor=actor,
    )


def _check_kind(kind: str) -> None:
    if kind not in UnitKind.values:
        raise DomainError(
            INVALID_KIND,
            _("Loại đơn vị không hợp lệ."),
            fields={"kind": [_("Chọn một trong: %s.") % ", ".join(UnitKind.values)]},
        )


def _check_parent(unit: OrgUnit | None, parent: OrgUnit | None) -> None:
    if parent is None or unit is None or unit.pk is None:
        return
    if parent.pk == unit.pk or unit.pk in unit_ancestor_ids(unit_id=parent.pk):
        raise DomainError(
            UNIT_CYCLE,
            _("Một đơn vị không thể là cấp trên của chính nó."),
            fields={"parent": [_("Đơn vị cấp trên tạo thành vòng lặp.")]},
        )


def _check_validity(valid_from: date | None, valid_to: date | None, field: str = "valid_to"):
    if valid_from and valid_to and valid_to < valid_from:
        raise DomainError(
            INVALID_DATES,
            _("Ngày kết thúc phải sau ngày bắt đầu."),
            fields={field: [_("Ngày kết thúc phải sau ngày bắt đầu.")]},
        )


def _save_unit(unit: OrgUnit) -> None:
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:
        if OrgUnit.objects.filter(code=unit.code).exclude(pk=unit.pk).exists():
            raise DomainError(
                UNIT_CODE_TAKEN,
                _("Mã đơn vị đã tồn tại."),
                fields={"code": [_("Mã đơn vị đã tồn tại.")]},
            ) from exc
        raise


@transaction.atomic
def unit_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    kind: str,
    short_name: str = "",
    parent: OrgUnit | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> OrgUnit:
    _check_kind(kind)
    _check_validity(valid_from, valid_to)
    unit = OrgUnit(
        code=code,
        name=name,
        short_name=short_name,
        kind=kind,
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    _save_unit(unit)
    _record(unit, UnitChange.Event.CREATE, actor=actor, before={}, effective_on=valid_from)
    return unit


@transaction.atomic
def unit_update(*, actor: User | None, unit: OrgUnit, **changes: Any) -> OrgUnit:
    """Change a unit's fields in place. Ending a unit (`valid_to`) is refused while
    it has memberships open after that day."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    before = _snapshot(unit)
    if "kind" in changes:
        _check_kind(changes["kind"])
    if "parent" in changes:
        _check_parent(unit, changes["parent"])
    for field, value in changes.items():
        setattr(unit, field, value)
    _check_validity(unit.valid_from, unit.valid_to)
    if unit.valid_to is not None:
        _refuse_open_memberships([unit], unit.valid_to + timedelta(days=1))
    _save_unit(unit)
    if _snapshot(unit) != before:
        _record(unit, UnitChange.Event.UPDATE, actor=actor, before=before)
    return unit


@transaction.atomic
def unit_rename(
    *,
    actor: User | None,
    unit: OrgUnit,
    name: str,
    short_name: str | None = None,
    effective_on: date | None = None,
) -> OrgUnit:
    """A rename keeps the unit (and its work); the old name stays in its history.
    (Việt Yên's Chi cục after the district became a town in 2024 is the example.)"""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    before = _snapshot(unit)
    unit.name = name
    if short_name is not None:
        unit.short_name = short_name
    _save_unit(unit)
    _record(
        unit,
        UnitChange.Event.RENAME,
        actor=actor,
        before=before,
        effective_on=effective_on or local_today(),
    )
    return unit


def _refuse_open_memberships(units: list[OrgUnit], first_day_gone: date) -> None:
    open_memberships = list(
        _memberships_reaching(units, first_day_gone).select_related("user", "unit")
    )
    if open_memberships:
        names = ", ".join(f"{m.user.username} ({m.unit.code})" for m in open_memberships)
        raise DomainError(
            UNIT_HAS_ACTIVE_MEMBERSHIPS,
            _("Đơn vị còn thành viên đang hoạt động sau ngày chấm dứt: %(names)s.")
            % {"names": names},
            extra={"memberships": [m.id for m in open_memberships]},
        )


def _end_unit(unit: OrgUnit, last_day: date, *, actor, event: str, effective_on: date) -> None:
    before = _snapshot(unit)
    unit.valid_to = last_day
    _check_validity(unit.valid_from, unit.valid_to, field="effective_on")
    _save_unit(unit)
    _record(unit, event, actor=actor, before=before, effective_on=effective_on)


def _memberships_reaching(units: list[OrgUnit], day: date):
    """Memberships of `units` that are still in force on `day` or start later."""
    return Membership.objects.filter(unit__in=units).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def _move_memberships(units: list[OrgUnit], target: OrgUnit, effective_on: date) -> None:
    last_day = effective_on - timedelta(days=1)
    for membership in _memberships_reaching(units, effective_on):
        ends = membership.valid_to
        starts = max(effective_on, membership.valid_from or effective_on)
        if membership.valid_from and membership.valid_from >= effective_on:
            # Not begun yet: it simply belongs to the successor instead.
            membership.unit = target
            membership.save(update_fields=["unit"])
            continue
        membership.valid_to = last_day
        membership.save(update_fields=["valid_to"])
        Membership.objects.get_or_create(
            user_id=membership.user_id,
            unit=target,
            role=membership.role,
            valid_to=ends,
            defaults={"valid_from": starts},
        )


@transaction.atomic
def units_merge(
    *,
    actor: User | None,
    sources: list[OrgUnit],
    into: OrgUnit,
    effective_on: date,
    transfer_memberships: bool = False,
) -> OrgUnit:
    """Merge `sources` into `into` (an existing unit that carries on) from `effective_on`.

    Sources end the day before and link to `into` as successor. Their open
    memberships must be moved (`transfer_memberships`) or ended first: a
    merge never leaves somebody a member of a unit that no longer exists.
    Open assignments follow through the directives app's transfer service.
    """
    sources = [s for s in sources if s.pk != into.pk]
    if not sources:
        raise DomainError(MERGE_NEEDS_SOURCES, _("Cần ít nhất một đơn vị để sáp nhập."))
    locked = list(OrgUnit.objects.select_for_update().filter(pk__in=[s.pk for s in sources]))
    into = OrgUnit.objects.select_for_update().get(pk=into.pk)
    for unit in [*locked, into]:
        if not unit.is_active_on(effective_on):
            raise DomainError(
                UNIT_INACTIVE,
                _("Đơn vị %(code)s không còn hoạt động vào ngày hiệu lực.") % {"code": unit.code},
            )
    if transfer_memberships:
        _move_memberships(locked, into, effective_on)
    else:
        _refuse_open_memberships(locked, effective_on)
    for unit in locked:
        _end_unit(
            unit,
            effective_on - timedelta(days=1),
            actor=actor,
            event=UnitChange.Event.MERGE,
            effective_on=effective_on,
        )
        UnitSuccession.objects.create(
            predecessor=unit, successor=into, event=SuccessionEvent.MERGE, effective_on=effective_on
        )
    return into


@transaction.atomic
def unit_split(
    *,
    actor: User | None,
    unit: OrgUnit,
    parts: list[dict[str, Any]],
    effective_on: date,
) -> list[OrgUnit]:
    """Split `unit` into new units (each `{code, name, short_name?}`), same kind and
    parent, from `effective_on`. The old unit ends the day before; its open
    memberships must have been ended or moved first."""
    if len(parts) < 2:
        raise DomainError(SPLIT_NEEDS_PARTS, _("Chia tách cần ít nhất hai đơn vị mới."))
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if not unit.is_active_on(effective_on):
        raise DomainError(UNIT_INACTIVE, _("Đơn vị không còn hoạt động vào ngày hiệu lực."))
    _refuse_open_memberships([unit], effective_on)
    created = [
        unit_create(
            actor=actor,
            code=part["code"],
            name=part["name"],
            short_name=part.get("short_name", ""),
            kind=unit.kind,
            parent=unit.parent,
            valid_from=effective_on,
        )
        for part in parts
    ]
    _end_unit(
        unit,
        effective_on - timedelta(days=1),
        actor=actor,
        event=UnitChange.Event.SPLIT,
        effective_on=effective_on,
    )
    for new_unit in created:
        UnitSuccession.objects.create(
            predecessor=unit,
            successor=new_unit,
            event=SuccessionEvent.SPLIT,
            effective_on=effective_on,
        )
    return created


@transaction.atomic
def membership_create(
    *,
    actor: User | None,
    user: User,
    unit: OrgUnit,
    role: str,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Membership:
    if role not in Role.values:
        raise DomainError(
            INVALID_ROLE,
            _("Vai trò không hợp lệ."),
            fields={"role": [_("Chọn một trong: %s.") % ", ".join(Role.values)]},
        )
    _check_validity(valid_from, valid_to)
    start = valid_from or local_today()
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if (
        not unit.is_active_on(start)
        or (valid_to is not None and not unit.is_active_on(valid_to))
        or (valid_to is None and unit.valid_to is not None)
    ):
        raise DomainError(
            UNIT_INACTIVE,
            _("Đơn vị không hoạt động trong thời gian của tư cách thành viên."),
            fields={"unit": [_("Đơn vị không hoạt động vào ngày này.")]},
        )
    membership = Membership(
        user=user, unit=unit, role=role, valid_from=valid_from, valid_to=valid_to
    )
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:
        raise DomainError(
            MEMBERSHIP_DUPLICATE,
            _("Người dùng đã có vai trò này trong đơn vị."),
            fields={"role": [_("Người dùng đã có vai trò này trong đơn vị.")]},
        ) from exc
    return membership


@transaction.atomic
def membership_end(*, actor: User | None, membership: Membership, valid_to: date) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _check_validity(membership.valid_from, valid_to)
    membership.valid_to = valid_to
    membership.save(update_fields=["valid_to"])
    return membership


# --- sign-in sessions -----------------------------------------------------------


@transaction.atomic
def login_session_start(*, user: User, device_id: str = "", device_name: str = "") -> LoginSession:
    """A new session for a sign-in. Signing in again from the same device ends
    that device's earlier session, so a lost refresh token stops working."""
    if device_id:
        LoginSession.objects.filter(user=user, device_id=device_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason="signed in again on this device"
        )
        scope_changed(user_ids=[user.pk])  # the update() passes no signal
    return LoginSession.objects.create(user=user, device_id=device_id, device_name=device_name)


def login_session_revoke(*, session: LoginSession, reason: str) -> LoginSession:
    if session.revoked_at is None:
        session.revoked_at = timezone.now()
        session.revoked_reason = reason[:200]
        session.save(update_fields=["revoked_at", "revoked_reason"])
    return session


@transaction.atomic
def user_set_active(*, actor: User | None, user: User, active: bool) -> User:
    """Leadership deactivates (or reactivates) a person. Deactivation ends every
    session of theirs; JWT authentication refuses an inactive user anyway."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        LoginSession.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason="user deactivated"
        )
        scope_changed(user_ids=[user.pk])  # the update() passes no signal
    return user
