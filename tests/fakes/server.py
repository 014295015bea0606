"""A local HTTP server in a thread, the base of the fake platforms (127.0.0.1 only).

Subclasses implement ``route(request) -> Response``. Tests script failures with
``fail_next`` (status, headers, body, optional delay) and read ``requests`` to see what
the client asked for.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body if self.body is not None else {}).encode()


@dataclass
class Failure:
    response: Response
    path_prefix: str
    remaining: int
    skip: int = 0  # matching requests to answer normally first


class FakeServer:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: list[Request] = []
        self.failures: list[Failure] = []
        # Every response waits this long (to make concurrent pollers overlap).
        self.response_delay = 0.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                response = fake._respond(request)
                if response.delay or fake.response_delay:
                    time.sleep(response.delay or fake.response_delay)
                body = response.encoded()
                try:
                    self.send_response(response.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in response.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            do_GET = _serve
            do_POST = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail_next(
        self,
        status: int,
        *,
        headers: dict[str, str] | None = None,
        body: Any = None,
        times: int = 1,
        path_prefix: str = "",
        delay: float = 0.0,
        after: int = 0,
    ) -> None:
        """The next ``times`` requests under ``path_prefix`` get this response instead
        (``after``: once that many of them have been answered normally)."""
        with self.lock:
            response = Response(status, body if body is not None else {}, headers or {}, delay)
            self.failures.append(Failure(response, path_prefix, times, after))

    def paths(self) -> list[str]:
        with self.lock:
            return [request.path for request in self.requests]

    def _respond(self, request: Request) -> Response:
        with self.lock:
            self.requests.append(request)
            for failure in self.failures:
                if failure.remaining and request.path.startswith(failure.path_prefix):
                    if failure.skip:
                        failure.skip -= 1
                        continue
                    failure.remaining -= 1
                    return failure.response
            return self.route(request)

    def route(self, request: Request) -> Response:
        raise NotImplementedError
