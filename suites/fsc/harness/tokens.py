"""Access tokens from the SUT's Manager, checked the way FSC Core describes them: a JWT signed
by the SUT (key in its JWKS, x5t#S256 header, RS/ES algorithms), certificate-bound
(cnf.x5t#S256, RFC 8705) and carrying gth, gid, sub, iss, svc, aud, exp, nbf."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import Failure, Inconclusive
from cgconform.suites.fsc.harness.expect import body, line, listing
from cgconform.suites.fsc.harness.hashes import b64url, same_hash
from cgconform.suites.fsc.harness.jose import (
    FSC_ALGORITHMS,
    JoseProblem,
    certificates_from_jwk,
    jwk_thumbprint,
    split_compact,
    subject_serial_number,
    verify_compact,
)
from cgconform.suites.fsc.harness.peers import Fixture, Harness, Party

SKEW_S = 60  # tolerated clock difference for nbf/exp


def cert_x5t(party: Party) -> str:
    """x5t#S256 of the Party's TLS certificate."""
    return b64url(bytes.fromhex(party.identity.cert_sha256))


def sut_jwks(h: Harness) -> tuple[Exchange, list[dict[str, Any]]]:
    exchange = h.a.http.get(h.manager_url("/.well-known/jwks.json"))
    return exchange, listing(exchange, "keys")


def issued_token(h: Harness, item: Fixture, as_: str = "peer-a") -> tuple[Exchange, str]:
    """Ask for a token for the fixture's first Grant; Failure when none is issued."""
    item.ready()
    exchange = h.request_token(h.sut_hash(item), as_)
    data = body(exchange)
    token = data.get("access_token") if isinstance(data, dict) else None
    if exchange.status != 200 or not isinstance(token, str):
        raise Failure(
            f"no access token for a valid Contract ({item.key}, {item.hash}): {line(exchange)} "
            f"{exchange.text[:300]}. FSC Core: the Manager MUST be able to provide an access "
            "token to Peers that have a valid Contract with a ServiceConnectionGrant",
            evidence=[exchange.to_evidence()],
        )
    return exchange, token


def verified_claims(h: Harness, exchange: Exchange, token: str, item: Fixture) -> dict[str, Any]:
    """The token's claims after checking signature, header and the Core claims; Failure lists
    every problem found."""
    try:
        header, claims = split_compact(token)
    except JoseProblem as exc:
        raise Failure(
            f"the access token is not a JWS: {exc}", evidence=[exchange.to_evidence()]
        ) from None
    problems: list[str] = []
    if header.get("alg") not in FSC_ALGORITHMS:
        problems.append(f"alg {header.get('alg')!r} is not one of {', '.join(FSC_ALGORITHMS)}")
    thumb = header.get("x5t#S256")
    jwks_exchange, keys = sut_jwks(h)
    key = next((k for k in keys if jwk_thumbprint(k) == thumb), None) if thumb else None
    if not thumb:
        problems.append("the JOSE header has no x5t#S256")
    elif key is None:
        problems.append(f"no key with x5t#S256 {thumb} in the SUT's JWKS")
    else:
        try:
            cert = certificates_from_jwk(key)[0]
            verify_compact(token, cert)
            if subject_serial_number(cert) != h.sut_peer_id:
                problems.append(
                    f"the signing certificate's Peer ID is {subject_serial_number(cert)}, not "
                    f"the SUT's {h.sut_peer_id}"
                )
        except JoseProblem as exc:
            problems.append(f"signature: {exc}")
    grant = item.content["grants"][0]["data"]
    problems += _claim_problems(h, claims, grant, item)
    if problems:
        raise Failure(
            "the access token does not meet FSC Core 'Access token': " + "; ".join(problems),
            evidence=[exchange.to_evidence(), jwks_exchange.to_evidence()],
        )
    return claims


def _claim_problems(
    h: Harness, claims: dict[str, Any], grant: dict[str, Any], item: Fixture
) -> list[str]:
    now = time.time()
    problems = []
    expected_hashes = [item.grant_hash(0, r) for r in ("hash-type", "grant-type")]
    gth = claims.get("gth")
    if not isinstance(gth, str) or not any(same_hash(gth, e) for e in expected_hashes):
        problems.append(f"gth {gth!r} is not the Grant hash {expected_hashes[0]}")
    expect = {
        "gid": h.settings.group_id,
        "sub": grant["outway"]["peer_id"],
        "iss": h.sut_peer_id,
        "svc": grant["service"]["name"],
    }
    for name, wanted in expect.items():
        if claims.get(name) != wanted:
            problems.append(f"{name} is {claims.get(name)!r}, not {wanted!r}")
    aud = claims.get("aud")
    aud_url = aud[0] if isinstance(aud, list) and aud else aud
    parts = urlsplit(aud_url) if isinstance(aud_url, str) else None
    if parts is None or parts.scheme != "https" or parts.port is None:
        problems.append(f"aud {aud!r} is not the Inway URL with scheme and port")
    for name in ("exp", "nbf"):
        if not isinstance(claims.get(name), int):
            problems.append(f"{name} missing or not an integer")
    if isinstance(claims.get("exp"), int) and claims["exp"] <= now - SKEW_S:
        problems.append(f"exp {claims['exp']} is in the past")
    if isinstance(claims.get("nbf"), int) and claims["nbf"] > now + SKEW_S:
        problems.append(f"nbf {claims['nbf']} is in the future")
    bound = (
        (claims.get("cnf") or {}).get("x5t#S256") if isinstance(claims.get("cnf"), dict) else None
    )
    wanted_cnf = cert_x5t(h.a)
    if bound != wanted_cnf:
        problems.append(
            f"cnf.x5t#S256 is {bound!r}, not the thumbprint of Peer A's client certificate "
            f"({wanted_cnf}) (RFC 8705 §3.1)"
        )
    return problems


def delegator_in(claims: dict[str, Any]) -> str | None:
    """The delegator of a DelegatedServiceConnectionGrant: act.sub, or cdi (N9)."""
    act = claims.get("act")
    if isinstance(act, dict) and isinstance(act.get("sub"), str):
        return str(act["sub"])
    cdi = claims.get("cdi")
    return str(cdi) if isinstance(cdi, str) else None


def wait_for_expiry(h: Harness, claims: dict[str, Any]) -> None:
    """Sleep until the token has expired (N16), or Inconclusive when that takes too long."""
    exp = claims.get("exp")
    if not isinstance(exp, int):
        raise Inconclusive("the token has no integer exp; cannot wait for it to expire")
    wait = exp - time.time() + 1.5
    if wait > h.settings.token_expiry_wait_s:
        raise Inconclusive(
            f"the SUT's tokens live {wait:.0f} s more; waiting for expiry is limited to "
            f"{h.settings.token_expiry_wait_s:g} s ([fsc] token_expiry_wait). Shorten the token "
            "lifetime of the test deployment or raise token_expiry_wait"
        )
    if wait > 0:
        time.sleep(wait)
