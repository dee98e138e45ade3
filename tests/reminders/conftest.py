"""Fixtures of the reminders suite, on top of the shared org and people
(`tests/conftest.py`): the reminder settings pinned, a document and a directive.

The settings are pinned so that a developer's environment (a REMINDER_WINDOW
exported for a demo, say) cannot change what these tests mean.
"""

import pytest

from directives.models import Directive, SourceDocument
from tests.directives.factories import DirectiveFactory, DocumentFactory


@pytest.fixture(autouse=True)
def reminder_settings(settings):
    settings.REMINDER_WINDOW = "07:30-17:00"
    settings.REMINDER_DELIVERY_LEASE_SECONDS = 120
    settings.REMINDER_MAX_ATTEMPTS = 6
    settings.REMINDER_SWEEP_BATCH = 1000
    settings.WEBHOOK_ALLOW_PRIVATE = False
    # Heads and leadership one message per assignment, as units' members: most
    # tests here are about the ledger's mechanics; test_digests.py turns it on.
    settings.REMINDER_LEADERS_DIGEST = False
    settings.PUBLIC_BASE_URL = "https://thads.example.vn"
    return settings


@pytest.fixture
def always_open(reminder_settings):
    """Reminders at 00:00 local on working days, sent at any hour."""
    reminder_settings.REMINDER_WINDOW = "always"
    return reminder_settings


@pytest.fixture
def document(org, director) -> SourceDocument:
    return DocumentFactory(created_by=director)


@pytest.fixture
def directive(document) -> Directive:
    return DirectiveFactory(document=document)
