"""Recurring directives: `PUT /api/v1/directives/{id}/recurrence/` and
`directives.services.recurring_fan_out`, one assignment per unit per period,
never twice, the deadline rolled to a working day.

The fan-out takes `now=`; the HTTP endpoint only stores the rule, so nothing in
these tests depends on the real date except the seeded demo, which fans out
around today.
"""

from datetime import date
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command

from directives import services
from directives.models import Assignment, AssignmentRole, RecurringSchedule
from directives.seed import RECEPTION_RRULE, RECEPTION_TITLE
from directives.services import recurrence
from tests.directives.factories import assign_one
from tests.reminders.helpers import API, at
from thads.clock import local_today
from units.calendar import load_calendar


@pytest.fixture
def recur(client_for, director, directive):
    client = client_for(director)

    def put(rrule: str, units, **extra):
        body = {
            "rrule": rrule,
            "starts_on": "2026-01-01",
            "units": [unit.pk for unit in units],
            **extra,
        }
        return client.put(f"{API}/directives/{directive.pk}/recurrence/", body, format="json")

    return put


def periods(directive, unit=None) -> list[tuple[date, date]]:
    assignments = Assignment.objects.filter(directive=directive)
    if unit is not None:
        assignments = assignments.filter(unit=unit)
    return sorted(assignments.values_list("period_start", "due_date"))


def test_monthly_rule_for_two_units_fans_out_one_assignment_per_unit_per_month(
    recur, org, directive
):
    response = recur("FREQ=MONTHLY;BYMONTHDAY=15", [org.hiephoa, org.yenthe])
    assert response.status_code == 200, response.content
    assert response.json()["rrule"] == "FREQ=MONTHLY;BYMONTHDAY=15"

    # 1/3/2026 with 30 days of lead time: the March period. 15/3/2026 is a Sunday.
    created = services.recurring_fan_out(now=at(2026, 3, 1, 9, 0))

    assert created == 2
    rows = Assignment.objects.filter(directive=directive).order_by("unit__code")
    assert [(a.unit, a.period_start, a.due_date, a.role) for a in rows] == [
        (org.hiephoa, date(2026, 3, 15), date(2026, 3, 16), AssignmentRole.LEAD),
        (org.yenthe, date(2026, 3, 15), date(2026, 3, 16), AssignmentRole.LEAD),
    ]
    assert all(a.original_due_date == date(2026, 3, 16) for a in rows)
    assert all(a.next_reminder_at is not None for a in rows)  # reminders will come
    assert "15/03/2026" in rows[0].events.get().note


def test_the_fan_out_never_creates_a_period_twice(recur, org, directive):
    recur("FREQ=MONTHLY;BYMONTHDAY=15", [org.hiephoa, org.yenthe])

    assert services.recurring_fan_out(now=at(2026, 3, 1, 9, 0)) == 2
    assert services.recurring_fan_out(now=at(2026, 3, 1, 10, 0)) == 0  # the hourly beat
    assert services.recurring_fan_out(now=at(2026, 3, 10, 9, 0)) == 0  # later in the month
    assert services.recurring_fan_out(now=at(2026, 3, 20, 9, 0)) == 2  # April's arrive
    assert periods(directive, org.hiephoa) == [
        (date(2026, 3, 15), date(2026, 3, 16)),
        (date(2026, 4, 15), date(2026, 4, 15)),
    ]


def test_two_fan_outs_overlapping_create_each_period_once(recur, org, directive):
    """A second beat's fan-out runs while the first is between two units: the
    first then meets the rows the second created and skips them."""
    recur("FREQ=MONTHLY;BYMONTHDAY=15", [org.hiephoa, org.yenthe])
    now = at(2026, 3, 1, 9, 0)
    original = recurrence._assign_period
    nested = []

    def interleaved(*args, **kwargs):
        if not nested:
            nested.append(None)
            nested[0] = services.recurring_fan_out(now=now)
        return original(*args, **kwargs)

    with mock.patch.object(recurrence, "_assign_period", side_effect=interleaved):
        outer = services.recurring_fan_out(now=now)

    assert nested == [2]
    assert outer == 0
    assert Assignment.objects.filter(directive=directive).count() == 2


def test_a_period_on_a_holiday_rolls_past_tet(recur, org, directive):
    recur("FREQ=MONTHLY;BYMONTHDAY=15", [org.hiephoa])

    services.recurring_fan_out(now=at(2026, 2, 1, 9, 0))

    # 15/2/2026 falls in Tết (14/2–22/2): the deadline is Monday 23/2.
    assert periods(directive) == [(date(2026, 2, 15), date(2026, 2, 23))]


@pytest.mark.parametrize(
    ("rrule", "expected"),
    [
        (
            # Quarterly, the last day of the quarter's first month.
            "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1",
            [
                (date(2026, 1, 31), date(2026, 2, 2)),  # Saturday → Monday
                (date(2026, 4, 30), date(2026, 5, 4)),  # 30/4, 1/5, weekend → Monday
                (date(2026, 7, 31), date(2026, 7, 31)),
                (date(2026, 10, 31), date(2026, 11, 2)),  # Saturday → Monday
            ],
        ),
        (
            # Half-yearly reports.
            "FREQ=MONTHLY;INTERVAL=6;BYMONTHDAY=15",
            [(date(2026, 1, 15), date(2026, 1, 15)), (date(2026, 7, 15), date(2026, 7, 15))],
        ),
        (
            "FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY=30",
            [(date(2026, 6, 30), date(2026, 6, 30)), (date(2026, 12, 30), date(2026, 12, 30))],
        ),
        (
            # Yearly, on National Day: 31/8–2/9/2026 are days off.
            "FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=2",
            [(date(2026, 9, 2), date(2026, 9, 3))],
        ),
    ],
    ids=["quarterly", "half-yearly", "half-yearly-by-month", "yearly"],
)
def test_quarterly_half_yearly_and_yearly_rules(recur, org, directive, rrule, expected):
    assert recur(rrule, [org.hiephoa], lead_time_days=366).status_code == 200

    services.recurring_fan_out(now=at(2026, 1, 1, 9, 0))

    assert periods(directive) == expected
    calendar = load_calendar(date(2026, 1, 1), date(2027, 1, 31))
    assert all(calendar.is_working_day(due) for _period, due in expected)


def test_ends_on_stops_the_fan_out(recur, org, directive):
    recur("FREQ=MONTHLY;BYMONTHDAY=15", [org.hiephoa], ends_on="2026-04-30", lead_time_days=366)

    services.recurring_fan_out(now=at(2026, 3, 1, 9, 0))

    assert [period for period, _due in periods(directive)] == [
        date(2026, 3, 15),
        date(2026, 4, 15),
    ]


def test_a_lead_unit_leads_each_period_and_the_others_coordinate(recur, org, directive):
    recur("FREQ=MONTHLY;BYMONTHDAY=15", [org.hiephoa, org.yenthe], lead_unit=org.yenthe.pk)

    services.recurring_fan_out(now=at(2026, 3, 1, 9, 0))

    assert dict(Assignment.objects.values_list("unit__code", "role")) == {
        "CC-HIEPHOA": AssignmentRole.COORDINATING,
        "CC-YENTHE": AssignmentRole.LEAD,
    }


def test_the_schedule_reads_back_and_is_replaced_by_a_second_put(
    recur, client_for, director, org, directive
):
    recur("FREQ=MONTHLY;BYMONTHDAY=15", [org.hiephoa])
    recur("FREQ=MONTHLY;BYMONTHDAY=20", [org.yenthe])

    body = client_for(director).get(f"{API}/directives/{directive.pk}/recurrence/").json()

    assert (body["rrule"], body["units"]) == ("FREQ=MONTHLY;BYMONTHDAY=20", [org.yenthe.pk])
    assert RecurringSchedule.objects.count() == 1


def test_a_directive_without_a_schedule_has_no_recurrence(client_for, director, directive):
    response = client_for(director).get(f"{API}/directives/{directive.pk}/recurrence/")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "rrule",
    [
        "FREQ=SOMETIMES",
        "BYMONTHDAY=15",
        "FREQ=MONTHLY;BYMONTHDAY=32",
        "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30",  # never happens
        "every month on the 15th",
    ],
)
def test_an_invalid_rule_is_refused_with_400_invalid_rrule(recur, org, rrule):
    response = recur(rrule, [org.hiephoa])

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_rrule"
    assert not RecurringSchedule.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"ends_on": "2025-12-31"}, "ends_on"),  # before starts_on (2026-01-01)
        ({"starts_on": "9999-01-01"}, "starts_on"),
        ({"ends_on": "2200-01-01"}, "ends_on"),
    ],
)
def test_a_schedule_with_bad_dates_is_refused(recur, org, extra, field):
    response = recur("FREQ=MONTHLY;BYMONTHDAY=15", [org.hiephoa], **extra)

    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not RecurringSchedule.objects.exists()


@pytest.mark.parametrize("freq", ["HOURLY", "MINUTELY", "SECONDLY"])
def test_a_sub_daily_rule_is_refused(recur, org, freq):
    response = recur(f"FREQ={freq}", [org.hiephoa])

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_rrule"


def test_only_leadership_makes_a_directive_recur(client_for, people, directive, org):
    # The head sees the directive (his unit has it) but may not make it recur.
    assign_one(actor=people.director, unit=org.hiephoa, directive=directive)
    assert client_for(people.head).get(f"{API}/directives/{directive.pk}/").status_code == 200

    response = client_for(people.head).put(
        f"{API}/directives/{directive.pk}/recurrence/",
        {
            "rrule": "FREQ=MONTHLY;BYMONTHDAY=15",
            "starts_on": "2026-01-01",
            "units": [org.hiephoa.pk],
        },
        format="json",
    )

    assert response.status_code == 403
    assert not RecurringSchedule.objects.exists()


def test_seed_demo_sets_up_the_monthly_reception_day_of_each_chi_cuc(db):
    call_command("seed_demo", stdout=StringIO())

    schedule = RecurringSchedule.objects.select_related("directive__document").get(
        directive__document__title=RECEPTION_TITLE
    )
    assert (schedule.rrule, schedule.is_active, schedule.lead_unit) == (
        RECEPTION_RRULE,
        True,
        None,
    )
    units = {unit.code for unit in schedule.units.all()}
    assert len(units) == 10 and all(code.startswith("CC-") for code in units)
    # The fan-out ran for today's 30 days: a 31-day span always holds a 15th.
    fanned = Assignment.objects.filter(directive=schedule.directive)
    assert {a.unit.code for a in fanned} == units
    today = local_today()
    assert all(a.period_start.day == 15 and a.period_start >= today for a in fanned)
    assert all(a.role == AssignmentRole.LEAD for a in fanned)

    call_command("seed_demo", stdout=StringIO())  # idempotent
    assert Assignment.objects.filter(directive=schedule.directive).count() == fanned.count()
    # This one and the monthly statistics report's (enforcement.seed), once each.
    assert RecurringSchedule.objects.count() == 2
