"""Who may call what in the statistics API: every role against every endpoint
and verb. A refused write leaves the tables untouched; a report or unit outside
the caller's scope is a 404."""

import pytest
from django.db import transaction

from enforcement import services
from enforcement.models import ReportEvent, UnitReport
from tests.enforcement.conftest import API, figures, make_report

ROLES = [
    "anonymous",
    "director",
    "deputy_director",
    "office_staff",
    "superuser",
    "head",
    "deputy_head",
    "officer",
    "other_officer",
    "no_membership",
    "ended",
]

#                   anon dir  dep  off  su   head dhd  ofc  oth  none ended
MATRIX = {
    "list":         (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "detail":       (401, 200, 200, 200, 200, 200, 200, 200, 404, 404, 404),
    "create":       (401, 201, 201, 201, 201, 201, 201, 201, 404, 404, 404),
    "patch":        (401, 200, 200, 200, 200, 200, 200, 200, 404, 404, 404),
    "submit":       (401, 200, 200, 200, 200, 200, 200, 200, 404, 404, 404),
    "validate":     (401, 200, 200, 200, 200, 403, 403, 403, 404, 404, 404),
    "return":       (401, 200, 200, 200, 200, 403, 403, 403, 404, 404, 404),
    "history":      (401, 200, 200, 200, 200, 200, 200, 200, 404, 404, 404),
    "summary":      (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "summary-unit": (401, 200, 200, 200, 200, 200, 200, 200, 404, 404, 404),
    "summary-units":(401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "chart":        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "brief":        (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
}  # fmt: skip

READS = {"list", "detail", "history", "summary", "summary-unit", "summary-units", "chart", "brief"}
PERIOD = "year=2022&months=6"


def _request(endpoint, org, draft, submitted):
    reports = f"{API}/reports/"
    return {
        "list": ("get", reports, None),
        "detail": ("get", f"{reports}{draft.pk}/", None),
        "create": (
            "post",
            reports,
            {"unit": org.hiephoa.pk, "year": 2022, "months": 5, **figures(2)},
        ),
        "patch": ("patch", f"{reports}{draft.pk}/", figures(2)),
        "submit": ("post", f"{reports}{draft.pk}/submit/", None),
        "validate": ("post", f"{reports}{submitted.pk}/validate/", None),
        "return": ("post", f"{reports}{submitted.pk}/return/", {"reason": "Sai số liệu"}),
        "history": ("get", f"{reports}{draft.pk}/history/", None),
        "summary": ("get", f"{API}/summary/?{PERIOD}", None),
        "summary-unit": ("get", f"{API}/summary/?{PERIOD}&unit={org.hiephoa.pk}", None),
        "summary-units": ("get", f"{API}/summary/units/?{PERIOD}", None),
        "chart": ("get", f"{API}/summary/chart/?{PERIOD}&format=svg", None),
        "brief": ("get", f"{API}/brief/?{PERIOD}", None),
    }[endpoint]


def _state():
    return list(UnitReport.objects.order_by("id").values()), ReportEvent.objects.count()


def test_the_matrix_covers_every_role_for_every_endpoint():
    assert all(len(statuses) == len(ROLES) for statuses in MATRIX.values())


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client_for, org, people, role):
    draft = make_report(people.officer, org.hiephoa)
    submitted = make_report(people.officer, org.hiephoa, group="credit", scale=4)
    services.report_submit(actor=people.officer, report=submitted)
    client = client_for(None if role == "anonymous" else getattr(people, role))
    column = ROLES.index(role)
    answered, problems = {}, []
    for endpoint in MATRIX:
        method, url, body = _request(endpoint, org, draft, submitted)
        with transaction.atomic():
            before = _state()
            response = getattr(client, method)(url, body, format="json")
            answered[endpoint] = response.status_code
            wrote = _state() != before
            if wrote != (response.status_code < 400 and endpoint not in READS):
                problems.append(f"{endpoint}: {response.status_code} but wrote={wrote}")
            if response.status_code == 403 and response.json()["code"] != "permission_denied":
                problems.append(f"{endpoint}: 403 with code {response.json()['code']}")
            transaction.set_rollback(True)
    assert answered == {endpoint: statuses[column] for endpoint, statuses in MATRIX.items()}
    assert problems == []
