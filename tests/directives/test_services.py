"""directives.services: every write, its rules, its refusals, and its history.

A refused call must write nothing: each refusal is checked against a snapshot of
every table the services write, and of every assignment's version and state.
"""

import unicodedata
import uuid
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directives import selectors, services
from directives.access import PERMISSION_DENIED, TRANSITION_NOT_ALLOWED
from directives.models import (
    Assignment,
    AssignmentEvent,
    AssignmentRole,
    AssignmentStatus,
    Attachment,
    Directive,
    DocumentLink,
    DocumentRelation,
    ExtensionRequest,
    ExtensionStatus,
    ProgressReport,
    SourceDocument,
    Timeliness,
)
from tests.directives.factories import (
    DOCUMENT_DATE,
    FAR_DUE,
    DirectiveFactory,
    DocumentFactory,
    assign,
    assign_one,
    category,
    drive,
    local,
    request_extension,
    seed_conclusion,
)
from tests.factories import OrgUnitFactory
from thads.errors import DomainError

E = AssignmentEvent.Action
S = AssignmentStatus

# Friday 30/9/2022: the deadline the seed's second half-year work runs to.
DUE = date(2022, 9, 30)


def snapshot() -> dict:
    """Everything a directives service may write."""
    return {
        "documents": list(SourceDocument.objects.values_list("id", "title", "updated_at")),
        "links": DocumentLink.objects.count(),
        "directives": list(
            Directive.objects.order_by("id").values_list("id", "position", "is_active", "label")
        ),
        "assignments": list(
            Assignment.objects.order_by("id").values_list(
                "id", "unit_id", "status", "version", "due_date", "progress", "return_count"
            )
        ),
        "events": AssignmentEvent.objects.count(),
        "reports": ProgressReport.objects.count(),
        "extensions": list(ExtensionRequest.objects.values_list("id", "status")),
        "attachments": Attachment.objects.count(),
    }


@contextmanager
def refused(code: str, status_code: int | None = None):
    """The block raises DomainError `code` (with `status_code`) and writes nothing."""
    before = snapshot()
    with pytest.raises(DomainError) as excinfo:
        yield excinfo
    assert excinfo.value.code == code, excinfo.value
    if status_code is not None:
        assert excinfo.value.status_code == status_code
    assert snapshot() == before


@pytest.fixture
def hiephoa_due(director, org) -> Assignment:
    """Hiệp Hòa leads a directive due Friday 30/9/2022, assigned on 2/5/2022."""
    return assign_one(actor=director, unit=org.hiephoa, due_date=DUE, now=local(2022, 5, 4))


def events(assignment: Assignment) -> list[str]:
    return list(assignment.events.order_by("at", "id").values_list("action", flat=True))


def timeliness(assignment: Assignment, today: date) -> str | None:
    """The SQL annotation's answer, cross-checked against the Python rule."""
    annotated = (
        Assignment.objects.filter(pk=assignment.pk)
        .annotate(timeliness=selectors.timeliness_expression(today=today))
        .get()
    )
    assert selectors.timeliness_of(annotated, today=today) == annotated.timeliness
    return annotated.timeliness


# --- documents ----------------------------------------------------------------------


def test_document_create_stores_the_document_in_nfc(director, org):
    title = unicodedata.normalize("NFD", "Kết luận Hội nghị sơ kết 6 tháng đầu năm 2022")

    document = services.document_create(
        actor=director,
        kind="conclusion",
        number="123/KL-CTHADS",
        title=title,
        issued_on=DOCUMENT_DATE,
        body=seed_conclusion(),
        issuing_unit=org.department,
        signatory="Nguyễn Thị Bích Tần",
    )

    document.refresh_from_db()
    assert document.title == unicodedata.normalize("NFC", title)
    assert document.title != title
    assert "ket luan hoi nghi" in document.search_key
    assert document.created_by == director
    assert document.issuing_unit == org.department


def test_document_create_refuses_an_officer(officer):
    with refused(PERMISSION_DENIED, 403):
        services.document_create(
            actor=officer, kind="conclusion", title="Kết luận", issued_on=DOCUMENT_DATE
        )


def test_document_create_refuses_a_period_that_ends_before_it_starts(director):
    with refused("invalid_dates"):
        services.document_create(
            actor=director,
            kind="plan",
            title="Kế hoạch",
            issued_on=DOCUMENT_DATE,
            period_start=date(2022, 10, 1),
            period_end=date(2022, 9, 30),
        )


def test_document_create_refuses_an_unknown_kind(director):
    from django.core.exceptions import ValidationError

    before = snapshot()
    with pytest.raises(ValidationError):
        services.document_create(
            actor=director, kind="memo", title="Bản ghi nhớ", issued_on=DOCUMENT_DATE
        )
    assert snapshot() == before


def test_document_create_records_its_links(director, document):
    plan = services.document_create(
        actor=director,
        kind="plan",
        title="Kế hoạch triển khai Kết luận",
        issued_on=date(2022, 5, 10),
        links=[(DocumentRelation.IMPLEMENTS, document)],
    )

    link = DocumentLink.objects.get(source=plan)
    assert (link.target, link.relation) == (document, "implements")


def test_document_link_refuses_a_document_linked_to_itself(director, document):
    with refused(services.LINK_TO_SELF):
        services.document_link(actor=director, source=document, target=document, relation="amends")


def test_document_link_refuses_an_unknown_relation(director, document):
    other = DocumentFactory()
    with refused("invalid_relation"):
        services.document_link(actor=director, source=other, target=document, relation="cites")


def test_document_update_changes_the_fields_given(director, document):
    services.document_update(actor=director, document=document, title="Tiêu đề mới")

    document.refresh_from_db()
    assert document.title == "Tiêu đề mới"


def test_document_update_refuses_an_officer(officer, document):
    with refused(PERMISSION_DENIED, 403):
        services.document_update(actor=officer, document=document, title="Sửa trộm")


# --- extraction ---------------------------------------------------------------------


def test_extract_preview_finds_the_eight_printed_items_of_the_seed_conclusion(director):
    document = DocumentFactory(body=seed_conclusion())

    items = services.document_extract_preview(document=document)

    assert [item.label for item in items] == ["1", "2", "2", "3", "4", "5", "6", "7"]
    assert [item.position for item in items] == list(range(1, 9))
    assert items[0].category == "verification"
    assert not Directive.objects.exists()


def test_extract_preview_of_a_body_without_numbered_items_is_422(director):
    document = DocumentFactory(body="Hội nghị đã thảo luận và thống nhất các nội dung.")

    with refused(services.NO_NUMBERED_ITEMS, 422):
        services.document_extract_preview(document=document)


def test_extract_confirm_creates_the_directives_in_printed_order(director):
    document = DocumentFactory(body=seed_conclusion())

    directives = services.document_extract_confirm(
        actor=director, document=document, default_due_date=DUE
    )

    stored = list(document.directives.order_by("position"))
    assert stored == directives
    assert [d.label for d in stored] == ["1", "2", "2", "3", "4", "5", "6", "7"]
    assert [d.position for d in stored] == list(range(1, 9))
    assert stored[0].category.code == "verification"
    assert stored[0].title.startswith("Xác minh đúng thời hạn")
    assert {d.default_due_date for d in stored} == {DUE}


def test_extract_confirm_uses_the_clients_edited_items(director, document):
    items = [
        {"label": "1", "title": "", "body": "Xác minh đúng thời hạn.", "category": "verification"},
        {
            "label": "1a",
            "title": "Kê biên",
            "body": "Kê biên tài sản.",
            "category": "asset_auction",
        },
    ]

    directives = services.document_extract_confirm(actor=director, document=document, items=items)

    assert [(d.label, d.position, d.category.code) for d in directives] == [
        ("1", 1, "verification"),
        ("1a", 2, "asset_auction"),
    ]
    assert directives[0].title == "Xác minh đúng thời hạn"
    assert directives[1].title == "Kê biên"


def test_extract_confirm_twice_is_refused(director, document):
    services.document_extract_confirm(actor=director, document=document)

    with refused(services.DIRECTIVES_EXIST, 409):
        services.document_extract_confirm(actor=director, document=document)


def test_extract_confirm_refuses_an_unknown_category(director, document):
    items = [
        {"label": "1", "body": "Xác minh đúng thời hạn.", "category": "verification"},
        {"label": "2", "body": "Một việc khác.", "category": "gardening"},
    ]
    with refused(services.UNKNOWN_CATEGORY):
        services.document_extract_confirm(actor=director, document=document, items=items)


def test_extract_confirm_refuses_a_default_deadline_before_the_document(director, document):
    with refused(services.DUE_BEFORE_DOCUMENT):
        services.document_extract_confirm(
            actor=director, document=document, default_due_date=date(2022, 4, 24)
        )


def test_extract_confirm_refuses_an_officer(officer, document):
    with refused(PERMISSION_DENIED, 403):
        services.document_extract_confirm(actor=officer, document=document)


# --- directives -----------------------------------------------------------------


def test_directive_create_appends_after_the_last_position(director, document):
    first = services.directive_create(
        actor=director, document=document, label="1", body="Xác minh.", category="verification"
    )
    second = services.directive_create(
        actor=director, document=document, label="2", body="Kê biên.", category="asset_auction"
    )

    assert (first.position, second.position) == (1, 2)
    assert second.category.code == "asset_auction"
    assert second.title == "Kê biên"


def test_directive_create_at_a_taken_position_inserts_before_it(director, document):
    for label in ("1", "2", "3"):
        services.directive_create(
            actor=director, document=document, label=label, body="Nội dung.", category="other"
        )

    services.directive_create(
        actor=director,
        document=document,
        label="2",
        body="Mục in trùng số.",
        category="other",
        position=2,
    )

    assert list(document.directives.order_by("position").values_list("label", "body")) == [
        ("1", "Nội dung."),
        ("2", "Mục in trùng số."),
        ("2", "Nội dung."),
        ("3", "Nội dung."),
    ]


def test_directive_create_stores_nfd_text_in_nfc_and_searchable(director, document):
    body = unicodedata.normalize("NFD", "Xác minh điều kiện thi hành án")

    directive = services.directive_create(
        actor=director, document=document, label="1", body=body, category="verification"
    )

    directive.refresh_from_db()
    assert directive.body == unicodedata.normalize("NFC", body)
    assert "xac minh dieu kien" in directive.search_key


def test_directive_create_refuses_an_unknown_category(director, document):
    with refused(services.UNKNOWN_CATEGORY):
        services.directive_create(
            actor=director, document=document, label="1", body="Nội dung.", category="gardening"
        )


def test_directive_create_refuses_an_inactive_category(director, document):
    category("other").__class__.objects.filter(code="other").update(is_active=False)

    with refused(services.UNKNOWN_CATEGORY):
        services.directive_create(
            actor=director, document=document, label="1", body="Nội dung.", category="other"
        )


def test_directive_create_refuses_a_default_deadline_before_the_document(director, document):
    with refused(services.DUE_BEFORE_DOCUMENT):
        services.directive_create(
            actor=director,
            document=document,
            label="1",
            body="Nội dung.",
            category="other",
            default_due_date=date(2022, 1, 1),
        )


def test_directive_create_refuses_an_officer(officer, document):
    with refused(PERMISSION_DENIED, 403):
        services.directive_create(
            actor=officer, document=document, label="1", body="Nội dung.", category="other"
        )


def test_directive_update_changes_category_and_refuses_an_unknown_one(director, directive):
    services.directive_update(actor=director, directive=directive, category="it_adoption")
    directive.refresh_from_db()
    assert directive.category.code == "it_adoption"

    with refused(services.UNKNOWN_CATEGORY):
        services.directive_update(actor=director, directive=directive, category="gardening")


def test_directive_revoke_cancels_open_assignments_and_keeps_finished_ones(
    director, people, org, directive
):
    hiephoa, yenthe = assign(actor=director, units=[org.hiephoa, org.yenthe], directive=directive)
    drive(yenthe, S.DONE, leader=director, member=people.other_officer)

    services.directive_revoke(actor=director, directive=directive, reason="Đã có văn bản thay thế")

    directive.refresh_from_db()
    hiephoa.refresh_from_db()
    yenthe.refresh_from_db()
    assert not directive.is_active
    assert directive.revoked_at is not None
    assert hiephoa.status == S.CANCELLED
    assert hiephoa.events.get(action=E.CANCELLED).note == "Đã có văn bản thay thế"
    assert yenthe.status == S.DONE


def test_directive_revoke_requires_a_reason(director, assignment):
    with refused(services.REASON_REQUIRED):
        services.directive_revoke(actor=director, directive=assignment.directive, reason="  ")


def test_directive_assign_refuses_a_revoked_directive(director, org, directive):
    services.directive_revoke(actor=director, directive=directive, reason="Thu hồi")

    with refused(services.DIRECTIVE_REVOKED, 409):
        assign(actor=director, units=[org.hiephoa], directive=directive)


# --- assigning --------------------------------------------------------------------


def test_directive_assign_creates_one_lead_and_coordinating_units(director, org, directive):
    # Saturday 3/9/2022, after the Quốc khánh holidays of Thu 1/9 and Fri 2/9.
    created = services.directive_assign(
        actor=director,
        directive=directive,
        units=[org.yenthe, org.hiephoa, org.office],
        lead_unit=org.hiephoa,
        due_date=date(2022, 9, 3),
        now=local(2022, 5, 4),
    )

    assert [(a.unit, a.role) for a in created] == [
        (org.yenthe, AssignmentRole.COORDINATING),
        (org.hiephoa, AssignmentRole.LEAD),
        (org.office, AssignmentRole.COORDINATING),
    ]
    for assignment in created:
        assignment.refresh_from_db()
        assert assignment.status == S.ASSIGNED
        assert assignment.version == 1
        assert assignment.due_date == assignment.original_due_date == date(2022, 9, 5)
        assert assignment.assigned_by == director
        event = assignment.events.get()
        assert (event.action, event.actor) == (E.ASSIGNED, director)
        assert "05/09/2022" in event.note


def test_directive_assign_adds_coordinating_units_to_a_directive_that_has_a_lead(
    director, org, assignment
):
    more = services.directive_assign(
        actor=director, directive=assignment.directive, units=[org.yenthe], due_date=FAR_DUE
    )

    assert more[0].role == AssignmentRole.COORDINATING


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("same_unit_twice", services.DUPLICATE_UNIT),
        ("no_lead", services.LEAD_REQUIRED),
        ("lead_not_among_units", services.LEAD_NOT_AMONG_UNITS),
        ("second_lead", services.TWO_LEADS),
        ("unit_already_assigned", services.UNIT_ALREADY_ASSIGNED),
        ("inactive_unit", services.UNIT_INACTIVE),
        ("due_before_document", services.DUE_BEFORE_DOCUMENT),
        ("due_in_year_9999", services.DAY_OUT_OF_RANGE),
    ],
)
def test_directive_assign_refuses_bad_input_and_writes_nothing(director, org, case, code):
    directive = DirectiveFactory()
    kwargs = {
        "actor": director,
        "directive": directive,
        "units": [org.hiephoa, org.yenthe],
        "lead_unit": org.hiephoa,
        "due_date": DUE,
        "now": local(2022, 5, 4),
    }
    if case == "same_unit_twice":
        kwargs["units"] = [org.hiephoa, org.yenthe, org.hiephoa]
    elif case == "no_lead":
        kwargs["lead_unit"] = None
    elif case == "lead_not_among_units":
        kwargs["lead_unit"] = org.office
    elif case == "second_lead":
        assign_one(actor=director, unit=org.office, directive=directive)
    elif case == "unit_already_assigned":
        services.directive_assign(
            actor=director,
            directive=directive,
            units=[org.yenthe],
            lead_unit=org.yenthe,
            due_date=DUE,
        )
        kwargs["lead_unit"] = None
    elif case == "inactive_unit":
        org.yenthe.valid_to = date(2022, 1, 1)
        org.yenthe.save()
    elif case == "due_before_document":
        kwargs["due_date"] = DOCUMENT_DATE - timedelta(days=1)
    elif case == "due_in_year_9999":
        kwargs["due_date"] = date(9999, 12, 31)

    with refused(code):
        services.directive_assign(**kwargs)


def test_directive_assign_refuses_an_officer(officer, org, directive):
    with refused(PERMISSION_DENIED, 403):
        services.directive_assign(
            actor=officer,
            directive=directive,
            units=[org.hiephoa],
            lead_unit=org.hiephoa,
            due_date=DUE,
        )


def test_a_unit_whose_assignment_was_cancelled_is_not_assigned_the_directive_again(
    director, org, assignment
):
    # One row per directive × unit keeps the unit's whole history in one place.
    services.assignment_cancel(actor=director, assignment=assignment, reason="Giao nhầm")

    with refused(services.UNIT_ALREADY_ASSIGNED):
        services.directive_assign(
            actor=director,
            directive=assignment.directive,
            units=[org.hiephoa],
            lead_unit=org.hiephoa,
            due_date=FAR_DUE,
        )


# --- the workflow ---------------------------------------------------------------------


def test_acknowledge_records_who_and_when(officer, assignment):
    at = local(2022, 5, 5, 8, 30)

    services.assignment_acknowledge(actor=officer, assignment=assignment, now=at)

    assignment.refresh_from_db()
    assert assignment.status == S.ACKNOWLEDGED
    assert (assignment.acknowledged_by, assignment.acknowledged_at) == (officer, at)
    assert assignment.version == 2
    event = assignment.events.get(action=E.ACKNOWLEDGED)
    assert (event.actor, event.at) == (officer, at)
    assert (event.before, event.after) == ({"status": "assigned"}, {"status": "acknowledged"})


def test_acknowledge_twice_is_a_conflict_naming_the_allowed_actions(officer, assignment):
    services.assignment_acknowledge(actor=officer, assignment=assignment)

    with refused(TRANSITION_NOT_ALLOWED, 409) as excinfo:
        services.assignment_acknowledge(actor=officer, assignment=assignment)

    assert excinfo.value.extra == {
        "status": "acknowledged",
        "allowed_actions": ["progress", "request_extension", "complete"],
    }


def test_acknowledge_by_an_officer_of_another_unit_is_refused(people, assignment):
    with refused(PERMISSION_DENIED, 403):
        services.assignment_acknowledge(actor=people.other_officer, assignment=assignment)


def test_acknowledge_by_the_head_of_the_parent_unit_is_refused(director, people, org):
    # The head of Hiệp Hòa sees the work of the team below it but does not act for it.
    team_assignment = assign_one(actor=director, unit=org.team)

    with refused(PERMISSION_DENIED, 403):
        services.assignment_acknowledge(actor=people.head, assignment=team_assignment)


def test_acknowledge_by_leadership_is_refused(director, assignment):
    with refused(PERMISSION_DENIED, 403):
        services.assignment_acknowledge(actor=director, assignment=assignment)


def test_a_stale_expected_version_is_refused(officer, assignment):
    with refused(services.VERSION_MISMATCH, 412) as excinfo:
        services.assignment_acknowledge(actor=officer, assignment=assignment, expected_version=7)

    assert excinfo.value.extra == {"current_version": 1}


def test_progress_report_moves_the_assignment_in_progress(officer, assignment):
    report = services.assignment_report_progress(
        actor=officer,
        assignment=assignment,
        percent=40,
        note="Đã xác minh 40 việc",
        figures={"cases": 40},
    )

    assignment.refresh_from_db()
    assert (assignment.status, assignment.progress, assignment.latest_report) == (
        S.IN_PROGRESS,
        40,
        report,
    )
    # Reporting progress is also an acknowledgement of receipt.
    assert assignment.acknowledged_by == officer
    assert (report.kind, report.author, report.figures) == ("progress", officer, {"cases": 40})
    event = assignment.events.get(action=E.PROGRESS_REPORTED)
    assert event.before == {"status": "assigned", "progress": 0}
    assert event.after == {"status": "in_progress", "progress": 40}
    assert event.note == "Đã xác minh 40 việc"


@pytest.mark.parametrize("percent", [-1, 101, 1000])
def test_progress_outside_0_to_100_is_refused(officer, assignment, percent):
    with refused("invalid_percent"):
        services.assignment_report_progress(actor=officer, assignment=assignment, percent=percent)


def test_progress_reports_are_appended_never_replaced(officer, assignment):
    first = services.assignment_report_progress(actor=officer, assignment=assignment, percent=20)
    second = services.assignment_report_progress(actor=officer, assignment=assignment, percent=60)

    assert list(assignment.reports.all()) == [first, second]
    assignment.refresh_from_db()
    assert (assignment.progress, assignment.latest_report) == (60, second)


def test_progress_with_the_same_client_uuid_is_recorded_once(officer, assignment):
    key = uuid.uuid4()

    first = services.assignment_report_progress(
        actor=officer, assignment=assignment, percent=30, client_uuid=key
    )
    before = snapshot()
    again = services.assignment_report_progress(
        actor=officer, assignment=assignment, percent=30, client_uuid=key
    )

    assert again == first
    assert snapshot() == before


def test_progress_on_a_reported_assignment_is_refused(director, officer, assignment):
    drive(assignment, S.REPORTED, leader=director, member=officer)

    with refused(TRANSITION_NOT_ALLOWED, 409) as excinfo:
        services.assignment_report_progress(actor=officer, assignment=assignment, percent=90)

    assert excinfo.value.extra["allowed_actions"] == []


def test_report_note_and_extension_reason_in_nfd_are_stored_in_nfc(officer, hiephoa_due):
    note = unicodedata.normalize("NFD", "Đã xác minh điều kiện thi hành án")
    reason = unicodedata.normalize("NFD", "Chờ kết quả thẩm định giá tài sản")

    report = services.assignment_report_progress(
        actor=officer, assignment=hiephoa_due, percent=10, note=note
    )
    extension = services.extension_request_create(
        actor=officer,
        assignment=hiephoa_due,
        requested_due_date=date(2022, 10, 14),
        reason=reason,
    )

    report.refresh_from_db()
    extension.refresh_from_db()
    assert report.note == unicodedata.normalize("NFC", note)
    assert extension.reason == unicodedata.normalize("NFC", reason)
    assert hiephoa_due.events.get(action=E.PROGRESS_REPORTED).note == report.note


def test_completion_report_sets_reported_and_full_progress(officer, assignment):
    at = local(2022, 9, 29, 16)

    services.assignment_report_completion(
        actor=officer, assignment=assignment, note="Đã hoàn thành", now=at
    )

    assignment.refresh_from_db()
    assert (assignment.status, assignment.progress, assignment.reported_at) == (S.REPORTED, 100, at)
    assert assignment.latest_report.kind == "completion"
    assert assignment.events.get(action=E.COMPLETION_REPORTED).after == {
        "status": "reported",
        "progress": 100,
    }


def test_completion_with_the_same_client_uuid_is_recorded_once(officer, assignment):
    key = uuid.uuid4()
    services.assignment_report_completion(actor=officer, assignment=assignment, client_uuid=key)
    before = snapshot()

    again = services.assignment_report_completion(
        actor=officer, assignment=assignment, client_uuid=key
    )

    assert again.pk == assignment.pk
    assert snapshot() == before


def test_accept_marks_done_judged_on_the_day_the_unit_reported(director, officer, hiephoa_due):
    services.assignment_report_completion(
        actor=officer, assignment=hiephoa_due, now=local(2022, 9, 29, 10)
    )

    services.assignment_accept(actor=director, assignment=hiephoa_due, now=local(2022, 10, 5))

    hiephoa_due.refresh_from_db()
    assert hiephoa_due.status == S.DONE
    assert hiephoa_due.completed_on == date(2022, 9, 29)
    assert timeliness(hiephoa_due, today=date(2022, 10, 5)) == Timeliness.DONE_ON_TIME


def test_accept_by_an_officer_is_refused(director, officer, assignment):
    drive(assignment, S.REPORTED, leader=director, member=officer)

    with refused(PERMISSION_DENIED, 403):
        services.assignment_accept(actor=officer, assignment=assignment)


def test_accept_before_completion_is_reported_is_a_conflict(director, officer, assignment):
    drive(assignment, S.IN_PROGRESS, leader=director, member=officer)

    with refused(TRANSITION_NOT_ALLOWED, 409) as excinfo:
        services.assignment_accept(actor=director, assignment=assignment)

    assert excinfo.value.extra == {"status": "in_progress", "allowed_actions": ["cancel", "update"]}


def test_return_sends_the_work_back_and_counts_returns(director, officer, assignment):
    for expected_count in (1, 2):
        services.assignment_report_completion(actor=officer, assignment=assignment)
        services.assignment_return(
            actor=director, assignment=assignment, reason="Thiếu biên bản xác minh"
        )
        assignment.refresh_from_db()
        assert assignment.status == S.IN_PROGRESS
        assert assignment.return_count == expected_count
        assert assignment.reported_at is None

    returned = assignment.events.filter(action=E.RETURNED).order_by("id").last()
    assert returned.before == {"status": "reported", "return_count": 1}
    assert returned.after == {"status": "in_progress", "return_count": 2}
    assert returned.note == "Thiếu biên bản xác minh"


def test_return_requires_a_reason(director, officer, assignment):
    drive(assignment, S.REPORTED, leader=director, member=officer)

    with refused(services.REASON_REQUIRED):
        services.assignment_return(actor=director, assignment=assignment, reason="")


def test_cancel_requires_a_reason(director, assignment):
    with refused(services.REASON_REQUIRED):
        services.assignment_cancel(actor=director, assignment=assignment, reason=" \n ")


def test_cancel_records_the_reason(director, assignment):
    services.assignment_cancel(actor=director, assignment=assignment, reason="Giao nhầm đơn vị")

    assignment.refresh_from_db()
    assert assignment.status == S.CANCELLED
    assert assignment.cancelled_at is not None
    event = assignment.events.get(action=E.CANCELLED)
    assert (event.actor, event.note) == (director, "Giao nhầm đơn vị")
    assert timeliness(assignment, today=date(2022, 5, 5)) is None


def test_cancel_of_a_finished_assignment_is_a_conflict(director, officer, assignment):
    drive(assignment, S.DONE, leader=director, member=officer)

    with refused(TRANSITION_NOT_ALLOWED, 409):
        services.assignment_cancel(actor=director, assignment=assignment, reason="Muộn rồi")


def test_cancel_by_the_unit_is_refused(officer, assignment):
    with refused(PERMISSION_DENIED, 403):
        services.assignment_cancel(actor=officer, assignment=assignment, reason="Không muốn làm")


def test_update_moves_the_deadline_rolled_and_keeps_the_original(director, hiephoa_due):
    # Sunday 16/10/2022 → Monday 17/10/2022.
    services.assignment_update(
        actor=director, assignment=hiephoa_due, due_date=date(2022, 10, 16), note="Quyết định"
    )

    hiephoa_due.refresh_from_db()
    assert (hiephoa_due.due_date, hiephoa_due.original_due_date) == (date(2022, 10, 17), DUE)
    event = hiephoa_due.events.get(action=E.UPDATED)
    assert (event.before, event.after) == ({"due_date": "2022-09-30"}, {"due_date": "2022-10-17"})


def test_update_refuses_a_deadline_before_the_document(director, assignment):
    with refused(services.DUE_BEFORE_DOCUMENT):
        services.assignment_update(actor=director, assignment=assignment, due_date=date(2022, 4, 1))


def test_update_by_the_unit_is_refused(officer, assignment):
    with refused(PERMISSION_DENIED, 403):
        services.assignment_update(actor=officer, assignment=assignment, due_date=FAR_DUE)


# --- extensions ------------------------------------------------------------------------


def test_extension_request_is_pending_and_recorded(officer, hiephoa_due):
    extension = request_extension(hiephoa_due, member=officer, requested=date(2022, 10, 14))

    assert extension.status == ExtensionStatus.PENDING
    assert extension.previous_due_date == DUE
    hiephoa_due.refresh_from_db()
    assert hiephoa_due.due_date == DUE
    assert hiephoa_due.version == 2
    event = hiephoa_due.events.get(action=E.EXTENSION_REQUESTED)
    assert event.actor == officer
    assert event.note == "2022-10-14: Chờ kết quả thẩm định giá"


def test_extension_request_not_later_than_the_deadline_is_refused(officer, hiephoa_due):
    with refused(services.EXTENSION_NOT_LATER):
        request_extension(hiephoa_due, member=officer, requested=DUE)


def test_extension_request_past_the_service_s_last_day_is_refused(officer, hiephoa_due):
    with refused(services.DAY_OUT_OF_RANGE):
        request_extension(hiephoa_due, member=officer, requested=date(9999, 12, 31))


def test_extension_request_requires_a_reason(officer, hiephoa_due):
    with refused(services.REASON_REQUIRED):
        services.extension_request_create(
            actor=officer,
            assignment=hiephoa_due,
            requested_due_date=date(2022, 10, 14),
            reason="",
        )


def test_only_one_extension_request_may_be_pending(officer, hiephoa_due):
    request_extension(hiephoa_due, member=officer, requested=date(2022, 10, 14))

    with refused(services.EXTENSION_PENDING, 409):
        request_extension(hiephoa_due, member=officer, requested=date(2022, 10, 21))


def test_extension_request_by_leadership_is_refused(director, hiephoa_due):
    with refused(PERMISSION_DENIED, 403):
        request_extension(hiephoa_due, member=director, requested=date(2022, 10, 14))


def test_extension_request_with_the_same_client_uuid_is_recorded_once(officer, hiephoa_due):
    key = uuid.uuid4()
    kwargs = {
        "actor": officer,
        "assignment": hiephoa_due,
        "requested_due_date": date(2022, 10, 14),
        "reason": "Chờ thẩm định giá",
        "client_uuid": key,
    }
    first = services.extension_request_create(**kwargs)
    before = snapshot()

    assert services.extension_request_create(**kwargs) == first
    assert snapshot() == before


def test_approved_extension_moves_the_deadline_to_a_working_day(director, officer, hiephoa_due):
    # Requested Saturday 15/10/2022: the deadline becomes Monday 17/10/2022.
    extension = request_extension(hiephoa_due, member=officer, requested=date(2022, 10, 15))

    services.extension_approve(actor=director, extension=extension, now=local(2022, 9, 28))

    extension.refresh_from_db()
    hiephoa_due.refresh_from_db()
    assert (extension.status, extension.decided_by) == (ExtensionStatus.APPROVED, director)
    assert hiephoa_due.due_date == date(2022, 10, 17)
    assert hiephoa_due.original_due_date == DUE
    assert hiephoa_due.extension_count == 1
    event = hiephoa_due.events.get(action=E.EXTENSION_APPROVED)
    assert event.actor == director
    assert event.before == {"due_date": "2022-09-30", "extension_count": 0}
    assert event.after == {"due_date": "2022-10-17", "extension_count": 1}


def test_approved_extension_makes_a_late_completion_on_time(director, officer, org):
    extended = assign_one(actor=director, unit=org.hiephoa, due_date=DUE)
    control = assign_one(actor=director, unit=org.hiephoa, due_date=DUE)
    extension = request_extension(extended, member=officer, requested=date(2022, 10, 14))
    services.extension_approve(actor=director, extension=extension)

    for assignment in (extended, control):
        services.assignment_report_completion(
            actor=officer, assignment=assignment, now=local(2022, 10, 10)
        )
        services.assignment_accept(actor=director, assignment=assignment)

    assert timeliness(extended, today=date(2022, 10, 20)) == Timeliness.DONE_ON_TIME
    assert timeliness(control, today=date(2022, 10, 20)) == Timeliness.DONE_LATE


def test_a_pending_extension_does_not_move_the_deadline(director, officer, hiephoa_due):
    request_extension(hiephoa_due, member=officer, requested=date(2022, 10, 14))

    assert timeliness(hiephoa_due, today=date(2022, 10, 3)) == Timeliness.OPEN_OVERDUE


def test_rejected_extension_leaves_the_deadline(director, officer, hiephoa_due):
    extension = request_extension(hiephoa_due, member=officer, requested=date(2022, 10, 14))

    services.extension_reject(actor=director, extension=extension, reason="Đủ thời gian")

    extension.refresh_from_db()
    hiephoa_due.refresh_from_db()
    assert (extension.status, extension.decision_reason) == ("rejected", "Đủ thời gian")
    assert (hiephoa_due.due_date, hiephoa_due.extension_count) == (DUE, 0)
    assert hiephoa_due.events.get(action=E.EXTENSION_REJECTED).note == "Đủ thời gian"
    # Decided: the unit may ask again.
    request_extension(hiephoa_due, member=officer, requested=date(2022, 10, 7))


def test_extension_reject_requires_a_reason(director, officer, hiephoa_due):
    extension = request_extension(hiephoa_due, member=officer, requested=date(2022, 10, 14))

    with refused(services.REASON_REQUIRED):
        services.extension_reject(actor=director, extension=extension, reason="")


def test_a_decided_extension_cannot_be_decided_again(director, officer, hiephoa_due):
    extension = request_extension(hiephoa_due, member=officer, requested=date(2022, 10, 14))
    services.extension_approve(actor=director, extension=extension)

    with refused(services.EXTENSION_DECIDED, 409) as excinfo, translation.override("vi"):
        services.extension_approve(actor=director, extension=extension)
    # The state by its name, not its code ("approved").
    assert str(excinfo.value.message) == "Đề nghị gia hạn đã được xử lý (Đã chấp thuận)."
    assert excinfo.value.extra == {"status": "approved"}
    with refused(services.EXTENSION_DECIDED, 409):
        services.extension_reject(actor=director, extension=extension, reason="Đổi ý")


def test_extension_approve_by_the_unit_is_refused(people, officer, hiephoa_due):
    extension = request_extension(hiephoa_due, member=officer, requested=date(2022, 10, 14))

    with refused(PERMISSION_DENIED, 403):
        services.extension_approve(actor=people.head, extension=extension)


def test_approving_an_extension_never_moves_the_deadline_earlier(director, officer, hiephoa_due):
    extension = request_extension(hiephoa_due, member=officer, requested=date(2022, 10, 14))
    services.assignment_update(
        actor=director, assignment=hiephoa_due, due_date=date(2022, 10, 31), note="Quyết định"
    )

    with refused(services.EXTENSION_NOT_LATER):
        services.extension_approve(actor=director, extension=extension)

    hiephoa_due.refresh_from_db()
    assert hiephoa_due.due_date == date(2022, 10, 31)


def test_cancelling_closes_a_pending_extension_which_then_cannot_be_approved(
    director, officer, hiephoa_due
):
    extension = request_extension(hiephoa_due, member=officer, requested=date(2022, 10, 14))
    services.assignment_cancel(actor=director, assignment=hiephoa_due, reason="Thu hồi")

    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.REJECTED
    assert extension.decided_by == director
    assert extension.decision_reason
    with refused(services.EXTENSION_DECIDED, 409):
        services.extension_approve(actor=director, extension=extension)


# --- timeliness -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reported_at", "expected"),
    [
        (local(2022, 9, 30, 8, 0), Timeliness.DONE_ON_TIME),
        # 23:59 local on the deadline day is 16:59 UTC: still the deadline day.
        (local(2022, 9, 30, 23, 59), Timeliness.DONE_ON_TIME),
        # 00:01 local the next day is 17:01 UTC on the deadline day: already late.
        (local(2022, 10, 1, 0, 1), Timeliness.DONE_LATE),
        (local(2022, 10, 3, 9, 0), Timeliness.DONE_LATE),
    ],
)
def test_done_on_the_deadline_day_is_on_time_and_the_day_after_is_late(
    director, officer, hiephoa_due, reported_at, expected
):
    services.assignment_report_completion(actor=officer, assignment=hiephoa_due, now=reported_at)
    services.assignment_accept(actor=director, assignment=hiephoa_due, now=local(2022, 10, 10))

    assert timeliness(hiephoa_due, today=date(2022, 10, 10)) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2022, 9, 29), Timeliness.OPEN_ON_TIME),
        (date(2022, 9, 30), Timeliness.OPEN_ON_TIME),
        (date(2022, 10, 1), Timeliness.OPEN_OVERDUE),
    ],
)
def test_open_work_is_overdue_from_the_day_after_the_deadline(hiephoa_due, today, expected):
    assert timeliness(hiephoa_due, today=today) == expected


def test_a_reported_but_not_accepted_assignment_is_still_open(director, officer, hiephoa_due):
    services.assignment_report_completion(
        actor=officer, assignment=hiephoa_due, now=local(2022, 9, 20)
    )

    assert timeliness(hiephoa_due, today=date(2022, 10, 3)) == Timeliness.OPEN_OVERDUE


_DAY0 = date(2024, 2, 5)
_near = st.integers(min_value=-4, max_value=4).map(lambda n: _DAY0 + timedelta(days=n))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    status=st.sampled_from(S.values),
    due=_near,
    completed=st.none() | _near,
    today=_near,
)
def test_timeliness_of_agrees_with_the_sql_annotation(assignment, status, due, completed, today):
    if status == S.DONE and completed is None:
        completed = due
    Assignment.objects.filter(pk=assignment.pk).update(
        status=status, due_date=due, completed_on=completed
    )

    row = (
        Assignment.objects.filter(pk=assignment.pk)
        .annotate(timeliness=selectors.timeliness_expression(today=today))
        .get()
    )
    expected = selectors.timeliness_of(row, today=today)

    assert row.timeliness == expected
    matching = {
        value
        for value in Timeliness.values
        if Assignment.objects.filter(pk=assignment.pk)
        .filter(selectors.timeliness_q(value, today=today))
        .exists()
    }
    assert matching == ({expected} if expected else set())


# --- version and history ---------------------------------------------------------------


def test_every_change_raises_the_version_by_one_and_leaves_a_full_trail(
    director, officer, hiephoa_due
):
    a = hiephoa_due
    steps = [
        (
            E.ACKNOWLEDGED,
            officer,
            lambda: services.assignment_acknowledge(
                actor=officer, assignment=a, now=local(2022, 5, 5)
            ),
        ),
        (
            E.PROGRESS_REPORTED,
            officer,
            lambda: services.assignment_report_progress(
                actor=officer, assignment=a, percent=40, now=local(2022, 6, 1)
            ),
        ),
        (
            E.EXTENSION_REQUESTED,
            officer,
            lambda: request_extension(
                a, member=officer, requested=date(2022, 10, 14), now=local(2022, 9, 20)
            ),
        ),
        (
            E.EXTENSION_REJECTED,
            director,
            lambda: services.extension_reject(
                actor=director,
                extension=a.extension_requests.get(),
                reason="Không",
                now=local(2022, 9, 21),
            ),
        ),
        (
            E.EXTENSION_REQUESTED,
            officer,
            lambda: request_extension(
                a, member=officer, requested=date(2022, 10, 7), now=local(2022, 9, 22)
            ),
        ),
        (
            E.EXTENSION_APPROVED,
            director,
            lambda: services.extension_approve(
                actor=director,
                extension=a.extension_requests.get(status="pending"),
                now=local(2022, 9, 23),
            ),
        ),
        (
            E.COMPLETION_REPORTED,
            officer,
            lambda: services.assignment_report_completion(
                actor=officer, assignment=a, now=local(2022, 10, 3)
            ),
        ),
        (
            E.RETURNED,
            director,
            lambda: services.assignment_return(
                actor=director, assignment=a, reason="Bổ sung", now=local(2022, 10, 4)
            ),
        ),
        (
            E.COMPLETION_REPORTED,
            officer,
            lambda: services.assignment_report_completion(
                actor=officer, assignment=a, now=local(2022, 10, 6)
            ),
        ),
        (
            E.ACCEPTED,
            director,
            lambda: services.assignment_accept(
                actor=director, assignment=a, now=local(2022, 10, 7)
            ),
        ),
    ]
    for n, (_action, _actor, step) in enumerate(steps, start=2):
        step()
        a.refresh_from_db()
        assert a.version == n

    trail = list(a.events.order_by("at", "id"))
    assert [(e.action, e.actor) for e in trail] == [(E.ASSIGNED, director)] + [
        (action, actor) for action, actor, _step in steps
    ]
    assert [e.at for e in trail] == sorted(e.at for e in trail)
    # The trail starts with what was assigned, so history alone rebuilds it.
    assert trail[0].before == {}
    assert trail[0].after == {
        "unit_id": a.unit_id,
        "role": a.role,
        "status": "assigned",
        "due_date": a.original_due_date.isoformat(),
        "original_due_date": a.original_due_date.isoformat(),
    }
    for event in trail[1:]:
        # The same fields on both sides; a step that changes fields says which.
        assert set(event.before) == set(event.after)
        assert event.before == {} or event.before != event.after
        assert event.at is not None
    changed = {e.action for e in trail if e.before}
    assert changed == {
        E.ACKNOWLEDGED,
        E.PROGRESS_REPORTED,
        E.EXTENSION_APPROVED,
        E.COMPLETION_REPORTED,
        E.RETURNED,
        E.ACCEPTED,
    }
    assert timeliness(a, today=date(2022, 10, 20)) == Timeliness.DONE_ON_TIME


def test_assignment_event_rows_refuse_update(assignment):
    event = assignment.events.get()

    with pytest.raises(DatabaseError), transaction.atomic():
        AssignmentEvent.objects.filter(pk=event.pk).update(note="viết lại lịch sử")
    with pytest.raises(DatabaseError), transaction.atomic():
        event.note = "viết lại lịch sử"
        event.save()

    event.refresh_from_db()
    assert event.note == ""


def test_assignment_event_rows_refuse_delete_on_postgresql(assignment):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite keeps DELETE allowed: the test database is flushed with DELETE there "
            "(migration 0003); PostgreSQL refuses it with a trigger"
        )
    event = assignment.events.get()

    with pytest.raises(DatabaseError), transaction.atomic():
        AssignmentEvent.objects.filter(pk=event.pk).delete()

    assert AssignmentEvent.objects.filter(pk=event.pk).exists()


# --- transfer to a successor ----------------------------------------------------------


def test_transfer_moves_open_work_to_the_successor_with_history(director, officer, org):
    successor = OrgUnitFactory(code="KV-HIEPHOA", name="Phòng THADS khu vực Hiệp Hòa")
    open_one = assign_one(actor=director, unit=org.hiephoa)
    shared = DirectiveFactory()
    shared_predecessor, _ = assign(
        actor=director, units=[org.hiephoa, successor], lead=successor, directive=shared
    )
    finished = drive(
        assign_one(actor=director, unit=org.hiephoa), S.DONE, leader=director, member=officer
    )

    moved = services.assignments_transfer(actor=director, from_unit=org.hiephoa, to_unit=successor)

    assert moved == [open_one]
    open_one.refresh_from_db()
    assert open_one.unit == successor
    assert open_one.version == 2
    event = open_one.events.get(action=E.TRANSFERRED)
    assert event.actor == director
    assert (event.before, event.after) == ({"unit_id": org.hiephoa.pk}, {"unit_id": successor.pk})
    shared_predecessor.refresh_from_db()
    assert shared_predecessor.status == S.CANCELLED
    assert "KV-HIEPHOA" in shared_predecessor.events.get(action=E.CANCELLED).note
    finished.refresh_from_db()
    assert (finished.unit, finished.status) == (org.hiephoa, S.DONE)


def test_transfer_by_an_officer_is_refused(officer, org, assignment):
    with refused(PERMISSION_DENIED, 403):
        services.assignments_transfer(actor=officer, from_unit=org.hiephoa, to_unit=org.yenthe)


def test_transfer_from_a_unit_to_itself_is_refused_and_writes_nothing(director, org, assignment):
    # Every open assignment would otherwise find "the successor" already has its
    # directive, and be cancelled.
    with refused("transfer_to_itself"):
        services.assignments_transfer(actor=director, from_unit=org.hiephoa, to_unit=org.hiephoa)
