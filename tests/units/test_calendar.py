"""Working-day calendar: the seeded Vietnamese holidays and the arithmetic on them."""

import importlib
from collections import Counter
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from units.calendar import (
    WorkingCalendar,
    load_calendar,
    roll_to_working_day,
    working_days_payload,
)
from units.calendar_data import VIETNAM_CALENDAR_DAYS
from units.models import CalendarDay

# The module name starts with a digit, so it cannot be imported with `import`.
seed_migration = importlib.import_module("units.migrations.0002_calendar_days")

# The data module as a complete, database-free calendar.
VIETNAM = WorkingCalendar(VIETNAM_CALENDAR_DAYS)
PLAIN = WorkingCalendar()


def run_seed():
    seed_migration.seed_calendar_days(django_apps, SimpleNamespace(connection=connection))


# --- the data ---------------------------------------------------------------------


def test_data_has_one_row_per_date_and_known_kinds():
    counts = Counter(day for day, _, _ in VIETNAM_CALENDAR_DAYS)
    assert [day for day, n in counts.items() if n > 1] == []
    assert {kind for _, kind, _ in VIETNAM_CALENDAR_DAYS} == {"holiday", "workday"}
    assert all(name.strip() for _, _, name in VIETNAM_CALENDAR_DAYS)


def test_swapped_working_days_are_weekend_days():
    workdays = [day for day, kind, _ in VIETNAM_CALENDAR_DAYS if kind == "workday"]
    assert workdays
    assert all(day.weekday() >= 5 for day in workdays)


@pytest.mark.parametrize("year", range(2022, 2028))
def test_each_year_gives_the_eleven_days_of_labour_code_article_112(year):
    # Compensation and swaps move days off around, they never add or remove one.
    weekday_holidays = sum(
        1
        for day, kind, _ in VIETNAM_CALENDAR_DAYS
        if day.year == year and kind == "holiday" and day.weekday() < 5
    )
    worked_saturdays = sum(
        1 for day, kind, _ in VIETNAM_CALENDAR_DAYS if day.year == year and kind == "workday"
    )
    assert weekday_holidays - worked_saturdays == 11


@pytest.mark.parametrize("year", range(2022, 2028))
def test_each_year_lists_the_fixed_date_holidays(year):
    holidays = {day for day, kind, _ in VIETNAM_CALENDAR_DAYS if kind == "holiday"}
    for month, day in [(1, 1), (4, 30), (5, 1), (9, 2)]:
        assert date(year, month, day) in holidays


# --- the arithmetic, without the database -------------------------------------------


def test_weekends_are_not_working_days():
    assert PLAIN.is_working_day(date(2026, 3, 6))  # Friday
    assert not PLAIN.is_working_day(date(2026, 3, 7))  # Saturday
    assert not PLAIN.is_working_day(date(2026, 3, 8))  # Sunday
    assert PLAIN.is_working_day(date(2026, 3, 9))  # Monday


def test_add_working_days_back_from_monday_is_the_previous_friday():
    assert PLAIN.add_working_days(date(2026, 3, 9), -1) == date(2026, 3, 6)
    assert VIETNAM.add_working_days(date(2026, 3, 9), -1) == date(2026, 3, 6)


def test_add_zero_working_days_keeps_the_day_even_on_a_day_off():
    assert VIETNAM.add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)
    assert VIETNAM.add_working_days(date(2026, 2, 17), 0) == date(2026, 2, 17)


def test_add_working_days_forward_does_not_count_the_start():
    assert PLAIN.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Fri -> Mon
    assert PLAIN.add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)  # Sat -> Mon
    assert PLAIN.add_working_days(date(2026, 3, 9), 5) == date(2026, 3, 16)


def test_previous_working_day():
    assert PLAIN.previous_working_day(date(2026, 3, 9)) == date(2026, 3, 6)
    assert PLAIN.previous_working_day(date(2026, 3, 10)) == date(2026, 3, 9)
    # Monday 23/2/2026 is the first working day after Tết Bính Ngọ.
    assert VIETNAM.previous_working_day(date(2026, 2, 23)) == date(2026, 2, 13)


def test_working_days_between_is_inclusive():
    assert PLAIN.working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == [
        date(2026, 3, 6),
        date(2026, 3, 9),
    ]
    assert PLAIN.working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == [date(2026, 3, 9)]
    assert PLAIN.working_days_between(date(2026, 3, 7), date(2026, 3, 8)) == []
    assert PLAIN.working_days_between(date(2026, 3, 10), date(2026, 3, 9)) == []
    # 30/4–1/5/2026 (Thu–Fri) off: that week has three working days.
    assert VIETNAM.working_days_between(date(2026, 4, 27), date(2026, 5, 3)) == [
        date(2026, 4, 28),
        date(2026, 4, 29),
    ]


def test_explicit_exceptions_override_the_week():
    calendar = WorkingCalendar(
        [(date(2026, 3, 10), "holiday"), (date(2026, 3, 14), "workday", "Làm bù")]
    )
    assert not calendar.is_working_day(date(2026, 3, 10))
    assert calendar.is_working_day(date(2026, 3, 14))
    assert calendar.name(date(2026, 3, 14)) == "Làm bù"
    assert calendar.name(date(2026, 3, 10)) is None


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        WorkingCalendar([(date(2026, 3, 10), "vacation")])
    with pytest.raises(ValueError):
        WorkingCalendar([(date(2026, 3, 10), "holiday"), (date(2026, 3, 10), "workday")])
    # A timestamp would silently name the wrong day before 07:00 in Hanoi.
    with pytest.raises(TypeError):
        PLAIN.is_working_day(datetime(2026, 3, 9, 1, 0))


def test_a_span_without_a_loader_refuses_to_guess_outside_it():
    calendar = WorkingCalendar([], span=(date(2026, 1, 1), date(2026, 12, 31)))
    assert calendar.is_working_day(date(2026, 6, 1))
    with pytest.raises(ValueError):
        calendar.is_working_day(date(2027, 1, 4))


def test_lazy_extension_calls_the_loader_once_for_the_gap():
    calls = []

    def loader(first, last):
        calls.append((first, last))
        return [row for row in VIETNAM_CALENDAR_DAYS if first <= row[0] <= last]

    span = (date(2026, 3, 1), date(2026, 3, 31))
    calendar = WorkingCalendar(loader(*span), span=span, loader=loader)
    calls.clear()
    assert not calendar.is_working_day(date(2026, 9, 1))
    assert calls == [(date(2026, 4, 1), date(2026, 9, 1) + timedelta(days=366))]
    assert calendar.is_working_day(date(2026, 8, 22))  # swapped Saturday, already loaded
    assert len(calls) == 1
    assert not calendar.is_working_day(date(2025, 9, 2))
    assert calls[1] == (date(2025, 9, 2) - timedelta(days=366), date(2026, 2, 28))


# --- the seeded database ----------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_seeded_every_row():
    seeded = dict(CalendarDay.objects.values_list("date", "kind"))
    for day, kind, _ in VIETNAM_CALENDAR_DAYS:
        assert seeded.get(day) == kind, day


@pytest.mark.django_db
def test_load_calendar_makes_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        calendar = load_calendar(date(2026, 2, 1), date(2026, 2, 28))
    with django_assert_num_queries(0):
        # 60 days around the range are loaded: no query for days near its edges.
        assert not calendar.is_working_day(date(2026, 1, 1))
        assert calendar.is_working_day(date(2026, 1, 10))
        assert calendar.roll_forward(date(2026, 4, 26)) == date(2026, 4, 28)


@pytest.mark.django_db
def test_national_day_2025_is_not_a_working_day():
    calendar = load_calendar(date(2025, 9, 1), date(2025, 9, 30))
    assert not calendar.is_working_day(date(2025, 9, 2))  # Tuesday
    assert not calendar.is_working_day(date(2025, 9, 1))  # the adjacent Monday
    assert calendar.is_working_day(date(2025, 9, 3))


@pytest.mark.django_db
def test_weekends_are_not_working_days_in_the_seeded_calendar():
    calendar = load_calendar(date(2026, 3, 1), date(2026, 3, 31))
    assert not calendar.is_working_day(date(2026, 3, 7))
    assert not calendar.is_working_day(date(2026, 3, 8))
    assert calendar.is_working_day(date(2026, 3, 9))


@pytest.mark.django_db
def test_deadline_on_30_april_2026_rolls_past_the_holiday(django_assert_num_queries):
    # Thu 30/4 and Fri 1/5 are holidays, Sat 2/5 and Sun 3/5 the weekend.
    with django_assert_num_queries(1):
        assert roll_to_working_day(date(2026, 4, 30)) == date(2026, 5, 4)
    assert roll_to_working_day(date(2026, 4, 29)) == date(2026, 4, 29)
    # Giỗ Tổ 26/4/2026 is a Sunday, given back on Monday 27/4.
    assert roll_to_working_day(date(2026, 4, 26)) == date(2026, 4, 28)


@pytest.mark.django_db
def test_tet_2026():
    calendar = load_calendar(date(2026, 2, 1), date(2026, 2, 28))
    assert not calendar.is_working_day(date(2026, 2, 17))  # mùng 1 Tết, a Tuesday
    assert all(not calendar.is_working_day(date(2026, 2, 14) + timedelta(days=i)) for i in range(9))
    assert calendar.roll_forward(date(2026, 2, 14)) == date(2026, 2, 23)
    assert calendar.is_working_day(date(2026, 2, 13))


@pytest.mark.django_db
def test_swapped_saturdays_are_working_days():
    calendar = load_calendar(date(2024, 1, 1), date(2026, 12, 31))
    for saturday in [date(2024, 5, 4), date(2025, 4, 26), date(2026, 1, 10), date(2026, 8, 22)]:
        assert saturday.weekday() == 5
        assert calendar.is_working_day(saturday), saturday
    # …and the days swapped against them are off.
    for day in [date(2024, 4, 29), date(2025, 5, 2), date(2026, 1, 2), date(2026, 8, 31)]:
        assert not calendar.is_working_day(day), day
    # 2023 had no swap: 29/4–3/5 came from compensation alone.
    assert not calendar.is_working_day(date(2023, 5, 6))


@pytest.mark.django_db
def test_seven_working_days_before_a_date_after_tet_skip_the_break():
    calendar = load_calendar(date(2026, 2, 23), date(2026, 2, 23))
    # Back from Mon 23/2: 13, 12, 11, 10, 9, 6, 5 February; 14–22/2 are all off.
    assert calendar.add_working_days(date(2026, 2, 23), -7) == date(2026, 2, 5)
    assert calendar.add_working_days(date(2026, 2, 23), -1) == date(2026, 2, 13)
    assert calendar.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)


@pytest.mark.django_db
def test_working_days_between_in_the_seeded_calendar():
    calendar = load_calendar(date(2026, 2, 9), date(2026, 2, 27))
    assert calendar.working_days_between(date(2026, 2, 12), date(2026, 2, 24)) == [
        date(2026, 2, 12),
        date(2026, 2, 13),
        date(2026, 2, 23),
        date(2026, 2, 24),
    ]


@pytest.mark.django_db
def test_lazy_extension_beyond_the_loaded_span(django_assert_num_queries):
    calendar = load_calendar(date(2026, 3, 1), date(2026, 3, 31))
    first, last = calendar.span
    assert last < date(2027, 2, 8)
    with django_assert_num_queries(1):
        assert not calendar.is_working_day(date(2027, 2, 8))  # Tết Đinh Mùi
    with django_assert_num_queries(0):
        assert calendar.is_working_day(date(2027, 2, 11))
        assert calendar.roll_forward(date(2026, 9, 2)) == date(2026, 9, 3)
    assert date(2022, 1, 31) < first
    with django_assert_num_queries(1):
        assert not calendar.is_working_day(date(2022, 1, 31))  # Tết Nhâm Dần


@pytest.mark.django_db
def test_working_days_payload(django_assert_num_queries):
    with django_assert_num_queries(1):
        payload = working_days_payload(date(2026, 4, 25), date(2026, 5, 4))
    assert len(payload) == 10
    by_date = {entry["date"]: entry for entry in payload}
    assert by_date["2026-04-25"] == {"date": "2026-04-25", "working": False, "name": None}
    assert by_date["2026-04-26"] == {
        "date": "2026-04-26",
        "working": False,
        "name": "Giỗ Tổ Hùng Vương (10/3 âm lịch)",
    }
    assert by_date["2026-04-27"]["working"] is False
    assert by_date["2026-04-28"] == {"date": "2026-04-28", "working": True, "name": None}
    assert by_date["2026-04-30"]["name"] == "Ngày Chiến thắng (30/4)"
    assert by_date["2026-05-04"] == {"date": "2026-05-04", "working": True, "name": None}
    swapped = working_days_payload(date(2026, 1, 10), date(2026, 1, 10))
    assert swapped == [
        {"date": "2026-01-10", "working": True, "name": "Làm bù cho thứ Sáu 2/1/2026"}
    ]
    with pytest.raises(ValueError):
        working_days_payload(date(2026, 5, 4), date(2026, 4, 25))


@pytest.mark.django_db
def test_an_admin_added_holiday_is_honoured():
    CalendarDay.objects.create(date=date(2026, 11, 24), kind="holiday", name="Ngày Văn hóa")
    assert roll_to_working_day(date(2026, 11, 24)) == date(2026, 11, 25)


@pytest.mark.django_db
def test_the_seed_migration_is_idempotent():
    count = CalendarDay.objects.count()
    assert count >= len(VIETNAM_CALENDAR_DAYS)
    run_seed()
    run_seed()
    assert CalendarDay.objects.count() == count


@pytest.mark.django_db
def test_the_seed_migration_does_not_overwrite_an_admin_edit():
    CalendarDay.objects.filter(date=date(2026, 4, 27)).update(name="Nghỉ bù (đã sửa)")
    CalendarDay.objects.filter(date=date(2027, 9, 3)).update(kind="workday", name="Đi làm")
    run_seed()
    assert CalendarDay.objects.get(date=date(2026, 4, 27)).name == "Nghỉ bù (đã sửa)"
    corrected = CalendarDay.objects.get(date=date(2027, 9, 3))
    assert (corrected.kind, corrected.name) == ("workday", "Đi làm")


@pytest.mark.django_db
def test_the_seed_migration_restores_a_missing_row_only():
    CalendarDay.objects.filter(date=date(2026, 2, 17)).delete()
    count = CalendarDay.objects.count()
    run_seed()
    assert CalendarDay.objects.count() == count + 1
    assert CalendarDay.objects.get(date=date(2026, 2, 17)).kind == "holiday"


# --- properties -------------------------------------------------------------------

dates = st.dates(min_value=date(2021, 1, 1), max_value=date(2028, 12, 31))
exception_lists = st.dictionaries(
    keys=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 3, 31)),
    values=st.sampled_from(["holiday", "workday"]),
    max_size=60,
).map(lambda kinds: list(kinds.items()))


def assert_rolls_correctly(calendar, day):
    rolled = calendar.roll_forward(day)
    assert rolled >= day
    assert calendar.is_working_day(rolled)
    assert not calendar.working_days_between(day, rolled - timedelta(days=1))


@given(day=dates)
def test_roll_forward_lands_on_the_first_working_day_vietnam(day):
    assert_rolls_correctly(VIETNAM, day)


@given(exceptions=exception_lists, day=st.dates(date(2025, 12, 1), date(2026, 4, 30)))
def test_roll_forward_lands_on_the_first_working_day_any_exceptions(exceptions, day):
    assert_rolls_correctly(WorkingCalendar(exceptions), day)


@given(day=dates, n=st.integers(min_value=-40, max_value=40))
def test_adding_then_subtracting_working_days_returns_to_a_working_day(day, n):
    start = VIETNAM.roll_forward(day)
    moved = VIETNAM.add_working_days(start, n)
    assert VIETNAM.is_working_day(moved)
    assert VIETNAM.add_working_days(moved, -n) == start
    first, last = sorted([start, moved])
    assert len(VIETNAM.working_days_between(first, last)) == abs(n) + 1
