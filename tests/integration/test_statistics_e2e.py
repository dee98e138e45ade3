"""Enforcement statistics end to end, on PostgreSQL, through the HTTP API only.

Hiệp Hòa's officer enters the figures of the first 6 months of 2022 and
submits them; the Office returns the report with a reason; the officer
corrects and resubmits; the director validates; the province summary moves by
exactly the report's figures; Yên Thế's officer gets 404 on the report. The
database itself refuses to change the validated row.
"""

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from enforcement.models import UnitReport
from enforcement.seed import seed_statistics, seed_targets
from units.models import User
from units.seed import DEMO_PASSWORD, seed_demo_logins, seed_organisation

pytestmark = pytest.mark.django_db

API = "/api/v1"


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


def test_statistics_report_workflow_and_province_summary_on_postgresql():
    assert connection.vendor == "postgresql"
    units = seed_organisation()
    seed_demo_logins(units)
    seed_targets()
    seed_statistics(director=User.objects.get(username="director"))
    officer, office, director = sign_in("hiephoa.officer"), sign_in("office"), sign_in("director")
    summary_url = f"{API}/statistics/summary/?year=2022&months=7"

    before = ok(director.get(summary_url))
    assert before["reports"] == 0

    body = {"unit": units["CC-HIEPHOA"].pk, "year": 2022, "months": 7, "group": "all"}
    # Hiệp Hòa's 6-month report holds its share of the seed; 7 months must not go below it.
    six = UnitReport.objects.get(unit=units["CC-HIEPHOA"], year=2022, months=6, group__code="all")
    draft = six.figures()
    draft["cases"].update(received=draft["cases"]["received"] + 40)
    draft["cases"].update(
        to_enforce=draft["cases"]["to_enforce"] + 40,
        not_yet_enforceable=draft["cases"]["not_yet_enforceable"] + 40,
        carried_forward=draft["cases"]["carried_forward"] + 40,
    )
    fewer = draft["cases"]["completed"] - 1
    bad_cases = {
        **draft["cases"],
        "completed": 1,
        "carried_forward": draft["cases"]["carried_forward"] + fewer,
    }
    bad = {**body, "cases": bad_cases, "money": draft["money"]}
    refused = officer.post(f"{API}/statistics/reports/", bad, format="json")
    assert refused.status_code == 400
    assert refused.json()["rules"]["cases.completed"] == "cumulative_decrease"

    report = ok(officer.post(f"{API}/statistics/reports/", {**body, **draft}, format="json"), 201)
    url = f"{API}/statistics/reports/{report['id']}/"
    ok(officer.post(f"{url}submit/"))
    assert officer.post(f"{url}submit/").status_code == 409  # submitting twice

    returned = ok(
        office.post(f"{url}return/", {"reason": "Thiếu 10 việc thi hành xong"}, format="json")
    )
    assert returned["status"] == "draft"
    assert returned["return_reason"] == "Thiếu 10 việc thi hành xong"

    corrected = {"cases": dict(draft["cases"]), "money": draft["money"]}
    corrected["cases"]["completed"] += 10
    corrected["cases"]["carried_forward"] -= 10
    ok(officer.patch(url, corrected, format="json"))
    ok(officer.post(f"{url}submit/"))
    assert ok(director.post(f"{url}validate/"))["status"] == "validated"
    assert officer.patch(url, corrected, format="json").status_code == 409

    after = ok(director.get(summary_url))
    assert after["reports"] == 1
    for name, value in corrected["cases"].items():
        assert after["cases"][name] == before["cases"][name] + value
    resolved = corrected["cases"]["completed"] + corrected["cases"]["terminated"]
    expected = round(resolved * 100 / corrected["cases"]["enforceable"], 2)
    assert after["cases"]["rate"] == pytest.approx(expected, abs=0.005)
    assert after["cases"]["target"] == 81.5

    other = sign_in("yenthe.officer")
    assert other.get(url).status_code == 404
    assert other.post(f"{url}return/", {"reason": "x"}, format="json").status_code == 404
    assert other.get(f"{summary_url}&unit={units['CC-HIEPHOA'].pk}").status_code == 404

    history = ok(director.get(f"{url}history/"))
    assert [e["action"] for e in history] == [
        "created",
        "submitted",
        "returned",
        "updated",
        "submitted",
        "validated",
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitReport.objects.filter(pk=report["id"]).update(cases_completed=0)
