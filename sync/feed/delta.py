"""A delta page: the change-log rows in a window, as the caller may see them now,
with tombstones for what left its scope."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from django.utils.translation import gettext_lazy as _

from changelog.log import (
    KIND_ASSIGNMENT,
    KIND_DIRECTIVE,
    KIND_DOCUMENT,
    KIND_EXTENSION,
    KIND_REPORT,
    KIND_UNIT,
)
from changelog.models import ChangeLog, ChangeOp
from directives import rows as rows_
from directives.models import Assignment, Directive, ExtensionRequest, ProgressReport
from sync.feed.entries import KINDS, Page, _assignments, _fetch, _visible
from sync.feed.tokens import SYNC_TOKEN_EXPIRED, _units_of, make_token
from sync.feed.watermark import _by_transaction, current_watermark
from thads.clock import local_today
from thads.errors import DomainError
from units.selectors import Scope


def _order() -> list[str]:
    return ["txid", "id"] if _by_transaction() else ["id"]


@dataclass(frozen=True)
class _Change:
    """A change-log row as the delta page reads it."""

    id: int
    txid: int | None
    kind: str
    object_id: int
    op: str
    unit_id: int | None
    user_id: int | None


_CHANGE_COLUMNS = [field.name for field in fields(_Change)]


def _changes(*, scope: Scope, uid: int, window, units, limit: int):
    """The change-log page the caller's audience sees in `window` (lo, hi, after),
    and the current rows of the assignments it names that the caller may see, by
    id: one query (`directives.rows.fetch_joined`)."""
    lo, hi, after = window
    if _by_transaction():
        where, params = ["txid >= %s", "txid < %s"], [lo, hi]
        if after:
            where.append("(txid > %s OR (txid = %s AND id > %s))")
            params += [after[0], after[0], after[1]]
    else:
        where, params = ["id >= %s", "id < %s"], [lo, hi]
        if after:
            where.append("id > %s")
            params.append(after[1])
    audience = ["(unit_id IS NULL AND user_id IS NULL)", "user_id = %s"]
    params.append(uid)
    if units == "*":
        audience.append("unit_id IS NOT NULL")
    elif units:
        audience.append(f"unit_id IN ({', '.join(['%s'] * len(units))})")
        params += units
    order = ", ".join(_order())
    sql = (
        f"SELECT {', '.join(_CHANGE_COLUMNS)} FROM {ChangeLog._meta.db_table}"  # noqa: S608
        f" WHERE {' AND '.join(where)} AND ({' OR '.join(audience)})"
        f" ORDER BY {order} LIMIT %s"
    )
    found = rows_.fetch_joined(
        scope=scope,
        today=local_today(),
        sql=sql,
        params=[*params, limit],
        keep=_CHANGE_COLUMNS,
        names=("kind", "object_id", KIND_ASSIGNMENT),
        order=", ".join(f"c.{column}" for column in _order()),
    )
    width = len(_CHANGE_COLUMNS)
    changes = [_Change(*row[:width]) for row in found]
    joined = {row[3]: row[width:] for row in found if row[width] is not None}
    return changes, joined


def _delta_page(*, user, scope: Scope, payload: dict, page_size: int) -> Page:
    page = Page()
    lo, hi, after = payload["lo"], payload["hi"], payload["after"]
    if hi is None:
        hi = current_watermark()
    current_units = _units_of(scope)
    lost = _lost_units(payload["u"], current_units)
    if lost is None or (payload["u"] != "*" and current_units == "*"):
        # The caller could see everything and now sees less, or the other way
        # round (a promotion): too much to list one by one; a fresh full sync
        # is cheaper for both sides.
        raise DomainError(
            SYNC_TOKEN_EXPIRED,
            _("Phạm vi truy cập đã thay đổi; hãy đồng bộ lại từ đầu (bỏ tham số since)."),
            status_code=410,
        )
    audience_units = "*" if current_units == "*" else [*current_units, *lost]
    rows, joined = _changes(
        scope=scope, uid=user.pk, window=(lo, hi, after), units=audience_units, limit=page_size + 1
    )
    more = len(rows) > page_size
    rows = rows[:page_size]

    latest: dict[tuple[str, int], _Change] = {}
    for row in rows:
        latest[(row.kind, row.object_id)] = row
    by_kind: dict[str, list[int]] = {}
    for kind, object_id in latest:
        by_kind.setdefault(kind, []).append(object_id)
    if by_kind.get(KIND_UNIT):
        # A renamed unit: the assignments showing its code and name change too.
        shown = _visible(KIND_ASSIGNMENT, user).filter(unit_id__in=by_kind[KIND_UNIT])
        extra = set(shown.values_list("id", flat=True)) - set(by_kind.get(KIND_ASSIGNMENT, []))
        by_kind.setdefault(KIND_ASSIGNMENT, []).extend(sorted(extra))
    moved_out: list[int] = []
    for kind in KINDS:
        ids = by_kind.get(kind)
        if not ids:
            continue
        if kind == KIND_ASSIGNMENT:
            # Those the change log named came with its page; a renamed unit's others
            # are read now.
            shape = rows_.Shaper(scope)
            found = {pk: shape(row) for pk, row in joined.items()}
            extra = [pk for pk in ids if (kind, pk) not in latest]
            found.update((entry["id"], entry["data"]) for entry in _assignments(scope, ids=extra))
            entries = [
                {"type": kind, "id": pk, "data": found[pk]} for pk in sorted(ids) if pk in found
            ]
        else:
            entries = _fetch(kind, _visible(kind, user).filter(pk__in=ids).order_by("pk"), scope)
        page.changes += entries
        present = {entry["id"] for entry in entries}
        for object_id in ids:
            row = latest.get((kind, object_id))
            if object_id in present or row is None:
                continue
            # Gone, or out of the caller's scope now: a tombstone when the caller
            # may have held it (its own row, or a row of a unit it could see).
            if row.op == ChangeOp.DELETE or row.user_id == user.pk or row.unit_id is not None:
                page.deleted.append({"type": kind, "id": object_id})
                if kind == KIND_ASSIGNMENT:
                    moved_out.append(object_id)
    if lost or _gained_units(payload["u"], current_units):
        # Scope changes are told on the page that first sees them; the next
        # token carries the new scope, so each is told once.
        lost_assignments = list(
            Assignment.objects.filter(unit_id__in=lost).values_list("id", flat=True)
        )
        page.deleted += [{"type": KIND_ASSIGNMENT, "id": pk} for pk in lost_assignments]
        moved_out += lost_assignments
        page.changes += _everything_of_units(
            _gained_units(payload["u"], current_units), user=user, scope=scope
        )
    if moved_out:
        page.deleted += _tombstones_around(moved_out, user=user, scope=scope)
    page.deleted = _unique(page.deleted)

    if more:
        last = rows[-1]
        page.has_more = True
        page.next_token = make_token(
            {
                "m": "delta",
                "lo": lo,
                "hi": hi,
                "after": [last.txid, last.id],
                "u": current_units,
                "uid": user.pk,
            }
        )
    else:
        page.next_token = make_token(
            {"m": "delta", "lo": hi, "hi": None, "after": None, "u": current_units, "uid": user.pk}
        )
    return page


def _lost_units(before, now) -> list[int] | None:
    """Units visible at the token and not now; None when that list would be
    "everything" (a former leader)."""
    if before == "*":
        return [] if now == "*" else None
    if now == "*":
        return []
    return sorted(set(before) - set(now))


def _gained_units(before, now) -> list[int]:
    if before == "*" or now == "*":
        return []  # nothing new to a former leader; a new leader gets 410 above
    return sorted(set(now) - set(before))


def _everything_of_units(units: list[int], *, user, scope: Scope) -> list[dict[str, Any]]:
    """All current objects of units the caller gained since the token (a new
    membership, a promotion): their existing work, not only later changes."""
    if not units:
        return []
    assignments = Assignment.objects.filter(unit_id__in=units)
    directive_ids = assignments.values_list("directive_id", flat=True)
    entries = []
    entries += _fetch(
        KIND_DOCUMENT,
        _visible(KIND_DOCUMENT, user)
        .filter(directives__id__in=directive_ids)
        .distinct()
        .order_by("pk"),
        scope,
    )
    entries += _fetch(
        KIND_DIRECTIVE,
        _visible(KIND_DIRECTIVE, user).filter(pk__in=directive_ids).order_by("pk"),
        scope,
    )
    entries += _assignments(scope, unit_ids=units)
    for kind, lookup in (
        (KIND_REPORT, "assignment__unit_id__in"),
        (KIND_EXTENSION, "assignment__unit_id__in"),
    ):
        entries += _fetch(
            kind, _visible(kind, user).filter(**{lookup: units}).order_by("pk"), scope
        )
    return entries


def _tombstones_around(assignment_ids: list[int], *, user, scope: Scope) -> list[dict]:
    """What goes with assignments that left the caller's scope: their reports and
    extension requests, and directives and documents no longer visible."""
    tombstones = [
        {"type": KIND_REPORT, "id": pk}
        for pk in ProgressReport.objects.filter(assignment_id__in=assignment_ids).values_list(
            "id", flat=True
        )
    ]
    tombstones += [
        {"type": KIND_EXTENSION, "id": pk}
        for pk in ExtensionRequest.objects.filter(assignment_id__in=assignment_ids).values_list(
            "id", flat=True
        )
    ]
    gone = set(
        Directive.objects.filter(assignments__id__in=assignment_ids).values_list("id", flat=True)
    ) - set(_visible(KIND_DIRECTIVE, user).values_list("id", flat=True))
    tombstones += [{"type": KIND_DIRECTIVE, "id": pk} for pk in sorted(gone)]
    gone_documents = set(
        Directive.objects.filter(pk__in=gone).values_list("document_id", flat=True)
    ) - set(_visible(KIND_DOCUMENT, user).values_list("id", flat=True))
    tombstones += [{"type": KIND_DOCUMENT, "id": pk} for pk in sorted(gone_documents)]
    return tombstones


def _unique(entries: list[dict]) -> list[dict]:
    seen, unique = set(), []
    for entry in entries:
        key = (entry["type"], entry["id"])
        if key not in seen:
            seen.add(key)
            unique.append(entry)
    return unique
