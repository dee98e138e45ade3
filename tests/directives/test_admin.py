"""The admin as leadership's desk: the assignment list, its labels, the history,
the demo director's permissions, and a refused page logged in one line."""

import logging
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from directives.models import Assignment, AssignmentStatus, ExtensionRequest, ExtensionStatus
from reminders.models import ReminderLedger
from tests.directives.factories import DirectiveFactory, assign_one, drive, request_extension
from units.models import User

LONG_TITLE = (
    "Tập trung chỉ đạo, tổ chức thi hành dứt điểm các vụ việc có điều kiện thi hành, "
    "nhất là các vụ việc liên quan đến tín dụng, ngân hàng, thu hồi tài sản cho Nhà nước "
    "trong các vụ án hình sự về tham nhũng, kinh tế"
)
ASSIGNMENTS = "/admin/directives/assignment/"


@pytest.fixture
def desk(people) -> Client:
    browser = Client()
    browser.force_login(people.superuser)
    return browser


def _headers(response) -> list[str]:
    """The column titles as shown (capitalised), after the action checkbox."""
    headers = [str(header["text"]) for header in response.context["result_headers"]]
    return [text[:1].upper() + text[1:] for text in headers[1:]]


def test_the_assignment_list_shows_what_leadership_follows_with_a_short_title(desk, org, director):
    directive = DirectiveFactory(title=LONG_TITLE)
    assignment = assign_one(actor=director, unit=org.hiephoa, directive=directive)

    response = desk.get(ASSIGNMENTS)

    assert response.status_code == 200
    assert _headers(response) == [
        "Nhiệm vụ",
        "Đơn vị",
        "Trạng thái",
        "Tiến độ so với hạn",
        "Hạn hiện hành",
        "Tiến độ (%)",
    ]
    html = response.content.decode()
    assert 'id="nav-sidebar"' not in html  # the list has the page's width
    cells = re.search(r"<tbody>\s*<tr>(.*?)</tr>", html, re.S).group(1)
    shown = re.search(r'<span title="([^"]+)">([^<]+)</span>', cells)
    assert shown.group(1) == str(directive)  # the whole title on hover
    assert len(shown.group(2)) <= 80 < len(str(directive))
    assert org.hiephoa.short_name in cells
    assert "Đã giao" in cells
    assert f">{assignment.due_date:%d/%m/%Y}<" in cells  # short: the list is wide enough
    assert "0%" in cells


def _ledger_rows(assignments, recipient) -> None:
    now = timezone.now()
    ReminderLedger.objects.bulk_create(
        ReminderLedger(
            key=f"test:{assignment.pk}",
            assignment=assignment,
            kind="overdue_1",
            recipient=recipient,
            channel="inbox",
            due_at=now,
            created_at=now,
        )
        for assignment in assignments
    )


def test_the_reminder_ledger_list_names_each_assignment_briefly_in_fixed_queries(
    desk, org, director, officer, django_assert_max_num_queries
):
    def page(expected_rows: int) -> str:
        response = desk.get("/admin/reminders/reminderledger/")
        assert len(response.context["cl"].result_list) == expected_rows
        return response.content.decode()

    first = assign_one(
        actor=director, unit=org.hiephoa, directive=DirectiveFactory(title=LONG_TITLE)
    )
    _ledger_rows([first], officer)
    with CaptureQueriesContext(connection) as one_row:
        page(1)
    more = [
        assign_one(actor=director, unit=org.hiephoa, directive=DirectiveFactory(title=LONG_TITLE))
        for _ in range(4)
    ]
    _ledger_rows(more, officer)
    with django_assert_max_num_queries(len(one_row)):
        html = page(5)

    cells = re.findall(r'<td class="field-assignment_display">(.*?)</td>', html, re.S)
    assert len(cells) == 5
    shown = re.search(r'<span title="([^"]+)">([^<]+)</span>', cells[0])
    assert shown.group(1) == str(Assignment.objects.get(pk=more[-1].pk))  # newest first
    assert shown.group(2).endswith("→ Hiệp Hòa")
    assert len(shown.group(2)) < 60


def _auto_labels(model) -> list[str]:
    """Fields whose label Django derived from the attribute name (English)."""
    return [
        field.name
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False)
        and not field.auto_created
        and str(field.verbose_name) == field.name.replace("_", " ")
    ]


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda model: model._meta.label)
def test_every_field_of_the_admin_has_a_vietnamese_label(model):
    if model._meta.app_label in {"auth", "token_blacklist"}:
        pytest.skip("Django's and simplejwt's models: their own catalogues (or none)")
    with translation.override("vi"):
        assert _auto_labels(model) == []


def test_the_assignment_page_labels_the_workflow_fields_in_vietnamese(desk, assignment):
    html = desk.get(f"{ASSIGNMENTS}{assignment.pk}/change/").content.decode()
    for label in ["Số lần gia hạn", "Phiên bản", "Người giao", "Lần nhắc hạn tới"]:
        assert label in html
    for english in ["Extension count", "Version", "Assigned by", "Next reminder at"]:
        assert english not in html


def test_the_assignment_page_labels_in_english_for_an_english_browser(desk, assignment):
    response = desk.get(f"{ASSIGNMENTS}{assignment.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    for label in ["Extensions", "Assigned by", "Next reminder at", "THADS administration"]:
        assert label in html


def _row(label: str, before: str, after: str) -> str:
    return f'<td class="thads-history-field">{label}</td><td>{before}</td><td>{after}</td>'


def test_the_history_is_a_table_of_changes_not_json(desk, assignment, people):
    drive(assignment, AssignmentStatus.ACKNOWLEDGED, leader=people.director, member=people.officer)
    request_extension(
        assignment, member=people.officer, requested=assignment.due_date + timedelta(days=30)
    )

    html = desk.get(f"{ASSIGNMENTS}{assignment.pk}/change/").content.decode()

    assert html.count('<table class="thads-history">') == 2  # assigned, acknowledged
    tables = re.findall(r'<table class="thads-history">.*?</table>', html, re.S)
    acknowledged = tables[1]
    assert _row("Trạng thái", "Đã giao", "Đã tiếp nhận") in acknowledged
    assert "<th>Thông tin</th><th>Trước</th><th>Sau</th>" in acknowledged
    assigned = tables[0]
    due = assignment.due_date.strftime("%d/%m/%Y")
    assert _row("Hạn hiện hành", "—", due) in assigned
    assert _row("Đơn vị", "—", "Hiệp Hòa") in assigned
    assert '{"status"' not in html and "&quot;status&quot;" not in html
    assert "Tiếp nhận " in html  # each row's title: the action's name, not its code
    assert " acknowledged " not in html


def test_the_admin_approves_an_extension(desk, assignment, people):
    extension = request_extension(
        assignment, member=people.officer, requested=assignment.due_date + timedelta(days=30)
    )
    response = desk.post(
        "/admin/directives/extensionrequest/",
        {"action": "approve", "_selected_action": [extension.pk]},
    )
    assert response.status_code == 302
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED
    assert Assignment.objects.get(pk=assignment.pk).due_date == extension.requested_due_date
    assert ExtensionRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/admin/reminders/reminderledger/", 200),
        ("/admin/notifications/notification/", 200),
        (ASSIGNMENTS, 200),
        # Devices and webhooks hold their owners' secrets.
        ("/admin/notifications/webhookendpoint/", 403),
        ("/admin/notifications/device/", 403),
    ],
)
def test_the_demo_director_sees_the_reminder_ledger_and_notifications(db, url, status):
    call_command("seed_demo", stdout=StringIO())
    browser = Client()
    browser.force_login(User.objects.get(username="director"))
    assert browser.get(url).status_code == status


def test_a_refused_admin_page_is_logged_in_one_line_without_traceback(db, caplog):
    clerk = User.objects.create_user("clerk", password="pw", is_staff=True)
    browser = Client()
    browser.force_login(clerk)

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = browser.get("/admin/reminders/reminderledger/")

    assert response.status_code == 403
    refused = [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage() for r in refused] == [
        "Forbidden (Permission denied): /admin/reminders/reminderledger/"
    ]
    assert refused[0].exc_info is None
    assert "Traceback" not in caplog.text
