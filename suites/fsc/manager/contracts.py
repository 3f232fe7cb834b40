"""Manager-SubmitContract-1..12 and Manager-Contracts-1..2: the harness, as other Peers of the
Group, submits Contracts to the SUT's Manager and reads them back."""

from __future__ import annotations

from typing import Any

from cgconform.run.marks import requirement
from cgconform.suites.fsc.harness.contracts import (
    publication_grant,
    signature_payload,
)
from cgconform.suites.fsc.harness.expect import (
    NOT_PART_OF_CONTRACT,
    expect_created,
    expect_rejected,
    require,
)
from cgconform.suites.fsc.harness.fixture_contracts import fixture
from cgconform.suites.fsc.harness.hashes import b64url, jcs
from cgconform.suites.fsc.harness.peers import Harness, listed_contract, to_sut

STD = "FSC-TestSuite"
CREATED = "FSC Core: the Manager MUST support and validate Contracts (manager.yaml: 201 Created)"


def _published(h: Harness, name: str, **kw: Any) -> dict[str, Any]:
    return publication_grant(
        directory_peer=h.sut_peer_id, service_peer=h.a.peer_id, service_name=name, **kw
    )


@requirement(STD, "Manager-SubmitContract-1")
def submit_service_connection_grant(fsc: Harness) -> None:
    content = fsc.new_content([to_sut(fsc)])
    expect_created(
        fsc.submit(content, "peer-a"), "A Contract with a ServiceConnectionGrant", CREATED
    )


@requirement(STD, "Manager-SubmitContract-2")
def submit_service_publication_grant(fsc: Harness) -> None:
    content = fsc.new_content([_published(fsc, "cgconform-submit-2")])
    expect_created(
        fsc.submit(content, "peer-a"), "A Contract with a ServicePublicationGrant", CREATED
    )


@requirement(STD, "Manager-SubmitContract-3")
def submit_delegated_service_publication_grant(fsc: Harness) -> None:
    grant = _published(fsc, "cgconform-submit-3", delegator=fsc.b.peer_id)
    content = fsc.new_content([grant])
    expect_created(
        fsc.submit(content, "peer-b"),
        "A Contract with a DelegatedServicePublicationGrant, submitted by its Delegator",
        CREATED,
    )


@requirement(STD, "Manager-SubmitContract-4")
def submit_delegated_service_connection_grant(fsc: Harness) -> None:
    content = fsc.new_content([to_sut(fsc, delegator=fsc.b.peer_id)])
    expect_created(
        fsc.submit(content, "peer-b"),
        "A Contract with a DelegatedServiceConnectionGrant, submitted by its Delegator",
        CREATED,
    )


@requirement(STD, "Manager-SubmitContract-5")
def submit_connection_grant_for_delegated_service(fsc: Harness) -> None:
    content = fsc.new_content([to_sut(fsc, service_delegator=fsc.c.peer_id)])
    expect_created(
        fsc.submit(content, "peer-a"),
        "A Contract with a ServiceConnectionGrant for a Service offered on behalf of Peer C",
        CREATED,
    )


@requirement(STD, "Manager-SubmitContract-6")
def submit_delegated_connection_grant_for_delegated_service(fsc: Harness) -> None:
    grant = to_sut(fsc, delegator=fsc.b.peer_id, service_delegator=fsc.c.peer_id)
    content = fsc.new_content([grant])
    expect_created(
        fsc.submit(content, "peer-b"),
        "A Contract with a DelegatedServiceConnectionGrant for a delegated Service",
        CREATED,
    )


@requirement(STD, "Manager-SubmitContract-7")
def reject_contract_from_peer_not_on_it(fsc: Harness) -> None:
    content = fsc.new_content([to_sut(fsc)])  # between Peer A and the SUT
    expect_rejected(
        fsc.submit(content, "peer-c"),
        f"A Contract between Peer A and the SUT, submitted by Peer C ({fsc.c.peer_id})",
        "FSC Core: the Peer ID of the submitting Manager must be on the Contract "
        "(ERROR_CODE_PEER_NOT_PART_OF_CONTRACT, 422)",
        codes=NOT_PART_OF_CONTRACT,
    )


@requirement(STD, "Manager-SubmitContract-8")
def reject_publication_grant_mixed_with_others(fsc: Harness) -> None:
    content = fsc.new_content([_published(fsc, "cgconform-submit-8"), to_sut(fsc)])
    expect_rejected(
        fsc.submit(content, "peer-a"),
        "A Contract with a ServicePublicationGrant and a ServiceConnectionGrant",
        "FSC Core Contract validation: a ServicePublicationGrant cannot be mixed with other "
        "Grants (ERROR_CODE_GRANT_COMBINATION_NOT_ALLOWED, 422)",
        codes=("ERROR_CODE_GRANT_COMBINATION_NOT_ALLOWED",),
    )


@requirement(STD, "Manager-SubmitContract-9")
def reject_other_group_id(fsc: Harness) -> None:
    group = f"{fsc.settings.group_id}-other"
    content = fsc.new_content([to_sut(fsc)])
    content["group_id"] = group
    expect_rejected(
        fsc.submit(content, "peer-a"),
        f"A Contract with group_id {group!r} (the SUT's Group is {fsc.settings.group_id!r})",
        "FSC Core Contract validation: the Group ID of the Manager matches contract.group_id "
        "(ERROR_CODE_INCORRECT_GROUP_ID, 422)",
        codes=("ERROR_CODE_INCORRECT_GROUP_ID",),
    )


@requirement(STD, "Manager-SubmitContract-10")
def reject_unsupported_hash_algorithm(fsc: Harness) -> None:
    import hashlib

    content = fsc.new_content([to_sut(fsc)])
    # The signature's content hash names hash algorithm 2, which FSC does not define.
    digest = b64url(hashlib.sha3_512(jcs(content)).digest())
    payload = signature_payload(f"$2$1${digest}", "accept")
    signature = fsc.a.signer.sign(payload)
    expect_rejected(
        fsc.submit(content, "peer-a", signature=signature),
        "A Contract whose accept signature carries a Contract content hash with hash algorithm "
        "$2$ (only $1$, SHA3-512, exists)",
        "FSC Core: ERROR_CODE_UNKNOWN_HASH_ALGORITHM_HASH (422) when the Hash Algorithm in the "
        "Contract content hash or Grant hash is not supported",
        codes=(
            "ERROR_CODE_UNKNOWN_HASH_ALGORITHM_HASH",
            "ERROR_CODE_SIGNATURE_CONTRACT_CONTENT_HASH_MISMATCH",
        ),
    )


@requirement(STD, "Manager-SubmitContract-11")
def accept_rsa_signature(fsc: Harness) -> None:
    require(fsc.rsa_signer is not None, "the test PKI has no peer-a-rsa identity")
    content = fsc.new_content([to_sut(fsc)])
    exchange = fsc.submit(content, "peer-a", signer=fsc.rsa_signer, algorithm="RS256")
    expect_created(
        exchange,
        "A Contract signed by Peer A with RS256 (certificate in Peer A's JWKS, found via "
        "Fsc-Manager-Address)",
        CREATED + "; RS256/384/512 are allowed signature algorithms",
    )


@requirement(STD, "Manager-SubmitContract-12")
def accept_ecdsa_signature(fsc: Harness) -> None:
    content = fsc.new_content([to_sut(fsc)])
    expect_created(
        fsc.submit(content, "peer-a", algorithm="ES256"),
        "A Contract signed by Peer A with ES256",
        CREATED + "; ES256/384/512 are allowed signature algorithms",
    )


@requirement(STD, "Manager-Contracts-1")
def list_contracts_of_the_peer(fsc: Harness) -> None:
    item = fixture(fsc, "connect").ready()
    exchange = fsc.list_contracts("peer-a")
    require(
        exchange.status == 200 and listed_contract(exchange, item.content) is not None,
        f"GET /v1/contracts as Peer A does not return the Contract {item.hash} with Peer A's "
        f"ServiceConnectionGrant ({exchange.status}). FSC Core: the Manager MUST provide "
        "existing Contracts for a specific Peer",
        [exchange],
    )


@requirement(STD, "Manager-Contracts-2")
def do_not_list_contracts_of_others(fsc: Harness) -> None:
    item = fixture(fsc, "others").ready()
    exchange = fsc.list_contracts("peer-a")
    require(
        exchange.status == 200,
        f"GET /v1/contracts as Peer A answered {exchange.status}",
        [exchange],
    )
    require(
        listed_contract(exchange, item.content) is None,
        f"GET /v1/contracts as Peer A returns Contract {item.hash}, which is between Peer B and "
        "the SUT only. FSC Core: a Contract SHOULD only be provided to a Peer present in one "
        "of its Grants",
        [exchange],
    )
