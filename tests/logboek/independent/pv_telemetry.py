"""How the parkeervergunningen application logs its processings: an OpenTelemetry SDK set-up the
way a team would write it without an instrumentation package.

Written from the text of Logboek Dataverwerkingen 0.8 and its read extension only (not from
cgconform's reference application). The choices the text leaves open, and the ones taken here:

* Every span the application makes is exported to the Logboek, so every span is a log record
  (spec: "voor iedere actie (`span_id`) een logregel"). Therefore every record of a request carries
  `dpl.core.processing_activity_id`, also the technical SERVER and CLIENT spans: the middleware
  resolves the route to its activity before it starts the SERVER span, and `ActivityProcessor`
  copies that activity onto every span started while the request runs.
* `dpl.core.foreign_operation.processor` goes only on the SERVER span, the one whose parent
  (`parent_span_id`) is the calling application's action ("Als foreign_operation.processor
  aanwezig is, dan is het een aanroep van een andere applicatie"). Its URL comes from a
  `tracestate` member whose value is an http(s) URL, else from `Referer`; with neither, the
  attribute is left out (a caller without a URL cannot be linked to).
* No sampling at all: the sampler is ALWAYS_ON, also when the caller's `traceparent` has the
  sampled flag 00 ("MAG NIET gebruik maken van Log Sampling").
* Failures are recorded with the SDK's own method (`record_exception`, an `exception` span event
  with exception.type/message/stacktrace) plus status Error ("Gebruik zoveel mogelijk de
  standaardfoutmethodes van de ... SDKs"); they are not copied into span attributes.
"""

from __future__ import annotations

import contextvars
import random
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.id_generator import IdGenerator, RandomIdGenerator
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
)
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import Attributes

ACTIVITY = "dpl.core.processing_activity_id"
SUBJECT_ID = "dpl.core.data_subject_id"
SUBJECT_TYPE = "dpl.core.data_subject_id_type"
PROCESSOR = "dpl.core.foreign_operation.processor"
READ_API = "dpl.read.externalReadAPI_id"

current_activity: contextvars.ContextVar[str | int | None] = contextvars.ContextVar(
    "pv_activity", default=None
)
incoming_traceparent: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "pv_incoming_traceparent", default=None
)
PROPAGATOR = TraceContextTextMapPropagator()


class ActivityProcessor(SpanProcessor):
    """Puts the request's processing activity on every span started while it runs."""

    def __init__(self, enabled: bool = True) -> None:
        self._enabled = enabled

    def on_start(self, span: Span, parent_context: otel_context.Context | None = None) -> None:
        activity = current_activity.get()
        if self._enabled and activity and (span.attributes or {}).get(ACTIVITY) is None:
            span.set_attribute(ACTIVITY, activity)

    def on_end(self, span: ReadableSpan) -> None:
        return None


class RequestScopedIds(IdGenerator):
    """Random ids, or (seeded defects) ids from a generator the middleware re-seeds per request
    (`span-ids-repeat-across-traces`: every trace gets the same sequence of span ids), one fixed
    trace id for every new trace (`fixed-trace-id`), or a span id the application forces again
    (`span-id-reused-in-trace`)."""

    def __init__(self, defects: frozenset[str]) -> None:
        self._defects = defects
        self._random = RandomIdGenerator()
        self._local = threading.local()
        self.forced: contextvars.ContextVar[int | None] = contextvars.ContextVar(
            "pv_forced_span_id", default=None
        )

    def reseed(self) -> None:
        self._local.rng = random.Random(4242)

    def generate_span_id(self) -> int:
        forced = self.forced.get()
        if forced is not None:
            return forced
        rng: random.Random | None = getattr(self._local, "rng", None)
        if "span-ids-repeat-across-traces" in self._defects and rng is not None:
            return rng.getrandbits(64) or 1
        return self._random.generate_span_id()

    def generate_trace_id(self) -> int:
        if "fixed-trace-id" in self._defects:
            return 0x5EED5EED5EED5EED5EED5EED5EED5EED
        return self._random.generate_trace_id()


class AtLeastOnceExporter(SpanExporter):
    """CHOICE `at-least-once-export`: every batch is delivered a second time, as an exporter's
    retry (or an outbox re-sending what it cannot be sure was confirmed) does. The records are
    identical: no action gets a second span id, the Logboek just sees a record again."""

    def __init__(self, inner: SpanExporter) -> None:
        self._inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        first = self._inner.export(spans)
        self._inner.export(spans)
        return first

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)


class OneInTwo(Sampler):
    """DEFECT `ratio-sampler`: keeps one trace in two (a ratio of 0.5, counted instead of drawn
    from the trace id so that the self-test is deterministic)."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    def should_sample(
        self,
        parent_context: otel_context.Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[trace.Link] | None = None,
        trace_state: trace.TraceState | None = None,
    ) -> SamplingResult:
        with self._lock:
            self._count += 1
            keep = self._count % 2 == 1
        if not keep:
            return SamplingResult(Decision.DROP)
        return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes, trace_state)

    def get_description(self) -> str:
        return "OneInTwo"


def make_sampler(defects: frozenset[str]) -> Sampler:
    if "parentbased-sampler" in defects:
        return ParentBased(ALWAYS_ON)  # drops whatever the caller marked not-sampled
    if "ratio-sampler" in defects:
        ratio = OneInTwo()
        return ParentBased(ratio, remote_parent_sampled=ratio, remote_parent_not_sampled=ratio)
    return ALWAYS_ON


def make_provider(
    otlp_traces_url: str, defects: frozenset[str]
) -> tuple[TracerProvider, RequestScopedIds]:
    ids = RequestScopedIds(defects)
    provider = TracerProvider(
        sampler=make_sampler(defects),
        resource=Resource.create(
            {
                "service.name": "parkeervergunningen",
                "service.version": "3.2.1",
                "service.namespace": "gemeente-voorbeeld",
                "cmdb.ci": "https://cmdb.gemeente-voorbeeld.nl/ci/APP-0421",
            }
        ),
        id_generator=ids,
    )
    provider.add_span_processor(ActivityProcessor(enabled="missing-activity-id" not in defects))
    exporter: SpanExporter = OTLPSpanExporter(endpoint=otlp_traces_url, timeout=3)
    if "at-least-once-export" in defects:
        exporter = AtLeastOnceExporter(exporter)
    if "small-export-queue" in defects:  # spans are dropped once 8 wait for export
        batch = BatchSpanProcessor(
            exporter, max_queue_size=8, max_export_batch_size=8, schedule_delay_millis=500
        )
    else:
        batch = BatchSpanProcessor(exporter, schedule_delay_millis=200, export_timeout_millis=3000)
    provider.add_span_processor(batch)
    return provider, ids


def caller_url(headers: Mapping[str, str]) -> str | None:
    """The calling application's URL: a tracestate member that is an http(s) URL, else Referer."""
    for member in headers.get("tracestate", "").split(","):
        _, _, value = member.strip().partition("=")
        if value.startswith(("https://", "http://")):
            return value
    referer = headers.get("referer", "")
    return referer if referer.startswith(("https://", "http://")) else None


WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class TracingMiddleware:
    """One SERVER span per request, continuing the caller's W3C trace context."""

    def __init__(
        self,
        app: WsgiApp,
        tracer: trace.Tracer,
        ids: RequestScopedIds,
        route_activity: Callable[[str, str], tuple[str, str | int | None]],
        defects: frozenset[str],
    ) -> None:
        self._app = app
        self._tracer = tracer
        self._ids = ids
        self._route_activity = route_activity
        self._defects = defects

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        headers = {
            key[5:].lower().replace("_", "-"): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        method = str(environ.get("REQUEST_METHOD", "GET"))
        path = str(environ.get("PATH_INFO", "/"))
        route, activity = self._route_activity(method, path)
        if "untraced-tarieven" in self._defects and path == "/api/v1/tarieven":
            return list(self._app(environ, start_response))  # "nothing personal: not logged"
        self._ids.reseed()
        parent = otel_context.Context()
        if "drop-incoming-context" not in self._defects:
            parent = PROPAGATOR.extract(headers, context=parent)
        remote = trace.get_current_span(parent).get_span_context()
        attributes: dict[str, str | int] = {
            "http.request.method": method,
            "url.path": path,
            "http.route": route,
            "server.address": str(environ.get("SERVER_NAME", "")),
        }
        if remote.is_valid and remote.is_remote and "no-foreign-processor" not in self._defects:
            url = caller_url(headers)
            if "processor-is-name" in self._defects:
                url = "parkeervergunningen-aanroeper"
            if url:
                attributes[PROCESSOR] = url
        token = current_activity.set(activity)
        incoming = incoming_traceparent.set(headers.get("traceparent"))
        try:
            with self._tracer.start_as_current_span(
                f"{method} {route}",
                context=parent,
                kind=SpanKind.SERVER,
                attributes=attributes,
                record_exception=False,
                set_status_on_exception=False,
            ) as span:
                captured: dict[str, int] = {}

                def capture(status: str, response_headers: list[Any], *exc: Any) -> Any:
                    captured["code"] = int(status.split()[0])
                    return start_response(status, response_headers, *exc)

                body = b"".join(self._app(environ, capture))
                code = captured.get("code", 500)
                span.set_attribute("http.response.status_code", code)
                if code >= 500 and "ok-on-failure" not in self._defects:
                    span.set_status(Status(StatusCode.ERROR, f"HTTP {code}"))
                elif code >= 500:
                    span.set_status(Status(StatusCode.OK))
                return [body]
        finally:
            current_activity.reset(token)
            incoming_traceparent.reset(incoming)


def inject_headers(defects: frozenset[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    forwarded = incoming_traceparent.get()
    if "forward-incoming-traceparent" in defects and forwarded:
        headers["traceparent"] = forwarded  # a proxy's habit: the caller's header, unchanged
    elif "no-outgoing-propagation" not in defects:
        PROPAGATOR.inject(headers)
    return headers


def fail_span(
    span: trace.Span, exc: BaseException, defects: frozenset[str], processing: bool = False
) -> None:
    """How a failed action is recorded: the SDK's exception event and status Error.

    CHOICE `error-only-on-processing`: the status is given per Dataverwerking ("dit per
    Dataverwerking als status meegeven"): only the processing's own record gets Error and the
    exception; the actions below it (the HTTP call, the subject's action) stay Unset.
    CHOICE `exception-as-attributes`: the error is stored as exception.* span attributes, as the
    Foutafhandeling table literally says, instead of the SDK's exception event."""
    if "error-only-on-processing" in defects and not processing:
        return
    if "exception-as-attributes" in defects:
        span.set_attributes(
            {
                "exception.type": type(exc).__name__,
                "exception.message": str(exc),
                "exception.stacktrace": f"{type(exc).__name__}: {exc}",
            }
        )
    elif "no-exception-detail" not in defects:
        span.record_exception(exc)
    if "ok-on-failure" in defects:
        span.set_status(Status(StatusCode.OK))
    else:
        span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
