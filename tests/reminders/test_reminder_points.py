"""directives.reminder_points: when reminders about a deadline fall due.

Pure arithmetic on the policy, the deadline and the working-day calendar: the
calendar here is built from the seeded Vietnamese holidays without a database,
and one test checks that the database's calendar gives the same answers.
"""

from datetime import UTC, date, datetime, time, timedelta
from itertools import islice

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directives.reminder_points import (
    AUDIENCE_HEAD,
    AUDIENCE_LEADERSHIP,
    AUDIENCE_UNIT,
    PolicyRules,
    Window,
    due_points,
    next_point_after,
    reminder_points,
)
from tests.reminders.helpers import at
from thads.clock import LOCAL_TZ, local_now
from units.calendar import WorkingCalendar, load_calendar
from units.calendar_data import VIETNAM_CALENDAR_DAYS

CALENDAR = WorkingCalendar(VIETNAM_CALENDAR_DAYS)
DEFAULT = PolicyRules()
OFFICE_HOURS = Window.parse("07:30-17:00")
ALWAYS = Window.parse("always")


def points(deadline: date, *, rules=DEFAULT, window=OFFICE_HOURS, n: int = 10):
    return list(
        islice(reminder_points(deadline=deadline, rules=rules, calendar=CALENDAR, window=window), n)
    )


def as_tuples(found) -> list[tuple[datetime, str, str]]:
    return [(p.at, p.kind, p.audience) for p in found]


# --- the default policy -----------------------------------------------------------


def test_default_policy_around_30_4_and_1_5_2026_skips_the_holidays_and_the_weekend():
    # Deadline Wednesday 6/5/2026. Counting back: Tue 5/5, Mon 4/5, then Sun 3/5,
    # Sat 2/5, Fri 1/5 and Thu 30/4 (holidays) are skipped, so "3 working days
    # before" is Wed 29/4; "7 before" also skips Mon 27/4 (Giỗ Tổ, given back)
    # and lands on Wed 22/4.
    found = as_tuples(points(date(2026, 5, 6)))

    assert found == [
        (at(2026, 4, 22), "before_7", AUDIENCE_UNIT),
        (at(2026, 4, 29), "before_3", AUDIENCE_UNIT),
        (at(2026, 5, 5), "before_1", AUDIENCE_UNIT),
        (at(2026, 5, 6), "due", AUDIENCE_UNIT),
        # The first overdue reminder is the next working day; the unit's head hears too.
        (at(2026, 5, 7), "escalation_head", AUDIENCE_HEAD),
        (at(2026, 5, 7), "overdue_1", AUDIENCE_UNIT),
        # Then every 3 working days: Fri 8, Mon 11, Tue 12.
        (at(2026, 5, 12), "overdue_2", AUDIENCE_UNIT),
        # More than 7 days overdue (6/5 + 8 = Thu 14/5): leadership is told.
        (at(2026, 5, 14), "escalation_leadership", AUDIENCE_LEADERSHIP),
        (at(2026, 5, 15), "overdue_3", AUDIENCE_UNIT),
        (at(2026, 5, 20), "overdue_4", AUDIENCE_UNIT),
    ]


def test_default_policy_across_tet_2026_counts_only_working_days():
    # Deadline Tuesday 24/2/2026; Tết runs Sat 14/2 – Sun 22/2.
    found = as_tuples(points(date(2026, 2, 24), n=6))

    assert found == [
        (at(2026, 2, 6), "before_7", AUDIENCE_UNIT),  # Fri 6/2: 11, 10, 9, (8, 7), 6
        (at(2026, 2, 12), "before_3", AUDIENCE_UNIT),  # Mon 23/2, Fri 13/2, Thu 12/2
        (at(2026, 2, 23), "before_1", AUDIENCE_UNIT),  # the first day back
        (at(2026, 2, 24), "due", AUDIENCE_UNIT),
        (at(2026, 2, 25), "escalation_head", AUDIENCE_HEAD),
        (at(2026, 2, 25), "overdue_1", AUDIENCE_UNIT),
    ]


def test_three_working_days_before_a_tuesday_crosses_the_weekend():
    found = {p.kind: p.at for p in points(date(2026, 6, 9), n=4)}

    assert found["before_1"] == at(2026, 6, 8)  # Monday
    assert found["before_3"] == at(2026, 6, 4)  # Thursday, not Saturday or Sunday


def test_leadership_escalation_of_a_deadline_before_a_long_holiday_waits_for_a_working_day():
    # Deadline Fri 6/2/2026: 6/2 + 8 days is Sat 14/2, the first day of Tết; the
    # escalation goes out on the first working day after it, Mon 23/2.
    found = {p.kind: p.at for p in points(date(2026, 2, 6), n=12)}

    assert found["escalation_leadership"] == at(2026, 2, 23)


def test_with_the_window_always_points_sit_at_midnight_local():
    found = as_tuples(points(date(2026, 5, 6), window=ALWAYS, n=4))

    assert [p[0] for p in found] == [
        datetime(2026, 4, 22, tzinfo=LOCAL_TZ),
        datetime(2026, 4, 29, tzinfo=LOCAL_TZ),
        datetime(2026, 5, 5, tzinfo=LOCAL_TZ),
        datetime(2026, 5, 6, tzinfo=LOCAL_TZ),
    ]


def test_points_are_instants_in_utc_too():
    # 07:30 in Hà Nội is 00:30 UTC: a sweep comparing UTC instants meets them right.
    first = points(date(2026, 5, 6), n=1)[0].at

    assert first.utcoffset() == timedelta(hours=7)
    assert first == datetime(2026, 4, 22, 0, 30, tzinfo=UTC)


def test_policy_without_before_days_due_day_and_escalations_has_only_overdue_repeats():
    rules = PolicyRules(
        before_working_days=(),
        on_due_day=False,
        overdue_first_after_days=2,
        overdue_every_days=5,
        escalate_to_head=False,
        escalate_to_leadership_after_days=None,
    )

    found = as_tuples(points(date(2026, 6, 10), rules=rules, n=3))

    assert found == [
        (at(2026, 6, 12), "overdue_1", AUDIENCE_UNIT),  # 2 working days after Wed 10/6
        (at(2026, 6, 19), "overdue_2", AUDIENCE_UNIT),  # then every 5 working days
        (at(2026, 6, 26), "overdue_3", AUDIENCE_UNIT),
    ]


def test_policy_rules_of_a_stored_policy_drop_repeats_and_non_positive_days():
    class Stored:  # what PolicyRules.of reads from a ReminderPolicy row
        before_working_days = [1, 3, 3, 0, 7]
        on_due_day = True
        overdue_first_after_days = 1
        overdue_every_days = 0
        escalate_to_head = True
        escalate_to_leadership_after_days = 7

    rules = PolicyRules.of(Stored)

    assert rules.before_working_days == (7, 3, 1)
    assert rules.overdue_every_days == 1  # never 0: the overdue series must move on


def test_database_calendar_gives_the_same_points_as_the_seeded_data(db):
    deadline = date(2026, 5, 6)
    from_db = list(
        islice(
            reminder_points(
                deadline=deadline,
                rules=DEFAULT,
                calendar=load_calendar(deadline - timedelta(days=30), deadline),
                window=OFFICE_HOURS,
            ),
            10,
        )
    )

    assert as_tuples(from_db) == as_tuples(points(deadline))


# --- the window --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("07:30-17:00", Window(time(7, 30), time(17, 0))),
        (" 08:00 - 11:30 ", Window(time(8, 0), time(11, 30))),
        ("always", Window(None, None)),
        ("  ALWAYS ", Window(None, None)),
    ],
)
def test_window_parse_accepts_a_range_or_always(value, expected):
    window = Window.parse(value)

    assert window == expected
    assert window.always is (expected.start is None)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "7:30-17:00",
        "07:30",
        "17:00-07:30",
        "07:30-07:30",
        "07:30-17:00-18:00",
        "24:00-25:00",
        "never",
        "07h30-17h00",
    ],
)
def test_window_parse_refuses_anything_else(value):
    with pytest.raises(ValueError, match="REMINDER_WINDOW"):
        Window.parse(value)


def test_window_is_open_on_working_days_from_opening_until_closing():
    assert not OFFICE_HOURS.is_open(at(2026, 5, 6, 7, 29, 59), CALENDAR)
    assert OFFICE_HOURS.is_open(at(2026, 5, 6, 7, 30), CALENDAR)
    assert OFFICE_HOURS.is_open(at(2026, 5, 6, 16, 59, 59), CALENDAR)
    assert not OFFICE_HOURS.is_open(at(2026, 5, 6, 17, 0), CALENDAR)
    assert not OFFICE_HOURS.is_open(at(2026, 5, 9, 10, 0), CALENDAR)  # Saturday
    assert not OFFICE_HOURS.is_open(at(2026, 4, 30, 10, 0), CALENDAR)  # 30/4
    assert OFFICE_HOURS.is_open(at(2026, 1, 10, 10, 0), CALENDAR)  # a Saturday worked
    # Judged in local time: 01:00 UTC is 08:00 in Hà Nội.
    assert OFFICE_HOURS.is_open(datetime(2026, 5, 6, 1, 0, tzinfo=UTC), CALENDAR)
    assert ALWAYS.is_open(at(2026, 5, 9, 3, 0), CALENDAR)


# --- which points a sweep sends --------------------------------------------------------


def due(deadline: date, *, since: datetime, now: datetime, rules=DEFAULT, window=OFFICE_HOURS):
    send, next_at = due_points(
        deadline=deadline, rules=rules, calendar=CALENDAR, window=window, since=since, now=now
    )
    return [p.kind for p in send], next_at


def test_due_points_before_the_first_point_sends_nothing_and_names_the_first():
    assert due(date(2026, 5, 6), since=at(2026, 4, 1), now=at(2026, 4, 22, 7, 29)) == (
        [],
        at(2026, 4, 22),
    )


def test_due_points_sends_a_point_at_its_instant_and_names_the_next():
    assert due(date(2026, 5, 6), since=at(2026, 4, 22), now=at(2026, 4, 22)) == (
        ["before_7"],
        at(2026, 4, 29),
    )


def test_due_points_collapses_several_due_points_of_a_series_into_the_latest():
    # The system was down from 22/4 to the morning of the deadline: of before_7,
    # before_3, before_1 and due only "due" goes out.
    assert due(date(2026, 5, 6), since=at(2026, 4, 22), now=at(2026, 5, 6, 9, 0)) == (
        ["due"],
        at(2026, 5, 7),
    )


def test_due_points_drops_ahead_points_once_an_overdue_one_is_due():
    # Down from 22/4 until 12/5: the head's escalation (its own series) and the
    # latest overdue reminder; no "due soon" about work that is already late.
    kinds, next_at = due(date(2026, 5, 6), since=at(2026, 4, 22), now=at(2026, 5, 12, 9, 0))

    assert kinds == ["escalation_head", "overdue_2"]
    assert next_at == at(2026, 5, 14)


def test_due_points_counts_since_inclusively_and_sends_points_at_the_same_instant_together():
    kinds, next_at = due(date(2026, 5, 6), since=at(2026, 5, 7), now=at(2026, 5, 7))

    assert kinds == ["escalation_head", "overdue_1"]
    assert next_at == at(2026, 5, 12)


def test_next_point_after_is_strictly_after():
    deadline = date(2026, 5, 6)
    kwargs = {"deadline": deadline, "rules": DEFAULT, "calendar": CALENDAR, "window": OFFICE_HOURS}

    assert next_point_after(after=at(2026, 4, 22, 7, 29), **kwargs) == at(2026, 4, 22)
    assert next_point_after(after=at(2026, 4, 22), **kwargs) == at(2026, 4, 29)


# --- properties ------------------------------------------------------------------------

deadlines = st.dates(min_value=date(2022, 3, 1), max_value=date(2027, 10, 31)).map(
    CALENDAR.roll_forward  # deadlines are rolled to a working day when they are set
)
rules_st = st.builds(
    PolicyRules,
    before_working_days=st.sets(st.integers(1, 30), max_size=5).map(
        lambda days: tuple(sorted(days, reverse=True))
    ),
    on_due_day=st.booleans(),
    overdue_first_after_days=st.integers(1, 10),
    overdue_every_days=st.integers(1, 10),
    escalate_to_head=st.booleans(),
    escalate_to_leadership_after_days=st.none() | st.integers(0, 30),
)
windows = st.sampled_from(
    [OFFICE_HOURS, ALWAYS, Window.parse("08:00-11:30"), Window.parse("13:00-17:00")]
)


@settings(max_examples=150, deadline=None)
@given(deadline=deadlines, rules=rules_st, window=windows)
def test_points_never_go_back_in_time_and_sit_at_the_opening_of_a_working_day(
    deadline, rules, window
):
    found = points(deadline, rules=rules, window=window, n=25)

    assert len(found) == 25  # overdue reminders repeat until the work ends
    instants = [p.at for p in found]
    assert instants == sorted(instants)
    for point in found:
        local = local_now(point.at)
        assert CALENDAR.is_working_day(local.date()), point
        assert local.time() == (window.start or time(0, 0)), point
        assert window.is_open(point.at, CALENDAR), point
    assert len({p.kind for p in found}) == len(found)  # each kind once


@settings(max_examples=150, deadline=None)
@given(
    deadline=deadlines,
    rules=rules_st,
    since_days=st.integers(-40, 20),
    span_hours=st.integers(0, 24 * 60),
)
def test_due_points_sends_at_most_one_point_per_series_from_since_to_now(
    deadline, rules, since_days, span_hours
):
    since = at(deadline.year, deadline.month, deadline.day) + timedelta(days=since_days)
    now = since + timedelta(hours=span_hours)

    send, next_at = due_points(
        deadline=deadline, rules=rules, calendar=CALENDAR, window=OFFICE_HOURS, since=since, now=now
    )

    assert all(since <= p.at <= now for p in send)
    series = [p.series for p in send]
    assert len(series) == len(set(series))
    assert not ("ahead" in series and "overdue" in series)
    assert next_at is not None and next_at > now  # the overdue series never ends
    # Nothing is skipped silently: between since and now there is no point of a
    # series later than the one sent.
    for point in points(deadline, rules=rules, n=200):
        if since <= point.at <= now and point.series != "ahead":
            assert any(p.series == point.series and p.at >= point.at for p in send), point
