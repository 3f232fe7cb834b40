"""The FSC Core and FSC Logging catalogues hold every normative sentence of the texts, no more:
the sentences are extracted here from the copies in /work/shared/standards (or
$CGCONFORM_STANDARDS) by the rules the catalogues' headers state, and compared with the
sentences the catalogues quote. Their annotations (scenarios, via, check, why not) are
consistent with the profiles and the other catalogues, and `cgconform profiles` shows the
coverage per section."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from cgtest.clirun import CliResult

from cgconform.cli.coverage import (
    NOT_CHECKED,
    Annotation,
    read_annotations,
    section_of,
    text_coverage,
)
from cgconform.model.catalogue import load_catalogue, load_profiles
from cgconform.model.locations import profiles_dir

Cli = Callable[..., CliResult]
STANDARDS = Path(os.environ.get("CGCONFORM_STANDARDS", "/work/shared/standards"))
CORE = profiles_dir() / "standards" / "FSC-Core-1.1-b2c6aba.yaml"
LOGGING = profiles_dir() / "standards" / "FSC-Logging-1.0.0.yaml"
FSC_PROFILES = ("fsc-manager", "fsc-inway", "fsc-outway", "fsc-logging")

# -- the extraction rules of the catalogues' headers ---------------------------------------------

KEYWORDS = re.compile(
    r"\b(MUST|SHALL|SHOULD|MAY|REQUIRED|RECOMMENDED|OPTIONAL|must|should|may|shall|"
    r"can not|cannot|is required to)\b"
)
YAML_KEYWORDS = re.compile(r"\b(must|should|may|shall|can not|cannot)\b", re.I)
ABBREVIATIONS = ("i.e.", "e.g.", "etc.")
# Paragraphs that make the list after them normative, item by item.
LEAD_INS = (
    "Validation rules:",
    "Signature requirements:",
    "Before issuing an access token the Manager MUST validate that:",
    "The request MUST be authorized if the access token meets the following conditions:",
    "The Manager MUST only return log records which match any of the following criteria:",
    "To request a token via the Client Credentials flow the following information must be "
    "sent to the Manager which acts as an Authorization Server:",
)
LIST_HEADINGS = ("Contract Validation",)
MAPPING = re.compile(r"^`accessToken\.\w+` +--> +`logRecord\.[\w.]+`$")
RFC_SCHEMAS = ("jwk", "ecPublicKey", "rsaPublicKey")  # manager.yaml quoting RFC 7517/7518


def normalize(text: str) -> str:
    """Markdown to the quoted form: no emphasis, links reduced to their text."""
    text = text.replace("**", "")
    text = re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\.\(#[^)]*\)", r"\1.", text)
    text = re.sub(r"\[\[([^\]]+)\]\]", r"[\1]", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def split_sentences(text: str) -> list[str]:
    for i, abbreviation in enumerate(ABBREVIATIONS):
        text = text.replace(abbreviation, f"\x00{i}\x00")
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z`\[*])", text)
    out = []
    for part in parts:
        for i, abbreviation in enumerate(ABBREVIATIONS):
            part = part.replace(f"\x00{i}\x00", abbreviation)
        if part.strip():
            out.append(part.strip())
    return out


def blocks(text: str) -> Iterator[tuple[str, str]]:
    """(kind, text): heading, item (with its indented continuation), row, map, para."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r'<section class="informative">.*?</section>', "", text, flags=re.S)
    out: list[list[str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            out.append(["blank", ""])
        elif line.startswith("#"):
            out.append(["heading", line])
        elif line.startswith("|"):
            out.append(["row", line])
        elif MAPPING.match(line):
            out.append(["map", line])
        elif re.match(r"^([-*]|\d+\.)\s+", line):
            out.append(["item", re.sub(r"^([-*]|\d+\.)\s+", "", line)])
        elif out and (out[-1][0] == "para" or (out[-1][0] == "item" and raw.startswith(" "))):
            out[-1][1] += " " + line
        else:
            out.append(["para", line])
    for kind, body in out:
        if kind != "blank":
            yield kind, body


def markdown_sentences(path: Path) -> list[str]:
    units: list[str] = []
    lead = ""
    codes = False
    for kind, body in blocks(path.read_text(encoding="utf-8")):
        if kind == "heading":
            heading = normalize(re.sub(r"\{#[^}]*\}", "", body.lstrip("#")))
            lead = heading if heading in LIST_HEADINGS else ""
            codes = False
            continue
        if kind == "row":
            cells = [c.strip() for c in body.strip("|").split("|")]
            if cells[0] == "Error code":
                codes = True
            elif codes and not set("".join(cells)) <= set("-: "):
                units.append(normalize(" | ".join(cells)))
            continue
        text = normalize(body)
        if kind == "map":
            units.append(text)
            continue
        sentences = [s for s in split_sentences(text) if KEYWORDS.search(s)]
        if kind == "item" and lead and not sentences:
            units.append(text)
        units.extend(sentences)
        if kind == "para":
            lead = text if text in LEAD_INS else ""
    return units


def yaml_sentences(path: Path) -> list[str]:
    units: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if where == "components/schemas" and key in RFC_SCHEMAS:
                    continue
                if key == "description" and isinstance(value, str):
                    units.extend(
                        s for s in split_sentences(normalize(value)) if YAML_KEYWORDS.search(s)
                    )
                else:
                    walk(value, f"{where}/{key}" if where else str(key))
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    walk(yaml.safe_load(path.read_text(encoding="utf-8")), "")
    return units


def text_sentences(standard: str) -> list[str]:
    if standard == "FSC-Core":
        base = STANDARDS / "fsc-core"
        return [
            *markdown_sentences(base / "specifications.md"),
            *markdown_sentences(base / "architecture.md"),
            *yaml_sentences(base / "manager.yaml"),
        ]
    base = STANDARDS / "fsc-logging"
    return [
        *markdown_sentences(base / "specifications.md"),
        *yaml_sentences(base / "logging.yaml"),
    ]


def entry_notes(path: Path) -> dict[str, Annotation]:
    return read_annotations(path.read_text(encoding="utf-8"))


needs_texts = pytest.mark.skipif(
    not (STANDARDS / "fsc-core" / "specifications.md").is_file(),
    reason=f"the FSC texts are not at {STANDARDS} (set CGCONFORM_STANDARDS)",
)

# -- the catalogues hold the texts' sentences ----------------------------------------------------


@needs_texts
@pytest.mark.parametrize(("standard", "path"), [("FSC-Core", CORE), ("FSC-Logging", LOGGING)])
def test_every_normative_sentence_is_catalogued_once(standard: str, path: Path) -> None:
    in_text = Counter(text_sentences(standard))
    quoted = Counter(a.quote for a in entry_notes(path).values())
    missing = in_text - quoted
    made_up = quoted - in_text
    assert not missing, f"sentences of the text without an entry: {list(missing)}"
    assert not made_up, f"entries quoting no sentence of the text: {list(made_up)}"
    assert sum(quoted.values()) == sum(in_text.values())


@needs_texts
def test_the_counts_are_what_the_catalogues_say() -> None:
    assert len(text_sentences("FSC-Core")) == len(entry_notes(CORE)) == 200
    assert len(text_sentences("FSC-Logging")) == len(entry_notes(LOGGING)) == 43


def _slugs(path: Path) -> set[str]:
    """The anchors GitHub gives the headings of a markdown file."""
    seen: dict[str, int] = {}
    slugs = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            continue
        slug = re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        slugs.add(slug if n == 0 else f"{slug}-{n}")
    return slugs


@needs_texts
def test_urls_point_at_the_heading_or_line_of_the_sentence() -> None:
    files = {
        "fsc-core/blob": {
            "specifications.md": STANDARDS / "fsc-core/specifications.md",
            "architecture.md": STANDARDS / "fsc-core/architecture.md",
            "media/specs/manager.yaml": STANDARDS / "fsc-core/manager.yaml",
        },
        "fsc-logging/blob": {
            "specifications.md": STANDARDS / "fsc-logging/specifications.md",
            "logging.yaml": STANDARDS / "fsc-logging/logging.yaml",
        },
    }
    catalogue = load_catalogue(standards=["FSC-Core", "FSC-Logging"])
    for path in (CORE, LOGGING):
        notes = entry_notes(path)
        for (standard, _), requirements in catalogue.by_version.items():
            for requirement in requirements.values():
                if requirement.id not in notes:
                    continue
                repo = "fsc-core/blob" if standard == "FSC-Core" else "fsc-logging/blob"
                match = re.match(
                    rf"https://github\.com/Logius-standaarden/{repo}/[0-9a-f]{{40}}/(.+)#(.+)$",
                    requirement.url,
                )
                assert match, requirement.url
                source = files[repo][match.group(1)]
                anchor = match.group(2)
                if source.suffix == ".md":
                    assert anchor in _slugs(source), (requirement.id, anchor)
                else:
                    line = source.read_text().splitlines()[int(anchor.removeprefix("L")) - 1]
                    quote = notes[requirement.id].quote
                    assert re.sub(r"\s+", " ", quote[:30]) in line, (requirement.id, line)


# -- the annotations agree with the profiles and the other catalogues ----------------------------


def test_annotations_are_complete_and_consistent() -> None:
    catalogue = load_catalogue()
    profiles = load_profiles()
    known = {rid for reqs in catalogue.by_version.values() for rid in reqs}
    suite = catalogue.by_version[("FSC-TestSuite", "2026-01-13")]
    in_profile = {
        (r.requirement.standard, r.requirement.id): p.id
        for p in profiles.values()
        for r in p.requirements
    }
    for standard, path in (("FSC-Core", CORE), ("FSC-Logging", LOGGING)):
        notes = entry_notes(path)
        requirements = next(v for (s, _), v in catalogue.by_version.items() if s == standard)
        assert set(notes) == set(requirements)
        text = path.read_text(encoding="utf-8")
        for rid, note in notes.items():
            requirement = requirements[rid]
            entry = text[text.index(f"  - id: {rid}\n") :].split("\n  - id:")[0]
            assert "# scenarios:" in entry, rid
            assert set(note.scenarios) <= set(suite), (rid, note.scenarios)
            assert set(note.via) <= known, (rid, note.via)
            assert rid not in note.via, rid
            for profile in note.check:
                assert in_profile.get((standard, rid)) == profile or any(
                    r.requirement.id == rid for r in profiles[profile].requirements
                ), f"{rid}: `# check: {profile}` but the profile does not include it"
            if (standard, rid) in in_profile:
                assert note.check, f"{rid} is in {in_profile[(standard, rid)]} without `# check:`"
            if requirement.automation == "manual" or not (note.scenarios or note.via or note.check):
                assert note.why_not, f"{rid}: say why it is not checked (# why not:)"
            assert section_of(rid), rid


def test_every_sentence_in_a_profile_has_a_check() -> None:
    """Each FSC-Core / FSC-Logging requirement of the fsc profiles is decided by a check
    function of suites/fsc (not left `not_tested`)."""
    import importlib
    import pkgutil

    import cgconform.suites.fsc as fsc
    from cgconform.run.marks import requirement_args

    marked: set[tuple[str, str]] = set()
    for info in pkgutil.walk_packages(fsc.__path__, fsc.__name__ + "."):
        last = info.name.rsplit(".", 1)[-1]
        if ".harness" in info.name or last.startswith(("_", "test_", "conftest")):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            for args in requirement_args(value):
                marked.add((str(args[0]), str(args[1])))
    wanted = {
        (r.requirement.standard, r.requirement.id)
        for p in load_profiles().values()
        if p.id in FSC_PROFILES
        for r in p.requirements
        if r.requirement.standard in ("FSC-Core", "FSC-Logging")
    }
    assert wanted, "no FSC-Core / FSC-Logging requirement in the fsc profiles"
    assert wanted <= marked, sorted(wanted - marked)


def test_coverage_counts_every_sentence_once() -> None:
    profiles = load_profiles()
    catalogue = load_catalogue()
    texts = text_coverage(profiles["fsc-manager"], profiles, profiles_dir(), catalogue.by_version)
    assert {t.standard for t in texts} == {"FSC-Core", "FSC-Logging"}
    for text in texts:
        total = text.total()
        assert total.sentences == len(text.sentences)
        assert total.automatic + total.semi_automatic + total.not_checked == total.sentences
        assert sum(row.sentences for row in text.sections()) == total.sentences
        for sentence in text.sentences:
            if sentence.status == NOT_CHECKED:
                assert sentence.reason, sentence.requirement.id


def test_profiles_command_shows_the_coverage_per_section(cli: Cli) -> None:
    result = cli("profiles", "fsc-manager")
    assert result.code == 0, result.stderr
    out = result.stdout
    assert "Manager-SubmitContract-1" in out  # the profile's own list comes first
    assert "Coverage of FSC-Core 1.1-b2c6aba" in out and "Coverage of FSC-Logging 1.0.0" in out
    assert re.search(r"^  contracts/validation +11 ", out, re.M), out
    assert re.search(r"^  total +200 ", out, re.M)
    assert "[unobservable]" in out and "and why:" in out
    as_json = cli("profiles", "fsc-manager", "--format", "json")
    assert as_json.code == 0 and as_json.stdout.lstrip().startswith("[")


def test_html_coverage_view_from_report_json_and_catalogue_rows() -> None:
    from cgconform.cli.coverage import coverage_json
    from cgconform.report.html_coverage import coverage_view

    core = {"standard": "FSC-Core", "standard_version": "1.1-b2c6aba"}
    results = [
        {
            **core,
            "requirement": "FSC-Core/contracts/validation/created-at",
            "automation": "automatic",
            "verdict": "pass",
            "profile": "fsc-manager",
        },
        {
            **core,
            "requirement": "FSC-Core/contracts/validation/created-at",
            "automation": "automatic",
            "verdict": "pass",
            "profile": "fsc-inway",
        },
        {
            **core,
            "requirement": "FSC-Core/contracts/validation/iv-uuid",
            "automation": "automatic",
            "verdict": "fail",
        },
        {
            **core,
            "requirement": "FSC-Core/manager/error-codes/incorrect-group-id",
            "automation": "automatic",
            "verdict": "warning",
        },
        {
            "standard": "FSC-TestSuite",
            "standard_version": "2026-01-13",
            "requirement": "Manager-SubmitContract-1",
            "automation": "automatic",
            "verdict": "pass",
        },
    ]
    views = coverage_view({"results": results})
    assert [v.standard for v in views] == ["FSC-Core"]
    rows = {r.section: r for r in views[0].sections}
    assert rows["contracts/validation"].checks == 2  # counted once across profiles
    assert (rows["contracts/validation"].passed, rows["contracts/validation"].failed) == (1, 1)
    assert rows["manager/error-codes"].warned == 1
    assert rows["contracts/validation"].sentences is None
    profiles = load_profiles()
    texts = text_coverage(
        profiles["fsc-manager"], profiles, profiles_dir(), load_catalogue().by_version
    )
    with_sentences = coverage_view({"results": results}, coverage_json(texts))
    total = with_sentences[0].as_dict()["total"]
    assert total["sentences"] == 200 and total["checks"] == 3
    validation = next(r for r in with_sentences[0].sections if r.section == "contracts/validation")
    assert validation.sentences == 11
    assert coverage_view({"results": "not a list"}) == []


def test_fsc_notes_list_every_unchecked_sentence() -> None:
    notes = (Path(__file__).parents[2] / "docs" / "fsc-notes.md").read_text(encoding="utf-8")
    section = notes[notes.index("## 7. FSC Core and FSC Logging themselves") :]
    profiles = load_profiles()
    texts = text_coverage(
        profiles["fsc-manager"], profiles, profiles_dir(), load_catalogue().by_version
    )
    unchecked = [s.requirement.id for t in texts for s in t.sentences if s.status == NOT_CHECKED]
    missing = [rid for rid in unchecked if f"`{rid}`" not in section]
    assert not missing, f"docs/fsc-notes.md §7 does not list {missing}"
