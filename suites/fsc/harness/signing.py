"""The accept / reject / revoke scenarios share one shape (Manager-AcceptContract-*,
-RejectContract-*, -RevokeContract-*): a fresh Contract between Peers A, B and the SUT,
submitted by Peer B, on which Peer A then places (or fails to place) a signature.

The Contract holds a DelegatedServiceConnectionGrant: Peer B (the Delegator) lets Peer A
connect to the SUT's Service on its behalf. FSC Core's validation rules let the Delegator
create and offer it, so it is valid for every reading of the rules, and Peer A (the Outway)
is on it without having signed."""

from __future__ import annotations

from typing import Any

from cgconform.model.outcomes import Inconclusive
from cgconform.suites.fsc.harness.contracts import connection_grant, signature_payload
from cgconform.suites.fsc.harness.expect import (
    NOT_PART_OF_CONTRACT,
    expect_created,
    expect_rejected,
    require,
)
from cgconform.suites.fsc.harness.hashes import content_hash
from cgconform.suites.fsc.harness.jose import UNSUPPORTED_ALGORITHM
from cgconform.suites.fsc.harness.peers import Harness, listed_contract, signed_by

REJECTED = (
    "FSC Core: the Manager MUST validate signatures and MUST generate an error response "
    "if a signature is invalid"
)


def fresh_contract(h: Harness) -> dict[str, Any]:
    """A Contract on which Peer A is the Outway, submitted (and accepted) by Peer B only."""
    grant = connection_grant(
        service_peer=h.sut_peer_id,
        service_name=h.settings.service,
        outway_peer=h.a.peer_id,
        outway_thumbprint=h.a.thumbprint,
        delegator=h.b.peer_id,
    )
    content = h.new_content([grant])
    exchange = h.submit(content, "peer-b")
    if exchange.status not in (200, 201):
        raise Inconclusive(
            f"the SUT did not accept the Contract this scenario needs (submitted by Peer B): "
            f"HTTP {exchange.status}",
            evidence=[exchange.to_evidence()],
        )
    return content


def places_signature(h: Harness, kind: str, *, signer_name: str | None = None) -> None:
    """X-1 (and Accept-8/9): Peer A's valid signature is taken and then listed."""
    content = fresh_contract(h)
    signer = h.rsa_signer if signer_name == "rsa" else None
    algorithm = "RS256" if signer_name == "rsa" else ("ES256" if signer_name == "ec" else None)
    if signer_name == "rsa" and signer is None:
        raise Inconclusive("the test PKI has no peer-a-rsa identity")
    exchange = h.put_signature(content, kind, "peer-a", signer=signer, algorithm=algorithm)
    alg = f" ({algorithm})" if algorithm else ""
    expect_created(
        exchange,
        f"Peer A's {kind} signature{alg}",
        f"FSC Core: a valid {kind} signature of a Peer on the Contract is taken (201)",
    )
    listing = h.list_contracts("peer-a")
    listed = listed_contract(listing, content)
    require(
        signed_by(listed, kind, h.a.peer_id),
        f"the SUT answered {exchange.status} to Peer A's {kind} signature, but GET "
        f"/v1/contracts does not list it under signatures.{kind}[{h.a.peer_id}] of Contract "
        f"{content_hash(content)}",
        [exchange, listing],
    )


def peer_not_on_contract(h: Harness, kind: str) -> None:
    content = fresh_contract(h)
    expect_rejected(
        h.put_signature(content, kind, "peer-c"),
        f"A {kind} signature by Peer C ({h.c.peer_id}), who is not on the Contract",
        "FSC Core Signatures: a signature SHOULD only be accepted if the Peer is present in one "
        "of the Grants",
        codes=NOT_PART_OF_CONTRACT,
    )


def not_a_jws(h: Harness, kind: str) -> None:
    content = fresh_contract(h)
    expect_rejected(
        h.put_signature(content, kind, "peer-a", signature="this.is-not-a.jws"),
        f"A {kind} 'signature' that is not a JWS",
        "FSC Core: a signature MUST follow JWS (RFC 7515) in compact serialisation; " + REJECTED,
        codes=("ERROR_CODE_SIGNATURE_VERIFICATION_FAILED",),
        status=(400, 422),
    )


def content_hash_mismatch(h: Harness, kind: str) -> None:
    content = fresh_contract(h)
    other = dict(content, iv=h.new_content([])["iv"])
    signature = h.signature(content, kind, "peer-a", content_hash_value=content_hash(other))
    expect_rejected(
        h.put_signature(content, kind, "peer-a", signature=signature),
        f"A {kind} signature whose contract_content_hash is that of another Contract",
        "FSC Core content hash: the hash in the signature MUST be compared with the received "
        "Contract (ERROR_CODE_SIGNATURE_CONTRACT_CONTENT_HASH_MISMATCH, 422)",
        codes=("ERROR_CODE_SIGNATURE_CONTRACT_CONTENT_HASH_MISMATCH",),
    )


def wrong_type(h: Harness, kind: str) -> None:
    content = fresh_contract(h)
    other = {"accept": "reject", "reject": "accept", "revoke": "accept"}[kind]
    signature = h.a.signer.sign(signature_payload(content_hash(content), other))
    expect_rejected(
        h.put_signature(content, kind, "peer-a", signature=signature),
        f"A signature of type {other!r} sent to the {kind} endpoint",
        f"FSC Core: the signature type is part of the signed payload; the {kind} endpoint "
        f"takes {kind} signatures only. " + REJECTED,
        codes=("ERROR_CODE_SIGNATURE_VERIFICATION_FAILED",),
    )


def url_hash_mismatch(h: Harness, kind: str) -> None:
    content = fresh_contract(h)
    other = content_hash(dict(content, iv=h.new_content([])["iv"]))
    expect_rejected(
        h.put_signature(content, kind, "peer-a", url_hash=other),
        f"A {kind} signature sent to /v1/contracts/{{hash}}/{kind} with the hash of another "
        "Contract in the URL",
        "FSC Core: ERROR_CODE_URL_PATH_CONTENT_HASH_MISMATCH (422) when the content hash in the "
        "URL path does not match the Contract content in the body",
        codes=("ERROR_CODE_URL_PATH_CONTENT_HASH_MISMATCH",),
    )


def unsupported_algorithm(h: Harness, kind: str) -> None:
    if h.rsa_signer is None:
        raise Inconclusive("the test PKI has no peer-a-rsa identity (needed to sign PS256)")
    content = fresh_contract(h)
    signature = h.signature(
        content, kind, "peer-a", signer=h.rsa_signer, algorithm=UNSUPPORTED_ALGORITHM
    )
    expect_rejected(
        h.put_signature(content, kind, "peer-a", signature=signature),
        f"A {kind} signature made with {UNSUPPORTED_ALGORITHM}",
        "FSC Core: the JWS MUST use RS256/384/512 or ES256/384/512 "
        "(ERROR_CODE_UNKNOWN_ALGORITHM_SIGNATURE, 422)",
        codes=("ERROR_CODE_UNKNOWN_ALGORITHM_SIGNATURE",),
    )
