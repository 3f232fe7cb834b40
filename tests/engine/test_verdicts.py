"""Verdict aggregation (DESIGN.md §4): every pair, levels, profile and run verdicts."""

from __future__ import annotations

import itertools

import pytest

from cgconform.model.verdicts import (
    RunVerdict,
    Verdict,
    blocks,
    exit_code,
    for_level,
    profile_verdict,
    run_verdict,
    worst,
)

ORDER = [
    "error",
    "fail",
    "inconclusive",
    "needs_review",
    "not_tested",
    "warning",
    "pass",
    "not_applicable",
]  # DESIGN.md §4, worst first


@pytest.mark.parametrize(("a", "b"), list(itertools.product(ORDER, repeat=2)))
def test_worst_of_every_pair_follows_the_design_order(a: str, b: str) -> None:
    expected = a if ORDER.index(a) <= ORDER.index(b) else b
    assert worst([Verdict.parse(a), Verdict.parse(b)]).label == expected


def test_worst_of_nothing_is_not_tested() -> None:
    assert worst([]) is Verdict.NOT_TESTED


def test_labels_round_trip() -> None:
    assert [Verdict.parse(v).label for v in ORDER] == ORDER
    with pytest.raises(ValueError):
        Verdict.parse("passed")


@pytest.mark.parametrize("level", ["SHOULD", "SHOULD NOT", "MAY"])
def test_a_violated_recommendation_is_a_warning(level: str) -> None:
    assert for_level(Verdict.FAIL, level) is Verdict.WARNING
    assert for_level(Verdict.ERROR, level) is Verdict.ERROR


@pytest.mark.parametrize("level", ["MUST", "MUST NOT"])
def test_a_violated_obligation_is_a_fail(level: str) -> None:
    assert for_level(Verdict.FAIL, level) is Verdict.FAIL


@pytest.mark.parametrize("verdict", ORDER)
def test_what_blocks_a_mandatory_requirement(verdict: str) -> None:
    v = Verdict.parse(verdict)
    expected = verdict in ("fail", "inconclusive", "not_tested", "error")
    assert blocks(v, "MUST") is expected
    assert blocks(v, "MUST", waived=True) is False
    assert blocks(v, "SHOULD") is False
    assert blocks(v, "MUST", strict=True) is (expected or verdict == "needs_review")


def test_profile_verdicts() -> None:
    must = "MUST"
    assert profile_verdict([(Verdict.PASS, must, False)]) is RunVerdict.CONFORMANT
    assert profile_verdict([(Verdict.PASS, must, False), (Verdict.FAIL, must, False)]) is (
        RunVerdict.NOT_CONFORMANT
    )
    assert profile_verdict([(Verdict.FAIL, must, True)]) is RunVerdict.CONFORMANT  # waived
    assert profile_verdict([(Verdict.WARNING, "SHOULD", False)]) is RunVerdict.CONFORMANT
    assert profile_verdict([(Verdict.NOT_TESTED, must, False)]) is RunVerdict.INCONCLUSIVE
    assert profile_verdict([(Verdict.INCONCLUSIVE, must, False), (Verdict.FAIL, must, False)]) is (
        RunVerdict.NOT_CONFORMANT
    )
    assert profile_verdict([(Verdict.ERROR, "SHOULD", False), (Verdict.FAIL, must, False)]) is (
        RunVerdict.ERROR
    )
    review = [(Verdict.NEEDS_REVIEW, must, False)]
    assert profile_verdict(review) is RunVerdict.CONFORMANT
    assert profile_verdict(review, strict=True) is RunVerdict.INCONCLUSIVE
    assert profile_verdict([(Verdict.NOT_APPLICABLE, must, False)]) is RunVerdict.CONFORMANT


def test_run_verdict_is_the_worst_profile_and_empty_is_error() -> None:
    c, n, i, e = (
        RunVerdict.CONFORMANT,
        RunVerdict.NOT_CONFORMANT,
        RunVerdict.INCONCLUSIVE,
        RunVerdict.ERROR,
    )
    assert run_verdict([c, c]) is c
    assert run_verdict([c, i]) is i
    assert run_verdict([i, n]) is n
    assert run_verdict([n, e]) is e
    assert run_verdict([]) is e


def test_exit_codes_are_the_fixed_contract() -> None:
    assert exit_code(RunVerdict.CONFORMANT) == 0
    assert exit_code(RunVerdict.NOT_CONFORMANT) == 1
    assert exit_code(RunVerdict.INCONCLUSIVE) == 3
    assert exit_code(RunVerdict.ERROR) == 3
