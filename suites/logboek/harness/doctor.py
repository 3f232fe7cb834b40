"""`cgconform doctor` for a target with a [logboek] table: the table itself, the addresses
cgconform will listen on (free?), and each Logboek and application URL reached once."""

from __future__ import annotations

from urllib.parse import urlsplit

from cgconform.http.grpc import strip_scheme, unary_call
from cgconform.http.mock_server import MockServer, Reply
from cgconform.model.outcomes import Outcome
from cgconform.model.target import ConfigError, Target
from cgconform.run.context import build_context
from cgconform.suites.logboek.harness import wire
from cgconform.suites.logboek.harness.settings import Address, load_settings

Finding = tuple[bool, str, str]


def _free(address: Address, what: str) -> Finding:
    try:
        server = MockServer(lambda _r: Reply(204), host=address.host, port=address.port)
    except OSError as exc:
        return (False, f"{what} {address}: {exc}", "stop what listens there, or pick another port")
    server.close()  # bound and released: nothing else listens there
    return (True, f"{what} {address} is free", "")


def _reach_http(target: Target, name: str) -> Finding:
    url = target.urls[name]
    try:
        exchange = build_context(target, []).http.get(url, authenticated=False)
    except (Outcome, ConfigError) as exc:
        return (
            False,
            f"urls.{name} {url} is not reachable: {exc}",
            "check the URL and that it runs",
        )
    return (True, f"urls.{name} {url} answers ({exchange.status})", "")


def _reach_grpc(target: Target) -> Finding:
    address = target.urls["logboek_grpc"]
    secure = strip_scheme(address)[1] is not False
    result = unary_call(
        address,
        wire.OTLP_TRACE_EXPORT,
        b"",  # an empty export: nothing is written
        tls=target.tls if secure else None,
        timeout_s=target.budget.timeout_s,
    )
    if not result.reached:
        return (
            False,
            f"urls.logboek_grpc: {result.line()}",
            "check the address, TLS and tls.ca_bundle",
        )
    return (True, f"urls.logboek_grpc answers: {result.line()}", "")


def diagnose(target: Target) -> list[Finding]:
    try:
        settings = load_settings(target)
    except ConfigError as exc:
        return [(False, f"[logboek]: {exc}", "fix the [logboek] table (README, Logboek)")]
    findings: list[Finding] = [(True, "[logboek] table is valid", "")]
    if "application" in target.urls:
        findings.append(_free(settings.listen, "[logboek] listen"))
        if settings.listen_grpc is not None:
            findings.append(_free(settings.listen_grpc, "[logboek] listen_grpc"))
        for source in settings.sources:
            findings.append(_free(source.listen, f"[logboek.sources.{source.name}] listen"))
        findings.append(_reach_http(target, "application"))
        if not settings.processings:
            findings.append(
                (False, "no [[logboek.processings]]", "list the requests that start a processing")
            )
    for name in ("logboek", "read_api"):
        if name in target.urls and urlsplit(target.urls[name]).scheme in ("http", "https"):
            findings.append(_reach_http(target, name))
    if "logboek_grpc" in target.urls:
        findings.append(_reach_grpc(target))
    return findings
