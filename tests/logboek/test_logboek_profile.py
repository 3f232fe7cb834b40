"""Self-tests of `logboek-dataverwerkingen`: every check passes on the reference Logboek and
each seeded defect is found under its requirement, with its verdict, and nothing else fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from logboekworld import explain, logboek_target, run_profile, verdicts

from cgconform.fixtures.logboek.defects import DEFECTS

PROFILE = "logboek-dataverwerkingen"
MANUAL = {"/logboek/read/read-api-per-logboek-in-organisation"}


def _assert_conformant(report: dict[str, object]) -> None:
    got = verdicts(report)  # type: ignore[arg-type]
    wrong = {r: v for r, v in got.items() if v != ("needs_review" if r in MANUAL else "pass")}
    assert not wrong, explain(report)  # type: ignore[arg-type]


def test_reference_logboek_conforms(tmp_path: Path) -> None:
    with logboek_target(tmp_path) as target:
        report = run_profile(PROFILE, target)
    _assert_conformant(report)
    assert report["verdict"] == "conformant", explain(report)


def test_without_access_rule_the_rule_is_not_tested(tmp_path: Path) -> None:
    with logboek_target(tmp_path, readers=False) as target:
        report = run_profile(PROFILE, target)
    got = verdicts(report)
    assert got["/logboek/read/authorise-records"] == "not_tested", explain(report)
    assert got["/logboek/read/authenticate-clients"] == "warning", explain(report)
    assert got["/logboek/read/filter-by-subject"] == "pass", explain(report)


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_each_defect_is_found_under_its_requirement(name: str, tmp_path: Path) -> None:
    defect = DEFECTS[name]
    # With an access rule the reader sees one activity only: leaks into others cannot show.
    readers = defect.requirement.startswith("/logboek/read/auth")
    with logboek_target(tmp_path, [name], readers=readers) as target:
        report = run_profile(PROFILE, target)
    got = verdicts(report)
    assert got[defect.requirement] == defect.verdict, f"{name}: {defect.what}\n" + explain(report)
    allowed = {defect.requirement, *defect.also}
    stray = {r: v for r, v in got.items() if v in ("fail", "error") and r not in allowed}
    assert not stray, f"{name} also failed elsewhere: {stray}\n" + explain(report)
