"""The ledger's keys and what the sweep, the delivery and the digests share."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import orjson
from django.conf import settings
from django.db import connection
from django.utils import timezone

from reminders.models import LedgerState, ReminderLedger

if TYPE_CHECKING:
    from reminders.services.sweep import _Sweep


DIGEST_REASON = "digest"
# Leadership and unit heads hear of an assignment in one message per sweep: its
# ledger row is recorded as skipped with this reason and points at the digest row
# (kind SWEEP_DIGEST_KIND) that carries it.
SWEEP_DIGEST_REASON = "sweep digest"
SWEEP_DIGEST_KIND = "digest_sweep"


def ledger_key(
    *, assignment_id: int | None, kind: str, deadline: date | None, recipient_id: int, channel: str
) -> str:
    return f"{_key_prefix(assignment_id, kind, deadline)}{recipient_id}:{channel}"


def _key_prefix(assignment_id: int | None, kind: str, deadline: date | None) -> str:
    """The part of `ledger_key` that all recipients of one point share."""
    subject = f"a{assignment_id}" if assignment_id is not None else "digest"
    return f"{subject}:{kind}:{deadline.isoformat() if deadline else '-'}:"


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _skip_locked() -> dict:
    features = connection.features
    return {"skip_locked": True} if features.has_select_for_update_skip_locked else {}


# The ledger columns a sweep writes, in the order of its row tuples; the others
# take attempts 0, no error, and the sweep's instant as created_at.
LEDGER_COLUMNS = (
    "key",
    "assignment_id",
    "kind",
    "deadline",
    "recipient_id",
    "channel",
    "state",
    "reason",
    "due_at",
    "next_attempt_at",
    "digest_id",
)
LEDGER_COLUMN_TYPES = (
    "varchar",
    "bigint",
    "varchar",
    "date",
    "bigint",
    "varchar",
    "varchar",
    "varchar",
    "timestamptz",
    "timestamptz",
    "bigint",
)


def _insert_ledger_rows(
    rows: list[tuple], *, created_at: datetime
) -> list[tuple[int, str, str, str]]:
    """Insert the rows whose key is new; (id, channel, state, key) of those inserted.

    PostgreSQL: one INSERT ... SELECT ... ON CONFLICT DO NOTHING whatever the
    number of rows, the rows sent as one JSON array (orjson writes it in about a
    millisecond per thousand rows; the driver quoting one array parameter per
    column took seventy), read as jsonb: parsed once, where `->>` on json parses
    each element again for every column (three times the cost). Elsewhere
    (SQLite): a multi-row INSERT ... ON CONFLICT DO NOTHING per as many rows as
    the database takes parameters."""
    if not rows:
        return []
    table = connection.ops.quote_name(ReminderLedger._meta.db_table)
    columns = ", ".join(
        map(connection.ops.quote_name, (*LEDGER_COLUMNS, "attempts", "last_error", "created_at"))
    )
    returning = "RETURNING id, channel, state, key"
    inserted: list[tuple[int, str, str, str]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            values = ", ".join(
                f"(item->>{i})::{kind}" for i, kind in enumerate(LEDGER_COLUMN_TYPES)
            )
            cursor.execute(
                # Identifiers from the model, every value a parameter.
                f"INSERT INTO {table} ({columns}) "  # noqa: S608
                f"SELECT {values}, 0, '', %s FROM jsonb_array_elements(%s::jsonb) AS item "
                f"ON CONFLICT DO NOTHING {returning}",
                [created_at, orjson.dumps(rows).decode()],
            )
            return cursor.fetchall()
        fields = [
            ReminderLedger._meta.get_field(name.removesuffix("_id"))
            for name in (*LEDGER_COLUMNS, "attempts", "last_error", "created_at")
        ]
        size = connection.ops.bulk_batch_size(fields, rows)
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608
                f"VALUES {', '.join([one] * len(chunk))} ON CONFLICT DO NOTHING {returning}",
                [
                    # The database's form of each value (SQLite: UTC text for an instant).
                    field.get_db_prep_save(value, connection)
                    for row in chunk
                    for field, value in zip(fields, (*row, 0, "", created_at), strict=True)
                ],
            )
            inserted.extend(cursor.fetchall())
    return inserted


def _reads_digest(user_id: int, unit_id: int, *, heads: dict, leadership) -> bool:
    """Whether `user_id` hears of work of `unit_id` in a sweep digest: leadership
    and the unit's heads do (REMINDER_LEADERS_DIGEST); its other members one by one."""
    if not settings.REMINDER_LEADERS_DIGEST:
        return False
    return user_id in heads.get(unit_id, ()) or user_id in leadership


_KEY, _ASSIGNMENT, _RECIPIENT, _CHANNEL, _REASON, _DIGEST = 0, 1, 4, 5, 7, 10


def _sweep_digest_rows(rows: list[tuple], *, sweep: _Sweep) -> list[tuple]:
    """This batch's digest rows (ledger tuples), one per recipient and channel of
    the rows recorded for a digest.

    A digest row is inserted with its items in one transaction and never gains
    an item afterwards, so whenever it is sent it lists all of them. Its key
    names the sweep's instant and the batch, so a later sweep (a deadline set at
    14:00) or a second batch of a backlog makes a digest of its own."""
    items = [row for row in rows if row[_REASON] == SWEEP_DIGEST_REASON]
    if not items:
        return []
    now, today = sweep.now, sweep.today
    # Two sweeps never lock the same assignment: the first of the batch names it.
    batch = f"{SWEEP_DIGEST_KIND}@{now:%H%M%S%f}.{min(row[_ASSIGNMENT] for row in items)}"
    digests: dict[tuple[int, str], tuple] = {}
    for row in items:
        target = (row[_RECIPIENT], row[_CHANNEL])
        if target not in digests:
            digests[target] = (
                ledger_key(
                    assignment_id=None,
                    kind=batch,
                    deadline=today,
                    recipient_id=target[0],
                    channel=target[1],
                ),
                None,
                SWEEP_DIGEST_KIND,
                today,
                target[0],
                target[1],
                LedgerState.PENDING,
                "",
                now,
                sweep.lease,
                None,
            )
    return list(digests.values())


def _point_at_digests(
    rows: list[tuple], digests: list[tuple], inserted: list[tuple[int, str, str, str]]
) -> None:
    """Point each digest item of `rows` at its digest's id (in place)."""
    if not digests:
        return
    ids = {key: pk for pk, _channel, _state, key in inserted}
    missing = [row[_KEY] for row in digests if row[_KEY] not in ids]
    if missing:  # recorded by another sweep at the same instant: still the one digest
        ids.update(ReminderLedger.objects.filter(key__in=missing).values_list("key", "pk"))
    by_target = {(row[_RECIPIENT], row[_CHANNEL]): ids[row[_KEY]] for row in digests}
    for index, row in enumerate(rows):
        if row[_REASON] == SWEEP_DIGEST_REASON:
            rows[index] = (*row[:_DIGEST], by_target[(row[_RECIPIENT], row[_CHANNEL])])
