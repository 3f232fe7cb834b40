"""The Manager's listings (manager.yaml `GET /contracts`, `/peers`, `/services`): the filter
rules its descriptions give (a SHOULD each), pagination with cursor and limit, sort order, and
that a Service is published only once its Contract has every signature the Grant requires."""

from __future__ import annotations

from typing import Any

from cgconform.model.outcomes import Failure, Inconclusive
from cgconform.run.marks import requirement
from cgconform.suites.fsc.core._build import (
    CORE,
    DAY,
    now,
    published,
    submitted,
    unique_name,
    wait_for_sut_accept,
)
from cgconform.suites.fsc.core._paging import (
    ASCENDING,
    get,
    ok,
    order_problems,
    paging_problems,
)
from cgconform.suites.fsc.harness.codes import evidence
from cgconform.suites.fsc.harness.expect import line, listing
from cgconform.suites.fsc.harness.fixture_contracts import PUBLISHED, fixture
from cgconform.suites.fsc.harness.peers import Harness, to_sut

# -- filters -------------------------------------------------------------------------------------


@requirement(CORE, "FSC-Core/openapi/contracts/grant-hash-filter")
def grant_hash_filter_stands_alone(fsc: Harness) -> None:
    item = fixture(fsc, "connect").ready()
    grant_hash = fsc.sut_hash(item)
    exchange = get(
        fsc,
        "/contracts",
        grant_hash=grant_hash,
        grant_type="GRANT_TYPE_SERVICE_PUBLICATION",
        limit=1,
        sort_order=ASCENDING,
    )
    ok(exchange, "GET /v1/contracts with grant_hash, grant_type, limit and sort_order")
    if not any(
        (c.get("content") or {}).get("iv") == item.content["iv"]
        for c in listing(exchange, "contracts")
    ):
        raise Failure(
            f"GET /v1/contracts?grant_hash=<the ServiceConnectionGrant of Contract {item.hash}>"
            "&grant_type=GRANT_TYPE_SERVICE_PUBLICATION&limit=1 does not return that Contract: "
            'the grant_type filter was applied. manager.yaml: "When this query parameter '
            "(grant_hash) is set the pagination parameters and the GrantType filter should be "
            'ignored"',
            evidence=evidence(exchange),
        )


@requirement(CORE, "FSC-Core/openapi/peers/peer-id-filter")
def peer_id_filter_stands_alone(fsc: Harness) -> None:
    fixture(fsc, "connect").ready()
    exchange = get(
        fsc, "/peers", peer_id=fsc.a.peer_id, peer_name="zz-cgconform-no-such-peer", limit=1
    )
    ok(exchange, "GET /v1/peers with peer_id and peer_name")
    if not any(p.get("id") == fsc.a.peer_id for p in listing(exchange, "peers")):
        raise Failure(
            f"GET /v1/peers?peer_id={fsc.a.peer_id}&peer_name=zz-cgconform-no-such-peer&limit=1 "
            'does not list Peer A: the other filters were applied. manager.yaml: "When this '
            "query parameter (peer_id) is set the pagination parameters and other filters should "
            'be ignored"',
            evidence=evidence(exchange),
        )


@requirement(CORE, "FSC-Core/openapi/services/either-filter")
@requirement(CORE, "FSC-Core/openapi/services/either-filter-name")
def service_filters_either(fsc: Harness) -> None:
    fixture(fsc, "publication").ready()
    by_peer = get(
        fsc, "/services", peer_id=fsc.a.peer_id, service_name="zz-cgconform-no-such-service"
    )
    by_name = get(fsc, "/services", peer_id="00000099999999999999", service_name=PUBLISHED)
    problems = []
    for exchange, what in ((by_peer, "peer_id matches"), (by_name, "service_name matches")):
        ok(exchange, "GET /v1/services with peer_id and service_name")
        names = [(s.get("data") or s).get("name") for s in listing(exchange, "services")]
        if PUBLISHED not in names:
            problems.append(f"{line(exchange)} (only {what}) does not list {PUBLISHED!r}")
    if problems:
        raise Failure(
            "GET /v1/services with both filters returns only Services that match both: "
            + "; ".join(problems)
            + '. manager.yaml: "When multiple filters are used the Services where either '
            'condition is true should be returned"',
            evidence=evidence(by_peer, by_name),
        )


# -- pagination and order ------------------------------------------------------------------------


def _contract_iv(item: dict[str, Any]) -> Any:
    return (item.get("content") or {}).get("iv")


def _contract_created(item: dict[str, Any]) -> Any:
    return (item.get("content") or {}).get("created_at")


@requirement(CORE, "FSC-Core/openapi/pagination/cursor")
def contracts_page_by_cursor(fsc: Harness) -> None:
    fixture(fsc, "connect").ready()
    fixture(fsc, "connect-props").ready()
    problems, exchanges = paging_problems(fsc, "/contracts", "contracts", _contract_iv, {})
    if problems:
        raise Failure(
            "GET /v1/contracts does not page through Peer A's Contracts: "
            + "; ".join(problems)
            + '. manager.yaml: "A cursor from which paginated results should be returned" and '
            'limit: "The maximum number of results"',
            evidence=evidence(*exchanges),
        )


@requirement(CORE, "FSC-Core/openapi/pagination/sort-order")
def contracts_in_sort_order(fsc: Harness) -> None:
    moment = now()
    for age in (600, 300):  # two Contracts of Peer A created at different times
        content = fsc.new_content(
            [to_sut(fsc)], created_at=moment - age, not_before=moment - age, not_after=moment + DAY
        )
        submitted(fsc, content, "peer-a", "a Contract created earlier today")
    problems, exchanges = order_problems(fsc, "/contracts", "contracts", _contract_created, {})
    if problems:
        raise Failure(
            "GET /v1/contracts does not sort by creation date as asked: "
            + "; ".join(problems)
            + '. manager.yaml: "Returns Contracts sorted by their creation date"; sort_order: '
            '"The order in which the results should be returned"',
            evidence=evidence(*exchanges),
        )


# -- a Service is published only with every signature --------------------------------------------


def _unpublished_until_signed(fsc: Harness, *, submitter: str, missing: str) -> None:
    name = unique_name("cgconform-unsigned")
    content = fsc.new_content([published(fsc, name, delegator=fsc.b.peer_id)])
    role = {"peer-a": "the Service Peer (Peer A)", "peer-b": "the Delegator (Peer B)"}
    submitted(
        fsc,
        content,
        submitter,
        f"a DelegatedServicePublicationGrant submitted by {role[submitter]}",
    )
    wait_for_sut_accept(fsc, content, submitter, f"the publication of {name!r}")
    exchange = get(fsc, "/services", service_name=name)
    if exchange.status != 200:
        raise Inconclusive(
            f"GET /v1/services answered {line(exchange)}", evidence=evidence(exchange)
        )
    names = [(s.get("data") or s).get("name") for s in listing(exchange, "services")]
    if name in names:
        raise Failure(
            f"GET /v1/services lists {name!r}, published by a Contract that {role[missing]} has "
            "not signed (only the SUT and the submitter have). FSC Core: the Manager MUST list "
            "a Service when a valid Contract exists; a DelegatedServicePublicationGrant needs "
            f"the signature of {role[missing]}",
            evidence=evidence(exchange),
        )


@requirement(CORE, "FSC-Core/contracts/delegated-service-publication-grant/signature-service")
def not_published_without_the_service_peer(fsc: Harness) -> None:
    _unpublished_until_signed(fsc, submitter="peer-b", missing="peer-a")


@requirement(CORE, "FSC-Core/contracts/delegated-service-publication-grant/signature-delegator")
def not_published_without_the_delegator(fsc: Harness) -> None:
    _unpublished_until_signed(fsc, submitter="peer-a", missing="peer-b")
