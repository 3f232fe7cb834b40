"""The sources cgconform plays for the application under test: a BRP Personen source (Haal
Centraal `POST /personen`), an RDW vehicle source (the open-data shape: a JSON list), or a
static answer. Each records the headers of every call (the `traceparent` the checks read) and
can be told to fail (an HTTP 500).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from cgconform.http.mock_server import MockServer, Received, Reply
from cgconform.suites.logboek.harness.settings import SourceSpec

TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


@dataclass(frozen=True)
class SourceCall:
    source: str
    method: str
    path: str
    traceparent: str | None
    tracestate: str | None
    at: float
    body: bytes

    @property
    def parsed(self) -> tuple[str, str, str] | None:
        """(trace id, parent id, flags) of a valid version-00 traceparent, else None."""
        match = TRACEPARENT.match((self.traceparent or "").strip())
        if not match or match.group(1) == "ff":
            return None
        trace_id, parent_id, flags = match.group(2), match.group(3), match.group(4)
        if set(trace_id) == {"0"} or set(parent_id) == {"0"}:
            return None
        return trace_id, parent_id, flags

    def line(self) -> str:
        return (
            f"{self.method} {self.path} at source {self.source!r}: traceparent {self.traceparent!r}"
        )


def _person(bsn: str, index: int) -> dict[str, Any]:
    return {
        "burgerservicenummer": bsn,
        "naam": {
            "voornamen": ["Test"],
            "geslachtsnaam": f"Persoon {index + 1}",
            "volledigeNaam": f"Test Persoon {index + 1}",
        },
        "adressering": {
            "adresregel1": "Teststraat 1",
            "adresregel2": "1234 AB  TESTDORP",
        },
        "geboorte": {"datum": {"type": "Datum", "datum": "1980-01-01"}},
    }


def brp_answer(received: Received) -> Reply:
    try:
        request = received.json()
    except ValueError:
        request = {}
    numbers = request.get("burgerservicenummer") if isinstance(request, dict) else None
    if not isinstance(numbers, list):
        numbers = []
    return Reply.json(
        200,
        {
            "type": request.get("type", "RaadpleegMetBurgerservicenummer")
            if isinstance(request, dict)
            else "RaadpleegMetBurgerservicenummer",
            "personen": [_person(str(n), i) for i, n in enumerate(numbers[:20])],
        },
    )


def rdw_answer(received: Received) -> Reply:
    plate = dict(received.query).get("kenteken", "AB123C")
    return Reply.json(
        200,
        [
            {
                "kenteken": plate.upper().replace("-", ""),
                "voertuigsoort": "Personenauto",
                "merk": "TESTMERK",
                "handelsbenaming": "TESTMODEL",
                "datum_eerste_toelating": "20200101",
                "inrichting": "hatchback",
            }
        ],
    )


class Source:
    """One source on its `listen` address."""

    def __init__(self, spec: SourceSpec) -> None:
        self.spec = spec
        self.calls: list[SourceCall] = []
        self._lock = threading.Lock()
        self._failing: str | None = None
        self.server = MockServer(
            self._answer, host=spec.listen.host, port=spec.listen.port, name=f"source-{spec.name}"
        )

    @property
    def url(self) -> str:
        return self.server.url

    def fail(self, mode: str | None) -> None:
        """None: answer normally; "500": an internal error."""
        with self._lock:
            self._failing = mode

    def calls_since(self, mark: int) -> list[SourceCall]:
        with self._lock:
            return list(self.calls[mark:])

    def mark(self) -> int:
        with self._lock:
            return len(self.calls)

    def _answer(self, received: Received) -> Reply:
        call = SourceCall(
            source=self.spec.name,
            method=received.method,
            path=received.path,
            traceparent=received.header("traceparent"),
            tracestate=received.header("tracestate"),
            at=received.at,
            body=received.body[:2000],
        )
        with self._lock:
            self.calls.append(call)
            failing = self._failing
        if failing == "500":
            return Reply.json(
                500,
                {"type": "about:blank", "title": "Internal Server Error", "status": 500},
                {"Content-Type": "application/problem+json"},
            )
        if self.spec.kind == "brp-personen":
            return brp_answer(received)
        if self.spec.kind == "rdw-voertuigen":
            return rdw_answer(received)
        return Reply.json(self.spec.status, self.spec.json or {}, dict(self.spec.headers))


class Sources:
    def __init__(self, specs: tuple[SourceSpec, ...]) -> None:
        self.all = [Source(spec) for spec in specs]

    def start(self) -> Sources:
        started: list[Source] = []
        try:
            for source in self.all:
                source.server.start()
                started.append(source)
        except Exception:
            for source in started:
                source.server.stop()
            raise
        return self

    def stop(self) -> None:
        for source in self.all:
            source.fail(None)
            source.server.stop()

    def marks(self) -> dict[str, int]:
        return {s.spec.name: s.mark() for s in self.all}

    def calls_since(self, marks: dict[str, int]) -> list[SourceCall]:
        calls: list[SourceCall] = []
        for source in self.all:
            calls.extend(source.calls_since(marks.get(source.spec.name, 0)))
        return sorted(calls, key=lambda c: c.at)

    def fail_all(self, mode: str | None) -> None:
        for source in self.all:
            source.fail(mode)
