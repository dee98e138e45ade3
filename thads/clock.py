"""The one place that turns "now" into the local date the domain rules use.

Deadlines are dates in Asia/Ho_Chi_Minh; between 00:00 and 07:00 local the UTC
date is still yesterday, so `date.today()` and `timezone.now().date()` are both
wrong here.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local_now(now: datetime | None = None) -> datetime:
    return (now or timezone.now()).astimezone(LOCAL_TZ)


def local_today(now: datetime | None = None) -> date:
    return local_now(now).date()


# The days the service works with. Anything outside is a year typed wrong (0022,
# 2202), and keeps date arithmetic (rolling to a working day, reminder points a
# year after a deadline) far from Python's year 9999.
EARLIEST_DAY = date(1945, 1, 1)
LATEST_DAY = date(2199, 12, 31)


# The one message for a day outside the range (the API's fields and filters, the
# services), and the range as it names it.
OUT_OF_RANGE = _("Ngày phải trong khoảng từ %(earliest)s đến %(latest)s.")
DAY_RANGE = {
    "earliest": EARLIEST_DAY.strftime("%d/%m/%Y"),
    "latest": LATEST_DAY.strftime("%d/%m/%Y"),
}


def day_in_range(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY
