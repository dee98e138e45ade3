"""The embedded default (SQLite, no Redis) runs tasks in a separate worker process.

`make run` on a bare machine relies on kombu's filesystem transport and the file
cache: a task sent by one process is run by the worker process, and its effect
is visible to every other process on the machine. This test starts a real worker
with that configuration, in a throw-away var directory, and checks exactly that.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
WAIT_SECONDS = 40

# Runs in its own process with the same environment as the worker: sends the
# heartbeat task through the configured broker (never eagerly), then polls the
# configured cache until the worker's mark shows up.
SEND_AND_WAIT = """
import json, sys, time
import django
django.setup()
from django.core.cache import cache
from thads.celery import app
from thads.health import HEARTBEAT_CACHE_KEY

cache.delete(HEARTBEAT_CACHE_KEY)
result = app.send_task("thads.heartbeat")
deadline = time.monotonic() + float(sys.argv[1])
stamp = None
while stamp is None and time.monotonic() < deadline:
    time.sleep(0.25)
    stamp = cache.get(HEARTBEAT_CACHE_KEY)
print(json.dumps({
    "broker": app.conf.broker_url,
    "eager": app.conf.task_always_eager,
    "task_id": result.id,
    "stamp": stamp,
}))
"""


def embedded_env(tmp_path: Path) -> dict[str, str]:
    var_dir = tmp_path / "var"
    # `make run` creates these; kombu's filesystem transport expects them to exist.
    for folder in ("queue", "processed", "control"):
        (var_dir / "celery" / folder).mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "thads.settings",
            "DJANGO_SECRET_KEY": "embedded-broker-test-only-not-a-secret-0123456789",
            "DJANGO_DEBUG": "false",
            "THADS_VAR_DIR": str(var_dir),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'thads.sqlite3'}",
            "CELERY_TASK_ALWAYS_EAGER": "false",
        }
    )
    return env


def stop(proc: subprocess.Popen, *, grace: float = 15) -> None:
    """SIGTERM the process group this test started, SIGKILL it after `grace` s."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    # Also takes down children (prefork pool) that outlived their parent.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=grace)


def test_embedded_default_runs_heartbeat_in_separate_worker_process(tmp_path):
    env = embedded_env(tmp_path)
    log_path = tmp_path / "worker.log"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "thads",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        f"--hostname=embedded-{uuid.uuid4().hex[:8]}@%h",
        # Peers are irrelevant here and waiting for them only slows the start.
        "--without-mingle",
        "--without-gossip",
    ]
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    probe = None
    try:
        probe = subprocess.Popen(
            [sys.executable, "-c", SEND_AND_WAIT, str(WAIT_SECONDS)],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        deadline = time.monotonic() + WAIT_SECONDS + 20
        while probe.poll() is None:
            # A worker that died at start-up would otherwise cost the whole wait.
            assert worker.poll() is None, f"worker exited early:\n{log_path.read_text()}"
            assert time.monotonic() < deadline, "probe process hung"
            time.sleep(0.25)
        out, err = probe.communicate()
        assert probe.returncode == 0, err
        seen = json.loads(out.strip().splitlines()[-1])

        assert seen["broker"].startswith("filesystem://")
        assert seen["eager"] is False
        assert seen["stamp"] is not None, (
            f"no heartbeat within {WAIT_SECONDS} s:\n{log_path.read_text(errors='replace')}"
        )
        assert datetime.fromisoformat(seen["stamp"]).tzinfo is not None
        # The worker process, not the sender, ran it. The worker logs the success
        # just after the task wrote the cache, so give the line a moment.
        succeeded = f"thads.heartbeat[{seen['task_id']}] succeeded"
        log_deadline = time.monotonic() + 10
        while succeeded not in log_path.read_text(errors="replace"):
            assert time.monotonic() < log_deadline, log_path.read_text(errors="replace")
            time.sleep(0.2)
        assert any((tmp_path / "var" / "cache").iterdir()), "file cache left no entry"
    finally:
        if probe is not None:
            stop(probe)
        stop(worker)
