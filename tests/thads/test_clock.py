from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from thads.clock import LOCAL_TZ, local_now, local_today

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def test_local_time_is_seven_hours_ahead_of_utc_all_year():
    for month in (1, 7):  # no daylight saving time to trip over
        assert local_now(datetime(2025, month, 1, tzinfo=UTC)).utcoffset().total_seconds() == 25200
    assert local_now(datetime(2025, 1, 1, tzinfo=UTC)).tzinfo == LOCAL_TZ


def test_23_59_59_local_is_still_that_day():
    now = datetime(2025, 3, 31, 23, 59, 59, tzinfo=HCM)  # 16:59:59 UTC
    assert local_today(now) == date(2025, 3, 31)
    assert now.astimezone(UTC).date() == date(2025, 3, 31)


def test_midnight_local_is_the_next_day_while_utc_is_still_yesterday():
    now = datetime(2025, 4, 1, 0, 0, tzinfo=HCM)  # 17:00 UTC on 31 March
    assert local_today(now) == date(2025, 4, 1)
    assert now.astimezone(UTC).date() == date(2025, 3, 31)


def test_the_utc_instant_decides_the_local_date():
    assert local_today(datetime(2025, 3, 31, 16, 59, 59, tzinfo=UTC)) == date(2025, 3, 31)
    assert local_today(datetime(2025, 3, 31, 17, 0, 0, tzinfo=UTC)) == date(2025, 4, 1)


def test_without_now_it_reads_the_clock():
    today = local_today()
    assert isinstance(today, date)
    assert today == datetime.now(UTC).astimezone(HCM).date()
