"""The chain's doctor preflight: every URL of the reference chain reachable, every
transaction log readable; a wrong table is one clear finding."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from cgconform.fixtures.chain.chain import reference_chain
from cgconform.suites.chain.harness.doctor import diagnose


def test_doctor_passes_the_reference_chain(tmp_path: Path) -> None:
    with reference_chain(tmp_path) as chain:
        findings = diagnose(chain.target())
    assert all(ok for ok, _, _ in findings), findings
    assert sum("transaction log" in what for _, what, _ in findings) == 3


def test_doctor_names_a_broken_chain_table(tmp_path: Path) -> None:
    with reference_chain(tmp_path) as chain:
        target = chain.target()
        table = dict(target.suite_settings["chain"])
        table["organisations"] = [{"name": "x"}]
        broken = replace(target, suite_settings={**target.suite_settings, "chain": table})
        findings = diagnose(broken)
    assert len(findings) == 1 and not findings[0][0]
    assert "manager" in findings[0][1]
