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
    # Not the checkout's own `.env` or generated key: each test says what it has.
    env["THADS_ENV_FILE"] = ""
    env["DJANGO_SECRET_KEY_FILE"] = "/nonexistent/thads-settings-probe/secret_key"
    env.update(extra)
    return env


def _import_settings(probe: str = PROBE, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", probe],
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


KEY_PROBE = (
    "import json, thads.settings as s; print(json.dumps({'key': s.SECRET_KEY, "
    "'key_file': str(s.SECRET_KEY_FILE), 'log_level': s.LOG_LEVEL, 'page': s.API_PAGE_SIZE}))"
)


def _key_file(tmp_path: Path, key: str = "generated-once-by-make-run-0123456789") -> Path:
    path = tmp_path / "secret_key"
    path.write_text(key + "\n")
    return path


def test_without_the_variable_the_key_make_run_generated_is_used(tmp_path):
    result = _import_settings(KEY_PROBE, DJANGO_SECRET_KEY_FILE=str(_key_file(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["key"] == "generated-once-by-make-run-0123456789"


def test_the_variable_wins_over_the_key_file(tmp_path):
    result = _import_settings(
        KEY_PROBE, DJANGO_SECRET_KEY="y" * 50, DJANGO_SECRET_KEY_FILE=str(_key_file(tmp_path))
    )
    assert json.loads(result.stdout)["key"] == "y" * 50


def test_an_empty_key_file_counts_as_missing(tmp_path):
    result = _import_settings(DJANGO_SECRET_KEY_FILE=str(_key_file(tmp_path, key="")))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_the_default_key_file_is_the_one_the_makefile_generates():
    # Make's target and the settings' default name the same file of the checkout.
    assert "\nvar/secret_key:\n" in (ROOT / "Makefile").read_text()
    env = _clean_env()
    del env["DJANGO_SECRET_KEY_FILE"]
    result = subprocess.run(
        [sys.executable, "-c", KEY_PROBE],
        cwd=ROOT,
        env={**env, "DJANGO_SECRET_KEY": "x" * 50},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert Path(json.loads(result.stdout)["key_file"]) == ROOT / "var" / "secret_key"


def test_settings_read_the_env_file_and_the_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_SECRET_KEY=from-the-env-file-0123456789\nLOG_LEVEL=WARNING\n")
    result = _import_settings(KEY_PROBE, THADS_ENV_FILE=str(env_file), LOG_LEVEL="ERROR")
    assert result.returncode == 0, result.stderr
    probed = json.loads(result.stdout)
    assert probed["key"] == "from-the-env-file-0123456789"
    assert probed["log_level"] == "ERROR"


def test_a_management_command_typed_by_hand_reads_what_make_run_set_up(tmp_path):
    """The README's `.venv/bin/python manage.py reminders_status` beside `make run`:
    no DJANGO_SECRET_KEY in the shell, only the key file it generated."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_clean_env(DJANGO_SECRET_KEY_FILE=str(_key_file(tmp_path))),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
