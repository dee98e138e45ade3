"""The user behind a token and their scope, cached between requests (units/scope_cache.py).

Every test first makes a request that fills the cache and checks that a second one
is served from it (no query for the user or the scope), then changes something
and checks that the very next request sees the change: a cached answer must never
outlive a revocation.
"""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.factories import PASSWORD
from thads.clock import local_today
from units import scope_cache, services
from units.models import LoginSession, Membership, Role
from units.selectors import user_scope

ME = "/api/v1/me/"
TOKEN = "/api/v1/auth/token/"


def sign_in(client, user, device_id: str = "") -> dict:
    response = client.post(
        TOKEN, {"username": user.username, "password": PASSWORD, "device_id": device_id}
    )
    assert response.status_code == 200, response.content
    tokens = response.json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return tokens


def me_from_cache(client, django_assert_num_queries) -> dict:
    """GET /me twice: the second answers the user and the scope from the cache
    (its one query is /me's own list of memberships)."""
    assert client.get(ME).status_code == 200
    with django_assert_num_queries(1):
        response = client.get(ME)
    assert response.status_code == 200
    return response.json()


def test_a_warm_request_loads_neither_the_user_nor_the_scope(
    api_client, officer, org, django_assert_num_queries
):
    sign_in(api_client, officer)
    # Cold: the user with the session check, the memberships behind the scope, /me's list.
    with django_assert_num_queries(3):
        assert api_client.get(ME).status_code == 200
    body = me_from_cache(api_client, django_assert_num_queries)
    assert body["acting_unit_ids"] == [org.hiephoa.pk]
    assert body["session"] is not None


def test_logout_ends_the_access_token_at_the_next_request(
    api_client, officer, django_assert_num_queries
):
    tokens = sign_in(api_client, officer)
    me_from_cache(api_client, django_assert_num_queries)

    assert (
        api_client.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}).status_code == 204
    )

    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_a_session_revoked_by_leadership_ends_at_the_next_request(
    api_client, client_for, officer, director, django_assert_num_queries
):
    sign_in(api_client, officer, device_id="phone")
    me_from_cache(api_client, django_assert_num_queries)
    session = LoginSession.objects.get(user=officer, revoked_at__isnull=True)

    leader = client_for(director)
    assert leader.post(f"/api/v1/sessions/{session.pk}/revoke/").status_code in (200, 204)

    assert api_client.get(ME).status_code == 401


def test_signing_in_again_on_the_device_ends_the_earlier_token_at_once(
    api_client, client_for, officer, django_assert_num_queries
):
    sign_in(api_client, officer, device_id="phone")
    me_from_cache(api_client, django_assert_num_queries)
    earlier = api_client._credentials["HTTP_AUTHORIZATION"]

    sign_in(client_for(None), officer, device_id="phone")

    api_client.credentials(HTTP_AUTHORIZATION=earlier)
    assert api_client.get(ME).status_code == 401


def test_deactivation_ends_the_access_token_at_the_next_request(
    api_client, client_for, officer, director, django_assert_num_queries
):
    sign_in(api_client, officer)
    me_from_cache(api_client, django_assert_num_queries)

    response = client_for(director).post(f"/api/v1/users/{officer.pk}/deactivate/")
    assert response.status_code == 200, response.content

    assert api_client.get(ME).status_code == 401


def test_a_membership_ended_takes_the_units_away_at_the_next_request(
    api_client, officer, org, django_assert_num_queries
):
    sign_in(api_client, officer)
    assert me_from_cache(api_client, django_assert_num_queries)["acting_unit_ids"] == [
        org.hiephoa.pk
    ]

    membership = Membership.objects.get(user=officer)
    services.membership_end(
        actor=None, membership=membership, valid_to=local_today() - timedelta(days=1)
    )

    body = api_client.get(ME).json()
    assert body["acting_unit_ids"] == []
    assert body["visible_unit_ids"] == []


def test_a_promotion_to_leadership_shows_everything_at_the_next_request(
    api_client, officer, org, django_assert_num_queries
):
    sign_in(api_client, officer)
    assert not me_from_cache(api_client, django_assert_num_queries)["is_leadership"]

    services.membership_create(actor=None, user=officer, unit=org.department, role=Role.DIRECTOR)

    body = api_client.get(ME).json()
    assert body["is_leadership"]
    assert body["visible_unit_ids"] is None


def test_a_unit_moved_under_a_head_joins_their_scope_at_the_next_request(
    api_client, head, org, django_assert_num_queries
):
    sign_in(api_client, head)
    assert (
        org.yenthe.pk
        not in me_from_cache(api_client, django_assert_num_queries)["visible_unit_ids"]
    )

    services.unit_update(actor=None, unit=org.yenthe, parent=org.hiephoa)

    assert org.yenthe.pk in api_client.get(ME).json()["visible_unit_ids"]


def test_a_bulk_update_of_memberships_retires_the_cached_scopes(
    api_client, officer, org, django_assert_num_queries
):
    sign_in(api_client, officer)
    me_from_cache(api_client, django_assert_num_queries)

    Membership.objects.filter(user=officer).update(valid_to=date(2020, 1, 1))

    assert api_client.get(ME).json()["acting_unit_ids"] == []


def test_an_answer_read_under_versions_since_replaced_is_never_used(officer, org):
    key = scope_cache.scope_key(officer.pk, local_today())
    scope_cache.read(officer.pk, [key])  # starts the versions
    tag, _ = scope_cache.read(officer.pk, [key])
    assert tag is not None
    # A request read the versions, then the database; a change committed meanwhile.
    scope_cache.scope_changed(user_ids=[officer.pk])
    scope_cache.write(tag, {key: "stale"})

    assert scope_cache.read(officer.pk, [key])[1] == {}


def test_nothing_read_inside_a_transaction_is_cached(officer, org):
    with transaction.atomic():
        user_scope(user=officer)
    assert scope_cache.read(officer.pk, [scope_cache.scope_key(officer.pk, local_today())])[1] == {}

    fresh = type(officer).objects.get(pk=officer.pk)
    user_scope(user=fresh)
    key = scope_cache.scope_key(officer.pk, local_today())
    assert scope_cache.read(officer.pk, [key])[1][key].acting_unit_ids == {org.hiephoa.pk}


def test_the_password_hash_is_not_cached(api_client, officer, django_assert_num_queries):
    sign_in(api_client, officer)
    me_from_cache(api_client, django_assert_num_queries)
    entry = cache.get(scope_cache.user_key(officer.pk))
    assert entry is not None
    assert "password" not in entry[1]["fields"]
    assert entry[1]["fields"]["username"] == officer.username


@pytest.mark.parametrize("seconds", [0])
def test_the_cache_can_be_turned_off(
    api_client, officer, settings, seconds, django_assert_num_queries
):
    settings.SCOPE_CACHE_SECONDS = seconds
    sign_in(api_client, officer)
    for _ in range(2):
        with django_assert_num_queries(3):
            assert api_client.get(ME).status_code == 200


def test_an_unreachable_cache_means_reading_the_database(
    api_client, officer, monkeypatch, django_assert_num_queries
):
    sign_in(api_client, officer)

    def down(*args, **kwargs):
        raise RedisConnectionError("connection refused")

    monkeypatch.setattr(cache, "get_many", down)
    monkeypatch.setattr(cache, "set_many", down)
    for _ in range(2):
        with django_assert_num_queries(3):
            assert api_client.get(ME).status_code == 200
