"""A real worker process runs tasks sent over Redis, and /readyz sees its heartbeat."""

import os
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone

from thads.health import HEARTBEAT_CACHE_KEY

# Every test here uses the database marker, even one that does not query: pytest-django
# runs database tests first, and a module whose tests were split apart by that order
# would start its (module-scoped) worker twice.
pytestmark = pytest.mark.django_db


def redis_cache() -> RedisCache:
    # tests/settings.py swaps the project cache for locmem; the worker writes to
    # the Redis cache that thads/settings.py configures, with the same prefix.
    return RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "thads"})


def redis_caches_setting() -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "thads",
        }
    }


def test_worker_process_runs_heartbeat_sent_over_redis(celery_worker_process):
    cache = redis_cache()
    cache.delete(HEARTBEAT_CACHE_KEY)
    sent_at = timezone.now()

    stamp = celery_worker_process.call("thads.heartbeat")

    recorded = datetime.fromisoformat(stamp)
    assert recorded.tzinfo is not None, stamp
    assert sent_at - timedelta(seconds=5) <= recorded <= timezone.now() + timedelta(seconds=5)
    # Read back through Redis: the mark was left by the other process, not by us.
    in_cache = cache.get(HEARTBEAT_CACHE_KEY)
    assert in_cache is not None, "the worker's heartbeat is not in the Redis cache"
    assert datetime.fromisoformat(in_cache) >= recorded


def test_readyz_answers_200_with_fresh_heartbeat_and_503_naming_worker_when_stale(
    client, settings_override_redis_cache, celery_worker_process
):
    from thads.celery import app

    assert app.conf.broker_url.startswith(("redis://", "rediss://")), app.conf.broker_url
    celery_worker_process.call("thads.heartbeat")

    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json()
    assert ready.json() == {"status": "ok"}

    stale = timezone.now() - timedelta(seconds=settings.HEARTBEAT_SECONDS * 4 + 60)
    redis_cache().set(HEARTBEAT_CACHE_KEY, stale.isoformat(), timeout=None)

    not_ready = client.get("/readyz")
    assert not_ready.status_code == 503
    body = not_ready.json()
    assert set(body["failing"]) == {"worker"}, body
    assert "heartbeat" in body["failing"]["worker"]


@pytest.fixture
def settings_override_redis_cache(settings):
    """/readyz reads the heartbeat through Django's default cache: point it at Redis."""
    settings.CACHES = redis_caches_setting()
    yield settings
