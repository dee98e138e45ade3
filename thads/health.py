"""Liveness and readiness.

`/readyz` answers 200 only when the database answers, the broker accepts a
connection and a worker has run the beat-driven heartbeat recently. The
heartbeat proves the whole chain (beat → broker → worker → cache) without
needing broadcast support from the broker, which the embedded one lacks.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

HEARTBEAT_CACHE_KEY = "worker-heartbeat"


def heartbeat_record(*, now: datetime | None = None) -> str:
    stamp = (now or timezone.now()).isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, stamp, timeout=None)
    return stamp


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"; we report it
        return f"{type(exc).__name__}: {exc}"
    return None


def check_broker() -> str | None:
    from thads.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # kombu raises transport-specific errors
        return f"{type(exc).__name__}: {exc}"
    return None


def check_worker(*, now: datetime | None = None) -> str | None:
    stamp = cache.get(HEARTBEAT_CACHE_KEY)
    if stamp is None:
        return "no heartbeat from a worker yet"
    age = (now or timezone.now()) - datetime.fromisoformat(stamp)
    limit = timedelta(seconds=settings.HEARTBEAT_SECONDS * 4)
    if age > limit:
        return f"last worker heartbeat {int(age.total_seconds())} s ago"
    return None


def readiness() -> dict[str, str | None]:
    """Each part's problem, or None when it is ready."""
    return {"database": check_database(), "broker": check_broker(), "worker": check_worker()}
