"""The precomputed working-day table gives the calendar's answers, in O(1)."""

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from units.calendar import WorkingCalendar, WorkingDayTable, load_calendar
from units.calendar_data import VIETNAM_CALENDAR_DAYS

VIETNAM = WorkingCalendar(VIETNAM_CALENDAR_DAYS)
# A table over one year (Tết 2026 inside it): questions near and past its edges
# fall back to the calendar.
TABLE = WorkingDayTable(VIETNAM, date(2026, 1, 1), date(2026, 12, 31))

dates = st.dates(min_value=date(2025, 10, 1), max_value=date(2027, 3, 31))


@given(day=dates)
def test_is_working_day_and_roll_forward_agree_with_the_calendar(day):
    assert TABLE.is_working_day(day) == VIETNAM.is_working_day(day)
    assert TABLE.roll_forward(day) == VIETNAM.roll_forward(day)


@given(day=dates, n=st.integers(min_value=-60, max_value=60))
def test_add_working_days_agrees_with_the_calendar(day, n):
    assert TABLE.add_working_days(day, n) == VIETNAM.add_working_days(day, n)


@given(
    exceptions=st.dictionaries(
        keys=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 3, 31)),
        values=st.sampled_from(["holiday", "workday"]),
        max_size=60,
    ).map(lambda kinds: list(kinds.items())),
    day=st.dates(date(2025, 12, 1), date(2026, 4, 30)),
    n=st.integers(min_value=-30, max_value=30),
)
def test_any_exceptions_give_the_same_answers(exceptions, day, n):
    calendar = WorkingCalendar(exceptions)
    table = WorkingDayTable(calendar, date(2026, 1, 1), date(2026, 3, 31))
    assert table.is_working_day(day) == calendar.is_working_day(day)
    assert table.roll_forward(day) == calendar.roll_forward(day)
    assert table.add_working_days(day, n) == calendar.add_working_days(day, n)


def test_tet_2026_and_the_edges():
    # Tết 2026: Monday 16/02 to Friday 20/02 off (Saturday 14/02 – Sunday 22/02).
    assert not TABLE.is_working_day(date(2026, 2, 16))
    assert TABLE.roll_forward(date(2026, 2, 14)) == date(2026, 2, 23)
    assert TABLE.add_working_days(date(2026, 2, 23), -1) == date(2026, 2, 13)
    assert TABLE.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert TABLE.add_working_days(date(2026, 2, 16), 0) == date(2026, 2, 16)
    # Past the last day and before the first: answered by the calendar.
    assert TABLE.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert TABLE.add_working_days(date(2026, 1, 2), -1) == date(2025, 12, 31)
    assert TABLE.roll_forward(date(2027, 1, 1)) == date(2027, 1, 4)


def test_the_table_asks_the_calendar_once_per_day_and_then_no_more():
    asked = []

    class Counting(WorkingCalendar):
        def is_working_day(self, day):
            asked.append(day)
            return super().is_working_day(day)

    table = WorkingDayTable(Counting(VIETNAM_CALENDAR_DAYS), date(2026, 1, 1), date(2026, 1, 31))
    assert len(asked) == 31
    asked.clear()
    for day in range(8, 31):  # three working days back, or the next one, stay inside
        table.add_working_days(date(2026, 1, day), -3)
        table.roll_forward(date(2026, 1, day))
    assert asked == []
    assert table.covers(date(2026, 1, 5), date(2026, 1, 31))
    assert not table.covers(date(2025, 12, 31), date(2026, 1, 5))


def test_bad_input_is_refused():
    with pytest.raises(TypeError):
        TABLE.is_working_day(datetime(2026, 3, 2, 10, 0))
    with pytest.raises(ValueError):
        WorkingDayTable(VIETNAM, date(2026, 2, 1), date(2026, 1, 1))


@pytest.mark.django_db
def test_a_table_over_the_stored_calendar_takes_its_holidays(django_assert_num_queries):
    from units.models import CalendarDay

    CalendarDay.objects.update_or_create(
        date=date(2026, 6, 10), defaults={"kind": "holiday", "name": "Test"}
    )
    with django_assert_num_queries(1):
        table = WorkingDayTable(
            load_calendar(date(2026, 6, 1), date(2026, 6, 30)), date(2026, 6, 1), date(2026, 6, 30)
        )
    assert not table.is_working_day(date(2026, 6, 10))
    assert table.add_working_days(date(2026, 6, 9), 1) == date(2026, 6, 11)
    assert table.first == date(2026, 6, 1) and table.last == date(2026, 6, 30)
    assert table.roll_forward(date(2026, 6, 10)) == date(2026, 6, 11)
    assert table.add_working_days(date(2026, 6, 11), -1) == date(2026, 6, 9)
    assert table.add_working_days(date(2026, 6, 1), -1) == date(2026, 5, 29)
    assert table.roll_forward(date(2026, 6, 9)) == date(2026, 6, 9)
