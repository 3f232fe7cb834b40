"""The parkeervergunningen application on loopback, and the `[logboek]` target that lets
cgconform play its caller, its Logboek and its sources (BRP, RDW).

A variant is a flag name: a seeded defect (DEFECTS) or a conformant choice (CHOICES). The
application and its telemetry take both through their `defects` set; each flag is explained
where it acts (pv_app, pv_telemetry)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from pv_app import ACTIVITY_AANVRAGEN, ACTIVITY_TARIEVEN, Application
from pv_telemetry import make_provider

from cgconform.http.mock_server import free_port
from cgconform.model.target import Target, parse_target

DEFECTS = frozenset(
    {
        "drop-incoming-context",
        "no-outgoing-propagation",
        "parentbased-sampler",
        "ratio-sampler",
        "subjects-in-one-record",
        "only-first-subject",
        "missing-subject-type",
        "missing-activity-id",
        "ok-on-failure",
        "span-id-reused-in-trace",
        "fixed-trace-id",
        "no-exception-detail",
        "read-api-on-non-calling-record",
        "no-foreign-processor",
        "plain-bsn",
        "error-on-invalid-input",
        "subject-spans-new-trace",
        "failed-spans-not-ended",
        "small-export-queue",
        "wrong-activity",
        "activity-as-number",
        "processor-is-name",
        "forward-incoming-traceparent",
        "error-always",
        "unstable-pseudonym",
        "untraced-tarieven",
    }
)
# Conformant choices a team may make where the text leaves room (each documented where it is
# made); none of them should be a fail.
CHOICES = frozenset(
    {
        "instrumented-client-stack",
        "error-only-on-processing",
        "exception-as-attributes",
        "pseudonym-typed-bsn",
        "at-least-once-export",
        "background-job",
        "child-per-subject-always",
        "span-ids-repeat-across-traces",
    }
)


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None


@dataclass(frozen=True)
class Running:
    url: str


@contextmanager
def serve_parkeervergunningen(
    otlp_base_url: str, brp_url: str, rdw_url: str, defects: Iterable[str] = ()
) -> Iterator[Running]:
    chosen = frozenset(defects)
    unknown = chosen - DEFECTS - CHOICES
    if unknown:
        raise ValueError(f"unknown defects: {sorted(unknown)}")
    provider, ids = make_provider(f"{otlp_base_url}/v1/traces", chosen)
    app = Application(
        tracer=provider.get_tracer("parkeervergunningen"),
        ids=ids,
        brp_url=brp_url,
        rdw_url=rdw_url,
        defects=chosen,
    )
    server = make_server(
        "127.0.0.1",
        0,
        app.wsgi(),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stop = threading.Event()
    job = threading.Thread(target=app.background_job, args=(stop,), daemon=True)
    if "background-job" in chosen:
        job.start()
    try:
        yield Running(url=f"http://127.0.0.1:{server.server_port}")
    finally:
        stop.set()
        if job.is_alive():
            job.join(timeout=5)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        provider.shutdown()
        app.session.close()


BSN_AANVRAGER = "999993653"
BSN_PARTNER = "999990019"
PROCESSINGS: list[dict[str, Any]] = [
    {
        "name": "parkeervergunning met partner",
        "method": "POST",
        "path": "/api/v1/parkeervergunningen",
        "json": {"bsn": BSN_AANVRAGER, "kenteken": "AB123C", "partner_bsn": BSN_PARTNER},
        "subjects": [BSN_AANVRAGER, BSN_PARTNER],
        "activity": ACTIVITY_AANVRAGEN,
    },
    {
        "name": "parkeervergunning alleen",
        "method": "POST",
        "path": "/api/v1/parkeervergunningen",
        "json": {"bsn": BSN_PARTNER, "kenteken": "AB123C"},
        "subjects": [BSN_PARTNER],
        "activity": ACTIVITY_AANVRAGEN,
    },
    {
        "name": "tarieven",
        "method": "GET",
        "path": "/api/v1/tarieven",
        "activity": ACTIVITY_TARIEVEN,
    },
    {
        "name": "ongeldig bsn",
        "method": "POST",
        "path": "/api/v1/parkeervergunningen",
        "json": {"bsn": "123456789", "kenteken": "AB123C"},
        "invalid_input": True,
    },
]


@contextmanager
def parkeervergunningen_target(
    defects: Iterable[str] = (), *, burst: int = 12, flush_timeout: float = 10
) -> Iterator[Target]:
    listen, listen_grpc, brp, rdw = (free_port() for _ in range(4))
    with serve_parkeervergunningen(
        f"http://127.0.0.1:{listen}",
        f"http://127.0.0.1:{brp}",
        f"http://127.0.0.1:{rdw}",
        defects,
    ) as app:
        yield parse_target(
            {
                "name": "parkeervergunningen (independent implementation)",
                "urls": {"application": app.url},
                "budget": {"rate_limit": 500},
                "logboek": {
                    "listen": f"127.0.0.1:{listen}",
                    "listen_grpc": f"127.0.0.1:{listen_grpc}",
                    "flush_timeout": flush_timeout,
                    "burst": burst,
                    "sources": {
                        "brp": {"listen": f"127.0.0.1:{brp}", "kind": "brp-personen"},
                        "rdw": {"listen": f"127.0.0.1:{rdw}", "kind": "rdw-voertuigen"},
                    },
                    "processings": PROCESSINGS,
                },
            }
        )
