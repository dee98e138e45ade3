"""The mobile feed at 1,000,000 assignments: the assignment list and the sync feed, on PostgreSQL.

    make bench BENCH_ARGS=mobile_feed                  # through bench/run.py
    .venv/bin/python bench/mobile_feed.py              # this one
    .venv/bin/python bench/mobile_feed.py --rebuild    # drop the database and build it again
    DATABASE_URL=postgres://user@host:5432/db .venv/bin/python bench/mobile_feed.py

What it does:

1. Points Django at `DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/thads_bench_1m),
   a database of its own: `--rebuild` drops it. SQLite is refused.
2. Builds the data once (migrate, `seed_demo`, then raw `INSERT ... SELECT generate_series`)
   and reuses it on later runs; a row in the table `bench_mobile_feed` records what was built:
   10,000 documents × 10 directives × 10 assignments = 1,000,000 assignments. Each directive
   is led by one of the 5 Cục offices and carried out by 9 of the 10 Chi cục, so
   `hiephoa.officer` sees about 90,000 rows and `director` all of them. Mostly done, some
   open, cancelled or overdue, with a progress or completion report as `latest_report`
   where the status has one; a change-log row for every document, directive and
   assignment (the history, in the build's transaction), then, in a later transaction,
   change-log rows for every 499th assignment: the window of a delta sync.
3. Times, for `hiephoa.officer` and `director`, all variants interleaved in one loop:
   - the floor (bench/_raw_floor.py): raw psycopg + orjson with no Django and no auth,
     over the same rows and JSON: one keyset query per page, the rows as dicts,
     `orjson.dumps`; the caller's scope handed over as plain data; called as a function;
   - in-process with Django's test `Client` (the whole middleware stack) and a JWT bearer
     token minted with `RefreshToken.for_user`:
     - `GET /api/v1/assignments/?page_size=100`, page 1 and a deep page (page 5,000 for
       the director; the officer's last full page), reached with a cursor built for that
       position;
     - a straightforward DRF `ModelViewSet` (this file only): nested `ModelSerializer`s
       for the directive, unit and latest report, `select_related`, page-number
       pagination, `?page=1` and `?page=<deep>`, on a bench-only URLconf;
     - `GET /api/v1/sync/?since=<token>&page_size=100`: a delta page of 100 changes (token
       made with `sync.feed.make_token`, window [the changes' txid, current watermark), or
       up to txid + 1 when a transaction elsewhere on the server holds the watermark
       back), and a full-sync page of 100 assignments from the middle of the table (mode
       "full", kind index of assignments, `a` = the 500,000th id);
     - the naive view's deep page takes seconds (COUNT(*), OFFSET): it is timed in every
       5th round only;
   - through gunicorn over loopback (one worker, one thread, a kept-alive connection),
     without and with gzip (`Accept-Encoding`): the API's list page 1, deep page and
     delta page (the project's WSGI app, every middleware), and the same pages from the
     floor's WSGI app (bench/_raw_floor.py, gzip at the level Django uses); `--no-http`
     leaves this part out.
4. Checks, before timing, that each floor returns the same JSON as the endpoint it
   stands for (the same keys in the same order, the same strings, the same next token),
   in-process and over HTTP, and that the three list variants agree on the deep page.
5. Counts queries per request (`CaptureQueriesContext`, outside the timed loop) at
   page_size 20, 100 and 200, on page 1 and the deep page, and for both sync pages.
6. Prints the machine, the tables (median, p90, queries, × the floor of the same page)
   and the goals with PASS/MISS: the endpoints within 2× their floor, in-process and
   over HTTP; the list at least 2.5× faster than the naive DRF; the deep page within
   1.2× of page 1.

BENCH_ROUNDS (default 50) or --rounds sets the number of timed rounds. On a loaded 2-core
machine the measurement takes about 3 minutes, the build (once) about 4: the inserts run
with the secondary indexes dropped and rebuilt after, the deferred foreign keys checked
before that.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is on the path, the project is not
    sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402
from bench.assignment_list import (  # noqa: E402
    NOT_YET_DUE_STATUSES,
    PAST_DUE_STATUSES,
    ApiClient,
    _sentences,
)
from bench.common import Variant, count_queries, measure, p90  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/thads_bench_1m"
META_TABLE = "bench_mobile_feed"

DOCUMENTS = 10_000
DIRECTIVES_PER_DOCUMENT = 10
UNITS_PER_DIRECTIVE = 10  # one lead office + 9 of the 10 Chi cục
DIRECTIVES = DOCUMENTS * DIRECTIVES_PER_DOCUMENT
ASSIGNMENTS = DIRECTIVES * UNITS_PER_DIRECTIVE
CHANGE_STRIDE = 499  # every 499th assignment changed in the delta window (coprime with 10)
TEXT_VARIANTS = 251  # distinct directive titles/bodies, picked by a hash
NUMBER_PREFIX = "BENCH1M/"

PAGE_SIZE = 100
DEEP_PAGE = 5_000
PAGE_SIZES = (20, 100, 200)
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "50"))
WARMUP_ROUNDS = 3
# The naive view's deep page takes seconds (COUNT(*) and OFFSET): timed in every 5th round
# only, so that the run stays within minutes.
SPARSE_EVERY = 5
USERS = ("hiephoa.officer", "director")

LIST_URL = "/api/v1/assignments/"
SYNC_URL = "/api/v1/sync/"
NAIVE_URL = "/bench/naive/assignments/"

GOAL_FLOOR = 2.0  # the endpoint within 2× its floor
GOAL_NAIVE = 2.5  # the endpoint at least 2.5× faster than the naive DRF
GOAL_DEPTH = 1.2  # the deep page within 1.2× of page 1


# --- data -----------------------------------------------------------------------------


def _status_case(column: str) -> str:
    """The status of assignment_list's tables, as SQL on a uniform number in [0, 1)."""

    def case(table: dict[str, float]) -> str:
        total, whens = sum(table.values()), []
        cumulative = 0.0
        for status, weight in list(table.items())[:-1]:
            cumulative += weight / total
            whens.append(f"WHEN {column} < {cumulative:.6f} THEN '{status}'")
        return f"CASE {' '.join(whens)} ELSE '{list(table)[-1]}' END"

    return (
        f"CASE WHEN due < %(today)s THEN {case(PAST_DUE_STATUSES)} "
        f"ELSE {case(NOT_YET_DUE_STATUSES)} END"
    )


def _texts() -> dict[str, list[str]]:
    """Directive titles, bodies and their search keys (as `normalize_text` makes them),
    report notes: a pool of real sentences from the 22/4/2022 conclusion."""
    from directives.seed import conclusion_text
    from thads.text import search_key

    rng = random.Random(20220422)
    sentences = _sentences(conclusion_text())
    titles, bodies, keys, notes = [], [], [], []
    for _ in range(TEXT_VARIANTS):
        start = rng.randrange(len(sentences))
        body = " ".join(sentences[start : start + rng.randint(3, 6)])
        title = body[:200].rsplit(" ", 1)[0]
        titles.append(title)
        bodies.append(body)
        # The key is search_key(label, title, body), cut at 1,000; the label ("1".."10")
        # is prefixed in SQL.
        keys.append(search_key(title, body))
        notes.append(" ".join(sentences[rng.randrange(len(sentences))].split()[:30]))
    return {"titles": titles, "bodies": bodies, "keys": keys, "notes": notes}


def _reserve(cursor, table: str, count: int) -> int:
    """The first of `count` consecutive ids taken from the table's own sequence."""
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
    (first,) = cursor.fetchone()
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + count - 1]
    )
    return first


LOADED_TABLES = (
    "directives_sourcedocument",
    "directives_directive",
    "directives_assignment",
    "directives_progressreport",
    "sync_changelog",
)


def _drop_secondary_indexes(cursor) -> list[str]:
    """Drop the loaded tables' indexes other than primary keys and constraints; their
    definitions, to create them again once the rows are in (a sorted build is many
    times faster than a million random inserts into a dozen indexes)."""
    cursor.execute(
        """
        SELECT format('%%I', c.relname), pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
        """,
        [list(LOADED_TABLES)],
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in found]


def build_data(*, today: date) -> dict:
    """Insert the documents, directives, assignments, reports and change log with
    INSERT ... SELECT; returns what the run needs to know about them."""
    from django.db import connection, transaction

    from directives.models import Category
    from thads.text import search_key
    from units.models import OrgUnit, UnitKind, User

    texts = _texts()
    director = User.objects.get(username="director").pk
    officers = {
        OrgUnit.objects.get(code="CC-HIEPHOA").pk: User.objects.get(username="hiephoa.officer").pk,
        OrgUnit.objects.get(code="CC-YENTHE").pk: User.objects.get(username="yenthe.officer").pk,
    }
    department = OrgUnit.objects.get(code="BG-CUC").pk
    offices = list(
        OrgUnit.objects.filter(kind=UnitKind.OFFICE).order_by("code").values_list("pk", flat=True)
    )
    subs = list(
        OrgUnit.objects.filter(kind=UnitKind.SUB_DEPARTMENT)
        .order_by("code")
        .values_list("pk", flat=True)
    )
    categories = list(Category.objects.order_by("position", "code").values_list("pk", flat=True))
    assert len(offices) == 5 and len(subs) == 10, (offices, subs)
    first_day = date(2022, 1, 4)
    doc_title = ("Kết luận giao ban số ", " của Cục trưởng Cục THADS tỉnh Bắc Giang")
    params = {
        "today": today,
        "first_day": first_day,
        "span": (today - first_day).days - 30,
        "documents": DOCUMENTS,
        "directives": DIRECTIVES,
        "assignments": ASSIGNMENTS,
        "per_document": DIRECTIVES_PER_DOCUMENT,
        "per_directive": UNITS_PER_DIRECTIVE,
        "director": director,
        "department": department,
        "offices": offices,
        "subs": subs,
        "categories": categories,
        "officer_units": list(officers),
        "officer_users": list(officers.values()),
        "variants": TEXT_VARIANTS,
        "prefix": NUMBER_PREFIX,
        "doc_title_0": doc_title[0],
        "doc_title_1": doc_title[1],
        # search_key(number, title): the number is ASCII, so lower() and a space for
        # each run of punctuation make its words.
        "doc_key_0": search_key(doc_title[0]),
        "doc_key_1": search_key(doc_title[1]),
        "body": conclusion_text_for_documents(),
        **texts,
    }
    timings: dict[str, float] = {}

    def step(name: str, sql: str) -> None:
        started = time.monotonic()
        cursor.execute(sql, params)
        timings[name] = time.monotonic() - started
        print(f"  {name}: {timings[name]:.1f} s", flush=True)

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")  # compiling these expressions costs seconds
        indexes = _drop_secondary_indexes(cursor)
        params["d0"] = _reserve(cursor, "directives_sourcedocument", DOCUMENTS)
        params["v0"] = _reserve(cursor, "directives_directive", DIRECTIVES)
        params["a0"] = _reserve(cursor, "directives_assignment", ASSIGNMENTS)
        params["r0"] = _reserve(cursor, "directives_progressreport", ASSIGNMENTS)
        step(
            "documents",
            """
            INSERT INTO directives_sourcedocument
                (id, search_key, kind, number, title, issued_on, signatory, body,
                 period_start, period_end, created_at, updated_at, created_by_id,
                 issuing_unit_id)
            SELECT %(d0)s + i,
                   ' ' || regexp_replace(
                              lower(%(prefix)s || lpad((i + 1)::text, 5, '0') || '/KL-CTHADS'),
                              '[^a-z0-9]+', ' ', 'g')
                       || %(doc_key_0)s || ' ' || (i + 1) || %(doc_key_1)s,
                   (ARRAY['conclusion', 'plan', 'official_letter'])[i %% 3 + 1],
                   %(prefix)s || lpad((i + 1)::text, 5, '0') || '/KL-CTHADS',
                   %(doc_title_0)s || (i + 1) || %(doc_title_1)s,
                   issued, 'Nguyễn Thị Bích Tần', %(body)s, NULL, NULL,
                   (issued + time '10:00') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                   (issued + time '10:00') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                   %(director)s, %(department)s
            FROM generate_series(0, %(documents)s - 1) AS i,
                 LATERAL (SELECT %(first_day)s::date
                                 + (%(span)s::bigint * i / %(documents)s)::int AS issued) AS d
            """,
        )
        step(
            "directives",
            """
            INSERT INTO directives_directive
                (id, search_key, label, position, title, body, default_due_date, is_active,
                 revoked_at, created_at, updated_at, category_id, document_id)
            SELECT %(v0)s + k,
                   left(' ' || ((k %% %(per_document)s) + 1) || (%(keys)s::text[])[t + 1], 1000),
                   ((k %% %(per_document)s) + 1)::text,
                   (k %% %(per_document)s) + 1,
                   (%(titles)s::text[])[t + 1],
                   (%(bodies)s::text[])[t + 1],
                   issued + 90, true, NULL,
                   (issued + time '10:00') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                   (issued + time '10:00') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                   (%(categories)s::bigint[])[k %% cardinality(%(categories)s::bigint[]) + 1],
                   %(d0)s + k / %(per_document)s
            FROM generate_series(0, %(directives)s - 1) AS k
            CROSS JOIN LATERAL (
                SELECT (k::bigint * 7919) %% %(variants)s AS t,
                       %(first_day)s::date
                       + (%(span)s::bigint * (k / %(per_document)s) / %(documents)s)::int
                           AS issued
            ) AS v
            """,
        )
        # Three independent uniform numbers per assignment from md5(n); the lead
        # (j = 0) is an office and is never cancelled (one active lead per directive);
        # the Chi cục left out of directive k is the (k mod 10)-th. MATERIALIZED: an
        # inlined CTE repeats its expressions wherever a column is used (md5 and the
        # status CASE dozens of times per row: 60 times slower).
        step(
            "assignments",
            f"""
            WITH base AS MATERIALIZED (
                SELECT n, n / %(per_directive)s AS k, n %% %(per_directive)s AS j,
                       %(first_day)s::date + (%(span)s::bigint
                           * (n / (%(per_directive)s * %(per_document)s)) / %(documents)s)::int
                           AS issued_on,
                       ('x' || substr(h, 1, 8))::bit(32)::bigint / 4294967296.0 AS r1,
                       ('x' || substr(h, 9, 8))::bit(32)::bigint / 4294967296.0 AS r2,
                       ('x' || substr(h, 17, 8))::bit(32)::bigint / 4294967296.0 AS r3
                FROM generate_series(0, %(assignments)s - 1) AS n
                CROSS JOIN LATERAL (SELECT md5(n::text) AS h) AS m
            ), dated AS (
                SELECT *,
                       CASE WHEN j = 0 THEN (%(offices)s::bigint[])[k %% 5 + 1]
                            ELSE (%(subs)s::bigint[])[
                                j + CASE WHEN j - 1 >= k %% 10 THEN 1 ELSE 0 END]
                       END AS unit_id,
                       issued_on + 90 AS original_due,
                       CASE WHEN r2 < 0.06 THEN issued_on + 120 ELSE issued_on + 90 END AS due,
                       ((issued_on + 1) + time '09:00') AT TIME ZONE 'Asia/Ho_Chi_Minh'
                           AS assigned_at
                FROM base
            ), raw_status AS (
                SELECT *, {_status_case("r1")} AS status0 FROM dated
            ), stated AS MATERIALIZED (
                SELECT *,
                       CASE WHEN j = 0 AND status0 = 'cancelled' THEN 'in_progress'
                            ELSE status0 END AS status
                FROM raw_status
            ), timed AS (
                SELECT *,
                       CASE WHEN status = 'done' THEN least(
                           CASE WHEN r3 < 0.13 THEN due + 1 + (r3 * 300)::int
                                ELSE due - (r3 * 40)::int END,
                           %(today)s - 1) END AS completed_on,
                       CASE WHEN status NOT IN ('assigned', 'cancelled')
                            THEN assigned_at + interval '1 day' END AS acknowledged_at,
                       CASE WHEN status = 'reported'
                            THEN (least(due, %(today)s - 1) + time '15:00')
                                 AT TIME ZONE 'Asia/Ho_Chi_Minh' END AS reported_only_at,
                       CASE WHEN status = 'in_progress'
                            THEN least(assigned_at + interval '11 days', now()) END
                           AS progress_at
                FROM stated
            )
            INSERT INTO directives_assignment
                (id, directive_id, unit_id, role, status, progress, original_due_date,
                 due_date, extension_count, return_count, version, assigned_by_id,
                 assigned_at, acknowledged_by_id, acknowledged_at, reported_at, completed_at,
                 completed_on, cancelled_at, latest_report_id, period_start, updated_at)
            SELECT %(a0)s + n, %(v0)s + k, unit_id,
                   CASE WHEN j = 0 THEN 'lead' ELSE 'coordinating' END,
                   status,
                   CASE status WHEN 'done' THEN 100 WHEN 'reported' THEN 100
                       WHEN 'in_progress' THEN 10 + (r3 * 80)::int ELSE 0 END,
                   original_due, due,
                   CASE WHEN due > original_due THEN 1 ELSE 0 END,
                   CASE WHEN status = 'done' AND r2 > 0.97 THEN 1 ELSE 0 END,
                   CASE status WHEN 'assigned' THEN 1 WHEN 'acknowledged' THEN 2
                       WHEN 'in_progress' THEN 3 WHEN 'reported' THEN 4 WHEN 'done' THEN 5
                       ELSE 2 END,
                   %(director)s, assigned_at,
                   CASE WHEN acknowledged_at IS NOT NULL THEN (%(officer_users)s::bigint[])[
                       array_position(%(officer_units)s::bigint[], unit_id)] END,
                   acknowledged_at,
                   coalesce(reported_only_at,
                       (completed_on + time '16:00') AT TIME ZONE 'Asia/Ho_Chi_Minh'),
                   (completed_on + time '16:00') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                   completed_on,
                   CASE WHEN status = 'cancelled' THEN assigned_at + interval '20 days' END,
                   CASE WHEN status IN ('done', 'reported', 'in_progress')
                        THEN %(r0)s + n END,
                   NULL,
                   coalesce(
                       (completed_on + time '16:00') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                       reported_only_at, progress_at,
                       CASE WHEN status = 'cancelled' THEN assigned_at + interval '20 days' END,
                       acknowledged_at, assigned_at)
            FROM timed
            """,
        )
        step(
            "next reminders",
            """
            INSERT INTO directives_nextreminder (assignment_id, at)
            SELECT id, (greatest(due_date - 3, %(today)s + 1) + time '08:00')
                       AT TIME ZONE 'Asia/Ho_Chi_Minh'
            FROM directives_assignment
            WHERE id > %(a0)s AND status IN ('assigned', 'acknowledged', 'in_progress')
            """,
        )
        step(
            "reports",
            """
            INSERT INTO directives_progressreport
                (id, kind, percent, note, figures, client_uuid, created_at, assignment_id,
                 author_id)
            SELECT a.latest_report_id,
                   CASE WHEN a.status = 'in_progress' THEN 'progress' ELSE 'completion' END,
                   a.progress, (%(notes)s::text[])[a.id %% %(variants)s + 1], '{}'::jsonb, NULL,
                   a.updated_at, a.id, coalesce(a.acknowledged_by_id, %(director)s)
            FROM directives_assignment a
            WHERE a.id >= %(a0)s AND a.latest_report_id IS NOT NULL
            """,
        )
        step(
            "change log (history)",
            """
            INSERT INTO sync_changelog (txid, kind, object_id, unit_id, user_id, op, created_at)
            SELECT pg_current_xact_id()::text::bigint, kind, object_id, unit_id, NULL,
                   'upsert', at
            FROM (
                SELECT 'document' AS kind, id AS object_id, NULL::bigint AS unit_id,
                       created_at AS at
                FROM directives_sourcedocument WHERE id >= %(d0)s
                UNION ALL
                SELECT 'directive', id, NULL, created_at
                FROM directives_directive WHERE id >= %(v0)s
                UNION ALL
                SELECT 'assignment', id, unit_id, updated_at
                FROM directives_assignment WHERE id >= %(a0)s
            ) AS changes
            """,
        )
        # The deferred foreign keys are checked now: CREATE INDEX refuses to run while
        # their checks are pending.
        step("foreign-key checks", "SET CONSTRAINTS ALL IMMEDIATE")
        started = time.monotonic()
        for definition in indexes:  # unique ones check their constraint as they are built
            cursor.execute(definition)
        timings["indexes"] = time.monotonic() - started
        print(f"  {len(indexes)} indexes: {timings['indexes']:.1f} s", flush=True)

    # The delta window: a later transaction changes every 499th assignment, as the
    # services would (one change-log row each, in that transaction).
    with transaction.atomic(), connection.cursor() as cursor:
        step(
            "change log (delta window)",
            """
            INSERT INTO sync_changelog (txid, kind, object_id, unit_id, user_id, op, created_at)
            SELECT pg_current_xact_id()::text::bigint, 'assignment', id, unit_id, NULL,
                   'upsert', now()
            FROM directives_assignment
            WHERE id >= %(a0)s AND (id - %(a0)s) %% """
            + str(CHANGE_STRIDE)
            + """ = 0
            ORDER BY id
            """,
        )
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        (window_txid,) = cursor.fetchone()

    started = time.monotonic()
    with connection.cursor() as cursor:
        # Fresh statistics and visibility maps, as autovacuum would leave them in service.
        for table in (
            "directives_sourcedocument",
            "directives_directive",
            "directives_assignment",
            "directives_progressreport",
            "sync_changelog",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    timings["vacuum analyze"] = time.monotonic() - started
    print(f"  vacuum analyze: {timings['vacuum analyze']:.1f} s", flush=True)
    return {
        "assignments": ASSIGNMENTS,
        "first_assignment_id": params["a0"],
        "window_txid": window_txid,
        "built_on": today.isoformat(),
        "build_seconds": round(sum(timings.values()), 1),
    }


def conclusion_text_for_documents() -> str:
    """Each document's body: the real 22/4/2022 conclusion (about 9 KB), as in
    bench/assignment_list.py; the list never reads it."""
    from directives.seed import conclusion_text

    return conclusion_text()


def read_meta() -> dict | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [META_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT data FROM {META_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return None
    # Django reads jsonb as text (its JSONField decodes it), whatever psycopg would do.
    return row[0] if isinstance(row[0], dict) else json.loads(row[0])


def write_meta(meta: dict) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (id int PRIMARY KEY, data jsonb)")
        cursor.execute(
            f"INSERT INTO {META_TABLE} (id, data) VALUES (1, %s) "
            "ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data",
            [json.dumps(meta)],
        )


def prepare_data(*, today: date) -> tuple[dict | None, str | None]:
    """Migrate; build the data when missing; (what was built, an error message)."""
    from django.core.management import call_command
    from django.db import connection

    from directives.models import Assignment

    call_command("migrate", verbosity=0, interactive=False)
    meta = read_meta()
    if meta is None:
        if Assignment.objects.filter(directive__document__number__startswith=NUMBER_PREFIX)[
            :1
        ].exists():
            return None, (
                f"database {connection.settings_dict['NAME']} holds a partial build: "
                "run again with --rebuild."
            )
        call_command("seed_demo", stdout=io.StringIO())
        print(f"building {ASSIGNMENTS:,} assignments (once; later runs reuse them) ...", flush=True)
        started = time.monotonic()
        meta = build_data(today=today)
        write_meta(meta)
        print(f"built in {time.monotonic() - started:.0f} s", flush=True)
    elif meta.get("assignments") != ASSIGNMENTS:
        return None, (
            f"database {connection.settings_dict['NAME']} was built with "
            f"{meta.get('assignments')} assignments, this benchmark makes {ASSIGNMENTS:,}: "
            "run again with --rebuild."
        )
    else:
        print(
            f"reusing the {ASSIGNMENTS:,} assignments built on {meta['built_on']} "
            f"(in {meta['build_seconds']:.0f} s)",
            flush=True,
        )
    return meta, None


def window_end(txid: int, *, timeout: float = 15.0) -> tuple[int, str]:
    """The end of the delta window: the current watermark once it has passed `txid`,
    the window's transaction. The watermark is the oldest transaction still running
    in this database: a session of it left idle in a transaction holds it back. Past
    `timeout`, the window ends just after `txid` instead (the same rows, the same
    page, the same cost)."""
    from sync.feed import current_watermark

    deadline = time.monotonic() + timeout
    while True:
        watermark = current_watermark()
        if watermark > txid:
            return watermark, f"the current watermark ({watermark})"
        if time.monotonic() > deadline:
            return txid + 1, (
                f"txid + 1 = {txid + 1}: the watermark ({watermark}) was held back "
                "below the window by a transaction still running in this database"
            )
        time.sleep(1)


# --- the floor ------------------------------------------------------------------------


def floor_scope(username: str) -> dict:
    """`username`'s scope as the raw floor (bench/_raw_floor.py) takes it: worked
    out once, as plain data, so that the floor does no auth and no scope lookup."""
    from units.models import User
    from units.selectors import user_scope

    user = User.objects.get(username=username)
    scope = user_scope(user=user)
    return {
        "uid": user.pk,
        "units": None if scope.visible_unit_ids is None else sorted(scope.visible_unit_ids),
        "acting": sorted(scope.acting_unit_ids),
        "leader": scope.is_leadership,
    }


def floor_for(scope: dict):
    from django.conf import settings
    from django.db import connection

    from bench import _raw_floor

    config = _floor_config(connection.settings_dict)
    return _raw_floor.Floor(config["dsn"], secret=settings.SECRET_KEY, **scope)


def _floor_config(db: dict) -> dict:
    from psycopg.conninfo import make_conninfo

    dsn = make_conninfo(
        dbname=db["NAME"],
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
    )
    return {"dsn": dsn}


# --- the naive DRF view -----------------------------------------------------------------


def naive_viewset():
    """What most projects ship: a ModelViewSet, nested ModelSerializers, select_related,
    page-number pagination (COUNT(*) and OFFSET). Built after django.setup()."""
    from rest_framework import serializers, viewsets
    from rest_framework.pagination import PageNumberPagination

    from directives.access import allowed_actions
    from directives.models import Assignment, Directive, ProgressReport
    from directives.selectors import timeliness_of
    from thads.clock import local_today
    from units.models import OrgUnit
    from units.selectors import user_scope

    class DirectiveBrief(serializers.ModelSerializer):
        class Meta:
            model = Directive
            fields = ["id", "document", "label", "title"]

    class UnitBrief(serializers.ModelSerializer):
        class Meta:
            model = OrgUnit
            fields = ["id", "code", "name"]

    class ReportBrief(serializers.ModelSerializer):
        class Meta:
            model = ProgressReport
            fields = ["id", "kind", "percent", "note", "created_at"]

    class NaiveAssignmentSerializer(serializers.ModelSerializer):
        directive = DirectiveBrief(read_only=True)
        unit = UnitBrief(read_only=True)
        latest_report = ReportBrief(read_only=True)
        timeliness = serializers.SerializerMethodField()
        allowed_actions = serializers.SerializerMethodField()

        class Meta:
            model = Assignment
            fields = [
                "id",
                "directive",
                "unit",
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
                "allowed_actions",
                "updated_at",
            ]

        def get_timeliness(self, assignment):
            return timeliness_of(assignment, today=self.context["today"])

        def get_allowed_actions(self, assignment):
            return allowed_actions(scope=self.context["scope"], assignment=assignment)

    class NaivePagination(PageNumberPagination):
        page_size = PAGE_SIZE

    class NaiveAssignmentViewSet(viewsets.ModelViewSet):
        serializer_class = NaiveAssignmentSerializer
        pagination_class = NaivePagination

        def get_queryset(self):
            scope = user_scope(user=self.request.user)
            return (
                Assignment.objects.filter(scope.unit_filter("unit"))
                .select_related("directive", "unit", "latest_report")
                .order_by("-id")
            )

        def get_serializer_context(self):
            return {
                **super().get_serializer_context(),
                "scope": user_scope(user=self.request.user),
                "today": local_today(),
            }

    return NaiveAssignmentViewSet


def install_urls() -> None:
    """The project's URLs plus the floor and the naive view, for this process only."""
    import types

    from django.conf import settings
    from django.urls import clear_url_caches, include, path
    from rest_framework.routers import SimpleRouter

    import thads.urls

    router = SimpleRouter()
    router.register("assignments", naive_viewset(), basename="naive-assignment")
    urls = types.ModuleType("bench_mobile_feed_urls")
    urls.urlpatterns = [
        path("bench/naive/", include(router.urls)),
        *thads.urls.urlpatterns,
    ]
    urls.handler404 = thads.urls.handler404
    settings.ROOT_URLCONF = urls
    clear_url_caches()


# --- the run ----------------------------------------------------------------------------


class FeedClient(ApiClient):
    """assignment_list's client, with the token a sign-in issues (RefreshToken.for_user)."""

    def __init__(self, usernames):
        from django.test import Client
        from rest_framework_simplejwt.tokens import RefreshToken

        from units.models import User

        self.client = Client()
        self.headers = {}
        for username in usernames:
            token = RefreshToken.for_user(User.objects.get(username=username)).access_token
            self.headers[username] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def json(self, url: str, username: str):
        import orjson

        return orjson.loads(self.get(url, username).content)


def _same_page(api: list[dict], floor: list[dict]) -> str | None:
    if [item["id"] for item in api] != [item["id"] for item in floor]:
        return "different rows"
    for a, f in zip(api, floor, strict=True):
        # The same JSON: the same keys in the same order, the same strings.
        if list(a.items()) != list(f.items()):
            diff = sorted(k for k in a if a.get(k) != f.get(k))
            return f"row {a['id']} differs in {diff or 'the order of its keys'}"
    return None


def _cursor_url(position: int, page_size: int) -> str:
    from rest_framework.pagination import Cursor

    from thads.api.pagination import CursorPagination

    paginator = CursorPagination()
    paginator.base_url = f"http://testserver{LIST_URL}?page_size={page_size}"
    return paginator.encode_cursor(Cursor(offset=0, reverse=False, position=str(position)))


class Setup:
    """Per user: the URLs of every variant, checked against each other."""

    def __init__(self, username: str, *, meta: dict, watermark: int):
        from changelog.log import KIND_ASSIGNMENT
        from changelog.models import ChangeLog
        from directives.models import Assignment
        from sync.feed import KINDS, _units_of, make_token
        from units.models import User
        from units.selectors import user_scope

        user = User.objects.get(username=username)
        scope = user_scope(user=user)
        visible = Assignment.objects.filter(scope.unit_filter("unit"))
        self.username = username
        self.rows = visible.count()
        self.depth = min(DEEP_PAGE, self.rows // PAGE_SIZE)
        # Page p (from 1) starts after row (p - 1) * 100 - 1 in the list's order (-id).
        self.position = visible.order_by("-id").values_list("id", flat=True)[
            (self.depth - 1) * PAGE_SIZE - 1
        ]
        middle = Assignment.objects.order_by("id").values_list("id", flat=True)[
            ASSIGNMENTS // 2 - 1
        ]
        units = _units_of(scope)
        self.window = (
            ChangeLog.objects.filter(txid__gte=meta["window_txid"], txid__lt=watermark)
            .filter(**({} if units == "*" else {"unit_id__in": units}))
            .count()
        )
        delta_token = make_token(
            {
                "m": "delta",
                "lo": meta["window_txid"],
                "hi": watermark,
                "after": None,
                "u": units,
                "uid": user.pk,
            }
        )
        full_token = make_token(
            {
                "m": "full",
                "k": KINDS.index(KIND_ASSIGNMENT),
                "a": middle,
                "w": watermark,
                "u": units,  # the scope when the full sync began (read by newer feeds)
                "uid": user.pk,
            }
        )
        self.urls = {
            "list_first": lambda size=PAGE_SIZE: f"{LIST_URL}?page_size={size}",
            "list_deep": lambda size=PAGE_SIZE: _cursor_url(self.position, size),
            "naive_first": lambda size=PAGE_SIZE: f"{NAIVE_URL}?page=1",
            "naive_deep": lambda size=PAGE_SIZE: f"{NAIVE_URL}?page={self.depth}",
            "sync_delta": lambda size=PAGE_SIZE: f"{SYNC_URL}?since={delta_token}&page_size={size}",
            "sync_full": lambda size=PAGE_SIZE: f"{SYNC_URL}?since={full_token}&page_size={size}",
        }
        self.floor_scope = floor_scope(username)
        floor = floor_for(self.floor_scope)
        base = f"http://testserver{LIST_URL}"
        self.floors = {  # the same pages, from the raw floor (a function call each)
            "floor_first": lambda size=PAGE_SIZE: floor.list_page(base=base, limit=size),
            "floor_deep": lambda size=PAGE_SIZE: floor.list_page(
                base=base, before=self.position, limit=size
            ),
            "floor_delta": lambda size=PAGE_SIZE: floor.delta_page(delta_token, limit=size),
            "floor_full": lambda size=PAGE_SIZE: floor.full_page(full_token, limit=size),
        }
        # What the HTTP variants ask for, by key: the API's URLs, and the floor's
        # WSGI app's (bench/_raw_floor.py), which names the caller instead of
        # authenticating them.
        self.http_urls = {
            "list_first": self.url("list_first"),
            "list_deep": self.url("list_deep").removeprefix("http://testserver"),
            "sync_delta": self.url("sync_delta"),
            "floor_first": f"/floor/list?user={username}&page_size={PAGE_SIZE}",
            "floor_deep": f"/floor/list?user={username}&before={self.position}"
            f"&page_size={PAGE_SIZE}",
            "floor_delta": f"/floor/sync?user={username}&since={delta_token}&page_size={PAGE_SIZE}",
        }

    def url(self, key: str, size: int = PAGE_SIZE) -> str:
        return self.urls[key](size)

    def floor_json(self, key: str):
        import orjson

        return orjson.loads(self.floors[key]())

    def check(self, client: FeedClient) -> str | None:
        """Each floor gives its endpoint's page; the three lists agree on the deep page."""
        from django.core import signing

        from sync.feed import TOKEN_SALT

        who = self.username
        for api_key, floor_key in (("list_first", "floor_first"), ("list_deep", "floor_deep")):
            api = client.json(self.url(api_key), who)["results"]
            floor = self.floor_json(floor_key)["results"]
            if len(api) != PAGE_SIZE:
                return f"{who}: {api_key} has {len(api)} rows, not {PAGE_SIZE}"
            problem = _same_page(api, floor)
            if problem:
                return f"{who}: {floor_key} against {api_key}: {problem}"
        deep = [item["id"] for item in client.json(self.url("list_deep"), who)["results"]]
        naive = [item["id"] for item in client.json(self.url("naive_deep"), who)["results"]]
        if deep != naive:
            return f"{who}: the cursor's deep page and ?page={self.depth} differ"
        for api_key, floor_key in (("sync_delta", "floor_delta"), ("sync_full", "floor_full")):
            api = client.json(self.url(api_key), who)
            floor = self.floor_json(floor_key)
            if len(api["changes"]) != PAGE_SIZE or not api["has_more"]:
                return f"{who}: {api_key} has {len(api['changes'])} changes, not {PAGE_SIZE}"
            problem = _same_page(
                [c["data"] for c in api["changes"]], [c["data"] for c in floor["changes"]]
            )
            if problem or api["deleted"] != floor["deleted"]:
                return f"{who}: {floor_key} against {api_key}: {problem or 'tombstones'}"
            tokens = [signing.loads(page["next_token"], salt=TOKEN_SALT) for page in (api, floor)]
            if tokens[0] != tokens[1] or api["has_more"] != floor["has_more"]:
                return f"{who}: {floor_key} against {api_key}: next_token {tokens}"
        return None


ROWS = [  # (key, label, floor key): the table's rows, in order
    ("floor_first", "floor: list, page 1", "floor_first"),
    ("list_first", "API list, page 1", "floor_first"),
    ("naive_first", "naive DRF, ?page=1", "floor_first"),
    ("floor_deep", "floor: list, deep page", "floor_deep"),
    ("list_deep", "API list, deep page (cursor)", "floor_deep"),
    ("naive_deep", "naive DRF, ?page=<deep>", "floor_deep"),
    ("floor_delta", "floor: sync, delta page", "floor_delta"),
    ("sync_delta", "API sync, delta page", "floor_delta"),
    ("floor_full", "floor: sync, full-sync page (deep)", "floor_full"),
    ("sync_full", "API sync, full-sync page (deep)", "floor_full"),
]


def query_counts(client: FeedClient, setups: dict[str, Setup]) -> dict[tuple[str, str], list]:
    """Queries per request by page size, for the endpoints whose count must not grow."""

    def queries(url: str, username: str) -> int:
        return count_queries(lambda: len(client.get(url, username).content))[0]

    return {
        (username, key): [queries(setup.url(key, size), username) for size in PAGE_SIZES]
        for username, setup in setups.items()
        for key in ("list_first", "list_deep", "sync_delta", "sync_full")
    }


# --- over HTTP: gunicorn on loopback ------------------------------------------------------


class Server:
    """gunicorn serving `app` on a free loopback port: one worker process with one
    thread (gthread, so that the client's connection is kept alive), in its own
    process group, stopped by its id."""

    def __init__(self, app: str, env: dict[str, str]):
        import socket
        import subprocess

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            "1",
            "--keep-alive",
            "60",
            "--no-control-socket",
            "--log-level",
            "warning",
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn {app} did not start") from None
                time.sleep(0.2)

    def connection(self):
        import http.client

        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def stop(self) -> None:
        import signal
        import subprocess

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # its own group: gunicorn and worker
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_servers(setups: dict[str, Setup]) -> list[Server]:
    """The project's WSGI app (as deployed: every middleware, GZip included) and the
    raw floor's, both on gunicorn, with the environment this process runs with."""
    from django.conf import settings
    from django.db import connection

    config = {
        **_floor_config(connection.settings_dict),
        "secret": settings.SECRET_KEY,
        "users": {username: setup.floor_scope for username, setup in setups.items()},
    }
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    api = Server("thads.wsgi:application", env)
    try:
        floor = Server(
            "bench._raw_floor:application", {**env, "BENCH_FLOOR_CONFIG": json.dumps(config)}
        )
    except BaseException:
        api.stop()
        raise
    return [api, floor]


HTTP_ROWS = [  # (API key, floor key, label)
    ("list_first", "floor_first", "list, page 1"),
    ("list_deep", "floor_deep", "list, deep page"),
    ("sync_delta", "floor_delta", "sync, delta page"),
]
ENCODINGS = ("identity", "gzip")


class HttpVariants:
    """Each request of HTTP_ROWS to the API and to the floor over loopback, as
    identity and as gzip, on one kept-alive connection per server."""

    def __init__(self, servers: list[Server], setups: dict[str, Setup], client: FeedClient):
        self.api, self.floor = (server.connection() for server in servers)
        self.setups = setups
        self.auth = {
            username: client.headers[username]["HTTP_AUTHORIZATION"] for username in setups
        }
        self.variants: dict[tuple[str, str], Variant] = {}
        for username, setup in setups.items():
            for api_key, floor_key, label in HTTP_ROWS:
                for encoding in ENCODINGS:
                    for key, connection_ in ((api_key, self.api), (floor_key, self.floor)):
                        who = "API" if connection_ is self.api else "floor"
                        name = f"HTTP {encoding}: {who} {label}, {username}"
                        url = setup.http_urls[key]
                        variant = Variant(
                            name,
                            lambda c=connection_, u=url, n=username, e=encoding: len(
                                self.get(c, u, n, e)[1]
                            ),
                            [],
                        )
                        variant.size = variant.run()
                        self.variants[username, f"http_{encoding}_{key}"] = variant

    def get(self, connection_, url: str, username: str, encoding: str) -> tuple[dict, bytes]:
        headers = {"Host": "localhost", "Accept-Encoding": encoding}
        if connection_ is self.api:
            headers["Authorization"] = self.auth[username]
        connection_.request("GET", url, headers=headers)
        response = connection_.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {url}: {response.status} {body[:300]!r}")
        return dict(response.getheaders()), body

    def check(self) -> str | None:
        """Over HTTP too, the API and the floor answer the same JSON, both gzipped
        when asked."""
        import gzip

        import orjson

        for username, setup in self.setups.items():
            for api_key, floor_key, label in HTTP_ROWS:
                for encoding in ENCODINGS:
                    pages = []
                    for key, connection_ in ((api_key, self.api), (floor_key, self.floor)):
                        headers, body = self.get(
                            connection_, setup.http_urls[key], username, encoding
                        )
                        zipped = headers.get("Content-Encoding") == "gzip"
                        if zipped != (encoding == "gzip"):
                            return f"{username} {label} {key}: Content-Encoding {headers}"
                        pages.append(orjson.loads(gzip.decompress(body) if zipped else body))
                    api, floor = pages
                    if "results" in api:
                        problem = _same_page(api["results"], floor["results"])
                    else:
                        problem = _same_page(
                            [c["data"] for c in api["changes"]],
                            [c["data"] for c in floor["changes"]],
                        )
                    if problem:
                        return f"{username} {label} ({encoding}): {problem}"
        return None


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_report(*, info, total, setups, variants, counts, elapsed, rounds, window) -> None:
    def median(username, key):
        return statistics.median(variants[username, key].samples)

    print()
    print(f"## Mobile feed: assignment list and sync, {total:,} assignments (PostgreSQL)")
    print()
    for key, value in info.items():
        print(f"- {key}: {value}")
    for username, setup in setups.items():
        print(
            f"- {username}: sees {setup.rows:,} assignments; deep page = page {setup.depth:,} "
            f"(cursor position {setup.position}); {setup.window:,} of the caller's changes "
            "in the delta window"
        )
    print(f"- the delta window ends at {window}")
    sparse = {len(v.samples) for v in variants.values() if v.every > 1}
    print(
        f"- {rounds} timed rounds after {WARMUP_ROUNDS} warm-up rounds, all "
        f"{len(variants)} variants interleaved ({elapsed:.0f} s); page_size={PAGE_SIZE}; "
        f"the naive deep page in every {SPARSE_EVERY}th round only "
        f"({'/'.join(map(str, sorted(sparse)))} samples)"
    )
    print()
    names = list(setups)
    header = " | ".join(f"{n} median ms | p90 | queries | × floor" for n in names)
    print(f"| variant | {header} |")
    print("|---|" + "---:|" * (4 * len(names)))
    for key, label, floor_key in ROWS:
        cells = []
        for username in names:
            v = variants[username, key]
            m, floor = median(username, key), median(username, floor_key)
            cells.append(f"{m:.1f} | {p90(v.samples):.1f} | {v.queries} | {m / floor:.1f}")
        print(f"| {label} | {' | '.join(cells)} |")
    http = (names[0], f"http_identity_{HTTP_ROWS[0][0]}") in variants
    if http:
        print()
        print("Through gunicorn over loopback (one worker, one thread, a kept-alive connection):")
        print()
        header = " | ".join(f"{n} API ms | floor ms | × floor" for n in names)
        print(f"| request | {header} |")
        print("|---|" + "---:|" * (3 * len(names)))
        for api_key, floor_key, label in HTTP_ROWS:
            for encoding in ENCODINGS:
                cells = []
                for username in names:
                    m = median(username, f"http_{encoding}_{api_key}")
                    floor = median(username, f"http_{encoding}_{floor_key}")
                    cells.append(f"{m:.1f} | {floor:.1f} | {m / floor:.2f}")
                print(f"| {label}, {encoding} | {' | '.join(cells)} |")
    print()
    print("Queries per request at page_size " + "/".join(map(str, PAGE_SIZES)) + ":")
    print()
    print("| request | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for key, label in (
        ("list_first", "API list, page 1"),
        ("list_deep", "API list, deep page"),
        ("sync_delta", "API sync, delta page"),
        ("sync_full", "API sync, full-sync page"),
    ):
        cells = ["/".join(map(str, counts[u, key])) for u in names]
        print(f"| {label} | {' | '.join(cells)} |")
    print()
    print("Goals:")
    print()
    print("| goal | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    verdicts = []

    def goal(label, ratio_of, ok_if):
        cells = []
        for username in names:
            ratio = ratio_of(username)
            ok = ok_if(ratio)
            verdicts.append(ok)
            cells.append(f"{ratio:.2f}× {_verdict(ok)}")
        print(f"| {label} | {' | '.join(cells)} |")

    for key, floor_key, label in (
        ("list_first", "floor_first", "API list page 1 ÷ floor ≤ 2"),
        ("list_deep", "floor_deep", "API list deep page ÷ floor ≤ 2"),
        ("sync_delta", "floor_delta", "API sync delta page ÷ floor ≤ 2"),
        ("sync_full", "floor_full", "API sync full-sync page ÷ floor ≤ 2"),
    ):
        goal(
            label,
            lambda u, k=key, f=floor_key: median(u, k) / median(u, f),
            lambda r: r <= GOAL_FLOOR,
        )
    if http:
        for api_key, floor_key, label in HTTP_ROWS:
            for encoding in ENCODINGS:
                goal(
                    f"HTTP {encoding}: API {label} ÷ floor ≤ 2",
                    lambda u, k=api_key, f=floor_key, e=encoding: (
                        median(u, f"http_{e}_{k}") / median(u, f"http_{e}_{f}")
                    ),
                    lambda r: r <= GOAL_FLOOR,
                )
    for key, naive_key, label in (
        ("list_first", "naive_first", "naive DRF page 1 ÷ API list page 1 ≥ 2.5"),
        ("list_deep", "naive_deep", "naive DRF deep page ÷ API list deep page ≥ 2.5"),
    ):
        goal(
            label,
            lambda u, k=key, n=naive_key: median(u, n) / median(u, k),
            lambda r: r >= GOAL_NAIVE,
        )
    goal(
        "API list deep page ÷ page 1 ≤ 1.2",
        lambda u: median(u, "list_deep") / median(u, "list_first"),
        lambda r: r <= GOAL_DEPTH,
    )
    cells = []
    for username in names:
        flat = [n for key in ("list_first", "list_deep") for n in counts[username, key]]
        sync = [n for key in ("sync_delta", "sync_full") for n in counts[username, key]]
        ok = len(set(flat)) == 1 and all(
            len(set(counts[username, k])) == 1 for k in ("sync_delta", "sync_full")
        )
        verdicts.append(ok)
        cells.append(f"list {sorted(set(flat))}, sync {sorted(set(sync))} {_verdict(ok)}")
    print(f"| queries constant in page size and depth | {' | '.join(cells)} |")
    print()
    print(f"{sum(verdicts)} of {len(verdicts)} checks pass")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rebuild", action="store_true", help="drop the database and build it")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"timed rounds ({ROUNDS})")
    parser.add_argument(
        "--no-http", action="store_true", help="in-process only: no gunicorn over loopback"
    )
    args = parser.parse_args(argv)

    # The measurement outlives the default 15-minute access token on a slow build.
    os.environ.setdefault("JWT_ACCESS_MINUTES", "240")
    error = common.configure_environment(
        default_url=DEFAULT_DATABASE_URL, bench="bench/mobile_feed.py"
    )
    if not error and args.rebuild:
        error = common.drop_database()
    error = error or common.ensure_database()
    if error:
        print(error, file=sys.stderr)
        return 2

    import django

    django.setup()

    from directives.models import Assignment
    from thads.clock import local_today

    info = common.machine()  # the load average before the build, not after it
    meta, error = prepare_data(today=local_today())
    if error:
        print(error, file=sys.stderr)
        return 1
    watermark, window_note = window_end(meta["window_txid"])

    install_urls()
    client = FeedClient(list(USERS))
    setups = {username: Setup(username, meta=meta, watermark=watermark) for username in USERS}
    for setup in setups.values():
        if setup.window < PAGE_SIZE + 1:
            print(f"{setup.username}: only {setup.window} changes in the window", file=sys.stderr)
            return 1
        error = setup.check(client)
        if error:
            print(f"the variants do not return the same page: {error}", file=sys.stderr)
            return 1

    variants: dict[tuple[str, str], Variant] = {}
    for username, setup in setups.items():
        for key, label, _ in ROWS:
            name = f"{label}, {username}"
            if key in setup.floors:
                run = setup.floors[key]
                variant = Variant(name, lambda run=run: len(run()), [])
                variant.queries, variant.size = 1, variant.run()  # one query by construction
            else:
                variant = client.variant(name, setup.url(key), username)
                variant.queries, variant.size = count_queries(variant.run)
            variant.every = SPARSE_EVERY if key == "naive_deep" else 1
            variants[username, key] = variant
    counts = query_counts(client, setups)

    servers = []
    try:
        if not args.no_http:
            servers = start_servers(setups)
            http = HttpVariants(servers, setups, client)
            error = http.check()
            if error:
                print(f"over HTTP, the variants differ: {error}", file=sys.stderr)
                return 1
            variants.update(http.variants)
        started = time.monotonic()
        measure(list(variants.values()), rounds=args.rounds, warmup=WARMUP_ROUNDS)
        elapsed = time.monotonic() - started
    finally:
        for server in servers:
            server.stop()

    print_report(
        info=info,
        total=Assignment.objects.count(),
        setups=setups,
        variants=variants,
        counts=counts,
        elapsed=elapsed,
        rounds=args.rounds,
        window=window_note,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
