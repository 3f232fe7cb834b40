"""`cgconform doctor` for a target with a [chain] table: the table itself, every URL of every
organisation (any HTTP answer counts as reachable; the Manager and Inway with the transaction
log's certificate and CA), each transaction log (200 with records), the read APIs' auditor
tokens, and the citizens' login."""

from __future__ import annotations

from cgconform.model.outcomes import Outcome
from cgconform.model.target import ConfigError, Target
from cgconform.run.context import build_context
from cgconform.suites.chain.harness.reading import transaction_log
from cgconform.suites.chain.harness.settings import load_chain_settings

Finding = tuple[bool, str, str]


def diagnose(target: Target) -> list[Finding]:
    """(ok, what, how to fix) findings."""
    try:
        settings = load_chain_settings(target)
    except ConfigError as exc:
        return [(False, f"[chain]: {exc}", "fix the [chain] table (see docs/chain-notes.md)")]
    findings: list[Finding] = [
        (
            True,
            f"[chain]: {len(settings.organisations)} organisations, "
            f"{len(settings.processings)} processing(s)",
            "",
        )
    ]
    http = build_context(target, []).http
    for org in settings.organisations:
        log = org.transaction_log
        fsc = (
            http.with_identity(log.client_cert, verify=log.ca_bundle or http.verify)
            if log is not None
            else http
        )
        for role, url in org.urls().items():
            # FSC components speak TLS with the Group's PKI: the transaction_log identity.
            client = fsc if role in ("manager", "inway") else http
            try:
                exchange = client.get(url, authenticated=False)
            except Outcome as exc:
                findings.append(
                    (False, f"{org.name} {role} {url}: {exc.message}", "start it or fix the URL")
                )
                continue
            findings.append((True, f"{org.name} {role} {url} answers (HTTP {exchange.status})", ""))
        if org.transaction_log is not None:
            reading = transaction_log(http, org)
            findings.append(
                (
                    reading.ok,
                    reading.line() if reading.ok else f"{reading.what}: {reading.error}",
                    "" if reading.ok else "check transaction_log url, client_cert and ca_bundle",
                )
            )
        if org.read_bearer is not None:
            try:
                org.read_bearer.resolve()
                findings.append((True, f"{org.name} read_bearer is set", ""))
            except ConfigError as exc:
                findings.append((False, f"{org.name} read_bearer: {exc}", "set the credential"))
    if "oidc" not in target.suite_settings:
        findings.append(
            (False, "no [oidc] table: citizens cannot sign in", "add the [oidc] login table")
        )
    if settings.second_citizen is None:
        findings.append(
            (
                False,
                "no [chain.second_citizen]: own-records-only and proven-identity cannot run",
                "add a second test citizen with its login steps",
            )
        )
    return findings
