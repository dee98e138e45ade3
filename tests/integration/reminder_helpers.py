"""Helpers of the reminder reliability tests: a private redis-server, worker and
beat processes wired to it and to the test database, bounded waits, bulk due
points, and a fake webhook receiver.

Every process here is started by the test, in its own session, and stopped by
the test: the machine's shared PostgreSQL and Redis (6379) are never touched,
except that the workers use the test database pytest-django created.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import PROJECT_ROOT, stop_process, worker_database_url

REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(
    condition: Callable[[], Any],
    *,
    timeout: float,
    what: str,
    interval: float = 0.2,
    on_timeout: Callable[[], str] = lambda: "",
) -> Any:
    """Poll `condition` until it returns something truthy; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}\n{on_timeout()}")
        time.sleep(interval)


# --- a redis-server of the test's own --------------------------------------------------


class RedisServer:
    """`redis-server` on a free port of 127.0.0.1, without persistence: stopping it
    loses every queued message, as a restarted Redis without AOF does."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        if REDIS_SERVER is None:
            pytest.skip("redis-server is not installed")
        self.port = port or free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 15) -> RedisServer:
        import redis

        self.proc = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

        def answers() -> bool:
            try:
                with redis.Redis.from_url(self.url, socket_connect_timeout=0.5) as client:
                    return bool(client.ping())
            except redis.RedisError:
                return False

        wait_for(answers, timeout=timeout, what=f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        """A clean shutdown (SIGTERM); without persistence the data is gone."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


# --- worker and beat processes ---------------------------------------------------------


@dataclass
class Process:
    name: str
    proc: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 30) -> str:
        return f"--- {self.name} ---\n" + "\n".join(self.log().splitlines()[-lines:])

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill_hard(self) -> None:
        """SIGKILL, as the OOM killer or a pulled plug would: no warm shutdown."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        stop_process(self.proc, grace=10)


def process_env(redis_url: str, workdir: Path, **overrides: str) -> dict[str, str]:
    """The environment of a worker or beat: the production settings module, the
    test database, the test's own Redis, reminders sendable at any hour, and a
    short lease so that a lost delivery comes back within seconds."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "thads.settings",
        "DJANGO_SECRET_KEY": "integration-worker-only-not-a-secret-0123456789",
        "DJANGO_DEBUG": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": redis_url,
        "THADS_VAR_DIR": str(workdir),
        "REMINDER_WINDOW": "always",
        "REMINDER_DELIVERY_LEASE_SECONDS": "5",
        "REMINDER_MAX_ATTEMPTS": "3",
        "WEBHOOK_ALLOW_PRIVATE": "true",
        "WEBHOOK_DISABLE_AFTER_FAILURES": "1000",
    }
    env.update(overrides)
    return env


def _spawn(name: str, command: list[str], env: dict[str, str], workdir: Path) -> Process:
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Process(name, proc, log_path)


def start_worker(name: str, env: dict[str, str], workdir: Path, *, concurrency: int = 1) -> Process:
    """A `celery worker` on the default queue of the test's Redis: solo for one
    process, prefork for more."""
    pool = ["--pool=solo"] if concurrency == 1 else ["--pool=prefork", f"-c{concurrency}"]
    return _spawn(
        name,
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "thads",
            "worker",
            *pool,
            "--loglevel=INFO",
            f"--hostname={name}-{uuid.uuid4().hex[:6]}@%h",
            "--without-mingle",
            "--without-gossip",
        ],
        env,
        workdir,
    )


def start_beat(name: str, env: dict[str, str], workdir: Path) -> Process:
    """A `celery beat` with a schedule file of its own (two beats by mistake)."""
    return _spawn(
        name,
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "thads",
            "beat",
            "--loglevel=INFO",
            f"--schedule={workdir / f'{name}-schedule'}",
            f"--pidfile={workdir / f'{name}.pid'}",
        ],
        env,
        workdir,
    )


def wait_ready(*workers: Process, timeout: float = 60) -> None:
    for worker in workers:

        def ready(worker=worker) -> bool:
            if not worker.alive:
                pytest.fail(f"{worker.name} exited early:\n{worker.log_tail()}")
            return " ready." in worker.log()

        wait_for(
            ready, timeout=timeout, what=f"{worker.name} to be ready", on_timeout=worker.log_tail
        )


@contextlib.contextmanager
def stopping(*processes: Process) -> Iterator[list[Process]]:
    """Stop every process started inside the block (and these), however it ends."""
    started = list(processes)
    try:
        yield started
    finally:
        for process in started:
            process.stop()


@contextlib.contextmanager
def app_on_broker(redis_url: str) -> Iterator[Any]:
    """Point this process's Celery app at `redis_url`, for real (not eager), so that
    the sweep's hand-off after commit goes through the test's Redis.

    The app is also made the current one: `@shared_task`s resolve through the
    current app, and any `Celery(...)` created earlier in the session (the tier's
    client in `conftest.py`) would otherwise send them to the shared Redis."""
    from celery import _state

    from reminders.tasks import deliver_reminder
    from thads.celery import app

    keys = ("broker_url", "task_always_eager", "broker_connection_timeout")
    saved = {key: app.conf.get(key) for key in keys}
    previous = _state.get_current_app()

    def drop_pools() -> None:
        if app._pool is not None:
            with contextlib.suppress(Exception):
                app._pool.force_close_all()
        app._pool = None
        amqp = app.__dict__.get("amqp")
        if amqp is not None:
            amqp._producer_pool = None

    drop_pools()
    app.conf.update(broker_url=redis_url, task_always_eager=False, broker_connection_timeout=2)
    app.set_current()
    try:
        task_app = deliver_reminder._get_current_object().app
        assert task_app is app and task_app.conf.broker_url == redis_url, task_app
        yield app
    finally:
        drop_pools()
        app.conf.update(saved)
        previous.set_current()


# --- due points in bulk ------------------------------------------------------------------


def reseed_reference_data() -> None:
    """Put back what the data migrations seed (working-day calendar, categories,
    the default reminder policy): every transactional test flushes the tables
    when it ends, so a test that runs after another one finds them empty."""
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    editor = SimpleNamespace(connection=connection)
    for module, function in (
        ("units.migrations.0002_calendar_days", "seed_calendar_days"),
        ("directives.migrations.0002_default_categories", "load_categories"),
        ("directives.migrations.0004_reminders_and_recurrence", "create_default_policy"),
    ):
        getattr(importlib.import_module(module), function)(apps, editor)


@dataclass
class DuePoints:
    """Assignments each with exactly one due point ("overdue_1"), one per period
    of one directive, in one unit."""

    directive: Any
    unit: Any
    members: list[Any]
    assignments: list[Any] = field(default_factory=list)


def overdue_only_policy(directive) -> None:
    """One overdue reminder a month and nothing else, so that each assignment has
    exactly one point due now, whatever today is."""
    from directives.models import ReminderPolicy

    ReminderPolicy.objects.create(
        directive=directive,
        before_working_days=[],
        on_due_day=False,
        overdue_first_after_days=1,
        overdue_every_days=30,
        escalate_to_head=False,
        escalate_to_leadership_after_days=None,
    )


def make_due_points(
    n: int, *, members: int = 1, channels: tuple[str, ...] = ("inbox",), tag: str = ""
) -> DuePoints:
    """`n` assignments of one unit whose single reminder point is due now, for a
    unit of `members` active officers who hear on `channels`."""
    from directives.models import Assignment, AssignmentRole, NextReminder
    from notifications.models import NotificationPreference
    from tests.directives.factories import DirectiveFactory, DocumentFactory
    from tests.factories import OrgUnitFactory, member
    from thads.clock import LOCAL_TZ, local_today
    from units.models import Role, UnitKind

    tag = tag or uuid.uuid4().hex[:6]
    department = OrgUnitFactory(code=f"IT-CUC-{tag}", kind=UnitKind.DEPARTMENT)
    director = member(department, Role.DIRECTOR, username=f"director-{tag}")
    unit = OrgUnitFactory(code=f"IT-{tag}", name=f"Chi cục thử {tag}", parent=department)
    people = [member(unit, Role.OFFICER, username=f"officer{i}-{tag}") for i in range(members)]
    for person in people:
        NotificationPreference.objects.create(user=person, channels=list(channels))
    directive = DirectiveFactory(document=DocumentFactory(created_by=director))
    overdue_only_policy(directive)
    # Ten days ago: the first overdue point (a working day later) has passed and the
    # next is a month of working days away.
    deadline: date = local_today() - timedelta(days=10)
    since = datetime.combine(deadline, datetime.min.time(), tzinfo=LOCAL_TZ)
    assignments = Assignment.objects.bulk_create(
        [
            Assignment(
                directive=directive,
                unit=unit,
                role=AssignmentRole.LEAD,
                period_start=date(2000, 1, 1) + timedelta(days=i),
                original_due_date=deadline,
                due_date=deadline,
                assigned_by=director,
                assigned_at=since,
            )
            for i in range(n)
        ],
        batch_size=1000,
    )
    NextReminder.objects.bulk_create(
        [NextReminder(assignment=assignment, at=since) for assignment in assignments],
        batch_size=1000,
    )
    return DuePoints(directive, unit, people, assignments)


# --- a webhook receiver that is down ----------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


class FakeReceiver:
    """An HTTP server on 127.0.0.1 answering every POST with `status` after `delay` s,
    and keeping what it received."""

    def __init__(self, *, status: int = 503, delay: float = 0.0) -> None:
        self.status = status
        self.delay = delay
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def __enter__(self) -> FakeReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.received.append(
                        Received(self.path, dict(self.headers.items()), body, time.monotonic())
                    )
                time.sleep(receiver.delay)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def count(self) -> int:
        with self._lock:
            return len(self.received)
