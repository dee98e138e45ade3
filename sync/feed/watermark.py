"""Positions in the change log: transaction ids on PostgreSQL, row ids elsewhere,
and the watermark below which every transaction has finished."""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from changelog.models import ChangeLog


def _by_transaction() -> bool:
    """Positions are transaction ids on PostgreSQL. `SYNC_WATERMARK=sequence`
    uses row ids instead, which is right only where writers are serialised
    (SQLite); the fast test tier uses it because its tests run inside one
    transaction that never commits."""
    return connection.vendor == "postgresql" and settings.SYNC_WATERMARK != "sequence"


# The next transaction id, and the transactions running in this database. The
# watermark is the oldest of those: `pg_snapshot_xmin` would be the oldest in the
# whole server, and one transaction left open in another database on it would
# hold every client's delta back until it ended. Both views are readable by any
# role (backend_xid and datid are not among pg_stat_activity's privileged columns).
_NEXT_TRANSACTION = "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint"
_RUNNING_HERE = """
    SELECT backend_xid::text::bigint FROM pg_stat_activity
    WHERE datid = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND backend_xid IS NOT NULL
"""
_EPOCH = 1 << 32


def _widen(xid: int, near: int) -> int:
    """A 32-bit transaction id (pg_stat_activity's) as the 64-bit one (the change
    log's) closest to `near`: the running ones are within 2**31 of it."""
    full = (near - near % _EPOCH) + xid
    if full - near > _EPOCH // 2:
        full -= _EPOCH
    elif near - full > _EPOCH // 2:
        full += _EPOCH
    return full


def current_watermark() -> int:
    """Every change-log row below this position belongs to a finished transaction.

    On PostgreSQL: read the next transaction id first, then the transactions still
    running here. One below it that is not running any more has ended, and the
    next statement sees what it wrote; one that starts later gets a larger id."""
    if _by_transaction():
        with connection.cursor() as cursor:
            cursor.execute(_NEXT_TRANSACTION)
            ceiling = int(cursor.fetchone()[0])
            # pg_stat_activity is read once per transaction and then cached.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(_RUNNING_HERE)
            running = [_widen(int(xid), ceiling) for (xid,) in cursor.fetchall()]
        return min([ceiling, *running])
    last = ChangeLog.objects.order_by("-id").values_list("id", flat=True).first()
    return (last or 0) + 1
