"""Settings for the test suite: the project's settings with test-friendly defaults.

Only defaults are set here; `DATABASE_URL` and `REDIS_URL` from the environment
still decide which database and broker the integration tier uses.
"""

import os
import tempfile
from pathlib import Path

# The suite is configured by its environment only, never by a developer's `.env`
# (the subprocesses it starts inherit this).
os.environ.setdefault("THADS_ENV_FILE", "")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-a-secret-just-long-enough-for-hs256")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "false")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

from thads.settings import *  # noqa: F403

# Each test starts with an empty per-process cache (login throttling lives there).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Argon2 stays the production hasher (tests/thads/test_settings.py checks it);
# the suite hashes thousands of factory passwords, so it uses a fast one.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# whitenoise warns on every request when STATIC_ROOT does not exist; the tests
# never collect static files, so an empty folder of their own will do.
STATIC_ROOT = Path(tempfile.gettempdir()) / "thads-test-static"
STATIC_ROOT.mkdir(exist_ok=True)
