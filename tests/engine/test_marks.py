"""`@requirement(standard, id)`, the mark of a check that needs no pytest, and the pytest mark
it stands for: both are read the same way (the plugin, `lint`'s discovery, the coverage gate)."""

from __future__ import annotations

import pytest

from cgconform.run.marks import marked, requirement, requirement_args


def test_requirement_records_keys_in_source_order() -> None:
    @requirement("ADR", "/core/first")
    @requirement("ADR", "/core/second")
    def check() -> None: ...

    assert marked(check) == (("ADR", "/core/first"), ("ADR", "/core/second"))
    assert requirement_args(check) == [("ADR", "/core/first"), ("ADR", "/core/second")]


def test_a_pytest_mark_is_read_too() -> None:
    @pytest.mark.requirement("FSC", "fsc/contracten")
    @requirement("ADR", "/core/semver")
    def check() -> None: ...

    assert marked(check) == (("ADR", "/core/semver"),)
    assert requirement_args(check) == [("ADR", "/core/semver"), ("FSC", "fsc/contracten")]


def test_an_unmarked_function_has_none() -> None:
    def helper() -> None: ...

    assert marked(helper) == () and requirement_args(helper) == []


def test_a_wrong_requirement_is_refused_at_import() -> None:
    with pytest.raises(TypeError, match="use @requirement"):
        requirement("ADR", 7)  # type: ignore[arg-type]
