"""Manager-GetToken-1..11: access tokens from the SUT's Manager (client credentials over
mTLS, Grant hash as scope)."""

from __future__ import annotations

from cgconform.run.marks import requirement
from cgconform.suites.fsc.harness import signing
from cgconform.suites.fsc.harness.expect import expect_oauth_error, require
from cgconform.suites.fsc.harness.fixture_contracts import PROPERTIES, fixture
from cgconform.suites.fsc.harness.hashes import grant_hash_readings
from cgconform.suites.fsc.harness.peers import Harness, listed_contract, signed_by
from cgconform.suites.fsc.harness.tokens import delegator_in, issued_token, verified_claims

STD = "FSC-TestSuite"
REFUSE = (
    "FSC Core Tokens: before issuing an access token the Manager MUST validate the Grant hash, "
    "the client_id and the client certificate; errors as RFC 6749 §5.2"
)


@requirement(STD, "Manager-GetToken-1")
def token_for_valid_contract(fsc: Harness) -> None:
    item = fixture(fsc, "connect")
    exchange, token = issued_token(fsc, item)
    verified_claims(fsc, exchange, token, item)


@requirement(STD, "Manager-GetToken-2")
def no_token_without_valid_contract(fsc: Harness) -> None:
    # A Contract with a Grant for Peer A, submitted by its Delegator Peer B: Peer A never
    # accepted it, so it is not valid, and Peer A asks for a token for that Grant.
    content = signing.fresh_contract(fsc)
    listed = listed_contract(fsc.list_contracts("peer-b"), content)
    require(
        not signed_by(listed, "accept", fsc.a.peer_id),
        "setup: the Contract unexpectedly carries Peer A's accept signature",
    )
    scope = grant_hash_readings(content, 0)[fsc.grant_reading or "hash-type"]
    expect_oauth_error(
        fsc.request_token(scope, "peer-a"),
        "A token request for Peer A's Grant in a Contract Peer A has not accepted (not valid)",
        REFUSE + "; the Grant must belong to a valid Contract",
        errors=("invalid_grant", "invalid_scope", "unauthorized_client"),
    )


@requirement(STD, "Manager-GetToken-3")
def no_token_for_revoked_contract(fsc: Harness) -> None:
    item = fixture(fsc, "connect-revoked").ready()
    listed = listed_contract(fsc.list_contracts("peer-a", fsc.sut_hash(item)), item.content)
    if not signed_by(listed, "revoke", fsc.a.peer_id):
        revoked = fsc.put_signature(item.content, "revoke", "peer-a")
        require(
            revoked.status in (200, 201),
            f"setup: Peer A could not revoke Contract {item.hash}: HTTP {revoked.status}",
            [revoked],
        )
    expect_oauth_error(
        fsc.request_token(fsc.sut_hash(item), "peer-a"),
        f"A token request for a Grant of Contract {item.hash}, which Peer A revoked",
        REFUSE + "; a revoked Contract is not valid (docs/fsc-notes.md N6)",
        errors=("invalid_grant",),
    )


@requirement(STD, "Manager-GetToken-4")
def no_token_for_malformed_grant_hash(fsc: Harness) -> None:
    expect_oauth_error(
        fsc.request_token("not-a-grant-hash", "peer-a"),
        "A token request with scope 'not-a-grant-hash'",
        REFUSE,
        errors=("invalid_scope", "invalid_request", "invalid_grant"),
    )


@requirement(STD, "Manager-GetToken-5")
def no_token_for_other_grant_type(fsc: Harness) -> None:
    item = fixture(fsc, "connect").ready()
    expect_oauth_error(
        fsc.request_token(fsc.sut_hash(item), "peer-a", grant_type="password"),
        "A token request with grant_type=password",
        "FSC Core: access tokens are obtained with the Client Credentials flow (RFC 6749 §4.4)",
        errors=("unsupported_grant_type",),
    )


@requirement(STD, "Manager-GetToken-6")
def token_for_delegated_connection(fsc: Harness) -> None:
    item = fixture(fsc, "delegated-connect")
    exchange, token = issued_token(fsc, item)
    claims = verified_claims(fsc, exchange, token, item)
    require(
        delegator_in(claims) == fsc.b.peer_id,
        f"the token for a DelegatedServiceConnectionGrant does not name the Delegator "
        f"{fsc.b.peer_id} in act.sub (or cdi): act={claims.get('act')!r}, "
        f"cdi={claims.get('cdi')!r}. FSC Core: the act claim MUST be set",
        [exchange],
    )


@requirement(STD, "Manager-GetToken-7")
def token_for_delegated_service(fsc: Harness) -> None:
    item = fixture(fsc, "connect-delegated-service")
    exchange, token = issued_token(fsc, item)
    claims = verified_claims(fsc, exchange, token, item)
    require(
        claims.get("pdi") == fsc.c.peer_id,
        f"the token for a Service offered on behalf of Peer C has pdi={claims.get('pdi')!r}, "
        f"not {fsc.c.peer_id}. FSC Core: the pdi claim MUST be set",
        [exchange],
    )


@requirement(STD, "Manager-GetToken-8")
def no_token_without_client_id(fsc: Harness) -> None:
    item = fixture(fsc, "connect").ready()
    expect_oauth_error(
        fsc.request_token(fsc.sut_hash(item), "peer-a", client_id=None),
        "A token request without client_id",
        REFUSE + " (client_id is required)",
        errors=("invalid_request", "invalid_client"),
    )


@requirement(STD, "Manager-GetToken-9")
def no_token_for_other_client_id(fsc: Harness) -> None:
    item = fixture(fsc, "connect").ready()
    expect_oauth_error(
        fsc.request_token(fsc.sut_hash(item), "peer-a", client_id=fsc.b.peer_id),
        f"A token request with client_id {fsc.b.peer_id} (Peer B) over Peer A's certificate",
        REFUSE + "; client_id must match the PeerID of the client's X.509 certificate",
        errors=("invalid_client", "invalid_request", "invalid_grant", "unauthorized_client"),
    )


def _properties(fsc: Harness, key: str) -> None:
    item = fixture(fsc, key)
    exchange, token = issued_token(fsc, item)
    claims = verified_claims(fsc, exchange, token, item)
    require(
        claims.get("prp") == PROPERTIES,
        f"the token for a Grant with properties has prp={claims.get('prp')!r}, not the Grant's "
        f"properties {PROPERTIES!r}. FSC Core: the prp claim MUST be set",
        [exchange],
    )
    if key.startswith("delegated"):
        require(
            delegator_in(claims) == fsc.b.peer_id,
            f"the token does not name the Delegator {fsc.b.peer_id} in act.sub (or cdi)",
            [exchange],
        )


@requirement(STD, "Manager-GetToken-10")
def token_carries_grant_properties(fsc: Harness) -> None:
    _properties(fsc, "connect-props")


@requirement(STD, "Manager-GetToken-11")
def token_carries_delegated_grant_properties(fsc: Harness) -> None:
    _properties(fsc, "delegated-connect-props")
