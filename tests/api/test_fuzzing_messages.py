"""What contract fuzzing says: the reason first, writes it did not send as one line, and on a
pass what it exercised."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace
from typing import Any, cast

import pytest

from cgconform.model.outcomes import NotTested, Passed
from cgconform.suites.api.runtime._fuzzing import FuzzRun, Sent, listed
from cgconform.suites.api.runtime.fuzzing import (
    answers_along_the_documents_links_match_the_contract,
    generated_requests_cause_no_server_error,
)

API: Any = None  # the checks below do not reach the API before they decide


def _refusing(operations: int) -> FuzzRun:
    run = FuzzRun()
    for number in range(operations):
        run.refuse_write(f"POST /r{number}", 0)
    run.refuse_write("POST /r1", 12)
    run.refuse_write("DELETE /r", 3)
    return run


def _sent(operation: str, status: int = 200) -> Sent:
    return Sent("positive", operation, cast(Any, SimpleNamespace(status=status)))


def test_writes_not_sent_are_one_line_most_generated_first() -> None:
    line = _refusing(50).writes_not_sent()
    assert line is not None and "\n" not in line
    assert line.startswith(
        "51 operation(s) not sent, writes the target does not allow: "
        "POST /r1 (12 generated), DELETE /r (3 generated), POST /r0, "
    )
    assert line.endswith(", 41 more; allow them with allow_writes")
    assert FuzzRun().writes_not_sent() is None


def test_listed_names_counts_and_cuts_the_rest() -> None:
    assert listed(Counter({"GET /a": 3, "GET /b": 9})) == "GET /b (9), GET /a (3)"
    many = listed(Counter({f"GET /{n}": 1 for n in range(12)}))
    assert many.endswith("GET /9 (1), 2 more")


def test_stateful_not_run_gives_its_reason_before_the_writes() -> None:
    run = _refusing(50)
    run.sent = [_sent("GET /r")]
    run.stateful_skipped = "no sequence could be sent: every one needs a write"
    with pytest.raises(NotTested) as caught:
        answers_along_the_documents_links_match_the_contract(run, API)
    lines = caught.value.message.splitlines()
    assert lines[0] == "stateful phase not run: no sequence could be sent: every one needs a write"
    assert len(lines) == 2 and lines[1].startswith("51 operation(s) not sent, writes")


def test_nothing_sent_says_so_first() -> None:
    with pytest.raises(NotTested) as caught:
        generated_requests_cause_no_server_error(_refusing(50))
    lines = caught.value.message.splitlines()
    assert lines[:2] == ["no request could be generated and sent", "0 generated requests sent"]
    assert len(lines) == 3 and "allow_writes" in lines[2]


def test_a_pass_says_what_was_exercised() -> None:
    run = FuzzRun(sent=[_sent("GET /zaken"), _sent("GET /zaken"), _sent("GET /zaken/{id}")])
    with pytest.raises(Passed) as caught:
        generated_requests_cause_no_server_error(run)
    assert caught.value.message == (
        "no server error in 3 generated requests of 2 operation(s): "
        "GET /zaken (2), GET /zaken/{id} (1)"
    )
