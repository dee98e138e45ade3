"""Holidays for any year (issue 9, point 3): the Labour Code's public holidays
computed by the `holidays` library, lunar Tết and Giỗ Tổ included, with the
government's decisions (`CalendarDay` rows, `CalendarYear`) on top.

2022–2026 are recorded decisions, seeded in full: they are read from their rows,
which win where the library differs. Later years are computed.
"""

from datetime import date

import pytest

from units.calendar import load_calendar, roll_to_working_day, working_days_payload
from units.calendar_data import VIETNAM_CALENDAR_DAYS
from units.models import CalendarDay, CalendarYear
from units.public_holidays import law_holidays, years_without_decision

pytestmark = pytest.mark.django_db


def weekday_days_off(rows, year: int) -> set[date]:
    return {
        day for day, kind, _ in rows if day.year == year and kind == "holiday" and day.weekday() < 5
    }


# --- the library against the seeded decisions ---------------------------------------------


@pytest.mark.parametrize("year", range(2022, 2028))
def test_the_library_agrees_with_the_seeded_years_but_for_known_decisions(year):
    library = weekday_days_off(law_holidays(year), year)
    seeded = weekday_days_off(VIETNAM_CALENDAR_DAYS, year)

    # The only differences: the 2026 decision swapped Friday 2/1 (against Saturday
    # 10/1) and did not give 24/11 off, which the library counts from 2026 on.
    expected_seeded_only = {2026: {date(2026, 1, 2)}}.get(year, set())
    expected_library_only = {date(year, 11, 24)} if year >= 2026 else set()
    assert seeded - library == expected_seeded_only
    assert library - seeded == expected_library_only


def test_the_years_recorded_in_full_are_2022_to_2026():
    assert list(
        CalendarYear.objects.filter(listed_in_full=True).values_list("year", flat=True)
    ) == [
        2022,
        2023,
        2024,
        2025,
        2026,
    ]
    assert years_without_decision(range(2022, 2030)) == [2027, 2028, 2029]


def test_a_recorded_year_reads_its_rows_alone():
    calendar = load_calendar(date(2026, 11, 1), date(2026, 12, 31))
    assert calendar.is_working_day(date(2026, 11, 24))  # the 2026 decision: a working day
    assert not load_calendar(date(2026, 1, 1), date(2026, 1, 5)).is_working_day(date(2026, 1, 2))


# --- computed years -------------------------------------------------------------------


def test_a_2028_tet_deadline_rolls_past_the_break():
    # Tết Mậu Thân: mùng 1 is Wednesday 26/1/2028; 29 Tết (Mon 24/1) to mùng 3
    # (Fri 28/1) are off, so work resumes on Monday 31/1.
    assert roll_to_working_day(date(2028, 1, 26)) == date(2028, 1, 31)
    assert roll_to_working_day(date(2028, 1, 24)) == date(2028, 1, 31)
    assert roll_to_working_day(date(2028, 1, 21)) == date(2028, 1, 21)


@pytest.mark.parametrize(
    ("due", "rolled"),
    [
        (date(2028, 4, 4), date(2028, 4, 5)),  # Giỗ Tổ, 10/3 lunar: a Tuesday
        (date(2028, 1, 3), date(2028, 1, 4)),  # 1/1 is a Saturday, given back Monday 3/1
        (date(2028, 5, 2), date(2028, 5, 3)),  # 30/4 is a Sunday, given back Tuesday 2/5
        (date(2028, 9, 4), date(2028, 9, 5)),  # 2/9 is a Saturday, given back Monday 4/9
        (date(2031, 1, 23), date(2031, 1, 28)),  # Tết 2031: mùng 1 is Thursday 23/1
    ],
)
def test_holidays_of_later_years_roll_deadlines(due, rolled):
    assert roll_to_working_day(due) == rolled


def test_the_government_decision_for_a_computed_year_is_laid_on_top():
    # A swap as the government announces them: Friday 4/2/2028 given off, worked
    # back on Saturday 12/2; the computed Tết stays.
    CalendarDay.objects.create(date=date(2028, 2, 4), kind="holiday", name="Nghỉ hoán đổi")
    CalendarDay.objects.create(date=date(2028, 2, 12), kind="workday", name="Làm bù 4/2")
    # A row also overrides what the law computes on its date.
    CalendarDay.objects.create(date=date(2028, 1, 28), kind="workday", name="Đi làm (quyết định)")

    calendar = load_calendar(date(2028, 1, 1), date(2028, 3, 1))

    assert not calendar.is_working_day(date(2028, 2, 4))
    assert calendar.is_working_day(date(2028, 2, 12))
    assert calendar.is_working_day(date(2028, 1, 28))
    assert not calendar.is_working_day(date(2028, 1, 27))
    assert roll_to_working_day(date(2028, 1, 26)) == date(2028, 1, 28)


def test_listing_a_year_in_full_stops_the_computation():
    CalendarYear.objects.create(year=2028, decision="Văn bản thử", listed_in_full=True)
    CalendarDay.objects.create(date=date(2028, 1, 1), kind="holiday", name="Tết Dương lịch")

    assert roll_to_working_day(date(2028, 1, 26)) == date(2028, 1, 26)


def test_the_working_days_payload_names_computed_holidays(django_assert_num_queries):
    with django_assert_num_queries(1):
        payload = working_days_payload(date(2028, 1, 24), date(2028, 1, 31))

    assert [(d["date"], d["working"]) for d in payload] == [
        ("2028-01-24", False),
        ("2028-01-25", False),
        ("2028-01-26", False),
        ("2028-01-27", False),
        ("2028-01-28", False),
        ("2028-01-29", False),
        ("2028-01-30", False),
        ("2028-01-31", True),
    ]
    assert payload[2]["name"] == "Tết Nguyên Đán"


def test_a_calendar_across_years_costs_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        calendar = load_calendar(date(2027, 12, 1), date(2029, 2, 1))
    with django_assert_num_queries(0):
        assert not calendar.is_working_day(date(2029, 2, 14))  # Tết Kỷ Dậu, mùng 2


# --- the admin flags a year without a decision -------------------------------------------


def test_the_admin_flags_the_years_without_a_recorded_decision(client, people, settings):
    client.force_login(people.superuser)

    response = client.get("/admin/units/calendarday/")

    assert response.status_code == 200
    text = response.content.decode()
    assert "Chưa ghi nhận quyết định lịch nghỉ của Chính phủ cho năm" in text
    response = client.get("/admin/units/calendaryear/")
    assert response.status_code == 200
    assert "Chưa ghi nhận quyết định lịch nghỉ của Chính phủ cho năm" in response.content.decode()


def test_the_admin_does_not_flag_once_decisions_are_recorded(client, people):
    from thads.clock import local_today

    this_year = local_today().year
    for year in (this_year, this_year + 1):
        CalendarYear.objects.update_or_create(year=year, defaults={"decision": "Văn bản thử"})
    client.force_login(people.superuser)

    response = client.get("/admin/units/calendarday/")

    assert "Chưa ghi nhận quyết định" not in response.content.decode()
