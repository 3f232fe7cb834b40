"""A tiny threaded HTTP server on 127.0.0.1 for the suite's own tests.

Routes are plain functions from the received request to a :class:`Reply`::

    with LocalServer() as server:
        server.route("/hello", lambda req: Reply(200, {"Content-Type": "text/plain"}, b"hi"))
        client.get(server.url("/hello"))
        assert server.received[0].method == "GET"

A reply's body may be an iterable of chunks written with a pause before each one (a slow
server), and ``raw`` replaces the whole response with bytes written as they are (a broken
or dribbling server). Handler threads stop writing once the server is stopped.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Received:
    """A request as the server saw it."""

    method: str
    target: str  # the raw request target: path and percent-encoded query
    headers: Sequence[tuple[str, str]]
    body: bytes
    at: float  # time.monotonic() when it arrived

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.target).query, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass
class Reply:
    """What a route answers."""

    status: int = 200
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = ()
    body: bytes | Iterable[bytes] = b""
    delay_s: float = 0.0  # pause before each chunk of an iterable body / raw
    raw: Iterable[bytes] | None = None  # written as is instead of status line, headers, body


Route = Callable[[Received], Reply]


def _not_found(_: Received) -> Reply:
    return Reply(404, {"Content-Type": "text/plain"}, b"no such route")


@dataclass
class LocalServer:
    """An HTTP/1.1 server on 127.0.0.1 (a free port), serving routes by path."""

    routes: dict[str, Route] = field(default_factory=dict)
    default: Route = _not_found
    tls: ssl.SSLContext | None = None  # serve HTTPS with this server-side context
    received: list[Received] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def route(self, path: str, handler: Route) -> None:
        self.routes[path] = handler

    @property
    def port(self) -> int:
        assert self._httpd is not None, "the server is not running"
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def requests_to(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    def start(self) -> LocalServer:
        self._httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        if self.tls is not None:
            self._httpd.socket = self.tls.wrap_socket(self._httpd.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _record(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up mid-request is normal here; no traceback on stderr


def unused_port_url(path: str = "/") -> str:
    """A URL on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def _handler_for(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # no delayed-ACK stalls between headers and body

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output quiet

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            received = Received(
                self.command, self.path, list(self.headers.items()), body, time.monotonic()
            )
            server._record(received)
            handler = server.routes.get(received.path, server.default)
            self._write(handler(received))

        def _write(self, reply: Reply) -> None:
            try:
                if reply.raw is not None:
                    self.close_connection = True
                    self._stream(reply.raw, reply.delay_s)
                    return
                headers = (
                    list(reply.headers.items())
                    if isinstance(reply.headers, Mapping)
                    else list(reply.headers)
                )
                names = {name.lower() for name, _ in headers}
                self.send_response(reply.status)
                for name, value in headers:
                    self.send_header(name, value)
                if isinstance(reply.body, bytes):
                    if "content-length" not in names:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(reply.body)
                    return
                if "content-length" not in names:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.flush()
                self._stream(reply.body, reply.delay_s)
            except OSError:  # the client went away
                self.close_connection = True

        def _stream(self, chunks: Iterable[bytes], delay_s: float) -> None:
            for chunk in chunks:
                if server.stopping.wait(delay_s):
                    self.close_connection = True
                    return
                self.wfile.write(chunk)
                self.wfile.flush()

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _handle

    return Handler
