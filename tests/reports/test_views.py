"""The reports over HTTP: answers, downloads read back, charts, feed, export jobs,
and bad input (a clear 4xx that writes nothing)."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook
from PIL import Image

from reports.models import CalendarFeed, ExportJob
from tests.directives.factories import API

REPORT = f"{API}/reports/timeliness/"
OVERDUE = f"{API}/reports/overdue/"
CHART = f"{API}/reports/timeliness/chart/"
EXPORTS = f"{API}/exports/"
FEED = f"{API}/calendar/feed/"


@pytest.fixture
def director_client(client_as, people):
    return client_as(people.director, "director")


@pytest.fixture
def officer_client(client_as, people):
    return client_as(people.officer, "officer")


def test_report_by_unit_answers_rates_as_json_numbers(world, director_client, org):
    response = director_client.get(REPORT, {"group_by": "unit"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["group_by"] == "unit"
    rows = {row["key"]: row for row in body["rows"]}
    assert rows[org.yenthe.pk]["on_time_rate"] == 0
    assert rows[org.hiephoa.pk]["on_time_rate"] == 100
    assert b'"on_time_rate":33.33' in response.content  # totals: 1 of 3, a number
    assert body["totals"]["total"] == 5


@pytest.mark.parametrize("group_by", ["unit", "document", "directive", "category", "month"])
def test_every_grouping_adds_up_to_the_same_totals(world, director_client, group_by):
    body = director_client.get(REPORT, {"group_by": group_by}).json()
    assert sum(row["total"] for row in body["rows"]) == body["totals"]["total"] == 5
    for row in body["rows"]:
        assert row["label"]
        buckets = ("done_on_time", "done_late", "open_on_time", "open_overdue")
        assert sum(row[b] for b in buckets) == row["total"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"group_by": "colour"}, "group_by"),
        ({"format": "pdf"}, "format"),
        ({"from": "2022-07-01", "to": "2022-06-01"}, "from"),
        ({"from": "1900-01-01"}, "from"),
        ({"to": "2300-01-01"}, "to"),
        ({"unit": "abc"}, "unit"),
        ({"directive": "1.5"}, "directive"),
        ({"document": str(2**63)}, "document"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(world, director_client, params, field):
    for url in (REPORT, OVERDUE):
        if url == OVERDUE and field == "group_by":
            continue
        response = director_client.get(url, params)
        assert response.status_code == 400, (url, params, response.content)
        body = response.json()
        assert body["code"] == "validation_error"
        assert field in body["fields"]


def test_chart_refuses_an_unknown_format(director_client, world):
    response = director_client.get(CHART, {"format": "gif"})
    assert response.status_code == 400
    assert "format" in response.json()["fields"]


def test_a_unit_outside_the_officers_scope_is_a_404(world, officer_client, org):
    for url in (REPORT, OVERDUE, CHART):
        assert officer_client.get(url, {"unit": org.yenthe.pk}).status_code == 404
    assert officer_client.get(REPORT, {"unit": 10**15}).status_code == 404


def test_csv_download_reads_back_with_vietnamese_intact(world, director_client, org):
    response = director_client.get(REPORT, {"group_by": "unit", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0][:2] == ["Đơn vị", "Tổng số"]
    assert org.hiephoa.name in [line[0] for line in lines]
    assert lines[-1][0] == "Tổng cộng" and lines[-1][1] == "5"


def test_xlsx_download_reads_back_with_headers_filters_and_total(world, director_client, org):
    response = director_client.get(
        REPORT, {"group_by": "directive", "format": "xlsx", "document": world.document.pk}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Báo cáo tiến độ thực hiện nhiệm vụ"
    assert values[1][0].startswith("Văn bản: ")
    header = values.index(next(v for v in values if v[0] == "Nhiệm vụ"))
    assert sheet.freeze_panes == f"A{header + 2}"
    labels = [v[0] for v in values[header + 1 : -1]]
    assert [label[:3] for label in labels] == ["(1)", "(2)", "(3)"]
    assert values[-1][0] == "Tổng cộng"


def test_overdue_list_and_its_download(world, director_client, org):
    body = director_client.get(OVERDUE).json()
    assert [item["unit"] for item in body["results"]] == [org.office.pk]
    assert body["results"][0]["days_overdue"] > 1000
    response = director_client.get(OVERDUE, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert any(org.office.name in (row[0] or "") for row in sheet.iter_rows(values_only=True))


def test_assignment_list_download_uses_the_list_filters(world, director_client, org):
    url = f"{API}/reports/assignments/"
    response = director_client.get(url, {"format": "csv", "unit": org.hiephoa.pk})
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(lines) == 1 + 3  # header + Hiệp Hòa's three (the cancelled one included)
    assert {line[3] for line in lines[1:]} == {org.hiephoa.name}
    assert director_client.get(url, {"format": "doc"}).status_code == 400
    assert director_client.get(url, {"format": "csv", "stauts": "x"}).status_code == 400


@override_settings(EXPORT_SYNC_MAX_ROWS=2)
def test_a_download_over_the_threshold_is_refused_with_a_pointer_to_exports(world, director_client):
    response = director_client.get(f"{API}/reports/assignments/", {"format": "xlsx"})
    assert response.status_code == 409
    assert response.json()["code"] == "export_too_large"


def test_chart_png_and_svg(world, director_client, org):
    png = director_client.get(CHART, {"group_by": "unit", "format": "png"})
    assert png["Content-Type"] == "image/png"
    Image.open(io.BytesIO(b"".join(png.streaming_content))).verify()
    svg = director_client.get(CHART, {"group_by": "unit", "format": "svg"})
    assert svg["Content-Type"] == "image/svg+xml"
    assert org.hiephoa.name in b"".join(svg.streaming_content).decode()


def test_export_job_builds_and_downloads_for_its_owner_only(
    world, director_client, client_as, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = director_client.post(
            EXPORTS,
            {"report": "timeliness", "format": "xlsx", "params": {"group_by": "unit"}},
            format="json",
        )
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    body = director_client.get(f"{EXPORTS}{job_id}/").json()
    assert body["status"] == "done" and body["download_url"].endswith(f"/{job_id}/download/")
    download = director_client.get(f"{EXPORTS}{job_id}/download/")
    assert download.status_code == 200
    load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    other = client_as(people.head, "other")
    assert other.get(f"{EXPORTS}{job_id}/").status_code == 404
    assert other.get(f"{EXPORTS}{job_id}/download/").status_code == 404
    assert [j["id"] for j in other.get(EXPORTS).json()["results"]] == []


def test_an_expired_export_is_gone(world, director_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = director_client.post(
            EXPORTS, {"report": "overdue", "format": "csv"}, format="json"
        ).json()["id"]
    ExportJob.objects.filter(pk=job_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert director_client.get(f"{EXPORTS}{job_id}/download/").status_code == 410


def test_export_job_with_bad_params_is_a_400_and_records_nothing(world, director_client):
    for body in (
        {"report": "timeliness", "format": "xlsx", "params": {"group_by": "colour"}},
        {"report": "overdue", "format": "pdf"},
        {"report": "assignments", "format": "csv", "params": {"unit": "abc"}},
        {"report": "nothing", "format": "csv"},
    ):
        response = director_client.post(EXPORTS, body, format="json")
        assert response.status_code == 400, body
    assert not ExportJob.objects.exists()


def test_calendar_feed_has_one_event_per_open_assignment_in_scope(
    world, client_as, api_client, people
):
    officer = client_as(people.officer, "officer")
    url = officer.get(FEED).json()["url"]
    assert officer.get(FEED).json()["url"] == url  # the same URL until rotated
    response = api_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(b"".join(response.streaming_content))
    events = calendar.walk("VEVENT")
    # Hiệp Hòa's open work: hh2 only (hh1 done, hh3 cancelled).
    expected = f"assignment-{world.by_name['hh2'].pk}@thads-directives"
    assert [str(e["UID"]) for e in events] == [expected]
    assert events[0].walk("VALARM")
    assert "Kê biên" in str(events[0]["SUMMARY"])
    director_url = client_as(people.director, "director").get(FEED).json()["url"]
    director_events = Calendar.from_ical(
        b"".join(api_client.get(director_url).streaming_content)
    ).walk("VEVENT")
    assert len(director_events) == 3  # hh2, yt2, of3


def test_a_rotated_or_unknown_feed_token_is_a_404(world, client_as, api_client, people):
    officer = client_as(people.officer, "officer")
    old = officer.get(FEED).json()["url"]
    new = officer.post(f"{FEED}rotate/").json()["url"]
    assert new != old
    assert api_client.get(old).status_code == 404
    assert api_client.get(new).status_code == 200
    assert api_client.get(f"{FEED}{'0' * 64}.ics").status_code == 404
    assert api_client.get(f"{FEED}not-a-token.ics").status_code == 404
    stored = CalendarFeed.objects.get(user=people.officer, revoked_at=None)
    assert stored.token_hash not in new  # only the hash is stored, never the token


def test_a_chart_of_too_many_groups_is_refused(world, director_client, monkeypatch):
    monkeypatch.setattr("reports.views.CHART_MAX_GROUPS", 2)
    response = director_client.get(CHART, {"group_by": "unit"})
    assert response.status_code == 400
    assert response.json()["code"] == "chart_too_many_groups"
    assert director_client.get(CHART, {"group_by": "category"}).status_code == 200


def test_pruning_deletes_expired_files(world, director_client, django_capture_on_commit_callbacks):
    from reports.services import exports_prune

    with django_capture_on_commit_callbacks(execute=True):
        job_id = director_client.post(
            EXPORTS, {"report": "overdue", "format": "csv"}, format="json"
        ).json()["id"]
    job = ExportJob.objects.get(pk=job_id)
    name = job.file.name
    assert job.file.storage.exists(name)
    assert exports_prune(now=timezone.now()) == 0
    assert exports_prune(now=job.expires_at + timedelta(seconds=1)) == 1
    job.refresh_from_db()
    assert job.status == "expired" and not job.file.storage.exists(name)
    assert director_client.get(f"{EXPORTS}{job_id}/download/").status_code == 410
