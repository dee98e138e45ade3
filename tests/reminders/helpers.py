"""Small helpers of the reminders suite: local instants, the ledger as tuples."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from directives.models import NextReminder
from notifications.models import NotificationPreference
from reminders.models import ReminderLedger
from thads.clock import LOCAL_TZ
from units.models import User

API = "/api/v1"


def at(year: int, month: int, day: int, hour: int = 7, minute: int = 30, second: int = 0):
    """An aware instant given in Asia/Ho_Chi_Minh local time (07:30 by default:
    the opening of the default sending window)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=LOCAL_TZ)


def schedule_reminders(assignments, at: datetime | None) -> None:
    """Put the next reminder of these assignments (objects or ids) at `at`, or
    remove it (None), as a stale or concurrent state the services would not
    leave behind."""
    ids = [getattr(a, "pk", a) for a in assignments]
    NextReminder.objects.filter(assignment_id__in=ids).delete()
    if at is not None:
        NextReminder.objects.bulk_create(NextReminder(assignment_id=pk, at=at) for pk in ids)


def rows(**filters) -> list[tuple[str, str, str, str]]:
    """The ledger as sorted (kind, username, channel, state) tuples."""
    return sorted(
        ReminderLedger.objects.filter(**filters).values_list(
            "kind", "recipient__username", "channel", "state"
        )
    )


def kinds(**filters) -> Counter:
    return Counter(ReminderLedger.objects.filter(**filters).values_list("kind", flat=True))


def prefer(user: User, channels: list[str], *, digest: bool = False) -> None:
    NotificationPreference.objects.update_or_create(
        user=user, defaults={"channels": channels, "digest": digest}
    )


def weekday(day: date) -> str:
    return day.strftime("%a")
