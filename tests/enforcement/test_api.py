"""The statistics API through HTTP: bad input is a clear 4xx that writes
nothing, the workflow's answers, roll-up through successors, exports and chart."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from enforcement import services
from enforcement.models import ReportEvent, UnitReport
from tests.enforcement.conftest import API, figures, make_report
from units import services as unit_services

REPORTS = f"{API}/reports/"


def _body(**extra):
    return {"year": 2022, "months": 6, "group": "all", **figures(), **extra}


def _post(client, body):
    return client.post(REPORTS, body, format="json")


def test_officer_creates_and_submits_a_report(client_for, people, org):
    client = client_for(people.officer)
    response = _post(client, _body(unit=org.hiephoa.pk))
    assert response.status_code == 201, response.content
    report = response.json()
    assert report["status"] == "draft"
    assert report["money"]["to_enforce"] == 1_200_000_000_000
    assert report["allowed_actions"] == ["update", "submit"]
    response = client.post(f"{REPORTS}{report['id']}/submit/")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    response = client.post(f"{REPORTS}{report['id']}/submit/")
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert response.json()["allowed_actions"] == []


BAD_FIGURES = [
    ("cases", "received", -5, "negative"),
    ("cases", "completed", 70.5, "not_whole_number"),
    ("money", "received", 400000000000.0, "not_whole_number"),
    ("money", "received", "400.000.000.000", "not_whole_number"),
    ("money", "received", "400,000,000,000", "not_whole_number"),
    ("money", "received", 10**16, "too_large"),
    ("cases", "to_enforce", 151, "to_enforce_sum"),
    ("cases", "not_yet_enforceable", 31, "enforceable_split"),
    ("cases", "carried_forward", 76, "carried_forward_sum"),
]


@pytest.mark.parametrize(("metric", "name", "value", "rule"), BAD_FIGURES)
def test_a_bad_figure_is_a_400_naming_the_field_and_rule(
    client_for, people, org, metric, name, value, rule
):
    body = _body(unit=org.hiephoa.pk)
    body[metric][name] = value
    response = _post(client_for(people.officer), body)
    assert response.status_code == 400, response.content
    answer = response.json()
    assert answer["code"] == "figures_invalid"
    assert answer["rules"][f"{metric}.{name}"] == rule
    assert f"{metric}.{name}" in answer["fields"]
    assert not UnitReport.objects.exists()


def test_completed_plus_terminated_above_enforceable_is_a_400(client_for, people, org):
    body = _body(unit=org.hiephoa.pk)
    body["cases"].update(completed=120, terminated=5, carried_forward=25)
    response = _post(client_for(people.officer), body)
    assert response.status_code == 400
    assert response.json()["rules"] == {"cases.completed": "resolved_exceeds_enforceable"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"months": 0}, "months"),
        ({"months": 13}, "months"),
        ({"months": "6"}, "months"),
        ({"year": 1900}, "year"),
        ({"year": 3000}, "year"),
        ({"group": "nope"}, "group"),
        ({"cases": [1, 2]}, "cases"),
    ],
)
def test_a_bad_period_or_group_is_a_400(client_for, people, org, changes, field):
    response = _post(client_for(people.officer), _body(unit=org.hiephoa.pk, **changes))
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not UnitReport.objects.exists()


def test_a_unit_outside_the_callers_scope_is_404(client_for, people, org):
    response = _post(client_for(people.other_officer), _body(unit=org.hiephoa.pk))
    assert response.status_code == 404
    response = _post(client_for(people.officer), _body(unit=999999))
    assert response.status_code == 404
    assert not UnitReport.objects.exists()


def test_another_units_report_is_404_for_every_verb(client_for, people, org, report):
    client = client_for(people.other_officer)
    url = f"{REPORTS}{report.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, figures(2), format="json").status_code == 404
    assert client.post(f"{url}submit/").status_code == 404
    assert client.get(f"{url}history/").status_code == 404


def test_validating_a_draft_and_editing_a_validated_report_are_409(client_for, people, org, report):
    leader = client_for(people.director)
    url = f"{REPORTS}{report.pk}/"
    response = leader.post(f"{url}validate/")
    assert response.status_code == 409
    assert response.json()["allowed_actions"] == ["update", "submit"]
    assert leader.post(f"{url}submit/").status_code == 200
    assert leader.post(f"{url}validate/").status_code == 200
    events = ReportEvent.objects.count()
    response = client_for(people.officer).patch(url, figures(2), format="json")
    assert response.status_code == 409
    assert ReportEvent.objects.count() == events
    assert UnitReport.objects.get(pk=report.pk).cases_completed == 70


def test_return_needs_a_reason_and_goes_back_to_draft(client_for, people, org, report):
    services.report_submit(actor=people.officer, report=report)
    office = client_for(people.office_staff)
    url = f"{REPORTS}{report.pk}/return/"
    assert office.post(url, {}, format="json").status_code == 400
    response = office.post(url, {"reason": "Số thụ lý mới chưa khớp sổ"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert response.json()["return_reason"] == "Số thụ lý mới chưa khớp sổ"
    history = client_for(people.officer).get(f"{REPORTS}{report.pk}/history/").json()
    assert [e["action"] for e in history] == ["created", "submitted", "returned"]


@pytest.mark.parametrize(
    "query",
    [
        "year=2022",
        "year=2022&months=13",
        "year=2022&months=0",
        "year=1900&months=6",
        "year=abc&months=6",
        "year=2022&months=6&group=nope",
        "year=2022&months=6&unit=abc",
        "year=2022&months=6&colour=red",
    ],
)
def test_summary_refuses_bad_parameters(client_for, people, query):
    response = client_for(people.director).get(f"{API}/summary/?{query}")
    assert response.status_code == 400, (query, response.content)


def _validated(actor, unit, **kwargs):
    report = make_report(actor, unit, **kwargs)
    services.report_submit(actor=actor, report=report)
    return services.report_validate(actor=actor, report=report)


def test_summary_counts_validated_reports_only(client_for, people, org):
    _validated(people.director, org.hiephoa)
    make_report(people.director, org.yenthe)  # a draft: not counted
    answer = client_for(people.director).get(f"{API}/summary/?year=2022&months=6").json()
    assert answer["reports"] == 1
    assert answer["cases"]["enforceable"] == 120
    assert answer["cases"]["rate"] == 62.5  # (70 + 5) / 120
    assert answer["money"]["rate"] == 40.0  # (300 + 20) / 800 bn
    assert answer["cases"]["same_period_rate"] is None
    assert answer["cases"]["change_points"] is None
    assert answer["cases"]["target"] is None


def test_summary_rate_is_null_on_a_zero_base(client_for, people, org):
    answer = client_for(people.director).get(f"{API}/summary/?year=2022&months=6").json()
    assert answer["reports"] == 0
    assert answer["cases"]["rate"] is None and answer["money"]["enforceable_share"] is None


def test_a_merged_units_figures_roll_up_into_its_successor_once(client_for, people, org):
    _validated(people.director, org.team, scale=2)
    _validated(people.director, org.hiephoa)
    unit_services.units_merge(
        actor=people.director, sources=[org.team], into=org.hiephoa, effective_on=date(2022, 5, 1)
    )
    client = client_for(people.director)
    hiephoa = client.get(f"{API}/summary/?year=2022&months=6&unit={org.hiephoa.pk}").json()
    province = client.get(f"{API}/summary/?year=2022&months=6").json()
    assert hiephoa["reports"] == 2
    assert hiephoa["cases"]["enforceable"] == 120 + 60
    assert province["cases"]["enforceable"] == 120 + 60  # not counted twice
    rows = client.get(f"{API}/summary/units/?year=2022&months=6").json()
    assert [(r["code"], r["cases"]["enforceable"]) for r in rows] == [("CC-HIEPHOA", 180)]


def test_summary_exports_per_unit_as_csv_and_xlsx(client_for, people, org):
    _validated(people.director, org.hiephoa)
    _validated(people.director, org.yenthe, scale=2)
    client = client_for(people.director)
    response = client.get(f"{API}/summary/units/?year=2022&months=6&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeffMã đơn vị,Đơn vị,Cũ chuyển sang (việc)")
    assert "CC-HIEPHOA" in text and "62.50" in text
    response = client.get(f"{API}/summary/units/?year=2022&months=6&format=xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [cell for row in workbook.active.iter_rows(values_only=True) for cell in row]
    assert "Chi cục Thi hành án dân sự huyện Yên Thế" in values
    assert client.get(f"{API}/summary/units/?year=2022&months=6&format=pdf").status_code == 400


def test_rate_chart_per_unit_against_the_target(client_for, people, org):
    _validated(people.director, org.hiephoa)
    response = client_for(people.director).get(
        f"{API}/summary/chart/?year=2022&months=6&format=svg"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "Hiệp Hòa" in response.content.decode()
    png = client_for(people.director).get(f"{API}/summary/chart/?year=2022&months=6")
    assert png.content.startswith(b"\x89PNG")


def test_brief_refuses_bad_parameters(client_for, people):
    client = client_for(people.director)
    assert client.get(f"{API}/brief/?year=2022&months=13").status_code == 400
    assert client.get(f"{API}/brief/?year=2022&months=6&format=pdf").status_code == 400
    assert client.get(f"{API}/brief/?year=2022").status_code == 400


def test_brief_ends_with_the_periods_directive_timeliness_per_unit(client_for, people, org):
    from tests.directives.factories import assign_one, local

    _validated(people.director, org.hiephoa, months=12)
    assign_one(
        actor=people.director, unit=org.hiephoa, due_date=date(2022, 9, 15), now=local(2022, 5, 5)
    )
    assign_one(  # due after the period: not in this brief
        actor=people.director, unit=org.yenthe, due_date=date(2022, 11, 15), now=local(2022, 5, 5)
    )
    text = client_for(people.director).get(f"{API}/brief/?year=2022&months=12").content.decode()
    timeliness = text.split("Tiến độ thực hiện nhiệm vụ có hạn trong kỳ, theo đơn vị")[1]
    assert "- Chi cục Thi hành án dân sự huyện Hiệp Hòa: 1 nhiệm vụ;" in timeliness
    assert "quá hạn 1; tỷ lệ đúng hạn 0%" in timeliness
    assert "Yên Thế" not in timeliness
