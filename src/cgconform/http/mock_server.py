"""Servers a suite runs while it plays the other parties of an exchange (a mock Manager, Inway
or Service the target calls): HTTPS on a chosen address, optionally requiring a client
certificate from a given CA, every request recorded.

Part of the one network layer: suites never open sockets themselves. The handler gets a
:class:`Received` and returns a :class:`Reply`; an exception in it becomes a 500 (recorded,
never propagated into the server thread's output).
"""

from __future__ import annotations

import json as jsonlib
import random
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

MAX_BODY = 5_000_000


@dataclass(frozen=True)
class Received:
    """One request the mock received."""

    method: str
    path: str  # without the query
    query: list[tuple[str, str]]
    headers: Mapping[str, str]  # names lower-cased
    body: bytes
    client_cert_der: bytes | None  # the verified client certificate (mTLS), if any
    at: float  # time.time() when it arrived

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        return jsonlib.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def json(cls, status: int, data: Any, headers: Mapping[str, str] | None = None) -> Reply:
        return cls(
            status,
            {"Content-Type": "application/json", **(headers or {})},
            jsonlib.dumps(data).encode("utf-8"),
        )


Handler = Callable[[Received], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # a burst of callers (the Logboek sources) must not wait in backlog
    mock: MockServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A failed TLS handshake (untrusted client certificate, plain HTTP) or a client that
        # hangs up: recorded, never printed.
        exc = sys.exc_info()[1]
        self.mock.errors.append(f"{client_address[0]}: {type(exc).__name__}: {exc}")


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK hold every answer back ~40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _handle(self) -> None:
        mock = self.server.mock
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, MAX_BODY)) if length > 0 else b""
        cert = None
        getpeercert = getattr(self.connection, "getpeercert", None)
        if getpeercert is not None:
            cert = getpeercert(binary_form=True) or None
        parts = urlsplit(self.path)
        received = Received(
            method=self.command,
            path=parts.path,
            query=parse_qsl(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            client_cert_der=cert,
            at=time.time(),
        )
        mock.record(received)
        try:
            reply = mock.handler(received)
        except Exception as exc:  # the mock must answer whatever its handler does
            mock.errors.append(f"{type(exc).__name__}: {exc}")
            reply = Reply.json(500, {"message": "mock handler error"})
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_CONNECT = _handle


class MockServer:
    """An HTTP(S) server on `host`:`port` (0: a free port) run in a thread."""

    def __init__(
        self,
        handler: Handler,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        cert_chain: tuple[str, str] | None = None,
        client_ca: str | None = None,
        name: str = "mock",
        ciphers: str | None = None,
    ) -> None:
        self.handler = handler
        self.name = name
        self.received: list[Received] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        try:
            self._server = _Server((host, port), _RequestHandler)
        except OSError as exc:
            raise OSError(
                f"{name}: cannot listen on {host}:{port}: {exc.strerror or exc}"
            ) from None
        self._server.mock = self
        self.scheme = "http"
        if cert_chain is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(*cert_chain)
            if ciphers is not None:  # OpenSSL cipher list (TLS 1.2 and lower)
                context.set_ciphers(ciphers)
            if client_ca is not None:
                context.verify_mode = ssl.CERT_REQUIRED
                context.load_verify_locations(client_ca)
            # The handshake happens in the request's thread, not in accept().
            self._server.socket = context.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
            self.scheme = "https"
        self.host = host
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"cgconform-{name}",
            daemon=True,
        )

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def record(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)

    def requests_since(self, mark: int) -> list[Received]:
        with self._lock:
            return list(self.received[mark:])

    def mark(self) -> int:
        with self._lock:
            return len(self.received)

    def start(self) -> MockServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def close(self) -> None:
        """Release the address of a server that was never started."""
        self._server.server_close()

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


# Below Linux's ephemeral range (32768-60999 by default): a port chosen now and bound later is
# not taken in between by the local end of some outgoing connection.
_STABLE_PORTS = (20000, 32000)
_handed_out: set[int] = set()  # not twice in one process: the caller may not have bound it yet
_handed_lock = threading.Lock()


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on `host` that nothing listens on right now, for a server that binds it
    later: from outside the ephemeral range where one is free, else any free port."""
    for _ in range(64):
        port = random.randint(*_STABLE_PORTS)
        with _handed_lock:
            if port in _handed_out:
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                try:
                    sock.bind((host, port))
                except OSError:
                    continue
            _handed_out.add(port)
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
