"""The session package POST /session answers: the requestor ``token``, the ``sessionPtr`` for
the Yivi app (``u`` ending in the clientToken, ``irmaqr`` the session type) and the
``frontendRequest`` for the frontend endpoints."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, Inconclusive, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.identity.harness.yivi_api import Started
from cgconform.suites.identity.harness.yivi_harness import SIGNING, YiviHarness, answered
from cgconform.suites.identity.harness.yivi_shapes import (
    client_token,
    frontend_request_problems,
    session_ptr_problems,
    token_problems,
)

STD = "Yivi-Requestor"
EXAMPLE = (
    'api-irma-server.md, POST /session: the session package is {"token": ..., "sessionPtr": '
    '{"u": "https://example.com/irma/session/ysDohpoySavbHAUDjmpz", "irmaqr": "disclosing"}, '
    '"frontendRequest": {"authorization": ..., "minProtocolVersion": "1.0", '
    '"maxProtocolVersion": "1.1"}}'
)


def _packages(yivi: YiviHarness, kinds: bool = False) -> list[Started]:
    """The session packages to judge: the first disclosure session (and the first signature
    session, where the target does those and `kinds` asks for every type)."""
    sessions = [yivi.disclosure()]
    if kinds and yivi.option("signature_sessions", True):
        sessions.append(yivi.first(SIGNING))
    packages = [s for s in sessions if 200 <= s.exchange.status < 300]
    if not packages:
        started = sessions[0]
        raise Inconclusive(
            f"no session started, so there is no session package to judge: "
            f"{answered(started.exchange)}. {yivi.start_hint(started)}",
            evidence=[started.exchange.to_evidence()],
        )
    return packages


def _judge(found: list[tuple[Started, list[str]]], what: str, shown: str) -> None:
    bad = [(s, p) for s, p in found if p]
    if bad:
        raise Failure(
            f"{what}: "
            + "; ".join(f"{s.kind.name} session ({s.line}): {', '.join(p)}" for s, p in bad)
            + f". {EXAMPLE}",
            evidence=[s.exchange.to_evidence() for s, _ in bad],
        )
    raise Passed(shown, evidence=[found[0][0].exchange.to_evidence()])


@requirement(STD, "/yivi/requestor/session-token")
def session_package_has_token(yivi: YiviHarness) -> None:
    found = [(s, token_problems(s.package)) for s in _packages(yivi)]
    _judge(found, "the session package has no requestor token", "the session package has a token")


@requirement(STD, "/yivi/requestor/session-ptr")
def session_ptr_points_at_the_session(yivi: YiviHarness) -> None:
    packages = _packages(yivi, kinds=True)
    found = [(s, session_ptr_problems(s.package, s.kind)) for s in packages]
    if not any(p for _, p in found):
        same = [s for s in packages if client_token(s.package) == s.token]
        if same:
            raise Warning(
                "the clientToken (the final part of sessionPtr.u, which the QR code shows to "
                "anyone who sees it) equals the requestor token, which fetches the session "
                f"result: {same[0].line}. The docs keep them apart (the requestor token for "
                "/session, the clientToken for /irma)",
                evidence=[same[0].exchange.to_evidence()],
            )
    _judge(
        found,
        "the sessionPtr is not what the Yivi app needs",
        "sessionPtr has u and irmaqr: "
        + ", ".join(
            f"{s.kind.name} → irmaqr {s.package['sessionPtr'].get('irmaqr')!r}" for s in packages
        ),
    )


@requirement(STD, "/yivi/requestor/frontend-request")
def session_package_has_frontend_request(yivi: YiviHarness) -> None:
    found = [(s, frontend_request_problems(s.package)) for s in _packages(yivi)]
    front = found[0][0].package.get("frontendRequest") or {}
    _judge(
        found,
        "the frontendRequest is missing or incomplete",
        "frontendRequest has authorization and protocol versions "
        f"{front.get('minProtocolVersion')}..{front.get('maxProtocolVersion')}"
        if isinstance(front, dict)
        else "",
    )
