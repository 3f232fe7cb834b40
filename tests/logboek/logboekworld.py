"""The reference Logboek and the reference application on loopback, each with the target that
checks it, and running a Logboek profile against them in-process (for the self-tests)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cgtest.profilerun import explain, run_profile, verdicts

from cgconform.fixtures.logboek.application.server import serve_application
from cgconform.fixtures.logboek.server import serve_logboek
from cgconform.fixtures.tls import TlsFiles, make_tls_files
from cgconform.http.mock_server import free_port
from cgconform.model.target import Target, parse_target

READER_ACTIVITY = "https://register.example.nl/verwerkingsactiviteiten/lezen-test"
READERS = {
    "cg-reader-a": {"activities": [READER_ACTIVITY]},
    "cg-reader-b": {"activities": ["https://register.example.nl/verwerkingsactiviteiten/anders"]},
}
READ_LIMIT = 200


@contextmanager
def logboek_target(
    folder: Path, defects: Iterable[str] = (), *, readers: bool = True
) -> Iterator[Target]:
    """The reference Logboek over TLS (OTLP/HTTP, OTLP/gRPC + logboek.v1, read API)."""
    tls = make_tls_files(folder)
    os.environ["CG_TEST_READER_A"] = "cg-reader-a"
    os.environ["CG_TEST_READER_B"] = "cg-reader-b"
    with serve_logboek(
        tls=tls,
        grpc=True,
        read_api=True,
        readers=READERS if readers else None,
        read_limit=READ_LIMIT,
        defects=frozenset(defects),
    ) as logboek:
        read: dict[str, Any] = {"max_results": READ_LIMIT}
        if readers:
            read |= {
                "bearer": "env:CG_TEST_READER_A",
                "unentitled_bearer": "env:CG_TEST_READER_B",
                "activity": READER_ACTIVITY,
            }
        yield parse_target(
            {
                "name": "reference Logboek",
                "urls": {
                    name: url
                    for name, url in (
                        ("logboek", logboek.otlp_http_url),
                        ("logboek_grpc", logboek.grpc_address),
                        ("read_api", logboek.read_api_url),
                    )
                    if url is not None
                },
                "tls": {"ca_bundle": str(tls.ca)},
                "budget": {"rate_limit": 500},
                "logboek": {"read": read},
            }
        )


PROCESSINGS = [
    {
        "name": "aanvragen",
        "method": "POST",
        "path": "/v1/aanvragen",
        "json": {"bsn": "999993653", "kenteken": "AB123C", "partner_bsn": "999990019"},
        "subjects": ["999993653", "999990019"],
    },
    {"name": "tarieven", "method": "GET", "path": "/v1/tarieven"},
    {
        "name": "ongeldige aanvraag",
        "method": "POST",
        "path": "/v1/aanvragen",
        "json": {"bsn": "123", "kenteken": "AB123C"},
        "invalid_input": True,
    },
]


@contextmanager
def application_target(
    defects: Iterable[str] = (),
    *,
    protocol: str = "http/protobuf",
    burst: int = 20,
    tls: TlsFiles | None = None,
) -> Iterator[Target]:
    """The reference application, pointed at the Logboek and sources cgconform plays (over TLS
    to the Logboek when `tls` is given: the receiver presents its server certificate)."""
    listen, listen_grpc, brp, rdw = (free_port() for _ in range(4))
    scheme = "https" if tls else "http"
    logboek = f"127.0.0.1:{listen_grpc}" if protocol == "grpc" else f"{scheme}://127.0.0.1:{listen}"
    receiver_tls = {"tls_cert": str(tls.server_cert), "tls_key": str(tls.server_key)} if tls else {}
    with serve_application(
        logboek=logboek,
        protocol=protocol,
        sources={"brp": f"http://127.0.0.1:{brp}", "rdw": f"http://127.0.0.1:{rdw}"},
        defects=frozenset(defects),
        tls_ca=str(tls.ca) if tls else None,
    ) as app:
        yield parse_target(
            {
                "name": "reference application",
                "urls": {"application": app.url},
                "budget": {"rate_limit": 500},
                "logboek": {
                    "listen": f"127.0.0.1:{listen}",
                    "listen_grpc": f"127.0.0.1:{listen_grpc}",
                    "flush_timeout": 10,
                    "burst": burst,
                    "sources": {
                        "brp": {"listen": f"127.0.0.1:{brp}", "kind": "brp-personen"},
                        "rdw": {"listen": f"127.0.0.1:{rdw}", "kind": "rdw-voertuigen"},
                    },
                    "processings": PROCESSINGS,
                    **receiver_tls,
                },
            }
        )


__all__ = ["explain", "run_profile", "verdicts"]
