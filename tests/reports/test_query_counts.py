"""The reports cost the same number of queries for 6 assignments as for 40, and
for 4 groups as for 20. The numbers are pinned; whoever changes them says why.

Per request of the timeliness report (the caller's scope comes from the cache,
units/scope_cache.py, warmed by the caller's earlier requests):
  [first]    the earliest deadline of finished work (an index read);
  [calendar] the working-day exceptions since then;
  [names]    units and categories: their small table (documents and directives
             are joined into the GROUP BY; months need no name);
  [group]    the one GROUP BY: the four buckets as conditional counts, the sums,
             the working days of delay of the late ones.
"""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.directives.factories import API, DirectiveFactory, assign, drive, local
from tests.reports.conftest import build_world

TIMELINESS = {
    # [first] [calendar] [names] [group]
    "unit": {"director": 4, "officer": 4, "head": 4},
    "directive": {"director": 3, "officer": 3, "head": 3},
    "month": {"director": 3, "officer": 3, "head": 3},
}
# The page of overdue rows with unit, directive and latest report joined;
# [calendar] from the page's earliest deadline.
OVERDUE = {"director": 2, "officer": 2, "head": 2}
# The feed's own lookup; the open assignments, streamed in one chunk.
FEED = {"director": 2, "officer": 2, "head": 2}


def grow(*, org, people, n: int) -> None:
    """n more directives in as many months, each done late by one of Hiệp Hòa and
    Yên Thế (in turn) and overdue at the other: with n >= 2 every caller has
    late and overdue work, so each query runs at either size."""
    members = {org.hiephoa: people.officer, org.yenthe: people.other_officer}
    for i in range(n):
        units = [org.hiephoa, org.yenthe] if i % 2 == 0 else [org.yenthe, org.hiephoa]
        lead, _ = assign(
            actor=people.director,
            units=units,
            directive=DirectiveFactory(),
            due_date=date(2023, 1 + i % 12, 10),
            now=local(2022, 5, 2),
        )
        drive(lead, "done", leader=people.director, member=members[units[0]], now=local(2024, 1, 5))


def _get(client, url, params):
    response = client.get(url, params or {})
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    assert response.status_code == 200, response.content
    return response


def count(client, url, params=None) -> int:
    """Queries of a warm request: the first one fills the caller's scope cache
    (tests/directives/test_query_counts.py pins that cold cost once)."""
    _get(client, url, params)
    with CaptureQueriesContext(connection) as queries:
        _get(client, url, params)
    return len(queries)


def measure(client_as, people, url, params) -> dict[str, int]:
    users = {"director": people.director, "officer": people.officer, "head": people.head}
    return {name: count(client_as(user), url, params) for name, user in users.items()}


@pytest.mark.parametrize("group_by", ["unit", "directive", "month"])
def test_timeliness_report_query_count_is_constant(client_as, org, people, group_by):
    build_world(org=org, people=people)
    grow(org=org, people=people, n=2)
    url = f"{API}/reports/timeliness/"
    small = measure(client_as, people, url, {"group_by": group_by})
    grow(org=org, people=people, n=17)
    assert measure(client_as, people, url, {"group_by": group_by}) == small
    assert small == TIMELINESS[group_by]


def test_overdue_list_query_count_is_constant(client_as, org, people):
    build_world(org=org, people=people)
    grow(org=org, people=people, n=2)
    url = f"{API}/reports/overdue/"
    small = measure(client_as, people, url, {})
    grow(org=org, people=people, n=17)
    assert measure(client_as, people, url, {}) == small == OVERDUE


def test_feed_query_count_is_constant(client_as, api_client, org, people):
    build_world(org=org, people=people)
    urls = {
        name: client_as(user).get(f"{API}/calendar/feed/").json()["url"]
        for name, user in {
            "director": people.director,
            "officer": people.officer,
            "head": people.head,
        }.items()
    }
    small = {name: count(api_client, url) for name, url in urls.items()}
    grow(org=org, people=people, n=17)
    assert {name: count(api_client, url) for name, url in urls.items()} == small == FEED
