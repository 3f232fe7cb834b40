"""A burst of processings through the reference application: does every record arrive, and does
cgconform's receiver keep up? Compared, in one run, with the reference Logboek (a real store:
SQLite, confirmed only after the commit) as the receiving side.

For each receiver, per round: the reference application (OpenTelemetry SDK, BatchSpanProcessor,
OTLP/HTTP protobuf) exports to it; `--processings` requests `POST /v1/aanvragen` (two subjects,
BRP and RDW sources answering) are sent by `--workers` threads, half of them with the sampled
flag 00; then the clock runs until the receiver holds every expected record (records per
processing learnt from one warm-up processing) or `--timeout` passes. Printed per receiver:
the median over `--runs` rounds of the send time, the drain time (last answer to last record),
records per second end to end, and the records missing. Not a test: run it by hand.

    .venv/bin/python benchmarks/logboek_burst.py --processings 1000 --runs 3
"""

from __future__ import annotations

import argparse
import platform
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

import requests

from cgconform.fixtures.logboek.application.server import serve_application
from cgconform.fixtures.logboek.server import serve_logboek
from cgconform.http.mock_server import MockServer, free_port
from cgconform.suites.logboek.harness.receiver import Receiver
from cgconform.suites.logboek.harness.settings import Address, SourceSpec
from cgconform.suites.logboek.harness.sources import Source

BODY = {"bsn": "999993653", "kenteken": "AB123C", "partner_bsn": "999990019"}


@dataclass
class Round:
    sent_s: float
    drain_s: float
    expected: int
    received: int

    @property
    def records_per_s(self) -> float:
        return self.received / (self.sent_s + self.drain_s)


@contextmanager
def cgconform_receiver() -> Iterator[tuple[str, Callable[[], int]]]:
    receiver = Receiver(Address("127.0.0.1", 0), None).start()
    try:
        yield receiver.http.url, receiver.inbox.count
    finally:
        receiver.stop()


@contextmanager
def reference_logboek() -> Iterator[tuple[str, Callable[[], int]]]:
    with serve_logboek() as logboek:
        yield str(logboek.otlp_http_url), logboek.store.count


@contextmanager
def sources() -> Iterator[dict[str, str]]:
    running: list[MockServer] = []
    urls: dict[str, str] = {}
    for name, kind in (("brp", "brp-personen"), ("rdw", "rdw-voertuigen")):
        source = Source(SourceSpec(name, Address("127.0.0.1", free_port()), kind))
        source.server.start()
        running.append(source.server)
        urls[name] = source.url
    try:
        yield urls
    finally:
        for server in running:
            server.stop()


def _send(url: str, flags: str) -> int:
    traceparent = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-{flags}"
    answer = requests.post(url, json=BODY, headers={"traceparent": traceparent}, timeout=30)
    return answer.status_code


Receiving = Callable[[], AbstractContextManager[tuple[str, Callable[[], int]]]]


def one_round(receiver: Receiving, args: argparse.Namespace) -> Round:
    with sources() as source_urls, receiver() as (endpoint, count):  # noqa: SIM117
        with serve_application(logboek=endpoint, sources=source_urls) as app:
            url = f"{app.url}/v1/aanvragen"
            _send(url, "01")  # warm-up: records per processing
            deadline = time.monotonic() + args.timeout
            while count() == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1.0)
            per_processing = count()
            base = count()
            started = time.perf_counter()
            with ThreadPoolExecutor(args.workers) as pool:
                statuses = list(
                    pool.map(lambda i: _send(url, "00" if i % 2 else "01"), range(args.processings))
                )
            sent = time.perf_counter()
            expected = base + per_processing * args.processings
            while count() < expected and time.perf_counter() - sent < args.timeout:
                time.sleep(0.01)
            drained = time.perf_counter()
            failed = sum(1 for s in statuses if s >= 400)
            if failed:
                print(f"  {failed} processings were not served", file=sys.stderr)
            return Round(sent - started, drained - sent, expected - base, count() - base)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--processings", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    print(
        f"python {platform.python_version()}, {platform.machine()}, "
        f"{args.processings} processings x {args.runs} rounds, {args.workers} senders"
    )
    results: dict[str, list[Round]] = {"cgconform receiver": [], "reference Logboek (SQLite)": []}
    receivers = {
        "cgconform receiver": cgconform_receiver,
        "reference Logboek (SQLite)": reference_logboek,
    }
    for _ in range(args.runs):  # alternate, so that neither always runs on a warmer machine
        for name, receiver in receivers.items():
            results[name].append(one_round(receiver, args))
    print(f"{'receiver':28} {'send s':>8} {'drain s':>8} {'records/s':>10} {'received':>14}")
    medians: dict[str, float] = {}
    for name, rounds in results.items():
        send = statistics.median(r.sent_s for r in rounds)
        drain = statistics.median(r.drain_s for r in rounds)
        rate = statistics.median(r.records_per_s for r in rounds)
        medians[name] = drain
        got = f"{min(r.received for r in rounds)}/{rounds[0].expected}"
        print(f"{name:28} {send:8.2f} {drain:8.2f} {rate:10.0f} {got:>14}")
    ours, theirs = medians["cgconform receiver"], medians["reference Logboek (SQLite)"]
    ratio = theirs / ours if ours else float("inf")
    print(f"drain ratio reference Logboek / cgconform receiver: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
