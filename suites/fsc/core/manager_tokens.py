"""FSC Core, Manager "Tokens" and the signature requirements of the connection Grants: before
it issues an access token the Manager checks that the Contract is valid (signed by every Peer
the Grant requires, within its validity) and that the client is the Grant's Outway with the
Grant's public key. The scenarios cover a missing Outway signature, a revoked Contract and the
client_id; these checks the rest."""

from __future__ import annotations

from typing import Any

from cgconform.http.client import HttpClient
from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import Inconclusive
from cgconform.run.marks import requirement
from cgconform.suites.fsc.core._build import CORE, DAY, now, submitted, wait_for_sut_accept
from cgconform.suites.fsc.harness.expect import expect_oauth_error
from cgconform.suites.fsc.harness.fixture_contracts import fixture
from cgconform.suites.fsc.harness.hashes import grant_hash_readings
from cgconform.suites.fsc.harness.peers import Harness, to_sut

REFUSE = (
    "FSC Core Tokens: before issuing an access token the Manager MUST validate that the scope is "
    "a connection Grant of a valid Contract and that the client is its Outway (errors as RFC "
    "6749 §5.2)"
)
ERRORS = (
    "invalid_grant",
    "invalid_scope",
    "unauthorized_client",
    "invalid_client",
    "invalid_request",
)


def _scope(fsc: Harness, content: dict[str, Any]) -> str:
    return grant_hash_readings(content, 0)[fsc.grant_reading or "hash-type"]


def _token(fsc: Harness, client: HttpClient, client_id: str, scope: str) -> Exchange:
    return client.post(
        fsc.manager_url("/token"),
        data={"grant_type": "client_credentials", "scope": scope, "client_id": client_id},
    )


@requirement(CORE, "FSC-Core/manager/tokens/valid-contract")
def no_token_before_the_contract_is_valid(fsc: Harness) -> None:
    moment = now()
    content = fsc.new_content(
        [to_sut(fsc)], created_at=moment - 60, not_before=moment + DAY, not_after=moment + 30 * DAY
    )
    submitted(fsc, content, "peer-a", "a Contract valid from tomorrow")
    wait_for_sut_accept(fsc, content, "peer-a", "the Contract valid from tomorrow")
    expect_oauth_error(
        fsc.request_token(_scope(fsc, content), "peer-a"),
        f"A token request for a Grant of a Contract signed by all its Peers but valid only from "
        f"{content['validity']['not_before']} (tomorrow)",
        REFUSE + "; a Contract is not valid before validity.not_before",
        errors=("invalid_grant",),
    )


@requirement(CORE, "FSC-Core/manager/tokens/client-is-outway")
def no_token_for_another_peer(fsc: Harness) -> None:
    item = fixture(fsc, "connect").ready()
    b = fsc.b
    expect_oauth_error(
        _token(fsc, b.http, b.peer_id, fsc.sut_hash(item)),
        f"A token request by Peer B ({b.peer_id}, its own certificate and client_id) for the "
        f"Grant of Peer A's Outway in Contract {item.hash}",
        REFUSE + "; the Peer ID of the client certificate must be grant.data.outway.peer_id",
        errors=ERRORS,
    )


@requirement(CORE, "FSC-Core/manager/tokens/client-public-key")
def no_token_for_another_key(fsc: Harness) -> None:
    item = fixture(fsc, "connect").ready()
    pki = fsc.settings.pki
    if "peer-a-rsa" not in pki.identities:
        raise Inconclusive(
            "the test PKI has no peer-a-rsa identity (Peer A's ID with another key), which this "
            "check presents as client; recreate the PKI with `cgconform fsc pki init`"
        )
    other = pki["peer-a-rsa"]
    client = fsc.context.http.with_identity(other.requests_cert, verify=str(pki.trust_anchor))
    expect_oauth_error(
        _token(fsc, client, fsc.a.peer_id, fsc.sut_hash(item)),
        f"A token request with client_id {fsc.a.peer_id} over a certificate of Peer A with "
        f"another key (public key thumbprint {other.spki_sha256[:16]}…, the Grant names "
        f"{fsc.a.thumbprint[:16]}…)",
        REFUSE + "; the client certificate must hold the public key of "
        "grant.data.outway.public_key_thumbprint",
        errors=ERRORS,
    )


@requirement(CORE, "FSC-Core/contracts/delegated-service-connection-grant/signature-delegator")
def no_token_without_the_delegator(fsc: Harness) -> None:
    content = fsc.new_content([to_sut(fsc, delegator=fsc.b.peer_id)])
    submitted(
        fsc,
        content,
        "peer-a",
        "a DelegatedServiceConnectionGrant submitted by its Delegatee (Peer A) before its "
        "Delegator (Peer B) signed (docs/fsc-notes.md N23: the texts disagree on who may offer it)",
    )
    wait_for_sut_accept(fsc, content, "peer-a", "the Contract Peer A submitted")
    expect_oauth_error(
        fsc.request_token(_scope(fsc, content), "peer-a"),
        "A token request by the Delegatee (Peer A) for a DelegatedServiceConnectionGrant its "
        "Delegator (Peer B) has not signed",
        REFUSE + '; "A signature is present with the subject serial number of the Peer defined '
        'the field grant.data.delegator.peer_id"',
        errors=("invalid_grant",),
    )


@requirement(
    CORE, "FSC-Core/contracts/delegated-service-connection-grant/signature-service-delegator"
)
def no_token_without_the_service_delegator(fsc: Harness) -> None:
    grant = to_sut(fsc, delegator=fsc.b.peer_id, service_delegator=fsc.c.peer_id)
    content = fsc.new_content([grant])
    submitted(fsc, content, "peer-b", "a DelegatedServiceConnectionGrant for a delegated Service")
    signed = fsc.put_signature(content, "accept", "peer-a")
    if signed.status not in (200, 201):
        raise Inconclusive(
            f"the SUT refused Peer A's accept signature on the Contract: HTTP {signed.status}",
            evidence=[signed.to_evidence()],
        )
    wait_for_sut_accept(fsc, content, "peer-b", "the Contract Peer B submitted")
    expect_oauth_error(
        fsc.request_token(_scope(fsc, content), "peer-a"),
        "A token request for a DelegatedServiceConnectionGrant signed by the Delegatee (Peer A), "
        f"the Delegator (Peer B) and the SUT, but not by the Delegator of the Service (Peer C, "
        f"{fsc.c.peer_id})",
        REFUSE + '; "In case of a Service that is published on behalf of another Peer, a '
        "signature is present with the subject serial number of the Peer defined the field "
        'grant.data.service.delegator.peer_id"',
        errors=("invalid_grant",),
    )
