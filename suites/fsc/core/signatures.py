"""FSC Core "Signatures", "The content hash" and "Grant hash": signatures the SUT takes (a JWS
that names its certificate in x5t#S256 and carries the three payload fields) and signatures and
hashes it makes itself (its accept signature on the fixture Contract `connect`)."""

from __future__ import annotations

import json
import time
from typing import Any

from joserfc import jws

from cgconform.model.outcomes import Failure, Inconclusive, Passed
from cgconform.run.marks import requirement
from cgconform.suites.fsc.core._build import CORE
from cgconform.suites.fsc.harness.codes import evidence, expect_refused
from cgconform.suites.fsc.harness.contracts import signature_payload
from cgconform.suites.fsc.harness.fixture_contracts import fixture
from cgconform.suites.fsc.harness.hashes import HASH_FORMAT, content_hash, same_hash
from cgconform.suites.fsc.harness.jose import JoseProblem, jwk_thumbprint, split_compact
from cgconform.suites.fsc.harness.peers import Harness, to_sut
from cgconform.suites.fsc.harness.tokens import sut_jwks

SKEW_S = 300


def _own_signature(fsc: Harness) -> tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(JWS, header, payload, content) of the SUT's accept signature on fixture `connect`."""
    item = fixture(fsc, "connect").ready()
    accepts = ((item.listed or {}).get("signatures") or {}).get("accept") or {}
    token = accepts.get(fsc.sut_peer_id) if isinstance(accepts, dict) else None
    if not isinstance(token, str):
        raise Inconclusive(
            f"GET /v1/contracts lists no accept signature of the SUT on Contract {item.hash} "
            "(Manager-Contracts-1 and the fixture preparation judge that)"
        )
    try:
        header, payload = split_compact(token)
    except JoseProblem as exc:
        raise Failure(
            f"the SUT's accept signature on Contract {item.hash} is not a compact JWS: {exc}. "
            'FSC Core: "The JWS MUST use the JWS Compact Serialization"'
        ) from None
    return token, header, payload, item.content


def _unsigned_x5t(fsc: Harness, payload: dict[str, Any]) -> str:
    """A compact JWS by Peer A whose header has `alg` only (no x5t#S256)."""
    signer = fsc.a.signer
    alg = signer.default_algorithm
    data = json.dumps(payload).encode()
    return str(jws.serialize_compact({"alg": alg}, data, signer.jwk_key(), algorithms=[alg]))


@requirement(CORE, "FSC-Core/contracts/signatures/x5t-s256")
def signature_names_its_certificate(fsc: Harness) -> None:
    content = fsc.new_content([to_sut(fsc)])
    signature = _unsigned_x5t(fsc, signature_payload(content_hash(content), "accept"))
    expect_refused(
        fsc.submit(content, "peer-a", signature=signature),
        "A Contract whose accept signature (ES256, valid) has no x5t#S256 in its JOSE header",
        'FSC Core Signatures: "The JWS MUST specify the certificate thumbprint of the keypair '
        'used to create the digital signature using the x5t#S256 field of the JOSE Header"',
    )
    _, header, _, _ = _own_signature(fsc)
    thumb = header.get("x5t#S256")
    jwks_exchange, keys = sut_jwks(fsc)
    published = {jwk_thumbprint(k) for k in keys}
    if not isinstance(thumb, str) or thumb not in published:
        raise Failure(
            f"the SUT's own accept signature has x5t#S256 {thumb!r}, which names no certificate "
            "of its JWKS. FSC Core Signatures: the JWS MUST name the certificate of its key in "
            "x5t#S256",
            evidence=evidence(jwks_exchange),
        )


@requirement(CORE, "FSC-Core/contracts/signatures/payload")
def signature_payload_fields(fsc: Harness) -> None:
    content = fsc.new_content([to_sut(fsc)])
    payload = signature_payload(content_hash(content), "accept")
    del payload["signed_at"]
    expect_refused(
        fsc.submit(content, "peer-a", signature=fsc.a.signer.sign(payload)),
        "A Contract whose accept signature's payload has no signed_at",
        'FSC Core Signatures: "The JWS Payload ... MUST contain a hash of the contract.content '
        '..., one of the signature types ... and a Unix timestamp of the sign date"',
    )
    _, _, own, _ = _own_signature(fsc)
    problems = []
    if not isinstance(own.get("contract_content_hash"), str):
        problems.append("no contract_content_hash")
    if own.get("type") != "accept":
        problems.append(f"type {own.get('type')!r}, not 'accept'")
    signed_at = own.get("signed_at")
    if not isinstance(signed_at, int) or isinstance(signed_at, bool):
        problems.append(f"signed_at {signed_at!r} is not a Unix timestamp")
    elif signed_at > time.time() + SKEW_S:
        problems.append(f"signed_at {signed_at} is in the future")
    if problems:
        raise Failure(
            "the SUT's own accept signature has a payload FSC Core does not allow: "
            + "; ".join(problems)
            + f" (payload {json.dumps(own)[:300]})"
        )


@requirement(CORE, "FSC-Core/contracts/content-hash/prefix")
def own_content_hash(fsc: Harness) -> None:
    _, _, own, content = _own_signature(fsc)
    claimed = own.get("contract_content_hash")
    wanted = content_hash(content)
    if not isinstance(claimed, str) or not same_hash(claimed, wanted):
        match = HASH_FORMAT.match(claimed) if isinstance(claimed, str) else None
        prefix = f"${match.group(1)}${match.group(2)}$" if match else "no $n$n$ prefix"
        raise Failure(
            f"the SUT's accept signature carries contract_content_hash {claimed!r} ({prefix}), "
            f"not the content hash {wanted} of the Contract it signs. FSC Core content hash: "
            "JCS, SHA3-512, base64url, prefixed $1$1$ (the standard base64 alphabet is accepted "
            "too, N3)"
        )
    raise Passed(f"the SUT's accept signature carries the content hash {claimed[:12]}…")


@requirement(CORE, "FSC-Core/contracts/grant-hash/type-number")
def grant_hash_reading(fsc: Harness) -> None:
    item = fixture(fsc, "connect").ready()
    reading = fsc.learn_reading(item)
    if reading is None:
        readings = ", ".join(item.grant_hash(0, r)[:8] + "…" for r in ("hash-type", "grant-type"))
        raise Failure(
            f"GET /v1/contracts?grant_hash= finds the Contract {item.hash} by neither Grant "
            f"hash the texts allow ({readings}: $1$3$ by the HashType of step 7, $1$2$ by the "
            "Grant type of step 8's example, docs/fsc-notes.md N1)",
            evidence=evidence(fsc.list_contracts("peer-a", item.grant_hash(0))),
        )
    prefix = item.grant_hash(0, reading)[:5]
    raise Passed(
        f"the SUT computes Grant hashes with the {reading} reading ({prefix} for a "
        "ServiceConnectionGrant; docs/fsc-notes.md N1: both readings are accepted)"
    )
