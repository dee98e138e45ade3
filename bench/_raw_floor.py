"""The floor of the mobile-feed benchmark: raw psycopg + orjson, no Django, no auth.

The least work that produces the same page as the API, over the same rows and
the same JSON (26 fields per assignment): one keyset query per page, rows turned
into dicts, `orjson.dumps`. Nothing here imports Django: the caller's scope is
handed over as plain data (worked out once by the benchmark, as a sign-in would),
and no token is checked except the sync token, whose signature the answer depends
on. Not a benchmark itself (the leading "_" keeps bench/run.py away from it).

Two ways in:
- `Floor(...).list_page(...)` / `.delta_page(...)` / `.full_page(...)`: a function call,
  the denominator of the in-process ratios;
- `application`: a WSGI app serving the same pages (`/floor/list`, `/floor/sync`), for
  gunicorn over loopback, configured by BENCH_FLOOR_CONFIG (JSON: dsn, secret and
  the callers' scopes by user name), gzip when the client accepts it.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import os
import time
import zlib
from datetime import date, datetime
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import orjson
import psycopg

LOCAL_TZ = "Asia/Ho_Chi_Minh"
TOKEN_SALT = "thads.sync.v1"  # sync.feed.TOKEN_SALT
KIND_ASSIGNMENT = "assignment"

# directives.access.ASSIGNMENT_ACTIONS as data: action, who, statuses (table order).
_WORKING = {"assigned", "acknowledged", "in_progress"}
ACTIONS = (
    ("acknowledge", "member", {"assigned"}),
    ("progress", "member", _WORKING),
    ("request_extension", "member", _WORKING),
    ("complete", "member", _WORKING),
    ("accept", "leadership", {"reported"}),
    ("return", "leadership", {"reported"}),
    ("cancel", "leadership", {*_WORKING, "reported"}),
    ("update", "leadership", {*_WORKING, "reported"}),
)

NAMES = (
    "id",
    "directive",
    "directive_label",
    "directive_title",
    "document",
    "unit",
    "unit_code",
    "unit_name",
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
    "acknowledged_by",
    "acknowledged_at",
    "reported_at",
    "completed_at",
    "cancelled_at",
    "latest_report",
)
COLUMNS = """
    a.id, a.directive_id, d.label, d.title, d.document_id, a.unit_id, u.code, u.name,
    a.role, a.status, a.progress, a.due_date, a.original_due_date,
    CASE
        WHEN a.status = 'done' AND a.completed_on <= a.due_date THEN 'done_on_time'
        WHEN a.status = 'done' THEN 'done_late'
        WHEN a.status IN ('assigned', 'acknowledged', 'in_progress', 'reported')
            THEN CASE WHEN a.due_date >= %(today)s THEN 'open_on_time' ELSE 'open_overdue' END
    END,
    a.version, a.extension_count, a.return_count, a.assigned_at, a.acknowledged_by_id,
    a.acknowledged_at, a.reported_at, a.completed_at, a.cancelled_at, a.latest_report_id,
    r.kind, r.percent, r.note, r.created_at, a.updated_at
"""
JOINS = """
    JOIN directives_directive d ON d.id = a.directive_id
    JOIN units_orgunit u ON u.id = a.unit_id
    LEFT JOIN directives_progressreport r ON r.id = a.latest_report_id
"""
_REPORT = len(NAMES)


def local_today() -> date:
    return datetime.now(ZoneInfo(LOCAL_TZ)).date()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).strip(b"=").decode()


def _b62(number: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 62)
        out = digits[rest] + out
    return out or "0"


class Signer:
    """django.core.signing's dumps/loads (TimestampSigner, SHA-256, compressed),
    written out so that the floor needs no Django."""

    def __init__(self, secret: str, salt: str = TOKEN_SALT):
        self.key = hashlib.sha256(f"{salt}signer{secret}".encode()).digest()

    def _signature(self, value: str) -> str:
        return _b64(hmac.new(self.key, value.encode(), hashlib.sha256).digest())

    def dumps(self, payload: dict) -> str:
        data = json.dumps(payload, separators=(",", ":")).encode("latin-1")
        packed = zlib.compress(data)
        text = "." + _b64(packed) if len(packed) < len(data) - 1 else _b64(data)
        value = f"{text}:{_b62(int(time.time()))}"
        return f"{value}:{self._signature(value)}"

    def loads(self, token: str) -> dict:
        value, signature = token.rsplit(":", 1)
        if not hmac.compare_digest(signature, self._signature(value)):
            raise ValueError("bad signature")
        text = value.rsplit(":", 1)[0]
        data = base64.urlsafe_b64decode(text.lstrip(".") + "=" * (-len(text.lstrip(".")) % 4))
        return json.loads(zlib.decompress(data) if text.startswith(".") else data)


class Floor:
    """Pages for one caller, whose scope is given: `units` None for leadership
    (everything), else the visible unit ids; `acting` the units they act for."""

    def __init__(self, dsn: str, *, uid: int, units, acting, leader: bool, secret: str):
        self.conn = psycopg.connect(dsn, autocommit=True)
        # Instants come back in local time, as the API renders them.
        self.conn.execute(f"SET TimeZone = '{LOCAL_TZ}'")
        self.uid, self.units, self.leader = uid, units, leader
        self.acting = frozenset(acting)
        self.signer = Signer(secret)
        self._actions = {
            (status, acts): [
                action
                for action, who, statuses in ACTIONS
                if status in statuses and (leader if who == "leadership" else acts)
            ]
            for status in ("assigned", "acknowledged", "in_progress", "reported", "done")
            for acts in (False, True)
        }
        self._actions.update({("cancelled", False): [], ("cancelled", True): []})

    def _items(self, rows, skip: int = 0) -> list[dict]:
        items = []
        for row in rows:
            item = dict(zip(NAMES, row[skip : skip + _REPORT], strict=True))
            if item["latest_report"] is not None:
                kind, percent, note, created_at = row[skip + _REPORT : skip + _REPORT + 4]
                item["latest_report"] = {
                    "id": item["latest_report"],
                    "kind": kind,
                    "percent": percent,
                    "note": note,
                    "created_at": created_at,
                }
            item["allowed_actions"] = list(
                self._actions[item["status"], item["unit"] in self.acting]
            )
            item["updated_at"] = row[skip + _REPORT + 4]
            items.append(item)
        return items

    def _scope(self) -> str:
        return "" if self.units is None else "AND a.unit_id = ANY(%(units)s)"

    def list_page(self, *, base: str, before: int | None = None, limit: int = 100) -> bytes:
        sql = f"""
            SELECT {COLUMNS} FROM directives_assignment a {JOINS}
            WHERE TRUE {"AND a.id < %(before)s" if before else ""} {self._scope()}
            ORDER BY a.id DESC LIMIT %(limit)s
        """
        params = {"today": local_today(), "before": before, "units": self.units, "limit": limit + 1}
        rows = self.conn.execute(sql, params).fetchall()
        results = self._items(rows[:limit])

        def link(position: int, reverse: bool) -> str:
            cursor = _b64((f"r=1&p={position}" if reverse else f"p={position}").encode())
            return f"{base}?cursor={cursor}&page_size={limit}"

        return orjson.dumps(
            {
                "next": link(results[-1]["id"], False) if len(rows) > limit else None,
                "previous": link(results[0]["id"], True) if before else None,
                "results": results,
            }
        )

    def full_page(self, token: str, *, limit: int = 100) -> bytes:
        payload = self.signer.loads(token)
        sql = f"""
            SELECT {COLUMNS} FROM directives_assignment a {JOINS}
            WHERE a.id > %(after)s {self._scope()}
            ORDER BY a.id LIMIT %(limit)s
        """
        params = {"today": local_today(), "after": payload["a"], "units": self.units}
        rows = self.conn.execute(sql, {**params, "limit": limit + 1}).fetchall()
        items = self._items(rows[:limit])
        next_token = self.signer.dumps({**payload, "a": items[-1]["id"], "uid": self.uid})
        return orjson.dumps(
            {
                "changes": [
                    {"type": KIND_ASSIGNMENT, "id": item["id"], "data": item} for item in items
                ],
                "deleted": [],
                "next_token": next_token,
                "has_more": len(rows) > limit,
            }
        )

    def delta_page(self, token: str, *, limit: int = 100) -> bytes:
        """A delta page of assignment changes, for a caller whose scope did not change."""
        payload = self.signer.loads(token)
        units = "*" if self.units is None else self.units
        params = {
            "today": local_today(),
            "lo": payload["lo"],
            "hi": payload["hi"],
            "uid": self.uid,
            "units": self.units,
            "limit": limit + 1,
        }
        after = ""
        if payload["after"]:
            params.update(after_txid=payload["after"][0], after_id=payload["after"][1])
            after = "AND (txid > %(after_txid)s OR (txid = %(after_txid)s AND id > %(after_id)s))"
        audience = "unit_id IS NOT NULL" if units == "*" else "unit_id = ANY(%(units)s)"
        visible = "" if units == "*" else "AND a.unit_id = ANY(%(units)s)"
        sql = f"""
            SELECT c.txid, c.id, c.kind, c.object_id, c.op, c.unit_id, c.user_id, {COLUMNS}
            FROM (
                SELECT txid, id, kind, object_id, op, unit_id, user_id FROM sync_changelog
                WHERE txid >= %(lo)s AND txid < %(hi)s {after}
                  AND ((unit_id IS NULL AND user_id IS NULL) OR user_id = %(uid)s OR {audience})
                ORDER BY txid, id LIMIT %(limit)s
            ) AS c
            LEFT JOIN directives_assignment a
                   ON c.kind = 'assignment' AND a.id = c.object_id {visible}
            LEFT JOIN directives_directive d ON d.id = a.directive_id
            LEFT JOIN units_orgunit u ON u.id = a.unit_id
            LEFT JOIN directives_progressreport r ON r.id = a.latest_report_id
            ORDER BY c.txid, c.id
        """
        rows = self.conn.execute(sql, params).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        latest = {}
        for row in rows:
            latest[row[3]] = row  # assignment changes only (checked by the benchmark)
        present = sorted((row for row in latest.values() if row[7] is not None), key=lambda r: r[7])
        changes = [
            {"type": KIND_ASSIGNMENT, "id": item["id"], "data": item}
            for item in self._items(present, skip=7)
        ]
        deleted = [
            {"type": KIND_ASSIGNMENT, "id": object_id}
            for object_id, row in latest.items()
            if row[7] is None and (row[4] == "delete" or row[6] == self.uid or row[5] is not None)
        ]
        if more:
            following = {
                "lo": payload["lo"],
                "hi": payload["hi"],
                "after": [rows[-1][0], rows[-1][1]],
            }
        else:
            following = {"lo": payload["hi"], "hi": None, "after": None}
        next_token = self.signer.dumps({"m": "delta", **following, "u": units, "uid": self.uid})
        return orjson.dumps(
            {"changes": changes, "deleted": deleted, "next_token": next_token, "has_more": more}
        )


# --- WSGI -------------------------------------------------------------------------------

_floors: dict[str, Floor] = {}


def _floor(user: str) -> Floor:
    if user not in _floors:
        config = json.loads(os.environ["BENCH_FLOOR_CONFIG"])
        _floors[user] = Floor(config["dsn"], secret=config["secret"], **config["users"][user])
    return _floors[user]


def application(environ, start_response):
    """GET /floor/list?user=&page_size=&before= and /floor/sync?user=&since=&page_size=."""
    query = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
    floor = _floor(query["user"])
    limit = int(query.get("page_size", 100))
    path = environ["PATH_INFO"]
    if path == "/floor/list":
        base = f"http://{environ.get('HTTP_HOST', 'localhost')}/floor/list"
        before = int(query["before"]) if query.get("before") else None
        body = floor.list_page(base=base, before=before, limit=limit)
    elif path == "/floor/sync":
        token = query["since"]
        mode = floor.signer.loads(token)["m"]
        page = floor.full_page if mode == "full" else floor.delta_page
        body = page(token, limit=limit)
    else:
        start_response("404 Not Found", [("Content-Length", "0")])
        return [b""]
    headers = [("Content-Type", "application/json")]
    if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""):
        # As Django's GZipMiddleware compresses (level 6, no timestamp).
        body = gzip.compress(body, compresslevel=6, mtime=0)
        headers += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
    headers.append(("Content-Length", str(len(body))))
    start_response("200 OK", headers)
    return [body]
