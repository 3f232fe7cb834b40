"""Self-tests of once-only-chain: every check passes on the reference chain, and each
chain-level seeded defect is found under its requirement (and nothing else fails)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cgconform.fixtures.chain.chain import reference_chain
from cgconform.fixtures.chain.defects import DEFECTS
from cgconform.model.catalogue import select_profiles
from cgconform.run.runner import RunRequest, execute

PROFILE = "once-only-chain"


def run_chain(tmp_path: Path, defects: tuple[str, ...] = ()) -> dict[str, Any]:
    with reference_chain(tmp_path, defects=defects, refetch_after=0.5) as chain:
        report: dict[str, Any] = execute(
            RunRequest(
                profiles=select_profiles([PROFILE]),
                target=chain.target(),
                command="self-test",
                seed=1,
            )
        )
    return report


def verdicts(report: dict[str, Any]) -> dict[str, str]:
    return {r["requirement"]: r["verdict"] for r in report["results"]}


def explain(report: dict[str, Any]) -> str:
    return "\n".join(
        f"{r['verdict']:12} {r['requirement']}: {r.get('message', '')[:400]}"
        for r in report["results"]
    )


def test_reference_chain_conforms(tmp_path: Path) -> None:
    report = run_chain(tmp_path)
    assert set(verdicts(report).values()) == {"pass"}, explain(report)
    assert report["verdict"] == "conformant"


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_each_defect_is_found_under_its_requirement(tmp_path: Path, name: str) -> None:
    requirement, what = DEFECTS[name]
    report = run_chain(tmp_path, (name,))
    got = verdicts(report)
    assert got[requirement] == "fail", f"{name}: {what}\n" + explain(report)
    stray = {r: v for r, v in got.items() if v in ("fail", "error") and r != requirement}
    assert not stray, f"{name} also failed elsewhere: {stray}\n" + explain(report)
    finding = next(r for r in report["results"] if r["requirement"] == requirement)
    assert finding["message"]
    assert any("hop [fail]" in e.get("note", "") for e in finding["evidence"]), finding
