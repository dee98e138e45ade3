"""A small HTTP server on 127.0.0.1 that records what it receives and answers
as scripted: the far end of a webhook or a push service, for the tests.

    with FakeServer() as server:
        server.respond(503)                  # the next request gets 503
        server.respond(201, delay=2.0)       # the one after waits 2 s first
        ...                                  # then `default_status` for the rest
        server.requests[0].headers["TTL"]
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: Message  # case-insensitive lookups, like the wire
    body: bytes


@dataclass(frozen=True)
class Reply:
    status: int
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class FakeServer:
    def __init__(self, *, default_status: int = 200) -> None:
        self.default_status = default_status
        self.requests: list[RecordedRequest] = []
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        # Set on exit so that a reply sleeping to simulate a timeout ends at once.
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "use the server inside its `with` block"
        return self._server.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def respond(
        self,
        status: int,
        *,
        delay: float = 0.0,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
    ) -> None:
        """Queue the answer to the next request not yet answered."""
        with self._lock:
            self._replies.append(Reply(status, delay, headers or {}, body))

    def _next_reply(self) -> Reply:
        with self._lock:
            return self._replies.popleft() if self._replies else Reply(self.default_status)

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def __enter__(self) -> FakeServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fake._record(RecordedRequest(self.command, self.path, self.headers, body))
                reply = fake._next_reply()
                if reply.delay and fake._stopping.wait(reply.delay):
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, format: str, *args) -> None:
                pass  # keep the test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stopping.set()
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
