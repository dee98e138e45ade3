"""Factories for people, units and memberships, and a fast seeded-like organisation.

Every factory writes straight to the database (no services): tests that are
about a service call the service; everything else only needs rows.
"""

from dataclasses import dataclass
from datetime import date

import factory
from factory.django import DjangoModelFactory, Password

from units.models import Membership, OrgUnit, Role, UnitKind, User

PASSWORD = "pw"  # the test settings hash with MD5, so this costs nothing


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Người dùng số {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = Password(PASSWORD)
    is_active = True


class OrgUnitFactory(DjangoModelFactory):
    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"Đơn vị số {n}")
    short_name = ""
    kind = UnitKind.SUB_DEPARTMENT
    parent = None
    valid_from = None
    valid_to = None


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(OrgUnitFactory)
    role = Role.OFFICER
    valid_from = None
    valid_to = None


@dataclass
class Org:
    """A small slice of the Bắc Giang organisation: enough for every scope rule."""

    department: OrgUnit
    office: OrgUnit
    hiephoa: OrgUnit
    yenthe: OrgUnit
    team: OrgUnit  # a unit below Hiệp Hòa, so heads' descendants are not just themselves

    @property
    def all(self) -> list[OrgUnit]:
        return [self.department, self.office, self.hiephoa, self.yenthe, self.team]


def build_org() -> Org:
    department = OrgUnitFactory(
        code="BG-CUC",
        name="Cục Thi hành án dân sự tỉnh Bắc Giang",
        short_name="Cục THADS tỉnh Bắc Giang",
        kind=UnitKind.DEPARTMENT,
    )
    office = OrgUnitFactory(
        code="BG-VP",
        name="Văn phòng Cục Thi hành án dân sự tỉnh Bắc Giang",
        short_name="Văn phòng Cục",
        kind=UnitKind.OFFICE,
        parent=department,
    )
    hiephoa = OrgUnitFactory(
        code="CC-HIEPHOA",
        name="Chi cục Thi hành án dân sự huyện Hiệp Hòa",
        short_name="Hiệp Hòa",
        kind=UnitKind.SUB_DEPARTMENT,
        parent=department,
    )
    yenthe = OrgUnitFactory(
        code="CC-YENTHE",
        name="Chi cục Thi hành án dân sự huyện Yên Thế",
        short_name="Yên Thế",
        kind=UnitKind.SUB_DEPARTMENT,
        parent=department,
    )
    team = OrgUnitFactory(
        code="CC-HIEPHOA-T1",
        name="Tổ Chấp hành viên số 1 Hiệp Hòa",
        short_name="Tổ 1 Hiệp Hòa",
        kind=UnitKind.SUB_DEPARTMENT,
        parent=hiephoa,
    )
    return Org(department, office, hiephoa, yenthe, team)


@dataclass
class People:
    director: User
    deputy_director: User
    office_staff: User
    head: User
    deputy_head: User
    officer: User
    other_officer: User  # an officer of another sub-department (Yên Thế)
    no_membership: User
    inactive: User
    ended: User  # was an officer of Hiệp Hòa; the membership ended in 2021
    superuser: User


def member(unit: OrgUnit, role: str, **user_fields) -> User:
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, unit=unit, role=role)
    return user


def build_people(org: Org) -> People:
    ended = UserFactory(username="ended")
    MembershipFactory(
        user=ended,
        unit=org.hiephoa,
        role=Role.OFFICER,
        valid_from=date(2020, 1, 1),
        valid_to=date(2021, 12, 31),
    )
    return People(
        director=member(
            org.department, Role.DIRECTOR, username="director", full_name="Nguyễn Thị Bích Tần"
        ),
        deputy_director=member(org.department, Role.DEPUTY_DIRECTOR, username="deputy"),
        office_staff=member(org.office, Role.OFFICE_STAFF, username="office"),
        head=member(org.hiephoa, Role.HEAD, username="hiephoa.head"),
        deputy_head=member(org.hiephoa, Role.DEPUTY_HEAD, username="hiephoa.deputy"),
        officer=member(org.hiephoa, Role.OFFICER, username="hiephoa.officer"),
        other_officer=member(org.yenthe, Role.OFFICER, username="yenthe.officer"),
        no_membership=UserFactory(username="nobody"),
        inactive=member(org.hiephoa, Role.OFFICER, username="inactive", is_active=False),
        ended=ended,
        superuser=UserFactory(username="admin", is_superuser=True, is_staff=True),
    )
