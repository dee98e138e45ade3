"""The issue, end to end, on PostgreSQL, through the HTTP API only.

The director records the conclusion of the mid-year review of 22/4/2022, extracts
its eight numbered directives, and assigns each to the ten Chi cục with Hiệp Hòa
leading, due 30/9/2022. Hiệp Hòa's officer acknowledges, reports 40 % with a PDF,
asks for more time; the director approves; the officer reports completion; the
director accepts. The history shows each step with its actor, and Yên Thế's
officer can see none of it.

Deadlines are in 2022, so whatever today is they are past: the assertions on
timeliness hold on any date after 17/10/2022.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from tests.directives.factories import seed_conclusion
from tests.directives.test_files import pdf_bytes
from units.seed import DEMO_PASSWORD, seed_demo_logins, seed_organisation

pytestmark = pytest.mark.django_db

API = "/api/v1"
SEED_LABELS = ["1", "2", "2", "3", "4", "5", "6", "7"]


def sign_in(username: str) -> APIClient:
    """A client holding a real JWT obtained with the demo password."""
    client = APIClient()
    response = client.post(
        f"{API}/auth/token/", {"username": username, "password": DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    return client


def ok(response, status: int = 200):
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.json()


def all_pages(client: APIClient, path: str, params: dict | None = None) -> list[dict]:
    rows = []
    body = ok(client.get(path, {**(params or {}), "page_size": 200}))
    rows += body["results"]
    while body["next"]:
        body = ok(client.get(body["next"]))
        rows += body["results"]
    return rows


def write(client: APIClient, assignment_id: int, action: str, data=None, **kwargs):
    """POST to an assignment's action with its current ETag, as a client must."""
    path = f"{API}/assignments/{assignment_id}/"
    current = client.get(path)
    assert current.status_code == 200
    return client.post(f"{path}{action}/", data or {}, HTTP_IF_MATCH=current["ETag"], **kwargs)


def test_a_conclusion_from_text_to_accepted_work_on_postgresql():
    assert connection.vendor == "postgresql"
    # The organisation and the demo logins; the seed's own copy of the conclusion is
    # not loaded: this test records a fresh one through the API.
    call_command("seed_demo", "--no-logins", verbosity=0)
    seed_demo_logins(seed_organisation())
    director = sign_in("director")
    officer = sign_in("hiephoa.officer")
    outsider = sign_in("yenthe.officer")

    # --- the director records the conclusion and its eight directives -------------
    document = ok(
        director.post(
            f"{API}/documents/",
            {
                "kind": "conclusion",
                "number": "KL-22/4/2022",
                "title": "Kết luận Hội nghị sơ kết công tác THADS 6 tháng đầu năm 2022",
                "issued_on": "2022-04-22",
                "signatory": "Nguyễn Thị Bích Tần",
                "body": seed_conclusion(),
            },
            format="json",
        ),
        201,
    )
    extract = f"{API}/documents/{document['id']}/extract/"
    preview = ok(director.post(extract, {"confirm": False}, format="json"))["items"]
    assert [item["label"] for item in preview] == SEED_LABELS
    ok(director.post(extract, {"confirm": True}, format="json"), 201)
    directives = all_pages(director, f"{API}/directives/", {"document": document["id"]})
    assert [d["label"] for d in directives] == SEED_LABELS
    assert [d["position"] for d in directives] == list(range(1, 9))
    assert directives[0]["category"] == "verification"

    # --- each directive goes to the ten Chi cục, Hiệp Hòa leading -------------------
    units = all_pages(director, f"{API}/units/", {"kind": "sub_department"})
    assert len(units) == 10
    [hiephoa] = all_pages(director, f"{API}/units/", {"kind": "sub_department", "q": "hiep hoa"})
    [yenthe] = all_pages(director, f"{API}/units/", {"kind": "sub_department", "q": "yen the"})
    assert hiephoa["code"] == "CC-HIEPHOA"
    for directive in directives:
        created = ok(
            director.post(
                f"{API}/directives/{directive['id']}/assign/",
                {
                    "units": [unit["id"] for unit in units],
                    "lead_unit": hiephoa["id"],
                    "due_date": "2022-09-30",
                },
                format="json",
            ),
            201,
        )
        assert len(created) == 10
        assert [a["unit"] for a in created if a["role"] == "lead"] == [hiephoa["id"]]
    ours = all_pages(officer, f"{API}/assignments/", {"document": document["id"]})
    assert len(ours) == 8
    assert {a["unit"] for a in ours} == {hiephoa["id"]}
    [work] = all_pages(
        officer, f"{API}/assignments/", {"directive": directives[0]["id"], "unit": hiephoa["id"]}
    )
    assert (work["role"], work["status"], work["due_date"]) == ("lead", "assigned", "2022-09-30")
    assert work["timeliness"] == "open_overdue"
    wid = work["id"]

    # --- Hiệp Hòa's officer works on it --------------------------------------------
    assert ok(write(officer, wid, "acknowledge"))["status"] == "acknowledged"
    report = ok(
        write(
            officer,
            wid,
            "progress",
            {
                "percent": "40",
                "note": "Đã xác minh 40% số việc",
                "files": [
                    SimpleUploadedFile("bien-ban-xac-minh.pdf", pdf_bytes(), "application/pdf")
                ],
            },
            format="multipart",
        ),
        201,
    )
    [evidence] = report["attachments"]
    assert evidence["content_type"] == "application/pdf"
    extension = ok(
        write(
            officer,
            wid,
            "extensions",
            {"requested_due_date": "2022-10-15", "reason": "Chờ kết quả thẩm định giá"},
            format="json",
        ),
        201,
    )

    # --- the director approves: Saturday 15/10 becomes Monday 17/10 -------------------
    approved = ok(director.post(f"{API}/extensions/{extension['id']}/approve/"))
    assert approved["status"] == "approved"
    work = ok(officer.get(f"{API}/assignments/{wid}/"))
    assert (work["due_date"], work["original_due_date"], work["extension_count"]) == (
        "2022-10-17",
        "2022-09-30",
        1,
    )

    assert (
        ok(write(officer, wid, "complete", {"note": "Đã hoàn thành"}, format="json"))["status"]
        == "reported"
    )
    done = ok(write(director, wid, "accept", {"note": "Đạt yêu cầu"}, format="json"))
    assert done["status"] == "done"
    assert done["progress"] == 100
    # Completed today, years after 17/10/2022.
    assert done["timeliness"] == "done_late"

    # --- the history: every step, in order, with its actor ------------------------------
    history = ok(director.get(f"{API}/assignments/{wid}/history/"))
    assert [(event["action"], event["actor"]) for event in history] == [
        ("assigned", "director"),
        ("acknowledged", "hiephoa.officer"),
        ("progress_reported", "hiephoa.officer"),
        ("extension_requested", "hiephoa.officer"),
        ("extension_approved", "director"),
        ("completion_reported", "hiephoa.officer"),
        ("accepted", "director"),
    ]
    assert [event["at"] for event in history] == sorted(event["at"] for event in history)
    assert history[4]["before"] == {"due_date": "2022-09-30", "extension_count": 0}
    assert history[4]["after"] == {"due_date": "2022-10-17", "extension_count": 1}
    assert ok(officer.get(f"{API}/assignments/{wid}/history/")) == history

    # --- Yên Thế's officer sees none of Hiệp Hòa's work ----------------------------------
    for path in (
        f"{API}/assignments/{wid}/",
        f"{API}/assignments/{wid}/history/",
        f"{API}/assignments/{wid}/reports/",
        f"{API}/extensions/{extension['id']}/",
        f"{API}/attachments/{evidence['id']}/",
        evidence["download_url"],
    ):
        response = outsider.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    assert outsider.post(f"{API}/extensions/{extension['id']}/approve/").status_code == 404
    for params in (
        {},
        {"document": document["id"]},
        {"directive": directives[0]["id"]},
        {"unit": hiephoa["id"]},
        {"status": "done"},
        {"role": "lead"},
        {"timeliness": "done_late"},
        {"q": "hiep hoa"},
        {"q": "Hiệp Hòa"},
        {"q": "xac minh"},
    ):
        seen = all_pages(outsider, f"{API}/assignments/", params)
        assert hiephoa["id"] not in {a["unit"] for a in seen}, params
        assert {a["unit"] for a in seen} <= {yenthe["id"]}, params
    # Its own share of the same directives is there.
    assert len(all_pages(outsider, f"{API}/assignments/", {"document": document["id"]})) == 8
    assert extension["id"] not in {e["id"] for e in all_pages(outsider, f"{API}/extensions/")}
    # The officer of the unit downloads the evidence unchanged.
    download = officer.get(evidence["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf_bytes()
