"""gRPC, the way the rest of the network layer does HTTP: unary calls with TLS from the target's
configuration, a deadline, and evidence a report can show (the call, its status, a `grpcurl`
line to repeat it); and servers a suite runs when it plays a party the target calls (a receiver
for the target's exports). Messages travel as bytes: encoding them is the caller's business,
so the engine knows no service.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc

from cgconform.model.target import TlsConfig

# A handler gets the request bytes and the call's metadata (names lower-cased) and returns the
# response bytes; it raises GrpcAbort to answer with a status other than OK.
UnaryHandler = Callable[[bytes, Mapping[str, str]], bytes]

MAX_MESSAGE = 16 * 1024 * 1024


class GrpcAbort(Exception):
    """Raised by a server handler: answer with this status code (a `grpc.StatusCode` name)."""

    def __init__(self, code: str, details: str) -> None:
        super().__init__(details)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class GrpcResult:
    """One unary call and what came back."""

    address: str
    method: str  # "/package.Service/Method"
    secure: bool
    code: str  # "OK", "INVALID_ARGUMENT", "UNAVAILABLE", ...
    details: str
    response: bytes | None
    elapsed_s: float
    request_excerpt: str = ""

    @property
    def ok(self) -> bool:
        return self.code == "OK"

    @property
    def reached(self) -> bool:
        """Whether a gRPC server answered (anything but a transport failure or a deadline)."""
        return self.code not in ("UNAVAILABLE", "DEADLINE_EXCEEDED")

    def line(self) -> str:
        scheme = "grpcs" if self.secure else "grpc"
        details = f" ({self.details[:200]})" if self.details else ""
        return f"{scheme}://{self.address}{self.method} -> {self.code}{details}"

    def to_evidence(self) -> dict[str, Any]:
        scheme = "grpcs" if self.secure else "grpc"
        request: dict[str, Any] = {
            "method": "POST",
            "url": f"{scheme}://{self.address}{self.method}",
            "headers": {"content-type": "application/grpc"},
        }
        if self.request_excerpt:
            request["body_excerpt"] = self.request_excerpt
        flags = "" if self.secure else " -plaintext"
        service, _, rpc = self.method.strip("/").partition("/")
        return {
            "request": request,
            "note": f"gRPC status {self.code}"
            + (f": {self.details[:500]}" if self.details else ""),
            "reproduce": f"grpcurl{flags} -d @ {self.address} {service}/{rpc}  # body: the "
            "message in body_excerpt, as JSON",
        }


def _credentials(tls: TlsConfig) -> grpc.ChannelCredentials:
    def read(path: Path | None) -> bytes | None:
        return path.read_bytes() if path is not None else None

    return grpc.ssl_channel_credentials(
        root_certificates=read(tls.ca_bundle),
        private_key=read(tls.client_key),
        certificate_chain=read(tls.client_cert),
    )


def strip_scheme(address: str) -> tuple[str, bool | None]:
    """``grpcs://host:port`` -> (host:port, True); ``grpc://`` -> False; bare -> None."""
    for scheme, secure in (("grpcs://", True), ("grpc://", False)):
        if address.startswith(scheme):
            return address[len(scheme) :], secure
    return address, None


def unary_call(
    address: str,
    method: str,
    payload: bytes,
    *,
    tls: TlsConfig | None,
    timeout_s: float,
    metadata: Mapping[str, str] | None = None,
    request_excerpt: str = "",
) -> GrpcResult:
    """Call `method` on `address` once; `tls` None means a plaintext channel. Never raises for
    what the server or the network does: the result says it."""
    target, _ = strip_scheme(address)
    options = [
        ("grpc.max_receive_message_length", MAX_MESSAGE),
        ("grpc.enable_retries", 0),
    ]
    channel = (
        grpc.secure_channel(target, _credentials(tls), options=options)
        if tls is not None
        else grpc.insecure_channel(target, options=options)
    )
    started = time.monotonic()
    try:
        call: Any = channel.unary_unary(method)
        response = call(payload, timeout=timeout_s, metadata=tuple((metadata or {}).items()))
        code, details, body = "OK", "", response
    except grpc.RpcError as exc:
        status = exc.code() if hasattr(exc, "code") else None
        code = status.name if status is not None else "UNKNOWN"
        details = (exc.details() if hasattr(exc, "details") else str(exc)) or ""
        body = None
    except ValueError as exc:  # a malformed address
        code, details, body = "INVALID_ADDRESS", str(exc), None
    finally:
        channel.close()
    return GrpcResult(
        address=target,
        method=method,
        secure=tls is not None,
        code=code,
        details=str(details),
        response=body if isinstance(body, bytes) else None,
        elapsed_s=time.monotonic() - started,
        request_excerpt=request_excerpt,
    )


@dataclass
class GrpcServer:
    """A gRPC server on `host`:`port` (0: a free port) answering unary `handlers` by full
    method name, with TLS when `cert_chain` (certificate, key paths) is given. Every call is
    recorded (method, metadata, bytes, time); an exception in a handler becomes INTERNAL."""

    handlers: Mapping[str, UnaryHandler]
    host: str = "127.0.0.1"
    port: int = 0
    cert_chain: tuple[str, str] | None = None
    name: str = "grpc"
    workers: int = 8
    calls: list[tuple[str, Mapping[str, str], bytes, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix=self.name),
            options=[("grpc.max_receive_message_length", MAX_MESSAGE), ("grpc.so_reuseport", 0)],
        )
        self._server.add_generic_rpc_handlers((_Generic(self),))
        address = f"{self.host}:{self.port}"
        try:
            if self.cert_chain is not None:
                cert, key = (Path(p).read_bytes() for p in self.cert_chain)
                bound = self._server.add_secure_port(
                    address, grpc.ssl_server_credentials([(key, cert)])
                )
            else:
                bound = self._server.add_insecure_port(address)
        except RuntimeError as exc:
            raise OSError(f"{self.name}: cannot listen on {address}: {exc}") from None
        if not bound:
            raise OSError(f"{self.name}: cannot listen on {address} (in use?)")
        self.port = bound

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> GrpcServer:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop(grace=0.5).wait(5)

    def __enter__(self) -> GrpcServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _record(self, method: str, metadata: Mapping[str, str], body: bytes) -> None:
        with self._lock:
            self.calls.append((method, metadata, body, time.time()))

    def _answer(self, method: str, body: bytes, context: grpc.ServicerContext) -> bytes:
        metadata = {k.lower(): v for k, v in context.invocation_metadata() if isinstance(v, str)}
        self._record(method, metadata, body)
        try:
            return self.handlers[method](body, metadata)
        except GrpcAbort as abort:
            context.abort(
                getattr(grpc.StatusCode, abort.code, grpc.StatusCode.UNKNOWN), abort.details
            )
        except Exception as exc:  # a fault in the handler: recorded, answered INTERNAL
            with self._lock:
                self.errors.append(f"{method}: {type(exc).__name__}: {exc}")
            context.abort(grpc.StatusCode.INTERNAL, f"{type(exc).__name__}")
        raise AssertionError("unreachable")  # context.abort raises


class _Generic(grpc.GenericRpcHandler):
    def __init__(self, server: GrpcServer) -> None:
        self._server = server

    def service(
        self, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler[Any, Any] | None:
        method = handler_call_details.method
        if method not in self._server.handlers:
            return None  # UNIMPLEMENTED

        def unary(body: bytes, context: grpc.ServicerContext) -> bytes:
            return self._server._answer(method, body, context)

        return grpc.unary_unary_rpc_method_handler(unary)
