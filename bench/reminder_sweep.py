"""The reminder sweep at 1,000,000 assignments against 100,000, on PostgreSQL.

    make bench BENCH_ARGS=reminder_sweep                  # through bench/run.py
    .venv/bin/python bench/reminder_sweep.py              # this one
    .venv/bin/python bench/reminder_sweep.py --rebuild    # drop and rebuild the data first
    BENCH_SWEEP_DATABASE_URL=postgres://user@host:5432/db .venv/bin/python bench/reminder_sweep.py

The figure asked for: with 1,000,000 assignments, most of them finished history,
of which 50,000 have a due reminder point, the first sweep (records 50,000
ledger rows) and the steady-state sweep right after it (records nothing), wall
time and query count; then the same 50,000 due points among 100,000
assignments. Goals: both ratios 1M / 100k ≤ 1.3, and the first sweep at 1M at
least 25,000 points/s, with the ledger holding its history (1.15M rows at 1M:
at least 600,000). The sweep reads the index of the narrow table
`directives_nextreminder`, whose row the services delete when work ends, so
history should not cost anything.

What it does:

1. Uses two dedicated PostgreSQL databases, `thads_bench_sweep` (1M) and
   `thads_bench_sweep_100k` (100k) by default (the name of the first comes from
   BENCH_SWEEP_DATABASE_URL; the second adds `_100k`). Creates and migrates them
   when missing. SQLite is refused. DATABASE_URL is not read: it may name
   another benchmark's database, and this one drops and rebuilds its own.
2. Builds each once, in one transaction, with `INSERT ... SELECT` (about
   two minutes for 1M) and reuses it on later runs; `--rebuild` (or BENCH_REBUILD=1)
   drops and rebuilds both. 100 units, each with one active officer whose
   notification preference is the inbox only; 100 directives per document;
   every directive assigned to all 100 units (unique directive + unit, the first
   unit leads). The last 500 directives (the newest: open work is recent) are
   open, 50,000 assignments in assigned / acknowledged / in_progress, all due on
   NOW's date, with their next reminder at their first reminder point (7 working
   days before) as the services left it when they were assigned. The rest are
   `done` history spread over four years, with no next reminder. The two
   databases are built by the same code and differ only in the number of
   history directives (9,500 or 500), so neither carries the dead rows or index
   bloat of a mass DELETE. The ledger holds the history a real one would:
   each finished assignment's "due" reminder, sent to its unit's officer, and
   "overdue_1" for the 3 in 14 finished late (1,153,568 rows at 1M, 60,713 at
   100k), under the keys the sweep writes.
3. Measures at a fixed NOW (Tuesday 24/11/2026 10:00 local) with
   REMINDER_WINDOW=always: for each of the 50,000 the sweep walks the points
   before_7 … due, and sends only the latest of that series, "due", to the
   unit's one member: 50,000 ledger rows (checked).
   - first sweep: records the 50,000. Before each, the state is reset: the
     rows recorded at NOW deleted (the history stays), the 50,000
     next reminders restored with one UPDATE, then VACUUM ANALYZE. Three
     repetitions per variant (BENCH_ROUNDS), the variants alternating, the
     order rotated each time. No separate warm-up: warming up is over after a
     first sweep's first batch. Wall time, and this process's CPU time (Python's share,
     which the load of a shared machine disturbs less).
   - steady sweep, right after the first: records nothing (every
     next reminder has moved to tomorrow's point) and hands out nothing
     (the first sweep handed out all 50,000 and their leases still run). It
     takes under a second, so it is sampled nine times per variant,
     alternating sweep by sweep; after each sample any row it leased is put
     back to pending at NOW, so every sample starts from the state right
     after the first sweep.
   - idle sweep, after marking every ledger row sent (what the workers would
     have done): nothing due, nothing pending, the sweep's fixed cost; nine
     samples per variant, alternating.
   The delivery tasks' `delay` is replaced by a stand-in that keeps the ids
   and sends nothing: the figure is the sweep (reading,
   recording, leasing), not the broker; delivery is measured by
   bench/delivery_throughput.py. No Redis is touched. Query counts come from
   `CaptureQueriesContext` around each sweep. The sweep's first batch query is
   also run under EXPLAIN ANALYZE (rolled back).
4. Holds a PostgreSQL advisory lock for the whole run, so that two runs (two
   people running `make bench`) do not reset each other's state mid-sweep.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is on the path, the project is not
    sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/thads_bench_sweep"
SMALL_SUFFIX = "_100k"

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=LOCAL_TZ)  # a Tuesday, no holiday near it
DUE = NOW.date()
HISTORY_FIRST_DUE = date(2022, 6, 1)

UNITS = 100
DIRECTIVES_PER_DOCUMENT = 100
OPEN_DIRECTIVES = 500  # × 100 units = 50,000 due assignments
OPEN = OPEN_DIRECTIVES * UNITS
# Finished work is completed on due − 10 + (n + k) % 14: late when that remainder is 11–13.
LATE_FROM = 11
HISTORY_GOAL = 600_000  # historic ledger rows at 1M, at least
RATE_GOAL = 25_000  # points/s of the first sweep at 1M, at least
REMINDED = ("assigned", "acknowledged", "in_progress")
UNIT_PREFIX = "BSW-"
DOCUMENT_PREFIX = "BENCH-SWEEP/"

REPEATS = int(os.environ.get("BENCH_ROUNDS", "3"))
SHORT_SAMPLES = 9  # steady and idle sweeps: under a second each
LOCK_KEY = 0x74686164735F7377  # "thads_sw": one run at a time on the bench databases
LOCK_WAIT_SECONDS = 1800
GOAL = 1.3


@dataclass(frozen=True)
class Variant:
    label: str
    database: str
    directives: int  # × UNITS assignments

    @property
    def assignments(self) -> int:
        return self.directives * UNITS


@dataclass
class Sample:
    seconds: float  # wall time
    cpu: float  # this process's CPU time: Python's share, steadier than the wall on a busy machine
    queries: int
    recorded: int
    enqueued: int
    # CPU time of the PostgreSQL backend that served the sweep (read from /proc when
    # the server runs on this machine, else None): the database's share of the work.
    db_cpu: float | None = None


@dataclass
class Figures:
    first: list[Sample] = field(default_factory=list)
    steady: list[Sample] = field(default_factory=list)
    idle: list[Sample] = field(default_factory=list)


# --- environment and databases ------------------------------------------------------


def configure_environment() -> tuple[str, str | None]:
    """Set the environment before Django reads it: (database URL, error or None)."""
    import environ

    url = os.environ.get("BENCH_SWEEP_DATABASE_URL", DEFAULT_DATABASE_URL)
    engine = environ.Env.db_url_config(url).get("ENGINE", "")
    if "postgresql" not in engine and "postgis" not in engine:
        return url, (
            f"bench/reminder_sweep.py measures PostgreSQL; BENCH_SWEEP_DATABASE_URL={url} "
            f"is {engine}."
        )
    os.environ["DATABASE_URL"] = url
    os.environ["REMINDER_WINDOW"] = "always"  # the figure is the sweep, not the clock
    os.environ["REDIS_URL"] = ""  # nothing here talks to a broker or a shared Redis
    # Bench-only values: this process never serves anyone.
    os.environ["DJANGO_SETTINGS_MODULE"] = "thads.settings"
    os.environ["DJANGO_SECRET_KEY"] = "bench-only-dummy-key-never-used-to-serve-anyone-0123456789"
    os.environ["DJANGO_DEBUG"] = "false"  # DEBUG would record every query and skew the timings
    os.environ["LOG_LEVEL"] = "WARNING"
    return url, None


def server_params(url: str) -> dict:
    import environ

    config = environ.Env.db_url_config(url)
    return {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }


def prepare_database(url: str, name: str, *, drop: bool) -> str | None:
    """Create `name` when missing (after dropping it when asked); an error, or None."""
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(dbname="postgres", autocommit=True, **server_params(url)) as conn:
            if drop:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"created database {name}")
    except psycopg.Error as exc:
        return f"cannot reach PostgreSQL to prepare database {name!r}: {exc}".strip()
    return None


def hold_lock(url: str):
    """A session holding the benchmark's advisory lock (waits for another run); or None."""
    import psycopg

    conn = psycopg.connect(dbname="postgres", autocommit=True, **server_params(url))
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    waiting = False
    while not conn.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY]).fetchone()[0]:
        if not waiting:
            print(
                "another run of bench/reminder_sweep.py is using its databases: waiting", flush=True
            )
            waiting = True
        if time.monotonic() > deadline:
            conn.close()
            return None
        time.sleep(2)
    return conn


def use_database(name: str) -> None:
    """Point Django's default connection at another database of the same server."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


# --- data -----------------------------------------------------------------------------


def first_point() -> datetime:
    """Where the services put the next reminder of work due on DUE: its first point."""
    from directives.models import ReminderPolicy
    from directives.reminder_points import PolicyRules, configured_window, reminder_points
    from units.calendar import load_calendar

    rules = PolicyRules.of(ReminderPolicy.objects.get(is_default=True))
    calendar = load_calendar(DUE - timedelta(days=60), DUE + timedelta(days=60))
    points = reminder_points(
        deadline=DUE, rules=rules, calendar=calendar, window=configured_window()
    )
    return next(points).at


def check_due_points(since: datetime) -> str:
    """Exactly one point ("due") is sent for each open assignment at NOW."""
    from directives.models import ReminderPolicy
    from directives.reminder_points import PolicyRules, configured_window, due_points
    from units.calendar import load_calendar

    rules = PolicyRules.of(ReminderPolicy.objects.get(is_default=True))
    calendar = load_calendar(DUE - timedelta(days=60), DUE + timedelta(days=60))
    send, next_at = due_points(
        deadline=DUE,
        rules=rules,
        calendar=calendar,
        window=configured_window(),
        since=since,
        now=NOW,
    )
    kinds = [(p.kind, p.audience) for p in send]
    if kinds != [("due", "unit")] or next_at is None or next_at <= NOW:
        raise RuntimeError(f"expected one 'due' point for the unit at NOW, got {kinds}, {next_at}")
    return (
        f"from the first point ({since:%d/%m %H:%M}) the sweep sends 'due' to the unit; "
        f"next point {next_at:%d/%m %H:%M}"
    )


def data_state() -> tuple[int, int, int, int]:
    """(assignments, open ones, bench documents, historic ledger rows) in the current database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = ANY(%s)) FROM directives_assignment",
            [list(REMINDED)],
        )
        total, open_ = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM directives_sourcedocument WHERE number LIKE %s",
            [DOCUMENT_PREFIX + "%"],
        )
        (documents,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM reminders_reminderledger WHERE created_at < %s", [NOW])
        (history,) = cursor.fetchone()
    return total, open_, documents, history


def expected_history(variant: Variant) -> int:
    """Historic ledger rows `build_history` writes: every finished assignment's "due"
    reminder, and "overdue_1" for those finished late."""
    history = variant.directives - OPEN_DIRECTIVES
    late = sum(
        1 for n in range(1, history + 1) for k in range(1, UNITS + 1) if (n + k) % 14 >= LATE_FROM
    )
    return history * UNITS + late


def build_data(variant: Variant, *, since: datetime) -> None:
    """Units, officers, documents, directives and assignments, in one transaction."""
    from django.db import connection, transaction

    from directives.models import Category, SourceDocument
    from notifications.models import NotificationPreference
    from units.models import Membership, OrgUnit, Role, UnitKind, User

    history = variant.directives - OPEN_DIRECTIVES
    timings = {}
    started = time.monotonic()
    with transaction.atomic():
        units = []
        for i in range(1, UNITS + 1):
            unit = OrgUnit(
                code=f"{UNIT_PREFIX}{i:03d}",
                name=f"Chi cục Thi hành án dân sự thử nghiệm số {i}",
                short_name=f"CC thử {i}",
                kind=UnitKind.SUB_DEPARTMENT,
            )
            unit.normalize_text()
            units.append(unit)
        OrgUnit.objects.bulk_create(units)
        users = User.objects.bulk_create(
            User(
                username=f"bsw.officer{i:03d}",
                password="!",  # unusable: nobody signs in as them
                full_name=f"Chấp hành viên {i}",
            )
            for i in range(1, UNITS + 1)
        )
        Membership.objects.bulk_create(
            Membership(user=user, unit=unit, role=Role.OFFICER)
            for user, unit in zip(users, units, strict=True)
        )
        NotificationPreference.objects.bulk_create(
            NotificationPreference(user=user, channels=["inbox"]) for user in users
        )
        documents = []
        for i in range(variant.directives // DIRECTIVES_PER_DOCUMENT):
            document = SourceDocument(
                kind="conclusion",
                number=f"{DOCUMENT_PREFIX}{i + 1:04d}",
                title=f"Kết luận giao ban số {i + 1}",
                issued_on=HISTORY_FIRST_DUE + timedelta(days=i),
                body="",
            )
            document.normalize_text()
            documents.append(document)
        SourceDocument.objects.bulk_create(documents)
        category = Category.objects.order_by("position", "code").first()
        timings["small tables"] = time.monotonic() - started

        with connection.cursor() as cursor:
            step = time.monotonic()
            cursor.execute(
                """
                INSERT INTO directives_directive
                    (search_key, document_id, label, position, title, body, category_id,
                     is_active, created_at, updated_at)
                SELECT ' nhiem vu ' || g.p || ' van ban '
                           || regexp_replace(lower(doc.number), '[^a-z0-9]+', ' ', 'g'),
                       doc.id, g.p::text, g.p,
                       'Nhiệm vụ ' || g.p || ' của văn bản ' || doc.number,
                       'Tổ chức thực hiện nhiệm vụ được giao, báo cáo kết quả đúng hạn.',
                       %(category)s, true, now(), now()
                FROM directives_sourcedocument doc CROSS JOIN generate_series(1, %(per)s) AS g(p)
                WHERE doc.number LIKE %(prefix)s
                ORDER BY doc.id, g.p
                """,
                {
                    "category": category.pk,
                    "per": DIRECTIVES_PER_DOCUMENT,
                    "prefix": DOCUMENT_PREFIX + "%",
                },
            )
            timings["directives"] = time.monotonic() - step
            step = time.monotonic()
            # Directive n (1-based, in id order) × unit k. History: due dates spread
            # evenly from HISTORY_FIRST_DUE to 60 days before DUE, finished on time or
            # a little late. Open: the last OPEN_DIRECTIVES directives, due on DUE.
            cursor.execute(
                """
                WITH d AS (
                    SELECT d.id, (row_number() OVER (ORDER BY d.id))::int AS n
                    FROM directives_directive d
                    JOIN directives_sourcedocument doc ON doc.id = d.document_id
                    WHERE doc.number LIKE %(prefix)s
                ), u AS (
                    SELECT id, (row_number() OVER (ORDER BY id))::int AS k
                    FROM units_orgunit WHERE code LIKE %(unit_prefix)s
                ), rows AS (
                    SELECT d.id AS directive_id, u.id AS unit_id, d.n, u.k,
                           d.n > %(history)s AS open,
                           CASE WHEN d.n > %(history)s THEN %(due)s::date
                                ELSE %(first_due)s::date
                                     + ((d.n - 1) * %(span)s / greatest(%(history)s, 1))::int
                           END AS due
                    FROM d CROSS JOIN u
                )
                INSERT INTO directives_assignment
                    (directive_id, unit_id, role, status, progress, original_due_date, due_date,
                     extension_count, return_count, version, assigned_at, acknowledged_at,
                     reported_at, completed_at, completed_on, updated_at)
                SELECT directive_id, unit_id,
                       CASE WHEN k = 1 THEN 'lead' ELSE 'coordinating' END,
                       CASE WHEN NOT open THEN 'done'
                            ELSE (ARRAY['assigned', 'acknowledged', 'in_progress'])[1 + k %% 3]
                       END,
                       CASE WHEN NOT open THEN 100
                            WHEN k %% 3 = 2 THEN 10 * (1 + n %% 9) ELSE 0 END,
                       due, due, 0, 0,
                       CASE WHEN open THEN 1 + k %% 3 ELSE 5 END,
                       (due - 60 + time '08:00') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                       CASE WHEN NOT open OR k %% 3 > 0
                            THEN (due - 59 + time '09:00') AT TIME ZONE 'Asia/Ho_Chi_Minh'
                       END,
                       CASE WHEN NOT open
                            THEN (due - 10 + (n + k) %% 14 + time '16:00')
                                 AT TIME ZONE 'Asia/Ho_Chi_Minh'
                       END,
                       CASE WHEN NOT open
                            THEN (due - 10 + (n + k) %% 14 + time '16:00')
                                 AT TIME ZONE 'Asia/Ho_Chi_Minh'
                       END,
                       CASE WHEN NOT open THEN due - 10 + (n + k) %% 14 END,
                       now()
                FROM rows
                ORDER BY n, k
                """,
                {
                    "prefix": DOCUMENT_PREFIX + "%",
                    "unit_prefix": UNIT_PREFIX + "%",
                    "history": history,
                    "due": DUE,
                    "first_due": HISTORY_FIRST_DUE,
                    "span": (DUE - timedelta(days=60) - HISTORY_FIRST_DUE).days,
                },
            )
            # Where the services leave the open work's next reminder: its first point.
            cursor.execute(
                "INSERT INTO directives_nextreminder (assignment_id, at) "
                "SELECT id, %s FROM directives_assignment WHERE status = ANY(%s)",
                [since, list(REMINDED)],
            )
            timings["assignments"] = time.monotonic() - step
            step = time.monotonic()
            build_history(cursor)
            timings["ledger history"] = time.monotonic() - step
    step = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    timings["vacuum analyze"] = time.monotonic() - step
    timings["total"] = time.monotonic() - started
    print("  " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items()))


def build_history(cursor) -> None:
    """The ledger as years of sweeps left it: for each finished assignment, the "due"
    reminder sent to its unit's officer, and "overdue_1" when it was finished late
    (completed after its due date, as `build_data` makes 3 in 14 of them). The keys
    are those `reminders.services.ledger.ledger_key` writes, so the sweep's inserts meet a
    unique index as large as a real one."""
    cursor.execute(
        """
        INSERT INTO reminders_reminderledger
            (key, assignment_id, kind, deadline, recipient_id, channel, state, reason,
             attempts, last_error, due_at, next_attempt_at, created_at, sent_at)
        SELECT 'a' || a.id || ':' || p.kind || ':' || to_char(a.due_date, 'YYYY-MM-DD')
                   || ':' || m.user_id || ':inbox',
               a.id, p.kind, a.due_date, m.user_id, 'inbox', 'sent', '', 1, '',
               p.at, NULL, p.at, p.at
        FROM directives_assignment a
        JOIN units_orgunit u ON u.id = a.unit_id AND u.code LIKE %(unit_prefix)s
        JOIN units_membership m ON m.unit_id = a.unit_id
        CROSS JOIN LATERAL (
            VALUES ('due', (a.due_date + time '07:30') AT TIME ZONE 'Asia/Ho_Chi_Minh', true),
                   ('overdue_1', (a.due_date + 1 + time '07:30') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                    a.completed_on > a.due_date)
        ) AS p(kind, at, wanted)
        WHERE a.status = 'done' AND p.wanted
        ORDER BY p.at, a.id
        """,
        {"unit_prefix": UNIT_PREFIX + "%"},
    )


def ensure_data(url: str, variant: Variant, *, rebuild: bool) -> str | None:
    """Create, migrate and fill the variant's database unless it already holds the data."""
    import io

    from django.core.management import call_command

    use_database(variant.database)  # closes the current connection before any DROP
    error = prepare_database(url, variant.database, drop=rebuild)
    if error:
        return error
    call_command("migrate", verbosity=0, interactive=False, stdout=io.StringIO())
    total, open_, documents, history = data_state()
    expected_documents = variant.directives // DIRECTIVES_PER_DOCUMENT
    wanted = (variant.assignments, OPEN, expected_documents, expected_history(variant))
    if (total, open_, documents, history) == wanted:
        print(
            f"{variant.database}: {total:,} assignments, {open_:,} open, "
            f"{history:,} historic ledger rows (reused)"
        )
        return None
    if total or documents or history:
        # A database of this benchmark's own, holding something else: start again.
        print(
            f"{variant.database}: holds {total:,} assignments ({open_:,} open), expected "
            f"{variant.assignments:,} ({OPEN:,} open): rebuilding"
        )
        use_database(variant.database)
        error = prepare_database(url, variant.database, drop=True)
        if error:
            return error
        call_command("migrate", verbosity=0, interactive=False, stdout=io.StringIO())
    print(f"{variant.database}: building {variant.assignments:,} assignments ...", flush=True)
    build_data(variant, since=first_point())
    total, open_, documents, history = data_state()
    if (total, open_, history) != (variant.assignments, OPEN, expected_history(variant)):
        return (
            f"{variant.database}: built {total:,} assignments ({open_:,} open) and {history:,} "
            f"historic ledger rows, expected {variant.assignments:,} ({OPEN:,} open) and "
            f"{expected_history(variant):,}"
        )
    return None


# --- measuring ----------------------------------------------------------------------


class DeliveryCounter:
    """Stands in for the delivery tasks' `delay` while measuring: keeps the ids (one, or
    a batch of inbox rows), sends nothing."""

    def __init__(self) -> None:
        self.ids: list[int] = []

    def __call__(self, ledger_ids: int | list[int]) -> None:
        if isinstance(ledger_ids, list):
            self.ids.extend(ledger_ids)
        else:
            self.ids.append(ledger_ids)


def reset_state(since: datetime) -> None:
    """Back to "nothing recorded yet": the ledger holds its history only (the rows a
    sweep recorded at NOW deleted), the 50,000 due again, fresh statistics."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reminders_reminderledger WHERE created_at >= %s", [NOW])
        cursor.execute(
            "UPDATE directives_nextreminder SET at = %s FROM directives_assignment a "
            "WHERE a.id = assignment_id AND a.status = ANY(%s)",
            [since, list(REMINDED)],
        )
        if cursor.rowcount != OPEN:
            raise RuntimeError(f"reset {cursor.rowcount} assignments, expected {OPEN}")
        cursor.execute("VACUUM ANALYZE directives_assignment")
        cursor.execute("VACUUM ANALYZE directives_nextreminder")
        cursor.execute("VACUUM ANALYZE reminders_reminderledger")


def mark_delivered() -> None:
    """What the workers would have done with every handed-out and pending row."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reminders_reminderledger SET state = 'sent', sent_at = %s, "
            "next_attempt_at = NULL, attempts = 1 WHERE state = 'pending'",
            [NOW],
        )


def sweep(counter: DeliveryCounter) -> Sample:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reminders.services import reminder_sweep

    counter.ids = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    db_cpu = backend_cpu(backend)
    with CaptureQueriesContext(connection) as captured:
        started, cpu = time.perf_counter(), time.process_time()
        result = reminder_sweep(now=NOW)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = backend_cpu(backend)
    db_cpu = after - db_cpu if after is not None and db_cpu is not None else None
    if result.window_closed:
        raise RuntimeError("the sending window is closed: REMINDER_WINDOW should be 'always'")
    if result.enqueued != len(counter.ids):
        raise RuntimeError(f"enqueued {result.enqueued} but {len(counter.ids)} deliveries queued")
    return Sample(
        seconds, cpu, len(captured.captured_queries), result.recorded, result.enqueued, db_cpu
    )


def backend_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a local PostgreSQL backend, or None (a remote server)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ledger_count() -> int:
    """Ledger rows recorded by the sweeps of this run (the history excluded)."""
    from reminders.models import ReminderLedger

    return ReminderLedger.objects.filter(created_at__gte=NOW).count()


def first_sweep(variant: Variant, since: datetime, counter: DeliveryCounter) -> Sample:
    """Reset, then the sweep that records the 50,000."""
    use_database(variant.database)
    reset_state(since)
    # A first query on the new connection, so that connecting is not timed.
    if ledger_count() != 0:
        raise RuntimeError("the ledger holds more than its history after the reset")
    first = sweep(counter)
    rows = ledger_count()
    if first.recorded != OPEN or rows != OPEN:
        raise RuntimeError(
            f"{variant.label}: first sweep recorded {first.recorded:,}, ledger holds {rows:,}, "
            f"expected {OPEN:,}"
        )
    return first


def steady_sweep(variant: Variant, counter: DeliveryCounter) -> Sample:
    """The sweep right after the first one; then its hand-out undone, so that the next
    sample starts from the same state (every row it leased back to pending at NOW)."""
    from django.db import connection

    use_database(variant.database)
    ledger_count()  # connected before the clock starts
    steady = sweep(counter)
    if steady.recorded != 0:
        raise RuntimeError(f"{variant.label}: steady sweep recorded {steady.recorded:,}")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reminders_reminderledger SET next_attempt_at = %s WHERE id = ANY(%s)",
            [NOW, counter.ids],
        )
        cursor.execute("VACUUM ANALYZE reminders_reminderledger")
    return steady


def idle_sweep(variant: Variant, counter: DeliveryCounter) -> Sample:
    """Nothing due, nothing pending: changes nothing, so it repeats as it is."""
    use_database(variant.database)
    ledger_count()
    idle = sweep(counter)
    if idle.recorded or idle.enqueued:
        raise RuntimeError(f"{variant.label}: idle sweep recorded or enqueued something")
    return idle


def sweep_plan(variant: Variant) -> str:
    """The sweep's first batch query, run under EXPLAIN ANALYZE after a reset (rolled back)."""
    import json

    from django.conf import settings
    from django.db import transaction

    from reminders.services.sweep import due_query

    use_database(variant.database)
    with transaction.atomic():  # the sweep's own first batch query
        query = due_query(NOW)[: settings.REMINDER_SWEEP_BATCH]
        raw = query.explain(analyze=True, buffers=True, format="json")
        transaction.set_rollback(True)
    (top,) = json.loads(raw) if isinstance(raw, str) else raw
    nodes = []

    def walk(node: dict) -> None:
        text = node["Node Type"]
        target = node.get("Index Name") or node.get("Relation Name")
        if target:
            text += f" {target}"
        if node["Node Type"] == "Sort":
            text += f" ({node.get('Sort Method')}, {node.get('Sort Space Used', 0):,} kB)"
        elif node["Node Type"] in {"Index Scan", "Seq Scan", "Hash Join", "Nested Loop"}:
            text += f" ({node['Actual Rows'] * node.get('Actual Loops', 1):,} rows)"
        nodes.append(text)
        for child in node.get("Plans", []):
            walk(child)

    walk(top["Plan"])
    plan = top["Plan"]
    buffers = plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0)
    return (
        f"{' → '.join(nodes)}; {top['Execution Time']:.0f} ms, {buffers:,} buffers "
        f"(8 kB pages) touched"
    )


def median(samples: list[Sample], attribute: str) -> float:
    return statistics.median(getattr(sample, attribute) for sample in samples)


def db_cpu(samples: list[Sample]) -> str:
    values = [sample.db_cpu for sample in samples]
    return "n/a" if None in values else f"{statistics.median(values):.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild both databases")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    rebuild = args.rebuild or os.environ.get("BENCH_REBUILD") == "1"

    url, error = configure_environment()
    if error:
        print(error, file=sys.stderr)
        return 2
    import environ

    large_name = environ.Env.db_url_config(url)["NAME"]
    variants = [
        Variant("1M", large_name, directives=10_000),
        Variant("100k", large_name + SMALL_SUFFIX, directives=1_000),
    ]
    try:
        lock = hold_lock(url)
    except Exception as exc:
        print(f"cannot reach PostgreSQL at {url}: {exc}", file=sys.stderr)
        return 2
    if lock is None:
        print("gave up waiting for the other run", file=sys.stderr)
        return 1
    try:
        return measure(url, variants, rebuild=rebuild)
    finally:
        lock.close()


def measure(url: str, variants: list[Variant], *, rebuild: bool) -> int:
    error = prepare_database(url, variants[0].database, drop=False)
    if error:
        print(error, file=sys.stderr)
        return 2

    import django

    django.setup()

    from django.conf import settings

    import reminders.tasks
    from bench.common import machine

    info = machine()
    build_started = time.monotonic()
    for variant in variants:
        error = ensure_data(url, variant, rebuild=rebuild)
        if error:
            print(error, file=sys.stderr)
            return 1
    build_seconds = time.monotonic() - build_started

    use_database(variants[0].database)
    since = first_point()
    check = check_due_points(since)

    plans = {}
    for variant in variants:
        use_database(variant.database)
        reset_state(since)
        plans[variant.label] = sweep_plan(variant)

    # The sweep hands pending rows to workers with the delivery tasks' `delay`; a
    # counter takes its place, so the figure is the sweep and not the broker.
    counter = DeliveryCounter()
    for task in (reminders.tasks.deliver_reminder, reminders.tasks.deliver_inbox_reminders):
        task = getattr(task, "_get_current_object", lambda task=task: task)()
        task.delay = counter
    figures = {variant.label: Figures() for variant in variants}

    def alternating(rounds: int):
        for round_ in range(rounds):
            shift = round_ % len(variants)
            yield from variants[shift:] + variants[:shift]

    measure_started = time.monotonic()
    try:
        # The first sweep takes a minute or two: REPEATS each, alternating.
        for variant in alternating(REPEATS):
            first = first_sweep(variant, since, counter)
            figures[variant.label].first.append(first)
            print(
                f"  {variant.label}: first sweep {first.seconds:.1f} s (CPU {first.cpu:.1f} s)",
                flush=True,
            )
        # Both databases are now right after a first sweep. The steady and idle sweeps
        # take well under a second: many samples, alternating sweep by sweep, so that
        # the load of the shared machine falls on both variants alike.
        for variant in alternating(SHORT_SAMPLES):
            figures[variant.label].steady.append(steady_sweep(variant, counter))
        for variant in variants:
            use_database(variant.database)
            mark_delivered()
        for variant in alternating(SHORT_SAMPLES):
            figures[variant.label].idle.append(idle_sweep(variant, counter))
    finally:
        del task.delay
    measure_seconds = time.monotonic() - measure_started

    large, small = (figures[variant.label] for variant in variants)
    print()
    print("## Reminder sweep, 1,000,000 against 100,000 assignments (PostgreSQL)")
    print()
    for key, value in info.items():
        print(f"- {key}: {value}")
    print(
        f"- fixed now {NOW:%d/%m/%Y %H:%M} local, REMINDER_WINDOW={settings.REMINDER_WINDOW}, "
        f"REMINDER_SWEEP_BATCH={settings.REMINDER_SWEEP_BATCH}; {check}"
    )
    print(
        f"- data: {UNITS} units with one inbox-only officer each; {OPEN:,} open assignments due "
        f"{DUE:%d/%m/%Y}, the rest done history (no next reminder); historic ledger rows: "
        + ", ".join(f"{v.label} {expected_history(v):,}" for v in variants)
    )
    print(
        f"- medians: first sweep of {REPEATS} repetitions, steady and idle sweeps of "
        f"{SHORT_SAMPLES} samples, variants alternating; build/check {build_seconds:.0f} s, "
        f"measurement {measure_seconds:.0f} s"
    )
    for label, plan in plans.items():
        print(f"- first batch query, {label}: {plan}")
    print()
    print(
        "| variant | assignments | first sweep s | points/s | CPU s | DB CPU s | queries "
        "| rows recorded | handed out | steady sweep s | queries | handed out | idle sweep ms "
        "| queries |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for variant in variants:
        f = figures[variant.label]
        print(
            f"| {variant.label} | {variant.assignments:,} | {median(f.first, 'seconds'):.2f} | "
            f"{OPEN / median(f.first, 'seconds'):,.0f} | {median(f.first, 'cpu'):.2f} | "
            f"{db_cpu(f.first)} | "
            f"{median(f.first, 'queries'):.0f} | {median(f.first, 'recorded'):,.0f} | "
            f"{median(f.first, 'enqueued'):,.0f} | {median(f.steady, 'seconds'):.3f} | "
            f"{median(f.steady, 'queries'):.0f} | {median(f.steady, 'enqueued'):,.0f} | "
            f"{median(f.idle, 'seconds') * 1000:.1f} | {median(f.idle, 'queries'):.0f} |"
        )
    ratios = [
        ("first sweep", median(large.first, "seconds") / median(small.first, "seconds"), True),
        ("steady sweep", median(large.steady, "seconds") / median(small.steady, "seconds"), True),
        (
            "first sweep, CPU of this process",
            median(large.first, "cpu") / median(small.first, "cpu"),
            False,
        ),
        ("idle sweep", median(large.idle, "seconds") / median(small.idle, "seconds"), False),
    ]
    print()
    print(f"| ratio 1M / 100k | value | goal ≤ {GOAL} |")
    print("|---|---:|---|")
    for name, ratio, goal in ratios:
        verdict = ("met" if ratio <= GOAL else "MISSED") if goal else "(extra)"
        print(f"| {name} | {ratio:.2f} | {verdict} |")
    rate = OPEN / median(large.first, "seconds")
    history = expected_history(variants[0])
    print()
    print(
        f"- first sweep at {variants[0].label}: {rate:,.0f} points/s, goal ≥ {RATE_GOAL:,}: "
        f"{'met' if rate >= RATE_GOAL else 'MISSED'}; historic ledger rows {history:,}, "
        f"goal ≥ {HISTORY_GOAL:,}: {'met' if history >= HISTORY_GOAL else 'MISSED'}"
    )
    print(
        "- load average (1, 5, 15 min) at the end: "
        + ", ".join(f"{load:.1f}" for load in os.getloadavg())
    )
    spread = {
        variant.label: (
            min(s.seconds for s in figures[variant.label].first),
            max(s.seconds for s in figures[variant.label].first),
        )
        for variant in variants
    }
    print()
    print(
        "- first sweep spread (min–max s): "
        + ", ".join(f"{label} {low:.2f}–{high:.2f}" for label, (low, high) in spread.items())
    )
    same_queries = all(
        median(large_s, "queries") == median(small_s, "queries")
        for large_s, small_s in ((large.first, small.first), (large.steady, small.steady))
    )
    print()
    print(f"- query counts {'identical' if same_queries else 'DIFFER'} between 1M and 100k")
    return 0


if __name__ == "__main__":
    sys.exit(main())
