"""The `[fsc]` table of target.toml, validated: where the SUT's components are, which PKI and
Group it uses, where the harness listens (docs/fsc-notes.md §2, §3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cgconform.http.pki import PkiError, TestPki, load_pki
from cgconform.model.target import ConfigError, Target
from cgconform.suites.fsc.harness.jose import Signer
from cgconform.suites.fsc.harness.pki import DEFAULT_GROUP_ID, HARNESS_PEERS

DEFAULT_PORT = 18440
DEFAULT_SERVICE = "cgconform-echo"
_KEYS = {
    "pki",
    "group_id",
    "sut",
    "peer_id",
    "outway_certificate",
    "service",
    "harness_host",
    "harness_port",
    "outway_grant_header",
    "accept_timeout",
    "token_expiry_wait",
    "break_log",
    "restore_log",
    "integration",
}
_INTEGRATION_KEYS = {
    "service_grant",
    "delegatee_grant",
    "delegated_service_grant",
    "delegated_service_delegatee_grant",
    "no_contract_grant",
    "provider_manager",
}


@dataclass(frozen=True)
class FscSettings:
    pki: TestPki
    group_id: str
    sut_identity: str | None  # the PKI identity the SUT uses, if it uses the test PKI
    peer_id: str | None  # the SUT's Peer ID when it brings its own certificates
    outway_certificate: Path | None
    service: str
    harness_host: str
    harness_port: int  # 0: free ports (tests, demo)
    grant_header: str
    accept_timeout_s: float
    token_expiry_wait_s: float
    break_log: str | None
    restore_log: str | None
    integration: Mapping[str, str] = field(default_factory=dict)
    manager: str | None = None  # SUT component base URLs (from [urls])
    inway: str | None = None
    outway: str | None = None
    ports: Mapping[str, int] = field(default_factory=dict)  # harness role -> fixed port


def _str(table: Mapping[str, Any], key: str, default: str | None = None) -> str | None:
    value = table.get(key, default)
    if value is not None and (not isinstance(value, str) or not value):
        raise ConfigError(f"[fsc] {key}: must be a non-empty string")
    return value


def _seconds(table: Mapping[str, Any], key: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"[fsc] {key}: must be a number of seconds >= 0, got {value!r}")
    return float(value)


def _https(url: str | None, role: str) -> str | None:
    if url is not None and urlsplit(url).scheme != "https":
        raise ConfigError(
            f"urls.{role} = {url!r}: an FSC {role} is reached over mTLS, so the URL must be "
            "https://host:port"
        )
    return url


def load_settings(target: Target) -> FscSettings:
    """The validated [fsc] table; ConfigError names the key and how to fix it."""
    table = target.suite_settings.get("fsc")
    if table is None:
        raise ConfigError(
            "the fsc profiles need an [fsc] table in target.toml with at least "
            'pki = "DIR" (create one with `cgconform fsc pki init DIR`); see docs/fsc-notes.md'
        )
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(
            f"[fsc]: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(_KEYS))})"
        )
    pki_dir = _str(table, "pki")
    if pki_dir is None:
        raise ConfigError("[fsc] pki: missing; give the directory of `cgconform fsc pki init DIR`")
    path = Path(pki_dir)
    if not path.is_absolute():
        path = target.base_dir / path
    try:
        pki = load_pki(path)
    except PkiError as exc:
        raise ConfigError(f"[fsc] pki: {exc}") from None
    missing = [name for name in HARNESS_PEERS if name not in pki.identities]
    if missing:
        raise ConfigError(
            f"[fsc] pki: {path} has no identity {', '.join(missing)}; the harness plays these "
            "Peers (create the PKI with `cgconform fsc pki init`, or import certificates the "
            "Group's trust anchor issued with `cgconform fsc pki import`)"
        )
    for name in HARNESS_PEERS:
        identity = pki[name]
        try:
            Signer.from_files(identity.key, identity.chain).jwk_key()
        except (OSError, ValueError, TypeError) as exc:
            raise ConfigError(
                f"[fsc] pki: identity {name}: cannot use {identity.chain} and {identity.key} "
                f"({exc}); recreate the PKI or import readable PEM files"
            ) from None
    sut = _str(table, "sut", None if "peer_id" in table else "sut")
    if sut is not None:
        try:
            pki[sut]
        except PkiError as exc:
            raise ConfigError(f"[fsc] sut: {exc}") from None
    port = table.get("harness_port", DEFAULT_PORT)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65530:
        raise ConfigError(f"[fsc] harness_port: must be a port number (0..65530), got {port!r}")
    integration = table.get("integration", {})
    if not isinstance(integration, Mapping) or set(integration) - _INTEGRATION_KEYS:
        raise ConfigError(
            f"[fsc.integration]: a table with keys among {', '.join(sorted(_INTEGRATION_KEYS))}"
        )
    certificate = _str(table, "outway_certificate")
    urls = target.urls
    return FscSettings(
        pki=pki,
        group_id=_str(table, "group_id", DEFAULT_GROUP_ID) or DEFAULT_GROUP_ID,
        sut_identity=sut,
        peer_id=_str(table, "peer_id"),
        outway_certificate=(target.base_dir / certificate) if certificate else None,
        service=_str(table, "service", DEFAULT_SERVICE) or DEFAULT_SERVICE,
        harness_host=_str(table, "harness_host", "127.0.0.1") or "127.0.0.1",
        harness_port=port,
        grant_header=_str(table, "outway_grant_header", "Fsc-Grant-Hash") or "Fsc-Grant-Hash",
        accept_timeout_s=_seconds(table, "accept_timeout", 10),
        token_expiry_wait_s=_seconds(table, "token_expiry_wait", 30),
        break_log=_str(table, "break_log"),
        restore_log=_str(table, "restore_log"),
        integration={k: str(v) for k, v in integration.items()},
        manager=_https(urls.get("manager"), "manager"),
        inway=_https(urls.get("inway"), "inway"),
        outway=urls.get("outway"),
    )
