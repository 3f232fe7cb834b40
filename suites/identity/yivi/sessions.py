"""POST /session with each kind of session request of session-requests.md: disclosure,
attribute-based signature and issuance requests, extended requests (extra parameters), and
signed session requests (JWTs)."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, Inconclusive, NotTested, Passed
from cgconform.run.marks import requirement
from cgconform.suites.identity.harness.yivi_api import JWT, Started
from cgconform.suites.identity.harness.yivi_harness import (
    DISCLOSING,
    ISSUING,
    SIGNING,
    YiviHarness,
    answered,
)
from cgconform.suites.identity.harness.yivi_requests import (
    SessionType,
    extended,
    signature_request,
)

STD = "Yivi-Requestor"
PACKAGE_ASKS = (
    'api-irma-server.md, POST /session: "If the request was successfully parsed, and '
    'authenticated if applicable, then the server returns a session package"'
)


def _judge_start(yivi: YiviHarness, started: Started, what: str) -> None:
    evidence = [started.exchange.to_evidence()]
    if started.ok:
        ptr = started.package.get("sessionPtr")
        irmaqr = ptr.get("irmaqr") if isinstance(ptr, dict) else None
        raise Passed(
            f"{what} started a session: {started.line}, irmaqr {irmaqr!r}", evidence=evidence
        )
    if 200 <= started.exchange.status < 300:
        raise Failure(
            f"{what} was accepted ({started.line}) but the answer is no session package with a "
            f"token: {answered(started.exchange)}. {PACKAGE_ASKS}",
            evidence=evidence,
        )
    if started.exchange.status >= 500:
        raise Failure(
            f"{what} made the server fail: {answered(started.exchange)}. {PACKAGE_ASKS}",
            evidence=evidence,
        )
    raise Inconclusive(
        f"{what} was refused: {answered(started.exchange)}. {yivi.start_hint(started)}",
        evidence=evidence,
    )


def _start_kind(yivi: YiviHarness, kind: SessionType) -> None:
    started = yivi.first(kind)
    _judge_start(yivi, started, f"a session request of type {kind.name} (@context {kind.context})")


@requirement(STD, "/yivi/session-requests/disclosure-requests")
def disclosure_request_starts_a_session(yivi: YiviHarness) -> None:
    _start_kind(yivi, DISCLOSING)


@requirement(STD, "/yivi/session-requests/attribute-based-signature-requests")
def signature_request_starts_a_session(yivi: YiviHarness) -> None:
    _start_kind(yivi, SIGNING)


@requirement(STD, "/yivi/session-requests/attribute-based-signature-requests/message")
def signature_request_without_message_is_refused(yivi: YiviHarness) -> None:
    started = yivi.start(signature_request(yivi.settings.disclose, None))
    evidence = [started.exchange.to_evidence()]
    if 200 <= started.exchange.status < 300:
        raise Failure(
            f"a signature session request without a message was accepted: {started.line}. "
            'session-requests.md, Attribute-based signature requests: "The message field is '
            'required."',
            evidence=evidence,
        )
    baseline = yivi.first(SIGNING)
    if not baseline.ok:
        raise Inconclusive(
            "a signature session request without a message was refused, but so was one with a "
            f"message ({answered(baseline.exchange)}): the refusal proves nothing",
            evidence=[*evidence, baseline.exchange.to_evidence()],
        )
    raise Passed(
        f"a signature session request without a message was refused: "
        f"{answered(started.exchange)} (with a message it started a session)",
        evidence=evidence,
    )


@requirement(STD, "/yivi/session-requests/issuance-requests")
def issuance_request_starts_a_session(yivi: YiviHarness) -> None:
    _start_kind(yivi, ISSUING)


@requirement(STD, "/yivi/session-requests/extra-parameters")
def extended_request_starts_a_session(yivi: YiviHarness) -> None:
    request = extended(yivi.request_for(DISCLOSING), validity=60, timeout=120)
    started = yivi.start(request)
    _judge_start(yivi, started, "an extended disclosure request (validity 60, timeout 120)")


@requirement(STD, "/yivi/session-requests/jwts-signed-session-requests")
def signed_session_requests_start_sessions(yivi: YiviHarness) -> None:
    s = yivi.settings
    if not s.jwt_auth:
        raise NotTested(
            "the target gives no requestor key: to test signed session requests give [yivi] "
            'requestor = "name" and requestor_key = "file:..." (RS256) or requestor_hmac_key = '
            '"env:..." (HS256), as the irma server\'s requestors configuration has them'
        )
    kinds = [DISCLOSING]
    if yivi.option("signature_sessions", True):
        kinds.append(SIGNING)
    if yivi.option("issuance_sessions", False) and s.issue:
        kinds.append(ISSUING)
    results = [(kind, yivi.start(yivi.request_for(kind), JWT)) for kind in kinds]
    refused = [(kind, started) for kind, started in results if not started.ok]
    evidence = [started.exchange.to_evidence() for _, started in results]
    if refused:
        raise Failure(
            f"signed session requests ({s.jwt_algorithm}, iss {s.requestor!r}, Content-Type "
            "text/plain) were not accepted: "
            + "; ".join(f"{k.name} (sub {k.jwt_sub}): {answered(st.exchange)}" for k, st in refused)
            + '. api-irma-server.md, POST /session: "JWT session request signed with RS256 or '
            'HS256"',
            evidence=evidence,
        )
    raise Passed(
        f"{len(results)} signed session requests ({s.jwt_algorithm}) started sessions: "
        + ", ".join(f"{k.name} (sub {k.jwt_sub})" for k, _ in results),
        evidence=evidence,
    )
