"""Who may call what: every role against every unit and membership endpoint.

Each cell is one request from a client of that role, with a body that would
succeed for leadership; a refused write must also leave the tables untouched.
"""

from datetime import date

import pytest
from django.db import transaction

from units.models import Membership, OrgUnit, UnitChange, UnitSuccession

ROLES = [
    "anonymous",
    "director",
    "deputy_director",
    "office_staff",
    "superuser",
    "head",
    "deputy_head",
    "officer",
    "no_membership",
    "ended",
]

#                     anon  dir  dep  off  su   head dhd  ofc  none ended
MATRIX = {
    "units-list":       (401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "units-detail":     (401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "units-tree":       (401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "units-history":    (401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "units-create":     (401, 201, 201, 201, 201, 403, 403, 403, 403, 403),
    "units-patch":      (401, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    "units-rename":     (401, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    "units-merge":      (401, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    "units-split":      (401, 201, 201, 201, 201, 403, 403, 403, 403, 403),
    "memberships-list": (401, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    "memberships-add":  (401, 201, 201, 201, 201, 403, 403, 403, 403, 403),
    "memberships-end":  (401, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    "me":               (401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "users-list":       (401, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    "sessions-list":    (401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
}  # fmt: skip

READS = {
    "units-list",
    "units-detail",
    "units-tree",
    "units-history",
    "memberships-list",
    "me",
    "users-list",
    "sessions-list",
}


def _request(endpoint: str, org, people) -> tuple[str, str, dict | None]:
    team, yenthe = org.team.id, org.yenthe.id
    parts = [{"code": "T1-A", "name": "Tổ 1A"}, {"code": "T1-B", "name": "Tổ 1B"}]
    return {
        "units-list": ("get", "/api/v1/units/", None),
        "units-detail": ("get", f"/api/v1/units/{team}/", None),
        "units-tree": ("get", "/api/v1/units/tree/", None),
        "units-history": ("get", f"/api/v1/units/{team}/history/", None),
        "units-create": (
            "post",
            "/api/v1/units/",
            {"code": "BG-PNV", "name": "Phòng Nghiệp vụ", "kind": "office"},
        ),
        "units-patch": ("patch", f"/api/v1/units/{team}/", {"short_name": "Tổ 1"}),
        "units-rename": ("post", f"/api/v1/units/{team}/rename/", {"name": "Tổ số 1"}),
        "units-merge": (
            "post",
            "/api/v1/units/merge/",
            {"sources": [team], "into": yenthe, "effective_on": "2025-01-01"},
        ),
        "units-split": (
            "post",
            f"/api/v1/units/{team}/split/",
            {"parts": parts, "effective_on": "2025-01-01"},
        ),
        "memberships-list": ("get", "/api/v1/memberships/", None),
        "memberships-add": (
            "post",
            "/api/v1/memberships/",
            {"user": people.no_membership.id, "unit": yenthe, "role": "officer"},
        ),
        "memberships-end": (
            "post",
            f"/api/v1/memberships/{people.other_officer.memberships.get().id}/end/",
            {"valid_to": date(2030, 1, 31).isoformat()},
        ),
        "me": ("get", "/api/v1/me/", None),
        "users-list": ("get", "/api/v1/users/", None),
        "sessions-list": ("get", "/api/v1/sessions/", None),
    }[endpoint]


def _state():
    return (
        list(OrgUnit.objects.order_by("id").values()),
        list(Membership.objects.order_by("id").values()),
        UnitChange.objects.count(),
        UnitSuccession.objects.count(),
    )


def test_the_matrix_covers_every_role_for_every_endpoint():
    assert all(len(statuses) == len(ROLES) for statuses in MATRIX.values())


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client_for, org, people, role):
    """One role's column of the matrix. Each cell runs in a savepoint that is
    rolled back, so every endpoint sees the same starting rows and the cells
    cost one organisation per role instead of one per cell."""
    client = client_for(None if role == "anonymous" else getattr(people, role))
    column = ROLES.index(role)
    expected = {endpoint: statuses[column] for endpoint, statuses in MATRIX.items()}
    answered, problems = {}, []
    for endpoint in MATRIX:
        method, url, body = _request(endpoint, org, people)
        with transaction.atomic():
            before = _state()
            response = getattr(client, method)(url, body, format="json")
            answered[endpoint] = response.status_code
            code = response.json().get("code") if response.status_code >= 400 else None
            if response.status_code == 401 and code != "not_authenticated":
                problems.append(f"{endpoint}: 401 with code {code}")
            if response.status_code == 403 and code != "permission_denied":
                problems.append(f"{endpoint}: 403 with code {code}")
            wrote = _state() != before
            if wrote != (response.status_code < 400 and endpoint not in READS):
                problems.append(f"{endpoint}: {response.status_code} but wrote={wrote}")
            transaction.set_rollback(True)
    assert answered == expected
    assert problems == []


@pytest.mark.parametrize("role", ["head", "officer"])
def test_a_refused_write_to_an_unknown_unit_is_403_not_404(client_for, people, role):
    # Permission is decided before the object is looked up: nobody outside
    # leadership learns which unit ids exist by probing writes.
    response = client_for(getattr(people, role)).patch(
        "/api/v1/units/999999/", {"short_name": "x"}, format="json"
    )
    assert response.status_code == 403


def test_a_real_bearer_token_gets_the_same_answers_as_a_forced_login(client_for, people, org):
    officer = client_for(people.officer, jwt=True)
    director = client_for(people.director, jwt=True)
    assert officer.get("/api/v1/memberships/").status_code == 403
    assert officer.post("/api/v1/units/", {}, format="json").status_code == 403
    assert director.get("/api/v1/memberships/").status_code == 200


def test_losing_the_director_membership_takes_leadership_away_at_once(client_for, people):
    client = client_for(people.director, jwt=True)
    assert client.get("/api/v1/memberships/").status_code == 200
    Membership.objects.filter(user=people.director).update(valid_to=date(2020, 1, 1))
    assert client.get("/api/v1/memberships/").status_code == 403
