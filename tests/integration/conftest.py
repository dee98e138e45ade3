"""The integration tier: real PostgreSQL, real Redis, real Celery worker processes.

Tests in this folder are marked `integration`. Without PostgreSQL in
`DATABASE_URL` and Redis in `REDIS_URL` they are skipped with the reason, so the
fast tier still runs anywhere. CI sets `THADS_REQUIRE_INTEGRATION=1`: then a
missing service configuration stops the run, and an unreachable service fails
the tests instead of skipping them, because a CI run that silently skipped its
integration tests would be green for the wrong reason.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

INTEGRATION_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = INTEGRATION_DIR.parent.parent
SKIP_REASON = "needs PostgreSQL in DATABASE_URL and Redis in REDIS_URL"
# The URL schemes django-environ maps to the PostgreSQL backend.
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "psql", "postgis"}


def integration_required() -> bool:
    return os.environ.get("THADS_REQUIRE_INTEGRATION", "").lower() in {"1", "true", "yes"}


def missing_services() -> list[str]:
    """What is missing from the environment for this tier; empty when configured."""
    missing = []
    if urlsplit(os.environ.get("DATABASE_URL", "")).scheme not in POSTGRES_SCHEMES:
        missing.append("DATABASE_URL is not a PostgreSQL URL")
    if not os.environ.get("REDIS_URL"):
        missing.append("REDIS_URL is unset")
    return missing


def _in_this_tier(item: pytest.Item) -> bool:
    # pytest calls a conftest's collection hook with every collected item of the
    # session, not just this folder's, so the hook must pick its own.
    return Path(str(item.path)).resolve().is_relative_to(INTEGRATION_DIR)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    ours = [item for item in items if _in_this_tier(item)]
    if not ours:
        return
    missing = missing_services()
    if missing and integration_required():
        raise pytest.UsageError(
            f"THADS_REQUIRE_INTEGRATION=1 but the integration tier {SKIP_REASON}: "
            + "; ".join(missing)
        )
    skip = pytest.mark.skip(reason=f"{SKIP_REASON} ({'; '.join(missing)})")
    for item in ours:
        item.add_marker(pytest.mark.integration)
        if missing:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _services_reachable() -> None:
    """Fail, never skip, when the configured services do not answer.

    Skipped tests never reach fixtures, so this only runs when the tier is
    configured: an unreachable server then is a broken environment to report.
    """
    import environ
    import psycopg
    import redis

    problems = []
    db = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    try:
        psycopg.connect(
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            dbname=db.get("NAME") or "postgres",
            connect_timeout=5,
        ).close()
    except psycopg.Error as exc:
        problems.append(f"PostgreSQL from DATABASE_URL is unreachable: {exc}".strip())
    try:
        redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        problems.append(f"Redis at REDIS_URL is unreachable: {exc}")
    if problems:
        pytest.fail("Integration tier configured but not usable:\n  " + "\n  ".join(problems))


def stop_process(proc: subprocess.Popen, *, grace: float = 15) -> None:
    """SIGTERM the process group (a warm shutdown), then SIGKILL it after `grace` s.

    The worker runs in its own session, so the group holds only what this test
    started: never anything shared.
    """
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    # Also takes down children (prefork pool) that outlived their parent.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=grace)


def worker_database_url() -> str:
    """DATABASE_URL pointing at the database pytest-django created for this run,
    so a worker never touches the database named in the environment."""
    from django.db import connection

    parts = urlsplit(os.environ["DATABASE_URL"])
    return parts._replace(path="/" + connection.settings_dict["NAME"]).geturl()


@dataclass
class RunningWorker:
    """A real `celery -A thads worker` process consuming a queue of its own."""

    proc: subprocess.Popen
    queue: str
    hostname: str
    log_path: Path
    client: Any  # a Celery app that talks to the same Redis, never eager

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def call(self, task_name: str, *args: Any, timeout: float = 60) -> Any:
        """Send a task by name to this worker over Redis and wait for its result.

        Fails at once with the worker's log if the worker process dies meanwhile,
        instead of waiting out the timeout.
        """
        result = self.client.send_task(task_name, args=args, queue=self.queue)
        deadline = time.monotonic() + timeout
        while not result.ready():
            if self.proc.poll() is not None:
                pytest.fail(
                    f"worker exited with {self.proc.returncode} before finishing "
                    f"{task_name}:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(f"no result for {task_name} after {timeout} s:\n{self.log_tail()}")
            time.sleep(0.2)
        return result.get(timeout=5)


@pytest.fixture(scope="module")
def celery_worker_process(django_db_setup, tmp_path_factory) -> Iterator[RunningWorker]:
    """Start one worker for the module; it is stopped however the tests end.

    The worker commits nothing the test transaction could see: a test whose
    task reads rows must use `transactional_db` so they are committed first.
    """
    from celery import Celery

    redis_url = os.environ["REDIS_URL"]
    database_url = worker_database_url()
    queue = f"thads-it-{uuid.uuid4().hex[:10]}"
    hostname = f"{queue}@%h"
    workdir = tmp_path_factory.mktemp("worker")
    log_path = workdir / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "thads.settings",
        "DJANGO_SECRET_KEY": "integration-worker-only-not-a-secret-0123456789",
        "DJANGO_DEBUG": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        # Beat schedule, uploads and the like stay out of the checkout's var/.
        "THADS_VAR_DIR": str(workdir),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "thads",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        f"--queues={queue}",
        f"--hostname={hostname}",
        # Not needed to run tasks, and each costs start-up time waiting on peers.
        "--without-mingle",
        "--without-gossip",
    ]
    client = Celery(
        "thads-integration-client",
        broker=redis_url,
        backend=redis_url,
        # Not the current app: later .delay() calls in the session must stay eager.
        set_as_current=False,
    )
    client.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_always_eager=False,
    )
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
    try:
        yield RunningWorker(proc, queue, hostname, log_path, client)
    finally:
        stop_process(proc)
        client.close()
        _forget_queue(redis_url, queue)


def _forget_queue(redis_url: str, queue: str) -> None:
    """Drop the per-run queue and its kombu binding, so runs leave no keys behind."""
    import redis

    with redis.Redis.from_url(redis_url) as conn:
        conn.delete(queue, f"_kombu.binding.{queue}")


@pytest.fixture(autouse=True)
def _reference_data_for_transactional_tests(request):
    """Transactional tests end with a flush that also empties what the data
    migrations seeded (calendar, categories, default reminder policy); put it
    back before each such test, so their order does not matter. This replaces
    `serialized_rollback`, which clashes with the content types post_migrate
    re-creates."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from tests.integration.reminder_helpers import reseed_reference_data

    reseed_reference_data()
