"""The permission matrix: every directives endpoint and verb × every kind of caller.

The work under test belongs to Hiệp Hòa's team 1 (a unit below Hiệp Hòa), so the
head of Hiệp Hòa is the head of the *parent* unit: he sees the team's work and
may not act on it. Each cell builds its own assignment, in the state where the
allowed caller succeeds, so no cell sees another's writes.

Expected: anonymous 401; outside the caller's scope 404 (and absent from lists);
in scope but not allowed 403; allowed 2xx. A refused call writes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import get_resolver, resolve

from directives import services
from directives.models import (
    Assignment,
    AssignmentEvent,
    Attachment,
    Category,
    Directive,
    ExtensionRequest,
    ProgressReport,
    RecurringSchedule,
    ReminderPolicy,
    SourceDocument,
)
from tests.directives.factories import (
    API,
    FAR_DUE,
    DirectiveFactory,
    DocumentFactory,
    assign_one,
    drive,
    request_extension,
)
from tests.directives.test_files import pdf_bytes
from tests.factories import member
from units.models import Role

LEADERS = ("director", "deputy_director", "office_staff")
MEMBERS = ("unit_head", "unit_officer")
WATCHERS = ("parent_head",)
OUTSIDERS = ("other_officer", "no_membership")
ROLES = ("anonymous", *LEADERS, *MEMBERS, *WATCHERS, *OUTSIDERS)
IN_SCOPE = (*LEADERS, *MEMBERS, *WATCHERS)


@dataclass
class World:
    users: dict
    org: object
    document: SourceDocument
    directive: Directive
    assignment: Assignment
    extension: ExtensionRequest | None = None
    attachment: Attachment | None = None


@dataclass(frozen=True)
class Endpoint:
    """`kind` decides the expected answer per role (see `expected`)."""

    name: str
    method: str
    path: Callable[[World], str]
    kind: str  # list | read | create | leader | member | leader_collection
    ok: int = 200
    body: Callable[[World], dict] = lambda w: {}
    state: str = "assigned"  # the assignment's status before the call
    needs: tuple[str, ...] = ()  # "extension", "attachment"
    if_match: bool = False
    listed: Callable[[World], object] | None = None  # what a visible caller finds in a list
    format: str = "json"


def _a(w: World, action: str = "") -> str:
    return f"{API}/assignments/{w.assignment.pk}/" + (f"{action}/" if action else "")


LATER = str(FAR_DUE + timedelta(days=7))

ENDPOINTS = [
    # documents
    Endpoint(
        "documents-list",
        "get",
        lambda w: f"{API}/documents/",
        "list",
        listed=lambda w: w.document.pk,
    ),
    Endpoint("documents-detail", "get", lambda w: f"{API}/documents/{w.document.pk}/", "read"),
    Endpoint(
        "documents-create",
        "post",
        lambda w: f"{API}/documents/",
        "create",
        ok=201,
        body=lambda w: {"kind": "plan", "title": "Kế hoạch", "issued_on": "2022-05-01"},
    ),
    Endpoint(
        "documents-patch",
        "patch",
        lambda w: f"{API}/documents/{w.document.pk}/",
        "leader",
        body=lambda w: {"title": "Tiêu đề mới"},
    ),
    Endpoint(
        "documents-extract",
        "post",
        lambda w: f"{API}/documents/{w.document.pk}/extract/",
        "leader",
        body=lambda w: {"confirm": False},
    ),
    # directives
    Endpoint(
        "directives-list",
        "get",
        lambda w: f"{API}/directives/",
        "list",
        listed=lambda w: w.directive.pk,
    ),
    Endpoint("directives-detail", "get", lambda w: f"{API}/directives/{w.directive.pk}/", "read"),
    Endpoint(
        "directives-create",
        "post",
        lambda w: f"{API}/directives/",
        "create",
        ok=201,
        body=lambda w: {
            "document": w.document.pk,
            "label": "9",
            "body": "Thống kê.",
            "category": "other",
        },
    ),
    Endpoint(
        "directives-patch",
        "patch",
        lambda w: f"{API}/directives/{w.directive.pk}/",
        "leader",
        body=lambda w: {"title": "Tiêu đề mới"},
    ),
    Endpoint(
        "directives-assign",
        "post",
        lambda w: f"{API}/directives/{w.directive.pk}/assign/",
        "leader",
        ok=201,
        body=lambda w: {"units": [w.org.yenthe.pk], "due_date": str(FAR_DUE)},
    ),
    Endpoint(
        "directives-revoke",
        "post",
        lambda w: f"{API}/directives/{w.directive.pk}/revoke/",
        "leader",
        body=lambda w: {"reason": "Thu hồi"},
    ),
    # categories
    Endpoint(
        "categories-list",
        "get",
        lambda w: f"{API}/categories/",
        "list",
        listed=lambda w: "verification",
    ),
    Endpoint(
        "categories-create",
        "post",
        lambda w: f"{API}/categories/",
        "create",
        ok=201,
        body=lambda w: {"code": "statistics", "name_vi": "Thống kê", "name_en": "Statistics"},
    ),
    # assignments
    Endpoint(
        "assignments-list",
        "get",
        lambda w: f"{API}/assignments/",
        "list",
        listed=lambda w: w.assignment.pk,
    ),
    Endpoint("assignments-detail", "get", lambda w: _a(w), "read"),
    Endpoint(
        "assignments-patch",
        "patch",
        lambda w: _a(w),
        "leader",
        if_match=True,
        body=lambda w: {"due_date": LATER},
    ),
    Endpoint(
        "assignments-acknowledge", "post", lambda w: _a(w, "acknowledge"), "member", if_match=True
    ),
    Endpoint(
        "assignments-progress",
        "post",
        lambda w: _a(w, "progress"),
        "member",
        ok=201,
        if_match=True,
        body=lambda w: {"percent": 30, "note": "Đang làm"},
    ),
    Endpoint("assignments-reports", "get", lambda w: _a(w, "reports"), "read", state="in_progress"),
    Endpoint(
        "assignments-extensions",
        "post",
        lambda w: _a(w, "extensions"),
        "member",
        ok=201,
        if_match=True,
        body=lambda w: {"requested_due_date": LATER, "reason": "Cần thêm"},
    ),
    Endpoint(
        "assignments-complete",
        "post",
        lambda w: _a(w, "complete"),
        "member",
        if_match=True,
        state="in_progress",
        body=lambda w: {"note": "Xong"},
    ),
    Endpoint(
        "assignments-accept",
        "post",
        lambda w: _a(w, "accept"),
        "leader",
        if_match=True,
        state="reported",
    ),
    Endpoint(
        "assignments-return",
        "post",
        lambda w: _a(w, "return"),
        "leader",
        if_match=True,
        state="reported",
        body=lambda w: {"reason": "Bổ sung"},
    ),
    Endpoint(
        "assignments-cancel",
        "post",
        lambda w: _a(w, "cancel"),
        "leader",
        if_match=True,
        body=lambda w: {"reason": "Giao nhầm"},
    ),
    Endpoint("assignments-history", "get", lambda w: _a(w, "history"), "read"),
    Endpoint(
        "assignments-transfer",
        "post",
        lambda w: f"{API}/assignments/transfer/",
        "leader_collection",
        body=lambda w: {"from_unit": w.org.team.pk, "to_unit": w.org.yenthe.pk},
    ),
    # extensions
    Endpoint(
        "extensions-list",
        "get",
        lambda w: f"{API}/extensions/",
        "list",
        needs=("extension",),
        listed=lambda w: w.extension.pk,
    ),
    Endpoint(
        "extensions-detail",
        "get",
        lambda w: f"{API}/extensions/{w.extension.pk}/",
        "read",
        needs=("extension",),
    ),
    Endpoint(
        "extensions-approve",
        "post",
        lambda w: f"{API}/extensions/{w.extension.pk}/approve/",
        "leader",
        needs=("extension",),
    ),
    Endpoint(
        "extensions-reject",
        "post",
        lambda w: f"{API}/extensions/{w.extension.pk}/reject/",
        "leader",
        needs=("extension",),
        body=lambda w: {"reason": "Không đủ căn cứ"},
    ),
    # recurrence and reminder policies (the reminders feature's endpoints on directives)
    Endpoint(
        "directives-recurrence-read",
        "get",
        lambda w: f"{API}/directives/{w.directive.pk}/recurrence/",
        "read",
        needs=("schedule",),
    ),
    Endpoint(
        "directives-recurrence-set",
        "put",
        lambda w: f"{API}/directives/{w.directive.pk}/recurrence/",
        "leader",
        body=lambda w: {
            "rrule": "FREQ=MONTHLY;BYMONTHDAY=15",
            "starts_on": "2022-05-01",
            "units": [w.org.team.pk],
        },
    ),
    Endpoint(
        "reminder-policies-list", "get", lambda w: f"{API}/reminder-policies/", "leader_collection"
    ),
    Endpoint(
        "reminder-policies-set",
        "post",
        lambda w: f"{API}/reminder-policies/",
        "leader_collection",
        body=lambda w: {"before_working_days": [5, 2]},
    ),
    # evidence files
    Endpoint(
        "attachments-detail",
        "get",
        lambda w: f"{API}/attachments/{w.attachment.pk}/",
        "read",
        needs=("attachment",),
        state="in_progress",
    ),
    Endpoint(
        "attachments-download",
        "get",
        lambda w: f"{API}/attachments/{w.attachment.pk}/download/",
        "read",
        needs=("attachment",),
        state="in_progress",
    ),
]


def expected(endpoint: Endpoint, role: str) -> int:
    if role == "anonymous":
        return 401
    if endpoint.kind == "list":
        return 200
    if endpoint.kind == "create":
        return endpoint.ok if role in LEADERS else 403
    if endpoint.kind == "leader_collection":
        return endpoint.ok if role in LEADERS else 403
    if role in OUTSIDERS:
        return 404
    if endpoint.kind == "read":
        return endpoint.ok
    allowed = LEADERS if endpoint.kind == "leader" else MEMBERS
    return endpoint.ok if role in allowed else 403


WRITTEN = (
    SourceDocument,
    Directive,
    Category,
    Assignment,
    AssignmentEvent,
    ProgressReport,
    ExtensionRequest,
    Attachment,
    RecurringSchedule,
    ReminderPolicy,
)


def snapshot() -> tuple:
    """Row counts of every table a directives endpoint writes, and the state of the
    rows a refused call could change in place, in two queries: the matrix runs
    hundreds of cells."""
    counts = " UNION ALL ".join(
        f"SELECT '{model._meta.db_table}', COUNT(*) FROM {model._meta.db_table}"  # noqa: S608
        for model in WRITTEN
    )
    with connection.cursor() as cursor:
        cursor.execute(counts)
        rows = tuple(cursor.fetchall())
    state = tuple(
        Assignment.objects.order_by("id").values_list(
            "id",
            "unit_id",
            "status",
            "version",
            "directive__title",
            "directive__is_active",
            "directive__document__title",
        )
    )
    return rows, state


def build_world(endpoint: Endpoint, org, people) -> World:
    team_head = member(org.team, Role.HEAD, username="team.head")
    team_officer = member(org.team, Role.OFFICER, username="team.officer")
    users = {
        "director": people.director,
        "deputy_director": people.deputy_director,
        "office_staff": people.office_staff,
        "unit_head": team_head,
        "parent_head": people.head,
        "unit_officer": team_officer,
        "other_officer": people.other_officer,
        "no_membership": people.no_membership,
    }
    document = DocumentFactory(created_by=people.director)
    directive = DirectiveFactory(document=document)
    assignment = assign_one(actor=people.director, unit=org.team, directive=directive)
    world = World(users, org, document, directive, assignment)
    drive(assignment, endpoint.state, leader=people.director, member=team_officer)
    if "attachment" in endpoint.needs:
        report = services.assignment_report_progress(
            actor=team_officer,
            assignment=assignment,
            percent=20,
            files=[SimpleUploadedFile("bien-ban.pdf", pdf_bytes(), "application/pdf")],
        )
        world.attachment = report.attachments.get()
    if "schedule" in endpoint.needs:
        services.recurring_schedule_set(
            actor=people.director,
            directive=directive,
            rrule="FREQ=MONTHLY;BYMONTHDAY=15",
            starts_on=date(2022, 5, 1),
            units=[org.team],
        )
    if "extension" in endpoint.needs:
        world.extension = request_extension(
            assignment, member=team_officer, requested=FAR_DUE + timedelta(days=7)
        )
    assignment.refresh_from_db()
    return world


def _found_in(payload, value) -> bool:
    rows = payload["results"] if isinstance(payload, dict) else payload
    return any(value in (row.get("id"), row.get("code")) for row in rows)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_permission_matrix(client_as, org, people, endpoint, role):
    world = build_world(endpoint, org, people)
    user = world.users.get(role)
    client = client_as(user)
    headers = {}
    if endpoint.if_match:
        # The caller's own current ETag where they can read one, so that only the
        # permission decides; an outsider cannot, and sends a plausible one.
        current = client.get(_a(world)) if user else None
        headers["HTTP_IF_MATCH"] = (
            current["ETag"] if current is not None and current.status_code == 200 else '"1-x"'
        )
    before = snapshot()

    response = getattr(client, endpoint.method)(
        endpoint.path(world), endpoint.body(world), format=endpoint.format, **headers
    )

    want = expected(endpoint, role)
    assert response.status_code == want, (endpoint.name, role, response.content[:300])
    if want >= 400:
        code = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}[want]
        assert response.json()["code"] == code
        assert snapshot() == before
    if endpoint.kind == "list" and want == 200:
        visible = role in IN_SCOPE or endpoint.name == "categories-list"
        assert _found_in(response.json(), endpoint.listed(world)) == visible, (endpoint.name, role)


def test_the_matrix_covers_every_route_and_verb_of_the_directives_api():
    some = SimpleNamespace(pk=1)
    fake = SimpleNamespace(
        document=some, directive=some, assignment=some, extension=some, attachment=some, org=None
    )
    routed = {
        (pattern.name, method)
        for pattern in get_resolver("directives.urls").url_patterns
        for method in pattern.callback.actions
        # DRF adds HEAD, answered as GET, once a route has served a GET.
        if method != "head"
    }

    covered = set()
    for endpoint in ENDPOINTS:
        match = resolve(endpoint.path(fake))
        assert endpoint.method in match.func.actions, endpoint.name
        covered.add((match.url_name, endpoint.method))

    assert covered == routed
