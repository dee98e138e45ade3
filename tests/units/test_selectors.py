"""`user_scope` is the one answer to "what may this user see?"; every role is pinned here."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import MembershipFactory, OrgUnitFactory, UserFactory
from thads.clock import local_today
from units.models import Role, UnitKind, User
from units.selectors import (
    NO_SCOPE,
    memberships_active,
    unit_ancestor_ids,
    unit_descendant_ids,
    unit_list,
    unit_tree,
    user_scope,
)


def _fresh(user: User) -> User:
    """A new object for the user, as each request gets: no memoised scope."""
    return User.objects.get(pk=user.pk)


# --- user_scope ---------------------------------------------------------------


@pytest.mark.parametrize("role", ["director", "deputy_director", "office_staff", "superuser"])
def test_leadership_sees_every_unit(people, org, role):
    scope = user_scope(user=_fresh(getattr(people, role)))
    assert scope.is_leadership is True
    assert scope.visible_unit_ids is None
    assert all(scope.can_see_unit(unit.id) for unit in org.all)
    assert scope.can_see_unit(10**9)  # even units created after the answer


def test_leadership_acts_for_its_own_unit_only(people, org):
    scope = user_scope(user=_fresh(people.director))
    assert scope.acting_unit_ids == {org.department.id}
    assert not scope.can_act_for_unit(org.hiephoa.id)


def test_a_superuser_without_membership_is_leadership_acting_for_nothing(people):
    scope = user_scope(user=_fresh(people.superuser))
    assert scope.is_leadership is True
    assert scope.acting_unit_ids == frozenset()


@pytest.mark.parametrize("role", ["head", "deputy_head"])
def test_heads_see_their_unit_and_everything_below_it(people, org, role):
    grandchild = OrgUnitFactory(parent=org.team, name="Nhóm xác minh Hiệp Hòa")
    scope = user_scope(user=_fresh(getattr(people, role)))
    assert scope.is_leadership is False
    assert scope.visible_unit_ids == {org.hiephoa.id, org.team.id, grandchild.id}
    assert scope.head_unit_ids == {org.hiephoa.id}
    assert scope.acting_unit_ids == {org.hiephoa.id}
    assert not scope.can_see_unit(org.yenthe.id)
    assert not scope.can_see_unit(org.department.id)  # nor above it


def test_a_head_of_the_child_unit_does_not_see_its_parent(org):
    team_head = UserFactory()
    MembershipFactory(user=team_head, unit=org.team, role=Role.HEAD)
    assert user_scope(user=team_head).visible_unit_ids == {org.team.id}


def test_an_officer_sees_only_their_own_unit(people, org):
    scope = user_scope(user=_fresh(people.officer))
    assert scope.is_leadership is False
    assert scope.visible_unit_ids == {org.hiephoa.id}
    assert scope.acting_unit_ids == {org.hiephoa.id}
    assert scope.head_unit_ids == frozenset()
    assert not scope.can_see_unit(org.team.id)  # officers do not see below their unit


def test_an_officer_of_two_units_sees_both(people, org):
    MembershipFactory(user=people.other_officer, unit=org.team, role=Role.OFFICER)
    scope = user_scope(user=_fresh(people.other_officer))
    assert scope.visible_unit_ids == {org.yenthe.id, org.team.id}


def test_a_head_who_is_also_officer_elsewhere_sees_both_subtrees(people, org):
    MembershipFactory(user=people.head, unit=org.yenthe, role=Role.OFFICER)
    scope = user_scope(user=_fresh(people.head))
    assert scope.visible_unit_ids == {org.hiephoa.id, org.team.id, org.yenthe.id}
    assert scope.head_unit_ids == {org.hiephoa.id}


@pytest.mark.parametrize("who", ["no_membership", "ended", "inactive"])
def test_people_without_a_current_membership_see_nothing(people, who):
    scope = user_scope(user=_fresh(getattr(people, who)))
    assert scope.is_leadership is False
    assert scope.visible_unit_ids == frozenset()
    assert scope.acting_unit_ids == frozenset()


def test_an_inactive_director_is_not_leadership(people):
    people.director.is_active = False
    people.director.save(update_fields=["is_active"])
    assert user_scope(user=_fresh(people.director)) is NO_SCOPE


def test_an_inactive_superuser_sees_nothing(people):
    people.superuser.is_active = False
    people.superuser.save(update_fields=["is_active"])
    assert user_scope(user=_fresh(people.superuser)) is NO_SCOPE


def test_anonymous_and_none_see_nothing(db):
    assert user_scope(user=AnonymousUser()) is NO_SCOPE
    assert user_scope(user=None) is NO_SCOPE


def test_the_ended_membership_counted_on_a_day_inside_it(people, org):
    scope = user_scope(user=_fresh(people.ended), on=date(2021, 6, 1))
    assert scope.visible_unit_ids == {org.hiephoa.id}
    assert user_scope(user=_fresh(people.ended), on=date(2022, 1, 1)).visible_unit_ids == set()


def test_a_membership_starting_tomorrow_gives_nothing_today(org):
    user = UserFactory()
    MembershipFactory(user=user, unit=org.yenthe, valid_from=local_today() + timedelta(days=1))
    assert user_scope(user=user).visible_unit_ids == frozenset()
    tomorrow = local_today() + timedelta(days=1)
    assert user_scope(user=user, on=tomorrow).visible_unit_ids == {org.yenthe.id}


def test_a_membership_in_an_ended_unit_gives_nothing(org):
    closed = OrgUnitFactory(valid_from=date(2015, 1, 1), valid_to=date(2024, 12, 31))
    user = UserFactory()
    MembershipFactory(user=user, unit=closed, role=Role.HEAD)  # left open by mistake
    assert user_scope(user=user, on=date(2025, 1, 1)).visible_unit_ids == frozenset()
    assert user_scope(user=user, on=date(2024, 12, 31)).visible_unit_ids == {closed.id}


def test_a_director_membership_in_an_ended_unit_is_not_leadership(org):
    old_department = OrgUnitFactory(kind=UnitKind.DEPARTMENT, valid_to=date(2020, 1, 1))
    user = UserFactory()
    MembershipFactory(user=user, unit=old_department, role=Role.DIRECTOR)
    assert user_scope(user=user).is_leadership is False


def test_scope_is_memoised_for_the_day_on_the_user_object(people, org, django_assert_num_queries):
    head = _fresh(people.head)
    with django_assert_num_queries(2):  # the memberships, then the unit tree for descendants
        first = user_scope(user=head)
    with django_assert_num_queries(0):
        second = user_scope(user=head)
    assert second is first
    with django_assert_num_queries(2):  # another day is another answer
        user_scope(user=head, on=date(2021, 1, 1))


def test_an_officers_scope_costs_one_query(people, django_assert_num_queries):
    officer = _fresh(people.officer)
    with django_assert_num_queries(1):
        user_scope(user=officer)


def test_memberships_active_lists_todays_memberships_with_their_units(
    people, org, django_assert_num_queries
):
    MembershipFactory(user=people.head, unit=org.yenthe, role=Role.OFFICER)
    with django_assert_num_queries(1):
        rows = [(m.unit.code, m.role) for m in memberships_active(user=people.head)]
    assert rows == [("CC-HIEPHOA", "head"), ("CC-YENTHE", "officer")]


def test_unit_filter_is_a_no_op_for_leadership_and_a_restriction_otherwise(people, org):
    assert str(user_scope(user=_fresh(people.director)).unit_filter()) == "(AND: )"
    q = user_scope(user=_fresh(people.officer)).unit_filter("assignment__unit")
    assert q.children == [("assignment__unit__in", [org.hiephoa.id])]


# --- the unit tree helpers ----------------------------------------------------------


def test_descendants_and_ancestors_follow_parent_links(org):
    grandchild = OrgUnitFactory(parent=org.team)
    assert unit_descendant_ids([org.hiephoa.id]) == {org.hiephoa.id, org.team.id, grandchild.id}
    assert unit_descendant_ids([]) == set()
    assert unit_ancestor_ids(unit_id=grandchild.id) == {
        org.team.id,
        org.hiephoa.id,
        org.department.id,
    }
    assert unit_ancestor_ids(unit_id=org.department.id) == set()


# --- unit_list -----------------------------------------------------------------------


def test_unit_list_filters_by_kind(org):
    assert [u.code for u in unit_list(filters={"kind": "office"})] == ["BG-VP"]
    assert len(unit_list(filters={"kind": "sub_department"})) == 3
    assert len(unit_list()) == 5


def test_unit_list_filters_by_parent(org):
    codes = [u.code for u in unit_list(filters={"parent": org.department.id})]
    assert codes == ["BG-VP", "CC-HIEPHOA", "CC-YENTHE"]


def test_unit_list_filters_by_the_day_units_were_active(org):
    old = OrgUnitFactory(code="OLD", valid_to=date(2024, 12, 31))
    new = OrgUnitFactory(code="NEW", valid_from=date(2025, 1, 1))
    on_2024 = {u.code for u in unit_list(filters={"active_on": date(2024, 12, 31)})}
    on_2025 = {u.code for u in unit_list(filters={"active_on": date(2025, 1, 1)})}
    assert old.code in on_2024 and new.code not in on_2024
    assert new.code in on_2025 and old.code not in on_2025


def test_unit_list_search_is_accent_insensitive_and_ignores_tone_mark_placement(org):
    newer_spelling = OrgUnitFactory(code="HH-2", name="Đội thi hành án Hiệp Hoà")
    found = {u.id for u in unit_list(filters={"q": "hiep hoa"})}
    assert {org.hiephoa.id, org.team.id, newer_spelling.id} == found
    assert {u.id for u in unit_list(filters={"q": "HIỆP HÒA"})} == found


def test_unit_list_search_maps_d_with_stroke(org):
    OrgUnitFactory(code="DD", name="Chi cục huyện Sơn Động")
    assert [u.code for u in unit_list(filters={"q": "son dong"})] == ["DD"]


def test_unit_list_search_needs_every_word(org):
    assert [u.code for u in unit_list(filters={"q": "yen the chi cuc"})] == ["CC-YENTHE"]
    assert list(unit_list(filters={"q": "the hoa"})) == []


def test_unit_list_search_matches_codes(org):
    assert [u.code for u in unit_list(filters={"q": "bg-vp"})] == ["BG-VP"]


# --- unit_tree -----------------------------------------------------------------------


def test_unit_tree_nests_active_units_with_children_by_code(org):
    tree = unit_tree(on=date(2025, 6, 1))
    assert [node["code"] for node in tree] == ["BG-CUC"]
    department = tree[0]
    assert [c["code"] for c in department["children"]] == ["BG-VP", "CC-HIEPHOA", "CC-YENTHE"]
    hiephoa = department["children"][1]
    assert [c["code"] for c in hiephoa["children"]] == ["CC-HIEPHOA-T1"]
    assert hiephoa["kind"] == "sub_department"
    assert hiephoa["short_name"] == "Hiệp Hòa"
    assert set(hiephoa) == {"id", "code", "name", "short_name", "kind", "children"}


def test_unit_tree_leaves_out_units_not_active_that_day(org):
    OrgUnitFactory(code="CC-ZZ-OLD", parent=org.department, valid_to=date(2024, 12, 31))
    codes_2024 = [c["code"] for c in unit_tree(on=date(2024, 12, 31))[0]["children"]]
    codes_2025 = [c["code"] for c in unit_tree(on=date(2025, 1, 1))[0]["children"]]
    assert "CC-ZZ-OLD" in codes_2024
    assert "CC-ZZ-OLD" not in codes_2025


def test_unit_tree_costs_one_query(org, django_assert_num_queries):
    with django_assert_num_queries(1):
        unit_tree(on=date(2025, 1, 1))
