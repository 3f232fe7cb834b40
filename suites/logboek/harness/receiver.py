"""The Logboek cgconform plays for `logboek-application`: OTLP/HTTP (`POST /v1/traces`,
protobuf and JSON) on `[logboek] listen`, and OTLP/gRPC plus `logboek.v1` on `listen_grpc`.
Every export is confirmed (the receiver itself is conformant: a refused export would make the
application's records look lost) unless it cannot be decoded; every record is kept with the
transport that carried it.
"""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cgconform.http.grpc import GrpcAbort, GrpcServer
from cgconform.http.mock_server import MockServer, Received, Reply
from cgconform.suites.logboek.harness import wire
from cgconform.suites.logboek.harness.otlp import (
    JSON,
    PROTOBUF,
    Undecodable,
    decode_request,
    media_type,
)
from cgconform.suites.logboek.harness.records import Record, from_logboek_v1, from_otlp
from cgconform.suites.logboek.harness.settings import Address

_STATUS_400 = b"\x08\x03\x12\x0bundecodable"  # google.rpc.Status{code: 3, message}


@dataclass(frozen=True)
class Export:
    """One export the application made: how, when, how many records, or why it was refused."""

    transport: str
    at: float
    records: int
    error: str = ""
    content_type: str = ""


class Inbox:
    """The records received so far, in order, safe to read while exports arrive."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[Record] = []
        self._exports: list[Export] = []
        self._changed = threading.Condition(self._lock)

    def add(self, records: list[Record], export: Export) -> None:
        with self._changed:
            self._records.extend(records)
            self._exports.append(export)
            self._changed.notify_all()

    def refuse(self, export: Export) -> None:
        with self._lock:
            self._exports.append(export)

    @property
    def records(self) -> list[Record]:
        with self._lock:
            return list(self._records)

    @property
    def exports(self) -> list[Export]:
        with self._lock:
            return list(self._exports)

    def count(self) -> int:
        with self._lock:
            return len(self._records)

    def wait_until(self, done: Callable[[list[Record]], bool], timeout_s: float) -> bool:
        """Wait until `done(records)` holds or `timeout_s` passed; whether it holds."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while not done(list(self._records)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(min(remaining, 0.2))
            return True

    def wait_quiet(self, quiet_s: float, timeout_s: float) -> None:
        """Wait until no record arrived for `quiet_s`, at most `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        last = self.count()
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.05)
            now = self.count()
            if now != last:
                last, quiet_since = now, time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_s:
                return


def _body(received: Received) -> bytes:
    encoding = (received.header("content-encoding") or "").lower()
    if encoding == "gzip":
        return gzip.decompress(received.body)
    if encoding == "deflate":
        return zlib.decompress(received.body)
    return received.body


class Receiver:
    """OTLP/HTTP and (when `grpc_listen` is given) OTLP/gRPC and logboek.v1, into one Inbox."""

    def __init__(
        self,
        listen: Address,
        grpc_listen: Address | None,
        tls: tuple[str, str] | None = None,
    ) -> None:
        self.inbox = Inbox()
        self.http = MockServer(
            self._http, host=listen.host, port=listen.port, name="logboek-receiver", cert_chain=tls
        )
        self.grpc: GrpcServer | None = None
        if grpc_listen is not None:
            self.grpc = GrpcServer(
                {wire.OTLP_TRACE_EXPORT: self._otlp_grpc, wire.LOGBOEK_EXPORT: self._logboek_v1},
                host=grpc_listen.host,
                port=grpc_listen.port,
                name="logboek-receiver-grpc",
                cert_chain=tls,
            )

    @property
    def traces_url(self) -> str:
        return f"{self.http.url}/v1/traces"

    def start(self) -> Receiver:
        self.http.start()
        if self.grpc is not None:
            try:
                self.grpc.start()
            except Exception:
                self.http.stop()
                raise
        return self

    def stop(self) -> None:
        self.http.stop()
        if self.grpc is not None:
            self.grpc.stop()

    # -- OTLP/HTTP --------------------------------------------------------------------------

    def _http(self, received: Received) -> Reply:
        if received.method != "POST" or received.path.rstrip("/") != "/v1/traces":
            return Reply(404, {"Content-Type": "text/plain"}, b"OTLP/HTTP: POST /v1/traces\n")
        content_type = media_type(received.header("content-type"))
        transport = "otlp-http-json" if content_type == JSON else "otlp-http-protobuf"
        try:
            request = decode_request(_body(received), content_type)
        except (Undecodable, OSError, EOFError, zlib.error) as exc:
            self.inbox.refuse(Export(transport, time.time(), 0, str(exc)[:300], content_type))
            return Reply(400, {"Content-Type": PROTOBUF}, _STATUS_400)
        records = from_otlp(request, transport, time.time())
        self.inbox.add(records, Export(transport, time.time(), len(records), "", content_type))
        body = b"{}" if content_type == JSON else b""
        return Reply(200, {"Content-Type": content_type or PROTOBUF}, body)

    # -- gRPC -------------------------------------------------------------------------------

    def _otlp_grpc(self, body: bytes, metadata: Mapping[str, str]) -> bytes:
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
        )

        request = ExportTraceServiceRequest()
        try:
            request.ParseFromString(body)
        except Exception as exc:
            self.inbox.refuse(Export("otlp-grpc", time.time(), 0, str(exc)[:300]))
            raise GrpcAbort("INVALID_ARGUMENT", "not an ExportTraceServiceRequest") from None
        records = from_otlp(request, "otlp-grpc", time.time())
        self.inbox.add(records, Export("otlp-grpc", time.time(), len(records)))
        return b""

    def _logboek_v1(self, body: bytes, metadata: Mapping[str, str]) -> bytes:
        request = wire.ExportOperationsRequest()
        try:
            request.ParseFromString(body)
        except Exception as exc:
            self.inbox.refuse(Export("logboek-v1", time.time(), 0, str(exc)[:300]))
            raise GrpcAbort("INVALID_ARGUMENT", "not an ExportOperationsRequest") from None
        records = from_logboek_v1(request, time.time())
        self.inbox.add(records, Export("logboek-v1", time.time(), len(records)))
        return b""
