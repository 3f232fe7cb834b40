"""TLS on every endpoint of the Logboek: a connection without TLS is refused (Logboek
Dataverwerkingen, "Component: Logboek"; versions and ciphers are left to the organisation's
standard, reading 17)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from cgconform.http.grpc import strip_scheme
from cgconform.model.outcomes import Failure, Outcome, Passed
from cgconform.run.context import RunContext
from cgconform.run.marks import requirement
from cgconform.suites.logboek.harness.logboek_run import LogboekRun

CORE = "Logboek-Dataverwerkingen"
ASKS = "The standard: the Logboek MUST enforce TLS (a connection without TLS is refused)."


def _plain_read(cg_context: RunContext, url: str, logboek_run: LogboekRun) -> str | None:
    """A problem when the read API answers a query over plain HTTP, else None."""
    parts = urlsplit(url)
    plain = urlunsplit(("http", parts.netloc, parts.path, "", ""))
    assert logboek_run.read is not None
    path = logboek_run.read.spec.path
    try:
        exchange = cg_context.http.post(
            plain + path, json={"traceId": logboek_run.writes[0].spans[0]["trace_id"]}
        )
    except Outcome:
        return None
    if 200 <= exchange.status < 300:
        return (
            f"the read API answered a query without TLS: POST {plain + path} -> {exchange.status}"
        )
    return None


@requirement(CORE, "/logboek/logboek/enforce-tls")
def plain_connections_refused(logboek_run: LogboekRun, cg_context: RunContext) -> None:
    urls = cg_context.target.urls
    problems: list[str] = []
    evidence = []
    for written in logboek_run.plain:
        if written.transport.startswith("otlp-http"):
            if urlsplit(urls["logboek"]).scheme == "http":
                problems.append(f"the OTLP/HTTP address is plain http: {urls['logboek']}")
                continue
        elif strip_scheme(urls["logboek_grpc"])[1] is False:
            problems.append(f"the gRPC address is stated without TLS: {urls['logboek_grpc']}")
            continue
        if written.confirmed:
            problems.append(f"{written.name} without TLS was accepted: {written.detail}")
            evidence += written.evidence
    checked = sorted({w.name for w in logboek_run.plain})
    if "read_api" in urls:
        if urlsplit(urls["read_api"]).scheme == "http":
            problems.append(f"the read API is plain http: {urls['read_api']}")
        elif logboek_run.read is not None:
            found = _plain_read(cg_context, urls["read_api"], logboek_run)
            if found:
                problems.append(found)
        checked.append("read API")
    if problems:
        raise Failure(
            f"{ASKS}\n" + "\n".join(problems),
            evidence=evidence[:3] or logboek_run.plain[0].evidence if logboek_run.plain else [],
        )
    refused = "; ".join(f"{w.name}: {w.detail}" for w in logboek_run.plain)
    raise Passed(f"without TLS refused on every endpoint ({', '.join(checked)}): {refused}"[:1500])
