"""Every list is `{results, next}` (DESIGN §5a) with cursor pages, and `?fields=`
works the same on all of them (thads.api.pagination). Issue 9 found categories,
reminder policies, users and sessions answering bare arrays, and `?fields=`
silently ignored on directives."""

import pytest

from directives.models import Category, ReminderPolicy
from notifications.models import Device, WebhookEndpoint
from tests.directives.factories import DirectiveFactory, DocumentFactory
from tests.factories import UserFactory
from units.models import LoginSession

API = "/api/v1/"


@pytest.fixture
def leader(client_for, director):
    return client_for(director)


def _list_paths(client) -> list[str]:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return sorted(
        path
        for path, operations in schema["paths"].items()
        if "{" not in path and operations.get("get", {}).get("operationId", "").endswith("_list")
    )


@pytest.mark.django_db
def test_every_list_answers_results_and_next(leader):
    paths = _list_paths(leader)
    assert len(paths) > 15
    for name in ["categories", "reminder-policies", "users", "sessions", "devices", "webhooks"]:
        assert f"{API}{name}/" in paths
    bare = []
    for path in paths:
        response = leader.get(
            path, {"from": "2026-01-01", "to": "2026-01-31"} if "calendar" in path else {}
        )
        assert response.status_code == 200, path
        body = response.json()
        if not (isinstance(body, dict) and set(body) >= {"results", "next"}):
            bare.append(path)
    # Not collections: one bounded date range (at most a year of days) and one tree.
    assert bare == [f"{API}calendar/working-days/", f"{API}units/tree/"]


def _walk(client, path: str, **params) -> list[dict]:
    rows, response = [], client.get(path, params)
    while True:
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        if not response.json()["next"]:
            return rows
        response = client.get(response.json()["next"])


@pytest.mark.django_db
def test_categories_page_by_cursor_in_their_own_order(leader):
    for n in range(7):
        Category.objects.create(code=f"extra_{n}", name_vi=f"Lĩnh vực {n}", position=3)

    rows = _walk(leader, f"{API}categories/", page_size=2)

    expected = list(Category.objects.order_by("position", "code").values_list("code", flat=True))
    assert [row["code"] for row in rows] == expected
    assert len(expected) > 7


@pytest.mark.django_db
def test_reminder_policies_page_with_the_default_first(leader):
    for _ in range(3):
        ReminderPolicy.objects.create(document=DocumentFactory())

    rows = _walk(leader, f"{API}reminder-policies/", page_size=1)

    assert rows[0]["is_default"] is True
    assert len(rows) == ReminderPolicy.objects.count() == 4


@pytest.mark.django_db
def test_users_and_sessions_page_by_cursor(leader, director):
    UserFactory.create_batch(5)
    for n in range(5):
        LoginSession.objects.create(user=director, device_id=f"phone-{n}")

    users = _walk(leader, f"{API}users/", page_size=3)
    sessions = _walk(leader, f"{API}sessions/", page_size=2)

    assert [row["id"] for row in users] == sorted(row["id"] for row in users)
    assert len(users) == len({row["id"] for row in users}) >= 5
    assert [row["id"] for row in sessions] == sorted((r["id"] for r in sessions), reverse=True)
    assert len(sessions) == 5


@pytest.mark.django_db
def test_fields_keeps_the_named_fields_on_directives_as_on_assignments(leader):
    DirectiveFactory.create_batch(2)

    response = leader.get(f"{API}directives/", {"fields": "title,id"})

    assert response.status_code == 200
    assert [list(row) for row in response.json()["results"]] == [["id", "title"]] * 2


@pytest.mark.django_db
@pytest.mark.parametrize("fields", ["", ", ", ",,"])
@pytest.mark.parametrize("path", ["directives/", "categories/", "users/"])
def test_a_fields_parameter_naming_nothing_keeps_every_field(leader, path, fields):
    """Found by the contract run: `?fields=, ` answered rows of `{}`."""
    DirectiveFactory.create_batch(2)
    plain = leader.get(f"{API}{path}").json()["results"]

    response = leader.get(f"{API}{path}", {"fields": fields})

    assert response.status_code == 200
    assert plain
    assert response.json()["results"] == plain


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["directives/", "categories/", "users/", "assignments/"])
def test_an_unknown_field_is_a_400_naming_it(leader, path):
    response = leader.get(f"{API}{path}", {"fields": "id,nonsense"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert "nonsense" in body["fields"]["fields"][0]


def _rows(director, n: int) -> None:
    for i in range(n):
        Category.objects.create(code=f"c{i}", name_vi=f"Lĩnh vực {i}")
        ReminderPolicy.objects.create(document=DocumentFactory())
        UserFactory()
        LoginSession.objects.create(user=director, device_id=f"phone-{i}")
        Device.objects.create(
            user=director, endpoint=f"https://push.example/{i}", p256dh="k", auth="a"
        )
        WebhookEndpoint.objects.create(user=director, url=f"https://hooks.example/{i}")


# Forced authentication: no query loads the user. Leadership's permission reads
# the caller's scope (memberships) once; then the page itself.
LIST_QUERIES = {
    "categories": 1,
    "reminder-policies": 2,
    "users": 2,
    "sessions": 2,
    "devices": 1,
    "webhooks": 1,
}


@pytest.mark.django_db
@pytest.mark.parametrize("n", [2, 30])
@pytest.mark.parametrize(("name", "queries"), LIST_QUERIES.items())
def test_a_list_page_costs_the_same_queries_whatever_its_length(
    client_for, director, django_assert_num_queries, name, queries, n
):
    _rows(director, n)
    client = client_for(director)

    with django_assert_num_queries(queries):
        response = client.get(f"{API}{name}/")

    assert response.status_code == 200
    assert len(response.json()["results"]) >= n
