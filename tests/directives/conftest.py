"""Fixtures of the directives suite, on top of the shared org and people
(`tests/conftest.py`): a document, a directive, a Hiệp Hòa assignment, clients."""

import pytest

from directives.models import Assignment, Directive, SourceDocument
from tests.directives.factories import DirectiveFactory, DocumentFactory, assign_one


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


@pytest.fixture
def director_client(client_for, director):
    return client_for(director)


@pytest.fixture
def officer_client(client_for, officer):
    """Hiệp Hòa's officer."""
    return client_for(officer)


@pytest.fixture
def other_client(client_for, people):
    """Yên Thế's officer: Hiệp Hòa's work is outside their scope."""
    return client_for(people.other_officer)
