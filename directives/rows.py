"""The assignment list's fast path: one hand-written keyset query, rows shaped as
tuples into the same JSON as `AssignmentSerializer`, no model instances.

The list and the sync feed are the hottest requests (phones poll them). Building
the ORM query, compiling it, decoding rows into dicts and DRF's field machinery
cost several times the database query itself; this module does the least work
that gives the same page. Visibility still comes from `user_scope` (the scope's
units become the `unit_id IN (...)` condition of `Scope.unit_sql`), and
`timeliness` is the SQL form of `selectors.timeliness_q`. Tests compare the output
with the serializer's field by field, so the two cannot drift.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from django.db import connection

from directives.access import ASSIGNMENT_ACTIONS
from directives.models import (
    Assignment,
    AssignmentStatus,
    Directive,
    ProgressReport,
    Timeliness,
)
from thads.clock import LOCAL_TZ
from units.models import OrgUnit
from units.selectors import Scope

_OPEN_STATUSES = (
    AssignmentStatus.ASSIGNED,
    AssignmentStatus.ACKNOWLEDGED,
    AssignmentStatus.IN_PROGRESS,
    AssignmentStatus.REPORTED,
)

# (output name, SQL) in the order of the serializer's fields; `latest_report` is
# the report's id, its other columns follow at the end of the row.
_COLUMNS = (
    ("id", "a.id"),
    ("directive", "a.directive_id"),
    ("directive_label", "d.label"),
    ("directive_title", "d.title"),
    ("document", "d.document_id"),
    ("unit", "a.unit_id"),
    ("unit_code", "u.code"),
    ("unit_name", "u.name"),
    ("role", "a.role"),
    ("status", "a.status"),
    ("progress", "a.progress"),
    ("due_date", "a.due_date"),
    ("original_due_date", "a.original_due_date"),
    (
        "timeliness",
        f"""CASE
            WHEN a.status = '{AssignmentStatus.DONE}' AND a.completed_on <= a.due_date
                THEN '{Timeliness.DONE_ON_TIME}'
            WHEN a.status = '{AssignmentStatus.DONE}' AND a.completed_on > a.due_date
                THEN '{Timeliness.DONE_LATE}'
            WHEN a.status IN ({", ".join(f"'{s}'" for s in _OPEN_STATUSES)})
                THEN CASE WHEN a.due_date >= %s THEN '{Timeliness.OPEN_ON_TIME}'
                          ELSE '{Timeliness.OPEN_OVERDUE}' END
        END""",
    ),
    ("version", "a.version"),
    ("extension_count", "a.extension_count"),
    ("return_count", "a.return_count"),
    ("assigned_at", "a.assigned_at"),
    ("acknowledged_by", "a.acknowledged_by_id"),
    ("acknowledged_at", "a.acknowledged_at"),
    ("reported_at", "a.reported_at"),
    ("completed_at", "a.completed_at"),
    ("cancelled_at", "a.cancelled_at"),
    ("latest_report", "a.latest_report_id"),
    ("updated_at", "a.updated_at"),
)
_REPORT_COLUMNS = ("r.kind", "r.percent", "r.note", "r.created_at")
_NAMES = tuple(name for name, _ in _COLUMNS)
_INSTANTS = tuple(
    _NAMES.index(name)
    for name in (
        "assigned_at",
        "acknowledged_at",
        "reported_at",
        "completed_at",
        "cancelled_at",
        "updated_at",
    )
)
_REPORT_AT = len(_COLUMNS)
_STATUS = _NAMES.index("status")
_UNIT = _NAMES.index("unit")
_LATEST = _NAMES.index("latest_report")


def _columns() -> str:
    return ", ".join(sql for _, sql in _COLUMNS) + ", " + ", ".join(_REPORT_COLUMNS)


def _joins(join: str) -> str:
    # Table names from the models, so a rename cannot leave these queries behind.
    return (
        f" {join} {Directive._meta.db_table} d ON d.id = a.directive_id"
        f" {join} {OrgUnit._meta.db_table} u ON u.id = a.unit_id"
        f" LEFT JOIN {ProgressReport._meta.db_table} r ON r.id = a.latest_report_id"
    )


@cache
def _select() -> str:
    # Only our own table and column names go into it, never input.
    return f"SELECT {_columns()} FROM {Assignment._meta.db_table} a" + _joins("JOIN")  # noqa: S608


def _in(column: str, values) -> tuple[str, list]:
    values = list(values)
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def _fast_instants(cursor) -> None:
    """On PostgreSQL, decode timestamps with psycopg's C loader. Django registers a
    pure-Python subclass (for a connection time zone other than UTC, which this
    project never uses); per row and column it costs more than the query."""
    if connection.vendor != "postgresql":
        return
    import psycopg

    oid = psycopg.postgres.types["timestamptz"].oid
    loader = psycopg.adapters.get_loader(oid, psycopg.pq.Format.TEXT)
    if loader is not None:
        cursor.cursor.adapters.register_loader(oid, loader)


def fetch(
    *,
    scope: Scope,
    today: date,
    ids: list[int] | None = None,
    unit_ids: list[int] | None = None,
    after: int | None = None,
    before: int | None = None,
    descending: bool = True,
    limit: int | None = None,
    offset: int = 0,
) -> list[tuple]:
    """The assignments `scope` may see as rows for `Shaper`, ordered by id: those of
    `ids` or of `unit_ids` when given, those after or before an id, at most `limit`
    from `offset`."""
    where, params = [], [today.isoformat()]
    visible = scope.unit_sql("a.unit_id")
    if visible is not None:
        if not visible[1]:
            return []  # the caller sees no unit
        where.append(visible[0])
        params += visible[1]
    for column, values in (
        ("a.unit_id", unit_ids),
        ("a.id", ids),
    ):
        if values is not None:
            if not values:
                return []
            condition, values = _in(column, values)
            where.append(condition)
            params += values
    if after is not None:
        where.append("a.id > %s")
        params.append(after)
    if before is not None:
        where.append("a.id < %s")
        params.append(before)
    sql = _select()
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY a.id DESC" if descending else " ORDER BY a.id"
    if limit is not None:
        sql += " LIMIT %s OFFSET %s"
        params += [limit, offset]
    with connection.cursor() as cursor:
        _fast_instants(cursor)
        cursor.execute(sql, params)
        return cursor.fetchall()


def fetch_joined(
    *,
    scope: Scope,
    today: date,
    sql: str,
    params: list,
    keep: list[str],
    names: tuple[str, str, str],
    order: str,
) -> list[tuple]:
    """The rows of another query `sql` (its columns `keep`, in `order`), each
    followed by the current row of the assignment it names, as `fetch` gives it,
    or by NULLs. `names` = (kind column, object id column, the kind that names an
    assignment); an assignment `scope` may not see gives NULLs. One query: the sync
    feed's change-log page with its assignments."""
    kind_column, id_column, kind = names
    visible, units = "", []
    condition = scope.unit_sql("a.unit_id")
    if condition is not None:
        visible, units = f" AND {condition[0]}", condition[1]
    kept = ", ".join(f"c.{column}" for column in keep)
    query = (
        f"SELECT {kept}, {_columns()} FROM ({sql}) c"  # noqa: S608 (our own names only)
        f" LEFT JOIN {Assignment._meta.db_table} a"
        f" ON c.{kind_column} = %s AND a.id = c.{id_column}{visible}"
        f"{_joins('LEFT JOIN')} ORDER BY {order}"
    )
    with connection.cursor() as cursor:
        _fast_instants(cursor)
        cursor.execute(query, [today.isoformat(), *params, kind, *units])
        return cursor.fetchall()


def _local(value: datetime | None) -> datetime | None:
    # Rendered as DRF renders instants: local time with the offset. SQLite hands
    # back naive UTC.
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ)


class Shaper:
    """Turns rows of `fetch` into the serializer's dicts for one caller. The
    allowed actions depend only on the status and on whether the caller acts for
    the row's unit, so they are worked out once per pair."""

    def __init__(self, scope: Scope):
        self.scope = scope
        self._actions: dict[tuple[str, bool], list[str]] = {}

    def _allowed(self, status: str, unit_id: int) -> list[str]:
        key = (status, unit_id in self.scope.acting_unit_ids)
        found = self._actions.get(key)
        if found is None:
            found = self._actions[key] = [
                action
                for action, (who, statuses) in ASSIGNMENT_ACTIONS.items()
                if status in statuses
                and (self.scope.is_leadership if who == "leadership" else key[1])
            ]
        return list(found)

    def __call__(self, row: tuple) -> dict[str, Any]:
        item = dict(zip(_NAMES, row, strict=False))
        for index in _INSTANTS:
            if row[index] is not None:
                item[_NAMES[index]] = _local(row[index])
        report_id = row[_LATEST]
        if report_id is not None:
            kind, percent, note, created_at = row[_REPORT_AT:]
            item["latest_report"] = {
                "id": report_id,
                "kind": kind,
                "percent": percent,
                "note": note,
                "created_at": _local(created_at),
            }
        item["allowed_actions"] = self._allowed(row[_STATUS], row[_UNIT])
        # The serializer's order: allowed_actions comes before updated_at.
        item["updated_at"] = item.pop("updated_at")
        return item
