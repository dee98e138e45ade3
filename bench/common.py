"""Helpers shared by the benchmarks: environment, database, timing, machine.

Not a benchmark itself: `main()` below only says so, because `bench/run.py`
runs every module of bench/ whose name does not start with "_".
Django is imported inside the functions: a benchmark sets its environment
first (`configure_environment`), then calls `django.setup()`.
"""

from __future__ import annotations

import math
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is on the path, the project is not
    sys.path.insert(0, str(ROOT))


# --- environment and database -------------------------------------------------------


def configure_environment(*, default_url: str, bench: str) -> str | None:
    """Set the bench's environment before Django reads it; an error message, or None.

    `bench` names the benchmark in the messages (e.g. "bench/assignment_list.py").
    """
    import environ

    url = os.environ.setdefault("DATABASE_URL", default_url)
    engine = environ.Env.db_url_config(url).get("ENGINE", "")
    if "sqlite" in engine:
        return (
            f"{bench} measures PostgreSQL, the production database; "
            f"DATABASE_URL={url} is SQLite. Unset DATABASE_URL to use {default_url}, "
            "or point it at another PostgreSQL database."
        )
    if "postgresql" not in engine and "postgis" not in engine:
        return f"{bench} needs PostgreSQL; DATABASE_URL={url} is {engine}."

    # Bench-only values: this process never serves anyone. The key is long enough for HS256.
    os.environ["DJANGO_SETTINGS_MODULE"] = "thads.settings"
    os.environ["DJANGO_SECRET_KEY"] = "bench-only-dummy-key-never-used-to-serve-anyone-0123456789"
    os.environ["DJANGO_DEBUG"] = "false"  # DEBUG would record every query and skew the timings
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,localhost"
    return None


def _server_params(config: dict) -> dict:
    return {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }


def ensure_database() -> str | None:
    """Create the database named in DATABASE_URL when it is missing; an error message, or None."""
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    name = config["NAME"]
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, **_server_params(config)) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"created database {name}")
    except psycopg.Error as exc:
        return f"cannot reach PostgreSQL to create database {name!r}: {exc}".strip()
    return None


def drop_database() -> str | None:
    """Drop the database named in DATABASE_URL (for a rebuild); an error message, or None.

    Call it before Django opens a connection to that database."""
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    name = config["NAME"]
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, **_server_params(config)) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            print(f"dropped database {name}")
    except psycopg.Error as exc:
        return f"cannot drop database {name!r}: {exc}".strip()
    return None


# --- measuring ----------------------------------------------------------------------


@dataclass
class Variant:
    name: str
    run: Callable[[], int]  # returns the response size in bytes
    samples: list[float]
    queries: int = 0
    size: int = 0
    every: int = 1  # run in every n-th round only: for a variant far slower than the others


def p90(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def measure(variants: list[Variant], *, rounds: int, warmup: int) -> None:
    """Interleave the variants, rotating their order each round, so that a noisy
    moment on the shared machine lands on all of them alike. A variant with
    `every` > 1 warms up in the first round only and is timed in timed rounds 0,
    every, 2 × every, ..."""
    for round_ in range(warmup + rounds):
        shift = round_ % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            due = round_ == 0 if round_ < warmup else (round_ - warmup) % variant.every == 0
            if variant.every > 1 and not due:
                continue
            started = time.perf_counter()
            variant.run()
            elapsed = (time.perf_counter() - started) * 1000
            if round_ >= warmup:
                variant.samples.append(elapsed)


def count_queries(run: Callable[[], int]) -> tuple[int, int]:
    """The number of queries one call makes, and the size it returns."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        size = run()
    return len(captured.captured_queries), size


# --- where the figures come from ------------------------------------------------------


def code_version() -> str:
    """The commit measured, and whether the working tree differed from it."""
    import subprocess

    def git(*args: str) -> str:
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "unknown (not a git checkout)"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"{commit}{' + uncommitted changes' if dirty else ''}"


def machine() -> dict[str, str]:
    import django
    import rest_framework
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (pg_version,) = cursor.fetchone()
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "code": code_version(),
        "nproc": str(
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        ),
        "cpu": cpu or platform.processor() or "unknown",
        "load (1 min) at start": f"{load:.2f}",
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "DRF": rest_framework.VERSION,
        "PostgreSQL": pg_version.split()[0],
    }


def main() -> int:
    print("bench/common.py holds the benchmarks' shared helpers; it measures nothing")
    return 0
