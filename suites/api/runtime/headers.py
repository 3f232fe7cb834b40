"""Response headers on the running API: /core/transport/security-headers,
/core/hide-implementation (heuristic) and /core/stateless (heuristic)."""

from __future__ import annotations

import re

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.api.runtime import _probes
from cgconform.suites.api.runtime._api import ApiUnderTest, raise_findings
from cgconform.suites.api.runtime._api import exchange_line as _line

# The headers ADR lists for every API response, with the value each must have (None: any).
SECURITY_HEADERS: dict[str, re.Pattern[str] | None] = {
    "Cache-Control": re.compile(r"\bno-store\b", re.IGNORECASE),
    "Content-Security-Policy": re.compile(r"frame-ancestors\s+'none'", re.IGNORECASE),
    "X-Content-Type-Options": re.compile(r"^\s*nosniff\s*$", re.IGNORECASE),
    "X-Frame-Options": re.compile(r"^\s*DENY\s*$", re.IGNORECASE),
}
PRODUCT = re.compile(r"[A-Za-z][\w.-]*/\d")  # Apache/2.4.41, PHP/8.1, nginx/1.25
STACK_TRACE = re.compile(
    r"Traceback \(most recent call last\)|\bat [\w$.]+\([\w$]+\.java:\d+\)|"
    r"Exception in thread|System\.\w+Exception|\.(py|php|rb|js|cs|go):\d+\b|stack ?trace",
    re.IGNORECASE,
)
SESSION_COOKIE = re.compile(
    r"(?:^|,\s*)(JSESSIONID|PHPSESSID|ASP\.NET_SessionId|SESSIONID|session|sid|connect\.sid)=",
    re.IGNORECASE,
)


def _missing_headers(exchange: Exchange, https: bool) -> list[str]:
    missing = []
    for name, wanted in SECURITY_HEADERS.items():
        value = exchange.headers.get(name)
        if value is None:
            missing.append(f"{name} missing")
        elif wanted is not None and not wanted.search(value):
            missing.append(f"{name}: {value}")
    if exchange.body and not exchange.headers.get("Content-Type"):
        missing.append("Content-Type missing")
    if https and not exchange.headers.get("Strict-Transport-Security"):
        missing.append("Strict-Transport-Security missing")
    return missing


@requirement("ADR", "/core/transport/security-headers")
def every_response_carries_the_security_headers(api: ApiUnderTest) -> None:
    https = api.base_url.startswith("https://")
    sent = _probes.everything(api)
    wrong = [
        (e, f"{_line(e)}: {', '.join(m)}") for e in sent for m in [_missing_headers(e, https)] if m
    ]
    raise_findings(
        wrong,
        f"{len(wrong)} of {len(sent)} responses lack security headers ADR lists for every response",
        covered=_probes.coverage(sent, api),
    )


@requirement("ADR", "/core/hide-implementation")
def responses_reveal_no_implementation(api: ApiUnderTest) -> None:
    """Heuristic: product banners with versions, and stack traces in bodies."""
    found = []
    sent = _probes.everything(api)
    for exchange in sent:
        for header in ("Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version"):
            value = exchange.headers.get(header)
            if value and (header != "Server" or PRODUCT.search(value)):
                found.append((exchange, f"{_line(exchange)}: {header}: {value}"))
        match = STACK_TRACE.search(exchange.text[:20000]) if exchange.body else None
        if match:
            found.append((exchange, f"{_line(exchange)}: the body contains {match.group(0)!r}"))
    raise_findings(
        found,
        "responses reveal the implementation (product versions, stack traces), which ADR "
        "says SHOULD NOT be visible",
        kind=Warning,
        covered=_probes.coverage(sent, api),
    )


@requirement("ADR", "/core/stateless")
def no_session_cookies(api: ApiUnderTest) -> None:
    """Heuristic: a session cookie suggests state kept between requests on the server."""
    found = []
    sent = _probes.everything(api)
    for exchange in sent:
        match = SESSION_COOKIE.search(exchange.headers.get("Set-Cookie") or "")
        if match:
            found.append((exchange, f"{_line(exchange)} sets the cookie {match.group(1)}"))
    if found:
        raise Warning(
            f"session cookies suggest server-side session state, which ADR forbids, e.g. "
            f"{found[0][1]}",
            evidence=[e.to_evidence() for e, _ in found[:5]],
        )
    raise Passed(f"no session cookie in {_probes.coverage(sent, api)}")
