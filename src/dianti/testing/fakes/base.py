"""What every fake provider shares: the server thread, the record of requests, and queued answers."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased
    body: bytes
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)


class FakeProvider:
    """Serve :meth:`answer` on 127.0.0.1 (a free port) until :meth:`close`."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.queued: list[tuple[int, Any]] = []  # (HTTP status, body) answered before any check
        self.delay = 0.0  # seconds to wait before answering (a provider that hangs)
        self._lock = threading.Lock()
        self._closed = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 — http.server's naming
                fake._serve(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                fake._serve(self, "POST")

            def log_message(self, format: str, *args: Any) -> None:  # a request line carries phone numbers
                return

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True, name=type(self).__name__)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self._closed.set()  # a hanging answer stops waiting
        self.server.shutdown()
        self.server.server_close()

    def queue_answer(self, body: Any, status: int = 200) -> None:
        """Answer the next request with ``body`` (a provider's error, or a 503 for "down")."""
        self.queued.append((status, body))

    def answer(self, req: Request) -> tuple[int, Any]:
        raise NotImplementedError

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        if self.delay and self._closed.wait(self.delay):
            return  # closed while "hanging": the client is gone
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        req = Request(method=method, path=parts.path, query=dict(parse_qsl(parts.query)),
                      headers={k.lower(): v for k, v in handler.headers.items()}, body=body)
        ctype = req.headers.get("content-type", "")
        try:
            if ctype.startswith("application/json"):
                req.json = json.loads(body.decode("utf-8"))
            elif ctype.startswith("application/x-www-form-urlencoded"):
                req.form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except ValueError:
            req.json = None
        with self._lock:
            self.requests.append(req)
            status, answer = self.queued.pop(0) if self.queued else self.answer(req)
        raw = answer if isinstance(answer, bytes) else json.dumps(answer, ensure_ascii=False).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(raw)))
        handler.end_headers()
        handler.wfile.write(raw)


class _QuietServer(ThreadingHTTPServer):
    """A client that gave up on a hanging provider is what the test wanted, not an error to print.

    Printing it would also format a traceback from the server thread while a test may be parsing Python: on
    CPython 3.11 before 3.11.8 ``traceback`` calls ``ast.parse``, whose recursion counter is shared between
    threads, and the test's own ``ast.parse`` then fails with "AST constructor recursion depth mismatch".
    """

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)
