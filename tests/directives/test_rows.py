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


def _drf_page(url: str, user) -> tuple[list[int], str | None, str | None]:
    """What DRF's own cursor pagination gives for `url` over the list's queryset."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from thads.api.pagination import CursorPagination

    paginator = CursorPagination()
    request = Request(APIRequestFactory().get(url))
    page = paginator.paginate_queryset(assignment_list(user=user).values("id"), request, view=None)
    return [row["id"] for row in page], paginator.get_next_link(), paginator.get_previous_link()


@pytest.mark.parametrize("username", ["director", "hiephoa.officer"])
def test_the_keyset_pages_and_links_are_drfs_both_ways(seeded, username):
    user = User.objects.get(username=username)
    client = APIClient()
    client.force_authenticate(user)
    url, forward = "http://testserver/api/v1/assignments/?page_size=3", []
    while url:
        body = client.get(url).json()
        ids = [item["id"] for item in body["results"]]
        assert (ids, body["next"], body["previous"]) == _drf_page(url, user)
        forward.append(ids)
        url, last = body["next"], url
    assert len(forward) > 2
    everything = list(assignment_list(user=user).order_by("-id").values_list("id", flat=True))
    assert [pk for ids in forward for pk in ids] == everything

    # And back up from the last page with the previous links (reversed cursors).
    backward, url = [], client.get(last).json()["previous"]
    while url:
        body = client.get(url).json()
        ids = [item["id"] for item in body["results"]]
        assert (ids, body["next"], body["previous"]) == _drf_page(url, user)
        backward.append(ids)
        url = body["previous"]
    assert backward == forward[-2::-1]


def test_a_filtered_list_gives_the_same_rows_as_the_plain_one(seeded):
    client = APIClient()
    client.force_authenticate(User.objects.get(username="director"))
    plain = client.get("/api/v1/assignments/", {"page_size": 200}).json()["results"]
    ordered = client.get("/api/v1/assignments/", {"page_size": 200, "ordering": "-id"}).json()
    assert ordered["results"] == plain
    done = client.get("/api/v1/assignments/", {"page_size": 200, "status": "done"}).json()
    assert done["results"] == [item for item in plain if item["status"] == "done"]
