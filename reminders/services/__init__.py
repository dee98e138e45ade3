"""The reminder sweep and the delivery of each reminder.

`reminder_sweep` runs every few minutes from beat. It reads the assignments
whose next reminder (`directives.NextReminder`) has come (an index, so its cost
follows the due points, not the history), records each due point in the ledger
once per recipient and channel under a unique key, moves the next reminder on, and
hands the pending ledger rows to workers. `reminder_deliver` sends one row;
`reminder_deliver_inbox` sends a batch of inbox rows in one transaction.

Exactly once, per channel and recipient:
- two sweeps (two beats) lock disjoint rows (`skip_locked`) and meet the same
  unique keys, so nothing is recorded twice;
- a row handed out is leased for a while; a killed worker's row is handed
  out again by a later sweep when the lease ends;
- delivering locks the row and returns early unless it is still pending, so a
  redelivered task does nothing; the inbox also keys its message by the row.
No task is scheduled with a long ETA: retries wait in the ledger, not in Redis.

The package, by step: `sweep` (due points into the ledger), `ledger` (keys and
rows), `handout` (leased rows to workers), `delivery` (one row or a batch of
inbox rows), `messages` (what a row says), `digests` (the daily digest), and
`audiences` (who hears about what). Callers use the names re-exported here.
"""

from reminders.services.delivery import reminder_deliver, reminder_deliver_inbox
from reminders.services.digests import digests_record
from reminders.services.handout import enqueue_all_pending, enqueue_pending
from reminders.services.ledger import (
    DIGEST_REASON,
    LEDGER_COLUMNS,
    SWEEP_DIGEST_KIND,
    SWEEP_DIGEST_REASON,
    ledger_key,
)
from reminders.services.sweep import DUE_FIELDS, SweepResult, reminder_sweep

__all__ = [
    "DIGEST_REASON",
    "DUE_FIELDS",
    "LEDGER_COLUMNS",
    "SWEEP_DIGEST_KIND",
    "SWEEP_DIGEST_REASON",
    "SweepResult",
    "digests_record",
    "enqueue_all_pending",
    "enqueue_pending",
    "ledger_key",
    "reminder_deliver",
    "reminder_deliver_inbox",
    "reminder_sweep",
]
