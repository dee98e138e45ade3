"""The obligation to report is a recurring assignment: submitting the period's
`all` report completes it, returning returns it, validating accepts it."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from directives import services as directive_services
from directives.models import AssignmentStatus, DocumentKind
from enforcement import services
from enforcement.obligation import OBLIGATION_RRULE, OBLIGATION_TITLE, period_assignment
from tests.enforcement.conftest import make_report

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def obligation(people, org):
    plan = directive_services.document_create(
        actor=people.director,
        kind=DocumentKind.PLAN,
        title=OBLIGATION_TITLE,
        issued_on=date(2022, 1, 5),
        body="(1) Các Chi cục gửi báo cáo thống kê hằng tháng.",
    )
    (directive,) = directive_services.document_extract_confirm(actor=people.director, document=plan)
    directive_services.recurring_schedule_set(
        actor=people.director,
        directive=directive,
        rrule=OBLIGATION_RRULE,
        starts_on=date(2022, 1, 1),
        units=[org.hiephoa, org.yenthe],
    )
    directive_services.recurring_fan_out(now=datetime(2022, 3, 20, 9, tzinfo=LOCAL))
    return directive


def test_the_obligation_recurs_on_the_second_weekday_of_the_month(obligation, org):
    assignment = period_assignment(unit_id=org.hiephoa.pk, year=2022, months=6)
    # March 2022 ends on a Thursday: Friday 1/4, Monday 4/4.
    assert assignment.period_start == date(2022, 4, 4)
    assert assignment.due_date == date(2022, 4, 4)


def test_submitting_completes_and_validating_accepts_the_periods_assignment(
    obligation, people, org
):
    report = make_report(people.officer, org.hiephoa)
    assignment = period_assignment(unit_id=org.hiephoa.pk, year=2022, months=6)
    assert assignment.status == AssignmentStatus.ASSIGNED

    services.report_submit(actor=people.officer, report=report)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.REPORTED
    report.refresh_from_db()
    assert report.assignment_id == assignment.pk

    services.report_return(actor=people.director, report=report, reason="Thiếu số liệu")
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.IN_PROGRESS

    services.report_submit(actor=people.officer, report=report)
    services.report_validate(actor=people.director, report=report)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.DONE


def test_a_group_report_leaves_the_assignment_alone(obligation, people, org):
    make_report(people.officer, org.hiephoa)
    credit = make_report(people.officer, org.hiephoa, group="credit", scale=4)
    services.report_submit(actor=people.officer, report=credit)
    assignment = period_assignment(unit_id=org.hiephoa.pk, year=2022, months=6)
    assert assignment.status == AssignmentStatus.ASSIGNED


def test_seed_demo_sets_up_the_monthly_statistics_report_once(db):
    from io import StringIO

    from django.core.management import call_command

    from directives.models import RecurringSchedule

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    schedule = RecurringSchedule.objects.get(directive__document__title=OBLIGATION_TITLE)
    assert schedule.rrule == OBLIGATION_RRULE
    codes = list(schedule.units.values_list("code", flat=True))
    assert len(codes) == 10 and all(code.startswith("CC-") for code in codes)
