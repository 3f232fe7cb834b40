"""NL GOV OAuth §4.2 Connections with Clients: where a protected resource takes bearer tokens
from (the Authorization header: MUST; a form body: MAY; the query string: MUST NOT)."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, Inconclusive, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.identity.harness.rs_judge import expect_refused, refusal
from cgconform.suites.identity.harness.rs_probes import FORM, QUERY, ResourceProbes

STD = "NL-GOV-OAuth"

HEADER_ASKS = (
    'NL GOV OAuth §4.2: "A protected resource MUST accept bearer tokens passed in the '
    'authorization header as described in [[rfc6750]]."'
)
QUERY_ASKS = (
    'NL GOV OAuth §4.2: "A Protected Resource under this profile MUST NOT accept access tokens '
    'passed using the query parameter method."'
)


@requirement(STD, "4.2-connections-with-clients/authorization-header")
def accepts_token_in_authorization_header(resource: ResourceProbes) -> None:
    valid = resource.valid()
    if valid.accepted:
        raise Passed(f"served {valid.sent()}: {valid.line}", evidence=[valid.evidence()])
    no_token = resource.no_token()
    elsewhere = [resource.probe("valid", place) for place in (QUERY, FORM)]
    served = [p for p in elsewhere if p.accepted]
    if served:
        raise Failure(
            f"the resource refused {valid.sent()} with {refusal(valid)}, but served the same "
            f"token {', and '.join(p.sent().split(') ', 1)[-1] for p in served)}: "
            f"{'; '.join(p.line for p in served)}. {HEADER_ASKS}",
            evidence=[valid.evidence(), *(p.evidence() for p in served)],
        )
    raise Inconclusive(
        f"the resource refused {valid.sent()} with {refusal(valid)}, and the same token in "
        "the query string and in a form body too, so cgconform cannot tell a resource that "
        "ignores the Authorization header from a token it does not accept. "
        + resource.baseline_hint(valid, no_token),
        evidence=[valid.evidence(), no_token.evidence()],
    )


@requirement(STD, "4.2-connections-with-clients/no-query-parameter")
def refuses_token_in_query_string(resource: ResourceProbes) -> None:
    expect_refused(resource.probe("valid", QUERY), resource, QUERY_ASKS)


@requirement(STD, "4.2-connections-with-clients/form-parameter")
def form_body_token_only_where_rfc6750_allows(resource: ResourceProbes) -> None:
    probe = resource.probe("valid", FORM)
    if probe.accepted:
        raise Warning(
            f"the resource served {probe.sent()}: {probe.line}. NL GOV OAuth §4.2 lets a "
            "resource accept the form parameter method (MAY), which RFC 6750 §2.2 allows only "
            'with a method whose body has defined semantics: "the "GET" method MUST NOT be '
            'used". A token in the body of a GET is one a client should never have sent',
            evidence=[probe.evidence()],
        )
    baseline = resource.accepted_valid()
    raise Passed(
        f"refused {probe.sent()} with {refusal(probe)} (the valid token in the header was "
        f"served: {baseline.line}); tokens in the body of a POST, PUT or PATCH were not sent "
        "(cgconform does not write to the resource), and the profile allows them",
        evidence=[probe.evidence(), baseline.evidence()],
    )
