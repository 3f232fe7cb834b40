"""The chain exercised once per run; every check reads these observations.

In order: citizen A and citizen B sign in; the first `[[chain.processings]]` is sent to the
application as A ("A"), as B ("B"), without login ("anonymous", naming A in `bsn_field` when
stated), as A naming B in `bsn_field` ("proven", only with `bsn_field`), and after
`refetch_after` seconds as A again ("again"). Each request carries a traceparent of a new
trace; before and after each, every readable FSC transaction log is read, so that the
Transaction IDs a processing added are known exactly (run nothing else on the chain meanwhile).
After `settle` seconds, every organisation's read API is asked for every trace, as its
auditor (`read_bearer`) and as each citizen.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cgconform.http.client import HttpClient
from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import Inconclusive, NotTested, Outcome
from cgconform.run.context import RunContext
from cgconform.suites.chain.harness.login import sign_in
from cgconform.suites.chain.harness.reading import (
    LogboekReading,
    Reading,
    read_trace,
    transaction_log,
)
from cgconform.suites.chain.harness.settings import ChainSettings, Organisation, Processing

AUDITOR = "auditor"
CITIZENS = ("A", "B")


@dataclass
class Sent:
    label: str
    who: str  # "citizen A", "citizen B", "nobody"
    trace_id: str
    body: Mapping[str, Any] | None
    exchange: Exchange | None = None
    error: str = ""
    started: float = 0.0
    fsc_new: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # org -> records

    @property
    def status(self) -> int | None:
        return self.exchange.status if self.exchange is not None else None

    @property
    def served(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def evidence(self) -> list[dict[str, Any]]:
        if self.exchange is not None:
            return [self.exchange.to_evidence()]
        return [{"note": f"{self.who}: {self.error}"}]

    def line(self) -> str:
        got = f"HTTP {self.status}" if self.exchange is not None else f"no answer ({self.error})"
        return f"processing as {self.who} (trace {self.trace_id}): {got}"


@dataclass
class Observations:
    settings: ChainSettings
    processing: Processing
    tokens: dict[str, str]
    login_problems: dict[str, Outcome]
    sent: dict[str, Sent] = field(default_factory=dict)
    fsc_problems: dict[str, Reading] = field(default_factory=dict)  # org -> unusable log
    reads: dict[tuple[str, str, str], LogboekReading] = field(default_factory=dict)
    auditors: dict[str, str] = field(default_factory=dict)  # org -> resolved read_bearer
    finished: dict[str, float] = field(default_factory=dict)  # label -> when it was answered
    http: HttpClient | None = None  # for the checks' own follow-up questions

    def need(self, *labels: str) -> list[Sent]:
        """The processings of these labels, or the outcome that says why one is missing."""
        for citizen in ("A", "B"):
            if citizen in labels and citizen in self.login_problems:
                problem = self.login_problems[citizen]
                raise type(problem)(problem.message, evidence=problem.evidence)
        missing = [label for label in labels if label not in self.sent]
        if missing:
            raise NotTested(f"processing(s) {', '.join(missing)} were not sent (see [chain])")
        return [self.sent[label] for label in labels]

    def read(self, org: Organisation, reader: str, label: str) -> LogboekReading:
        return self.reads.get(
            (org.name, reader, label),
            LogboekReading(f"{reader} at {org.name}", error="not asked"),
        )

    def fsc(self, org: Organisation) -> Reading | None:
        """None: the log is readable; else the Reading that says why not."""
        return self.fsc_problems.get(org.name)


class Scenario:
    def __init__(self, context: RunContext, settings: ChainSettings) -> None:
        self.context = context
        self.settings = settings
        self.http = context.http

    def run(self) -> Observations:
        settings = self.settings
        processing = settings.processings[0]
        tokens: dict[str, str] = {}
        problems: dict[str, Outcome] = {}
        citizens = {"A": settings.citizen, "B": settings.second_citizen}
        for label, citizen in citizens.items():
            try:
                if citizen is None:
                    raise NotTested("no [chain.second_citizen]: a second citizen is needed")
                tokens[label] = sign_in(self.context, citizen.login, f"citizen {label}")
            except Outcome as exc:
                problems[label] = exc
        seen = Observations(settings, processing, tokens, problems)
        seen.http = self.http
        body = dict(processing.json or {})
        field_ = processing.bsn_field
        b = settings.second_citizen
        plan: list[tuple[str, str | None, dict[str, Any]]] = [
            ("A", "A", body),
            ("B", "B", {**body, **(b.json if b else {})}),
            ("anonymous", None, {**body, field_: settings.citizen.bsn} if field_ else body),
        ]
        if field_ and b is not None:
            plan.append(("proven", "A", {**body, field_: b.bsn}))
        for label, citizen_label, payload in plan:
            if citizen_label is not None and citizen_label not in tokens:
                continue
            seen.sent[label] = self._send(seen, label, citizen_label, payload)
        if "A" in seen.sent:
            wait = seen.sent["A"].started + settings.refetch_after - time.time()
            if wait > 0:
                time.sleep(wait)
            seen.sent["again"] = self._send(seen, "again", "A", body)
        time.sleep(settings.settle)
        self._read_all(seen)
        return seen

    # -- one processing ----------------------------------------------------------------------

    def _logs(self, seen: Observations) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for org in self.settings.organisations:
            if org.name in seen.fsc_problems:
                continue
            reading = transaction_log(self.http, org)
            if not reading.ok:
                seen.fsc_problems[org.name] = reading
                continue
            found[org.name] = {str(r.get("transaction_id")) for r in reading.items or []}
            self._last[org.name] = reading.items or []
        return found

    def _send(
        self, seen: Observations, label: str, citizen: str | None, body: Mapping[str, Any]
    ) -> Sent:
        self._last: dict[str, list[dict[str, Any]]] = {}
        trace_id = secrets.token_hex(16)
        who = f"citizen {citizen}" if citizen else "nobody (no login)"
        sent = Sent(label, who, trace_id, body or None)
        before = self._logs(seen)
        headers: dict[str, str | None] = {
            "traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01",
            "Accept": "application/json",
        }
        if citizen is not None:
            headers["Authorization"] = f"Bearer {seen.tokens[citizen]}"
        url = self.settings.consumer.application or ""
        sent.started = time.time()
        try:
            sent.exchange = self.http.request(
                seen.processing.method,
                url + seen.processing.path,
                headers=headers,
                json=dict(body) if body else None,
                authenticated=False,
            )
        except Outcome as exc:
            sent.error = exc.message
        seen.finished[label] = time.time()
        self._logs(seen)
        for org, ids in before.items():
            sent.fsc_new[org] = [
                r for r in self._last.get(org, []) if str(r.get("transaction_id")) not in ids
            ]
        return sent

    # -- the read APIs -----------------------------------------------------------------------

    def _read_all(self, seen: Observations) -> None:
        auditors: dict[str, str | None] = {}
        for org in self.settings.organisations:
            try:
                auditors[org.name] = org.read_bearer.resolve() if org.read_bearer else None
            except Exception as exc:  # a ConfigError of the reference: the reason, not a crash
                raise Inconclusive(f"{org.name} read_bearer: {exc}") from None
            if auditors[org.name]:
                seen.auditors[org.name] = str(auditors[org.name])
                self.context.redactor.add_secret(
                    str(auditors[org.name]), org.read_bearer.placeholder if org.read_bearer else ""
                )
        for label, sent in seen.sent.items():
            for org in self.settings.organisations:
                readers: dict[str, str | None] = {AUDITOR: auditors[org.name]}
                if label in ("A", "B", "proven"):
                    readers |= {c: seen.tokens.get(c) for c in CITIZENS}
                for reader, token in readers.items():
                    if token is None:
                        continue
                    who = "the auditor" if reader == AUDITOR else f"citizen {reader}"
                    seen.reads[(org.name, reader, label)] = read_trace(
                        self.http, org, sent.trace_id, token, who
                    )
