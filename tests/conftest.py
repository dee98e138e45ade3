"""Fixtures shared by the whole suite: clients, a small organisation, a user per role.

Everything is function-scoped: a test gets fresh rows inside its own transaction,
and building the organisation costs a few dozen inserts.
"""

from collections.abc import Callable

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import PASSWORD, Org, People, build_org, build_people
from units.models import User

TOKEN_URL = "/api/v1/auth/token/"


class ScopedAPIClient(APIClient):
    """An APIClient whose forced user looks, on every request, like a fresh one.

    In production each request loads its own user object, so `user_scope`'s
    per-object memo lives for one request. `force_authenticate` reuses one object
    for every request of the client; dropping the memo keeps requests independent
    (and query counts honest).
    """

    def request(self, **kwargs):
        forced = self.handler._force_user
        if forced is not None:
            forced.__dict__.pop("_thads_scope_cache", None)
        return super().request(**kwargs)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Login throttling and the worker heartbeat live in the cache: start empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return ScopedAPIClient()


@pytest.fixture
def client_for(db) -> Callable[..., APIClient]:
    """`client_for(user)` → a client acting as `user`.

    `jwt=True` signs in for real through `POST /api/v1/auth/token/` (password
    "pw") and sends `Authorization: Bearer`; otherwise the user is forced, which
    skips the token and the user lookup a real request costs.
    """

    def make(user: User | None, *, jwt: bool = False) -> APIClient:
        client = ScopedAPIClient()
        if user is None:
            return client
        if jwt:
            response = client.post(
                TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json"
            )
            assert response.status_code == 200, response.content
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
        else:
            client.force_authenticate(user=User.objects.get(pk=user.pk))
        return client

    return make


@pytest.fixture
def org(db) -> Org:
    """Cục (department) → Văn phòng (office), Hiệp Hòa and Yên Thế (sub-departments);
    a team unit below Hiệp Hòa."""
    return build_org()


@pytest.fixture
def people(org) -> People:
    """One user per role; see `tests.factories.build_people`."""
    return build_people(org)


@pytest.fixture
def director(people) -> User:
    return people.director


@pytest.fixture
def head(people) -> User:
    return people.head


@pytest.fixture
def officer(people) -> User:
    return people.officer
