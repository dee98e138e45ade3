"""The permission matrix of the reports app: every endpoint and verb × every kind
of caller. Reports are open to everyone signed in and cover what each may see:
leadership every unit, a head the unit and the units below it, a member the
unit, someone without a membership nothing. Anonymous callers get 401; verbs an
endpoint does not have, 405; the feed's secret URL needs no sign-in."""

import pytest

from tests.directives.factories import API

ROLES = (
    "anonymous",
    "director",
    "deputy_director",
    "office_staff",
    "head",
    "officer",
    "other_officer",
    "no_membership",
)

GETS = [
    "reports/timeliness/?group_by=unit",
    "reports/timeliness/?group_by=unit&format=csv",
    "reports/timeliness/?group_by=month&format=xlsx",
    "reports/timeliness/chart/?format=svg",
    "reports/overdue/",
    "reports/overdue/?format=csv",
    "reports/assignments/?format=csv",
    "exports/",
    "calendar/feed/",
]
# (path, method) pairs the app does not answer: 405 for a signed-in caller.
NOT_ALLOWED = [
    ("reports/timeliness/", "post"),
    ("reports/timeliness/chart/", "delete"),
    ("reports/overdue/", "put"),
    ("reports/assignments/", "post"),
    ("calendar/feed/", "post"),
    ("calendar/feed/rotate/", "get"),
]


def _user(people, role):
    return None if role == "anonymous" else getattr(people, role)


def visible_units(role, org) -> set[int]:
    everyone = {u.pk for u in (org.hiephoa, org.yenthe, org.office)}
    return {
        "director": everyone,
        "deputy_director": everyone,
        "office_staff": everyone,
        "head": {org.hiephoa.pk},  # and the team below, which has no work here
        "officer": {org.hiephoa.pk},
        "other_officer": {org.yenthe.pk},
        "no_membership": set(),
    }[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", GETS)
def test_reads(world, client_as, people, role, path):
    client = client_as(_user(people, role))
    response = client.get(f"{API}/{path}")
    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("role", ROLES[1:])
def test_report_rows_cover_exactly_the_callers_scope(world, client_as, people, org, role):
    client = client_as(_user(people, role))
    rows = client.get(f"{API}/reports/timeliness/", {"group_by": "unit"}).json()["rows"]
    assert {row["key"] for row in rows} == visible_units(role, org)
    overdue = client.get(f"{API}/reports/overdue/").json()["results"]
    assert {item["unit"] for item in overdue} == visible_units(role, org) & {org.office.pk}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "method"), NOT_ALLOWED)
def test_verbs_not_offered(world, client_as, people, role, path, method):
    response = getattr(client_as(_user(people, role)), method)(f"{API}/{path}")
    assert response.status_code == (401 if role == "anonymous" else 405)


@pytest.mark.parametrize("role", ROLES)
def test_writes(world, client_as, people, role, django_capture_on_commit_callbacks):
    client = client_as(_user(people, role))
    with django_capture_on_commit_callbacks(execute=True):
        export = client.post(
            f"{API}/exports/", {"report": "overdue", "format": "csv"}, format="json"
        )
    rotate = client.post(f"{API}/calendar/feed/rotate/")
    if role == "anonymous":
        assert (export.status_code, rotate.status_code) == (401, 401)
    else:
        assert (export.status_code, rotate.status_code) == (202, 200)


@pytest.mark.parametrize("role", ROLES[1:])
def test_the_feed_url_needs_no_sign_in_and_covers_the_owners_scope(
    world, client_as, api_client, people, org, role
):
    url = client_as(_user(people, role)).get(f"{API}/calendar/feed/").json()["url"]
    body = b"".join(api_client.get(url).streaming_content).decode()
    open_by_unit = {org.hiephoa.pk: 1, org.yenthe.pk: 1, org.office.pk: 1}
    expected = sum(open_by_unit[u] for u in visible_units(role, org))
    assert body.count("BEGIN:VEVENT") == expected


@pytest.mark.parametrize("role", ROLES)
def test_an_export_job_is_its_owners_alone(
    world, client_as, people, role, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = (
            client_as(people.director, "owner")
            .post(f"{API}/exports/", {"report": "timeliness", "format": "csv"}, format="json")
            .json()
        )
    client = client_as(_user(people, role))
    detail = client.get(f"{API}/exports/{job['id']}/")
    download = client.get(f"{API}/exports/{job['id']}/download/")
    expected = {"anonymous": 401, "director": 200}.get(role, 404)
    assert (detail.status_code, download.status_code) == (expected, expected)
