"""FSC Core, Manager "Error response": the code table (each fault answered with the status and
code the table gives) and the error object of the other endpoints (``{message, domain, code}``,
a ManagerErrorCode, ERROR_DOMAIN_MANAGER). The Test Suite scenarios provoke several of these
faults too but only warn about the code (docs/fsc-notes.md N5); here the code is the
requirement."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import Failure, Inconclusive
from cgconform.run.marks import requirement
from cgconform.suites.fsc.core._build import CORE, published, raw_signature
from cgconform.suites.fsc.harness import signing
from cgconform.suites.fsc.harness.codes import (
    MANAGER_CODES,
    code_of,
    domain_of,
    error_object_problems,
    evidence,
    expect_code,
)
from cgconform.suites.fsc.harness.expect import NOT_PART_OF_CONTRACT, line
from cgconform.suites.fsc.harness.hashes import content_hash
from cgconform.suites.fsc.harness.jose import UNSUPPORTED_ALGORITHM
from cgconform.suites.fsc.harness.peers import Harness, to_sut

TABLE = "FSC Core Manager error codes"
PROVOKED = "core.manager-errors"


def _code(fsc: Harness, exchange: Exchange, what: str, row: str, **kw: Any) -> None:
    expect_code(exchange, what, f"{TABLE}: {row}", **kw)


@requirement(CORE, "FSC-Core/manager/error-codes/incorrect-group-id")
def incorrect_group_id(fsc: Harness) -> None:
    content = fsc.new_content([to_sut(fsc)])
    content["group_id"] = f"{fsc.settings.group_id}-other"
    _code(
        fsc,
        fsc.submit(content, "peer-a"),
        f"A Contract of the Group {content['group_id']!r}",
        "ERROR_CODE_INCORRECT_GROUP_ID, 422",
        status=422,
        codes=("ERROR_CODE_INCORRECT_GROUP_ID",),
    )


@requirement(CORE, "FSC-Core/manager/error-codes/submitting-peer-not-part-of-contract")
def submitting_peer_not_part_of_contract(fsc: Harness) -> None:
    content = fsc.new_content([to_sut(fsc)])
    _code(
        fsc,
        fsc.submit(content, "peer-c"),
        f"A Contract between Peer A and the SUT, submitted by Peer C ({fsc.c.peer_id})",
        "ERROR_CODE_SUBMITTING_PEER_NOT_PART_OF_CONTRACT, 422 (manager.yaml: "
        "ERROR_CODE_PEER_NOT_PART_OF_CONTRACT; either, N5)",
        status=422,
        codes=NOT_PART_OF_CONTRACT,
    )


@requirement(CORE, "FSC-Core/manager/error-codes/receiving-peer-not-part-of-contract")
def receiving_peer_not_part_of_contract(fsc: Harness) -> None:
    grant = to_sut(fsc)
    grant["data"]["service"]["peer_id"] = fsc.b.peer_id
    grant["data"]["service"]["name"] = "cgconform-echo-b"
    content = fsc.new_content([grant])
    _code(
        fsc,
        fsc.submit(content, "peer-a"),
        f"A Contract between Peer A and Peer B only, submitted to the SUT ({fsc.sut_peer_id})",
        "ERROR_CODE_RECEIVING_PEER_NOT_PART_OF_CONTRACT, 422 (manager.yaml: "
        "ERROR_CODE_PEER_NOT_PART_OF_CONTRACT; either, N5)",
        status=422,
        codes=NOT_PART_OF_CONTRACT,
    )


@requirement(CORE, "FSC-Core/manager/error-codes/signature-contract-content-hash-mismatch")
def signature_content_hash_mismatch(fsc: Harness) -> None:
    content = fsc.new_content([to_sut(fsc)])
    other = fsc.new_content([to_sut(fsc)])
    signature = fsc.signature(content, "accept", "peer-a", content_hash_value=content_hash(other))
    _code(
        fsc,
        fsc.submit(content, "peer-a", signature=signature),
        "A Contract whose accept signature carries the content hash of another Contract",
        "ERROR_CODE_SIGNATURE_CONTRACT_CONTENT_HASH_MISMATCH, 422",
        status=422,
        codes=("ERROR_CODE_SIGNATURE_CONTRACT_CONTENT_HASH_MISMATCH",),
    )


@requirement(CORE, "FSC-Core/manager/error-codes/peer-id-signature-mismatch")
def peer_id_signature_mismatch(fsc: Harness) -> None:
    """Peer B submits a Contract it is on with Peer A's accept signature. Peer B's JWKS also
    holds Peer A's certificate for the moment, so that a Manager finds the certificate the
    signature names wherever it looks (at B's address, N15) and sees its Peer ID is A's."""
    content = fsc.new_content([to_sut(fsc, delegator=fsc.b.peer_id)])
    signature = fsc.signature(content, "accept", "peer-a")
    state = fsc.b.state
    with state.lock:
        before = state.signers
        state.signers = (*before, fsc.a.signer)
    try:
        exchange = fsc.b.http.post(
            fsc.manager_url("/contracts"),
            json={"contract_content": content, "signature": signature},
            headers={"Fsc-Manager-Address": fsc.b.address},
        )
    finally:
        with state.lock:
            state.signers = before
    _code(
        fsc,
        exchange,
        f"A Contract submitted by Peer B ({fsc.b.peer_id}) with an accept signature of Peer A "
        f"({fsc.a.peer_id})",
        "ERROR_CODE_PEER_ID_SIGNATURE_MISMATCH, 422",
        status=422,
        codes=("ERROR_CODE_PEER_ID_SIGNATURE_MISMATCH",),
        doubtful=("ERROR_CODE_SIGNATURE_VERIFICATION_FAILED",),
    )


@requirement(CORE, "FSC-Core/manager/error-codes/signature-verification-failed")
def signature_verification_failed(fsc: Harness) -> None:
    content = fsc.new_content([to_sut(fsc)])
    header, payload, sig = fsc.signature(content, "accept", "peer-a").split(".")
    broken = sig[:-6] + ("AAAAAA" if not sig.endswith("AAAAAA") else "BBBBBB")
    _code(
        fsc,
        fsc.submit(content, "peer-a", signature=f"{header}.{payload}.{broken}"),
        "A Contract whose accept signature does not verify (its last bytes changed)",
        "ERROR_CODE_SIGNATURE_VERIFICATION_FAILED, 422",
        status=422,
        codes=("ERROR_CODE_SIGNATURE_VERIFICATION_FAILED",),
    )


@requirement(CORE, "FSC-Core/manager/error-codes/grant-combination-not-allowed")
def grant_combination_not_allowed(fsc: Harness) -> None:
    grants = [published(fsc, delegator=fsc.b.peer_id), to_sut(fsc, delegator=fsc.b.peer_id)]
    _code(
        fsc,
        fsc.submit(fsc.new_content(grants), "peer-b"),
        "A Contract with a DelegatedServicePublicationGrant and a DelegatedServiceConnectionGrant",
        "ERROR_CODE_GRANT_COMBINATION_NOT_ALLOWED, 422",
        status=422,
        codes=("ERROR_CODE_GRANT_COMBINATION_NOT_ALLOWED",),
    )


@requirement(CORE, "FSC-Core/manager/error-codes/url-path-content-hash-mismatch")
def url_path_content_hash_mismatch(fsc: Harness) -> None:
    content = signing.fresh_contract(fsc)
    other = content_hash(fsc.new_content([to_sut(fsc)]))
    _code(
        fsc,
        fsc.put_signature(content, "accept", "peer-a", url_hash=other),
        f"Peer A's accept signature sent to /v1/contracts/{quote(other, safe='')}/accept, the "
        "hash of another Contract",
        "ERROR_CODE_URL_PATH_CONTENT_HASH_MISMATCH, 422",
        status=422,
        codes=("ERROR_CODE_URL_PATH_CONTENT_HASH_MISMATCH",),
    )


@requirement(CORE, "FSC-Core/manager/error-codes/unknown-hash-algorithm-hash")
def unknown_hash_algorithm(fsc: Harness) -> None:
    content = fsc.new_content([to_sut(fsc)], hash_algorithm="HASH_ALGORITHM_SHA2_512")
    _code(
        fsc,
        fsc.submit(content, "peer-a", signature=raw_signature(fsc, content)),
        "A Contract with hash_algorithm HASH_ALGORITHM_SHA2_512 (FSC defines only SHA3-512)",
        "ERROR_CODE_UNKNOWN_HASH_ALGORITHM_HASH, 422",
        status=422,
        codes=("ERROR_CODE_UNKNOWN_HASH_ALGORITHM_HASH",),
        doubtful=("ERROR_CODE_SIGNATURE_CONTRACT_CONTENT_HASH_MISMATCH",),
        malformed_ok=True,
    )


@requirement(CORE, "FSC-Core/manager/error-codes/unknown-algorithm-signature")
def unknown_signature_algorithm(fsc: Harness) -> None:
    if fsc.rsa_signer is None:
        raise Inconclusive("the test PKI has no peer-a-rsa identity (needed to sign PS256)")
    content = fsc.new_content([to_sut(fsc)])
    exchange = fsc.submit(content, "peer-a", signer=fsc.rsa_signer, algorithm=UNSUPPORTED_ALGORITHM)
    _code(
        fsc,
        exchange,
        f"A Contract whose accept signature is made with {UNSUPPORTED_ALGORITHM}",
        "ERROR_CODE_UNKNOWN_ALGORITHM_SIGNATURE, 422",
        status=422,
        codes=("ERROR_CODE_UNKNOWN_ALGORITHM_SIGNATURE",),
    )


# -- the error object ----------------------------------------------------------------------------


def _provoked_errors(fsc: Harness) -> list[tuple[str, Exchange]]:
    """Two errors of the SUT's Manager (cached per run): a Contract of another Group, and a
    submission whose body is not JSON."""
    if PROVOKED not in fsc.cache:
        content = fsc.new_content([to_sut(fsc)])
        content["group_id"] = f"{fsc.settings.group_id}-other"
        wrong_group = fsc.submit(content, "peer-a")
        body = json.dumps({"contract_content": content})[:40].encode()
        not_json = fsc.a.http.post(
            fsc.manager_url("/contracts"),
            data=body,
            headers={"Content-Type": "application/json", "Fsc-Manager-Address": fsc.a.address},
        )
        fsc.cache[PROVOKED] = [
            ("a Contract of another Group", wrong_group),
            ("a submission whose body is cut off JSON", not_json),
        ]
    errors: list[tuple[str, Exchange]] = fsc.cache[PROVOKED]
    accepted = [f"{what}: {line(e)}" for what, e in errors if e.status < 400]
    if accepted:
        raise Inconclusive(
            "the SUT's Manager answered no error to " + "; ".join(accepted) + ", so there is no "
            "error response to look at (the Contract checks judge that)",
            evidence=evidence(*(e for _, e in errors)),
        )
    return errors


def _judge(fsc: Harness, problems_of: Any, asks: str) -> None:
    errors = _provoked_errors(fsc)
    problems = [f"{what} ({line(e)}): {p}" for what, e in errors for p in problems_of(e)]
    if problems:
        raise Failure(
            "the Manager's error responses are not what FSC Core asks: "
            + "; ".join(problems)
            + f". {asks}",
            evidence=evidence(*(e for _, e in errors)),
        )


@requirement(CORE, "FSC-Core/manager/error-response/error-object")
def error_object(fsc: Harness) -> None:
    _judge(
        fsc,
        lambda e: error_object_problems(e, header=False),
        'FSC Core: "The Manager MUST return the error response object as described in '
        '.components/schemas/error" ({message, domain, code})',
    )


@requirement(CORE, "FSC-Core/manager/error-response/code-enum")
def error_code_enum(fsc: Harness) -> None:
    def problems(exchange: Exchange) -> list[str]:
        code = code_of(exchange)
        return [] if code in MANAGER_CODES else [f"code {code!r} is not a ManagerErrorCode"]

    _judge(
        fsc,
        problems,
        'FSC Core: "The code field of the error response MUST contain one of the codes defined '
        'as .components.schemas.ManagerErrorCode" (faults the table gives no code for may use '
        "any of them, docs/fsc-notes.md N20)",
    )


@requirement(CORE, "FSC-Core/manager/error-response/domain")
def error_domain(fsc: Harness) -> None:
    def problems(exchange: Exchange) -> list[str]:
        domain = domain_of(exchange)
        return [] if domain == "ERROR_DOMAIN_MANAGER" else [f"domain {domain!r}"]

    _judge(
        fsc,
        problems,
        'FSC Core: "The domain field of the error response MUST be equal to ERROR_DOMAIN_MANAGER"',
    )
