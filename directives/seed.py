"""Demo data from the seed document: the director's conclusion of the mid-year
review conference of 22/4/2022, its numbered directives, their assignments,
and a few reports so that the demo shows every state.

Reading of the document:
- Deadline: the conclusion sets the tasks "trong 6 tháng cuối năm 2022" of the
  THADS statistical year, which ends on 30/9/2022.
- Lead unit: every directive goes to all ten Chi cục. The API keeps exactly one
  lead per directive, so the lead is the Cục office that owns the field
  (Phòng Nghiệp vụ for enforcement work, Phòng Kiểm tra for inspection and
  complaints, Phòng Tổ chức cán bộ for personnel and emulation, Văn phòng for
  coordination, IT and infrastructure); the Chi cục carry it out as
  coordinating units, each with its own status, deadline and history.

Everything is created through the services, with `now=` set to the 2022 dates,
so the audit trail reads as it would have then. Idempotent: if the conclusion
exists, nothing is done.
"""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from directives import services
from directives.models import Assignment, Directive, DocumentKind, DocumentRelation, SourceDocument
from units.models import OrgUnit, User

SEED_TEXT = Path(__file__).resolve().parent.parent / "demo" / "hoi-nghi-so-ket-6-thang-2022.txt"
CONCLUSION_START = "Kết luận Hội nghị"
CONCLUSION_TITLE = (
    "Kết luận của Cục trưởng tại Hội nghị sơ kết công tác thi hành án dân sự, theo dõi thi "
    "hành án hành chính 6 tháng đầu năm 2022"
)
RESOLUTION_NUMBER = "23-NQ/BCSĐ"
DEADLINE = date(2022, 9, 30)

LEAD_OFFICE_BY_CATEGORY = {
    "verification": "BG-PNV",
    "credit_budget_collection": "BG-PNV",
    "asset_auction": "BG-PNV",
    "inspection": "BG-PKT",
    "citizen_reception": "BG-PKT",
    "personnel_discipline": "BG-PTCCB",
    "emulation": "BG-PTCCB",
    "coordination": "BG-VP",
    "it_adoption": "BG-VP",
    "infrastructure": "BG-VP",
    "other": "BG-VP",
}

_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# A one-page PDF, enough for the demo's evidence file to be a real PDF.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=_TZ)


def conclusion_text() -> str:
    text = SEED_TEXT.read_text(encoding="utf-8")
    return text[text.index(CONCLUSION_START) :].strip()


def conclusion_exists() -> bool:
    return SourceDocument.objects.filter(
        kind=DocumentKind.CONCLUSION, issued_on=date(2022, 4, 22), title=CONCLUSION_TITLE
    ).exists()


@transaction.atomic
def seed_directives(*, director: User, officers: dict[str, User]) -> SourceDocument | None:
    """Load the conclusion and its directives; None when they were already there."""
    if conclusion_exists():
        return None
    department = OrgUnit.objects.get(code="BG-CUC")
    resolution = SourceDocument.objects.filter(number=RESOLUTION_NUMBER).first()
    if resolution is None:
        resolution = services.document_create(
            actor=director,
            kind=DocumentKind.RESOLUTION,
            number=RESOLUTION_NUMBER,
            title=(
                "Nghị quyết của Ban Cán sự Đảng bộ Tư pháp về lãnh đạo thực hiện các nhiệm vụ "
                "trọng tâm thi hành án dân sự, theo dõi thi hành án hành chính giai đoạn "
                "2022-2026"
            ),
            issued_on=date(2022, 3, 29),
            signatory="Ban Cán sự Đảng bộ Tư pháp",
            period_start=date(2022, 1, 1),
            period_end=date(2026, 12, 31),
        )
    conclusion = services.document_create(
        actor=director,
        kind=DocumentKind.CONCLUSION,
        title=CONCLUSION_TITLE,
        issued_on=date(2022, 4, 22),
        issuing_unit=department,
        signatory="Nguyễn Thị Bích Tần",
        body=conclusion_text(),
        period_start=date(2022, 4, 1),
        period_end=DEADLINE,
        links=[(DocumentRelation.IMPLEMENTS, resolution)],
    )
    directives = services.document_extract_confirm(
        actor=director, document=conclusion, default_due_date=DEADLINE
    )
    sub_departments = list(OrgUnit.objects.filter(kind="sub_department").order_by("code"))
    for directive in directives:
        lead = OrgUnit.objects.get(code=LEAD_OFFICE_BY_CATEGORY[directive.category.code])
        services.directive_assign(
            actor=director,
            directive=directive,
            units=[lead, *sub_departments],
            lead_unit=lead,
            due_date=DEADLINE,
            now=_at("2022-04-25", 8),
        )
    _play_demo_states(director=director, officers=officers, directives=directives)
    return conclusion


def _assignment(directive: Directive, unit_code: str) -> Assignment:
    return Assignment.objects.get(directive=directive, unit__code=unit_code)


def _play_demo_states(*, director: User, officers: dict[str, User], directives) -> None:
    """A few units' work, so that the demo has every status and timeliness."""
    hiephoa = officers["hiephoa.officer"]
    yenthe = officers["yenthe.officer"]

    # Hiệp Hòa, directive (1): the full story, finished on time after an extension.
    a = _assignment(directives[0], "CC-HIEPHOA")
    services.assignment_acknowledge(actor=hiephoa, assignment=a, now=_at("2022-04-26"))
    services.assignment_report_progress(
        actor=hiephoa,
        assignment=a,
        percent=40,
        note="Đã xác minh 212/530 việc chủ động; lập danh sách việc chưa có điều kiện.",
        figures={"verified_cases": 212, "total_cases": 530},
        files=[SimpleUploadedFile("bao-cao-xac-minh.pdf", DEMO_PDF, "application/pdf")],
        now=_at("2022-06-15"),
    )
    extension = services.extension_request_create(
        actor=hiephoa,
        assignment=a,
        requested_due_date=date(2022, 10, 31),
        reason="Nhiều người phải thi hành án đang chấp hành án phạt tù ở địa phương khác.",
        now=_at("2022-09-20"),
    )
    services.extension_approve(actor=director, extension=extension, now=_at("2022-09-22"))
    services.assignment_report_completion(
        actor=hiephoa,
        assignment=a,
        note="Hoàn thành xác minh 530/530 việc.",
        now=_at("2022-10-25"),
    )
    services.assignment_accept(actor=director, assignment=a, now=_at("2022-10-28"))

    # Yên Thế, directive (6): finished, but after the deadline.
    a = _assignment(directives[6], "CC-YENTHE")
    services.assignment_acknowledge(actor=yenthe, assignment=a, now=_at("2022-04-27"))
    services.assignment_report_progress(
        actor=yenthe,
        assignment=a,
        percent=60,
        note="Đã triển khai tiếp nhận hồ sơ một cửa.",
        now=_at("2022-08-10"),
    )
    services.assignment_report_completion(
        actor=yenthe,
        assignment=a,
        note="Vận hành đầy đủ phần mềm quản lý.",
        now=_at("2022-10-05"),
    )
    services.assignment_accept(actor=director, assignment=a, now=_at("2022-10-07"))

    # Yên Thế, directive (3): completion reported, waiting for leadership.
    a = _assignment(directives[3], "CC-YENTHE")
    services.assignment_report_completion(
        actor=yenthe,
        assignment=a,
        note="Chi cục trưởng tiếp công dân định kỳ hằng tháng.",
        now=_at("2022-09-28"),
    )

    # Hiệp Hòa, directive (2): returned for rework once, back in progress.
    a = _assignment(directives[1], "CC-HIEPHOA")
    services.assignment_report_completion(
        actor=hiephoa,
        assignment=a,
        note="Đã thu hồi các khoản nợ tín dụng.",
        now=_at("2022-08-30"),
    )
    services.assignment_return(
        actor=director,
        assignment=a,
        reason="Chưa có số liệu thu ngân sách nhà nước.",
        now=_at("2022-09-01"),
    )

    # Hiệp Hòa, directive (5): an extension request still waiting.
    a = _assignment(directives[5], "CC-HIEPHOA")
    services.assignment_acknowledge(actor=hiephoa, assignment=a, now=_at("2022-04-26"))
    services.extension_request_create(
        actor=hiephoa,
        assignment=a,
        requested_due_date=date(2022, 12, 15),
        reason="Chờ ý kiến của cấp ủy địa phương.",
        now=_at("2022-09-26"),
    )

    # Yên Thế, directive (7): cancelled by leadership.
    a = _assignment(directives[7], "CC-YENTHE")
    services.assignment_cancel(
        actor=director,
        assignment=a,
        reason="Trụ sở Chi cục đã được đầu tư năm 2021.",
        now=_at("2022-05-10"),
    )


RECEPTION_TITLE = "Lịch tiếp công dân định kỳ của Chi cục trưởng các Chi cục THADS"
RECEPTION_RRULE = "FREQ=MONTHLY;BYMONTHDAY=15"


@transaction.atomic
def seed_recurring(*, director: User) -> SourceDocument | None:
    """The monthly citizen-reception day of each Chi cục head (Luật Tiếp công dân
    2013: the head of an agency receives citizens at least one day a month; the
    conclusion's item (3) asks the heads to do it regularly): the 15th of each
    month, rolled to a working day, one assignment per Chi cục per month."""
    if SourceDocument.objects.filter(title=RECEPTION_TITLE).exists():
        return None
    conclusion = SourceDocument.objects.filter(title=CONCLUSION_TITLE).first()
    plan = services.document_create(
        actor=director,
        kind=DocumentKind.PLAN,
        title=RECEPTION_TITLE,
        issued_on=date(2022, 4, 29),
        issuing_unit=OrgUnit.objects.get(code="BG-CUC"),
        signatory="Nguyễn Thị Bích Tần",
        body=(
            "Thực hiện Luật Tiếp công dân năm 2013 và kết luận Hội nghị sơ kết ngày 22/4/2022, "
            "yêu cầu:\n(1) Chi cục trưởng các Chi cục THADS trực tiếp tiếp công dân định kỳ vào "
            "ngày 15 hằng tháng (nếu trùng ngày nghỉ thì chuyển sang ngày làm việc kế tiếp), "
            "ít nhất 01 ngày trong tháng, và báo cáo kết quả tiếp công dân về Cục."
        ),
        links=[(DocumentRelation.IMPLEMENTS, conclusion)] if conclusion else [],
    )
    (directive,) = services.document_extract_confirm(actor=director, document=plan)
    services.recurring_schedule_set(
        actor=director,
        directive=directive,
        rrule=RECEPTION_RRULE,
        starts_on=date(2022, 5, 1),
        units=list(OrgUnit.objects.filter(kind="sub_department").order_by("code")),
    )
    services.recurring_fan_out()
    return plan
