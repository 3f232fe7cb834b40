"""Integration-*: the whole chain between real Peers. FSC has no interface through which the
harness can make two SUT Peers sign Contracts with each other, so the operator arranges them
and names their Grants in [fsc.integration]; the harness then drives the SUT's Outway."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, NeedsReview
from cgconform.run.marks import requirement
from cgconform.suites.fsc.harness.calls import outway_call
from cgconform.suites.fsc.harness.expect import body, line, require
from cgconform.suites.fsc.harness.peers import Harness

STD = "FSC-TestSuite"


def _grant(fsc: Harness, key: str, scenario: str) -> str:
    value = fsc.settings.integration.get(key)
    if not value:
        raise NeedsReview(
            f"{scenario} needs two real Peers with a Contract between them. Arrange it in the "
            f"implementations under test and give its Grant hash as [fsc.integration] {key}; "
            "the harness then calls the consumer's Outway (urls.outway) and judges the answer"
        )
    return value


def _consumes(fsc: Harness, key: str, scenario: str) -> None:
    grant = _grant(fsc, key, scenario)
    call = outway_call(fsc, grant)
    require(
        200 <= call.exchange.status < 300,
        f"calling the Service through the consumer's Outway with Grant {grant} failed: "
        f"{line(call.exchange)} {call.exchange.text[:200]}",
        [call.exchange],
    )


@requirement(STD, "Integration-ConsumeService-1")
def consume_service(fsc: Harness) -> None:
    _consumes(fsc, "service_grant", "Integration-ConsumeService-1")


@requirement(STD, "Integration-ConsumeService-2")
def consume_without_contract(fsc: Harness) -> None:
    known = fsc.settings.integration.get("service_grant")
    if known:  # let the Outway learn the provider's Inway first
        outway_call(fsc, known)
    grant = fsc.settings.integration.get("no_contract_grant") or "$1$3$" + "A" * 86
    call = outway_call(fsc, grant)
    data = body(call.exchange)
    if isinstance(data, dict) and data.get("domain") == "ERROR_DOMAIN_INWAY":
        raise Failure(
            f"the Outway sent a request for Grant {grant}, for which no valid Contract exists, on "
            f"to an Inway, which refused it: {line(call.exchange)}. The Outway should reject "
            "it itself (FSC Core: it MUST use an access token of the providing Peer)",
            evidence=[call.exchange.to_evidence()],
        )
    if call.exchange.status < 400:
        raise Failure(
            f"the Outway served a request for Grant {grant}, for which no valid Contract exists: "
            f"{line(call.exchange)}",
            evidence=[call.exchange.to_evidence()],
        )


@requirement(STD, "Integration-ConsumeServiceAsDelegatee-1")
def consume_as_delegatee(fsc: Harness) -> None:
    _consumes(fsc, "delegatee_grant", "Integration-ConsumeServiceAsDelegatee-1")


@requirement(STD, "Integration-ConsumeDelegatedService-1")
def consume_delegated_service(fsc: Harness) -> None:
    _consumes(fsc, "delegated_service_grant", "Integration-ConsumeDelegatedService-1")


@requirement(STD, "Integration-ConsumeDelegatedService-2")
def consume_delegated_service_as_delegatee(fsc: Harness) -> None:
    _consumes(fsc, "delegated_service_delegatee_grant", "Integration-ConsumeDelegatedService-2")
