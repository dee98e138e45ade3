"""`manage.py seed_demo`: the 2022 Bắc Giang organisation and the README's demo logins.

The full command also loads the directives of the seed document, which makes it
the slowest fixture of the suite; the tests share a few runs of it and use the
`units.seed` functions it calls where the directives do not matter.
"""

from io import StringIO

from django.contrib.auth.models import Group
from django.core.management import call_command

from units.models import Membership, OrgUnit, UnitKind, User
from units.seed import DEMO_PASSWORD, seed_demo_logins, seed_organisation

TEN_CHI_CUC = {
    "thành phố Bắc Giang",
    "huyện Hiệp Hòa",
    "huyện Lạng Giang",
    "huyện Lục Nam",
    "huyện Lục Ngạn",
    "huyện Sơn Động",
    "huyện Tân Yên",
    "huyện Việt Yên",
    "huyện Yên Dũng",
    "huyện Yên Thế",
}

LOGINS = {
    # username: (unit code, role, is_staff)
    "director": ("BG-CUC", "director", True),
    "deputy": ("BG-CUC", "deputy_director", True),
    "office": ("BG-VP", "office_staff", True),
    "hiephoa.head": ("CC-HIEPHOA", "head", False),
    "hiephoa.officer": ("CC-HIEPHOA", "officer", False),
    "yenthe.officer": ("CC-YENTHE", "officer", False),
}


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "units": OrgUnit.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "groups": Group.objects.count(),
        "group_permissions": Group.permissions.through.objects.count(),
        "user_groups": User.groups.through.objects.count(),
    }


def test_seed_demo_loads_the_2022_organisation(db):
    output = _seed()

    [department] = OrgUnit.objects.filter(kind=UnitKind.DEPARTMENT)
    assert department.name == "Cục Thi hành án dân sự tỉnh Bắc Giang"
    assert department.parent is None

    offices = OrgUnit.objects.filter(kind=UnitKind.OFFICE)
    assert offices.count() == 5
    assert {office.parent_id for office in offices} == {department.id}
    assert offices.filter(code="BG-VP", short_name="Văn phòng Cục").exists()

    chi_cuc = OrgUnit.objects.filter(kind=UnitKind.SUB_DEPARTMENT)
    prefix = "Chi cục Thi hành án dân sự "
    assert chi_cuc.count() == 10
    assert all(unit.name.startswith(prefix) for unit in chi_cuc)
    assert {unit.name.removeprefix(prefix) for unit in chi_cuc} == TEN_CHI_CUC
    assert {unit.parent_id for unit in chi_cuc} == {department.id}

    assert OrgUnit.objects.count() == 16
    assert "Units: 16" in output

    # --- and the six demo logins of the README
    assert set(User.objects.values_list("username", flat=True)) == set(LOGINS)
    for username, (unit_code, role, is_staff) in LOGINS.items():
        user = User.objects.get(username=username)
        [membership] = user.memberships.all()
        assert (membership.unit.code, membership.role) == (unit_code, role), username
        assert membership.valid_to is None
        assert user.is_staff is is_staff, username
        assert user.is_superuser is False
        assert user.check_password(DEMO_PASSWORD)
    assert User.objects.get(username="director").full_name == "Nguyễn Thị Bích Tần"
    assert "director" in output and DEMO_PASSWORD in output

    group = Group.objects.get(name="Lãnh đạo Cục")
    assert set(group.user_set.values_list("username", flat=True)) == {
        "director",
        "deputy",
        "office",
    }
    assert group.permissions.filter(codename="change_orgunit").exists()


def test_the_seeded_demo_works_through_the_api(db, api_client, client_for):
    _seed()
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "director", "password": "thads-demo"}, format="json"
    )
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    me = api_client.get("/api/v1/me/").json()
    assert me["is_leadership"] is True
    assert me["full_name"] == "Nguyễn Thị Bích Tần"
    assert me["memberships"][0]["unit"]["code"] == "BG-CUC"

    officer = client_for(User.objects.get(username="hiephoa.officer"))
    hiephoa = OrgUnit.objects.get(code="CC-HIEPHOA")
    assert officer.get("/api/v1/me/").json()["visible_unit_ids"] == [hiephoa.id]
    body = officer.get("/api/v1/units/", {"q": "hiep hoa"}).json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [row["code"] for row in rows] == ["CC-HIEPHOA"]


def test_running_seed_demo_twice_changes_no_row_and_no_password(db):
    _seed()
    counts = _counts()
    hashes = dict(User.objects.values_list("username", "password"))
    _seed()
    assert _counts() == counts
    assert dict(User.objects.values_list("username", "password")) == hashes


def test_seeding_again_keeps_a_changed_password_and_an_edited_unit(db):
    seed_demo_logins(seed_organisation())
    director = User.objects.get(username="director")
    director.set_password("a-real-password")
    director.save()
    OrgUnit.objects.filter(code="CC-HIEPHOA").update(short_name="HH")

    seed_demo_logins(seed_organisation())

    director.refresh_from_db()
    assert director.check_password("a-real-password")
    assert OrgUnit.objects.get(code="CC-HIEPHOA").short_name == "HH"


def test_no_logins_loads_the_organisation_only(db):
    output = _seed("--no-logins")
    assert OrgUnit.objects.count() == 16
    assert User.objects.count() == 0
    assert Membership.objects.count() == 0
    assert DEMO_PASSWORD not in output
