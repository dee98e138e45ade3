"""Delivery throughput to the inbox: two Celery worker processes over Redis, on PostgreSQL.

    make bench BENCH_ARGS=delivery_throughput              # through bench/run.py
    .venv/bin/python bench/delivery_throughput.py          # this one
    BENCH_DELIVERIES=10000 .venv/bin/python bench/delivery_throughput.py
    BENCH_DELIVERY_DATABASE_URL=postgres://u@host/db .venv/bin/python bench/delivery_throughput.py

The figure asked for: deliveries per second to the inbox with two worker
processes over Redis. Goal: ≥ 500 deliveries/s.

What it does:

1. Uses its own PostgreSQL database, `thads_bench_delivery` by default
   (BENCH_DELIVERY_DATABASE_URL; DATABASE_URL is not read), created and migrated
   when missing, filled once and reused: 50 units with one active officer each
   (notification preference: the inbox only), 100 directives, every directive
   assigned to every unit and in progress: 5,000 assignments (BENCH_DELIVERIES,
   a multiple of 50).
2. Starts its own `redis-server` on a free port (never the shared one), and two
   worker processes with the deployed command line, `celery -A thads worker
   --loglevel=INFO` but `--pool=prefork -c 1` each: two worker processes of one
   child each, as the issue asks (the Procfile runs one with --concurrency=2).
   DATABASE_URL and REDIS_URL point at the bench database and that Redis. Waits
   until both answer a ping.
3. Before each measurement: empties the ledger, the inbox and the change log and
   records one pending inbox row per assignment (what a sweep leaves behind),
   then VACUUM ANALYZE. Three rounds, alternating, medians:
   - workers: `enqueue_pending()`, the sweep's hand-out (it leases the rows and
     publishes one `reminders.deliver_inbox` task per REMINDER_INBOX_BATCH rows),
     then polls the ledger every 20 ms until no row is pending. Deliveries/s =
     rows / (last row sent - start of the hand-out), publishing included. All
     5,000 rows;
   - in-process, the app's batches: `reminder_deliver_inbox` on
     REMINDER_INBOX_BATCH rows at a time in this process, no broker: what the
     two workers would do with no overhead and one core. All 5,000 rows;
   - baseline: the same rows delivered in this process one `reminder_deliver`
     call after another (one transaction per row, the path every other channel
     takes and the inbox took before batching), no broker. Fewer rows (at
     least 500), sized by a probe so that it takes about 10 s
     (BENCH_DELIVERIES_PER_RUN fixes the count).
   Every row must end `sent` with its message in the recipient's inbox.
4. What each part of the change gives, each measured between two runs of the
   deployed workers and compared with their mean (the machine's load drifts
   within minutes): workers with REMINDER_INBOX_BATCH=1 (one task per row,
   connections kept), and workers with REMINDER_INBOX_BATCH=1 and
   CELERY_DB_REUSE_MAX=0 (one task per row and a new database connection per
   task, as Celery's Django fixup does without the setting: the deployment
   before this change). Plus the statements of one batch and of one single
   delivery (`CaptureQueriesContext`).
5. Stops the workers (each by its process group) and its Redis in `finally`.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is on the path, the project is not
    sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/thads_bench_delivery"
UNITS = 50
DELIVERIES = int(os.environ.get("BENCH_DELIVERIES", "5000"))  # rows built, the most per run
DIRECTIVES = max(1, DELIVERIES // UNITS)
# Rows per measurement: all of them when the machine delivers near the goal; fewer
# when it is slow, so that one measurement takes about TARGET_SECONDS in-process
# and the whole run stays within a few minutes (BENCH_DELIVERIES_PER_RUN fixes it).
TARGET_SECONDS = 10
MIN_PER_RUN = 500
PER_RUN = DELIVERIES
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WORKERS = 2
GOAL = 500  # deliveries per second
UNIT_PREFIX = "BDL-"
DOCUMENT_NUMBER = "BENCH-DELIVERY/0001"
POLL_SECONDS = 0.02
DRAIN_TIMEOUT_SECONDS = 600
WORKER_START_TIMEOUT_SECONDS = 90
LOCK_KEY = 0x74686164735F646C  # "thads_dl": one run at a time on the bench database


@dataclass
class Run:
    name: str
    rates: list[float] = field(default_factory=list)  # deliveries per second, one per measurement

    def rate(self) -> float:
        return statistics.median(self.rates)

    def add(self, count: int, seconds: float) -> None:
        self.rates.append(count / seconds)
        print(f"  {self.name}: {self.rates[-1]:.0f}/s", flush=True)


# --- environment and database ---------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def configure_environment(redis_url: str) -> tuple[str, str | None]:
    """Set the environment before Django reads it: (database URL, error or None)."""
    import environ

    url = os.environ.get("BENCH_DELIVERY_DATABASE_URL", DEFAULT_DATABASE_URL)
    engine = environ.Env.db_url_config(url).get("ENGINE", "")
    if "postgresql" not in engine and "postgis" not in engine:
        return url, (
            f"bench/delivery_throughput.py measures PostgreSQL; "
            f"BENCH_DELIVERY_DATABASE_URL={url} is {engine}."
        )
    if DELIVERIES % UNITS or DELIVERIES <= 0:
        return url, f"BENCH_DELIVERIES must be a positive multiple of {UNITS}"
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = redis_url  # this run's own redis-server, never the shared one
    os.environ["DJANGO_SETTINGS_MODULE"] = "thads.settings"
    os.environ["DJANGO_SECRET_KEY"] = "bench-only-dummy-key-never-used-to-serve-anyone-0123456789"
    os.environ["DJANGO_DEBUG"] = "false"  # DEBUG would record every query and skew the timings
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
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


def hold_lock(url: str):
    """A session holding the benchmark's advisory lock (waits for another run); or None."""
    import psycopg

    conn = psycopg.connect(dbname="postgres", autocommit=True, **server_params(url))
    deadline = time.monotonic() + 1800
    waiting = False
    while not conn.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY]).fetchone()[0]:
        if not waiting:
            print("another run of bench/delivery_throughput.py is running: waiting", flush=True)
            waiting = True
        if time.monotonic() > deadline:
            conn.close()
            return None
        time.sleep(2)
    return conn


def prepare_database(url: str, *, drop: bool = False) -> str | None:
    """Create the database when missing (after dropping it when asked); an error, or None."""
    import environ
    import psycopg
    from psycopg import sql

    name = environ.Env.db_url_config(url)["NAME"]
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


# --- data -----------------------------------------------------------------------------


def assignment_count() -> int:
    from directives.models import Assignment

    return Assignment.objects.filter(directive__document__number=DOCUMENT_NUMBER).count()


def build_data() -> None:
    """50 units, their officers, one document, its directives, every pair in progress."""
    from django.db import connection, transaction
    from django.utils import timezone

    from directives.models import Category, Directive, SourceDocument
    from notifications.models import NotificationPreference
    from thads.clock import local_today
    from units.models import Membership, OrgUnit, Role, UnitKind, User

    today = local_today()
    with transaction.atomic():
        units = []
        for i in range(1, UNITS + 1):
            unit = OrgUnit(
                code=f"{UNIT_PREFIX}{i:03d}",
                name=f"Chi cục Thi hành án dân sự thử nghiệm số {i}",
                kind=UnitKind.SUB_DEPARTMENT,
            )
            unit.normalize_text()
            units.append(unit)
        OrgUnit.objects.bulk_create(units)
        users = User.objects.bulk_create(
            User(username=f"bdl.officer{i:03d}", password="!", full_name=f"Chấp hành viên {i}")
            for i in range(1, UNITS + 1)
        )
        Membership.objects.bulk_create(
            Membership(user=user, unit=unit, role=Role.OFFICER)
            for user, unit in zip(users, units, strict=True)
        )
        NotificationPreference.objects.bulk_create(
            NotificationPreference(user=user, channels=["inbox"]) for user in users
        )
        document = SourceDocument(
            kind="conclusion",
            number=DOCUMENT_NUMBER,
            title="Kết luận giao ban (đo tốc độ gửi nhắc)",
            issued_on=today,
        )
        document.normalize_text()
        document.save()
        category = Category.objects.order_by("position", "code").first()
        directives = []
        for n in range(1, DIRECTIVES + 1):
            directive = Directive(
                document=document,
                label=str(n),
                position=n,
                title=f"Nhiệm vụ {n}: tổ chức thực hiện và báo cáo kết quả",
                body="Tổ chức thực hiện nhiệm vụ được giao, báo cáo kết quả đúng hạn.",
                category=category,
            )
            directive.normalize_text()
            directives.append(directive)
        Directive.objects.bulk_create(directives)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO directives_assignment
                    (directive_id, unit_id, role, status, progress, original_due_date, due_date,
                     extension_count, return_count, version, assigned_at, acknowledged_at,
                     updated_at)
                SELECT d.id, u.id,
                       CASE WHEN u.code = %(lead)s THEN 'lead' ELSE 'coordinating' END,
                       'in_progress', 50, %(due)s, %(due)s, 0, 0, 3, %(now)s, %(now)s, %(now)s
                FROM directives_directive d CROSS JOIN units_orgunit u
                WHERE d.document_id = %(document)s AND u.code LIKE %(prefix)s
                ORDER BY d.position, u.code
                """,
                {
                    "document": document.pk,
                    "lead": units[0].code,
                    "due": today,
                    "now": timezone.now(),
                    "prefix": UNIT_PREFIX + "%",
                },
            )


def reset_ledger(count: int | None = None) -> None:
    """Empty ledger and inbox, then one pending inbox row for each of `count` assignments."""
    count = PER_RUN if count is None else count
    from django.db import connection

    with connection.cursor() as cursor:
        tables = ["reminders_reminderledger", "notifications_notification"]
        if "sync_changelog" in connection.introspection.table_names(cursor):
            tables.append("sync_changelog")  # each inbox message appends a row there
        cursor.execute(f"TRUNCATE {', '.join(tables)}")
        # The key as reminders.services.ledger.ledger_key writes it.
        cursor.execute(
            """
            INSERT INTO reminders_reminderledger
                (key, assignment_id, kind, deadline, recipient_id, channel, state, reason,
                 attempts, last_error, due_at, next_attempt_at, created_at)
            SELECT 'a' || a.id || ':due:' || a.due_date || ':' || m.user_id || ':inbox',
                   a.id, 'due', a.due_date, m.user_id, 'inbox', 'pending', '', 0, '',
                   now(), now() - interval '1 minute', now()
            FROM directives_assignment a
            JOIN units_membership m ON m.unit_id = a.unit_id AND m.valid_to IS NULL
            JOIN directives_directive d ON d.id = a.directive_id
            JOIN directives_sourcedocument doc ON doc.id = d.document_id
            WHERE doc.number = %s
            ORDER BY a.id
            LIMIT %s
            """,
            [DOCUMENT_NUMBER, count],
        )
        if cursor.rowcount != count:
            raise RuntimeError(f"recorded {cursor.rowcount} ledger rows, expected {count}")
        cursor.execute("VACUUM ANALYZE reminders_reminderledger")
        cursor.execute("VACUUM ANALYZE notifications_notification")


def check_delivered(count: int | None = None) -> None:
    from django.db.models import Count

    from notifications.models import Notification
    from reminders.models import LedgerState, ReminderLedger

    count = PER_RUN if count is None else count
    sent = ReminderLedger.objects.filter(state=LedgerState.SENT).count()
    inbox = Notification.objects.filter(dedup_key__startswith="ledger:").count()
    if sent != count or inbox != count:
        states = dict(
            ReminderLedger.objects.values_list("state").annotate(n=Count("id")).order_by()
        )
        raise RuntimeError(f"expected {count} sent and in the inbox: {states}, inbox {inbox}")


# --- the processes --------------------------------------------------------------------


def start_redis(workdir: Path, port: int) -> subprocess.Popen:
    server = shutil.which("redis-server")
    if server is None:
        raise RuntimeError("redis-server is not installed")
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            "--loglevel",
            "warning",
        ],
        stdout=(workdir / "redis.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            return process
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"redis-server did not start: {(workdir / 'redis.log').read_text()[-500:]}"
                ) from None
            time.sleep(0.05)


# The worker command line as deployed (the Procfile's, with one child per process).
WORKER_ARGS = ["-A", "thads", "worker", "--pool=prefork", "-c", "1", "--loglevel=INFO"]


def start_workers(
    workdir: Path, *, tag: str = "deployed", env: dict[str, str] | None = None
) -> list[subprocess.Popen]:
    """Two worker processes; `env` overrides settings read from the environment."""
    workers = []
    for n in range(1, WORKERS + 1):
        log = (workdir / f"worker-{tag}-{n}.log").open("w")
        workers.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    *WORKER_ARGS,
                    "-n",
                    f"bench-delivery-{tag}-{n}@%h",
                ],
                cwd=ROOT,
                env={**os.environ, **(env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped with its child
            )
        )
    wait_for_workers(workers, workdir, tag)
    return workers


def wait_for_workers(workers: list[subprocess.Popen], workdir: Path, tag: str) -> None:
    from thads.celery import app

    deadline = time.monotonic() + WORKER_START_TIMEOUT_SECONDS
    while True:
        for n, worker in enumerate(workers, start=1):
            if worker.poll() is not None:
                log = (workdir / f"worker-{tag}-{n}.log").read_text()[-2000:]
                raise RuntimeError(f"worker {n} exited with {worker.returncode}:\n{log}")
        replies = app.control.ping(timeout=0.5) or []
        if sum(f"-{tag}-" in name for reply in replies for name in reply) >= WORKERS:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(replies)} of {WORKERS} workers answered: {replies}")


def stop(processes: list[subprocess.Popen]) -> None:
    """Stop the processes this run started, each by its own process group."""
    processes = list(processes)
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


# --- measuring ------------------------------------------------------------------------


def pending_ids() -> list[int]:
    from reminders.models import LedgerState, ReminderLedger

    return list(
        ReminderLedger.objects.filter(state=LedgerState.PENDING)
        .order_by("id")
        .values_list("id", flat=True)
    )


def through_workers(count: int = DELIVERIES) -> float:
    """Hand every row out as the sweep does, and wait until the workers sent them all."""
    from django.db import connection

    from reminders.services import enqueue_all_pending

    reset_ledger(count)
    pending_ids()  # connected before the clock starts
    started = time.perf_counter()
    handed_out = enqueue_all_pending(now=None)
    if handed_out != count:
        raise RuntimeError(f"handed out {handed_out} rows, expected {count}")
    deadline = time.monotonic() + DRAIN_TIMEOUT_SECONDS
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT count(*) FROM reminders_reminderledger WHERE state = 'pending'")
            if cursor.fetchone()[0] == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("the workers did not deliver everything in time")
            time.sleep(POLL_SECONDS)
    seconds = time.perf_counter() - started
    check_delivered(count)
    return seconds


def one_by_one(count: int | None = None) -> float:
    """The baseline: one `reminder_deliver` (one transaction) per row, in this process."""
    from reminders.services import reminder_deliver

    count = PER_RUN if count is None else count
    reset_ledger(count)
    ids = pending_ids()
    started = time.perf_counter()
    for ledger_id in ids:
        reminder_deliver(ledger_id=ledger_id)
    seconds = time.perf_counter() - started
    check_delivered(count)
    return seconds


def in_batches(count: int = DELIVERIES) -> float:
    """The app's batch delivery in this process: what the workers run, without the broker."""
    from django.conf import settings

    from reminders.services import reminder_deliver_inbox

    reset_ledger(count)
    ids = pending_ids()
    size = settings.REMINDER_INBOX_BATCH
    started = time.perf_counter()
    for start in range(0, len(ids), size):
        reminder_deliver_inbox(ledger_ids=ids[start : start + size])
    seconds = time.perf_counter() - started
    check_delivered(count)
    return seconds


def choose_per_run() -> str:
    """Sets PER_RUN, the baseline's row count, from a probe of 100 deliveries; says how."""
    global PER_RUN
    fixed = os.environ.get("BENCH_DELIVERIES_PER_RUN")
    if fixed:
        PER_RUN = min(DELIVERIES, int(fixed))
        return f"{PER_RUN:,} rows per baseline measurement (BENCH_DELIVERIES_PER_RUN)"
    probe = 100
    rate = probe / one_by_one(probe)
    PER_RUN = min(DELIVERIES, max(MIN_PER_RUN, int(rate * TARGET_SECONDS) // 100 * 100))
    return (
        f"{PER_RUN:,} rows per baseline measurement (of {DELIVERIES:,}): a probe delivered "
        f"{rate:.0f}/s one by one, the count is sized for about {TARGET_SECONDS} s"
    )


def statements(batch: int) -> tuple[list[str], list[str]]:
    """The statements of one batch of `batch` rows and of one single delivery."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reminders.services import reminder_deliver, reminder_deliver_inbox

    def shortened(captured) -> list[str]:
        return [" ".join(query["sql"].split())[:100] for query in captured.captured_queries]

    reset_ledger(batch + 1)
    ids = pending_ids()
    with CaptureQueriesContext(connection) as batched:
        reminder_deliver_inbox(ledger_ids=ids[:batch])
    with CaptureQueriesContext(connection) as single:
        reminder_deliver(ledger_id=ids[batch])
    return shortened(batched), shortened(single)


def machine() -> dict[str, str]:
    """The shared description of the machine, plus what this benchmark adds."""
    import celery

    from bench.common import machine as shared

    redis_version = subprocess.run(
        ["redis-server", "--version"], capture_output=True, text=True, check=False
    ).stdout.split()
    return {
        **shared(),
        "Celery": celery.__version__,
        "Redis": next((w[2:] for w in redis_version if w.startswith("v=")), "?"),
    }


def main() -> int:
    port = free_port()
    url, error = configure_environment(f"redis://127.0.0.1:{port}/0")
    if error:
        print(error, file=sys.stderr)
        return 2
    try:
        lock = hold_lock(url)
    except Exception as exc:
        print(f"cannot reach PostgreSQL at {url}: {exc}", file=sys.stderr)
        return 2
    if lock is None:
        print("gave up waiting for the other run", file=sys.stderr)
        return 1
    try:
        return measure(url, port)
    finally:
        lock.close()


def measure(url: str, port: int) -> int:
    error = prepare_database(url)
    if error:
        print(error, file=sys.stderr)
        return 2

    import django

    django.setup()

    import io

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    info = machine()
    call_command("migrate", verbosity=0, interactive=False, stdout=io.StringIO())
    existing = assignment_count()
    if existing != DELIVERIES:
        if existing:
            # Its own database, built for another BENCH_DELIVERIES: start again.
            connection.close()
            error = prepare_database(url, drop=True)
            if error:
                print(error, file=sys.stderr)
                return 2
            call_command("migrate", verbosity=0, interactive=False, stdout=io.StringIO())
        print(f"building {DELIVERIES:,} assignments (once; later runs reuse them) ...", flush=True)
        build_data()
    batch = settings.REMINDER_INBOX_BATCH
    batched_sql, single_sql = statements(batch)
    probe = choose_per_run()

    workdir = Path(tempfile.mkdtemp(prefix="thads-bench-delivery-"))
    redis_server: list[subprocess.Popen] = []
    workers: list[subprocess.Popen] = []
    deployed = Run(f"{WORKERS} worker processes over Redis, as deployed")
    batched = Run(f"in-process, the app's batches of {batch}, no broker")
    baseline = Run("baseline: in-process, one row per transaction, no broker")
    per_row = Run(f"{WORKERS} workers, REMINDER_INBOX_BATCH=1 (a task per row)")
    before = Run(
        f"{WORKERS} workers, REMINDER_INBOX_BATCH=1 and CELERY_DB_REUSE_MAX=0 "
        "(a task and a new connection per row: before this change)"
    )
    neighbours = {per_row.name: Run("  neighbours"), before.name: Run("  neighbours")}
    try:
        redis_server.append(start_redis(workdir, port))
        workers.extend(start_workers(workdir))
        connection.close()
        started = time.monotonic()
        runs = [
            (deployed, DELIVERIES, through_workers),
            (batched, DELIVERIES, in_batches),
            (baseline, PER_RUN, one_by_one),
        ]
        for round_ in range(ROUNDS):
            shift = round_ % len(runs)
            for run, count, measure_once in runs[shift:] + runs[:shift]:
                run.add(count, measure_once(count))
        main_seconds = time.monotonic() - started

        # Each part of the change taken away, between two runs of the deployed workers.
        # The batch size is the publisher's (this process's hand-out); the connection
        # reuse is the workers'.
        for run, tag, env in (
            (per_row, "per-row", {}),
            (before, "before", {"CELERY_DB_REUSE_MAX": "0"}),
        ):
            neighbours[run.name].add(DELIVERIES, through_workers(DELIVERIES))
            stop(workers)
            workers = start_workers(workdir, tag=tag, env=env)
            connection.close()
            settings.REMINDER_INBOX_BATCH = 1
            try:
                run.add(PER_RUN, through_workers(PER_RUN))
            finally:
                settings.REMINDER_INBOX_BATCH = batch
            stop(workers)
            workers = start_workers(workdir)
            connection.close()
            neighbours[run.name].add(DELIVERIES, through_workers(DELIVERIES))
        elapsed = time.monotonic() - started
    finally:
        stop(workers)
        stop(redis_server)
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print("## Delivery throughput to the inbox (PostgreSQL, Redis)")
    print()
    for key, value in info.items():
        print(f"- {key}: {value}")
    print(f"- {probe}")
    print(
        f"- workers: `celery -A thads worker --pool=prefork -c 1 --loglevel=INFO`, {WORKERS} "
        "processes, this run's own redis-server; the time runs from the hand-out "
        "(`enqueue_all_pending`) to the last row sent"
    )
    print(
        f"- {ROUNDS} rounds, alternating, medians ({main_seconds:.0f} s); then each part "
        f"taken away between two deployed runs (total {elapsed:.0f} s)"
    )
    print()
    print("| variant | rows | deliveries/s | ms per delivery | × baseline |")
    print("|---|---:|---:|---:|---:|")
    for run, count in ((deployed, DELIVERIES), (batched, DELIVERIES), (baseline, PER_RUN)):
        print(
            f"| {run.name} | {count:,} | {run.rate():.0f} | {1000 / run.rate():.2f} | "
            f"{run.rate() / baseline.rate():.2f} |"
        )
    print()
    print("Each part taken away, against the mean of the deployed workers just before and after:")
    print()
    print("| variant | rows | deliveries/s | deployed neighbours /s | × deployed |")
    print("|---|---:|---:|---:|---:|")
    for run in (per_row, before):
        mean = statistics.mean(neighbours[run.name].rates)
        print(
            f"| {run.name} | {PER_RUN:,} | {run.rate():.0f} | {mean:.0f} | "
            f"{run.rate() / mean:.3f} |"
        )
    print()
    verdict = "met" if deployed.rate() >= GOAL else "MISSED"
    print(
        f"- goal ≥ {GOAL} deliveries/s with {WORKERS} workers: {deployed.rate():.0f}/s, {verdict}"
    )
    print(f"- statements of one batch of {batch} rows ({len(batched_sql)}, one transaction):")
    for line in batched_sql:
        print(f"    {line}")
    print(f"- statements of one single delivery ({len(single_sql)}, one transaction):")
    for line in single_sql:
        print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
