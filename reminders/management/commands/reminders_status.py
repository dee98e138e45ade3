from django.core.management.base import BaseCommand
from django.utils import timezone

from directives.models import NextReminder
from reminders.models import LedgerState, ReminderLedger
from reminders.selectors import ledger_summary


class Command(BaseCommand):
    help = "Summarise the reminder ledger: rows per state and channel, what is due next."

    def handle(self, *args, **options):
        now = timezone.now()
        summary = ledger_summary()
        if not summary:
            self.stdout.write("The ledger is empty.")
        for state in LedgerState.values:
            by_channel = summary.get(state, {})
            total = sum(by_channel.values())
            detail = ", ".join(f"{channel} {n}" for channel, n in sorted(by_channel.items()))
            self.stdout.write(f"{state:8} {total:7}  {detail}")
        overdue = ReminderLedger.objects.filter(
            state=LedgerState.PENDING, next_attempt_at__lte=now
        ).count()
        self.stdout.write(f"pending and due for a (re)try now: {overdue}")
        next_at = NextReminder.objects.order_by("at").values_list("at", flat=True).first()
        waiting = NextReminder.objects.filter(at__lte=now).count()
        self.stdout.write(f"assignments with a reminder due now: {waiting}")
        self.stdout.write(f"next reminder point: {next_at.isoformat() if next_at else '—'}")
        for row in ReminderLedger.objects.filter(state=LedgerState.FAILED).order_by("-id")[:5]:
            self.stdout.write(f"failed #{row.pk} {row.channel} {row.kind}: {row.last_error}")
