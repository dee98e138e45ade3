"""Who hears about what: the members, heads and leadership of units, and
the channels each recipient takes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from units.models import HEAD_ROLES, Membership, Role, User

LEADERSHIP_RECIPIENT_ROLES = (Role.DIRECTOR, Role.DEPUTY_DIRECTOR)


def _users_with_channels(user_ids: Iterable[int]) -> dict[int, User]:
    return {
        user.pk: user
        for user in User.objects.filter(pk__in=set(user_ids), is_active=True)
        .select_related("notification_preference")
        .prefetch_related("devices", "webhooks")
    }


def _audiences(unit_ids: set[int], today: date) -> tuple[dict, dict, list[int]]:
    """(unit → member ids, unit → head ids, leadership ids), one query each."""
    members: dict[int, set[int]] = defaultdict(set)
    heads: dict[int, set[int]] = defaultdict(set)
    for unit_id, user_id, role in (
        Membership.objects.active_on(today)
        .filter(unit_id__in=unit_ids)
        .values_list("unit_id", "user_id", "role")
    ):
        members[unit_id].add(user_id)
        if role in HEAD_ROLES:
            heads[unit_id].add(user_id)
    leadership = list(
        Membership.objects.active_on(today)
        .filter(role__in=LEADERSHIP_RECIPIENT_ROLES)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )
    return members, heads, leadership
