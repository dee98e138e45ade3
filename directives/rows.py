"""The assignment list's fast path: rows read with `values()` and shaped into the
same JSON as `AssignmentSerializer`, without building model instances.

The list is the hottest endpoint (phones poll it); model instances and DRF's
field machinery cost several times the database query itself. Tests compare
this output with the serializer's field by field, so the two cannot drift.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from directives.access import ASSIGNMENT_ACTIONS
from thads.clock import LOCAL_TZ
from units.selectors import Scope

# Columns read for a row: the assignment's own, then the joined ones.
ROW_COLUMNS = (
    "id",
    "directive_id",
    "directive__label",
    "directive__title",
    "directive__document_id",
    "unit_id",
    "unit__code",
    "unit__name",
    "role",
    "status",
    "progress",
    "due_date",
    "original_due_date",
    "timeliness",
    "version",
    "extension_count",
    "return_count",
    "assigned_at",
    "acknowledged_by_id",
    "acknowledged_at",
    "reported_at",
    "completed_at",
    "cancelled_at",
    "latest_report_id",
    "latest_report__kind",
    "latest_report__percent",
    "latest_report__note",
    "latest_report__created_at",
    "updated_at",
)


def _instant(value: datetime | None) -> str | None:
    # As DRF renders instants: local time, ISO 8601 with the offset.
    return value.astimezone(LOCAL_TZ).isoformat() if value is not None else None


def _day(value) -> str | None:
    return value.isoformat() if value is not None else None


def _actions_for(scope: Scope, status: str, unit_id: int) -> list[str]:
    return [
        action
        for action, (who, statuses) in ASSIGNMENT_ACTIONS.items()
        if status in statuses
        and (scope.is_leadership if who == "leadership" else scope.can_act_for_unit(unit_id))
    ]


def assignment_rows(queryset: QuerySet) -> QuerySet:
    """The list queryset as rows (dicts) of ROW_COLUMNS; paginate it like any other."""
    return queryset.values(*ROW_COLUMNS)


def shape_row(row: dict[str, Any], scope: Scope) -> dict[str, Any]:
    report_id = row["latest_report_id"]
    return {
        "id": row["id"],
        "directive": row["directive_id"],
        "directive_label": row["directive__label"],
        "directive_title": row["directive__title"],
        "document": row["directive__document_id"],
        "unit": row["unit_id"],
        "unit_code": row["unit__code"],
        "unit_name": row["unit__name"],
        "role": row["role"],
        "status": row["status"],
        "progress": row["progress"],
        "due_date": _day(row["due_date"]),
        "original_due_date": _day(row["original_due_date"]),
        "timeliness": row["timeliness"],
        "version": row["version"],
        "extension_count": row["extension_count"],
        "return_count": row["return_count"],
        "assigned_at": _instant(row["assigned_at"]),
        "acknowledged_by": row["acknowledged_by_id"],
        "acknowledged_at": _instant(row["acknowledged_at"]),
        "reported_at": _instant(row["reported_at"]),
        "completed_at": _instant(row["completed_at"]),
        "cancelled_at": _instant(row["cancelled_at"]),
        "latest_report": None
        if report_id is None
        else {
            "id": report_id,
            "kind": row["latest_report__kind"],
            "percent": row["latest_report__percent"],
            "note": row["latest_report__note"],
            "created_at": _instant(row["latest_report__created_at"]),
        },
        "allowed_actions": _actions_for(scope, row["status"], row["unit_id"]),
        "updated_at": _instant(row["updated_at"]),
    }
