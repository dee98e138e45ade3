"""Production settings, read in a fresh interpreter: the test settings override
some of them (hashers, cache, storage), and import-time failures must be seen
as a real process start would see them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, thads.settings as s; print(json.dumps({"
    "'hashers': s.PASSWORD_HASHERS, 'tz': s.TIME_ZONE, 'use_tz': s.USE_TZ, "
    "'lang': s.LANGUAGE_CODE, 'languages': [code for code, _ in s.LANGUAGES], "
    "'debug': s.DEBUG, 'ssl_redirect': s.SECURE_SSL_REDIRECT, "
    "'secure_cookies': s.SESSION_COOKIE_SECURE, 'x_frame': s.X_FRAME_OPTIONS}))"
)


def _clean_env(**extra: str) -> dict[str, str]:
    """Only what Python needs to start: nothing of the developer's own settings."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env["THADS_VAR_DIR"] = "/nonexistent/thads-settings-probe"  # never touched on import
    env.update(extra)
    return env


def _import_settings(**extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=_clean_env(**extra),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def production() -> dict:
    result = _import_settings(DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_argon2_is_the_first_production_password_hasher(production):
    assert production["hashers"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_the_test_suite_hashes_with_md5_for_speed():
    # The other side of the previous test: the override lives only in tests/settings.py.
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_time_is_stored_in_utc_and_shown_in_ho_chi_minh(production):
    assert production["tz"] == "Asia/Ho_Chi_Minh"
    assert production["use_tz"] is True


def test_vietnamese_is_the_default_language_and_english_is_available(production):
    assert production["lang"] == "vi"
    assert production["languages"] == ["vi", "en"]


def test_debug_is_off_and_production_is_hardened_by_default(production):
    assert production["debug"] is False
    assert production["ssl_redirect"] is True
    assert production["secure_cookies"] is True
    assert production["x_frame"] == "DENY"


def test_missing_secret_key_stops_the_process_outside_debug():
    result = _import_settings()
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_an_empty_secret_key_counts_as_missing():
    result = _import_settings(DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_debug_may_start_without_a_secret_key():
    result = _import_settings(DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["debug"] is True
