"""The statistics services: each rule, the workflow, and immutability."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from enforcement import figures as fig
from enforcement import services
from enforcement.models import ReportEvent, ReportStatus, UnitReport
from tests.enforcement.conftest import figures, make_report
from thads.errors import DomainError


def _rules(excinfo) -> dict:
    return excinfo.value.extra["rules"]


def test_create_stores_a_draft_due_two_working_days_after_the_period(people, org):
    report = make_report(people.officer, org.hiephoa)
    assert report.status == ReportStatus.DRAFT
    # 31/3/2022 is a Thursday: Friday 1/4 and Monday 4/4 are the two working days.
    assert report.due_date == date(2022, 4, 4)
    assert report.figures() == figures()
    assert list(report.events.values_list("action", flat=True)) == ["created"]


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("cases.received", -1, fig.NEGATIVE),
        ("cases.received", 1.5, fig.NOT_WHOLE_NUMBER),
        ("money.received", 4e11, fig.NOT_WHOLE_NUMBER),
        ("money.received", "400.000.000.000", fig.NOT_WHOLE_NUMBER),
        ("money.received", 10**15 + 1, fig.TOO_LARGE),
    ],
)
def test_create_refuses_a_bad_figure_naming_field_and_rule(people, org, field, value, rule):
    metric, name = field.split(".")
    with pytest.raises(DomainError) as excinfo:
        make_report(people.officer, org.hiephoa, **{f"{metric}__{name}": value})
    assert excinfo.value.code == services.FIGURES_INVALID
    assert _rules(excinfo)[field] == rule
    assert field in excinfo.value.fields
    assert not UnitReport.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"cases__to_enforce": 151}, "cases.to_enforce", fig.TO_ENFORCE_SUM),
        ({"money__not_yet_enforceable": 1}, "money.not_yet_enforceable", fig.ENFORCEABLE_SPLIT),
        ({"cases__completed": 116}, "cases.completed", fig.RESOLVED_EXCEEDS_ENFORCEABLE),
        ({"money__carried_forward": 1}, "money.carried_forward", fig.CARRIED_FORWARD_SUM),
    ],
)
def test_create_refuses_figures_that_break_an_identity(people, org, change, field, rule):
    with pytest.raises(DomainError) as excinfo:
        make_report(people.officer, org.hiephoa, **change)
    assert _rules(excinfo)[field] == rule
    assert not UnitReport.objects.exists()


def test_missing_and_unknown_figures_are_named(people, org):
    body = figures()
    del body["cases"]["received"]
    body["money"]["bonus"] = 1
    with pytest.raises(DomainError) as excinfo:
        services.report_create(
            actor=people.officer, unit=org.hiephoa, year=2022, months=6, group="all", **body
        )
    assert set(excinfo.value.fields) >= {"cases.received", "money.bonus"}


@pytest.mark.parametrize(
    ("year", "months"), [(2022, 0), (2022, 13), (1945, 6), (2200, 1), (2022, 6.0)]
)
def test_create_refuses_a_period_out_of_range(people, org, year, months):
    with pytest.raises(DomainError) as excinfo:
        make_report(people.officer, org.hiephoa, year=year, months=months)
    assert excinfo.value.code == services.PERIOD_INVALID


def test_a_group_never_exceeds_the_all_group(people, org):
    make_report(people.officer, org.hiephoa)
    make_report(people.officer, org.hiephoa, group="credit", scale=4)
    with pytest.raises(DomainError) as excinfo:
        make_report(
            people.officer,
            org.hiephoa,
            group="budget",
            scale=1,
            cases__carried_over=101,
            cases__received=59,
        )
    assert _rules(excinfo)["cases.carried_over"] == fig.EXCEEDS_ALL_GROUP


def test_the_all_group_cannot_go_below_an_existing_group(people, org):
    report = make_report(people.officer, org.hiephoa, group="all")
    make_report(people.officer, org.hiephoa, group="credit", scale=2)
    smaller = figures(3)
    with pytest.raises(DomainError) as excinfo:
        services.report_update(actor=people.officer, report=report, **smaller)
    assert set(_rules(excinfo).values()) == {fig.EXCEEDS_ALL_GROUP}


def test_a_cumulative_period_never_goes_down(people, org):
    make_report(people.officer, org.hiephoa, months=6)
    with pytest.raises(DomainError) as excinfo:
        make_report(people.officer, org.hiephoa, months=7, scale=2)
    assert _rules(excinfo)["cases.completed"] == fig.CUMULATIVE_DECREASE
    # nor may an earlier month exceed a later one already entered
    with pytest.raises(DomainError) as excinfo:
        make_report(
            people.officer,
            org.hiephoa,
            months=5,
            **{"cases__received": 61, "cases__carried_over": 99},
        )
    assert _rules(excinfo)["cases.received"] == fig.CUMULATIVE_DECREASE


def test_workflow_submit_return_correct_validate(people, org, report):
    services.report_submit(actor=people.officer, report=report)
    returned = services.report_return(
        actor=people.office_staff, report=report, reason="Sai số thụ lý mới"
    )
    assert returned.status == ReportStatus.DRAFT
    assert returned.return_reason == "Sai số thụ lý mới"
    services.report_update(actor=people.officer, report=report, **figures(2))
    services.report_submit(actor=people.officer, report=report)
    validated = services.report_validate(actor=people.director, report=report)
    assert validated.status == ReportStatus.VALIDATED
    assert validated.cases_completed == 35
    assert list(report.events.values_list("action", flat=True)) == [
        "created",
        "submitted",
        "returned",
        "updated",
        "submitted",
        "validated",
    ]


@pytest.mark.parametrize(
    ("steps", "action", "allowed"),
    [
        (["submit"], "submit", ["return", "validate"]),  # submitting twice
        ([], "validate", ["update", "submit"]),  # validating a draft
        (["submit", "validate"], "update", []),  # editing a validated report
        (["submit", "validate"], "return", []),
    ],
)
def test_a_transition_from_the_wrong_status_is_409_naming_the_allowed_ones(
    people, org, report, steps, action, allowed
):
    calls = {
        "submit": lambda: services.report_submit(actor=people.director, report=report),
        "validate": lambda: services.report_validate(actor=people.director, report=report),
        "update": lambda: services.report_update(
            actor=people.director, report=report, **figures(2)
        ),
        "return": lambda: services.report_return(actor=people.director, report=report, reason="x"),
    }
    for step in steps:
        calls[step]()
    events = ReportEvent.objects.count()
    with pytest.raises(DomainError) as excinfo:
        calls[action]()
    assert excinfo.value.status_code == 409
    assert excinfo.value.extra["allowed_actions"] == allowed
    assert ReportEvent.objects.count() == events


def test_only_leadership_validates_and_returns(people, org, report):
    services.report_submit(actor=people.officer, report=report)
    for action in (services.report_validate, services.report_return):
        with pytest.raises(DomainError) as excinfo:
            action(
                actor=people.head,
                report=report,
                **({"reason": "x"} if action is services.report_return else {}),
            )
        assert excinfo.value.status_code == 403


def test_another_units_officer_gets_404(people, org, report):
    with pytest.raises(DomainError) as excinfo:
        services.report_submit(actor=people.other_officer, report=report)
    assert excinfo.value.status_code == 404
    with pytest.raises(DomainError) as excinfo:
        make_report(people.other_officer, org.hiephoa, months=7)
    assert excinfo.value.status_code == 404


def test_a_group_report_needs_the_all_report_before_it_is_submitted(people, org):
    credit = make_report(people.officer, org.hiephoa, group="credit", scale=4)
    with pytest.raises(DomainError) as excinfo:
        services.report_submit(actor=people.officer, report=credit)
    assert excinfo.value.code == services.ALL_GROUP_MISSING


def test_return_needs_a_reason(people, org, report):
    services.report_submit(actor=people.officer, report=report)
    with pytest.raises(DomainError) as excinfo:
        services.report_return(actor=people.director, report=report, reason="  ")
    assert excinfo.value.code == services.REASON_REQUIRED


def test_the_database_refuses_to_change_or_delete_a_validated_report(people, org, report):
    services.report_submit(actor=people.officer, report=report)
    services.report_validate(actor=people.director, report=report)
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitReport.objects.filter(pk=report.pk).update(cases_completed=1)
    if connection.vendor == "postgresql":  # SQLite keeps DELETE (migration 0002)
        with pytest.raises(IntegrityError), transaction.atomic():
            UnitReport.objects.filter(pk=report.pk).delete()
    assert UnitReport.objects.get(pk=report.pk).cases_completed == 70


def test_the_database_refuses_figures_that_break_an_identity(people, org, report):
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitReport.objects.filter(pk=report.pk).update(money_carried_forward=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitReport.objects.filter(pk=report.pk).update(
            cases_received=-1,
            cases_to_enforce=149,
            cases_not_yet_enforceable=29,
            cases_carried_forward=74,
            cases_carried_over=101,
        )
