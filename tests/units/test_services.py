"""Writes to units and memberships: the rules of the data, and nothing written on refusal."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from tests.factories import MembershipFactory, OrgUnitFactory, UserFactory
from thads.clock import local_today
from thads.errors import DomainError
from units import services
from units.models import (
    Membership,
    OrgUnit,
    Role,
    UnitChange,
    UnitKind,
    UnitSuccession,
)

MERGE_DAY = date(2025, 1, 1)


def _rows() -> tuple[int, int, int, int]:
    return (
        OrgUnit.objects.count(),
        UnitChange.objects.count(),
        UnitSuccession.objects.count(),
        Membership.objects.count(),
    )


def _refused(expected: str, call, /, **kwargs) -> DomainError:
    """Run a service that must refuse with the `expected` code and write nothing."""
    before = _rows()
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    assert caught.value.code == expected
    assert _rows() == before
    return caught.value


@pytest.fixture
def tpbg(org):
    return OrgUnitFactory(
        code="CC-TPBG",
        name="Chi cục Thi hành án dân sự thành phố Bắc Giang",
        parent=org.department,
    )


@pytest.fixture
def yendung(org):
    return OrgUnitFactory(
        code="CC-YENDUNG",
        name="Chi cục Thi hành án dân sự huyện Yên Dũng",
        parent=org.department,
    )


# --- unit_create ---------------------------------------------------------------


def test_unit_create_saves_the_unit_and_records_its_creation(org, director):
    unit = services.unit_create(
        actor=director,
        code="CC-LUCNAM",
        name="Chi cục Thi hành án dân sự huyện Lục Nam",
        short_name="Lục Nam",
        kind=UnitKind.SUB_DEPARTMENT,
        parent=org.department,
        valid_from=date(2022, 1, 1),
    )
    unit.refresh_from_db()
    assert (unit.code, unit.kind, unit.parent_id) == (
        "CC-LUCNAM",
        "sub_department",
        org.department.id,
    )
    assert unit.search_key == " cc lucnam chi cuc thi hanh an dan su huyen luc nam luc nam"
    [change] = UnitChange.objects.filter(unit=unit)
    assert change.event == UnitChange.Event.CREATE
    assert change.actor == director
    assert change.effective_on == date(2022, 1, 1)
    assert change.before == {}
    assert change.after["name"] == "Chi cục Thi hành án dân sự huyện Lục Nam"
    assert change.after["parent_id"] == org.department.id
    assert change.after["valid_from"] == "2022-01-01"


def test_unit_create_refuses_a_duplicate_code(org):
    error = _refused(
        "unit_code_taken",
        services.unit_create,
        actor=None,
        code=org.yenthe.code,
        name="Trùng mã",
        kind=UnitKind.OFFICE,
    )
    assert "code" in error.fields


def test_unit_create_refuses_an_unknown_kind(org):
    error = _refused(
        "invalid_kind", services.unit_create, actor=None, code="X", name="X", kind="ministry"
    )
    assert "kind" in error.fields


def test_unit_create_refuses_an_end_before_the_start(org):
    _refused(
        "invalid_dates",
        services.unit_create,
        actor=None,
        code="X",
        name="X",
        kind=UnitKind.OFFICE,
        valid_from=date(2025, 1, 2),
        valid_to=date(2025, 1, 1),
    )


# --- unit_update ---------------------------------------------------------------


def test_unit_update_changes_fields_and_records_before_and_after(org, director):
    services.unit_update(actor=director, unit=org.office, short_name="VP Cục", kind="office")
    org.office.refresh_from_db()
    assert org.office.short_name == "VP Cục"
    [change] = UnitChange.objects.filter(unit=org.office)
    assert change.event == UnitChange.Event.UPDATE
    assert change.before["short_name"] == "Văn phòng Cục"
    assert change.after["short_name"] == "VP Cục"
    assert change.actor == director


def test_unit_update_that_changes_nothing_records_nothing(org):
    services.unit_update(actor=None, unit=org.office, short_name=org.office.short_name)
    assert not UnitChange.objects.exists()


def test_unit_update_moves_a_unit_under_another_parent(org):
    services.unit_update(actor=None, unit=org.team, parent=org.yenthe)
    org.team.refresh_from_db()
    assert org.team.parent_id == org.yenthe.id


def test_a_unit_cannot_be_its_own_parent(org):
    _refused("unit_cycle", services.unit_update, actor=None, unit=org.hiephoa, parent=org.hiephoa)
    org.hiephoa.refresh_from_db()
    assert org.hiephoa.parent_id == org.department.id


def test_a_unit_cannot_be_placed_under_its_own_child(org):
    error = _refused(
        "unit_cycle", services.unit_update, actor=None, unit=org.hiephoa, parent=org.team
    )
    assert "parent" in error.fields


def test_a_unit_cannot_be_placed_under_its_own_grandchild(org):
    grandchild = OrgUnitFactory(parent=org.team)
    _refused("unit_cycle", services.unit_update, actor=None, unit=org.hiephoa, parent=grandchild)
    _refused("unit_cycle", services.unit_update, actor=None, unit=org.department, parent=grandchild)
    org.department.refresh_from_db()
    assert org.department.parent_id is None


def test_unit_update_refuses_a_code_taken_by_another_unit(org):
    _refused("unit_code_taken", services.unit_update, actor=None, unit=org.team, code="BG-VP")


def test_unit_update_refuses_an_unknown_kind(org):
    _refused("invalid_kind", services.unit_update, actor=None, unit=org.team, kind="ministry")


def test_unit_update_refuses_an_end_before_the_start(org):
    services.unit_update(actor=None, unit=org.team, valid_from=date(2022, 1, 1))
    _refused(
        "invalid_dates", services.unit_update, actor=None, unit=org.team, valid_to=date(2021, 1, 1)
    )


def test_ending_a_unit_is_refused_while_people_are_still_members(org, people):
    error = _refused(
        "unit_has_active_memberships",
        services.unit_update,
        actor=None,
        unit=org.yenthe,
        valid_to=date(2024, 12, 31),
    )
    assert error.extra["memberships"] == [
        people.other_officer.memberships.get().id,
    ]


def test_ending_a_unit_without_members_sets_its_last_day(org):
    services.unit_update(actor=None, unit=org.team, valid_to=date(2024, 12, 31))
    org.team.refresh_from_db()
    assert org.team.valid_to == date(2024, 12, 31)
    assert not org.team.is_active_on(date(2025, 1, 1))


# --- unit_rename ---------------------------------------------------------------


def test_rename_keeps_the_unit_and_records_the_old_name(org, director):
    old_name = "Chi cục Thi hành án dân sự huyện Yên Thế"
    renamed = services.unit_rename(
        actor=director,
        unit=org.yenthe,
        name="Chi cục Thi hành án dân sự thị xã Yên Thế",
        short_name="TX Yên Thế",
        effective_on=date(2024, 10, 1),
    )
    assert renamed.id == org.yenthe.id
    org.yenthe.refresh_from_db()
    assert org.yenthe.name == "Chi cục Thi hành án dân sự thị xã Yên Thế"
    assert "thi xa yen the" in org.yenthe.search_key
    [change] = UnitChange.objects.filter(unit=org.yenthe)
    assert change.event == UnitChange.Event.RENAME
    assert change.before["name"] == old_name
    assert change.before["short_name"] == "Yên Thế"
    assert change.after["name"] == "Chi cục Thi hành án dân sự thị xã Yên Thế"
    assert change.effective_on == date(2024, 10, 1)
    # the people and their memberships stay with the unit
    assert org.yenthe.memberships.count() == 1


def test_rename_without_a_date_takes_effect_today_and_keeps_the_short_name(org):
    services.unit_rename(actor=None, unit=org.yenthe, name="Tên mới")
    org.yenthe.refresh_from_db()
    assert org.yenthe.short_name == "Yên Thế"
    assert UnitChange.objects.get(unit=org.yenthe).effective_on == local_today()


# --- units_merge -------------------------------------------------------------------


def test_merge_ends_the_source_the_day_before_and_links_the_successor(org, tpbg, yendung, director):
    result = services.units_merge(
        actor=director, sources=[yendung], into=tpbg, effective_on=MERGE_DAY
    )
    assert result.id == tpbg.id
    yendung.refresh_from_db()
    tpbg.refresh_from_db()
    assert yendung.valid_to == date(2024, 12, 31)
    assert yendung.is_active_on(date(2024, 12, 31)) and not yendung.is_active_on(MERGE_DAY)
    assert tpbg.valid_to is None
    link = UnitSuccession.objects.get()
    assert (link.predecessor, link.successor, link.event, link.effective_on) == (
        yendung,
        tpbg,
        "merge",
        MERGE_DAY,
    )
    change = UnitChange.objects.get(unit=yendung)
    assert change.event == UnitChange.Event.MERGE
    assert change.before["valid_to"] is None
    assert change.after["valid_to"] == "2024-12-31"
    assert change.effective_on == MERGE_DAY
    assert not UnitChange.objects.filter(unit=tpbg).exists()


def test_merge_of_several_sources(org, tpbg, yendung):
    services.units_merge(actor=None, sources=[yendung, org.team], into=tpbg, effective_on=MERGE_DAY)
    assert set(UnitSuccession.objects.values_list("predecessor__code", flat=True)) == {
        "CC-YENDUNG",
        "CC-HIEPHOA-T1",
    }


def test_merge_is_refused_while_a_source_has_an_open_membership(org, tpbg, yendung):
    membership = MembershipFactory(unit=yendung, role=Role.OFFICER)
    error = _refused(
        "unit_has_active_memberships",
        services.units_merge,
        actor=None,
        sources=[yendung],
        into=tpbg,
        effective_on=MERGE_DAY,
    )
    assert error.extra["memberships"] == [membership.id]
    yendung.refresh_from_db()
    assert yendung.valid_to is None


def test_merge_ignores_memberships_that_ended_before_the_merge(org, tpbg, yendung):
    MembershipFactory(unit=yendung, valid_to=date(2024, 12, 31))
    services.units_merge(actor=None, sources=[yendung], into=tpbg, effective_on=MERGE_DAY)
    assert UnitSuccession.objects.count() == 1


def test_merge_with_transfer_moves_open_memberships_to_the_successor(org, tpbg, yendung):
    head = UserFactory()
    old = MembershipFactory(user=head, unit=yendung, role=Role.HEAD, valid_from=date(2020, 1, 1))
    services.units_merge(
        actor=None, sources=[yendung], into=tpbg, effective_on=MERGE_DAY, transfer_memberships=True
    )
    old.refresh_from_db()
    assert old.valid_to == date(2024, 12, 31)
    new = Membership.objects.get(user=head, unit=tpbg)
    assert (new.role, new.valid_from, new.valid_to) == ("head", MERGE_DAY, None)


def test_merge_with_transfer_keeps_a_single_open_membership_in_the_successor(org, tpbg, yendung):
    user = UserFactory()
    MembershipFactory(user=user, unit=yendung, role=Role.OFFICER)
    MembershipFactory(user=user, unit=tpbg, role=Role.OFFICER)
    services.units_merge(
        actor=None, sources=[yendung], into=tpbg, effective_on=MERGE_DAY, transfer_memberships=True
    )
    assert Membership.objects.filter(user=user, unit=tpbg, valid_to__isnull=True).count() == 1


def test_merge_is_refused_while_a_source_has_a_membership_starting_later(org, tpbg, yendung):
    MembershipFactory(unit=yendung, valid_from=date(2025, 3, 1))
    _refused(
        "unit_has_active_memberships",
        services.units_merge,
        actor=None,
        sources=[yendung],
        into=tpbg,
        effective_on=MERGE_DAY,
    )


def test_merge_with_transfer_keeps_the_end_date_of_a_fixed_term_membership(org, tpbg, yendung):
    user = UserFactory()
    MembershipFactory(user=user, unit=yendung, valid_to=date(2025, 6, 30))
    services.units_merge(
        actor=None, sources=[yendung], into=tpbg, effective_on=MERGE_DAY, transfer_memberships=True
    )
    assert Membership.objects.get(user=user, unit=tpbg).valid_to == date(2025, 6, 30)


def test_merge_into_itself_only_is_refused(org, tpbg):
    _refused(
        "merge_needs_sources",
        services.units_merge,
        actor=None,
        sources=[tpbg],
        into=tpbg,
        effective_on=MERGE_DAY,
    )


def test_merge_of_a_unit_already_ended_is_refused(org, tpbg):
    gone = OrgUnitFactory(valid_to=date(2023, 12, 31))
    _refused(
        "unit_inactive",
        services.units_merge,
        actor=None,
        sources=[gone],
        into=tpbg,
        effective_on=MERGE_DAY,
    )


def test_merge_into_a_unit_that_has_ended_is_refused(org, yendung):
    gone = OrgUnitFactory(valid_to=date(2023, 12, 31))
    _refused(
        "unit_inactive",
        services.units_merge,
        actor=None,
        sources=[yendung],
        into=gone,
        effective_on=MERGE_DAY,
    )


# --- unit_split ----------------------------------------------------------------------

PARTS = [
    {"code": "CC-VIETYEN-A", "name": "Chi cục Thi hành án dân sự thị xã Việt Yên"},
    {
        "code": "CC-VIETYEN-B",
        "name": "Chi cục Thi hành án dân sự khu vực Nếnh",
        "short_name": "Nếnh",
    },
]


@pytest.fixture
def vietyen(org):
    return OrgUnitFactory(
        code="CC-VIETYEN",
        name="Chi cục Thi hành án dân sự huyện Việt Yên",
        parent=org.department,
        valid_from=date(2010, 1, 1),
    )


def test_split_creates_the_parts_links_them_and_ends_the_old_unit(org, vietyen, director):
    created = services.unit_split(actor=director, unit=vietyen, parts=PARTS, effective_on=MERGE_DAY)
    assert [u.code for u in created] == ["CC-VIETYEN-A", "CC-VIETYEN-B"]
    for unit in created:
        unit.refresh_from_db()
        assert (unit.kind, unit.parent_id) == (vietyen.kind, org.department.id)
        assert (unit.valid_from, unit.valid_to) == (MERGE_DAY, None)
        assert UnitChange.objects.get(unit=unit).event == UnitChange.Event.CREATE
    assert created[1].short_name == "Nếnh"
    vietyen.refresh_from_db()
    assert vietyen.valid_to == date(2024, 12, 31)
    assert UnitChange.objects.get(unit=vietyen).event == UnitChange.Event.SPLIT
    links = UnitSuccession.objects.filter(predecessor=vietyen, event="split")
    assert {link.successor_id for link in links} == {u.id for u in created}
    assert {link.effective_on for link in links} == {MERGE_DAY}


def test_split_into_fewer_than_two_parts_is_refused(org, vietyen):
    _refused(
        "split_needs_parts",
        services.unit_split,
        actor=None,
        unit=vietyen,
        parts=PARTS[:1],
        effective_on=MERGE_DAY,
    )


def test_split_is_refused_while_the_unit_has_open_memberships(org, vietyen):
    MembershipFactory(unit=vietyen)
    _refused(
        "unit_has_active_memberships",
        services.unit_split,
        actor=None,
        unit=vietyen,
        parts=PARTS,
        effective_on=MERGE_DAY,
    )


def test_split_with_a_taken_code_writes_no_part(org, vietyen):
    parts = [PARTS[0], {"code": "BG-VP", "name": "Trùng mã"}]
    _refused(
        "unit_code_taken",
        services.unit_split,
        actor=None,
        unit=vietyen,
        parts=parts,
        effective_on=MERGE_DAY,
    )
    assert not OrgUnit.objects.filter(code="CC-VIETYEN-A").exists()


def test_split_of_a_unit_not_active_that_day_is_refused(org, vietyen):
    _refused(
        "unit_inactive",
        services.unit_split,
        actor=None,
        unit=vietyen,
        parts=PARTS,
        effective_on=date(2009, 1, 1),
    )


# --- memberships -------------------------------------------------------------------------


def test_membership_create_adds_the_role(org):
    user = UserFactory()
    membership = services.membership_create(
        actor=None, user=user, unit=org.yenthe, role=Role.HEAD, valid_from=date(2025, 1, 1)
    )
    membership.refresh_from_db()
    assert (membership.user, membership.unit, membership.role) == (user, org.yenthe, "head")
    assert (membership.valid_from, membership.valid_to) == (date(2025, 1, 1), None)


def test_membership_in_a_unit_that_no_longer_exists_that_day_is_refused(org):
    gone = OrgUnitFactory(valid_to=date(2024, 12, 31))
    error = _refused(
        "unit_inactive",
        services.membership_create,
        actor=None,
        user=UserFactory(),
        unit=gone,
        role=Role.OFFICER,
        valid_from=date(2025, 1, 1),
    )
    assert "unit" in error.fields


def test_an_open_ended_membership_in_a_unit_that_will_end_is_refused(org):
    ending = OrgUnitFactory(valid_to=date(2099, 12, 31))
    _refused(
        "unit_inactive",
        services.membership_create,
        actor=None,
        user=UserFactory(),
        unit=ending,
        role=Role.OFFICER,
    )


def test_a_fixed_term_membership_inside_the_units_life_is_accepted(org):
    ending = OrgUnitFactory(valid_from=date(2020, 1, 1), valid_to=date(2024, 12, 31))
    membership = services.membership_create(
        actor=None,
        user=UserFactory(),
        unit=ending,
        role=Role.OFFICER,
        valid_from=date(2021, 1, 1),
        valid_to=date(2021, 12, 31),
    )
    assert membership.pk


def test_membership_with_an_unknown_role_is_refused(org):
    error = _refused(
        "invalid_role",
        services.membership_create,
        actor=None,
        user=UserFactory(),
        unit=org.yenthe,
        role="chairman",
    )
    assert "role" in error.fields


def test_a_second_open_membership_with_the_same_role_is_refused(org, people):
    error = _refused(
        "membership_duplicate",
        services.membership_create,
        actor=None,
        user=people.officer,
        unit=org.hiephoa,
        role=Role.OFFICER,
    )
    assert "role" in error.fields


def test_the_same_role_again_after_the_old_one_ended_is_accepted(org, people):
    membership = services.membership_create(
        actor=None, user=people.ended, unit=org.hiephoa, role=Role.OFFICER
    )
    assert people.ended.memberships.count() == 2
    assert membership.valid_to is None


def test_membership_ending_before_it_starts_is_refused(org):
    error = _refused(
        "invalid_dates",
        services.membership_create,
        actor=None,
        user=UserFactory(),
        unit=org.yenthe,
        role=Role.OFFICER,
        valid_from=date(2025, 2, 1),
        valid_to=date(2025, 1, 31),
    )
    assert "valid_to" in error.fields


def test_membership_end_sets_the_last_day(people):
    membership = people.officer.memberships.get()
    services.membership_end(actor=None, membership=membership, valid_to=date(2025, 5, 31))
    membership.refresh_from_db()
    assert membership.valid_to == date(2025, 5, 31)


def test_membership_end_before_its_start_is_refused(people):
    membership = people.ended.memberships.get()
    _refused(
        "invalid_dates",
        services.membership_end,
        actor=None,
        membership=membership,
        valid_to=date(2019, 12, 31),
    )
    membership.refresh_from_db()
    assert membership.valid_to == date(2021, 12, 31)


# --- invariants the database itself enforces -------------------------------------------


def _violates(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_the_database_rejects_an_unknown_unit_kind(db):
    _violates(lambda: OrgUnit.objects.create(code="BAD", name="Bad", kind="ministry"))


def test_the_database_rejects_an_unknown_role(org):
    _violates(
        lambda: Membership.objects.create(user=UserFactory(), unit=org.yenthe, role="chairman")
    )


def test_the_database_rejects_validity_ending_before_it_starts(org):
    _violates(
        lambda: OrgUnit.objects.create(
            code="BAD",
            name="Bad",
            kind="office",
            valid_from=date(2025, 1, 2),
            valid_to=date(2025, 1, 1),
        )
    )


def test_the_database_rejects_a_unit_that_is_its_own_parent(org):
    _violates(lambda: OrgUnit.objects.filter(pk=org.team.pk).update(parent=org.team))


def test_the_database_rejects_two_open_memberships_with_the_same_role(org, people):
    _violates(
        lambda: Membership.objects.create(user=people.officer, unit=org.hiephoa, role="officer")
    )


def test_the_database_rejects_a_unit_succeeding_itself(org):
    _violates(
        lambda: UnitSuccession.objects.create(
            predecessor=org.team, successor=org.team, event="merge", effective_on=MERGE_DAY
        )
    )
