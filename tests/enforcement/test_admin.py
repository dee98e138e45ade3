"""The statistics admin: entering, importing (all rows or none) and validating
through the services; the changelist of missing reports."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from enforcement import figures as fig
from enforcement import services
from enforcement.models import COLUMNS, ReportStatus, UnitReport
from enforcement.seed_figures import complete
from tests.enforcement.conftest import figures, make_report

IMPORT_URL = "/admin/enforcement/unitreport/import/"


@pytest.fixture
def browser(people) -> Client:
    client = Client()
    client.force_login(people.superuser)
    return client


def _xlsx(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["group", "metric", *fig.MONEY_FIGURES])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("so-lieu.xlsx", buffer.getvalue())


def _row(group, metric, values):
    return [group, metric, *[values.get(name) for name in fig.MONEY_FIGURES]]


def _good_rows():
    body, small = figures(), figures(4)
    return [
        _row("all", "việc", body["cases"]),
        _row("all", "tiền", body["money"]),
        _row("credit", "cases", small["cases"]),
        _row("credit", "money", small["money"]),
    ]


def _import(browser, org, rows):
    return browser.post(
        IMPORT_URL,
        {"unit": org.hiephoa.pk, "year": 2022, "months": 6, "file": _xlsx(rows)},
    )


def test_import_creates_a_draft_per_group(browser, org):
    response = _import(browser, org, _good_rows())
    assert response.status_code == 302
    reports = UnitReport.objects.order_by("group__position")
    assert [(r.group.code, r.status) for r in reports] == [("all", "draft"), ("credit", "draft")]
    assert reports[0].figures() == figures()


def test_an_import_with_bad_rows_writes_nothing_and_names_each_row(browser, org):
    rows = _good_rows()
    rows[1][2 + fig.MONEY_FIGURES.index("received")] = "400.000.000.000"  # line 3
    rows[2][2 + fig.MONEY_FIGURES.index("completed")] = 1.5  # line 4
    response = _import(browser, org, rows)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dòng 3: money.received" in page
    assert "Dòng 4: cases.completed" in page
    assert not UnitReport.objects.exists()


def test_an_import_of_a_group_above_the_all_group_is_refused_whole(browser, org):
    rows = _good_rows()
    # Credit's cases (line 4): consistent on their own, but 120 carried over
    # where the `all` row has 100.
    credit = complete(
        {
            "carried_over": 120,
            "entrusted_out": 2,
            "enforceable": 30,
            "not_yet_enforceable": 103,
            "completed": 17,
            "terminated": 1,
        },
        money=False,
    )
    rows[2] = _row("credit", "cases", credit)
    response = _import(browser, org, rows)
    assert response.status_code == 200
    assert "Dòng 4: cases.carried_over" in response.content.decode()
    assert not UnitReport.objects.exists()


def test_not_a_workbook_is_refused(browser, org):
    response = browser.post(
        IMPORT_URL,
        {
            "unit": org.hiephoa.pk,
            "year": 2022,
            "months": 6,
            "file": SimpleUploadedFile("x.xlsx", b"not a workbook"),
        },
    )
    assert response.status_code == 200
    assert "XLSX" in response.content.decode()
    assert not UnitReport.objects.exists()


def test_admin_add_form_goes_through_the_service(browser, org):
    body = figures()
    data = {"unit": org.hiephoa.pk, "year": 2022, "months": 6, "group": "all", "note": ""}
    for column in COLUMNS:
        metric, name = column.split("_", 1)
        data[column] = body[metric][name]
    data.update({"events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"})
    response = browser.post("/admin/enforcement/unitreport/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    report = UnitReport.objects.get()
    assert report.events.get().action == "created"
    data["cases_completed"] = 116  # breaks completed + terminated <= enforceable
    data["months"] = 7
    response = browser.post("/admin/enforcement/unitreport/add/", data, follow=True)
    assert UnitReport.objects.count() == 1
    assert "Thi hành xong + đình chỉ không được vượt số có điều kiện" in response.content.decode()


def test_validate_action_uses_the_service(browser, people, org):
    report = make_report(people.officer, org.hiephoa)
    services.report_submit(actor=people.officer, report=report)
    draft = make_report(people.other_officer, org.yenthe)
    response = browser.post(
        "/admin/enforcement/unitreport/",
        {"action": "validate_reports", "_selected_action": [report.pk, draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    report.refresh_from_db()
    draft.refresh_from_db()
    assert report.status == ReportStatus.VALIDATED
    assert draft.status == ReportStatus.DRAFT


def test_missing_reports_lists_units_without_a_submitted_report(browser, people, org):
    report = make_report(people.officer, org.hiephoa)
    services.report_submit(actor=people.officer, report=report)
    response = browser.get("/admin/enforcement/missingreport/?period=2022-6")
    assert response.status_code == 200
    page = response.content.decode()
    assert "CC-YENTHE" in page
    assert "CC-HIEPHOA</a>" not in page and "CC-HIEPHOA</td>" not in page
