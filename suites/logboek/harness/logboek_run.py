"""One run against a Logboek: cgconform writes a small, recognisable data set once, over each
transport the target speaks, and every check of `logboek-dataverwerkingen` reads the outcome.

The data set (ids and values unique to the run, so that other data in the Logboek never
matches a filter):
- per transport, a processing of activity A with subjects X and Y and a failed action;
- over the first transport, a second processing of A with subject X, and one of activity B
  with subject Y (the filters must tell them apart);
- per transport, a write no Logboek can store, and a write over a connection without TLS.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from cgconform.model.target import ConfigError
from cgconform.run.context import RunContext
from cgconform.suites.logboek.harness.read_api import ReadApi
from cgconform.suites.logboek.harness.records import ACTIVITY
from cgconform.suites.logboek.harness.settings import LogboekSettings
from cgconform.suites.logboek.harness.writer import Span, Writer, Written, new_trace

ACTIVITY_BASE = "https://cgconform.example/verwerkingsactiviteiten"


@dataclass
class LogboekRun:
    settings: LogboekSettings
    writer: Writer
    read: ReadApi | None
    speaks: tuple[str, ...]
    activity_a: str
    activity_b: str
    subject_x: str
    subject_y: str
    writes: list[Written] = field(default_factory=list)  # the data set, per transport
    extra: list[Written] = field(default_factory=list)  # the second A trace and the B trace
    unstorable: list[Written] = field(default_factory=list)
    plain: list[Written] = field(default_factory=list)
    not_spoken: list[Written] = field(default_factory=list)  # services the address lacks

    def confirmed(self) -> list[Written]:
        return [w for w in self.writes + self.extra + self.plain if w.confirmed]

    def visible(self) -> list[Written]:
        """Confirmed writes the configured reader may read: with an access rule
        (`[logboek.read] activity`), only those of activity A."""
        if self.settings.read.activity is None:
            return self.confirmed()
        return [
            w for w in self.confirmed() if w.spans[0]["attributes"].get(ACTIVITY) == self.activity_a
        ]

    def traces_of(self, *, activity: str | None = None, subject: str | None = None) -> set[str]:
        """Trace ids of readable confirmed writes with a record of that activity / subject."""
        found: set[str] = set()
        for written in self.visible():
            for span in written.spans:
                attrs = span.get("attributes", {})
                if activity is not None and attrs.get(ACTIVITY) != activity:
                    continue
                if subject is not None and attrs.get("dpl.core.data_subject_id") != subject:
                    continue
                found.add(span["trace_id"])
        return found

    def all_spans(self) -> list[Span]:
        return [s for w in self.writes + self.extra + self.plain for s in w.spans]


def start(context: RunContext, settings: LogboekSettings) -> LogboekRun:
    urls = context.target.urls
    if not settings.speaks:
        raise ConfigError(
            "logboek-dataverwerkingen needs the Logboek's address: [urls] logboek = "
            '"https://host:4318" (OTLP/HTTP) and/or logboek_grpc = "host:4317" (OTLP/gRPC, '
            "logboek.v1), or [logboek] speaks = [...]"
        )
    for transport in settings.speaks:
        needed = "logboek" if transport.startswith("otlp-http") else "logboek_grpc"
        if needed not in urls:
            raise ConfigError(f"[logboek] speaks {transport}, but [urls] has no {needed}")
    run_id = secrets.token_hex(4)
    read = ReadApi(context, settings.read) if "read_api" in urls else None
    activity_a = settings.read.activity or f"{ACTIVITY_BASE}/cgconform-{run_id}-a"
    result = LogboekRun(
        settings=settings,
        writer=Writer(context),
        read=read,
        speaks=settings.speaks,
        activity_a=activity_a,
        activity_b=f"{ACTIVITY_BASE}/cgconform-{run_id}-b",
        subject_x=f"cgconform-{run_id}-betrokkene-x",
        # X is a prefix of Y: a subject filter that matches prefixes shows itself
        subject_y=f"cgconform-{run_id}-betrokkene-x2",
    )
    writer = result.writer
    spoken: list[str] = []
    for transport in settings.speaks:
        spans = new_trace(
            f"cgconform {transport}",
            activity=result.activity_a,
            subjects=[result.subject_x, result.subject_y],
            error=True,
            caller="https://cgconform.example/aanroepende-applicatie",
        )
        written = writer.write(transport, spans)
        if written.unimplemented and not settings.speaks_stated:
            result.not_spoken.append(written)  # inferred from [urls], and not offered
            continue
        spoken.append(transport)
        result.writes.append(written)
        result.unstorable.append(writer.write(transport, writer.unstorable()))
        plain = new_trace(f"cgconform {transport} zonder TLS", activity=result.activity_a)
        result.plain.append(writer.write(transport, plain, plain=True))
    result.speaks = tuple(spoken)
    if not spoken:
        return result
    first = spoken[0]
    for name, activity, subjects in (
        ("tweede", activity_a, [result.subject_x]),
        # activity A, but only subject Y: never an answer to a query for X
        ("andere betrokkene", activity_a, [result.subject_y]),
        ("ander", result.activity_b, [result.subject_y]),
    ):
        spans = new_trace(f"cgconform {name}", activity=activity, subjects=subjects)
        result.extra.append(writer.write(first, spans))
    return result
