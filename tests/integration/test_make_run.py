"""`make run` for real: the Procfile's gunicorn, Celery worker and beat under
thads/procfile.py (honcho), on the embedded default a newcomer gets (SQLite and
the filesystem broker in a var/ of its own), stopped by Ctrl-C.

Ctrl-C reaches honcho only (it starts each process in a session of its own),
which sends SIGTERM to each process group. Every process must stop by itself,
with exit code 0, nothing logged at ERROR, no traceback and no SIGKILL; and
every log line, whichever process wrote it, starts with the same ISO 8601 UTC
instant.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.integration.conftest import PROJECT_ROOT, stop_process

# A log line of any process: the honcho prefix, then the instant, the level.
LOG_LINE = re.compile(r"^\S+ (web|worker|beat)\.1 +\| (?P<line>.*)$")
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING) ")
LEVEL_WORD = re.compile(r"(^|[\s\[])(DEBUG|INFO|WARNING|ERROR|CRITICAL)[\]/:\s]")
# As the Makefile's `run` recipe passes them.
HONCHO_ARGS = ["--procfile", "Procfile", "--env", "/dev/null", "--port"]
START_TIMEOUT = 90
STOP_TIMEOUT = 40  # thads.procfile kills after 20 s: a run that needs it fails anyway


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _embedded_env(var_dir: Path, port: int) -> dict[str, str]:
    """What `make run` exports, without the test run's PostgreSQL, Redis or eager tasks."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER"}
        and not key.startswith(("DJANGO_", "PYTEST"))
    }
    env.update(
        {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            "DJANGO_SETTINGS_MODULE": "thads.settings",
            "DJANGO_SECRET_KEY": "make-run-test-only-not-a-secret-0123456789",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "THADS_VAR_DIR": str(var_dir),
            "THADS_ENV_FILE": "",
            "PORT": str(port),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _wait_for(predicate, what: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not predicate():
        if proc.poll() is not None:
            pytest.fail(f"make run exited with {proc.returncode} before {what}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} after {START_TIMEOUT} s:\n{log.read_text()}")
        time.sleep(0.5)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (a local URL)
            return response.status == 200
    except OSError:
        return False


def test_ctrl_c_stops_gunicorn_worker_and_beat_cleanly_and_all_log_alike(tmp_path):
    var_dir = tmp_path / "var"
    for folder in ("queue", "processed", "control"):
        (var_dir / "celery" / folder).mkdir(parents=True)
    port = _free_port()
    env = _embedded_env(var_dir, port)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    log = tmp_path / "make-run.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "thads.procfile", "start", *HONCHO_ARGS, str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # like a terminal's foreground job
        )
    try:
        _wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), "API", proc, log)
        # Beat sweeps at start and the worker runs it: all three are up and working.
        _wait_for(
            lambda: re.search(r"Task reminders\.sweep\[\S+\] succeeded", log.read_text()),
            "sweep run by the worker",
            proc,
            log,
        )
        assert _answers(f"http://127.0.0.1:{port}/")  # an access log line

        proc.send_signal(signal.SIGINT)  # Ctrl-C: the terminal signals honcho
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {STOP_TIMEOUT} s after Ctrl-C:\n{log.read_text()}")
    finally:
        # honcho's processes live in sessions of their own: only honcho stops them.
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=STOP_TIMEOUT)
        stop_process(proc, grace=5)

    output = log.read_text()
    assert proc.returncode == 130, output  # honcho's answer to SIGINT
    for name in ("web", "worker", "beat"):
        assert f"{name}.1 stopped (rc=0)" in output, output
    assert "SIGKILL" not in output, output
    assert "Traceback" not in output, output
    lines = [m.group("line") for m in map(LOG_LINE.match, output.splitlines()) if m]
    logged = [line for line in lines if LEVEL_WORD.search(line[:40])]
    assert len(logged) > 10, output
    strays = [line for line in logged if not ISO_UTC.match(line)]
    assert not strays, "\n".join(strays)
    # gunicorn's access line carries no second, local, instant of its own.
    access = [line for line in logged if "gunicorn.access" in line]
    assert access, output
    assert not any(re.search(r"\[\d\d/\w{3}/\d{4}:", line) for line in access), access
