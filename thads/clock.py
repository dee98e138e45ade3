"""The one place that turns "now" into the local date the domain rules use.

Deadlines are dates in Asia/Ho_Chi_Minh; between 00:00 and 07:00 local the UTC
date is still yesterday, so `date.today()` and `timezone.now().date()` are both
wrong here.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local_now(now: datetime | None = None) -> datetime:
    return (now or timezone.now()).astimezone(LOCAL_TZ)


def local_today(now: datetime | None = None) -> date:
    return local_now(now).date()
