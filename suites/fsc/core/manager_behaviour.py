"""FSC Core, Manager "Behavior" that no scenario covers: mTLS only with the Group's Trust
Anchor, Contracts kept as submitted (array order, I-JSON, the properties size limit), the Peers it
negotiated with, the propagation of its signatures (with Fsc-Manager-Address) and the complete
certificate chain in its JWKS."""

from __future__ import annotations

import itertools
import json
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from cgconform.http.evidence import Exchange
from cgconform.http.mock_server import Received
from cgconform.model.outcomes import Failure, Inconclusive, Outcome, Warning
from cgconform.run.marks import requirement
from cgconform.suites.fsc.core._build import CORE, find_listed, submitted
from cgconform.suites.fsc.harness import signing
from cgconform.suites.fsc.harness.codes import evidence, expect_refused
from cgconform.suites.fsc.harness.expect import body, line, listing
from cgconform.suites.fsc.harness.fixture_contracts import fixture
from cgconform.suites.fsc.harness.hashes import content_hash, same_hash
from cgconform.suites.fsc.harness.jose import (
    JoseProblem,
    certificates_from_jwk,
    jwk_thumbprint,
    split_compact,
)
from cgconform.suites.fsc.harness.peers import Harness, to_sut, wait_until
from cgconform.suites.fsc.harness.tokens import sut_jwks

PROPAGATION = "core.propagation"
GRACE_S = 2.0
MAX_PAGES = 10


# -- authentication ------------------------------------------------------------------------------


@requirement(CORE, "FSC-Core/manager/authentication/trust-anchor-only")
def manager_takes_only_group_certificates(fsc: Harness) -> None:
    url = fsc.manager_url("/peer")
    clients = [("without a client certificate", fsc.anonymous)]
    if fsc.intruder is not None:
        clients.append(("with a certificate of an untrusted CA (claiming Peer A)", fsc.intruder))
    accepted = []
    for what, client in clients:
        if client is None:
            continue
        try:
            exchange = client.get(url)
        except Outcome:  # the TLS handshake was refused: what FSC asks
            continue
        if exchange.status < 400:
            accepted.append((what, exchange))
    if accepted:
        raise Failure(
            "the Manager served "
            + "; ".join(f"GET /v1/peer {what}: {line(e)}" for what, e in accepted)
            + '. FSC Core: "The Manager MUST only accept mTLS connections from other external '
            'Managers with an X.509 certificate that is signed by the TA of the Group"',
            evidence=evidence(*(e for _, e in accepted)),
        )


# -- Contracts as submitted ----------------------------------------------------------------------


@requirement(CORE, "FSC-Core/manager/contracts/array-order")
def keeps_the_order_of_grants(fsc: Harness) -> None:
    # Two Grants whose order differs from any sorted order (by properties, or by JSON text).
    grants = [
        to_sut(fsc, properties={"cgconform-order": 2, "z": "second in any sort"}),
        to_sut(fsc, properties={"cgconform-order": 1, "a": "first in any sort"}),
    ]
    content = fsc.new_content(grants)
    submitted(fsc, content, "peer-a", "a Contract with two ServiceConnectionGrants")
    listed = find_listed(fsc, content, "peer-a")
    if listed is None:
        raise Inconclusive(
            f"GET /v1/contracts does not list the Contract {content_hash(content)} the SUT took "
            "(Manager-Contracts-1 judges listing)"
        )
    got = listed.get("content")
    order = [
        (g.get("data") or {}).get("properties", {}).get("cgconform-order")
        for g in (got or {}).get("grants", [])
        if isinstance(g, dict)
    ]
    try:
        same = isinstance(got, dict) and same_hash(content_hash(got), content_hash(content))
    except (ValueError, KeyError, TypeError):
        same = False
    if order != [2, 1] or not same:
        raise Failure(
            f"the SUT lists the Contract {content_hash(content)} with its Grants in the order "
            f"{order} (submitted: [2, 1]){'' if same else ' and another content hash'}. FSC Core: "
            '"When storing Contracts, the order of items in arrays MUST be persisted to '
            'guarantee consistent Contract hashes and Grant hashes"'
        )


@requirement(CORE, "FSC-Core/protocols/json/i-json")
def refuses_duplicate_member_names(fsc: Harness) -> None:
    """FSC Core requires Contract content to be I-JSON but does not say that a receiving
    Manager rejects content that is not: taking it is a warning, with the reason."""
    content = fsc.new_content([to_sut(fsc, properties={"cgconform-duplicate": "second"})])
    signature = fsc.signature(content, "accept", "peer-a")
    text = json.dumps({"contract_content": content, "signature": signature})
    # The same member twice in one object: not I-JSON (RFC 7493 §2.3); JCS has no answer.
    text = text.replace(
        '"cgconform-duplicate": "second"',
        '"cgconform-duplicate": "first", "cgconform-duplicate": "second"',
    )
    exchange = fsc.a.http.post(
        fsc.manager_url("/contracts"),
        data=text.encode(),
        headers={"Content-Type": "application/json", "Fsc-Manager-Address": fsc.a.address},
    )
    what = 'A Contract whose properties object has the member "cgconform-duplicate" twice'
    asks = (
        'FSC Core JSON: "the content of a Contract MUST conform to the rules as described in '
        '[RFC8259] and [RFC7493]" (I-JSON: objects MUST NOT have members with duplicate names; '
        "with them, Peers can compute different Contract hashes)"
    )
    if exchange.status < 400:
        raise Warning(
            f"{what} was accepted: {line(exchange)}. {asks}. The text does not say that the "
            "receiving Manager must refuse such content, hence a warning",
            evidence=evidence(exchange),
        )
    expect_refused(exchange, what, asks)


@requirement(CORE, "FSC-Core/contracts/properties/size-limit")
def properties_size_limit(fsc: Harness) -> None:
    blob = "x" * (1024 * 1024 + 1024)
    content = fsc.new_content([to_sut(fsc, properties={"cgconform-blob": blob})])
    expect_refused(
        fsc.submit(content, "peer-a"),
        "A Contract whose Grant properties serialise to just over 1 MB",
        'FSC Core Properties: "It is RECOMMENDED to implement a size limit of 1 MB for the '
        'serialized properties object"',
    )


# -- Peers it negotiated with --------------------------------------------------------------------


def _walk(
    fsc: Harness, path: str, key: str, **params: str
) -> tuple[list[dict[str, Any]], list[Exchange]]:
    """Every item of a listing of the SUT's Manager as Peer A, following next_cursor (at most
    MAX_PAGES pages)."""
    items: list[dict[str, Any]] = []
    exchanges: list[Exchange] = []
    cursor = ""
    for _ in range(MAX_PAGES):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        exchange = fsc.a.http.get(fsc.manager_url(path), params=query or None)
        exchanges.append(exchange)
        items.extend(listing(exchange, key))
        data = body(exchange) if exchange.status == 200 else None
        pagination = data.get("pagination") if isinstance(data, dict) else None
        nxt = pagination.get("next_cursor") if isinstance(pagination, dict) else None
        if not isinstance(nxt, str) or not nxt or nxt == cursor:
            break
        cursor = nxt
    return items, exchanges


@requirement(CORE, "FSC-Core/manager/contracts/persist-peers")
@requirement(CORE, "FSC-Core/manager/peer-listing/persist-negotiated")
def lists_the_peers_it_negotiated_with(fsc: Harness) -> None:
    fixture(fsc, "connect").ready()  # Peer A submitted it, with its Fsc-Manager-Address
    peers, exchanges = _walk(fsc, "/peers", "peers")
    entry = next((p for p in peers if p.get("id") == fsc.a.peer_id), None)
    asks = (
        'FSC Core: "The Manager MUST persist the Peer ID, name and Manager address of each Peer '
        'with whom the Peer has negotiated Contracts" (and list them, Peer listing)'
    )
    if entry is None:
        raise Failure(
            f"GET /v1/peers does not list Peer A ({fsc.a.peer_id}), which submitted Contracts "
            f"to the SUT with its Fsc-Manager-Address. {asks}",
            evidence=evidence(*exchanges[:3]),
        )
    problems = []
    address = str(entry.get("manager_address") or "").rstrip("/").lower()
    if address != fsc.a.address.rstrip("/").lower():
        problems.append(
            f"manager_address {entry.get('manager_address')!r}, not the {fsc.a.address} Peer A "
            "sent as Fsc-Manager-Address"
        )
    if entry.get("name") != fsc.a.identity.organization:
        problems.append(
            f"name {entry.get('name')!r}, not the {fsc.a.identity.organization!r} of Peer A's "
            "certificate"
        )
    if problems:
        raise Failure(
            "GET /v1/peers lists Peer A with " + "; ".join(problems) + f". {asks}",
            evidence=evidence(*exchanges[:3]),
        )


# -- propagation of signatures -------------------------------------------------------------------


def _from_sut(request: Received, content: dict[str, Any], digest: str) -> bool:
    """A request that hands the SUT's accept signature of this Contract to a Peer."""
    if request.method not in ("POST", "PUT") or not request.path.startswith("/v1/contracts"):
        return False
    try:
        data = request.json()
    except (ValueError, UnicodeDecodeError):
        return False
    if not isinstance(data, dict) or not isinstance(data.get("signature"), str):
        return False
    got = data.get("contract_content")
    if not isinstance(got, dict) or got.get("iv") != content.get("iv"):
        return False
    try:
        _, payload = split_compact(data["signature"])
    except JoseProblem:
        return False
    claimed = payload.get("contract_content_hash")
    return (
        payload.get("type") == "accept" and isinstance(claimed, str) and same_hash(claimed, digest)
    )


def _observed_propagation(fsc: Harness) -> tuple[dict[str, Any], dict[str, list[Received]]]:
    """A Contract submitted by Peer B with Peer A on it, and what the Peers' Managers received
    from the SUT once it signed it (cached per run). The SUT knows Peer A's Manager from the
    fixture Contracts Peer A submitted (FSC-Core/manager/contracts/persist-peers)."""
    if PROPAGATION not in fsc.cache:
        fsc.cache[PROPAGATION] = None
        fixture(fsc, "connect").ready()
        marks = {name: fsc.servers[name].mark() for name in ("peer-a", "peer-b")}
        content = signing.fresh_contract(fsc)
        digest = content_hash(content)

        def received() -> dict[str, list[Received]]:
            return {
                name: [
                    r
                    for r in fsc.servers[name].requests_since(mark)
                    if _from_sut(r, content, digest)
                ]
                for name, mark in marks.items()
            }

        # Until the first Peer has it (the SUT signs and sends), then a little longer for the
        # other: a Manager sends its signature to all Peers at once.
        timeout = fsc.settings.accept_timeout_s
        if wait_until(timeout, lambda: any(received().values())):
            wait_until(min(GRACE_S, timeout), lambda: all(received().values()))
        fsc.cache[PROPAGATION] = (content, received())
    if fsc.cache[PROPAGATION] is None:
        raise Inconclusive("the propagation could not be observed (an earlier check broke off)")
    result: tuple[dict[str, Any], dict[str, list[Received]]] = fsc.cache[PROPAGATION]
    return result


@requirement(CORE, "FSC-Core/manager/signatures/propagate")
def propagates_its_signature(fsc: Harness) -> None:
    content, got = _observed_propagation(fsc)
    if not any(got.values()):
        listed = find_listed(fsc, content, "peer-b")
        signed = isinstance(listed, dict) and fsc.sut_peer_id in (
            (listed.get("signatures") or {}).get("accept") or {}
        )
        if not signed:
            raise Inconclusive(
                f"the SUT did not sign the Contract {content_hash(content)} (submitted by Peer B) "
                f"within {fsc.settings.accept_timeout_s:g} s, so it had nothing to propagate"
            )
    missing = [name for name, requests in got.items() if not requests]
    if missing:
        raise Failure(
            f"the SUT signed the Contract {content_hash(content)} but its accept signature did "
            f"not reach the Manager of {', '.join(missing)} within "
            f"{fsc.settings.accept_timeout_s:g} s (Peer B submitted it; Peer A, its Outway, had "
            "submitted Contracts to the SUT before, with its Fsc-Manager-Address). FSC Core: "
            '"The Manager MUST propagate the signature to each of the Peers in the Contract when '
            'the Peer signs the Contract"'
        )


def _addresses(fsc: Harness) -> list[str | None]:
    _, got = _observed_propagation(fsc)
    requests = [r for batch in got.values() for r in batch]
    if not requests:
        raise Inconclusive(
            "the SUT sent no signature to the harness Peers (FSC-Core/manager/signatures/"
            "propagate judges that), so there is no request of its to look at"
        )
    return [r.header("Fsc-Manager-Address") for r in requests]


@requirement(CORE, "FSC-Core/manager/manager-address/header")
def sends_its_manager_address(fsc: Harness) -> None:
    addresses = _addresses(fsc)
    if not all(addresses):
        raise Failure(
            f"{addresses.count(None)} of {len(addresses)} request(s) the SUT's Manager sent to "
            "the harness Peers' Managers (its accept signature) had no Fsc-Manager-Address. FSC "
            'Core: "The Manager is required to include its public address as HTTP Header '
            'Fsc-Manager-Address in each POST or PUT request sent to another Manager"'
        )


@requirement(CORE, "FSC-Core/openapi/headers/manager-address")
def manager_address_is_https_with_port(fsc: Harness) -> None:
    from urllib.parse import urlsplit

    present = [a for a in _addresses(fsc) if a]
    if not present:
        raise Inconclusive(
            "the SUT sent no Fsc-Manager-Address (FSC-Core/manager/manager-address/header)"
        )
    wrong = []
    for address in present:
        parts = urlsplit(address.strip())
        try:
            port = parts.port
        except ValueError:
            port = None
        if parts.scheme != "https" or not parts.hostname or port is None:
            wrong.append(address)
    if wrong:
        raise Failure(
            f"the SUT's Manager sent Fsc-Manager-Address {wrong[0]!r}. manager.yaml: \"The URL "
            'of the Manager. The scheme must be https and the URL must contain the port."'
        )


# -- the certificate chain in the JWKS -----------------------------------------------------------


@requirement(CORE, "FSC-Core/manager/certificates/complete-chain")
def jwks_holds_the_complete_chain(fsc: Harness) -> None:
    exchange, keys = sut_jwks(fsc)
    if exchange.status != 200 or not keys:
        raise Inconclusive(
            f"GET /v1/.well-known/jwks.json answered {exchange.status} with {len(keys)} key(s) "
            "(Manager-JSONWebKeySet-1 judges that)",
            evidence=evidence(exchange),
        )
    anchor = x509.load_pem_x509_certificate(fsc.settings.pki.trust_anchor.read_bytes())
    problems = []
    for key in keys:
        name = jwk_thumbprint(key) or "(no thumbprint)"
        try:
            chain = certificates_from_jwk(key)
        except JoseProblem as exc:
            problems.append(f"key {name}: {exc}")
            continue
        problem = _gap(chain, anchor)
        if problem:
            problems.append(f"key {name}: {problem}")
    if problems:
        raise Failure(
            "the JWKS does not hold the complete certificate chains: "
            + "; ".join(problems)
            + '. FSC Core: "The Manager MUST provide the complete certificate chain excluding '
            'the root CA certificate used by the Group as Trust Anchor"',
            evidence=evidence(exchange),
        )


def _gap(chain: list[x509.Certificate], anchor: x509.Certificate) -> str | None:
    """Where the chain (x5c, leaf first) stops short of the Trust Anchor, if it does."""
    for cert, issuer in itertools.pairwise(chain):
        if not _issued_by(cert, issuer):
            return (
                f"{cert.subject.rfc4514_string()} is not issued by the next certificate, "
                f"{issuer.subject.rfc4514_string()}"
            )
    last = chain[-1]
    if last == anchor:
        return None  # the root is there (Manager-JSONWebKeySet-1 judges that); the chain is whole
    if not _issued_by(last, anchor):
        return (
            f"x5c ends with {last.subject.rfc4514_string()}, issued by "
            f"{last.issuer.rfc4514_string()}, which x5c does not hold"
        )
    return None


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
