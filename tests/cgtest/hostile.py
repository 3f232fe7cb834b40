"""A hostile target for the suite's own tests (issue 17): a :class:`LocalServer` that serves a
normal small OpenAPI document at ``/openapi.json`` and answers every other request in one
hostile way, chosen per server::

    with hostile_server("gzip-bomb") as server:
        cli("run", "--profile", "adr-runtime", "--url", server.base_url, "--timeout", "2")

Nothing big is ever held in memory: huge bodies and the gzip bomb are generated chunk by
chunk while the client reads, and stop when it hangs up (or the server is stopped).
"""

from __future__ import annotations

import itertools
import json
import zlib
from collections.abc import Callable, Iterator
from typing import Any

from cgtest.servers import LocalServer, Received, Reply

SCRIPT = "<script>alert('cg')</script>"
"""The payload of the `html` mode; it must never reach an HTML report unescaped."""

DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Hostile", "version": "1.0.0", "contact": {"email": "a@example.org"}},
    "servers": [{"url": "/"}],
    "paths": {
        "/things": {
            "get": {
                "operationId": "listThings",
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 10},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "things",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "id": {"type": "integer"},
                                            "created": {"type": "string", "format": "date-time"},
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "400": {
                        "description": "bad input",
                        "content": {"application/problem+json": {"schema": {"type": "object"}}},
                    },
                },
            }
        },
        "/things/{id}": {
            "get": {
                "operationId": "getThing",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": {
                    "200": {
                        "description": "a thing",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "404": {
                        "description": "no such thing",
                        "content": {"application/problem+json": {"schema": {"type": "object"}}},
                    },
                },
            }
        },
    },
}

_MB = 1024 * 1024


def _endless(chunk: bytes, limit_bytes: int) -> Iterator[bytes]:
    """`chunk` again and again, `limit_bytes` in all (the client hangs up long before)."""
    for _ in range(limit_bytes // len(chunk)):
        yield chunk


def _huge(_: Received) -> Reply:
    # a JSON array of 200 MB, no Content-Length: the connection closes at the end
    head = [b'[{"id": 1, "created": "2024-01-01T00:00:00Z"}']
    rest = _endless(b', {"id": 1, "created": "2024-01-01T00:00:00Z"}' * 1400, 200 * _MB)
    return Reply(200, {"Content-Type": "application/json"}, itertools.chain(head, rest))


def _slow(_: Received) -> Reply:
    return Reply(200, {"Content-Type": "application/json"}, (b"[" for _ in range(3600)), 1.0)


def _silent(_: Received) -> Reply:
    return Reply(raw=[b""], delay_s=3600.0)  # accepted, then nothing until the server stops


def _self_redirect(received: Received) -> Reply:
    return Reply(302, {"Location": received.target, "Content-Type": "text/plain"}, b"again")


def _gzip_bomb_chunks() -> Iterator[bytes]:
    """About 10 MB of gzip inflating to 10 GB of zeros, compressed as it is read."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
    zeros = bytes(_MB)
    for _ in range(10 * 1024):
        block = compressor.compress(zeros)
        if block:
            yield block
    yield compressor.flush()


def _gzip_bomb(_: Received) -> Reply:
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    return Reply(200, headers, _gzip_bomb_chunks())


def _many_headers(_: Received) -> Reply:
    big = "x" * 8192
    headers = [("Content-Type", "application/json")]
    headers += [(f"X-Padding-{i}", big) for i in range(300)]
    return Reply(200, headers, b"[]")


def _bad_utf8(received: Received) -> Reply:
    body = b'{"id": 1, "name": "\xff\xfe\xc3\x28 nul:\x00 end", "created": "2024-01-01T00:00:00Z"}'
    if received.path == "/things":
        body = b"[" + body + b"]"
    return Reply(200, {"Content-Type": "application/json; charset=utf-8"}, body)


def _short_body(_: Received) -> Reply:
    # Content-Length promises 10000 bytes; 20 come, then the connection closes
    body = b'[{"id": 1}, {"id": 2}'
    return Reply(
        raw=[
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10000\r\n\r\n" + body
        ]
    )


def _deep(_: Received) -> Reply:
    depth = 100_000
    return Reply(200, {"Content-Type": "application/json"}, b"[" * depth + b"]" * depth)


def _html(received: Received) -> Reply:
    problem = {
        "type": "about:blank",
        "title": SCRIPT,
        "status": 400,
        "detail": f"{SCRIPT}<img src=x onerror=alert(1)>",
    }
    headers = {
        "Content-Type": "application/problem+json",
        "X-Injected": SCRIPT,
        "Location": f"javascript:alert(1)//{SCRIPT}",
    }
    status = 400 if received.query else 500
    return Reply(status, headers, json.dumps({**problem, "status": status}).encode())


MODES: dict[str, Callable[[Received], Reply]] = {
    "huge-body": _huge,
    "slow": _slow,
    "silent": _silent,
    "self-redirect": _self_redirect,
    "gzip-bomb": _gzip_bomb,
    "many-headers": _many_headers,
    "bad-utf8": _bad_utf8,
    "short-body": _short_body,
    "deep-json": _deep,
    "html": _html,
}


def _document(_: Received) -> Reply:
    return Reply(200, {"Content-Type": "application/json"}, json.dumps(DOCUMENT).encode())


def hostile_server(mode: str) -> LocalServer:
    """A server (not yet started) that answers everything but the document the `mode` way."""
    return LocalServer(routes={"/openapi.json": _document}, default=MODES[mode])
