"""Documents, directives and assignments for the directives suite, and HTTP helpers.

Documents and directives are plain rows (factory_boy): tests about their services
call the services. Assignments are always made through `services.directive_assign`
and moved along the workflow through the services, so every one of them has the
history, version and timestamps a real one has.
"""

import re
from datetime import date, datetime
from pathlib import Path

import factory
from factory.django import DjangoModelFactory
from rest_framework.test import APIClient

from directives import services
from directives.models import (
    Assignment,
    AssignmentStatus,
    Category,
    Directive,
    DocumentKind,
    ExtensionRequest,
    SourceDocument,
)
from thads.clock import LOCAL_TZ
from units.models import OrgUnit, User

SEED = Path(__file__).resolve().parents[2] / "demo" / "hoi-nghi-so-ket-6-thang-2022.txt"

# The seed conference was on Friday 22/4/2022; its news item is dated Monday 25/4/2022.
DOCUMENT_DATE = date(2022, 4, 25)
# A working day far enough ahead that an open assignment is on time whatever today is.
FAR_DUE = date(2099, 12, 30)  # a Wednesday

SHORT_BODY = (
    "Yêu cầu các đơn vị: (1) Xác minh điều kiện thi hành án đúng thời hạn; "
    "(2) Tăng cường giám sát hoạt động kê biên, bán đấu giá tài sản."
)


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """An aware instant given in Asia/Ho_Chi_Minh local time."""
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)


def seed_conclusion() -> str:
    """The director's conclusion (and the signature line under it), as a client posts it."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Kết luận Hội nghị"))
    return "\n".join(lines[start:])


def category(code: str = "verification") -> Category:
    """A category seeded by migration 0002."""
    return Category.objects.get(code=code)


class DocumentFactory(DjangoModelFactory):
    class Meta:
        model = SourceDocument

    kind = DocumentKind.CONCLUSION
    number = factory.Sequence(lambda n: f"{n}/KL-CTHADS")
    title = factory.Sequence(lambda n: f"Kết luận Hội nghị sơ kết số {n}")
    issued_on = DOCUMENT_DATE
    body = SHORT_BODY


class DirectiveFactory(DjangoModelFactory):
    class Meta:
        model = Directive

    document = factory.SubFactory(DocumentFactory)
    label = factory.Sequence(lambda n: str(n + 1))
    position = factory.Sequence(lambda n: n + 1)
    title = "Xác minh điều kiện thi hành án"
    body = "Xác minh đúng thời hạn, xác định đúng việc có điều kiện thi hành án."
    category = factory.LazyFunction(category)


def assign(
    *,
    actor: User,
    units: list[OrgUnit],
    lead: OrgUnit | None = None,
    directive: Directive | None = None,
    due_date: date = FAR_DUE,
    now: datetime | None = None,
) -> list[Assignment]:
    """Assign through the service; the first unit leads unless `lead` says otherwise."""
    directive = directive or DirectiveFactory()
    return services.directive_assign(
        actor=actor,
        directive=directive,
        units=units,
        lead_unit=lead if lead is not None else units[0],
        due_date=due_date,
        now=now,
    )


def assign_one(
    *,
    actor: User,
    unit: OrgUnit,
    directive: Directive | None = None,
    due_date: date = FAR_DUE,
    now: datetime | None = None,
) -> Assignment:
    """One lead assignment of a fresh (or the given) directive to `unit`."""
    return assign(actor=actor, units=[unit], directive=directive, due_date=due_date, now=now)[0]


def drive(
    assignment: Assignment,
    status: str,
    *,
    leader: User,
    member: User,
    now: datetime | None = None,
) -> Assignment:
    """Move a fresh assignment to `status` the way people would, through the services."""
    steps = {
        AssignmentStatus.ASSIGNED: [],
        AssignmentStatus.ACKNOWLEDGED: ["acknowledge"],
        AssignmentStatus.IN_PROGRESS: ["acknowledge", "progress"],
        AssignmentStatus.REPORTED: ["acknowledge", "progress", "complete"],
        AssignmentStatus.DONE: ["acknowledge", "progress", "complete", "accept"],
        AssignmentStatus.CANCELLED: ["cancel"],
    }[status]
    for step in steps:
        if step == "acknowledge":
            services.assignment_acknowledge(actor=member, assignment=assignment, now=now)
        elif step == "progress":
            services.assignment_report_progress(
                actor=member, assignment=assignment, percent=50, note="Đang làm", now=now
            )
        elif step == "complete":
            services.assignment_report_completion(
                actor=member, assignment=assignment, note="Xong", now=now
            )
        elif step == "accept":
            services.assignment_accept(actor=leader, assignment=assignment, now=now)
        elif step == "cancel":
            services.assignment_cancel(
                actor=leader, assignment=assignment, reason="Không còn cần", now=now
            )
    assignment.refresh_from_db()
    assert assignment.status == status
    return assignment


def request_extension(
    assignment: Assignment, *, member: User, requested: date, now: datetime | None = None
) -> ExtensionRequest:
    return services.extension_request_create(
        actor=member,
        assignment=assignment,
        requested_due_date=requested,
        reason="Chờ kết quả thẩm định giá",
        now=now,
    )


# --- HTTP helpers -------------------------------------------------------------------

API = "/api/v1"
_ASSIGNMENT_PATH = re.compile(r"/assignments/(\d+)/")


def etag(client: APIClient, assignment_id: int) -> str:
    """The assignment's current ETag, as the client would read it before a write."""
    response = client.get(f"{API}/assignments/{assignment_id}/")
    assert response.status_code == 200, response.content
    return response["ETag"]


def post_if_match(
    client: APIClient,
    path: str,
    data: dict | None = None,
    *,
    format: str = "json",
    method: str = "post",
    tag: str | None = None,
    **extra,
):
    """POST (or PATCH) to an assignment's endpoint with its current ETag in If-Match.

    `tag` sends that ETag instead of the current one (a stale one, say).
    """
    match = _ASSIGNMENT_PATH.search(path)
    assert match, f"{path} is not an assignment's endpoint"
    if tag is None:
        tag = etag(client, int(match.group(1)))
    send = getattr(client, method)
    return send(path, data or {}, format=format, HTTP_IF_MATCH=tag, **extra)
