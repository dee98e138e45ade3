"""Celery tasks: ids in, one service each. No task retries itself with a
countdown: a delivery that fails waits in the ledger and the next sweep hands it
out again, so nothing long-lived sits in the broker."""

from celery import shared_task

from reminders import services


@shared_task(name="reminders.sweep", ignore_result=True)
def sweep_reminders() -> None:
    services.reminder_sweep()


@shared_task(name="reminders.deliver", ignore_result=True)
def deliver_reminder(ledger_id: int) -> None:
    services.reminder_deliver(ledger_id=ledger_id)


@shared_task(name="reminders.deliver_inbox", ignore_result=True)
def deliver_inbox_reminders(ledger_ids: list[int]) -> None:
    services.reminder_deliver_inbox(ledger_ids=ledger_ids)


@shared_task(name="reminders.digest", ignore_result=True)
def send_digests() -> None:
    services.digests_record()


@shared_task(name="reminders.fan_out_recurring", ignore_result=True)
def fan_out_recurring() -> None:
    from directives.services import recurring_fan_out

    recurring_fan_out()
