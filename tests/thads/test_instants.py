"""Instants in query parameters (`?updated_since=`): ISO 8601 with any offset
Python accepts, sent to the database in UTC; a day outside the service's range is
a 400 naming the parameter."""

import pytest

API = "/api/v1"


@pytest.mark.parametrize("path", ["directives", "assignments"])
@pytest.mark.parametrize(
    "instant",
    [
        "2026-05-15T16:30:00+07:00",
        "2026-05-15T16:30:00+16:32",  # PostgreSQL refuses this offset as it is
        "2026-05-15T16:30:00-23:59",
        "2026-05-15T09:30:00Z",
    ],
)
def test_an_instant_with_any_offset_is_taken(client_for, people, path, instant):
    response = client_for(people.director).get(f"{API}/{path}/", {"updated_since": instant})

    assert response.status_code == 200, response.content


@pytest.mark.parametrize("path", ["directives", "assignments"])
@pytest.mark.parametrize(
    "instant",
    [
        "0160-05-09T04:00:30+16:32",  # what the contract run sent: a 500 on PostgreSQL
        "0001-01-01T00:00:00+05:00",  # before year 1 in UTC
        "9999-12-31T23:59:59-05:00",  # after year 9999 in UTC
        "2200-01-01T00:00:00+07:00",
        "yesterday",
    ],
)
def test_an_instant_outside_the_service_s_days_or_malformed_is_400(
    client_for, people, path, instant
):
    response = client_for(people.director).get(f"{API}/{path}/", {"updated_since": instant})

    assert response.status_code == 400, response.content
    assert "updated_since" in response.json()["fields"]
