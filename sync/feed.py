"""The delta-sync feed: what changed since a token, as the caller may see it now.

This module sits on top of the other apps (it reads through their selectors and
serializers); the change log it reads (`changelog`) is a leaf that everyone writes to.

Tokens are signed, carry the caller's id, a watermark and the units the caller
could see when the token was made. A delta page serves change-log rows whose
position lies in [lo, hi): on PostgreSQL the position is the writing
transaction's id and `hi` is the oldest transaction still running in this
database when the pass began, so a transaction that commits after a younger one
is never skipped — its rows are served by a later pass. On SQLite writers are
serialised, and the row id already follows commit order.

Tombstones name what was deleted or left the caller's scope: an assignment
moved to another unit, or every object of a unit whose membership ended.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from changelog.log import (
    KIND_ASSIGNMENT,
    KIND_DIRECTIVE,
    KIND_DOCUMENT,
    KIND_EXTENSION,
    KIND_NOTIFICATION,
    KIND_REPORT,
    KIND_UNIT,
)
from changelog.models import ChangeLog, ChangeOp
from directives import rows as rows_
from directives import selectors as directive_selectors
from directives.models import Assignment, Directive, ExtensionRequest, ProgressReport
from directives.serializers import (
    DirectiveSerializer,
    DocumentSerializer,
    ExtensionRequestSerializer,
    ProgressReportSerializer,
)
from notifications.selectors import notification_list
from notifications.serializers import NotificationSerializer
from thads.clock import local_today
from thads.errors import DomainError
from units.models import OrgUnit
from units.selectors import Scope, user_scope
from units.serializers import UnitSerializer

TOKEN_SALT = "thads.sync.v1"  # noqa: S105 - a signing namespace, not a secret
SYNC_TOKEN_EXPIRED = "sync_token_expired"  # noqa: S105 - error codes
SYNC_TOKEN_INVALID = "sync_token_invalid"  # noqa: S105

# The order of a full sync: parents before children, so a client can insert as it goes.
KINDS = (
    KIND_UNIT,
    KIND_DOCUMENT,
    KIND_DIRECTIVE,
    KIND_ASSIGNMENT,
    KIND_REPORT,
    KIND_EXTENSION,
    KIND_NOTIFICATION,
)


def _visible(kind: str, user, scope: Scope) -> QuerySet:
    """Each kind's objects the caller may see, shaped for its serializer."""
    if kind == KIND_UNIT:
        return OrgUnit.objects.prefetch_related("successor_links")
    if kind == KIND_DOCUMENT:
        return directive_selectors.document_list(user=user)
    if kind == KIND_DIRECTIVE:
        return directive_selectors.directive_list(user=user)
    if kind == KIND_ASSIGNMENT:
        return directive_selectors.assignment_list(user=user)
    if kind == KIND_REPORT:
        return (
            ProgressReport.objects.filter(scope.unit_filter("assignment__unit"))
            .select_related("author")
            .prefetch_related("attachments")
        )
    if kind == KIND_EXTENSION:
        return directive_selectors.extension_list(user=user)
    if kind == KIND_NOTIFICATION:
        return notification_list(user=user)
    raise ValueError(kind)


def _assignments(scope: Scope, **where) -> list[dict[str, Any]]:
    """Assignments, the bulk of every feed, as entries by id: read and shaped like
    the list endpoint's page (`directives.rows`), `where` as `rows.fetch` takes it."""
    shape = rows_.Shaper(scope)
    return [
        {"type": KIND_ASSIGNMENT, "id": row[0], "data": shape(row)}
        for row in rows_.fetch(scope=scope, today=local_today(), descending=False, **where)
    ]


def _fetch(kind: str, queryset: QuerySet, scope: Scope) -> list[dict[str, Any]]:
    """The objects of `queryset` as feed entries, in its order (assignments go
    through `_assignments`)."""
    objects = list(queryset)
    serializer = {
        KIND_UNIT: UnitSerializer,
        KIND_DOCUMENT: DocumentSerializer,
        KIND_DIRECTIVE: DirectiveSerializer,
        KIND_REPORT: ProgressReportSerializer,
        KIND_EXTENSION: ExtensionRequestSerializer,
        KIND_NOTIFICATION: NotificationSerializer,
    }[kind]
    data = serializer(objects, many=True, context={"scope": scope}).data
    return [
        {"type": kind, "id": obj.pk, "data": item} for obj, item in zip(objects, data, strict=True)
    ]


# --- tokens -------------------------------------------------------------------------


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


def _units_of(scope: Scope) -> list[int] | str:
    return "*" if scope.visible_unit_ids is None else sorted(scope.visible_unit_ids)


def make_token(payload: dict[str, Any]) -> str:
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def read_token(token: str, *, user) -> dict[str, Any]:
    max_age = timedelta(days=settings.SYNC_TOKEN_TTL_DAYS)
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise DomainError(
            SYNC_TOKEN_EXPIRED,
            _("Mã đồng bộ đã hết hạn; hãy đồng bộ lại từ đầu (bỏ tham số since)."),
            status_code=410,
        ) from exc
    except signing.BadSignature as exc:
        raise DomainError(
            SYNC_TOKEN_INVALID,
            _("Mã đồng bộ không hợp lệ; hãy đồng bộ lại từ đầu (bỏ tham số since)."),
            status_code=410,
        ) from exc
    if (
        payload.get("uid") != user.pk
        or payload.get("m") not in ("delta", "full")
        or "u" not in payload  # a token of an earlier release: start over
    ):
        raise DomainError(
            SYNC_TOKEN_INVALID,
            _("Mã đồng bộ không hợp lệ; hãy đồng bộ lại từ đầu (bỏ tham số since)."),
            status_code=410,
        )
    return payload


@dataclass
class Page:
    changes: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[dict[str, Any]] = field(default_factory=list)
    next_token: str = ""
    has_more: bool = False


# --- the feed -------------------------------------------------------------------------


def sync_page(*, user, token: str | None, page_size: int | None = None) -> Page:
    """One page of the feed: a full sync without a token, else the changes since it."""
    page_size = min(page_size or settings.SYNC_PAGE_SIZE, settings.SYNC_PAGE_SIZE)
    scope = user_scope(user=user)
    if token is None:
        payload = {"m": "full", "k": 0, "a": 0, "w": current_watermark(), "u": _units_of(scope)}
    else:
        payload = read_token(token, user=user)
    if payload["m"] == "full":
        return _full_page(user=user, scope=scope, payload=payload, page_size=page_size)
    return _delta_page(user=user, scope=scope, payload=payload, page_size=page_size)


def _full_page(*, user, scope: Scope, payload: dict, page_size: int) -> Page:
    page = Page()
    kind_index, after = payload["k"], payload["a"]
    room = page_size
    while kind_index < len(KINDS) and room > 0:
        kind = KINDS[kind_index]
        if kind == KIND_ASSIGNMENT:
            entries = _assignments(scope, after=after, limit=room + 1)
        else:
            entries = _fetch(
                kind,
                _visible(kind, user, scope).filter(pk__gt=after).order_by("pk")[: room + 1],
                scope,
            )
        taken = entries[:room]
        page.changes += taken
        room -= len(taken)
        if len(entries) > len(taken):
            after = taken[-1]["id"]
            break
        kind_index, after = kind_index + 1, 0
    if kind_index < len(KINDS):
        page.has_more = True
        page.next_token = make_token(
            {
                "m": "full",
                "k": kind_index,
                "a": after,
                "w": payload["w"],
                "u": payload["u"],
                "uid": user.pk,
            }
        )
    else:
        page.next_token = make_token(
            {
                "m": "delta",
                "lo": payload["w"],
                "hi": None,
                "after": None,
                # The scope when the full sync began: a unit lost while it ran
                # is then tombstoned by the first delta.
                "u": payload["u"],
                "uid": user.pk,
            }
        )
    return page


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
        shown = _visible(KIND_ASSIGNMENT, user, scope).filter(unit_id__in=by_kind[KIND_UNIT])
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
            entries = _fetch(
                kind, _visible(kind, user, scope).filter(pk__in=ids).order_by("pk"), scope
            )
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
        _visible(KIND_DOCUMENT, user, scope)
        .filter(directives__id__in=directive_ids)
        .distinct()
        .order_by("pk"),
        scope,
    )
    entries += _fetch(
        KIND_DIRECTIVE,
        _visible(KIND_DIRECTIVE, user, scope).filter(pk__in=directive_ids).order_by("pk"),
        scope,
    )
    entries += _assignments(scope, unit_ids=units)
    for kind, lookup in (
        (KIND_REPORT, "assignment__unit_id__in"),
        (KIND_EXTENSION, "assignment__unit_id__in"),
    ):
        entries += _fetch(
            kind, _visible(kind, user, scope).filter(**{lookup: units}).order_by("pk"), scope
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
    ) - set(_visible(KIND_DIRECTIVE, user, scope).values_list("id", flat=True))
    tombstones += [{"type": KIND_DIRECTIVE, "id": pk} for pk in sorted(gone)]
    gone_documents = set(
        Directive.objects.filter(pk__in=gone).values_list("document_id", flat=True)
    ) - set(_visible(KIND_DOCUMENT, user, scope).values_list("id", flat=True))
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
