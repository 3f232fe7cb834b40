"""Before any scenario: is each configured SUT component reachable over mTLS with the test
Group's certificates? A wrong CA, a wrong port or a refused client certificate is one clear
configuration message (the run stops with exit 2), and `cgconform doctor` says the same."""

from __future__ import annotations

from collections.abc import Iterator

from cgconform.http.client import HttpClient
from cgconform.model.outcomes import Outcome
from cgconform.model.target import ConfigError
from cgconform.suites.fsc.harness.settings import FscSettings


def diagnosis(role: str, url: str, problem: str, trust_anchor: str) -> str:
    """What a failed request to a component most likely means, and what to do."""
    text = problem.lower()
    if "connection refused" in text:
        why = "nothing listens there (wrong host or port, or the component is not running)"
    elif "certificate verification failed" in text or "not trusted" in text:
        why = (
            "its TLS certificate is not issued by the test Group's trust anchor "
            f"({trust_anchor}): give the SUT a certificate from the test PKI, or point [fsc] pki "
            "at the PKI it uses"
        )
    elif "does not speak tls" in text:
        why = "it answers plain HTTP where FSC requires mTLS (use the https port)"
    elif any(w in text for w in ("certificate", "handshake", "alert", "closed", "reset")):
        why = (
            "it refused the harness's client certificate during the TLS handshake: the SUT must "
            f"trust {trust_anchor} as the Group's trust anchor and ask for a client certificate"
        )
    elif "resolved" in text:
        why = "the host name does not resolve"
    else:
        why = problem
    return f"urls.{role} = {url}: {why} ({problem})"


def components(settings: FscSettings) -> list[tuple[str, str, str]]:
    """(role, configured URL, URL to probe) of each configured component."""
    if not settings.manager:
        raise ConfigError(
            'the fsc profiles need the SUT\'s Manager: give urls.manager = "https://host:8443" '
            "in target.toml (the harness gets tokens and submits Contracts there)"
        )
    probes = [("manager", settings.manager, f"{settings.manager}/v1/peer")]
    if settings.inway:
        probes.append(("inway", settings.inway, f"{settings.inway}/"))
    if settings.outway:
        probes.append(("outway", settings.outway, f"{settings.outway}/"))
    return probes


def probe(settings: FscSettings, client: HttpClient) -> Iterator[tuple[str, str | None]]:
    """(what was probed, None when fine or the diagnosis) per component, as Peer A."""
    anchor = str(settings.pki.trust_anchor)
    for role, url, target in components(settings):
        try:
            exchange = client.get(target)
        except Outcome as exc:
            yield f"{role} {url}", diagnosis(role, url, exc.message, anchor)
        else:
            yield f"{role} {url} answers HTTP {exchange.status} over mTLS", None


def preflight(settings: FscSettings, client: HttpClient) -> None:
    for _, problem in probe(settings, client):
        if problem:
            raise ConfigError(problem)
