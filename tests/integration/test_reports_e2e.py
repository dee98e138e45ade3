"""Leadership's reports on PostgreSQL, through HTTP, on the demo data.

- The seeded conclusion of 22/4/2022, reported by directive, lists its items in
  printed order;
- every row's four buckets equal what the assignment list answers for the same
  filters with `?timeliness=` (the one rule, two endpoints), for every grouping
  and for two roles; so does `total`;
- Hiệp Hòa's officer's report covers Hiệp Hòa only;
- a download and a chart built on PostgreSQL read back.
"""

import calendar
import csv
import io

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from directives.seed import CONCLUSION_TITLE
from units.seed import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

API = "/api/v1"
BUCKETS = ("done_on_time", "done_late", "open_on_time", "open_overdue")
GROUPINGS = ("unit", "document", "directive", "category", "month")


def sign_in(username: str) -> APIClient:
    client = APIClient()
    response = client.post(
        f"{API}/auth/token/", {"username": username, "password": DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    return client


def ok(response, status: int = 200):
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.json()


def listed(client: APIClient, params: dict) -> list[dict]:
    rows = []
    body = ok(client.get(f"{API}/assignments/", {**params, "page_size": 200}))
    rows += body["results"]
    while body["next"]:
        body = ok(client.get(body["next"]))
        rows += body["results"]
    return rows


def list_filters(group_by: str, key) -> dict:
    """The assignment list's filters that select one report row's group."""
    if group_by == "month":
        year, month = (int(part) for part in key.split("-"))
        last = calendar.monthrange(year, month)[1]
        return {"due_after": f"{key}-01", "due_before": f"{key}-{last:02d}"}
    return {group_by: key}


@pytest.fixture
def seeded():
    assert connection.vendor == "postgresql"
    call_command("seed_demo", verbosity=0)


def conclusion_id(client: APIClient) -> int:
    documents = ok(client.get(f"{API}/documents/", {"kind": "conclusion"}))["results"]
    return next(d["id"] for d in documents if d["title"] == CONCLUSION_TITLE)


def test_the_conclusion_by_directive_reads_in_printed_order(seeded):
    director = sign_in("director")
    document = conclusion_id(director)
    report = ok(
        director.get(f"{API}/reports/timeliness/", {"group_by": "directive", "document": document})
    )
    directives = ok(director.get(f"{API}/directives/", {"document": document, "page_size": 200}))
    printed = sorted(directives["results"], key=lambda d: d["position"])
    assert [row["key"] for row in report["rows"]] == [d["id"] for d in printed]
    assert [row["label"] for row in report["rows"]] == [
        f"({d['label']}) {d['title']}" for d in printed
    ]
    assert report["totals"]["total"] > 0


@pytest.mark.parametrize("username", ["director", "hiephoa.officer"])
def test_every_row_agrees_with_the_assignment_list(seeded, username):
    client = sign_in(username)
    for group_by in GROUPINGS:
        report = ok(client.get(f"{API}/reports/timeliness/", {"group_by": group_by}))
        assert report["rows"], group_by
        for row in report["rows"]:
            filters = list_filters(group_by, row["key"])
            for bucket in BUCKETS:
                found = listed(client, {**filters, "timeliness": bucket})
                assert len(found) == row[bucket], (username, group_by, row["key"], bucket)
            everything = [a for a in listed(client, filters) if a["status"] != "cancelled"]
            assert len(everything) == row["total"], (username, group_by, row["key"])
        assert sum(r["total"] for r in report["rows"]) == report["totals"]["total"]
        overall = [a for a in listed(client, {}) if a["status"] != "cancelled"]
        assert report["totals"]["total"] == len(overall)


def test_an_officers_report_covers_only_the_officers_unit(seeded):
    officer = sign_in("hiephoa.officer")
    me = ok(officer.get(f"{API}/me/"))
    units = {m["unit"]["id"] for m in me["memberships"]}
    report = ok(officer.get(f"{API}/reports/timeliness/", {"group_by": "unit"}))
    assert {row["key"] for row in report["rows"]} == units
    overdue = ok(officer.get(f"{API}/reports/overdue/", {"page_size": 200}))["results"]
    assert {item["unit"] for item in overdue} <= units
    yenthe = ok(sign_in("yenthe.officer").get(f"{API}/me/"))["memberships"][0]["unit"]["id"]
    assert officer.get(f"{API}/reports/timeliness/", {"unit": yenthe}).status_code == 404


def test_downloads_and_chart_on_postgresql(seeded):
    director = sign_in("director")
    response = director.get(f"{API}/reports/overdue/", {"format": "csv"})
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[0][0] == "Đơn vị" and len(lines) > 1
    assert any("Chi cục" in line[0] for line in lines[1:])
    svg = director.get(f"{API}/reports/timeliness/chart/", {"format": "svg"})
    assert "Chi cục Thi hành án dân sự" in b"".join(svg.streaming_content).decode()
