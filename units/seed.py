"""The Bắc Giang organisation of 2022 and the demo logins, loaded idempotently.

Sources: the seed document (the director, the Office's author) and the 2022
administrative map of Bắc Giang (1 city and 9 districts, one Chi cục each).
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from units.models import Membership, OrgUnit, Role, UnitKind, User

DEPARTMENT = ("BG-CUC", "Cục Thi hành án dân sự tỉnh Bắc Giang", "Cục THADS tỉnh Bắc Giang")

OFFICES = [
    ("BG-VP", "Văn phòng Cục Thi hành án dân sự tỉnh Bắc Giang", "Văn phòng Cục"),
    ("BG-PNV", "Phòng Nghiệp vụ và Tổ chức thi hành án", "Phòng Nghiệp vụ"),
    ("BG-PKT", "Phòng Kiểm tra, giải quyết khiếu nại, tố cáo", "Phòng Kiểm tra"),
    ("BG-PTCCB", "Phòng Tổ chức cán bộ", "Phòng Tổ chức cán bộ"),
    ("BG-PTCKT", "Phòng Tài chính - Kế toán", "Phòng Tài chính - Kế toán"),
]

SUB_DEPARTMENTS = [
    ("CC-TPBG", "thành phố Bắc Giang", "TP Bắc Giang"),
    ("CC-HIEPHOA", "huyện Hiệp Hòa", "Hiệp Hòa"),
    ("CC-LANGGIANG", "huyện Lạng Giang", "Lạng Giang"),
    ("CC-LUCNAM", "huyện Lục Nam", "Lục Nam"),
    ("CC-LUCNGAN", "huyện Lục Ngạn", "Lục Ngạn"),
    ("CC-SONDONG", "huyện Sơn Động", "Sơn Động"),
    ("CC-TANYEN", "huyện Tân Yên", "Tân Yên"),
    ("CC-VIETYEN", "huyện Việt Yên", "Việt Yên"),
    ("CC-YENDUNG", "huyện Yên Dũng", "Yên Dũng"),
    ("CC-YENTHE", "huyện Yên Thế", "Yên Thế"),
]

# For the local demo only (README): never use these on a real deployment.
DEMO_PASSWORD = "thads-demo"  # noqa: S105


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    unit_code: str
    role: str
    staff: bool


DEMO_LOGINS = [
    DemoLogin("director", "Nguyễn Thị Bích Tần", "BG-CUC", Role.DIRECTOR, True),
    DemoLogin("deputy", "Phó Cục trưởng (tài khoản demo)", "BG-CUC", Role.DEPUTY_DIRECTOR, True),
    DemoLogin("office", "Lê Hùng", "BG-VP", Role.OFFICE_STAFF, True),
    DemoLogin("hiephoa.head", "Chi cục trưởng Hiệp Hòa (demo)", "CC-HIEPHOA", Role.HEAD, False),
    DemoLogin(
        "hiephoa.officer", "Chấp hành viên Hiệp Hòa (demo)", "CC-HIEPHOA", Role.OFFICER, False
    ),
    DemoLogin("yenthe.officer", "Chấp hành viên Yên Thế (demo)", "CC-YENTHE", Role.OFFICER, False),
]

LEADERSHIP_GROUP = "Lãnh đạo Cục"
# What leadership watches in the admin besides the units and directives it
# manages (docs/reminders.md): the reminder ledger and the notifications sent.
# Read-only; devices and webhooks stay with their owners (they hold secrets).
LEADERSHIP_VIEW_PERMISSIONS = [
    ("reminders", "view_reminderledger"),
    ("notifications", "view_notification"),
]


def _unit(code: str, name: str, short_name: str, kind: str, parent: OrgUnit | None) -> OrgUnit:
    unit, _ = OrgUnit.objects.get_or_create(
        code=code,
        defaults={"name": name, "short_name": short_name, "kind": kind, "parent": parent},
    )
    return unit


@transaction.atomic
def seed_organisation() -> dict[str, OrgUnit]:
    """Create the 2022 units that are missing; existing ones are left as they are."""
    department = _unit(*DEPARTMENT, UnitKind.DEPARTMENT, None)
    units = {department.code: department}
    for code, name, short in OFFICES:
        units[code] = _unit(code, name, short, UnitKind.OFFICE, department)
    for code, place, short in SUB_DEPARTMENTS:
        units[code] = _unit(
            code,
            f"Chi cục Thi hành án dân sự {place}",
            short,
            UnitKind.SUB_DEPARTMENT,
            department,
        )
    return units


@transaction.atomic
def seed_demo_logins(units: dict[str, OrgUnit]) -> list[User]:
    """Create the demo users of the README; a user that exists keeps its password."""
    group, _ = Group.objects.get_or_create(name=LEADERSHIP_GROUP)
    if not group.permissions.exists():
        group.permissions.set(
            Permission.objects.filter(content_type__app_label__in=["units", "directives"])
        )
    # Added on every run, so a demo database seeded before they were granted gets them.
    viewing = Q()
    for app_label, codename in LEADERSHIP_VIEW_PERMISSIONS:
        viewing |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.add(*Permission.objects.filter(viewing))
    users = []
    for login in DEMO_LOGINS:
        user = User.objects.filter(username=login.username).first()
        if user is None:
            user = User(
                username=login.username,
                full_name=login.full_name,
                # .invalid never resolves: the demo's e-mails go to the console backend only.
                email=f"{login.username}@demo.thads.invalid",
                is_staff=login.staff,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            if login.staff:
                user.groups.add(group)
        Membership.objects.get_or_create(
            user=user, unit=units[login.unit_code], role=login.role, valid_to=None
        )
        users.append(user)
    return users
