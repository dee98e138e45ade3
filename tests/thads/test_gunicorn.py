"""The web process as `make run` and the image start it: gunicorn, reading
gunicorn.conf.py from the repository. Issue 9: a URI of a few kilobytes (a list
with several filters) got gunicorn's HTML 414, which a phone cannot parse."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, uri: str) -> tuple[int, bytes]:
    """One raw GET (HTTP/1.0: a body never chunked): the status and body as
    gunicorn answered them."""
    request = f"GET {uri} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request.encode("ascii"))
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


@pytest.fixture(scope="module")
def gunicorn_port(tmp_path_factory):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "thads.settings",
        "DJANGO_SECRET_KEY": "gunicorn-test-only",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "THADS_VAR_DIR": str(tmp_path_factory.mktemp("var")),
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    command = ["gunicorn", "thads.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(
        [sys.executable, "-m", *command, "--workers", "1", "--no-control-socket"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            assert proc.poll() is None, "gunicorn exited"
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def _uri(size: int) -> str:
    start = "/api/v1/assignments/?q="
    return start + "a" * (size - len(start))


def test_a_uri_of_real_filters_reaches_the_api(gunicorn_port):
    # 4,096 bytes: over gunicorn's default request line (4,094), at our limit.
    status, body = _get(gunicorn_port, _uri(settings.REQUEST_MAX_URI_BYTES))

    assert status == 401
    assert json.loads(body)["code"] == "not_authenticated"


@pytest.mark.parametrize("size", [settings.REQUEST_MAX_URI_BYTES + 1, 8000])
def test_an_over_long_uri_gets_the_json_envelope_from_gunicorn_too(gunicorn_port, size):
    status, body = _get(gunicorn_port, _uri(size))

    assert status == 414
    assert json.loads(body)["code"] == "uri_too_long"


def test_past_gunicorns_own_limit_the_answer_is_its_html_414(gunicorn_port):
    # Documented (docs/mobile-api.md): 8,190 bytes of request line is gunicorn's maximum.
    status, _body = _get(gunicorn_port, _uri(8200))

    assert status == 414
