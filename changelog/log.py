"""Appending to the change log. Called by the services inside their transaction."""

from django.db import connection
from django.db.models.expressions import RawSQL

from changelog.models import ChangeLog, ChangeOp

KIND_UNIT = "unit"
KIND_DOCUMENT = "document"
KIND_DIRECTIVE = "directive"
KIND_ASSIGNMENT = "assignment"
KIND_REPORT = "report"
KIND_EXTENSION = "extension"
KIND_NOTIFICATION = "notification"


def _txid():
    if connection.vendor == "postgresql":
        return RawSQL("pg_current_xact_id()::text::bigint", [])
    return None


def record_change(
    kind: str,
    object_id: int,
    *,
    unit_id: int | None = None,
    user_id: int | None = None,
    op: str = ChangeOp.UPSERT,
) -> None:
    ChangeLog.objects.create(
        txid=_txid(), kind=kind, object_id=object_id, unit_id=unit_id, user_id=user_id, op=op
    )


def record_changes(rows: list[dict]) -> None:
    """Several at once (one INSERT): each dict has the arguments of `record_change`."""
    txid = _txid()
    if txid is not None and rows:
        # One value per statement is enough: every row is in this transaction.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()::text::bigint")
            txid = cursor.fetchone()[0]
    ChangeLog.objects.bulk_create(
        [
            ChangeLog(
                txid=txid,
                kind=row["kind"],
                object_id=row["object_id"],
                unit_id=row.get("unit_id"),
                user_id=row.get("user_id"),
                op=row.get("op", ChangeOp.UPSERT),
            )
            for row in rows
        ]
    )
