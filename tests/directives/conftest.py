"""Fixtures of the directives suite, on top of the shared org and people
(`tests/conftest.py`): a document, a directive, a Hiệp Hòa assignment, clients."""

from collections.abc import Callable

import pytest
from django.test import Client
from rest_framework.test import APIClient

from directives.models import Assignment, Directive, SourceDocument
from tests.conftest import ScopedAPIClient
from tests.directives.factories import DirectiveFactory, DocumentFactory, assign_one
from units.models import User


@pytest.fixture
def document(org, director) -> SourceDocument:
    return DocumentFactory(created_by=director)


@pytest.fixture
def directive(document) -> Directive:
    return DirectiveFactory(document=document)


@pytest.fixture
def assignment(directive, org, director) -> Assignment:
    """Hiệp Hòa leads `directive`, due far ahead; status `assigned`, version 1."""
    return assign_one(actor=director, unit=org.hiephoa, directive=directive)


@pytest.fixture(scope="session")
def _client_pool() -> dict[str, APIClient]:
    # A new test client builds a new middleware chain on its first request, and
    # WhiteNoise's middleware then scans every file under STATIC_ROOT (hundreds):
    # a tenth of a second or more per client. The suite makes thousands of
    # requests from a handful of clients, so it keeps them, and signs each one
    # in afresh for every test.
    return {}


@pytest.fixture
def client_as(db, _client_pool) -> Callable[..., APIClient]:
    """`client_as(user, slot="main")` → a kept client acting as `user` (None: anonymous).

    Two clients needed at once in one test take two slots. Like `client_for`, the
    user object is fetched fresh, so no scope memo survives between requests.
    """

    def make(user: User | None, slot: str = "main") -> APIClient:
        client = _client_pool.setdefault(slot, ScopedAPIClient())
        client.credentials()
        client.cookies.clear()
        client.force_authenticate(user=User.objects.get(pk=user.pk) if user else None)
        return client

    return make


@pytest.fixture
def director_client(client_as, director):
    return client_as(director, "director")


@pytest.fixture
def officer_client(client_as, officer):
    """Hiệp Hòa's officer."""
    return client_as(officer, "officer")


@pytest.fixture
def other_client(client_as, people):
    """Yên Thế's officer: Hiệp Hòa's work is outside their scope."""
    return client_as(people.other_officer, "other")


@pytest.fixture
def desk(people) -> Client:
    """A browser on the admin, signed in as the superuser."""
    browser = Client()
    browser.force_login(people.superuser)
    return browser
