"""/core/transport/tls on the running API: https only, TLS 1.2 or newer, no weak ciphers."""

from __future__ import annotations

import ssl
from urllib.parse import urlsplit

from cgconform.http.tls_probe import handshake
from cgconform.model.outcomes import Failure, Inconclusive, NotTested, TargetUnreachable
from cgconform.run.context import RunContext
from cgconform.run.marks import requirement

# Cipher families the NCSC TLS guidelines call insufficient.
WEAK = ("NULL", "EXPORT", "RC4", "DES", "3DES", "MD5", "anon", "CBC3")


@requirement("ADR", "/core/transport/tls")
def api_is_served_over_tls_1_2_or_newer(cg_context: RunContext) -> None:
    target = cg_context.target
    base_url = target.base_url
    if not base_url:
        raise Inconclusive("no base URL to check the transport of")
    if urlsplit(base_url).scheme != "https":
        answer = cg_context.http.get(base_url)  # unreachable: inconclusive, not a failure
        raise Failure(
            f"{base_url} is served over plain http (it answered {answer.status}); ADR: APIs "
            "MUST use TLS (1.2 or newer)",
            evidence=[answer.to_evidence()],
        )
    if cg_context.player is not None:  # a replay: a cassette holds no TLS handshake
        raise NotTested(f"not in the recording: the TLS handshake with {base_url}")
    timeout = target.budget.timeout_s
    agreed = handshake(base_url, target.tls, timeout_s=timeout)
    note = {"note": f"{agreed.host}:{agreed.port} negotiated {agreed.version}, {agreed.cipher}"}
    if agreed.version in ("SSLv3", "TLSv1", "TLSv1.1"):
        raise Failure(f"{note['note']}; ADR/NCSC: TLS 1.2 or newer", evidence=[note])
    if any(w.lower() in agreed.cipher.lower() for w in WEAK):
        raise Failure(f"{note['note']}: a weak cipher", evidence=[note])
    try:
        old = handshake(base_url, target.tls, timeout_s=timeout, maximum=ssl.TLSVersion.TLSv1_1)
    except TargetUnreachable:
        return  # refused TLS 1.1 and older, as it should (or this client cannot offer them)
    raise Failure(
        f"{old.host}:{old.port} also accepts {old.version}; only TLS 1.2 and newer are allowed",
        evidence=[note, {"note": f"offered at most TLS 1.1: agreed {old.version}"}],
    )
