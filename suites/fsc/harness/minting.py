"""Access tokens the harness makes itself, to show the SUT's Inway tokens no honest Manager
issues: for a Service the Inway does not offer, for another Group, already expired, or signed
by another Peer.

A token the Inway must take as its own has to be signed with the SUT's key. When the SUT uses
the test PKI (``[fsc] sut``), the harness holds that key; whether the Inway accepts tokens
signed with it (its Manager might sign with another key) is tried once with an otherwise valid
token (`calibrated_sut_signer`): if the Inway refuses that one, the checks that need it are
`inconclusive`, never `fail`."""

from __future__ import annotations

import time
from typing import Any

from cgconform.model.outcomes import Inconclusive
from cgconform.suites.fsc.harness.calls import inway_call
from cgconform.suites.fsc.harness.fixture_contracts import fixture
from cgconform.suites.fsc.harness.jose import Signer
from cgconform.suites.fsc.harness.peers import Harness
from cgconform.suites.fsc.harness.tokens import cert_x5t

CALIBRATION = "minting.calibration"


def token_claims(h: Harness, **overrides: Any) -> dict[str, Any]:
    """The claims of a token for Peer A's connection to the SUT's test Service (fixture
    `connect`), bound to Peer A's certificate; `overrides` replace or (None) drop claims."""
    item = fixture(h, "connect").ready()
    now = int(time.time())
    claims: dict[str, Any] = {
        "gth": h.sut_hash(item),
        "gid": h.settings.group_id,
        "sub": h.a.peer_id,
        "iss": h.sut_peer_id,
        "svc": h.settings.service,
        "aud": h.settings.inway or "",
        "iat": now,
        "nbf": now - 5,
        "exp": now + 120,
        "cnf": {"x5t#S256": cert_x5t(h.a)},
        "add": {},
    }
    for name, value in overrides.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def mint(signer: Signer, claims: dict[str, Any]) -> str:
    return signer.sign(claims, header={"typ": "JWT"})


def sut_signer(h: Harness) -> Signer | None:
    """The SUT's key from the test PKI, or None when the SUT brings its own certificates."""
    name = h.settings.sut_identity
    if not name:
        return None
    identity = h.settings.pki[name]
    return Signer.from_files(identity.key, identity.chain)


def calibrated_sut_signer(h: Harness) -> Signer:
    """The SUT's key, once the Inway has served a request with a token signed by it (cached
    per run); Inconclusive when the harness cannot make tokens the Inway takes."""
    if CALIBRATION not in h.cache:
        h.cache[CALIBRATION] = _calibrate(h)
    result = h.cache[CALIBRATION]
    if isinstance(result, str):
        raise Inconclusive(result)
    assert isinstance(result, Signer)
    return result


def _calibrate(h: Harness) -> Signer | str:
    signer = sut_signer(h)
    if signer is None:
        return (
            "needs tokens signed with the SUT's key, which the harness holds only when the SUT "
            "uses the test PKI ([fsc] sut); with certificates of its own this check cannot run"
        )
    call = inway_call(h, mint(signer, token_claims(h)))
    if 200 <= call.exchange.status < 300 and call.arrived:
        return signer
    return (
        "the SUT's Inway did not take a correct token signed with the test PKI's key of the SUT "
        f"(HTTP {call.exchange.status}): its Manager signs with another key, so the harness "
        "cannot make the tokens this check needs"
    )
