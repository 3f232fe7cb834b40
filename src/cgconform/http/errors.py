"""Network errors as one short human line (part of the HTTP layer, `http.py`)."""

from __future__ import annotations

import http.client
import re
import socket
import ssl
from collections.abc import Iterator

import requests
import urllib3

# Mistakes of the suite or its configuration, not the target's: these propagate as they are.
USAGE_ERRORS = (
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.URLRequired,
)
# What the network or the target can raise while sending or reading.
NETWORK_ERRORS = (
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
)
_TOO_MANY_HEADERS = re.compile(r"got more than (\d+) headers")
_TIMEOUTS = (
    requests.exceptions.Timeout,
    urllib3.exceptions.TimeoutError,
    TimeoutError,
)
_OBJECT_REPR = re.compile(r"<[^<>]* object at 0x[0-9a-fA-F]+>:?\s*|\s*\(_ssl\.c:\d+\)")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and every exception it wraps (causes, contexts, urllib3 reasons, args)."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        e = stack.pop(0)
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        for inner in (e.__cause__, e.__context__, getattr(e, "reason", None), *e.args):
            if isinstance(inner, BaseException):
                stack.append(inner)


def is_timeout(exc: BaseException) -> bool:
    """Whether a network error is a timeout (no connection or no data in time)."""
    return any(
        isinstance(e, _TIMEOUTS) and not isinstance(e, urllib3.exceptions.NewConnectionError)
        for e in _causes(exc)
    )


def describe(exc: BaseException, timeout_s: float) -> str:
    """A short, human cause for a network error: no reprs, no tracebacks, one line."""
    causes = list(_causes(exc))

    def find(*types: type[BaseException]) -> BaseException | None:
        return next((e for e in causes if isinstance(e, types)), None)

    tls = find(ssl.SSLError)
    if isinstance(tls, ssl.SSLError):
        return _describe_tls(tls)
    if find(requests.exceptions.SSLError) is not None:
        return "TLS error"
    if find(ConnectionRefusedError) is not None:
        return "connection refused"
    if find(socket.gaierror, urllib3.exceptions.NameResolutionError) is not None:
        return "the host name could not be resolved"
    connect_timeout = find(
        requests.exceptions.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError
    )
    # urllib3's NewConnectionError is a ConnectTimeoutError too, whatever its cause.
    if connect_timeout is not None and not isinstance(
        connect_timeout, urllib3.exceptions.NewConnectionError
    ):
        return f"no connection within {timeout_s:g} s"
    if find(requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError, TimeoutError):
        return f"no data within {timeout_s:g} s"
    if find(requests.exceptions.TooManyRedirects) is not None:
        return "too many redirects"
    if find(requests.exceptions.ContentDecodingError, urllib3.exceptions.DecodeError):
        return "the response body could not be decoded (Content-Encoding)"
    if find(http.client.LineTooLong) is not None:
        return "the response has a line longer than http.client reads (65536 bytes)"
    too_many = next((m for e in causes if (m := _TOO_MANY_HEADERS.match(str(e)))), None)
    if too_many is not None:
        return f"the response has more than {too_many[1]} header fields (refused unread)"
    if find(http.client.RemoteDisconnected) is not None:
        return "the server closed the connection without answering"
    if find(ConnectionResetError) is not None:
        return "the connection was reset by the server"
    if find(http.client.IncompleteRead, urllib3.exceptions.ProtocolError) is not None:
        return "the connection broke off during the response"
    if (os_error := _plain_os_error(causes)) is not None:
        return str(os_error.strerror).lower()  # e.g. "network is unreachable"
    return _one_line(exc)


def _plain_os_error(causes: list[BaseException]) -> OSError | None:
    """The operating system's own error among `causes` (not a library's wrapper)."""
    for e in causes:
        if isinstance(e, OSError) and type(e).__module__ == "builtins" and e.strerror:
            return e
    return None


def _describe_tls(error: ssl.SSLError) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"TLS certificate verification failed: {error.verify_message}"
    reason = str(getattr(error, "reason", None) or "")
    if isinstance(error, ssl.SSLEOFError) or reason == "UNEXPECTED_EOF_WHILE_READING":
        return (
            "TLS error: the server closed the connection during the handshake "
            "(does it want a client certificate?)"
        )
    if reason == "WRONG_VERSION_NUMBER":
        return "TLS error: the server does not speak TLS (plain HTTP?)"
    if reason:
        return f"TLS error: {reason.replace('_', ' ').lower()}"
    return f"TLS error: {_one_line(error)}"


def _one_line(exc: BaseException) -> str:
    text = _OBJECT_REPR.sub("", str(exc))
    text = " ".join(text.split()) or type(exc).__name__
    return text[:200]
