"""One run against an application that processes personal data: cgconform starts processings
as the caller, receives the records as the Logboek and answers as the sources, once per run;
every check of `logboek-application` reads the observations this leaves
(docs/logboek-notes.md, "How the application is exercised").

The scenarios, per configured processing:
- `fresh` (twice): no `traceparent`;
- `continued`: a valid `traceparent` with the sampled flag `01`, the caller's URL in a
  `tracestate` member `cgconform=<url>` and in `Referer` (reading 1);
- `unsampled`: the same with the sampled flag `00`;
- `invalid-traceparent`: a `traceparent` that Trace Context says to ignore (all-zero trace id);
- `failing`: every source answers 500 (only for processings that call a source);
and once, for the first processing with personal data, a `burst` of `[logboek] burst`
processings at the same time, half of them unsampled. Then the harness waits until the
records stop arriving (at most `flush_timeout` after the last request).

Which trace belongs to which processing: the caller's trace id where the application continued
it; else the trace id of the `traceparent`s the sources saw during the request; else the trace
whose first record started while the request was open (requests are sent one at a time, except
the burst); else none, and the checks that need it say so.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import quote

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import Outcome
from cgconform.model.target import ConfigError
from cgconform.run.context import RunContext
from cgconform.suites.logboek.harness.receiver import Export, Receiver
from cgconform.suites.logboek.harness.records import Record, by_trace
from cgconform.suites.logboek.harness.settings import LogboekSettings, ProcessingSpec
from cgconform.suites.logboek.harness.sources import SourceCall, Sources

SEQUENTIAL = ("fresh", "fresh", "continued", "unsampled", "invalid-traceparent")
INVALID_TRACEPARENT = "00-00000000000000000000000000000000-00f067aa0ba902b7-01"
BURST_WORKERS = 8


@dataclass
class Sent:
    """One processing cgconform started, and what it saw of it."""

    scenario: str
    processing: ProcessingSpec
    traceparent: str | None
    caller_trace: str | None
    caller_span: str | None
    started: float
    ended: float = 0.0
    exchange: Exchange | None = None
    error: str = ""
    calls: list[SourceCall] = field(default_factory=list)
    trace_id: str | None = None
    attribution: str = "none"  # "caller", "source-calls", "time-window", "none"

    @property
    def answered(self) -> bool:
        return self.exchange is not None and self.exchange.response is not None

    @property
    def status(self) -> int | None:
        return self.exchange.status if self.answered and self.exchange is not None else None

    def line(self) -> str:
        processing = self.processing
        what = f"{processing.method} {processing.path} ({processing.name!r}, {self.scenario}"
        what += f", traceparent {self.traceparent})" if self.traceparent else ", no traceparent)"
        answer = f"answered {self.status}" if self.answered else f"not answered: {self.error}"
        return f"{what} {answer}"

    def evidence(self) -> list[dict[str, Any]]:
        return [self.exchange.to_evidence()] if self.exchange is not None else []


@dataclass
class Observations:
    settings: LogboekSettings
    application: str
    sent: list[Sent]
    records: list[Record]
    exports: list[Export]
    burst_size: int
    burst_seconds: float = 0.0
    waited_s: float = 0.0
    burst_started: float = 0.0  # time.time() when the burst began

    @property
    def redelivered(self) -> int:
        """Records that arrived more than once, identical (at-least-once export): kept once."""
        return sum(e.records for e in self.exports if not e.error) - len(self.records)

    @cached_property
    def traces(self) -> dict[str, list[Record]]:
        """The records by trace id (grouped once: the checks ask for it per processing)."""
        return by_trace(self.records)

    def of(self, *scenarios: str) -> list[Sent]:
        return [s for s in self.sent if s.scenario in scenarios]

    def trace_of(self, sent: Sent) -> list[Record]:
        return self.traces.get(sent.trace_id or "", []) if sent.trace_id else []

    def calls(self) -> list[SourceCall]:
        return [call for sent in self.sent for call in sent.calls]


def unique(records: list[Record]) -> list[Record]:
    """The records without identical repeats (an exporter that retries, an outbox that delivers
    at least once): a repeat is the same record, not a second action."""
    seen: set[str] = set()
    kept: list[Record] = []
    for record in records:
        key = json.dumps(
            [
                record.trace_id,
                record.span_id,
                record.parent_span_id,
                record.name,
                record.start_ns,
                record.end_ns,
                record.status,
                dict(record.attributes),
            ],
            sort_keys=True,
            default=str,
        )
        if key not in seen:
            seen.add(key)
            kept.append(record)
    return kept


def new_ids() -> tuple[str, str]:
    trace = secrets.token_hex(16)
    span = secrets.token_hex(8)
    return trace, span


def _tracestate(url: str) -> str:
    return "cgconform=" + quote(url, safe="/:")


class Session:
    def __init__(self, context: RunContext, settings: LogboekSettings) -> None:
        if "application" not in context.target.urls:
            raise ConfigError(
                'logboek-application needs [urls] application = "http://..." (the application '
                "under test)"
            )
        if not settings.processings:
            raise ConfigError(
                "logboek-application needs at least one [[logboek.processings]]: the requests "
                "that start a processing (see the README)"
            )
        self.context = context
        self.settings = settings
        self.application = context.target.urls["application"].rstrip("/")
        self.receiver = Receiver(settings.listen, settings.listen_grpc, settings.tls)
        self.sources = Sources(settings.sources)

    @contextmanager
    def running(self) -> Iterator[Session]:
        self.receiver.start()
        try:
            self.sources.start()
        except Exception:
            self.receiver.stop()
            raise
        try:
            yield self
        finally:
            self.sources.stop()
            self.receiver.stop()

    # -- sending ----------------------------------------------------------------------------

    def send(self, processing: ProcessingSpec, scenario: str, *, flags: str | None) -> Sent:
        headers: dict[str, str] = dict(processing.headers)
        traceparent = caller_trace = caller_span = None
        if scenario == "invalid-traceparent":
            traceparent = INVALID_TRACEPARENT
        elif flags is not None:
            caller_trace, caller_span = new_ids()
            traceparent = f"00-{caller_trace}-{caller_span}-{flags}"
            headers["tracestate"] = _tracestate(self.settings.caller_url)
            headers["Referer"] = self.settings.caller_url
        if traceparent:
            headers["traceparent"] = traceparent
        sent = Sent(scenario, processing, traceparent, caller_trace, caller_span, time.time())
        marks = self.sources.marks()
        try:
            sent.exchange = self.context.http.request(
                processing.method,
                self.application + processing.path,
                headers=headers,
                params=dict(processing.query) or None,
                json=processing.json,
            )
        except Outcome as exc:  # unreachable, budget spent, deadline passed
            sent.error = str(exc)
        sent.ended = time.time()
        sent.calls = self.sources.calls_since(marks)
        return sent

    def exercise(self) -> Observations:
        sent: list[Sent] = []
        for processing in self.settings.processings:
            if processing.invalid_input:
                sent.append(self.send(processing, "invalid-input", flags="01"))
                continue
            for scenario in SEQUENTIAL:
                flags = {"continued": "01", "unsampled": "00"}.get(scenario)
                sent.append(self.send(processing, scenario, flags=flags))
                time.sleep(0.05)
            if self.sources.all and any(s.calls for s in sent if s.processing is processing):
                self.sources.fail_all("500")
                try:
                    sent.append(self.send(processing, "failing", flags="01"))
                finally:
                    self.sources.fail_all(None)
        burst_started = time.time()
        burst, seconds = self._burst()
        sent += burst
        started = time.monotonic()
        self._wait(sent)
        observations = Observations(
            settings=self.settings,
            application=self.application,
            sent=sent,
            records=unique(self.receiver.inbox.records),
            exports=self.receiver.inbox.exports,
            burst_size=len(burst),
            burst_seconds=seconds,
            burst_started=burst_started,
            waited_s=time.monotonic() - started,
        )
        attribute(observations)
        return observations

    def _burst(self) -> tuple[list[Sent], float]:
        personal = [p for p in self.settings.processings if p.personal and not p.invalid_input]
        candidates = personal or [p for p in self.settings.processings if not p.invalid_input]
        if not candidates or self.settings.burst <= 0:
            return [], 0.0
        processing = candidates[0]
        started = time.monotonic()
        with ThreadPoolExecutor(BURST_WORKERS, thread_name_prefix="cgconform-burst") as pool:
            futures = [
                pool.submit(self.send, processing, "burst", flags="00" if i % 2 else "01")
                for i in range(self.settings.burst)
            ]
            result = [f.result() for f in futures]
        for sent in result:  # concurrent: which call belongs to which processing is unknown
            sent.calls = []
        return result, time.monotonic() - started

    def _wait(self, sent: list[Sent]) -> None:
        """Until every continued trace has records and nothing more arrives, at most
        `flush_timeout` seconds."""
        wanted = {s.caller_trace for s in sent if s.caller_trace and s.answered}
        timeout = self.settings.flush_timeout_s
        self.receiver.inbox.wait_until(
            lambda records: wanted <= {r.trace_id for r in records}, timeout
        )
        self.receiver.inbox.wait_quiet(min(1.5, timeout), timeout)


def attribute(observations: Observations) -> None:
    """Give each processing its trace (see the module's docstring)."""
    traces = observations.traces
    first_start = {
        trace: min((r.start_ns for r in records if r.start_ns), default=None)
        for trace, records in traces.items()
    }
    claimed: set[str] = set()
    for sent in observations.sent:
        if sent.caller_trace and sent.caller_trace in traces:
            sent.trace_id, sent.attribution = sent.caller_trace, "caller"
            claimed.add(sent.caller_trace)
    for sent in observations.sent:
        if sent.trace_id:
            continue
        seen = {parsed[0] for call in sent.calls if (parsed := call.parsed)}
        if len(seen) == 1:
            trace = seen.pop()
            if trace in traces and trace not in claimed:
                sent.trace_id, sent.attribution = trace, "source-calls"
                claimed.add(trace)
    for slack in (0.0, 0.5):  # first the request's own window, then half a second around it
        for sent in observations.sent:
            if sent.trace_id or sent.scenario == "burst" or not sent.answered:
                continue
            low, high = (sent.started - slack) * 1e9, (sent.ended + slack) * 1e9
            window = [
                t
                for t, start in first_start.items()
                if t not in claimed and start is not None and low <= start <= high
            ]
            if len(window) == 1:
                sent.trace_id, sent.attribution = window[0], "time-window"
                claimed.add(window[0])
