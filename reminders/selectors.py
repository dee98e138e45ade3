from django.db.models import Count, QuerySet

from reminders.models import ReminderLedger
from units.selectors import user_scope


def ledger_list(*, user) -> QuerySet[ReminderLedger]:
    """The ledger rows `user` may see: every row for leadership, none otherwise
    (the view refuses others with 403 before asking)."""
    rows = ReminderLedger.objects.select_related("recipient")
    return rows if user_scope(user=user).is_leadership else rows.none()


def ledger_summary() -> dict[str, dict[str, int]]:
    """Rows per state and channel kind, for `reminders_status` and the API."""
    summary: dict[str, dict[str, int]] = {}
    for row in ReminderLedger.objects.values("state", "channel").annotate(n=Count("id")).order_by():
        channel = row["channel"].split(":")[0]
        by_channel = summary.setdefault(row["state"], {})
        by_channel[channel] = by_channel.get(channel, 0) + row["n"]
    return summary
