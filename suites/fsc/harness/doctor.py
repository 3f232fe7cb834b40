"""`cgconform doctor` for a target with an [fsc] table: the settings, the PKI, and each SUT
component reached as harness Peer A (the same preflight as a run)."""

from __future__ import annotations

from cgconform.model.target import ConfigError, Target
from cgconform.run.context import build_context
from cgconform.suites.fsc.harness.preflight import probe
from cgconform.suites.fsc.harness.settings import load_settings


def diagnose(target: Target) -> list[tuple[bool, str, str]]:
    """(ok, what, how to fix) findings."""
    try:
        settings = load_settings(target)
    except ConfigError as exc:
        return [(False, f"[fsc]: {exc}", "fix the [fsc] table (see docs/fsc-notes.md)")]
    findings = [
        (True, f"test PKI {settings.pki.directory} ({len(settings.pki.identities)} identities)", "")
    ]
    identity = settings.pki["peer-a"]
    client = build_context(target, []).http.with_identity(
        identity.requests_cert, verify=str(settings.pki.trust_anchor)
    )
    try:
        for what, problem in probe(settings, client):
            findings.append(
                (
                    problem is None,
                    problem or what,
                    "" if problem is None else "fix the SUT or the target configuration",
                )
            )
    except ConfigError as exc:
        findings.append((False, str(exc), "complete [urls] in target.toml"))
    return findings
