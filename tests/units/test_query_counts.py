"""Pinned query counts: a page costs the same whatever the number of rows.

If a number here changes, say why in the commit: a new query per request may be
fine; a query per row never is. Clients are forced-authenticated, so no query
loads the user unless a test signs in with a real token.
"""

from datetime import date

import pytest

from tests.factories import MembershipFactory, OrgUnitFactory, UserFactory
from tests.query_counts import page_queries
from units.models import LoginSession, Role, UnitSuccession, User


def _units_with_successors(count: int, parent) -> None:
    units = OrgUnitFactory.create_batch(count, parent=parent)
    for old, new in zip(units[::2], units[1::2], strict=False):
        UnitSuccession.objects.create(
            predecessor=old, successor=new, event="merge", effective_on=date(2025, 1, 1)
        )


@pytest.mark.parametrize("extra_units", [5, 50])
def test_unit_list_costs_two_queries_whatever_its_length(
    client_for, org, director, extra_units, django_assert_num_queries
):
    _units_with_successors(extra_units, org.department)
    client = client_for(director)
    # 1. the units; 2. their successor links (prefetch_related).
    # Reading needs no scope: the permission only checks that someone signed in.
    with django_assert_num_queries(2):
        response = client.get("/api/v1/units/")
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    assert len(rows) == len(org.all) + extra_units
    assert sum(len(row["successors"]) for row in rows) == extra_units // 2


@pytest.mark.parametrize("extra_units", [5, 50])
def test_unit_list_filtered_by_search_costs_the_same(
    client_for, org, director, extra_units, django_assert_num_queries
):
    _units_with_successors(extra_units, org.hiephoa)
    client = client_for(director)
    with django_assert_num_queries(2):  # the filter is part of the units query
        response = client.get("/api/v1/units/", {"q": "don vi", "kind": "sub_department"})
    body = response.json()
    assert len(body["results"] if isinstance(body, dict) else body) == extra_units


@pytest.mark.parametrize("extra_units", [5, 50])
def test_unit_list_with_a_real_token_adds_one_query_for_the_user(
    client_for, org, director, extra_units, django_assert_num_queries
):
    _units_with_successors(extra_units, org.department)
    client = client_for(director, jwt=True)
    # 1. the user named in the token (JWTAuthentication); 2. units; 3. successor links.
    with django_assert_num_queries(3):
        assert client.get("/api/v1/units/").status_code == 200


@pytest.mark.parametrize("extra_units", [5, 50])
def test_unit_tree_costs_one_query(
    client_for, org, officer, extra_units, django_assert_num_queries
):
    _units_with_successors(extra_units, org.yenthe)
    client = client_for(officer)
    with django_assert_num_queries(1):  # the active units; nesting happens in Python
        response = client.get("/api/v1/units/tree/")
    assert len(response.json()[0]["children"][2]["children"]) == extra_units


@pytest.mark.parametrize("extra", [5, 50])
def test_membership_list_costs_two_queries_whatever_its_length(
    client_for, org, people, extra, django_assert_num_queries
):
    MembershipFactory.create_batch(extra, unit=org.yenthe)
    client = client_for(people.director)
    # 1. the caller's memberships, for the leadership check (user_scope);
    # 2. one page of memberships joined to their user and unit (select_related).
    # Cursor pagination: no COUNT(*).
    with django_assert_num_queries(2):
        response = client.get("/api/v1/memberships/", {"page_size": 200})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 9 + extra  # nine from `people`


@pytest.mark.parametrize("extra", [5, 50])
def test_me_costs_two_queries_for_leadership_whatever_the_memberships(
    client_for, org, people, extra, django_assert_num_queries
):
    for unit in OrgUnitFactory.create_batch(extra, parent=org.department):
        MembershipFactory(user=people.director, unit=unit, role=Role.OFFICER)
    client = client_for(people.director)
    # 1. the memberships that decide the scope (user_scope);
    # 2. the memberships listed in the answer, joined to their units.
    with django_assert_num_queries(2):
        response = client.get("/api/v1/me/")
    assert len(response.json()["memberships"]) == 1 + extra


@pytest.mark.parametrize("extra", [5, 50])
def test_me_costs_three_queries_for_a_head_whatever_the_memberships(
    client_for, org, people, extra, django_assert_num_queries
):
    for unit in OrgUnitFactory.create_batch(extra, parent=org.hiephoa):
        MembershipFactory(user=people.head, unit=unit, role=Role.HEAD)
    client = client_for(people.head)
    # 1. scope memberships; 2. the parent links of all units, to find the
    # descendants a head sees (one query over the small unit table);
    # 3. the memberships listed in the answer.
    with django_assert_num_queries(3):
        response = client.get("/api/v1/me/")
    body = response.json()
    assert len(body["memberships"]) == 1 + extra
    assert len(body["visible_unit_ids"]) == 2 + extra


@pytest.mark.parametrize("n", [3, 60])
def test_sessions_and_people_cost_one_query_a_page(client_for, director, officer, n):
    for _ in range(n):
        LoginSession.objects.create(user=officer, device_name="phone")
    UserFactory.create_batch(n)
    leader, member = client_for(director), client_for(officer)
    leader.get("/api/v1/me/")  # the scopes, cached
    member.get("/api/v1/me/")
    # Each: the page with its user joined (cursor pagination: no COUNT).
    assert page_queries(member, "/api/v1/sessions/")[0] == 1
    queries, rows = page_queries(leader, f"/api/v1/sessions/?user={officer.pk}")
    assert (queries, len(rows)) == (1, min(n, 50))
    # The page of people.
    queries, rows = page_queries(leader, "/api/v1/users/")
    assert (queries, len(rows)) == (1, min(User.objects.count(), 50))
