"""The Digikoppeling REST API profile's additions to FSC (profile option `digikoppeling`):
OIN as Peer ID, TLS >= 1.2 with forward secrecy only, at most 10 Grants per Contract,
exponential backoff when propagating signatures, UUIDv7 Transaction IDs."""

from __future__ import annotations

import re
import ssl
import time

from cgconform.http.tls_probe import handshake
from cgconform.model.outcomes import (
    Failure,
    Inconclusive,
    NotApplicable,
    TargetUnreachable,
    Warning,
)
from cgconform.model.target import TlsConfig
from cgconform.run.marks import requirement
from cgconform.suites.fsc.harness.calls import outway_call
from cgconform.suites.fsc.harness.contracts import connection_grant, is_uuid7
from cgconform.suites.fsc.harness.expect import body, expect_rejected, require
from cgconform.suites.fsc.harness.fixture_contracts import fixture
from cgconform.suites.fsc.harness.hashes import content_hash
from cgconform.suites.fsc.harness.peers import Harness, wait_until

DK = "Digikoppeling-REST"
OIN = re.compile(r"^\d{20}$")
# TLS 1.2 suites without forward secrecy (static RSA key exchange).
NON_PFS = "AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA"


@requirement(DK, "fsc/identificatie-authenticatie")
def peer_id_is_oin(fsc: Harness) -> None:
    exchange = fsc.a.http.get(fsc.manager_url("/peer"))
    data = body(exchange)
    peer_id = data.get("peer_id") if isinstance(data, dict) else None
    require(
        isinstance(peer_id, str) and OIN.match(peer_id) is not None,
        f"the Manager's Peer ID {peer_id!r} is not an OIN (20 digits). Digikoppeling REST: the "
        "PeerID within FSC is the OIN, from the SerialNumber of the certificate subject",
        [exchange],
    )


def _refused(url: str, tls: TlsConfig, timeout_s: float, **offer: object) -> bool | None:
    """True: the handshake was refused; False: agreed; None: this machine cannot offer it."""
    try:
        handshake(url, tls, timeout_s=timeout_s, **offer)  # type: ignore[arg-type]
    except TargetUnreachable as exc:
        if "no protocols available" in exc.message or "no ciphers" in exc.message.lower():
            return None
        return True
    except ssl.SSLError:
        return None
    return False


@requirement(DK, "fsc/tls")
def tls_forward_secrecy_only(fsc: Harness) -> None:
    a = fsc.a.identity
    tls = TlsConfig(client_cert=a.chain, client_key=a.key, ca_bundle=fsc.settings.pki.trust_anchor)
    timeout = fsc.context.target.budget.timeout_s
    problems: list[str] = []
    for role, url in (("manager", fsc.settings.manager), ("inway", fsc.settings.inway)):
        if not url:
            continue
        agreed = handshake(url, tls, timeout_s=timeout)
        if agreed.version not in ("TLSv1.2", "TLSv1.3"):
            problems.append(f"{role} negotiated {agreed.version}")
        old = _refused(url, tls, timeout, maximum=ssl.TLSVersion.TLSv1_1)
        if old is False:
            problems.append(f"{role} accepts TLS 1.1")
        static = _refused(url, tls, timeout, maximum=ssl.TLSVersion.TLSv1_2, ciphers=NON_PFS)
        if static is False:
            problems.append(f"{role} accepts TLS 1.2 suites without forward secrecy ({NON_PFS})")
    if problems:
        raise Failure(
            "Digikoppeling REST: mutual TLS, at least TLS 1.2, no cipher suites without perfect "
            "forward secrecy: " + "; ".join(problems)
        )
    # Where this machine's OpenSSL cannot offer TLS 1.1 at all (Debian's), no client can use
    # it either; the check decides on the rest, as /core/transport/tls of adr-runtime does.


@requirement(DK, "fsc/contracten")
def at_most_ten_grants(fsc: Harness) -> None:
    grants = [
        connection_grant(
            service_peer=fsc.sut_peer_id,
            service_name=fsc.settings.service,
            outway_peer=fsc.a.peer_id,
            outway_thumbprint=fsc.a.thumbprint,
            properties={"n": n},
        )
        for n in range(11)
    ]
    expect_rejected(
        fsc.submit(fsc.new_content(grants), "peer-a"),
        "A Contract with 11 Grants",
        "Digikoppeling REST: the number of Grants per Contract is limited to 10",
        domain=None,
    )


@requirement(DK, "fsc/retry-mechanisme")
def signatures_are_retried_with_backoff(fsc: Harness) -> None:
    grant = connection_grant(
        service_peer=fsc.sut_peer_id,
        service_name=fsc.settings.service,
        outway_peer=fsc.a.peer_id,
        outway_thumbprint=fsc.a.thumbprint,
    )
    content = fsc.new_content([grant])
    digest = content_hash(content)
    state = fsc.a.state
    with state.lock:
        state.refuse[digest] = 2  # refuse the SUT's first two deliveries
    submitted = fsc.submit(content, "peer-a")
    if submitted.status not in (200, 201):
        raise Inconclusive(
            f"the SUT did not take the Contract this scenario needs: HTTP {submitted.status}",
            evidence=[submitted.to_evidence()],
        )

    def attempts() -> list[float]:
        with state.lock:
            times = list(state.deliveries.get(digest, []))
        return times if len(times) >= 3 else []

    times = wait_until(fsc.settings.accept_timeout_s + 15, attempts) or state.deliveries.get(
        digest, []
    )
    if not times:
        raise Inconclusive(
            "the SUT did not send its accept signature to Peer A's Manager within the wait; "
            "it may not have accepted the Contract (see the fixture notes)"
        )
    if len(times) < 3:
        raise Failure(
            f"Peer A's Manager refused the SUT's signature delivery twice (HTTP 503); the SUT "
            f"tried {len(times)} time(s) in total. Digikoppeling REST: a failed delivery of a "
            "Contract or signature MUST be retried with exponential backoff"
        )
    first, second = times[1] - times[0], times[2] - times[1]
    if second < first * 1.5:
        raise Warning(
            f"the SUT retried after {first:.1f} s and then {second:.1f} s: the interval does not "
            "grow exponentially (Digikoppeling REST: exponential backoff, at most 300 s)"
        )


@requirement(DK, "fsc/logging")
def transaction_ids_are_uuid7(fsc: Harness) -> None:
    if not fsc.settings.outway:
        raise NotApplicable("the Outway creates Transaction IDs: no urls.outway configured")
    item = fixture(fsc, "outway-connect").ready()
    ids: list[str | None] = []
    for _ in range(3):
        call = outway_call(fsc, fsc.sut_hash(item))
        ids.extend(r.header("Fsc-Transaction-Id") for r in call.arrived)
        time.sleep(0.01)
    require(bool(ids), "the Outway sent nothing to the Inway; no Transaction ID to look at")
    wrong = [i for i in ids if not is_uuid7(i)]
    require(
        not wrong,
        f"the Outway's Transaction IDs {wrong} are not UUIDs version 7. Digikoppeling REST: the "
        "Transaction ID is a UUID V7",
    )
