"""Profiles and catalogues are validated on load; a broken file names the file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cgconform.model.catalogue import (
    CatalogueError,
    ProfileRequirement,
    load_profiles,
    select_profiles,
)
from cgconform.model.locations import profiles_dir


@pytest.fixture
def profiles(tmp_path: Path) -> Path:
    target = tmp_path / "profiles"
    shutil.copytree(profiles_dir(), target)
    return target


def test_shipped_profiles_load() -> None:
    loaded = load_profiles()
    assert "adr-openapi" in loaded
    profile = loaded["adr-openapi"]
    ids = [r.requirement.id for r in profile.requirements]
    assert {
        "/core/doc-openapi",
        "/core/semver",
        "/core/version-header",
        "/core/doc-openapi-contact",
    } <= set(ids)
    req = profile.requirements[ids.index("/core/semver")].requirement
    assert req.level == "MUST" and req.standard == "ADR" and req.title.nl and req.url


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("- id: /core/semver", "- id: /core/semverr", "requirements[1].id: '/core/semverr' is not"),
        ("- id: /core/semver", "- idd: /core/semver", "requirements[1]: 'id' is a required"),
        ("applies_if: public_api", "applies_if: publik", "applies_if: unknown option 'publik'"),
        ("suites: [api/document]", "suites: []", "suites: [] should be non-empty"),
        ("id: adr-openapi", "id: adr-other", "must equal the file name"),
        ('versions: ["2.2.0", "2.1.0"]', 'versions: ["2.2.0", "9.9"]', "no catalogue for ADR 9.9"),
        ('standard_version: "2.2.0"', 'standard_version: "9.9"', "must be one of versions"),
        ("requirements:", "requirements: [", "not valid YAML (line"),
    ],
)
def test_broken_profile_names_file_and_field(
    profiles: Path, old: str, new: str, expected: str
) -> None:
    path = profiles / "adr-openapi.yaml"
    _edit(path, old, new)
    with pytest.raises(CatalogueError) as info:
        load_profiles(profiles)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_broken_catalogue_names_file_and_field(profiles: Path) -> None:
    path = profiles / "standards" / "ADR-2.2.0.yaml"
    _edit(path, "level: MUST\n", "level: MOET\n")
    with pytest.raises(CatalogueError) as info:
        load_profiles(profiles)
    assert str(path) in str(info.value) and "level: 'MOET' is not one of" in str(info.value)


def test_unknown_profile_lists_the_known_ones() -> None:
    with pytest.raises(CatalogueError, match=r"known profiles: .*adr-openapi"):
        select_profiles(["adr-opnapi"])


def test_a_profile_may_include_requirements_of_another_standard(profiles: Path) -> None:
    """The fsc profiles carry Digikoppeling REST additions under an option, and FSC Core's own
    sentences beside the Test Suite's scenarios."""
    manager = select_profiles(["fsc-manager"], profiles)[0]
    by_standard: dict[str, list[ProfileRequirement]] = {}
    for r in manager.requirements:
        by_standard.setdefault(r.requirement.standard, []).append(r)
    digikoppeling = by_standard["Digikoppeling-REST"]
    assert {r.requirement.id for r in digikoppeling} >= {"fsc/contracten", "fsc/tls"}
    assert all(r.applies_if == "digikoppeling" for r in digikoppeling)
    assert digikoppeling[0].requirement.standard_version == "2.0"
    assert by_standard["FSC-Core"] and all(r.applies_if is None for r in by_standard["FSC-Core"])


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  - id: fsc/contracten",
            "  - id: fsc/contract",
            "'fsc/contract' is not in the Digikoppeling-REST 2.0",
        ),
        ('    standard_version: "2.0"', '    standard_version: "9"', "Digikoppeling-REST 9"),
        ('    standard_version: "2.0"\n', "", "'standard_version' is a dependency of 'standard'"),
    ],
)
def test_foreign_requirement_errors_name_the_field(
    profiles: Path, old: str, new: str, expected: str
) -> None:
    path = profiles / "fsc-manager.yaml"
    _edit(path, old, new)
    with pytest.raises(CatalogueError) as info:
        select_profiles(["fsc-manager"], profiles)
    assert str(path) in str(info.value) and expected in str(info.value)
