"""The independent Logboek on one loopback port: OTLP/HTTP at `/v1/traces` and the read API at
`/lezen/v1/processing-activities`, behind TLS (the first byte of each connection decides)."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from . import otlp_intake
from .read_api import READ_SHAPES, ReadSettings, answer
from .store import Store

OTLP_PATH = "/v1/traces"
READ_BASE = "/lezen/v1"
READ_PATH = READ_BASE + "/processing-activities"
MAX_BODY = 4 * 1024 * 1024
_TLS_HANDSHAKE = 0x16

DEFECTS: dict[str, str] = {
    "plain_http_accepted": "a connection without TLS is served like one with TLS",
    "unstorable_confirmed": "a request with records it cannot store is still answered 200",
    "attributes_truncated": "string values outside dpl.core.* are cut to 16 characters on store",
    "attributes_stringified": "non-string attribute values are stored as JSON text",
    "foreign_attributes_dropped": "attributes outside the dpl namespace are not stored",
    "times_shifted": "the read API gives local (CET) times labelled Z: one hour late",
    "no_400_without_filter": "a read without a filter returns everything instead of 400",
    "subject_filter_ignored": "the dataSubjectId filter is ignored (other subjects leak)",
    "subject_prefix_match": "dataSubjectId matches by prefix (a LIKE 'x%'): look-alikes leak",
    "trace_filter_roots_only": "the traceID filter returns only root actions",
    "reader_not_authorised": "any known reader sees every activity (no access rule)",
    "no_auth": "the read API answers without any authentication",
    "status_lost": "the status of a record is stored as Unset",
    "parent_dropped": "parent_span_id is not stored",
    "resource_dropped": "resource attributes are not stored",
    "time_filter_local": "startTime/endTime in UTC are read as CET wall-clock time (1 h early)",
    "activity_filter_ignored": "the dpl.core.processingActivityID filter is ignored",
    "foreign_operation_dropped": "dpl.core.foreign_operation.* attributes are not stored",
    "limit_ignored": "the stated cap on the number of records returned is not applied",
}


@dataclass(frozen=True)
class Settings:
    """Everything that makes one Logboek: its style choices and seeded defects."""

    readers: Mapping[str, frozenset[str]] | None
    read_shape: str = "traces"
    max_results: int = 200
    reject_style: str = "atomic"  # "atomic": 400 for the request; "partial": OTLP partial success
    plain_style: str = "close"  # a non-TLS connection: "close", "400" (nginx) or "redirect" (308)
    plain_problems: bool = False  # read API errors as text/plain instead of problem+json
    accept_json: bool = True
    times_with_offset: bool = False
    defects: frozenset[str] = frozenset()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, tls: ssl.SSLContext, settings: Settings) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.tls = tls
        self.settings = settings
        self.store = Store(subject_prefix_match="subject_prefix_match" in settings.defects)
        self.journal: list[str] = []  # "METHOD path -> status", for a test's own diagnostics
        self.read_settings = ReadSettings(
            readers=settings.readers,
            read_shape=settings.read_shape,
            max_results=settings.max_results,
            times_with_offset=settings.times_with_offset,
            plain_problems=settings.plain_problems,
            defects=settings.defects,
        )

    def finish_request(self, request: Any, client_address: Any) -> None:
        connection: socket.socket = request
        connection.settimeout(15)
        try:
            first = connection.recv(1, socket.MSG_PEEK)
        except OSError:
            return
        if not first:
            return
        if first[0] == _TLS_HANDSHAKE:
            try:
                connection = self.tls.wrap_socket(connection, server_side=True)
            except (ssl.SSLError, OSError):
                return
        elif "plain_http_accepted" not in self.settings.defects:
            if self.settings.plain_style in ("400", "redirect"):
                _refuse_plain(connection, redirect=self.settings.plain_style == "redirect")
            return
        try:
            _Handler(connection, client_address, self)
        finally:
            if connection is not request:
                connection.close()


def _refuse_plain(connection: socket.socket, *, redirect: bool) -> None:
    """What a web server does on its TLS port: read the request, store nothing, and answer
    `400` in plain text (nginx) or `308` to the https URL."""
    try:
        head = connection.recv(65536)
        line = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
        path = line[1] if len(line) > 1 else "/"
        port = connection.getsockname()[1]
        body = b"The plain HTTP request was sent to an HTTPS port.\n"
        status = "308 Permanent Redirect" if redirect else "400 Bad Request"
        location = f"Location: https://127.0.0.1:{port}{path}\r\n" if redirect else ""
        connection.sendall(
            f"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nConnection: close\r\n".encode()
            + location.encode()
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
    except OSError:
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_PUT(self) -> None:
        self._route("PUT")

    def do_DELETE(self) -> None:
        self._route("DELETE")

    def _route(self, method: str) -> None:
        path, _, query = self.path.partition("?")
        body = self._body()
        if body is None:
            return
        if path == OTLP_PATH:
            if method != "POST":
                self._send(405, b"", {"Allow": "POST"})
            else:
                self._export(body)
            return
        if path == READ_PATH:
            headers = {k.lower(): v for k, v in self.headers.items()}
            result = answer(self.server.store, method, query, headers, self.server.read_settings)
            self._send(result.status, result.body, result.headers)
            return
        self._send(404, b"not found\n", {"Content-Type": "text/plain"})

    def _body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self._send(411, b"send Content-Length\n", {"Content-Type": "text/plain"})
            return None
        try:
            size = int(length) if length else 0
        except ValueError:
            size = -1
        if size < 0 or size > MAX_BODY:
            self._send(413, b"body too large or bad Content-Length\n", {"Connection": "close"})
            return None
        return self.rfile.read(size) if size else b""

    def _export(self, raw: bytes) -> None:
        settings = self.server.settings
        content_type = otlp_intake.media_type(self.headers.get("Content-Type"))
        if content_type == otlp_intake.JSON and not settings.accept_json:
            content_type = "unsupported"
        answer_type = otlp_intake.JSON if content_type == otlp_intake.JSON else otlp_intake.PROTOBUF
        try:
            body = otlp_intake.decode_body(raw, self.headers.get("Content-Encoding"))
            request = otlp_intake.parse_request(body, content_type)
        except otlp_intake.IntakeError as exc:
            self._send(
                exc.status,
                otlp_intake.failure(answer_type, exc.message),
                {"Content-Type": answer_type},
            )
            return
        intake = otlp_intake.take_in(request)
        records = [otlp_intake.alter(r, settings.defects) for r in intake.records]
        message = "; ".join(intake.invalid)
        if intake.invalid and "unstorable_confirmed" not in settings.defects:
            if settings.reject_style == "partial":
                self.server.store.put(records)
                payload = otlp_intake.success(
                    answer_type, rejected=len(intake.invalid), message=message
                )
                self._send(200, payload, {"Content-Type": answer_type})
            else:
                failure = otlp_intake.failure(answer_type, "nothing stored: " + message)
                self._send(400, failure, {"Content-Type": answer_type})
            return
        self.server.store.put(records)
        self._send(200, otlp_intake.success(answer_type), {"Content-Type": answer_type})

    def _send(self, status: int, body: bytes, headers: Mapping[str, str]) -> None:
        self.server.journal.append(f"{self.command} {self.path} -> {status}")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@dataclass(frozen=True)
class RunningLogboek:
    otlp_url: str  # the OTLP/HTTP base URL ([urls] logboek)
    read_api_url: str  # [urls] read_api
    store: Store
    journal: list[str]


@contextmanager
def serve_independent_logboek(
    cert: Path, key: Path, settings: Settings
) -> Iterator[RunningLogboek]:
    """Run the Logboek on 127.0.0.1 (a free port) until the block ends."""
    unknown = settings.defects - DEFECTS.keys()
    if unknown:
        raise ValueError(f"unknown defects: {sorted(unknown)}")
    if settings.read_shape not in READ_SHAPES:
        raise ValueError(f"read_shape is one of {READ_SHAPES}")
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.minimum_version = ssl.TLSVersion.TLSv1_2
    tls.load_cert_chain(cert, key)
    server = _Server(tls, settings)
    thread = threading.Thread(target=server.serve_forever, name="independent-logboek", daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        yield RunningLogboek(
            otlp_url=f"https://127.0.0.1:{port}",
            read_api_url=f"https://127.0.0.1:{port}{READ_BASE}",
            store=server.store,
            journal=server.journal,
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        server.store.close()
