"""Requestor authentication of POST /session: with ``no_auth`` false the irma server starts a
session only for a request with a known requestor's API token in the Authorization header, or a
session request JWT signed with a requestor's key; everything else is refused."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, Inconclusive, Passed
from cgconform.run.marks import requirement
from cgconform.suites.identity.harness.yivi_api import (
    AUTH_WORDS,
    JWT_OTHER_KEY,
    JWT_UNSIGNED,
    NONE,
    WRONG_TOKEN,
)
from cgconform.suites.identity.harness.yivi_harness import DISCLOSING, YiviHarness, answered

STD = "Yivi-Requestor"
ASKS = (
    'api-irma-server.md, POST /session: "If no_auth is false: (extended) JSON session request '
    "with an API token in the Authorization HTTP header; JWT session request signed with RS256 "
    'or HS256"'
)


@requirement(STD, "/yivi/requestor/authentication")
def unauthenticated_session_requests_are_refused(yivi: YiviHarness) -> None:
    attempts = [NONE]
    if yivi.settings.token is not None:
        attempts.append(WRONG_TOKEN)
    if yivi.settings.jwt_auth:
        attempts += [JWT_OTHER_KEY, JWT_UNSIGNED]
    request = yivi.request_for(DISCLOSING)
    tried = [(auth, yivi.start(request, auth)) for auth in attempts]
    accepted = [(auth, started) for auth, started in tried if 200 <= started.exchange.status < 300]
    if accepted:
        for _, started in accepted:
            if started.ok:
                yivi.api.delete(started.token)
        raise Failure(
            "the server started sessions for requests it cannot have authenticated: "
            + "; ".join(f"{AUTH_WORDS[auth]}: {started.line}" for auth, started in accepted)
            + f". {ASKS}",
            evidence=[started.exchange.to_evidence() for _, started in accepted],
        )
    evidence = [started.exchange.to_evidence() for _, started in tried]
    good = yivi.disclosure()
    if not good.ok:
        raise Inconclusive(
            "the server refused the unauthenticated session requests, but also the one with "
            f"the target's own credentials ({answered(good.exchange)}): a server that refuses "
            "everything proves nothing. " + yivi.start_hint(good),
            evidence=[*evidence, good.exchange.to_evidence()],
        )
    raise Passed(
        "refused: "
        + "; ".join(f"{AUTH_WORDS[auth]} → {started.exchange.status}" for auth, started in tried)
        + f"; with the target's credentials ({AUTH_WORDS[good.auth]}) a session started",
        evidence=evidence,
    )
