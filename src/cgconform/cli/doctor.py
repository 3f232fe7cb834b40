"""`cgconform doctor`: is the target ready to be tested? Each finding says how to fix it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from cgconform.model.target import ConfigError, Target, is_url
from cgconform.openapi.document import SpecDocument, parse_document, read_spec_file

EXIT_READY = 0
EXIT_NOT_READY = 2


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str
    fix: str = ""


def _credentials(target: Target) -> list[Finding]:
    findings = []
    for header, ref in target.secret_refs().items():
        try:
            ref.resolve()
        except ConfigError as exc:
            findings.append(
                Finding(
                    False,
                    f"credential for {header}: {exc}",
                    f"make {ref.ref} available to cgconform",
                )
            )
        else:
            findings.append(Finding(True, f"credential for {header} ({ref.ref}) resolves"))
    return findings


def _mtls(target: Target) -> list[Finding]:
    tls = target.tls
    findings = []
    for label, path in (
        ("client certificate", tls.client_cert),
        ("client key", tls.client_key),
        ("CA bundle", tls.ca_bundle),
    ):
        if path is None:
            continue
        if not Path(path).is_file():
            findings.append(
                Finding(
                    False,
                    f"{label} not found: {path}",
                    f"fix the path in [tls] of {target.source or 'the target'}",
                )
            )
            continue
        findings.append(Finding(True, f"{label} present: {path}"))
    if tls.client_cert and tls.client_key and all(f.ok for f in findings):
        findings.append(_key_matches_certificate(Path(tls.client_cert), Path(tls.client_key)))
    return findings


def _key_matches_certificate(cert_path: Path, key_path: Path) -> Finding:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (ValueError, TypeError, OSError) as exc:
        return Finding(
            False,
            f"cannot read the mTLS certificate or key: {exc}",
            "use PEM files; an encrypted key must be decrypted first",
        )
    from cgconform.http.pki import key_matches

    if not key_matches(cert, key):
        return Finding(
            False,
            "the mTLS client key does not belong to the client certificate",
            "pair tls.client_key with the key the certificate was issued for",
        )
    expires = cert.not_valid_after_utc
    if expires < datetime.now(UTC):
        return Finding(
            False,
            f"the mTLS client certificate expired on {expires:%Y-%m-%d}",
            "renew the client certificate",
        )
    return Finding(
        True,
        f"mTLS key matches certificate (valid until {expires:%Y-%m-%d}, "
        f"subject {cert.subject.rfc4514_string()})",
    )


def _tls_handshake(url: str, target: Target) -> Finding:
    from cgconform.http.tls_probe import handshake
    from cgconform.model.outcomes import TargetUnreachable

    try:
        agreed = handshake(url, target.tls, timeout_s=target.budget.timeout_s)
    except TargetUnreachable as exc:
        return Finding(
            False,
            exc.message,
            "check the host and port, tls.ca_bundle, and (for mTLS) the client certificate",
        )
    return Finding(
        True, f"TLS handshake with {agreed.host}:{agreed.port}: {agreed.version}, {agreed.cipher}"
    )


def _reachability(target: Target) -> list[Finding]:
    from cgconform.model.outcomes import Outcome
    from cgconform.run.context import build_context

    assert target.base_url is not None
    findings = []
    if urlsplit(target.base_url).scheme == "https":
        findings.append(_tls_handshake(target.base_url, target))
    try:
        context = build_context(target, [])
        exchange = context.http.get(target.base_url)
    except ConfigError as exc:
        return [*findings, Finding(False, str(exc), "fix the target configuration")]
    except Outcome as exc:
        return [
            *findings,
            Finding(
                False,
                f"{target.base_url} is not reachable: {exc.message}",
                "check the URL, VPN/firewall and that the service runs",
            ),
        ]
    findings.append(_base_url_answer(target, exchange.status, exchange.headers.get("Location")))
    return findings


def _base_url_answer(target: Target, status: int, location: str | None) -> Finding:
    """What the base URL's own answer says about the set-up. cgconform never follows a
    redirect, so a redirecting base URL sends every check somewhere it does not mean to go;
    an API need not answer 2xx at its root, so 401/403/404 there are fine."""
    base_url = target.base_url or ""
    answers = f"{base_url} answers HTTP {status}"
    if 300 <= status < 400:
        if not location:
            return Finding(False, f"{answers} (a redirect without a Location)", "fix base_url")
        to = urljoin(base_url, location)
        if to == base_url + "/":  # Django's APPEND_SLASH at the root: not where checks go
            return Finding(
                True,
                f"{answers}, a redirect to {to}: fine, the root only adds a slash; the "
                f"operations are called at {base_url}/<path> and answer for themselves",
            )
        fix = f"use the URL it redirects to: {to} (cgconform never follows redirects)"
        return Finding(False, f"{answers}, a redirect to {to}", fix)
    if status >= 500:
        return Finding(False, answers, "the target answers with a server error")
    if status == 401 and target.secret_refs():
        return Finding(
            False,
            f"{base_url} refuses the credentials it was sent (HTTP 401)",
            "check [auth] in the target configuration",
        )
    if status in (401, 403, 404):
        why = {
            401: "it wants credentials (configure [auth] if its operations need them)",
            403: "it does not let this client see its root",
            404: "it has no resource at its root",
        }[status]
        return Finding(True, f"{answers}: fine for an API, {why}")
    return Finding(True, answers)


def _spec(target: Target, load: Callable[[str], SpecDocument]) -> list[Finding]:
    assert target.spec is not None
    document = load(target.spec)
    if not document.ok:
        return [
            Finding(
                False,
                f"OpenAPI document: {document.error}",
                "point --spec (or spec = ...) at a readable OpenAPI 3.x document",
            )
        ]
    from openapi_spec_validator import validate

    try:
        validate(document.data)
    except Exception as exc:
        message = str(getattr(exc, "message", exc)).splitlines()[0]
        return [
            Finding(
                False,
                f"OpenAPI document is not valid: {message}",
                "run `cgconform run --profile adr-openapi` for every problem",
            )
        ]
    paths = document.data.get("paths") or {}
    return [
        Finding(
            True,
            f"OpenAPI document {target.spec} is valid OpenAPI "
            f"{document.data.get('openapi')} ({len(paths)} paths)",
        )
    ]


def _load_remote(target: Target) -> Callable[[str], SpecDocument]:
    def load(location: str) -> SpecDocument:
        if not is_url(location):
            return read_spec_file(location)
        from cgconform.model.outcomes import Outcome
        from cgconform.run.context import build_context

        try:
            exchange = build_context(target, []).http.get(location)
        except (ConfigError, Outcome) as exc:
            return SpecDocument(location, None, None, f"{location}: {exc}")
        if exchange.status != 200:
            return SpecDocument(location, None, None, f"{location} answered HTTP {exchange.status}")
        return parse_document(exchange.text, location)

    return load


def _suite_preflights(target: Target) -> list[Finding]:
    """What the suites that own a table of the target ([fsc], ...) check before a run: the
    `cgconform.preflights` entry point named after the table (cli/extensions.py)."""
    if not target.suite_settings:
        return []
    from cgconform.cli.extensions import ExtensionError, preflights

    try:
        known = preflights()
    except ExtensionError as exc:
        return [Finding(False, str(exc), "reinstall cgconform")]
    findings = []
    for name in target.suite_settings:
        if name in known:
            findings += [Finding(ok, what, fix) for ok, what, fix in known[name](target)]
    return findings


def diagnose(target: Target) -> list[Finding]:
    findings: list[Finding] = []
    if not target.base_url and not target.spec and not target.suite_settings:
        return [Finding(False, "no target given", "give --target target.toml, or --url / --spec")]
    findings += _credentials(target)
    findings += [
        Finding(True, f"sends {n}: {v} with every request") for n, v in target.headers.items()
    ]
    findings += _mtls(target)
    credentials_ok = all(f.ok for f in findings)
    if target.base_url:
        if credentials_ok:
            findings += _reachability(target)
        else:
            findings.append(Finding(False, "reachability not checked: fix the problems above"))
    if target.spec:
        findings += _spec(target, _load_remote(target))
    findings += _suite_preflights(target)
    return findings


def run_doctor(target: Target, out: Callable[[str], object] = print) -> int:
    findings = diagnose(target)
    for finding in findings:
        mark = "✓" if finding.ok else "✗"
        out(f"{mark} {finding.what}")
        if not finding.ok and finding.fix:
            out(f"    → {finding.fix}")
    ready = all(f.ok for f in findings)
    out("ready to test" if ready else "not ready: fix the findings marked ✗")
    sys.stdout.flush()
    return EXIT_READY if ready else EXIT_NOT_READY
