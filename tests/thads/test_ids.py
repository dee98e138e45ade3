"""Ids coming in (thads/api/ids.py): a path `{id}` or an id filter that is no
64-bit id is a 404 or a 400, never a 500 (SQLite, the embedded default, cannot
even bind a number past 2**63). Found by the schemathesis run (tests/contract/)."""

import re

import pytest
from django.urls import get_resolver

from thads.api.ids import ID_LOOKUP_REGEX, MAX_ID, MAX_PATH_ID
from thads.api.root import url_patterns

PAST_64_BITS = "100000000000000000000"  # 10**20


def test_every_api_detail_route_matches_only_ids():
    api = [regex for regex in url_patterns(get_resolver().url_patterns) if "api/v1/" in regex]
    lookups = [group for regex in api for group in re.findall(r"\(\?P<pk>([^)]*)\)", regex)]

    # assignments, attachments, devices, directives, documents, extensions,
    # memberships, notifications, sessions, units, users, webhooks; with their actions
    assert len(lookups) > 40
    assert set(lookups) == {ID_LOOKUP_REGEX}
    assert int("9" * 18) == MAX_PATH_ID < MAX_ID


@pytest.fixture
def leader(client_for, director):
    return client_for(director)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/assignments/abc/"),
        ("get", "/api/v1/assignments/abc/history/"),
        ("post", "/api/v1/assignments/1e3/accept/"),
        ("get", "/api/v1/attachments/abc/download/"),
        ("get", "/api/v1/directives/-1/"),
        ("post", "/api/v1/documents/1.5/extract/"),
        ("get", "/api/v1/extensions/abc/"),
        ("post", "/api/v1/memberships/abc/end/"),
        ("post", "/api/v1/sessions/abc/revoke/"),
        ("get", "/api/v1/notifications/abc/"),
        ("delete", "/api/v1/devices/abc/"),
        ("delete", "/api/v1/webhooks/abc/"),
        ("get", f"/api/v1/units/{PAST_64_BITS}/"),
        ("post", f"/api/v1/units/{PAST_64_BITS}/split/"),
        ("get", "/api/v1/users/1234567890123456789/"),  # 19 digits, under 2**63: still no id
    ],
)
def test_a_path_id_that_is_no_id_is_the_json_404(leader, method, path):
    response = getattr(leader, method)(path, {}, format="json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/assignments/{}/", "/api/v1/units/{}/"])
def test_the_largest_path_id_is_looked_up_and_not_found(leader, path):
    response = leader.get(path.format(MAX_PATH_ID))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


ID_FILTERS = [
    ("/api/v1/assignments/", "unit"),
    ("/api/v1/assignments/", "directive"),
    ("/api/v1/assignments/", "document"),
    ("/api/v1/directives/", "document"),
    ("/api/v1/extensions/", "assignment"),
    ("/api/v1/units/", "parent"),
    ("/api/v1/memberships/", "unit"),
    ("/api/v1/memberships/", "user"),
    ("/api/v1/reminders/", "assignment"),
    ("/api/v1/reminders/", "recipient"),
    ("/api/v1/sessions/", "user"),
]


@pytest.mark.parametrize(("path", "name"), ID_FILTERS)
@pytest.mark.parametrize("value", [PAST_64_BITS, str(MAX_ID + 1), "-1", "1.5", "1e3"])
def test_an_id_filter_that_is_no_id_is_a_400_naming_it(leader, path, name, value):
    response = leader.get(path, {name: value})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert list(body["fields"]) == [name]


@pytest.mark.parametrize(("path", "name"), ID_FILTERS)
def test_an_id_filter_up_to_2_63_minus_1_finds_nothing(leader, path, name):
    response = leader.get(path, {name: str(MAX_ID)})

    assert response.status_code == 200
    body = response.json()
    assert (body if isinstance(body, list) else body["results"]) == []
