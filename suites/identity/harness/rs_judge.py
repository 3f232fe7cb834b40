"""How a check judges a resource server's answer to a token it must refuse: served (the
requirement is violated), refused (it holds; the status and challenge are judged by the RFC 6750
checks), or neither (a server error or a redirect: cannot tell)."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, Inconclusive, Passed
from cgconform.suites.identity.harness.rs_challenge import bearer_challenge
from cgconform.suites.identity.harness.rs_probes import Probe, ResourceProbes


def _snippet(probe: Probe, limit: int = 200) -> str:
    text = probe.exchange.text.strip().replace("\n", " ")
    return text[:limit] + ("…" if len(text) > limit else "")


def refusal(probe: Probe) -> str:
    """`401 (WWW-Authenticate: Bearer error="invalid_token")`"""
    challenge = bearer_challenge(probe.exchange)
    header = probe.exchange.headers.get("WWW-Authenticate")
    if challenge is not None and challenge.error:
        return f'{probe.status} (Bearer error="{challenge.error}")'
    if header:
        return f"{probe.status} (WWW-Authenticate: {header[:120]})"
    return f"{probe.status} (no WWW-Authenticate)"


def expect_refused(probe: Probe, resource: ResourceProbes, asks: str) -> None:
    """Raise the outcome for a probe the resource must not serve; `asks` quotes the text.

    Served is a failure on its own; a refusal passes only when the valid token was served
    (otherwise the resource may refuse everything, and the refusal proves nothing)."""
    if probe.accepted:
        raise Failure(
            f"the resource served {probe.sent()}: {probe.line}. {asks}",
            evidence=[probe.evidence()],
        )
    baseline = resource.accepted_valid()
    evidence = [probe.evidence(), baseline.evidence()]
    if probe.status >= 500:
        raise Inconclusive(
            f"the resource answered {probe.sent()} with a server error: {probe.line} "
            f"{_snippet(probe)}; it did not serve it, but a crash is not a refusal "
            "(the same request with the valid token was served: "
            f"{baseline.line})",
            evidence=evidence,
        )
    if 300 <= probe.status < 400:
        raise Inconclusive(
            f"the resource redirected {probe.sent()}: {probe.line} "
            f"(Location: {probe.exchange.headers.get('Location', '-')}); an API should refuse "
            "it with 401, not send the client elsewhere",
            evidence=evidence,
        )
    raise Passed(
        f"refused {probe.sent()} with {refusal(probe)}, while the valid token was served "
        f"({baseline.line})",
        evidence=evidence,
    )
