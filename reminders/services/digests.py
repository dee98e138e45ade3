"""The daily digest: one ledger row per user who chose it and has work due."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch

from notifications.delivery import (
    channel_keys,
)
from notifications.models import NotificationPreference
from reminders.models import ReminderLedger
from reminders.services.handout import enqueue_all_pending
from reminders.services.ledger import _now, ledger_key
from reminders.services.messages import _digest_assignments
from thads.clock import local_today
from units.calendar import load_calendar


def digests_record(*, now: datetime | None = None) -> int:
    """Record today's digest for every user who chose one and has work due soon
    or overdue; enqueue them. Idempotent for the day."""
    now = _now(now)
    today = local_today(now)
    if not load_calendar(today, today).is_working_day(today):
        return 0  # beat fires daily; digests, like reminders, go out on working days
    rows = []
    preferences = (
        NotificationPreference.objects.filter(digest=True, user__is_active=True)
        .select_related("user")
        .prefetch_related(Prefetch("user__devices"), Prefetch("user__webhooks"))
    )
    for preference in preferences:
        user = preference.user
        if not _digest_assignments(user, today).exists():
            continue
        for channel in channel_keys(user, preference=preference):
            rows.append(
                ReminderLedger(
                    key=ledger_key(
                        assignment_id=None,
                        kind="digest",
                        deadline=today,
                        recipient_id=user.pk,
                        channel=channel,
                    ),
                    kind="digest",
                    deadline=today,
                    recipient=user,
                    channel=channel,
                    due_at=now,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    ReminderLedger.objects.bulk_create(rows, ignore_conflicts=True)
    enqueue_all_pending(now=now)
    return len(rows)
