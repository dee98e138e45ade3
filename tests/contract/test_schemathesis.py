"""The API against its own OpenAPI schema: a property-based run with schemathesis.

What it covers
--------------
The schema is loaded in-process from `GET /api/schema/` (the WSGI application,
no server) and every operation in it — every path and method under `/api/v1/`,
78 at the time of writing — becomes one test per caller:

- as leadership (`director`) and as a unit officer (`hiephoa.officer`), each
  with a real JWT from `POST /api/v1/auth/token/` on the demo data
  (`seed_demo`, password `thads-demo`);
- with the cases schemathesis makes from the schema: the documented examples,
  the coverage phase (boundary and invalid values of each parameter and body
  property, missing required headers such as If-Match) and `MAX_EXAMPLES` random
  fuzzed cases, valid and invalid ("all" generation mode);
- steered towards real rows: a path `{id}` is drawn from the ids that exist
  (or generated, so 404s are covered too), and `If-Match` is sometimes `*`, so
  the assignment writes reach their workflow rules instead of stopping at 412;
- every answer checked with `not_a_server_error`, `status_code_conformance`
  (each status documented), `content_type_conformance`,
  `response_schema_conformance` (errors included: the envelope) and
  `response_headers_conformance` (ETag, Retry-After).

Each test runs in its own transaction on top of the seeded data (seeded once per
module, rolled back at the end), so writes of one operation never leak into
another and nothing is left behind for the rest of the suite. Sign-in throttling
is raised for the run (the real rates are tested in tests/units/test_auth.py);
the Idempotency-Key store lives in the same rolled-back transaction. Hypothesis
runs derandomized with no example database: a CI run is repeatable.

Nothing is excluded. `POST auth/logout/` needs a refresh token, which the run
never sends, so it cannot sign the run's callers out; a test that revokes a
session or deactivates a user (leadership may) only affects that test. Methods
a path does not declare (405) are not sent: the contract leaves 405 out. A
file download's body is not validated (binary), its status and type are.

Nothing is tolerated either: any failure fails the run. The first runs found six
bugs in the application (500s on a path id that is not a number and on ids past
2**63, four answers the schema misdescribed); each was pinned as a strict xfail
until fixed, and now has a plain test of its own (tests/thads/test_ids.py, the
end of test_openapi.py). A new one gets the same: a failing test, then the fix.

How to run it alone
-------------------
    .venv/bin/python -m pytest tests/contract -q
    .venv/bin/python -m pytest tests/contract -q -k "assignments and director"
    THADS_CONTRACT_EXAMPLES=50 .venv/bin/python -m pytest tests/contract -q   # deeper

and on PostgreSQL like CI, with `DATABASE_URL=postgres://...` and `REDIS_URL=...`.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from io import StringIO
from typing import Any

import hypothesis.strategies as st
import pytest
import schemathesis
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.tokens import AccessToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client

from tests.contract import STATS_KEY
from thads.wsgi import application
from units.authentication import SESSION_CLAIM
from units.models import User

MAX_EXAMPLES = int(os.environ.get("THADS_CONTRACT_EXAMPLES", "10"))
DEMO_PASSWORD = "thads-demo"  # units/seed.py; the local demo's, never a real one
# The callers, by the pytest id they get.
CALLERS = {"leadership": "director", "officer": "hiephoa.officer"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Werkzeug's client does not undo GZipMiddleware; a real client would.
BASE_HEADERS = {"Accept-Encoding": "identity"}

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20220422,
        "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            # The callers' JWTs are sent as they are; 401s are covered by the
            # negative cases of `auth/` and by tests/units/test_auth.py.
            "with-security-parameters": False,
        },
        "phases": {
            "examples": {"enabled": True},
            # Undeclared methods would answer 405, which the contract leaves out.
            "coverage": {"enabled": True, "unexpected-methods": []},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
    }
)

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=CONFIG)

# The first segment of a detail path → the model whose rows its `{id}` names.
RESOURCES = {
    "assignments": "directives.Assignment",
    "attachments": "directives.Attachment",
    "directives": "directives.Directive",
    "documents": "directives.SourceDocument",
    "extensions": "directives.ExtensionRequest",
    "memberships": "units.Membership",
    "units": "units.OrgUnit",
    "users": "units.User",
    "sessions": "units.LoginSession",
    "notifications": "notifications.Notification",
    "devices": "notifications.Device",
    "webhooks": "notifications.WebhookEndpoint",
}


@dataclass
class World:
    """What the module's seeded data offers the tests: tokens and existing ids."""

    tokens: dict[str, str] = field(default_factory=dict)
    # caller → (user, sign-in session id, when the token was issued)
    sessions: dict[str, tuple[Any, int, float]] = field(default_factory=dict)
    ids: dict[str, list[int]] = field(default_factory=dict)
    # (operation, caller) → requests sent, seconds taken; tests/contract/conftest.py prints it.
    stats: dict[tuple[str, str], list[float]] = field(default_factory=dict)


WORLD = World()


def _resource(path: str) -> str:
    return path.removeprefix("/api/v1/").split("/", 1)[0]


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """An existing id first (so 200s are reached), the generated one otherwise."""
    ids = WORLD.ids.get(_resource(context.operation.path))
    if not ids or not path_parameters or "id" not in path_parameters:
        return st.just(path_parameters)
    return st.one_of(
        st.sampled_from([{**path_parameters, "id": pk} for pk in ids]),
        st.just(path_parameters),
    )


@schema.hook
def flatmap_headers(context, headers):
    """`If-Match: *` half the time: the write then meets the workflow rules, not 412."""
    if not headers or "If-Match" not in headers:
        return st.just(headers)
    return st.sampled_from([{**headers, "If-Match": "*"}, headers])


# --- fixtures ------------------------------------------------------------------------------


def _seed_extras() -> None:
    """Rows the demo data lacks, so every detail route has something to find."""
    from notifications.models import Device, Notification, WebhookEndpoint

    for n, user in enumerate(User.objects.filter(username__in=CALLERS.values()).order_by("id")):
        Device.objects.create(
            user=user,
            name="Pixel 8",
            endpoint=f"https://push.example.test/subscription/{n}",
            p256dh="BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
            auth="tBHItJI5svbpez7KI4CCXg",
        )
        WebhookEndpoint.objects.create(user=user, url=f"https://hooks.example.test/{n}")
        for i in range(2):
            Notification.objects.create(
                user=user, title=f"Nhắc hạn {i}", body="Sắp đến hạn.", created_at=timezone.now()
            )


@pytest.fixture(scope="module")
def world(request, django_db_setup, django_db_blocker):
    """The demo data, two signed-in callers and the existing ids, for the whole module,
    inside one transaction rolled back at the end (each test adds a savepoint)."""
    rates = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {**rates, "login": "100000/min", "login_user": "100000/min"}
    # As Django's test client does: a request must not close the connection that holds
    # the test's transaction (it would, seeing autocommit off, on PostgreSQL).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", stdout=StringIO())
            _seed_extras()
            client = Client(application)
            for caller, username in CALLERS.items():
                response = client.post(
                    "/api/v1/auth/token/",
                    json={"username": username, "password": DEMO_PASSWORD},
                    headers=BASE_HEADERS,
                )
                assert response.status_code == 200, response.get_data(as_text=True)
                pair = response.get_json()
                WORLD.tokens[caller] = pair["access"]
                user = User.objects.get(username=username)
                WORLD.sessions[caller] = (user, pair["session"], time.monotonic())
            for name, label in RESOURCES.items():
                model = apps.get_model(label)
                WORLD.ids[name] = list(
                    model.objects.order_by("pk").values_list("pk", flat=True)[:20]
                )
            request.config.stash[STATS_KEY] = WORLD.stats
            yield WORLD
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
            SimpleRateThrottle.THROTTLE_RATES = rates


def _headers(world: World, caller: str) -> dict[str, str]:
    """The caller's Bearer token; a fresh one for the same sign-in session once it is
    half-way to expiring (a slow machine may take longer than its 15 minutes). Minted,
    not signed in again: a new session would live in one test's savepoint only."""
    user, session, issued = world.sessions[caller]
    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()
    if time.monotonic() - issued > lifetime / 2:
        token = AccessToken.for_user(user)
        token[SESSION_CLAIM] = session
        world.tokens[caller] = str(token)
        world.sessions[caller] = (user, session, time.monotonic())
    return {**BASE_HEADERS, "Authorization": f"Bearer {world.tokens[caller]}"}


# --- the run ---------------------------------------------------------------------------------


@pytest.mark.django_db
# Fuzzed usernames end up in LoginUserThrottle's cache key, and Django warns that
# memcached would refuse such keys; the project's caches (locmem, file, Redis) take them.
@pytest.mark.filterwarnings("ignore::django.core.cache.backends.base.CacheKeyWarning")
@pytest.mark.parametrize("caller", list(CALLERS))
@schema.parametrize()
def test_operation_conforms(case, caller, world):
    started = time.perf_counter()
    try:
        case.call_and_validate(headers=_headers(world, caller), checks=CHECKS)
    finally:
        stat = world.stats.setdefault((case.operation.label, caller), [0, 0.0])
        stat[0] += 1
        stat[1] += time.perf_counter() - started
