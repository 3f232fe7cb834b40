"""What generated requests show: /core/http-response-code (no server error on any input),
/core/doc-openapi (answers to valid requests match the contract) and
/core/error-handling/invalid-input (invalid generated input is refused; a warning, since
generated "invalid" data is not always invalid to the API's own rules)."""

from __future__ import annotations

from collections import Counter

import pytest

from cgconform.model.outcomes import Failure, Inconclusive, NotTested, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.api.runtime._api import ApiUnderTest, exchange_line
from cgconform.suites.api.runtime._contract import judge_bodies, raise_if_cut, response_problems
from cgconform.suites.api.runtime._fuzzing import FuzzRun, Sent, fuzz, listed, stateful


@pytest.fixture(scope="session")
def fuzzed(api: ApiUnderTest) -> FuzzRun:
    if not api.document:
        raise NotTested("no OpenAPI document to generate requests from")
    run = fuzz(api)
    if run.stopped is None:
        run.stateful_skipped = stateful(api, run)
    else:
        why = "the target stopped answering" if run.target_stopped else "the budget was spent"
        run.stateful_skipped = f"{why} ({run.stopped})"
    return run


def _exercised(sents: list[Sent]) -> str:
    """`12 generated requests of 5 operation(s): GET /zaken (3), ...`."""
    ops = Counter(s.operation for s in sents)
    if not ops:
        return "0 generated requests"
    return f"{len(sents)} generated requests of {len(ops)} operation(s): {listed(ops)}"


def _coverage_lines(run: FuzzRun) -> list[str]:
    """What was sent and what was not, a line per fact: skipped writes are one line."""
    stateful = len(run.of("stateful"))
    lines = [
        f"{len(run.sent)} generated requests sent"
        + (f", {stateful} of them in sequences along the document's links" if stateful else "")
    ]
    if run.stopped:
        lines.append(f"stopped early: {run.stopped}")
    writes = run.writes_not_sent()
    if writes:
        lines.append(writes)
    if run.skipped:
        more = len(run.skipped) - 3
        lines.append(
            "not sent: " + "; ".join(run.skipped[:3]) + (f"; and {more} more" if more > 0 else "")
        )
    return lines


def _coverage(run: FuzzRun) -> str:
    return "; ".join(_coverage_lines(run))


def _line(sent: Sent) -> str:
    return f"{exchange_line(sent.exchange)} ({sent.mode} data)"


def _nothing_sent(run: FuzzRun) -> None:
    if not run.sent:
        kind = Inconclusive if run.target_stopped else NotTested
        raise kind("\n".join(["no request could be generated and sent", *_coverage_lines(run)]))


@requirement("ADR", "/core/http-response-code")
def generated_requests_cause_no_server_error(fuzzed: FuzzRun) -> None:
    _nothing_sent(fuzzed)
    errors = [s for s in fuzzed.sent if s.exchange.status >= 500]
    if errors:
        raise Failure(
            f"{len(errors)} generated request(s) caused a server error, e.g. {_line(errors[0])}"
            f"; a client's input MUST NOT cause a 5xx ({_coverage(fuzzed)})",
            evidence=[s.exchange.to_evidence() for s in errors[:5]],
        )
    raise Passed(f"no server error in {_exercised(fuzzed.sent)}")


def _raise_contract_violations(api: ApiUnderTest, fuzzed: FuzzRun, mode: str, what: str) -> None:
    """Fail with the answers of one mode that do not match the document (5xx excepted:
    /core/http-response-code judges those), or pass saying which answers were checked."""
    judged = [s for s in fuzzed.of(mode) if s.exchange.status < 500]
    wrong, cut = judge_bodies(judged, lambda s: s.exchange, lambda e: response_problems(api, e))
    if wrong:
        sent, problems = wrong[0]
        raise Failure(
            f"{len(wrong)} answer(s) {what} do not match the document, e.g. {_line(sent)}: "
            f"{problems[0]} ({_coverage(fuzzed)})",
            evidence=[s.exchange.to_evidence() for s, _ in wrong[:5]],
        )
    raise_if_cut([s.exchange for s in cut], len(judged), f"answers {what}")
    raise Passed(f"answers match the document: {_exercised(fuzzed.of(mode))}")


@requirement("ADR", "/core/doc-openapi")
def answers_to_generated_requests_match_the_contract(fuzzed: FuzzRun, api: ApiUnderTest) -> None:
    _nothing_sent(fuzzed)
    _raise_contract_violations(api, fuzzed, "positive", "to valid generated requests")


@requirement("ADR", "/core/error-handling/invalid-input")
def invalid_generated_input_is_refused(fuzzed: FuzzRun) -> None:
    _nothing_sent(fuzzed)
    accepted = [s for s in fuzzed.of("negative") if 200 <= s.exchange.status < 300]
    if accepted:
        raise Warning(
            f"{len(accepted)} request(s) with generated invalid input were accepted, e.g. "
            f"{_line(accepted[0])}; check whether the input was invalid to the API and answer "
            f"400 if so ({_coverage(fuzzed)})",
            evidence=[s.exchange.to_evidence() for s in accepted[:5]],
        )
    raise Passed(f"none accepted of {_exercised(fuzzed.of('negative'))} with invalid input")


@requirement("ADR", "/core/doc-openapi")
def answers_along_the_documents_links_match_the_contract(
    fuzzed: FuzzRun, api: ApiUnderTest
) -> None:
    """schemathesis' stateful phase: sequences that follow the document's links (create, then
    read what was created), each answer checked against the document."""
    if fuzzed.stateful_skipped:
        writes = fuzzed.writes_not_sent()
        reason = f"stateful phase not run: {fuzzed.stateful_skipped}"
        raise NotTested("\n".join(filter(None, [reason, writes])))
    _raise_contract_violations(api, fuzzed, "stateful", "in sequences along the links")
