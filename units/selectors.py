"""Reads about units and people, and the one place that decides scope.

`user_scope` is the single answer to "which units does this user act for, and
whose work may they see?". Every endpoint of every app asks it; none decides
visibility on its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from thads.clock import local_today
from thads.models import search
from units import scope_cache
from units.models import HEAD_ROLES, LEADERSHIP_ROLES, LoginSession, Membership, OrgUnit


@dataclass(frozen=True)
class Scope:
    """What a user may do and see on a given day.

    `visible_unit_ids` is None for leadership, meaning every unit.
    """

    is_leadership: bool
    acting_unit_ids: frozenset[int]
    visible_unit_ids: frozenset[int] | None
    head_unit_ids: frozenset[int]

    def can_see_unit(self, unit_id: int) -> bool:
        return self.visible_unit_ids is None or unit_id in self.visible_unit_ids

    def can_act_for_unit(self, unit_id: int) -> bool:
        return unit_id in self.acting_unit_ids

    def unit_filter(self, field: str = "unit") -> Q:
        """A filter restricting a queryset to the units this scope may see."""
        if self.visible_unit_ids is None:
            return Q()
        return Q(**{f"{field}__in": sorted(self.visible_unit_ids)})

    def unit_sql(self, column: str) -> tuple[str, list[int]] | None:
        """`unit_filter` for raw SQL: (condition on `column`, its parameters), or
        None when every unit is visible. No visible unit gives ("1 = 0", [])."""
        if self.visible_unit_ids is None:
            return None
        if not self.visible_unit_ids:
            return "1 = 0", []
        ids = sorted(self.visible_unit_ids)
        return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids


NO_SCOPE = Scope(False, frozenset(), frozenset(), frozenset())


def memberships_active(*, user, on: date | None = None) -> QuerySet[Membership]:
    day = on or local_today()
    return (
        Membership.objects.active_on(day)
        .filter(user=user)
        .filter(Q(unit__valid_to__isnull=True) | Q(unit__valid_to__gte=day))
        .select_related("unit")
        .order_by("id")
    )


def unit_descendant_ids(root_ids: Iterable[int]) -> set[int]:
    """The given units and all units below them (one query over the small unit table)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for unit_id, parent_id in OrgUnit.objects.values_list("id", "parent_id"):
        children[parent_id].append(unit_id)
    found: set[int] = set()
    stack = list(root_ids)
    while stack:
        unit_id = stack.pop()
        if unit_id in found:
            continue
        found.add(unit_id)
        stack.extend(children.get(unit_id, ()))
    return found


def user_scope(*, user, on: date | None = None) -> Scope:
    """Decide what `user` acts for and sees on `on` (today, local time, by default).

    - inactive or anonymous users: nothing;
    - superusers and members with a leadership role (director, deputy director,
      office staff acting as secretariat): everything;
    - heads and deputy heads: their unit and every unit below it;
    - everybody else: the units they are members of.

    The answer is memoised on the user object for the day, so one request
    pays for it once, and cached between requests (`units.scope_cache`) until
    the user, their memberships or the units change.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    day = on or local_today()
    memo = user.__dict__.setdefault("_thads_scope_cache", {})
    if day in memo:
        return memo[day]
    key = scope_cache.scope_key(user.pk, day)
    tag, cached = scope_cache.read(user.pk, [key])
    if key in cached:
        memo[day] = cached[key]
        return cached[key]

    memberships = list(memberships_active(user=user, on=day))
    acting = frozenset(m.unit_id for m in memberships)
    heads = frozenset(m.unit_id for m in memberships if m.role in HEAD_ROLES)
    if user.is_superuser or any(m.role in LEADERSHIP_ROLES for m in memberships):
        scope = Scope(True, acting, None, heads)
    else:
        visible = set(acting)
        if heads:
            visible |= unit_descendant_ids(heads)
        scope = Scope(False, acting, frozenset(visible), heads)
    memo[day] = scope
    scope_cache.write(tag, {key: scope})
    return scope


def unit_list(*, filters: dict | None = None) -> QuerySet[OrgUnit]:
    """Units, filtered. The organisation chart is open to every signed-in user:
    it is what people need to address each other; scope restricts work, not names.
    """
    filters = filters or {}
    qs = OrgUnit.objects.all().order_by("id")
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("active_on"):
        qs = qs.active_on(filters["active_on"])
    if "parent" in filters and filters["parent"] is not None:
        qs = qs.filter(parent_id=filters["parent"])
    return search(qs, filters.get("q") or "")


def unit_tree(*, on: date | None = None) -> list[dict]:
    """The units active on `on` as nested dicts, children sorted by code."""
    day = on or local_today()
    units = list(OrgUnit.objects.active_on(day).order_by("code"))
    by_parent: dict[int | None, list[OrgUnit]] = defaultdict(list)
    ids = {u.id for u in units}
    for unit in units:
        by_parent[unit.parent_id if unit.parent_id in ids else None].append(unit)

    def build(unit: OrgUnit) -> dict:
        return {
            "id": unit.id,
            "code": unit.code,
            "name": unit.name,
            "short_name": unit.short_name,
            "kind": unit.kind,
            "children": [build(child) for child in by_parent.get(unit.id, [])],
        }

    return [build(root) for root in by_parent.get(None, [])]


def unit_ancestor_ids(*, unit_id: int) -> set[int]:
    parents = dict(OrgUnit.objects.values_list("id", "parent_id"))
    seen: set[int] = set()
    current = parents.get(unit_id)
    while current is not None and current not in seen:
        seen.add(current)
        current = parents.get(current)
    return seen


def membership_list(*, filters: dict | None = None) -> QuerySet[Membership]:
    filters = filters or {}
    qs = Membership.objects.select_related("user", "unit").order_by("id")
    if filters.get("unit"):
        qs = qs.filter(unit_id=filters["unit"])
    if filters.get("user"):
        qs = qs.filter(user_id=filters["user"])
    if filters.get("active_on"):
        qs = qs.active_on(filters["active_on"])
    return qs


def login_session_list(*, user, of_user: int | None = None) -> QuerySet[LoginSession]:
    """The sign-in sessions `user` may list: their own; leadership, those of
    `of_user` when named."""
    sessions = LoginSession.objects.select_related("user")
    if user is None or not user.is_authenticated:
        return sessions.none()
    if of_user is not None and user_scope(user=user).is_leadership:
        return sessions.filter(user_id=of_user)
    return sessions.filter(user=user)


def login_session_get(*, user, pk: int) -> LoginSession | None:
    """A sign-in session `user` may revoke: their own; leadership, anyone's."""
    if user is None or not user.is_authenticated:
        return None
    sessions = LoginSession.objects.select_related("user").filter(pk=pk)
    if not user_scope(user=user).is_leadership:
        sessions = sessions.filter(user=user)
    return sessions.first()
