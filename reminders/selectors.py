from django.db.models import Count, QuerySet

from reminders.models import ReminderLedger


def ledger_list() -> QuerySet[ReminderLedger]:
    """Every ledger row; only leadership reaches this (the view checks)."""
    return ReminderLedger.objects.select_related("recipient")


def ledger_summary() -> dict[str, dict[str, int]]:
    """Rows per state and channel kind, for `reminders_status` and the API."""
    summary: dict[str, dict[str, int]] = {}
    for row in ReminderLedger.objects.values("state", "channel").annotate(n=Count("id")).order_by():
        channel = row["channel"].split(":")[0]
        by_channel = summary.setdefault(row["state"], {})
        by_channel[channel] = by_channel.get(channel, 0) + row["n"]
    return summary
