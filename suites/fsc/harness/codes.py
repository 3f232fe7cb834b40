"""How the checks of FSC Core's and FSC Logging's own sentences (suites/fsc/core/) judge an
answer. Where a Test Suite scenario only asks that something is refused (and warns about the
status and code, docs/fsc-notes.md N5), the code tables of the texts are requirements of their
own: the status and the code they give must be what comes back.

The enums are manager.yaml's (`ManagerErrorCode`, `InwayErrorCode`, `OutwayErrorCode`), plus the
spellings the texts disagree on (N5) and FSC Logging's codes, written without ``ERROR_CODE_``
(both spellings count)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import Failure, Warning
from cgconform.suites.fsc.harness.expect import NOT_PART_OF_CONTRACT, body, error_code, line

MANAGER_CODES = (
    "ERROR_CODE_INCORRECT_GROUP_ID",
    "ERROR_CODE_PEER_NOT_PART_OF_CONTRACT",
    "ERROR_CODE_SIGNATURE_CONTRACT_CONTENT_HASH_MISMATCH",
    "ERROR_CODE_PEER_CERTIFICATE_VERIFICATION_FAILED",
    "ERROR_CODE_PEER_ID_SIGNATURE_MISMATCH",
    "ERROR_CODE_SIGNATURE_VERIFICATION_FAILED",
    "ERROR_CODE_GRANT_COMBINATION_NOT_ALLOWED",
    "ERROR_CODE_URL_PATH_CONTENT_HASH_MISMATCH",
    "ERROR_CODE_UNKNOWN_HASH_ALGORITHM_HASH",
    "ERROR_CODE_UNKNOWN_ALGORITHM_SIGNATURE",
    "ERROR_CODE_INCORRECT_PUBLIC_KEY_THUMBPRINT",
    *NOT_PART_OF_CONTRACT[1:],  # the prose table's spellings (N5)
)
LOGGING_CODES = ("TRANSACTION_LOG_WRITE_ERROR", "INVALID_LOG_RECORD_ID", "MISSING_LOG_RECORD_ID")
INWAY_CODES = (
    "ERROR_CODE_ACCESS_TOKEN_MISSING",
    "ERROR_CODE_ACCESS_TOKEN_INVALID",
    "ERROR_CODE_ACCESS_TOKEN_EXPIRED",
    "ERROR_CODE_SERVICE_NOT_FOUND",
    "ERROR_CODE_SERVICE_UNREACHABLE",
    "ERROR_CODE_WRONG_GROUP_ID_IN_TOKEN",
)
OUTWAY_CODES = ("ERROR_CODE_METHOD_UNSUPPORTED",)


def logging_code(name: str) -> tuple[str, str]:
    """Both spellings of an FSC Logging code (N5)."""
    return (name, f"ERROR_CODE_{name}")


def with_logging(codes: Iterable[str]) -> tuple[str, ...]:
    return (*codes, *(c for name in LOGGING_CODES for c in logging_code(name)))


def snippet(exchange: Exchange, limit: int = 240) -> str:
    text = exchange.text.strip().replace("\n", " ")
    return text[:limit] + ("…" if len(text) > limit else "")


def evidence(*exchanges: Exchange | None) -> list[Any]:
    return [e.to_evidence() for e in exchanges if e is not None]


def expect_refused(exchange: Exchange, what: str, asks: str) -> None:
    """Any 4xx passes (the texts give no status or code for this fault, N20); a 2xx means
    the fault was accepted and a 5xx that the component broke instead of refusing."""
    if exchange.status < 400:
        raise Failure(f"{what} was accepted: {line(exchange)}. {asks}", evidence=evidence(exchange))
    if exchange.status >= 500:
        raise Failure(
            f"{what} gave a server error instead of a refusal: {line(exchange)} "
            f"{snippet(exchange)}. {asks}",
            evidence=evidence(exchange),
        )


def expect_code(
    exchange: Exchange,
    what: str,
    asks: str,
    *,
    status: int,
    codes: Sequence[str],
    doubtful: Sequence[str] = (),
    malformed_ok: bool = False,
) -> None:
    """The answer has exactly the status and one of the codes the code table gives.

    `doubtful` codes (with any 4xx status) make a warning instead of a failure: another reading
    of the texts, or another order of checks, fits them. With `malformed_ok` a 400 with another
    code is a warning too (the fault is also a schema violation, which a Manager may refuse
    before it applies the Contract rules)."""
    if status < 500:
        expect_refused(exchange, what, asks)
    elif exchange.status < 400:
        raise Failure(f"{what} was accepted: {line(exchange)}. {asks}", evidence=evidence(exchange))
    code = error_code(exchange)
    seen = f"{line(exchange)} {snippet(exchange)}"
    if exchange.status == status and code in codes:
        return
    if code in doubtful and 400 <= exchange.status < 500:
        raise Warning(
            f"{what} was refused with {code}, where the code table gives "
            f"{' or '.join(codes)} (another reading fits it): {seen}. {asks}",
            evidence=evidence(exchange),
        )
    if malformed_ok and exchange.status == 400:
        raise Warning(
            f"{what} was refused as a malformed request ({seen}); the code table gives "
            f"{status} {' or '.join(codes)}. A Manager that validates the request against "
            f"manager.yaml first may answer so. {asks}",
            evidence=evidence(exchange),
        )
    raise Failure(
        f"{what} was refused, but with HTTP {exchange.status} and code {code or '(none)'} "
        f"where the code table gives HTTP {status} {' or '.join(codes)}: {seen}. {asks}",
        evidence=evidence(exchange),
    )


def error_object_problems(exchange: Exchange, *, header: bool) -> list[str]:
    """What is wrong with the error object {message, domain, code} (and the Fsc-Error-Code
    header, when `header`) of an error answer."""
    data = body(exchange)
    problems: list[str] = []
    if not isinstance(data, dict):
        ctype = exchange.headers.get("Content-Type", "(none)")
        problems.append(
            f"the body is not a JSON object {{message, domain, code}} (Content-Type {ctype})"
        )
    else:
        for key in ("message", "domain", "code"):
            if not isinstance(data.get(key), str):
                problems.append(f"`{key}` is missing or not a string")
    if header:
        value = exchange.headers.get("Fsc-Error-Code")
        if not value:
            problems.append("there is no Fsc-Error-Code header")
        elif (
            isinstance(data, dict)
            and isinstance(data.get("code"), str)
            and value.strip() != data["code"]
        ):
            problems.append(f"Fsc-Error-Code {value!r} is not the body's code {data['code']!r}")
    return problems


def domain_of(exchange: Exchange) -> Any:
    data = body(exchange)
    return data.get("domain") if isinstance(data, dict) else None


def code_of(exchange: Exchange) -> Any:
    data = body(exchange)
    return data.get("code") if isinstance(data, dict) else None
