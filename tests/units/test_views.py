"""The units and memberships API through HTTP, as the mobile clients use it."""

from datetime import date

import pytest

from tests.factories import MembershipFactory, OrgUnitFactory, UserFactory
from units.models import Membership, OrgUnit, UnitChange, UnitSuccession

UNITS = "/api/v1/units/"
MEMBERSHIPS = "/api/v1/memberships/"
ME = "/api/v1/me/"


def rows(response) -> list[dict]:
    """The items of a list answer, whether it comes as a page or as a bare list."""
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in rows(response)]


def table_counts() -> tuple[int, ...]:
    return (
        OrgUnit.objects.count(),
        UnitChange.objects.count(),
        UnitSuccession.objects.count(),
        Membership.objects.count(),
    )


@pytest.fixture
def reader(client_for, officer):
    return client_for(officer)


@pytest.fixture
def leader(client_for, director):
    return client_for(director)


# --- reading units ------------------------------------------------------------------


def test_every_signed_in_user_lists_the_units_with_the_contract_fields(reader, org):
    response = reader.get(UNITS)
    assert codes(response) == ["BG-CUC", "BG-VP", "CC-HIEPHOA", "CC-YENTHE", "CC-HIEPHOA-T1"]
    hiephoa = rows(response)[2]
    assert {"id", "code", "name", "kind", "parent"} <= set(hiephoa)
    assert hiephoa == {
        "id": org.hiephoa.id,
        "code": "CC-HIEPHOA",
        "name": "Chi cục Thi hành án dân sự huyện Hiệp Hòa",
        "short_name": "Hiệp Hòa",
        "kind": "sub_department",
        "parent": org.department.id,
        "valid_from": None,
        "valid_to": None,
        "successors": [],
    }


def test_the_unit_list_is_paginated_as_the_contract_says(reader, org):
    body = reader.get(UNITS).json()
    assert isinstance(body, dict)
    assert {"results", "next"} <= set(body)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "department"}, ["BG-CUC"]),
        ({"kind": "office"}, ["BG-VP"]),
        ({"kind": "sub_department"}, ["CC-HIEPHOA", "CC-YENTHE", "CC-HIEPHOA-T1"]),
        ({"q": "hiep hoa"}, ["CC-HIEPHOA", "CC-HIEPHOA-T1"]),
        ({"q": "HIỆP HOÀ"}, ["CC-HIEPHOA", "CC-HIEPHOA-T1"]),
        ({"q": "yen the"}, ["CC-YENTHE"]),
        ({"q": "van phong cuc"}, ["BG-VP"]),
        ({"q": "khong co don vi nay"}, []),
        ({"kind": "sub_department", "q": "yen the"}, ["CC-YENTHE"]),
    ],
)
def test_units_filter_by_kind_and_accent_insensitive_search(reader, org, params, expected):
    assert codes(reader.get(UNITS, params)) == expected


def test_units_filter_by_parent(reader, org):
    assert codes(reader.get(UNITS, {"parent": org.hiephoa.id})) == ["CC-HIEPHOA-T1"]


def test_search_finds_both_tone_mark_placements(reader, org):
    OrgUnitFactory(code="HH-NEW", name="Đội Hiệp Hoà")  # the newer placement
    assert codes(reader.get(UNITS, {"q": "Hiep Hoa"})) == ["CC-HIEPHOA", "CC-HIEPHOA-T1", "HH-NEW"]


def test_units_filter_by_the_day_they_were_active(reader, org):
    OrgUnitFactory(code="OLD", valid_to=date(2024, 12, 31))
    OrgUnitFactory(code="NEW", valid_from=date(2025, 1, 1))
    on_2024 = codes(reader.get(UNITS, {"active_on": "2024-12-31"}))
    on_2025 = codes(reader.get(UNITS, {"active_on": "01/01/2025"}))  # dd/mm/yyyy is accepted
    assert "OLD" in on_2024 and "NEW" not in on_2024
    assert "NEW" in on_2025 and "OLD" not in on_2025


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kynd": "office"}, "kynd"),  # a misspelt filter is not silently ignored
        ({"kind": "ministry"}, "kind"),
        ({"active_on": "yesterday"}, "active_on"),
        ({"parent": "abc"}, "parent"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_unit_filters_are_400_naming_the_parameter(reader, org, params, field):
    response = reader.get(UNITS, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert list(body["fields"]) == [field]


def test_unit_detail(reader, org):
    response = reader.get(f"{UNITS}{org.team.id}/")
    assert response.status_code == 200
    assert response.json()["code"] == "CC-HIEPHOA-T1"
    assert response.json()["parent"] == org.hiephoa.id


def test_unit_detail_of_an_unknown_unit_is_404(reader, org):
    response = reader.get(f"{UNITS}987654/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unit_tree_nests_units_active_on_the_day(reader, org):
    OrgUnitFactory(code="CC-OLD", parent=org.department, valid_to=date(2020, 12, 31))
    response = reader.get(f"{UNITS}tree/", {"on": "2020-06-01"})
    assert response.status_code == 200
    [department] = response.json()
    assert department["code"] == "BG-CUC"
    children = [child["code"] for child in department["children"]]
    assert children == ["BG-VP", "CC-HIEPHOA", "CC-OLD", "CC-YENTHE"]
    assert department["children"][1]["children"][0]["code"] == "CC-HIEPHOA-T1"

    today = reader.get(f"{UNITS}tree/").json()
    assert "CC-OLD" not in [child["code"] for child in today[0]["children"]]


def test_unit_tree_with_a_bad_date_is_400(reader, org):
    response = reader.get(f"{UNITS}tree/", {"on": "31-12-2020"})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_unit_history_lists_changes_oldest_first_with_the_actor(leader, reader, org):
    leader.patch(f"{UNITS}{org.yenthe.id}/", {"short_name": "TX Yên Thế"}, format="json")
    leader.post(
        f"{UNITS}{org.yenthe.id}/rename/", {"name": "Chi cục THADS thị xã Yên Thế"}, format="json"
    )
    response = reader.get(f"{UNITS}{org.yenthe.id}/history/")
    assert response.status_code == 200
    history = response.json()
    assert [change["event"] for change in history] == ["update", "rename"]
    assert history[0]["actor"] == "director"
    assert history[0]["before"]["short_name"] == "Yên Thế"
    assert history[1]["before"]["name"] == "Chi cục Thi hành án dân sự huyện Yên Thế"
    assert history[1]["after"]["name"] == "Chi cục THADS thị xã Yên Thế"
    assert set(history[0]) == {"id", "event", "effective_on", "before", "after", "actor", "at"}
    # instants carry their offset (DESIGN §5): local time, +07:00
    assert history[0]["at"].endswith("+07:00")


# --- /me ------------------------------------------------------------------------------


def test_me_has_the_fixed_contract_shape(client_for, head, org):
    body = client_for(head).get(ME).json()
    assert {key: body[key] for key in ("id", "username", "full_name", "is_leadership")} == {
        "id": head.id,
        "username": "hiephoa.head",
        "full_name": head.full_name,
        "is_leadership": False,
    }
    assert body["memberships"] == [
        {
            "unit": {
                "id": org.hiephoa.id,
                "code": "CC-HIEPHOA",
                "name": "Chi cục Thi hành án dân sự huyện Hiệp Hòa",
            },
            "role": "head",
        }
    ]
    # more than the contract, and consistent with it
    assert body["acting_unit_ids"] == [org.hiephoa.id]
    assert body["visible_unit_ids"] == sorted([org.hiephoa.id, org.team.id])


def test_me_for_the_director_is_leadership_seeing_everything(client_for, director, org):
    body = client_for(director, jwt=True).get(ME).json()
    assert body["is_leadership"] is True
    assert body["full_name"] == "Nguyễn Thị Bích Tần"
    assert body["visible_unit_ids"] is None
    assert [m["role"] for m in body["memberships"]] == ["director"]


def test_me_lists_only_current_memberships(client_for, people):
    body = client_for(people.ended).get(ME).json()
    assert body["memberships"] == []
    assert body["is_leadership"] is False
    assert body["visible_unit_ids"] == []


# --- leadership changes units -----------------------------------------------------------


def test_leadership_creates_a_unit(leader, org, director):
    response = leader.post(
        UNITS,
        {
            "code": "CC-LUCNAM",
            "name": "Chi cục Thi hành án dân sự huyện Lục Nam",
            "short_name": "Lục Nam",
            "kind": "sub_department",
            "parent": org.department.id,
            "valid_from": "2022-01-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    unit = OrgUnit.objects.get(pk=body["id"])
    assert (unit.code, unit.parent_id, unit.valid_from) == (
        "CC-LUCNAM",
        org.department.id,
        date(2022, 1, 1),
    )
    assert body["valid_from"] == "2022-01-01"
    change = UnitChange.objects.get(unit=unit)
    assert (change.event, change.actor_id) == ("create", director.id)


def test_leadership_patches_a_unit(leader, org):
    response = leader.patch(
        f"{UNITS}{org.team.id}/", {"parent": org.yenthe.id, "short_name": "Tổ 1"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["parent"] == org.yenthe.id
    org.team.refresh_from_db()
    assert (org.team.parent_id, org.team.short_name) == (org.yenthe.id, "Tổ 1")


def test_leadership_renames_a_unit_keeping_its_id(leader, org):
    response = leader.post(
        f"{UNITS}{org.yenthe.id}/rename/",
        {"name": "Chi cục THADS thị xã Yên Thế", "effective_on": "2024-10-01"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["id"] == org.yenthe.id
    assert response.json()["name"] == "Chi cục THADS thị xã Yên Thế"
    change = UnitChange.objects.get(unit=org.yenthe)
    assert change.effective_on == date(2024, 10, 1)


def test_leadership_merges_units(leader, org):
    yendung = OrgUnitFactory(code="CC-YENDUNG", name="Chi cục THADS huyện Yên Dũng")
    tpbg = OrgUnitFactory(code="CC-TPBG", name="Chi cục THADS thành phố Bắc Giang")
    member = MembershipFactory(unit=yendung)
    response = leader.post(
        f"{UNITS}merge/",
        {
            "sources": [yendung.id],
            "into": tpbg.id,
            "effective_on": "2025-01-01",
            "transfer_memberships": True,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["id"] == tpbg.id
    source = leader.get(f"{UNITS}{yendung.id}/").json()
    assert source["valid_to"] == "2024-12-31"
    assert source["successors"] == [tpbg.id]
    assert Membership.objects.filter(user=member.user, unit=tpbg, valid_to=None).exists()


def test_leadership_splits_a_unit(leader, org):
    response = leader.post(
        f"{UNITS}{org.team.id}/split/",
        {
            "effective_on": "2025-01-01",
            "parts": [
                {"code": "T1-A", "name": "Tổ 1A Hiệp Hòa"},
                {"code": "T1-B", "name": "Tổ 1B Hiệp Hòa", "short_name": "Tổ 1B"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert [unit["code"] for unit in created] == ["T1-A", "T1-B"]
    assert {unit["parent"] for unit in created} == {org.hiephoa.id}
    assert {unit["valid_from"] for unit in created} == {"2025-01-01"}
    old = leader.get(f"{UNITS}{org.team.id}/").json()
    assert old["valid_to"] == "2024-12-31"
    assert sorted(old["successors"]) == sorted(unit["id"] for unit in created)


# --- leadership manages memberships ------------------------------------------------------


def test_leadership_lists_memberships_as_a_page_with_filters(leader, people, org):
    response = leader.get(MEMBERSHIPS, {"unit": org.hiephoa.id})
    assert response.status_code == 200
    body = response.json()
    assert {"results", "next"} <= set(body)
    users = {row["user"] for row in body["results"]}
    assert users == {"hiephoa.head", "hiephoa.deputy", "hiephoa.officer", "inactive", "ended"}
    row = next(r for r in body["results"] if r["user"] == "hiephoa.officer")
    assert row == {
        "id": people.officer.memberships.get().id,
        "user": "hiephoa.officer",
        "user_id": people.officer.id,
        "unit": {"id": org.hiephoa.id, "code": "CC-HIEPHOA", "name": org.hiephoa.name},
        "role": "officer",
        "valid_from": None,
        "valid_to": None,
    }
    active = leader.get(MEMBERSHIPS, {"unit": org.hiephoa.id, "active_on": "2025-01-01"})
    assert "ended" not in {r["user"] for r in active.json()["results"]}
    mine = leader.get(MEMBERSHIPS, {"user": people.head.id}).json()["results"]
    assert [r["role"] for r in mine] == ["head"]


def test_memberships_pages_follow_the_cursor(leader, people):
    first = leader.get(MEMBERSHIPS, {"page_size": 4}).json()
    assert len(first["results"]) == 4
    second = leader.get(first["next"]).json()
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids, reverse=True)  # newest first


def test_leadership_adds_and_ends_a_membership(leader, org):
    user = UserFactory()
    response = leader.post(
        MEMBERSHIPS,
        {"user": user.id, "unit": org.yenthe.id, "role": "head", "valid_from": "2025-01-01"},
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["unit"]["code"] == "CC-YENTHE"
    assert (created["role"], created["valid_from"], created["valid_to"]) == (
        "head",
        "2025-01-01",
        None,
    )

    ended = leader.post(
        f"{MEMBERSHIPS}{created['id']}/end/", {"valid_to": "2025-12-31"}, format="json"
    )
    assert ended.status_code == 200
    assert ended.json()["valid_to"] == "2025-12-31"
    assert Membership.objects.get(pk=created["id"]).valid_to == date(2025, 12, 31)


# --- bad input: a 4xx with a code, and nothing written --------------------------------


@pytest.fixture
def gone(org):
    return OrgUnitFactory(code="CC-GONE", valid_to=date(2020, 12, 31))


BAD_REQUESTS = [
    # (name, method, path template, body, status, code)
    ("create-missing-fields", "post", "units/", {}, 400, "validation_error"),
    (
        "create-duplicate-code",
        "post",
        "units/",
        {"code": "BG-VP", "name": "Trùng", "kind": "office"},
        400,
        "unit_code_taken",
    ),
    (
        "create-bad-kind",
        "post",
        "units/",
        {"code": "N", "name": "N", "kind": "ministry"},
        400,
        "validation_error",
    ),
    (
        "create-unknown-parent",
        "post",
        "units/",
        {"code": "N", "name": "N", "kind": "office", "parent": 999999},
        400,
        "validation_error",
    ),
    (
        "create-dates-reversed",
        "post",
        "units/",
        {
            "code": "N",
            "name": "N",
            "kind": "office",
            "valid_from": "2025-02-01",
            "valid_to": "2025-01-01",
        },
        400,
        "invalid_dates",
    ),
    ("patch-own-parent", "patch", "units/{hiephoa}/", {"parent": "{hiephoa}"}, 400, "unit_cycle"),
    ("patch-under-child", "patch", "units/{hiephoa}/", {"parent": "{team}"}, 400, "unit_cycle"),
    ("patch-code-taken", "patch", "units/{team}/", {"code": "BG-VP"}, 400, "unit_code_taken"),
    (
        "patch-end-with-members",
        "patch",
        "units/{yenthe}/",
        {"valid_to": "2024-12-31"},
        400,
        "unit_has_active_memberships",
    ),
    ("patch-unknown-unit", "patch", "units/999999/", {"short_name": "x"}, 404, "not_found"),
    ("rename-blank", "post", "units/{yenthe}/rename/", {"name": ""}, 400, "validation_error"),
    (
        "merge-with-members",
        "post",
        "units/merge/",
        {"sources": ["{yenthe}"], "into": "{hiephoa}", "effective_on": "2025-01-01"},
        400,
        "unit_has_active_memberships",
    ),
    (
        "merge-into-itself",
        "post",
        "units/merge/",
        {"sources": ["{team}"], "into": "{team}", "effective_on": "2025-01-01"},
        400,
        "merge_needs_sources",
    ),
    (
        "merge-no-sources",
        "post",
        "units/merge/",
        {"sources": [], "into": "{team}", "effective_on": "2025-01-01"},
        400,
        "validation_error",
    ),
    (
        "merge-ended-source",
        "post",
        "units/merge/",
        {"sources": ["{gone}"], "into": "{team}", "effective_on": "2025-01-01"},
        400,
        "unit_inactive",
    ),
    (
        "split-one-part",
        "post",
        "units/{team}/split/",
        {"effective_on": "2025-01-01", "parts": [{"code": "A", "name": "A"}]},
        400,
        "split_needs_parts",
    ),
    (
        "split-no-parts",
        "post",
        "units/{team}/split/",
        {"effective_on": "2025-01-01", "parts": []},
        400,
        "validation_error",
    ),
    (
        "split-with-members",
        "post",
        "units/{yenthe}/split/",
        {
            "effective_on": "2025-01-01",
            "parts": [{"code": "A", "name": "A"}, {"code": "B", "name": "B"}],
        },
        400,
        "unit_has_active_memberships",
    ),
    (
        "split-taken-code",
        "post",
        "units/{team}/split/",
        {
            "effective_on": "2025-01-01",
            "parts": [{"code": "NEW-A", "name": "A"}, {"code": "BG-VP", "name": "B"}],
        },
        400,
        "unit_code_taken",
    ),
    (
        "membership-bad-role",
        "post",
        "memberships/",
        {"user": "{nobody}", "unit": "{yenthe}", "role": "chairman"},
        400,
        "validation_error",
    ),
    (
        "membership-ended-unit",
        "post",
        "memberships/",
        {"user": "{nobody}", "unit": "{gone}", "role": "officer"},
        400,
        "unit_inactive",
    ),
    (
        "membership-duplicate",
        "post",
        "memberships/",
        {"user": "{officer}", "unit": "{hiephoa}", "role": "officer"},
        400,
        "membership_duplicate",
    ),
    (
        "membership-dates-reversed",
        "post",
        "memberships/",
        {
            "user": "{nobody}",
            "unit": "{yenthe}",
            "role": "officer",
            "valid_from": "2025-02-01",
            "valid_to": "2025-01-01",
        },
        400,
        "invalid_dates",
    ),
    (
        "membership-end-before-start",
        "post",
        "memberships/{ended_membership}/end/",
        {"valid_to": "2019-01-01"},
        400,
        "invalid_dates",
    ),
    (
        "membership-end-no-date",
        "post",
        "memberships/{ended_membership}/end/",
        {},
        400,
        "validation_error",
    ),
    (
        "membership-end-unknown",
        "post",
        "memberships/999999/end/",
        {"valid_to": "2025-01-01"},
        404,
        "not_found",
    ),
]


def _fill(value, ids: dict):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [case[1:] for case in BAD_REQUESTS],
    ids=[case[0] for case in BAD_REQUESTS],
)
def test_bad_input_is_a_4xx_with_a_code_and_writes_nothing(
    leader, org, people, gone, method, path, body, status, code
):
    ids = {
        "hiephoa": org.hiephoa.id,
        "team": org.team.id,
        "yenthe": org.yenthe.id,
        "gone": gone.id,
        "nobody": people.no_membership.id,
        "officer": people.officer.id,
        "ended_membership": people.ended.memberships.get().id,
    }
    url = "/api/v1/" + path.format(**ids)
    snapshot = (
        list(OrgUnit.objects.order_by("id").values()),
        list(Membership.objects.order_by("id").values()),
    )
    before = table_counts()

    response = getattr(leader, method)(url, _fill(body, ids), format="json")

    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert table_counts() == before
    assert (
        list(OrgUnit.objects.order_by("id").values()),
        list(Membership.objects.order_by("id").values()),
    ) == snapshot
