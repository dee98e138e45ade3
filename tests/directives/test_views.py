"""The directives HTTP API: the fixed contract of DESIGN §5a, conditional requests,
files, list filters and pagination, the calendar and the error envelope."""

import unicodedata
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from directives.models import (
    Assignment,
    AssignmentEvent,
    AssignmentRole,
    AssignmentStatus,
    Attachment,
    Category,
    Directive,
    ExtensionRequest,
    ProgressReport,
    SourceDocument,
)
from tests.directives.factories import (
    API,
    FAR_DUE,
    DirectiveFactory,
    DocumentFactory,
    assign,
    assign_one,
    category,
    drive,
    etag,
    post_if_match,
    request_extension,
    seed_conclusion,
)
from tests.directives.test_files import exe_bytes, pdf_bytes
from tests.factories import OrgUnitFactory
from units.models import UnitKind

S = AssignmentStatus
SEED_LABELS = ["1", "2", "2", "3", "4", "5", "6", "7"]
ASSIGNMENT_FIELDS = {
    "id",
    "directive",
    "unit",
    "role",
    "status",
    "progress",
    "due_date",
    "original_due_date",
    "timeliness",
    "version",
}


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            SourceDocument,
            Directive,
            Assignment,
            AssignmentEvent,
            ProgressReport,
            ExtensionRequest,
            Attachment,
        )
    }


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"results", "next", "previous"}
    return body["results"]


def ids(response) -> list[int]:
    return [row["id"] for row in results(response)]


def url(assignment, action: str = "") -> str:
    return f"{API}/assignments/{assignment.pk}/" + (f"{action}/" if action else "")


# --- documents ------------------------------------------------------------------


def test_director_creates_a_document_and_reads_it_back(director_client, org):
    response = director_client.post(
        f"{API}/documents/",
        {
            "kind": "conclusion",
            "number": "01/KL-CTHADS",
            "title": "Kết luận Hội nghị sơ kết 6 tháng đầu năm 2022",
            "issued_on": "2022-04-25",
            "body": seed_conclusion(),
            "issuing_unit": org.department.pk,
            "signatory": "Nguyễn Thị Bích Tần",
        },
    )

    assert response.status_code == 201, response.content
    created = response.json()
    assert {"id", "kind", "number", "title", "issued_on", "body"} <= set(created)
    assert (created["kind"], created["issued_on"]) == ("conclusion", "2022-04-25")
    detail = director_client.get(f"{API}/documents/{created['id']}/")
    assert detail.json() == created
    assert ids(director_client.get(f"{API}/documents/")) == [created["id"]]


def test_document_text_sent_in_nfd_is_stored_in_nfc(director_client):
    title = unicodedata.normalize("NFD", "Kết luận Hội nghị")

    response = director_client.post(
        f"{API}/documents/",
        {"kind": "conclusion", "title": title, "issued_on": "2022-04-25"},
    )

    assert response.status_code == 201
    assert response.json()["title"] == unicodedata.normalize("NFC", title)
    assert SourceDocument.objects.get().title == unicodedata.normalize("NFC", title)


def test_document_create_with_bad_input_is_400_and_writes_nothing(director_client):
    before = counts()

    response = director_client.post(
        f"{API}/documents/", {"kind": "memo", "issued_on": "25/13/2022"}
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert {"kind", "title", "issued_on"} <= set(body["fields"])
    assert counts() == before


def test_document_patch_by_the_director(director_client, document):
    response = director_client.patch(
        f"{API}/documents/{document.pk}/", {"title": "Tiêu đề đã sửa", "signatory": "Cục trưởng"}
    )

    assert response.status_code == 200
    assert response.json()["title"] == "Tiêu đề đã sửa"
    document.refresh_from_db()
    assert document.signatory == "Cục trưởng"


def test_document_list_filters(director_client):
    conclusion = DocumentFactory(title="Kết luận Hội nghị sơ kết", issued_on=date(2022, 4, 25))
    plan = DocumentFactory(kind="plan", title="Kế hoạch kiểm tra", issued_on=date(2022, 6, 1))

    def listed(**params):
        return ids(director_client.get(f"{API}/documents/", params))

    assert listed(kind="plan") == [plan.pk]
    assert listed(q="ket luan hoi nghi") == [conclusion.pk]
    assert listed(issued_after="2022-05-01") == [plan.pk]
    assert listed(issued_before="2022-05-01") == [conclusion.pk]
    assert director_client.get(f"{API}/documents/", {"kinds": "plan"}).status_code == 400


# --- extraction -------------------------------------------------------------------


@pytest.fixture
def seed_document(director) -> SourceDocument:
    return DocumentFactory(body=seed_conclusion(), created_by=director)


def test_extract_preview_of_the_seed_conclusion(director_client, seed_document):
    response = director_client.post(
        f"{API}/documents/{seed_document.pk}/extract/", {"confirm": False}
    )

    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [item["label"] for item in items] == SEED_LABELS
    assert [item["position"] for item in items] == list(range(1, 9))
    assert set(items[0]) == {"label", "position", "title", "body", "category"}
    assert items[0]["category"] == "verification"
    assert items[3]["body"].startswith("Nâng cao chất lượng công tác kiểm tra")
    assert not Directive.objects.exists()


def test_extract_confirm_creates_the_eight_directives_in_printed_order(
    director_client, seed_document
):
    response = director_client.post(
        f"{API}/documents/{seed_document.pk}/extract/", {"confirm": True}
    )

    assert response.status_code == 201, response.content
    assert len(response.json()) == 8
    listed = results(director_client.get(f"{API}/directives/", {"document": seed_document.pk}))
    assert [d["label"] for d in listed] == SEED_LABELS
    assert [d["position"] for d in listed] == list(range(1, 9))
    assert {"id", "document", "label", "position", "title", "body", "category"} <= set(listed[0])
    assert {d["document"] for d in listed} == {seed_document.pk}
    assert listed[0]["category"] == "verification"


def test_extract_confirm_twice_is_409(director_client, seed_document):
    path = f"{API}/documents/{seed_document.pk}/extract/"
    assert director_client.post(path, {"confirm": True}).status_code == 201
    before = counts()

    response = director_client.post(path, {"confirm": True})

    assert response.status_code == 409
    assert response.json()["code"] == "directives_exist"
    assert counts() == before


def test_extract_confirm_with_edited_items(director_client, seed_document):
    items = [
        {
            "label": "1",
            "title": "Xác minh",
            "body": "Xác minh đúng thời hạn.",
            "category": "verification",
        },
        {"label": "2", "body": "Tăng cường giám sát kê biên.", "category": "asset_auction"},
    ]

    response = director_client.post(
        f"{API}/documents/{seed_document.pk}/extract/",
        {"confirm": True, "items": items, "default_due_date": "2022-09-30"},
    )

    assert response.status_code == 201, response.content
    created = response.json()
    assert [(d["label"], d["title"], d["category"]) for d in created] == [
        ("1", "Xác minh", "verification"),
        ("2", "Tăng cường giám sát kê biên", "asset_auction"),
    ]
    assert {d["default_due_date"] for d in created} == {"2022-09-30"}


def test_extract_confirm_with_an_unknown_category_is_400(director_client, seed_document):
    items = [{"label": "1", "body": "Việc khác.", "category": "gardening"}]

    response = director_client.post(
        f"{API}/documents/{seed_document.pk}/extract/", {"confirm": True, "items": items}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_category"
    assert not Directive.objects.exists()


@pytest.mark.parametrize("confirm", [False, True])
def test_extract_of_a_body_without_numbered_items_is_422(director_client, confirm):
    document = DocumentFactory(body="Hội nghị thống nhất tiếp tục thực hiện các nhiệm vụ.")

    response = director_client.post(f"{API}/documents/{document.pk}/extract/", {"confirm": confirm})

    assert response.status_code == 422
    assert response.json()["code"] == "no_numbered_items"
    assert not Directive.objects.exists()


# --- directives and assigning ----------------------------------------------------------


def test_directive_create_and_patch(director_client, document):
    response = director_client.post(
        f"{API}/directives/",
        {
            "document": document.pk,
            "label": "8",
            "body": "Làm tốt công tác thống kê.",
            "category": "other",
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["label"], created["position"], created["category"]) == ("8", 1, "other")

    response = director_client.patch(
        f"{API}/directives/{created['id']}/", {"category": "it_adoption", "title": "Thống kê"}
    )

    assert response.status_code == 200
    assert (response.json()["category"], response.json()["title"]) == ("it_adoption", "Thống kê")


def test_directive_create_with_an_unknown_category_is_400(director_client, document):
    response = director_client.post(
        f"{API}/directives/",
        {"document": document.pk, "label": "1", "body": "Nội dung.", "category": "gardening"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_category"
    assert "category" in response.json()["fields"]


@pytest.fixture
def ten_units(org) -> list:
    """The ten Chi cục: Hiệp Hòa and Yên Thế of the shared org, and eight more."""
    more = [
        OrgUnitFactory(code=f"CC-{n}", kind=UnitKind.SUB_DEPARTMENT, parent=org.department)
        for n in range(8)
    ]
    return [org.hiephoa, org.yenthe, *more]


def test_assign_to_ten_units_with_one_lead(director_client, directive, ten_units, org):
    response = director_client.post(
        f"{API}/directives/{directive.pk}/assign/",
        {
            "units": [unit.pk for unit in ten_units],
            "lead_unit": org.hiephoa.pk,
            # Saturday 1/10/2022 rolls to Monday 3/10/2022.
            "due_date": "2022-10-01",
        },
    )

    assert response.status_code == 201, response.content
    created = response.json()
    assert len(created) == 10
    assert set(created[0]) >= ASSIGNMENT_FIELDS
    assert [a["unit"] for a in created if a["role"] == "lead"] == [org.hiephoa.pk]
    assert {a["unit"] for a in created} == {unit.pk for unit in ten_units}
    assert {
        (a["status"], a["due_date"], a["original_due_date"], a["version"]) for a in created
    } == {("assigned", "2022-10-03", "2022-10-03", 1)}
    assert AssignmentEvent.objects.filter(action="assigned").count() == 10


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("same_unit_twice", "duplicate_unit"),
        ("no_lead", "lead_required"),
        ("lead_not_among_units", "lead_not_among_units"),
        ("inactive_unit", "unit_inactive"),
        ("due_before_document", "due_before_document"),
        ("unknown_unit", "validation_error"),
        ("second_lead", "two_leads"),
    ],
)
def test_assign_with_bad_input_is_400_and_writes_nothing(
    director_client, director, directive, org, case, code
):
    body = {
        "units": [org.hiephoa.pk, org.yenthe.pk],
        "lead_unit": org.hiephoa.pk,
        "due_date": "2022-09-30",
    }
    if case == "same_unit_twice":
        body["units"] = [org.hiephoa.pk, org.yenthe.pk, org.hiephoa.pk]
    elif case == "no_lead":
        del body["lead_unit"]
    elif case == "lead_not_among_units":
        body["lead_unit"] = org.office.pk
    elif case == "inactive_unit":
        org.yenthe.valid_to = date(2022, 1, 1)
        org.yenthe.save()
    elif case == "due_before_document":
        body["due_date"] = "2022-04-24"
    elif case == "unknown_unit":
        body["units"] = [org.hiephoa.pk, 999_999]
    elif case == "second_lead":
        assign_one(actor=director, unit=org.office, directive=directive)
    before = counts()

    response = director_client.post(f"{API}/directives/{directive.pk}/assign/", body)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert counts() == before


def test_revoke_cancels_the_open_assignments(director_client, assignment):
    response = director_client.post(
        f"{API}/directives/{assignment.directive_id}/revoke/", {"reason": "Văn bản thay thế"}
    )

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assignment.refresh_from_db()
    assert assignment.status == S.CANCELLED


# --- the workflow, one endpoint at a time -----------------------------------------------


def test_acknowledge(officer_client, assignment):
    old = etag(officer_client, assignment.pk)

    response = officer_client.post(url(assignment, "acknowledge"), HTTP_IF_MATCH=old)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["version"]) == ("acknowledged", 2)
    assert body["allowed_actions"] == ["progress", "request_extension", "complete"]
    assert response["ETag"] not in ("", old)
    assert response["ETag"] == etag(officer_client, assignment.pk)


def test_progress_as_json(officer_client, assignment):
    response = post_if_match(
        officer_client, url(assignment, "progress"), {"percent": 40, "note": "Đã xác minh"}
    )

    assert response.status_code == 201, response.content
    report = response.json()
    assert (report["percent"], report["note"], report["kind"]) == (40, "Đã xác minh", "progress")
    assert report["assignment"] == assignment.pk
    detail = officer_client.get(url(assignment)).json()
    assert (detail["status"], detail["progress"]) == ("in_progress", 40)
    assert detail["latest_report"]["id"] == report["id"]


@pytest.mark.parametrize("percent", [-1, 101])
def test_progress_outside_0_to_100_is_400(officer_client, assignment, percent):
    before = counts()

    response = post_if_match(officer_client, url(assignment, "progress"), {"percent": percent})

    assert response.status_code == 400
    assert "percent" in response.json()["fields"]
    assert counts() == before


@pytest.mark.parametrize("day", ["9999-12-31", "2200-01-01", "0001-01-01", "1944-12-31"])
def test_days_outside_the_service_s_range_are_400_and_write_nothing(
    director_client, officer_client, directive, assignment, org, day
):
    before = counts()
    answers = {
        "assign": director_client.post(
            f"{API}/directives/{directive.pk}/assign/",
            {"units": [org.yenthe.pk], "lead_unit": org.yenthe.pk, "due_date": day},
        ),
        "patch": post_if_match(director_client, url(assignment), {"due_date": day}, method="patch"),
        "extension": post_if_match(
            officer_client,
            url(assignment, "extensions"),
            {"requested_due_date": day, "reason": "Chờ kết quả thẩm định giá"},
        ),
        "document": director_client.post(
            f"{API}/documents/",
            {"kind": "conclusion", "number": "99/TB-CTHADS", "title": "X", "issued_on": day},
        ),
        "calendar": director_client.get(f"{API}/calendar/working-days/?from={day}&to={day}"),
    }

    for name, response in answers.items():
        assert response.status_code == 400, (name, response.content)
        assert response.json()["code"] in ("validation_error", "day_out_of_range"), name
    assert "31/12/2199" in answers["assign"].json()["fields"]["due_date"][0]
    assert counts() == before


def test_the_last_day_of_the_range_is_accepted(director_client, officer_client, assignment):
    response = post_if_match(
        officer_client,
        url(assignment, "extensions"),
        {"requested_due_date": "2199-12-31", "reason": "Chờ kết quả thẩm định giá"},
    )
    assert response.status_code == 201, response.content
    approved = director_client.post(f"{API}/extensions/{response.json()['id']}/approve/")
    assert approved.status_code == 200, approved.content
    assignment.refresh_from_db()
    assert assignment.due_date == date(2199, 12, 31)  # a Tuesday: no roll


def test_progress_figures_are_named_whole_numbers_from_json_or_multipart(
    officer_client, assignment
):
    sent = {"Vụ việc đã xác minh": 212, "total_cases": 530, "số tiền (đồng)": 1_250_000_000}
    response = post_if_match(
        officer_client, url(assignment, "progress"), {"percent": 40, "figures": sent}
    )
    assert response.status_code == 201, response.content
    assert response.json()["figures"] == sent

    response = post_if_match(
        officer_client,
        url(assignment, "progress"),
        {"percent": "50", "figures.verified_cases": "250", "figures.total_cases": "530"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["figures"] == {"verified_cases": 250, "total_cases": 530}


@pytest.mark.parametrize(
    "figures",
    [
        {"cases": "x\u0000y"},  # text, and a NUL that PostgreSQL's jsonb refuses
        {"\u0000": 1},
        {"tab\there": 1},
        {"": 1},
        {"   ": 1},
        {"x" * 101: 1},
        {"cases": 1.5},  # money and counts are whole numbers
        {"cases": True},
        {"cases": None},
        {"cases": [1]},
        {"cases": 10**16},
        {f"c{i}": i for i in range(51)},
        [1, 2],
        "cases=3",
    ],
    ids=lambda figures: repr(figures)[:30],
)
def test_bad_progress_figures_are_400_and_write_nothing(officer_client, assignment, figures):
    before = counts()

    response = post_if_match(
        officer_client, url(assignment, "progress"), {"percent": 10, "figures": figures}
    )

    assert response.status_code == 400, response.content
    assert "figures" in response.json()["fields"]
    assert counts() == before


def test_progress_as_multipart_with_a_pdf_and_its_download(
    officer_client, other_client, director_client, assignment
):
    response = post_if_match(
        officer_client,
        url(assignment, "progress"),
        {
            "percent": "40",
            "note": "Biên bản xác minh kèm theo",
            "files": [SimpleUploadedFile("bien-ban.pdf", pdf_bytes(), "application/pdf")],
        },
        format="multipart",
    )

    assert response.status_code == 201, response.content
    [attachment] = response.json()["attachments"]
    assert (attachment["original_name"], attachment["content_type"]) == (
        "bien-ban.pdf",
        "application/pdf",
    )
    assert attachment["size"] == len(pdf_bytes())
    download = officer_client.get(attachment["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf_bytes()
    assert "bien-ban.pdf" in download["Content-Disposition"]
    assert director_client.get(attachment["download_url"]).status_code == 200
    assert other_client.get(attachment["download_url"]).status_code == 404
    assert other_client.get(f"{API}/attachments/{attachment['id']}/").status_code == 404
    reports = officer_client.get(url(assignment, "reports")).json()
    assert [r["attachments"][0]["id"] for r in reports] == [attachment["id"]]


def test_progress_with_a_renamed_executable_is_400_and_writes_nothing(officer_client, assignment):
    before = counts()

    response = post_if_match(
        officer_client,
        url(assignment, "progress"),
        {
            "percent": "40",
            "files": [SimpleUploadedFile("report.pdf", exe_bytes(), "application/pdf")],
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "file_type_not_allowed"
    assert counts() == before


def test_extension_request_approve_and_reject(officer_client, director_client, director, org):
    assignment = assign_one(actor=director, unit=org.hiephoa, due_date=date(2022, 9, 30))

    response = post_if_match(
        officer_client,
        url(assignment, "extensions"),
        {"requested_due_date": "2022-10-15", "reason": "Chờ kết quả thẩm định giá"},
    )

    assert response.status_code == 201, response.content
    extension = response.json()
    assert (extension["status"], extension["requested_by"]) == ("pending", "hiephoa.officer")
    assert officer_client.get(f"{API}/extensions/{extension['id']}/").json() == extension
    approved = director_client.post(f"{API}/extensions/{extension['id']}/approve/")
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["decided_by"]) == ("approved", "director")
    detail = officer_client.get(url(assignment)).json()
    assert (detail["due_date"], detail["original_due_date"]) == ("2022-10-17", "2022-09-30")
    assert detail["extension_count"] == 1

    second = post_if_match(
        officer_client,
        url(assignment, "extensions"),
        {"requested_due_date": "2022-10-31", "reason": "Thêm thời gian"},
    ).json()
    rejected = director_client.post(
        f"{API}/extensions/{second['id']}/reject/", {"reason": "Không có căn cứ"}
    )
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["decision_reason"]) == (
        "rejected",
        "Không có căn cứ",
    )
    assert officer_client.get(url(assignment)).json()["due_date"] == "2022-10-17"


def test_a_second_pending_extension_is_409(officer_client, officer, assignment):
    request_extension(assignment, member=officer, requested=FAR_DUE + timedelta(days=7))

    response = post_if_match(
        officer_client,
        url(assignment, "extensions"),
        {"requested_due_date": str(FAR_DUE + timedelta(days=14)), "reason": "Lần nữa"},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "extension_pending"


def test_extension_reject_without_reason_is_400(director_client, officer, assignment):
    extension = request_extension(assignment, member=officer, requested=FAR_DUE + timedelta(7))

    response = director_client.post(f"{API}/extensions/{extension.pk}/reject/", {})

    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    extension.refresh_from_db()
    assert extension.status == "pending"


def test_complete_then_accept(officer_client, director_client, assignment):
    completed = post_if_match(officer_client, url(assignment, "complete"), {"note": "Xong"})
    assert completed.status_code == 200, completed.content
    assert (completed.json()["status"], completed.json()["progress"]) == ("reported", 100)

    accepted = post_if_match(director_client, url(assignment, "accept"), {"note": "Đạt"})

    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    assert body["status"] == "done"
    assert body["timeliness"] == "done_on_time"
    assert body["allowed_actions"] == []


def test_return_counts_and_sends_back_to_in_progress(
    officer_client, director_client, director, officer, assignment
):
    drive(assignment, S.REPORTED, leader=director, member=officer)

    response = post_if_match(director_client, url(assignment, "return"), {"reason": "Bổ sung"})

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["return_count"]) == ("in_progress", 1)


def test_return_without_reason_is_400(director_client, director, officer, assignment):
    drive(assignment, S.REPORTED, leader=director, member=officer)

    response = post_if_match(director_client, url(assignment, "return"), {})

    assert response.status_code == 400
    assignment.refresh_from_db()
    assert assignment.status == S.REPORTED


def test_cancel_needs_a_reason(director_client, assignment):
    before = counts()
    refused = post_if_match(director_client, url(assignment, "cancel"), {"reason": ""})
    assert refused.status_code == 400
    assert counts() == before

    response = post_if_match(director_client, url(assignment, "cancel"), {"reason": "Giao nhầm"})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["timeliness"]) == ("cancelled", None)


def test_patch_moves_the_deadline(director_client, assignment):
    response = post_if_match(
        director_client,
        url(assignment),
        {"due_date": "2100-01-02", "note": "Theo chỉ đạo"},  # Saturday → Monday 4/1/2100
        method="patch",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["due_date"], body["original_due_date"]) == ("2100-01-04", FAR_DUE.isoformat())


def test_a_transition_the_state_forbids_is_409_naming_the_allowed_actions(
    director_client, assignment
):
    response = post_if_match(director_client, url(assignment, "accept"), {})

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "transition_not_allowed"
    assert body["allowed_actions"] == ["cancel", "update"]
    assert body["status"] == "assigned"


def test_history_is_the_trail_oldest_first(
    officer_client, director_client, director, officer, assignment
):
    drive(assignment, S.DONE, leader=director, member=officer)

    response = officer_client.get(url(assignment, "history"))

    assert response.status_code == 200
    trail = response.json()
    assert [(e["action"], e["actor"]) for e in trail] == [
        ("assigned", "director"),
        ("acknowledged", "hiephoa.officer"),
        ("progress_reported", "hiephoa.officer"),
        ("completion_reported", "hiephoa.officer"),
        ("accepted", "director"),
    ]
    assert trail[1]["before"] == {"status": "assigned"}
    assert trail[1]["after"] == {"status": "acknowledged"}


def test_transfer_moves_a_units_open_work(director_client, org, assignment):
    successor = OrgUnitFactory(code="KV-1", parent=org.department)

    response = director_client.post(
        f"{API}/assignments/transfer/", {"from_unit": org.hiephoa.pk, "to_unit": successor.pk}
    )

    assert response.status_code == 200, response.content
    assert [(a["id"], a["unit"]) for a in response.json()] == [(assignment.pk, successor.pk)]


# --- conditional requests ---------------------------------------------------------------


def test_a_write_without_if_match_is_428_and_writes_nothing(officer_client, assignment):
    before = counts()

    response = officer_client.post(url(assignment, "acknowledge"))

    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"
    assert counts() == before


def test_a_write_with_a_stale_etag_is_412_with_the_current_representation(
    officer_client, officer, assignment
):
    stale = etag(officer_client, assignment.pk)
    post_if_match(officer_client, url(assignment, "progress"), {"percent": 10})
    before = counts()

    response = post_if_match(
        officer_client, url(assignment, "progress"), {"percent": 20}, tag=stale
    )

    assert response.status_code == 412
    body = response.json()
    assert body["code"] == "precondition_failed"
    assert (body["current"]["id"], body["current"]["version"]) == (assignment.pk, 2)
    assert body["current"]["progress"] == 10
    assert counts() == before


def test_an_etag_of_another_user_does_not_match(director_client, officer_client, assignment):
    # Users see different allowed actions, so each has their own representation.
    response = officer_client.post(
        url(assignment, "acknowledge"), HTTP_IF_MATCH=etag(director_client, assignment.pk)
    )

    assert response.status_code == 412


def test_if_match_star_skips_the_version_check(officer_client, assignment):
    response = officer_client.post(url(assignment, "acknowledge"), HTTP_IF_MATCH="*")

    assert response.status_code == 200


def test_if_none_match_with_the_current_etag_is_304(officer_client, officer, assignment):
    current = etag(officer_client, assignment.pk)

    not_modified = officer_client.get(url(assignment), HTTP_IF_NONE_MATCH=current)
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == current

    drive(assignment, S.ACKNOWLEDGED, leader=None, member=officer)
    changed = officer_client.get(url(assignment), HTTP_IF_NONE_MATCH=current)
    assert changed.status_code == 200
    assert changed.json()["version"] == 2


def test_the_etag_has_one_form_plain_gzipped_and_on_the_304(officer_client, assignment):
    """Issue 9: GZipMiddleware weakened the ETag of a compressed 200 while the 304
    and an uncompressed 200 gave it strong. It is weak everywhere now (the
    representation, not its bytes, is what it names)."""
    plain = officer_client.get(url(assignment))
    gzipped = officer_client.get(url(assignment), HTTP_ACCEPT_ENCODING="gzip")
    not_modified = officer_client.get(
        url(assignment), HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=plain["ETag"]
    )

    assert gzipped["Content-Encoding"] == "gzip"
    assert not_modified.status_code == 304
    assert plain["ETag"] == gzipped["ETag"] == not_modified["ETag"]
    assert plain["ETag"].startswith('W/"')


@pytest.mark.parametrize("form", ["weak", "strong"])
def test_if_match_takes_the_current_etag_weak_or_strong(officer_client, assignment, form):
    current = etag(officer_client, assignment.pk)
    tag = current if form == "weak" else current.removeprefix("W/")

    done = officer_client.post(url(assignment, "acknowledge"), HTTP_IF_MATCH=tag)
    stale = officer_client.post(url(assignment, "progress"), {"percent": 5}, HTTP_IF_MATCH=tag)

    assert done.status_code == 200, done.content
    assert stale.status_code == 412


# --- lists: filters, search, ordering, pagination ------------------------------------------


@pytest.fixture
def listed(director, officer, people, org):
    """Assignments that differ in one filterable property each."""
    doc_a = DocumentFactory()
    doc_b = DocumentFactory()
    verify = DirectiveFactory(
        document=doc_a, title="Xác minh điều kiện thi hành án", body="Xác minh đúng thời hạn."
    )
    auction = DirectiveFactory(
        document=doc_b,
        title="Giám sát bán đấu giá",
        body="Tăng cường giám sát kê biên, bán đấu giá.",
        category=category("asset_auction"),
    )
    past_lead, past_coord = assign(
        actor=director,
        units=[org.hiephoa, org.yenthe],
        directive=verify,
        due_date=date(2022, 9, 30),
    )
    future = assign_one(actor=director, unit=org.hiephoa, directive=auction, due_date=FAR_DUE)
    done = drive(
        assign_one(
            actor=director,
            unit=org.yenthe,
            directive=DirectiveFactory(
                title="Thi đua", body="Đẩy mạnh phong trào thi đua.", category=category("emulation")
            ),
            due_date=FAR_DUE,
        ),
        S.DONE,
        leader=director,
        member=people.other_officer,
    )
    return {
        "past_lead": past_lead,
        "past_coord": past_coord,
        "future": future,
        "done": done,
        "verify": verify,
        "doc_b": doc_b,
    }


def test_assignment_list_filters(director_client, listed, org):
    a = listed

    def found(**params):
        return set(ids(director_client.get(f"{API}/assignments/", params)))

    assert found(unit=org.yenthe.pk) == {a["past_coord"].pk, a["done"].pk}
    assert found(directive=a["verify"].pk) == {a["past_lead"].pk, a["past_coord"].pk}
    assert found(document=a["doc_b"].pk) == {a["future"].pk}
    assert found(status="done") == {a["done"].pk}
    assert found(status=["done", "assigned"]) == {
        a["done"].pk,
        a["past_lead"].pk,
        a["past_coord"].pk,
        a["future"].pk,
    }
    assert found(role="coordinating") == {a["past_coord"].pk}
    assert found(category="asset_auction") == {a["future"].pk}
    assert found(due_before="2023-01-01") == {a["past_lead"].pk, a["past_coord"].pk}
    assert found(due_after="2023-01-01") == {a["future"].pk, a["done"].pk}
    # 2022 deadlines are past whatever today is; 2099 ones are ahead.
    assert found(timeliness="open_overdue") == {a["past_lead"].pk, a["past_coord"].pk}
    assert found(timeliness="open_on_time") == {a["future"].pk}
    assert found(timeliness="done_on_time") == {a["done"].pk}
    assert found(timeliness="done_late") == set()
    assert found(q="xac minh") == {a["past_lead"].pk, a["past_coord"].pk}
    assert found(q="XÁC MINH") == {a["past_lead"].pk, a["past_coord"].pk}
    assert found(q="yen the") == {a["past_coord"].pk, a["done"].pk}


def test_assignment_search_matches_words_from_their_start(director_client, director, org):
    """Issue 9: "Hiệp Hòa" found Yên Thế's and the office's rows, because "hiep" sits
    inside "nghiep". Every term must begin a word, accents, case and đ aside."""
    office = OrgUnitFactory(
        code="BG-PNV",
        name="Phòng Nghiệp vụ và Tổ chức thi hành án",
        short_name="Phòng Nghiệp vụ",
        kind=UnitKind.OFFICE,
        parent=org.department,
    )
    auction = DirectiveFactory(
        title="Giám sát bán đấu giá tài sản", body="Kê biên, đấu giá; số hóa hồ sơ."
    )
    skills = DirectiveFactory(
        title="Nâng cao nghiệp vụ", body="Bồi dưỡng chuyên môn (nghiệp vụ), tin học hóa."
    )
    hiephoa = assign_one(actor=director, unit=org.hiephoa)
    yenthe = assign_one(actor=director, unit=org.yenthe, directive=skills)
    pnv = assign_one(actor=director, unit=office, directive=auction)

    def found(q):
        return set(ids(director_client.get(f"{API}/assignments/", {"q": q})))

    assert found("Hiệp Hòa") == {hiephoa.pk}
    assert found("hiep hoa") == {hiephoa.pk}
    assert found("HIỆP HOÀ") == {hiephoa.pk}
    assert found("nghiệp") == {yenthe.pk, pnv.pk}  # "(nghiệp vụ)": a word after a bracket
    assert found("dau gia") == {pnv.pk}
    assert found("ĐẤU GIÁ") == {pnv.pk}
    assert found("đấu") == {pnv.pk}
    assert found("iep") == set()  # inside words only
    assert found("au gia") == set()
    assert found("hiep pnv") == set()  # every term, not any


def test_assignment_list_rows_carry_the_contract_fields(director_client, listed):
    rows = {row["id"]: row for row in results(director_client.get(f"{API}/assignments/"))}

    past = rows[listed["past_lead"].pk]
    assert set(past) >= ASSIGNMENT_FIELDS
    assert (past["timeliness"], past["role"], past["due_date"]) == (
        "open_overdue",
        "lead",
        "2022-09-30",
    )


def test_assignment_list_updated_since(director_client, listed):
    old = timezone.now() - timedelta(days=400)
    Assignment.objects.filter(pk=listed["future"].pk).update(updated_at=old)

    since = (old + timedelta(days=1)).isoformat()
    found = set(ids(director_client.get(f"{API}/assignments/", {"updated_since": since})))

    assert listed["future"].pk not in found
    assert listed["past_lead"].pk in found


@pytest.mark.parametrize(
    "params",
    [{"stauts": "done"}, {"unit": "abc"}, {"status": "finished"}, {"timeliness": "late"}],
)
def test_assignment_list_refuses_unknown_or_bad_params(director_client, listed, params):
    response = director_client.get(f"{API}/assignments/", params)

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_assignment_list_ordering_by_due_date(director_client, listed):
    rows = results(director_client.get(f"{API}/assignments/", {"ordering": "due_date"}))
    dues = [row["due_date"] for row in rows]
    assert dues == sorted(dues)
    assert dues[0] == "2022-09-30"

    rows = results(director_client.get(f"{API}/assignments/", {"ordering": "-due_date"}))
    assert [row["due_date"] for row in rows] == sorted(dues, reverse=True)


def test_assignment_list_cursor_pages_through_everything(director_client, listed):
    seen = []
    response = director_client.get(f"{API}/assignments/", {"page_size": 1})
    while True:
        body = response.json()
        assert len(body["results"]) <= 1
        seen += [row["id"] for row in body["results"]]
        if not body["next"]:
            break
        response = director_client.get(body["next"])
    assert sorted(seen, reverse=True) == seen
    assert set(seen) == {a.pk for a in listed.values() if isinstance(a, Assignment)}
    assert director_client.get(body["previous"]).json()["results"]


def test_assignment_list_cursor_pages_by_a_non_unique_ordering(director_client, listed):
    # Two assignments share 30/9/2022: paging by due date must neither skip nor repeat.
    seen = []
    response = director_client.get(f"{API}/assignments/", {"page_size": 1, "ordering": "due_date"})
    while True:
        body = response.json()
        seen += [(row["due_date"], row["id"]) for row in body["results"]]
        if not body["next"]:
            break
        response = director_client.get(body["next"])
    assert len(seen) == len({row_id for _, row_id in seen}) == 4
    assert [due for due, _ in seen] == sorted(due for due, _ in seen)


def test_page_size_over_the_cap_is_capped_at_200(director_client, director, org):
    directive = DirectiveFactory()
    units = [OrgUnitFactory(parent=org.department) for _ in range(205)]
    Assignment.objects.bulk_create(
        Assignment(
            directive=directive,
            unit=unit,
            role=AssignmentRole.COORDINATING,
            original_due_date=FAR_DUE,
            due_date=FAR_DUE,
            assigned_by=director,
            assigned_at=timezone.now(),
        )
        for unit in units
    )

    response = director_client.get(f"{API}/assignments/", {"page_size": 1000})

    body = response.json()
    assert len(body["results"]) == 200
    assert body["next"]


def test_directive_list_filters_and_search(director_client, listed):
    def found(**params):
        return set(ids(director_client.get(f"{API}/directives/", params)))

    assert found(document=listed["doc_b"].pk) == {listed["future"].directive_id}
    assert found(category="verification", q="xac minh") == {listed["verify"].pk}
    assert director_client.get(f"{API}/directives/", {"doc": 1}).status_code == 400


def test_extension_list_filters(director_client, officer, listed):
    extension = request_extension(listed["future"], member=officer, requested=date(2100, 1, 29))

    def found(**params):
        return ids(director_client.get(f"{API}/extensions/", params))

    assert found(status="pending") == [extension.pk]
    assert found(status="approved") == []
    assert found(assignment=listed["future"].pk) == [extension.pk]


def test_an_officer_lists_only_their_units_work(officer_client, listed):
    found = set(ids(officer_client.get(f"{API}/assignments/")))

    assert found == {listed["past_lead"].pk, listed["future"].pk}
    assert set(ids(officer_client.get(f"{API}/assignments/", {"q": "yen the"}))) == set()


# --- categories ----------------------------------------------------------------------------


def test_categories_list_and_create(director_client, officer_client, document):
    listed = director_client.get(f"{API}/categories/")
    assert listed.status_code == 200
    assert "verification" in [c["code"] for c in listed.json()["results"]]

    new = {"code": "statistics", "name_vi": "Thống kê", "name_en": "Statistics"}
    assert officer_client.post(f"{API}/categories/", new).status_code == 403
    response = director_client.post(f"{API}/categories/", new)

    assert response.status_code == 201, response.content
    assert Category.objects.filter(code="statistics").exists()
    assert director_client.post(f"{API}/categories/", new).status_code == 400
    directive = director_client.post(
        f"{API}/directives/",
        {"document": document.pk, "label": "1", "body": "Thống kê.", "category": "statistics"},
    )
    assert directive.status_code == 201


@pytest.mark.parametrize("keywords", [5, "xác minh", {"a": 1}], ids=["number", "text", "object"])
def test_category_keywords_must_be_a_list_of_words(director_client, keywords):
    response = director_client.post(
        f"{API}/categories/",
        {
            "code": "statistics",
            "name_vi": "Thống kê",
            "name_en": "Statistics",
            "keywords": keywords,
        },
    )

    # Anything else would break every later extraction (keywords are iterated).
    assert response.status_code == 400
    assert "keywords" in response.json()["fields"]
    assert not Category.objects.filter(code="statistics").exists()


# --- calendar ---------------------------------------------------------------------------


def test_working_days_mark_tet_as_days_off(officer_client):
    response = officer_client.get(
        f"{API}/calendar/working-days/", {"from": "2026-02-13", "to": "2026-02-23"}
    )

    assert response.status_code == 200
    days = {day["date"]: day for day in response.json()}
    assert len(days) == 11
    assert days["2026-02-13"]["working"] is True
    assert days["2026-02-23"]["working"] is True
    for n in range(14, 23):
        assert days[f"2026-02-{n}"]["working"] is False
    assert "Tết" in days["2026-02-17"]["name"]


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-02-23", "to": "2026-02-13"},
        {"from": "2026-02-13"},
        {"from": "2026-02-30", "to": "2026-03-01"},
        {"from": "2026-01-01", "to": "2027-06-01"},
    ],
)
def test_working_days_refuse_bad_ranges(officer_client, params):
    response = officer_client.get(f"{API}/calendar/working-days/", params)

    assert response.status_code == 400
    assert response.json()["code"]


# --- languages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "vi",
            "Không thể chấp nhận kết quả khi nhiệm vụ đang ở trạng thái “Đã giao”. "
            "Thao tác được phép: hủy nhiệm vụ, sửa nhiệm vụ.",
        ),
        (
            "en",
            "Cannot accept the result while the assignment is “Assigned”. "
            "Allowed actions: cancel the assignment, edit the assignment.",
        ),
    ],
)
def test_errors_speak_the_callers_language_in_one_envelope(
    director_client, assignment, language, message
):
    response = post_if_match(
        director_client, url(assignment, "accept"), {}, HTTP_ACCEPT_LANGUAGE=language
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "transition_not_allowed"
    # Actions and states by their names in the caller's language; codes stay in the fields.
    assert body["message"] == message
    assert (body["status"], body["allowed_actions"]) == ("assigned", ["cancel", "update"])


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "vi",
            "Không thể báo cáo tiến độ khi nhiệm vụ đang ở trạng thái “Hoàn thành”. "
            "Thao tác được phép: không có.",
        ),
        (
            "en",
            "Cannot report progress while the assignment is “Completed”. Allowed actions: none.",
        ),
    ],
)
def test_a_refused_transition_says_none_when_nothing_is_allowed(
    officer_client, assignment, language, message
):
    Assignment.objects.filter(pk=assignment.pk).update(
        status=AssignmentStatus.DONE, completed_on=assignment.due_date
    )

    response = post_if_match(
        officer_client,
        url(assignment, "progress"),
        {"percent": 50},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 409
    assert response.json()["message"] == message
    assert response.json()["allowed_actions"] == []


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_422_speaks_the_callers_language(director_client, language):
    document = DocumentFactory(body="Không có mục đánh số.")

    response = director_client.post(
        f"{API}/documents/{document.pk}/extract/",
        {"confirm": False},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    body = response.json()
    assert (response.status_code, body["code"]) == (422, "no_numbered_items")
    assert body["message"].startswith("No numbered items" if language == "en" else "Không tìm")
