"""Manager-PeerInfo-1, Manager-Peers-1, Manager-Services-1..4, Manager-JSONWebKeySet-1 and
Manager-Port-1: what the SUT's Manager tells other Peers about itself and its Group."""

from __future__ import annotations

from typing import Any

from cgconform.model.outcomes import NotApplicable
from cgconform.run.marks import requirement
from cgconform.suites.fsc.harness.expect import body, listing, require
from cgconform.suites.fsc.harness.fixture_contracts import PROPERTIES, PUBLISHED, fixture
from cgconform.suites.fsc.harness.jose import (
    JoseProblem,
    certificates_from_jwk,
    jwk_thumbprint,
    split_compact,
)
from cgconform.suites.fsc.harness.peers import Harness
from cgconform.suites.fsc.harness.ports import port_scenario
from cgconform.suites.fsc.harness.tokens import issued_token, sut_jwks

STD = "FSC-TestSuite"


@requirement(STD, "Manager-PeerInfo-1")
def peer_information(fsc: Harness) -> None:
    exchange = fsc.a.http.get(fsc.manager_url("/peer"))
    data = body(exchange)
    require(
        exchange.status == 200 and isinstance(data, dict),
        f"GET /v1/peer answered {exchange.status}, not 200 with the Peer's information",
        [exchange],
    )
    problems = [
        f"no {k}"
        for k in ("peer_id", "peer_name", "fsc_version", "enabled_extensions")
        if k not in data
    ]
    if data.get("peer_id") != fsc.sut_peer_id:
        problems.append(
            f"peer_id is {data.get('peer_id')!r}, the SUT's certificate says {fsc.sut_peer_id}"
        )
    if fsc.settings.sut_identity:
        name = fsc.settings.pki[fsc.settings.sut_identity].organization
        if data.get("peer_name") != name:
            problems.append(
                f"peer_name is {data.get('peer_name')!r}, the certificate's O is {name!r}"
            )
    if "enabled_extensions" in data and not isinstance(data["enabled_extensions"], dict):
        problems.append("enabled_extensions is not an object")
    require(
        not problems,
        "GET /v1/peer does not describe the Peer hosting the Manager (manager.yaml getPeerInfo; "
        "Peer ID and name come from the certificate subject): " + "; ".join(problems),
        [exchange],
    )


@requirement(STD, "Manager-Peers-1")
def peers_that_announced(fsc: Harness) -> None:
    c = fsc.c
    announced = c.http.put(fsc.manager_url("/announce"), headers={"Fsc-Manager-Address": c.address})
    require(
        200 <= announced.status < 300,
        f"PUT /v1/announce by Peer C answered {announced.status}, not 200",
        [announced],
    )
    listed = fsc.a.http.get(fsc.manager_url("/peers"))
    entry = next((p for p in listing(listed, "peers") if p.get("id") == c.peer_id), None)
    require(
        entry is not None,
        f"GET /v1/peers does not list Peer C ({c.peer_id}), which announced itself. FSC Core: "
        "the Manager MUST list the Peers who announced themselves",
        [announced, listed],
    )
    assert entry is not None
    require(
        entry.get("manager_address") == c.address,
        f"GET /v1/peers lists Peer C with manager_address {entry.get('manager_address')!r}, "
        f"not the announced {c.address}. FSC Core: the Manager MUST persist the Manager address",
        [announced, listed],
    )


def _listed_service(fsc: Harness, name: str) -> tuple[Any, dict[str, Any] | None]:
    exchange = fsc.a.http.get(fsc.manager_url("/services"))
    for item in listing(exchange, "services"):
        inner = item.get("data", item)
        if isinstance(inner, dict) and inner.get("name") == name:
            return exchange, item
    return exchange, None


def _services(fsc: Harness, key: str, name: str, *, delegated: bool, properties: bool) -> None:
    fixture(fsc, key).ready()
    exchange, item = _listed_service(fsc, name)
    require(
        item is not None,
        f"GET /v1/services does not list {name!r}, published with a valid Contract "
        f"({key}). FSC Core: the Manager MUST list a Service when a valid Contract with a "
        "(Delegated)ServicePublicationGrant exists",
        [exchange],
    )
    assert item is not None
    inner = item.get("data", item)
    problems = []
    peer = inner.get("peer") if isinstance(inner.get("peer"), dict) else {}
    if peer.get("id", inner.get("peer_id")) != fsc.a.peer_id:
        problems.append(f"the offering Peer is {peer!r}, not Peer A ({fsc.a.peer_id})")
    if delegated:
        delegator = inner.get("delegator") if isinstance(inner.get("delegator"), dict) else {}
        if delegator.get("peer_id") != fsc.b.peer_id:
            problems.append(f"delegator is {delegator!r}, not Peer B ({fsc.b.peer_id})")
    if properties and PROPERTIES not in (inner.get("properties"), item.get("properties")):
        problems.append(
            f"the Grant's properties {PROPERTIES!r} are not in the listing entry "
            "(manager.yaml's serviceListing has no field for them; cgconform looks for "
            "`properties` in the entry or its data)"
        )
    require(
        not problems, f"GET /v1/services lists {name!r} but: " + "; ".join(problems), [exchange]
    )


@requirement(STD, "Manager-Services-1")
def services_published(fsc: Harness) -> None:
    _services(fsc, "publication", PUBLISHED, delegated=False, properties=False)


@requirement(STD, "Manager-Services-2")
def services_published_on_behalf(fsc: Harness) -> None:
    _services(fsc, "delegated-publication", f"{PUBLISHED}-dlg", delegated=True, properties=False)


@requirement(STD, "Manager-Services-3")
def services_with_properties(fsc: Harness) -> None:
    _services(fsc, "publication-props", f"{PUBLISHED}-prp", delegated=False, properties=True)


@requirement(STD, "Manager-Services-4")
def services_on_behalf_with_properties(fsc: Harness) -> None:
    _services(
        fsc, "delegated-publication-props", f"{PUBLISHED}-dlg-prp", delegated=True, properties=True
    )


@requirement(STD, "Manager-JSONWebKeySet-1")
def jwks_lists_signing_keys(fsc: Harness) -> None:
    exchange, keys = sut_jwks(fsc)
    require(
        exchange.status == 200 and bool(keys),
        f"GET /v1/.well-known/jwks.json answered {exchange.status} with {len(keys)} key(s)",
        [exchange],
    )
    item = fixture(fsc, "connect").ready()
    used: dict[str, str] = {}
    signature = ((item.listed or {}).get("signatures") or {}).get("accept", {}).get(fsc.sut_peer_id)
    token_exchange, token = issued_token(fsc, item)
    for what, jws in (("the SUT's accept signature", signature), ("an access token", token)):
        if isinstance(jws, str):
            try:
                used[what] = str(split_compact(jws)[0].get("x5t#S256"))
            except JoseProblem:
                continue
    published = {jwk_thumbprint(k): k for k in keys}
    problems = [
        f"{what} is signed with x5t#S256 {thumb}, which the JWKS does not hold"
        for what, thumb in used.items()
        if thumb not in published
    ]
    anchor = fsc.settings.pki.trust_anchor.read_bytes()
    for thumb, key in published.items():
        try:
            chain = certificates_from_jwk(key)
        except JoseProblem as exc:
            problems.append(
                f"key {thumb}: {exc} (FSC Core: the Manager MUST provide the X.509 certificates)"
            )
            continue
        from cryptography.hazmat.primitives import serialization

        if any(c.public_bytes(serialization.Encoding.PEM) in anchor for c in chain):
            problems.append(f"key {thumb}: x5c includes the root CA, which FSC Core excludes")
    require(
        not problems,
        "the JWKS does not provide the keys the Peer signs with: " + "; ".join(problems),
        [exchange, token_exchange],
    )


@requirement(STD, "Manager-Port-1")
def manager_port(fsc: Harness) -> None:
    if not fsc.settings.manager:
        raise NotApplicable("no Manager configured")
    port_scenario(fsc, "manager", fsc.settings.manager, "/v1/peer")
