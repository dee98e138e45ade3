"""The Vietnamese admin for units, memberships, the calendar and users."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from tests.factories import OrgUnitFactory
from units.models import Membership, OrgUnit, UnitChange

INLINE_MANAGEMENT = {
    "memberships-TOTAL_FORMS": "0",
    "memberships-INITIAL_FORMS": "0",
    "changes-TOTAL_FORMS": "0",
    "changes-INITIAL_FORMS": "0",
}


@pytest.fixture
def admin_browser(people) -> Client:
    browser = Client()
    browser.force_login(people.superuser)
    return browser


def _unit_form(unit: OrgUnit | None = None, **changes) -> dict:
    data = {
        "code": unit.code if unit else "",
        "name": unit.name if unit else "",
        "short_name": unit.short_name if unit else "",
        "kind": unit.kind if unit else "",
        "parent": unit.parent_id or "" if unit else "",
        "valid_from": "",
        "valid_to": "",
        **INLINE_MANAGEMENT,
    }
    data.update(changes)
    return data


def _messages(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/admin/units/orgunit/", "Chọn đơn vị để thay đổi"),
        ("/admin/units/membership/", "Chọn thành viên đơn vị để thay đổi"),
        ("/admin/units/calendarday/", "Chọn ngày nghỉ / làm bù để thay đổi"),
        ("/admin/units/user/", "Chọn người dùng để thay đổi"),
    ],
)
def test_changelists_load_in_vietnamese(admin_browser, url, title):
    response = admin_browser.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi"' in html
    assert f"<title>{title} |" in html


def test_the_unit_changelist_lists_the_units(admin_browser, org):
    response = admin_browser.get("/admin/units/orgunit/")
    assert {unit.code for unit in response.context["cl"].result_list} == {
        unit.code for unit in org.all
    }


@pytest.mark.parametrize("term", ["hiep hoa", "HIỆP HOÀ", "Hiệp Hòa"])
def test_admin_search_is_accent_insensitive(admin_browser, org, term):
    OrgUnitFactory(code="HH-NEW", name="Đội Hiệp Hoà")
    response = admin_browser.get("/admin/units/orgunit/", {"q": term})
    assert response.status_code == 200
    found = {unit.code for unit in response.context["cl"].result_list}
    assert found == {"CC-HIEPHOA", "CC-HIEPHOA-T1", "HH-NEW"}


def test_admin_search_for_memberships_finds_people_by_username(admin_browser, people):
    response = admin_browser.get("/admin/units/membership/", {"q": "yenthe"})
    assert [m.user.username for m in response.context["cl"].result_list] == ["yenthe.officer"]


@pytest.mark.parametrize("model", ["orgunit", "membership"])
def test_units_and_memberships_cannot_be_deleted(admin_browser, org, people, model):
    obj_id = org.team.id if model == "orgunit" else people.officer.memberships.get().id
    assert admin_browser.get(f"/admin/units/{model}/{obj_id}/delete/").status_code == 403
    assert (
        admin_browser.post(f"/admin/units/{model}/{obj_id}/delete/", {"post": "yes"}).status_code
        == 403
    )
    changelist = admin_browser.get(f"/admin/units/{model}/")
    model_admin = changelist.context["cl"].model_admin
    assert "delete_selected" not in model_admin.get_actions(changelist.wsgi_request)
    assert OrgUnit.objects.filter(pk=org.team.id).exists()
    assert Membership.objects.filter(pk=people.officer.memberships.get().id).exists()


def test_successions_are_made_by_the_services_only(admin_browser):
    assert admin_browser.get("/admin/units/unitsuccession/add/").status_code == 403


def test_creating_a_unit_in_the_admin_records_its_creation(admin_browser, org, people):
    response = admin_browser.post(
        "/admin/units/orgunit/add/",
        _unit_form(
            code="BG-PNV",
            name="Phòng Nghiệp vụ và Tổ chức thi hành án",
            kind="office",
            parent=org.department.id,
        ),
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    unit = OrgUnit.objects.get(code="BG-PNV")
    assert unit.parent_id == org.department.id
    assert unit.search_key.startswith(" bg pnv phong nghiep vu")
    change = UnitChange.objects.get(unit=unit)
    assert (change.event, change.actor) == ("create", people.superuser)


def test_changing_a_unit_in_the_admin_records_the_change(admin_browser, org, people):
    response = admin_browser.post(
        f"/admin/units/orgunit/{org.yenthe.id}/change/",
        _unit_form(org.yenthe, short_name="TX Yên Thế"),
    )
    assert response.status_code == 302
    org.yenthe.refresh_from_db()
    assert org.yenthe.short_name == "TX Yên Thế"
    change = UnitChange.objects.get(unit=org.yenthe)
    assert change.event == "update"
    assert change.before["short_name"] == "Yên Thế"
    assert change.actor == people.superuser


def test_the_admin_refuses_a_duplicate_code_in_the_form(admin_browser, org):
    response = admin_browser.post(
        "/admin/units/orgunit/add/", _unit_form(code="BG-VP", name="Trùng", kind="office")
    )
    assert response.status_code == 200
    assert "code" in response.context["adminform"].form.errors
    assert OrgUnit.objects.filter(code="BG-VP").count() == 1


def test_a_unit_cycle_made_in_the_admin_is_a_form_error_and_not_saved(admin_browser, org):
    response = admin_browser.post(
        f"/admin/units/orgunit/{org.hiephoa.id}/change/",
        _unit_form(org.hiephoa, parent=org.team.id),
    )
    assert response.status_code == 200  # the form again, with the service's refusal
    errors = response.context["adminform"].form.non_field_errors()
    assert errors == ["Một đơn vị không thể là cấp trên của chính nó."]
    assert _messages(response) == []  # and no claim of success
    org.hiephoa.refresh_from_db()
    assert org.hiephoa.parent_id == org.department.id
    assert not UnitChange.objects.exists()


def test_adding_a_membership_in_the_admin_goes_through_the_service(admin_browser, org, people):
    response = admin_browser.post(
        "/admin/units/membership/add/",
        {"user": people.no_membership.id, "unit": org.yenthe.id, "role": "head"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=people.no_membership)
    assert (membership.unit, membership.role) == (org.yenthe, "head")


def test_a_membership_in_an_ended_unit_is_a_form_error_in_the_admin(admin_browser, people):
    gone = OrgUnitFactory(code="GONE", valid_to=date(2020, 12, 31))
    response = admin_browser.post(
        "/admin/units/membership/add/",
        {"user": people.no_membership.id, "unit": gone.id, "role": "officer"},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert errors == ["Đơn vị không hoạt động trong thời gian của tư cách thành viên."]
    assert _messages(response) == []
    assert not Membership.objects.filter(unit=gone).exists()


def test_ending_a_membership_in_the_admin_sets_its_last_day(admin_browser, people, org):
    membership = people.officer.memberships.get()
    response = admin_browser.post(
        f"/admin/units/membership/{membership.id}/change/",
        {
            "user": people.officer.id,
            "unit": org.hiephoa.id,
            "role": "officer",
            "valid_from": "",
            "valid_to": "2025-12-31",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    membership.refresh_from_db()
    assert membership.valid_to == date(2025, 12, 31)


def test_the_vietnamese_admin_reads_dates_day_first(admin_browser, people, org):
    membership = people.officer.memberships.get()
    admin_browser.post(
        f"/admin/units/membership/{membership.id}/change/",
        {
            "user": people.officer.id,
            "unit": org.hiephoa.id,
            "role": "officer",
            "valid_from": "",
            "valid_to": "01/02/2026",
        },
    )
    membership.refresh_from_db()
    assert membership.valid_to == date(2026, 2, 1)


def test_the_admin_cannot_move_a_membership_into_an_ended_unit(admin_browser, people, org):
    gone = OrgUnitFactory(code="GONE", valid_to=date(2020, 12, 31))
    membership = people.officer.memberships.get()
    response = admin_browser.post(
        f"/admin/units/membership/{membership.id}/change/",
        {"user": people.officer.id, "unit": gone.id, "role": "officer"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    membership.refresh_from_db()
    assert membership.unit_id == org.hiephoa.id


def test_the_user_admin_shows_the_vietnamese_full_name(admin_browser, people):
    response = admin_browser.get(f"/admin/units/user/{people.director.id}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nguyễn Thị Bích Tần" in html
    assert "Thông tin THADS" in html
