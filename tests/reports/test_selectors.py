"""timeliness_report and the overdue rows, called as another app would call them."""

from datetime import date
from decimal import Decimal

import pytest

from reports.selectors import (
    WorkingDayCounter,
    overdue_rows,
    percent,
    timeliness_report,
)
from thads.errors import NotFoundError

TODAY = date(2026, 12, 7)


def test_percent_rounds_half_up_with_decimals_and_is_none_without_a_base():
    assert percent(2, 3) == Decimal("66.67")
    assert percent(1, 8) == Decimal("12.50")
    assert percent(1, 200) == Decimal("0.50")
    assert percent(1, 400) == Decimal("0.25")
    assert percent(5, 1000) == Decimal("0.50")
    assert percent(0, 0) is None


def test_by_unit_for_the_director(world, people, org):
    report = timeliness_report(user=people.director, group_by="unit", today=TODAY)
    rows = {row["label"]: row for row in report["rows"]}
    hiephoa = rows[org.hiephoa.name]
    assert hiephoa["key"] == org.hiephoa.pk
    # The cancelled one is not counted.
    assert (hiephoa["total"], hiephoa["done_on_time"], hiephoa["open_on_time"]) == (2, 1, 1)
    assert hiephoa["on_time_rate"] == Decimal("100.00")
    yenthe = rows[org.yenthe.name]
    assert (yenthe["done_late"], yenthe["open_on_time"]) == (1, 1)
    assert yenthe["on_time_rate"] == Decimal("0.00")
    assert yenthe["avg_delay_working_days"] == Decimal("11.00")
    office = rows[org.office.name]
    assert office["open_overdue"] == 1 and office["on_time_rate"] == Decimal("0.00")
    totals = report["totals"]
    assert totals["total"] == 5
    assert totals["on_time_rate"] == Decimal("33.33")


def test_by_directive_in_printed_order(world, people):
    report = timeliness_report(user=people.director, group_by="directive", today=TODAY)
    assert [row["label"][:3] for row in report["rows"]] == ["(1)", "(2)", "(3)"]


def test_an_officer_sees_only_the_officers_unit(world, people, org):
    report = timeliness_report(user=people.officer, group_by="unit", today=TODAY)
    assert [row["key"] for row in report["rows"]] == [org.hiephoa.pk]


def test_a_unit_outside_the_scope_is_not_found(world, people, org):
    with pytest.raises(NotFoundError):
        timeliness_report(
            user=people.officer, group_by="unit", filters={"unit": org.yenthe.pk}, today=TODAY
        )


def test_unknown_group_by_and_filters_are_refused(people):
    with pytest.raises(ValueError):
        timeliness_report(user=people.director, group_by="colour")
    with pytest.raises(ValueError):
        timeliness_report(user=people.director, group_by="unit", filters={"colour": 1})


def test_overdue_rows_count_working_days(world, people, org):
    rows = list(overdue_rows(user=people.director, today=date(2022, 7, 15)))
    assert [row["unit"] for row in rows] == [org.office.pk]
    assert rows[0]["days_overdue"] == 11


@pytest.mark.django_db
def test_working_day_counter_skips_weekends():
    counter = WorkingDayCounter(date(2022, 6, 30), date(2022, 7, 15))
    assert counter.between(date(2022, 6, 30), date(2022, 7, 4)) == 2  # Fri 1, Mon 4
    assert counter.between(date(2022, 7, 4), date(2022, 7, 4)) == 0


@pytest.mark.django_db
def test_working_days_in_sql_match_the_calendar_across_holidays_and_swapped_saturdays():
    """The report counts delays in SQL; units.calendar is the reference. Every pair
    of days in the seeded 2022-2024 calendar's exceptions (Tết, 30/4-1/5, 2/9 and
    the Saturdays worked for them), and the days around them, must agree."""

    from reports.selectors import _calendar_exceptions_between, working_days_upto
    from units.models import CalendarDay

    first, last = date(2022, 1, 1), date(2024, 12, 31)
    exceptions = _calendar_exceptions_between(first, last)
    assert any(change > 0 for _, change in exceptions)  # a swapped Saturday is in range
    upto = dict(
        CalendarDay.objects.filter(date__range=(first, last))
        .annotate(n=working_days_upto("date", exceptions))
        .values_list("date", "n")
    )
    assert len(upto) > 20
    counter = WorkingDayCounter(first, last)
    days = sorted(upto)
    for a in days:
        for b in days:
            if a <= b:
                assert upto[b] - upto[a] == counter.between(a, b), (a, b)


def test_percent_in_integers_equals_decimal_rounding_half_up():
    import random
    from decimal import ROUND_HALF_UP

    rng = random.Random(2022)
    for _ in range(20000):
        base = rng.randint(1, 5000)
        part = rng.randint(0, base)
        exact = (Decimal(part) * 100 / Decimal(base)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        assert str(percent(part, base)) == str(exact), (part, base)


def test_someone_without_a_unit_gets_an_empty_report(world, people):
    report = timeliness_report(user=people.no_membership, group_by="directive", today=TODAY)
    assert report["rows"] == []
    assert report["totals"]["total"] == 0 and report["totals"]["on_time_rate"] is None
