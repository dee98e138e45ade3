"""The statistics reads cost the same number of queries for 2 units as for 12.

Per endpoint, the queries of one GET by the director:
  [scope]    the caller's memberships (user_scope);
  reports:   the page of reports with unit and group joined (cursor pagination);
  summary:   the aggregate of both years in one GROUP BY year (the group joined by
             its code); the targets (the group is looked up only when both are empty,
             to tell an unknown group from an empty period);
  summary with unit: + the merge links (roll-up);
  per unit:  the group; the merge links; the aggregate GROUP BY unit, year; the
             units' names; the targets.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enforcement import services
from tests.enforcement.conftest import API, make_report
from tests.factories import OrgUnitFactory
from units.models import UnitKind

QUERIES = {
    f"{API}/reports/": 2,
    f"{API}/reports/?year=2022&group=all&status=validated": 2,
    f"{API}/summary/?year=2022&months=6": 3,
    f"{API}/summary/?year=2022&months=6&group=credit": 3,
    f"{API}/summary/units/?year=2022&months=6": 6,
}


def _validated(people, unit, **kwargs):
    report = make_report(people.director, unit, **kwargs)
    services.report_submit(actor=people.director, report=report)
    services.report_validate(actor=people.director, report=report)


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", list(QUERIES))
def test_statistics_reads_cost_a_constant_number_of_queries(client_for, people, org, url):
    client = client_for(people.director)
    for year in (2021, 2022):
        _validated(people, org.hiephoa, year=year)
        _validated(people, org.hiephoa, year=year, group="credit", scale=4)
    small = _count(client, url)
    for index in range(10):
        unit = OrgUnitFactory(
            code=f"CC-X{index}", kind=UnitKind.SUB_DEPARTMENT, parent=org.department
        )
        for year in (2021, 2022):
            _validated(people, unit, year=year)
            _validated(people, unit, year=year, group="credit", scale=4)
    large = _count(client, url)
    assert (small, large) == (QUERIES[url], QUERIES[url])


def test_summary_of_one_unit_adds_the_merge_links(client_for, people, org):
    _validated(people, org.hiephoa)
    count = _count(
        client_for(people.director), f"{API}/summary/?year=2022&months=6&unit={org.hiephoa.pk}"
    )
    assert count == 5  # + the unit's lookup and the merge links
