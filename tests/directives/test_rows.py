"""The assignment list's fast path gives exactly what the serializer gives."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from directives.selectors import assignment_list
from directives.serializers import AssignmentSerializer
from units.models import User
from units.selectors import user_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    # The demo has every status: done on time and late, reported, returned,
    # cancelled, pending extension, recurring periods; reports on some.
    call_command("seed_demo", verbosity=0)


@pytest.mark.parametrize("username", ["director", "hiephoa.officer", "hiephoa.head"])
def test_the_list_rows_equal_the_serializer_output(seeded, username):
    user = User.objects.get(username=username)
    client = APIClient()
    client.force_authenticate(user)

    listed = client.get("/api/v1/assignments/", {"page_size": 200}).json()["results"]

    expected = AssignmentSerializer(
        assignment_list(user=user).order_by("-id"),
        many=True,
        context={"scope": user_scope(user=user)},
    ).data
    assert listed == [dict(item) for item in expected]
    assert any(item["latest_report"] for item in listed)
    assert {item["status"] for item in listed} >= {"assigned", "done"}


def test_fields_trims_the_rows_and_refuses_unknown_names(seeded):
    client = APIClient()
    client.force_authenticate(User.objects.get(username="director"))

    rows = client.get("/api/v1/assignments/", {"fields": "status,id"}).json()["results"]
    assert rows and all(list(row) == ["id", "status"] for row in rows)

    response = client.get("/api/v1/assignments/", {"fields": "id,secret"})
    assert response.status_code == 400
    assert "fields" in response.json()["fields"]
