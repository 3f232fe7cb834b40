"""Spectral with the official ADR ruleset, as the comparison oracle for `cgconform lint`.

Spectral (npm ``@stoplight/spectral-cli`` 6.16) is never a runtime dependency of cgconform:
only the parity tests (tests/api/test_adr_parity.py) and the benchmark
(benchmarks/adr_lint_vs_spectral.py) run it. ``.ci/spectral.sh`` installs it into ``.ci/node``;
``CG_SPECTRAL`` points at another installation. docs/adr-parity.md explains the mapping below
and the Spectral behaviours this module works around.

This module imports nothing outside the standard library, so the benchmark can use it without
pytest.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("CG_SHARED_DIR", REPO.parent / "shared"))
ADR_LINTER = SHARED / "reference" / "adr-linter"

SPECTRAL_VERSION = "6.16"
DEFAULT_BINARY = REPO / ".ci" / "node" / "node_modules" / ".bin" / "spectral"
OFFLINE_RESOLVER = REPO / ".ci" / "spectral-offline-resolver.js"
RULESET_FILES = {
    "2.2.0": ADR_LINTER / "ruleset-2.2-develop.yaml",
    "2.1.0": ADR_LINTER / "ruleset-2.1.0.yaml",
}
DEFAULT_TIMEOUT_S = 600.0

# Spectral's numeric DiagnosticSeverity in `-f json` output.
SEVERITY_NAMES = {0: "error", 1: "warn", 2: "info", 3: "hint"}


class SpectralError(RuntimeError):
    """Spectral could not run, timed out, or gave output that is not its JSON report."""


def corpus_documents(corpus: Path | None = None) -> list[Path]:
    """The OpenAPI documents of ../shared/corpus: every *.yaml and *.json except the JSON
    Schemas (*.schema.json) that some of them reference."""
    folder = corpus or SHARED / "corpus"
    return sorted(
        p
        for p in [*folder.glob("*.yaml"), *folder.glob("*.json")]
        if not p.name.endswith(".schema.json")
    )


# --- which Spectral -------------------------------------------------------------------------


def spectral_binary() -> Path | None:
    """The Spectral CLI to use: ``$CG_SPECTRAL`` (a path, or a name on PATH) or the copy that
    .ci/spectral.sh installs. None when neither is there."""
    configured = os.environ.get("CG_SPECTRAL")
    if configured:
        found = shutil.which(configured)
        return Path(found) if found else None
    return DEFAULT_BINARY if DEFAULT_BINARY.is_file() else None


def spectral_version(binary: Path) -> str:
    done = subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    return done.stdout.strip()


# --- running it -------------------------------------------------------------------------------

# Characters that fast-glob (which Spectral feeds every file argument through) treats as
# pattern syntax. Spectral turns `\` into `/` before globbing, so they cannot be escaped.
_GLOB_SYNTAX = re.compile(r"[*?\[\]{}]|^!|[@!+*?]\(")


def run_spectral(
    paths: Sequence[Path],
    ruleset: Path,
    *,
    binary: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    offline: bool = True,
) -> dict[Path, list[dict[str, Any]]]:
    """Lint ``paths`` with Spectral and return its results per linted document.

    One Spectral process lints many documents (its start-up costs about a second). Spectral's
    JSON output is a flat list whose ``source`` field names the file a result is *in*, which
    for a finding inside a ``$ref``-erenced file is that file, not the linted document. Each
    result is attributed to the document that was linted (see :func:`_attribute`): the value
    lists keep Spectral's result dicts unchanged, ``source`` included. Documents that share a
    referenced file are linted in separate processes so that this attribution is exact.

    ``offline=True`` (the default) passes ``--resolver .ci/spectral-offline-resolver.js``:
    http(s) ``$ref``s are refused at once (reported as ``invalid-ref`` errors, as Spectral
    reports a failed download) instead of being fetched without a timeout.

    Raises :class:`SpectralError` when Spectral is absent, fails, or exceeds ``timeout``.
    """
    exe = binary or spectral_binary()
    if exe is None:
        raise SpectralError("Spectral is not installed: run .ci/spectral.sh or set CG_SPECTRAL")
    if not paths:
        return {}
    documents: dict[Path, Path] = {}  # normalised absolute path -> the caller's Path
    for path in paths:
        absolute = _norm(path)
        if _GLOB_SYNTAX.search(str(absolute)):
            raise SpectralError(f"Spectral cannot lint {path}: its name contains glob syntax")
        if not absolute.is_file():
            raise SpectralError(f"no such file: {path}")
        documents.setdefault(absolute, path)

    closures = {doc: _ref_closure(doc) for doc in documents}
    attributed: dict[Path, list[dict[str, Any]]] = {path: [] for path in documents.values()}
    for group in _independent_groups(list(documents), closures):
        results = _run_once(exe, group, ruleset, timeout=timeout, offline=offline)
        for doc, result in _attribute(results, group, closures):
            attributed[documents[doc]].append(result)
    return attributed


def _run_once(
    exe: Path, documents: Sequence[Path], ruleset: Path, *, timeout: float, offline: bool
) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="cg-spectral-") as tmp:
        out = Path(tmp) / "results.json"
        command = [str(exe), "lint", "--ruleset", str(ruleset), "--format", "json"]
        command += ["--output", str(out), "--quiet"]
        if offline:
            command += ["--resolver", str(OFFLINE_RESOLVER)]
        command += [str(d) for d in documents]
        env = {**os.environ, "FORCE_COLOR": "0", "NO_COLOR": "1"}
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, env=env, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise SpectralError(
                f"Spectral took longer than {timeout:.0f} s on {len(documents)} documents"
            ) from exc
        # 0: no result at --fail-severity (error) or above; 1: some; 2 and others: it failed.
        if done.returncode not in (0, 1) or not out.is_file():
            raise SpectralError(
                f"Spectral exited with {done.returncode}: {done.stderr.strip() or done.stdout}"
            )
        try:
            results = json.loads(out.read_text("utf-8"))
        except ValueError as exc:
            raise SpectralError(f"Spectral's output is not JSON: {exc}") from exc
    if not isinstance(results, list):
        raise SpectralError("Spectral's JSON output is not a list of results")
    return results


def _norm(path: Path | str) -> Path:
    # Spectral reports `source` as an absolute, normalised, symlink-preserving path.
    return Path(os.path.normpath(os.path.abspath(path)))


_REF_VALUE = re.compile(r"""["']?\$ref["']?\s*:\s*["']?([^"'#\s,}\]]+)""")
_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")


def _ref_closure(document: Path) -> frozenset[Path]:
    """Local files that ``document`` reaches through ``$ref``s (text scan: works on documents
    that do not parse). Remote refs are left out: offline they resolve to nothing."""
    seen: set[Path] = set()
    todo = [document]
    while todo:
        current = todo.pop()
        try:
            text = current.read_text("utf-8", errors="replace")
        except OSError:
            continue
        for match in _REF_VALUE.finditer(text):
            ref = match.group(1)
            if _URI_SCHEME.match(ref):
                continue
            target = _norm(current.parent / ref)
            if target != document and target not in seen and target.is_file():
                seen.add(target)
                todo.append(target)
    return frozenset(seen)


def _independent_groups(
    documents: list[Path], closures: Mapping[Path, frozenset[Path]]
) -> list[list[Path]]:
    """Split documents so that within a group no two reach a common file (or each other)."""
    groups: list[tuple[list[Path], set[Path]]] = []
    for doc in documents:
        reach = {doc, *closures[doc]}
        for members, covered in groups:
            if not (reach & covered):
                members.append(doc)
                covered |= reach
                break
        else:
            groups.append(([doc], reach))
    return [members for members, _ in groups]


def _attribute(
    results: Iterable[dict[str, Any]],
    documents: Sequence[Path],
    closures: Mapping[Path, frozenset[Path]],
) -> Iterable[tuple[Path, dict[str, Any]]]:
    """Pair each result with the linted document it belongs to.

    A result whose ``source`` is a linted document belongs to it. One in a referenced file
    belongs to the document that reaches that file (unique within a group). Failing both (a
    $ref the text scan missed) it goes with its neighbours: Spectral lints documents one after
    the other and prints each document's results together.
    """
    targets = set(documents)
    reached_by: dict[Path, Path] = {}
    for doc in documents:
        for file in closures[doc]:
            reached_by.setdefault(file, doc)
    current: Path | None = documents[0] if len(documents) == 1 else None
    waiting: list[dict[str, Any]] = []
    for result in results:
        source = _norm(result.get("source") or "")
        owner = source if source in targets else reached_by.get(source, current)
        if owner is None:
            waiting.append(result)
            continue
        current = owner
        for earlier in waiting:
            yield owner, earlier
        waiting.clear()
        yield owner, result
    for earlier in waiting:  # only possible when no result at all named a linted document
        yield documents[0], earlier


# --- the rule -> requirement mapping --------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One Spectral rule of an ADR ruleset: the ADR requirement it checks, or None when it
    checks no ADR requirement (style rules; see docs/adr-parity.md)."""

    requirement: str | None
    severity: str  # as the ruleset sets it: error | warn | info | hint
    comment: str = ""  # the `#/core/...` comment above the rule in the ruleset, if any
    note: str = ""  # why the mapping differs from that comment, or how it was decided


DOC = "/core/doc-openapi"
_VALIDITY = "OAS validity; CATALOG.md §1 lists it under /core/doc-openapi"
_PUBLISH = "#/core/publish-openapi"

# Diagnostics Spectral itself produces, whichever ruleset runs.
SPECTRAL_BUILTIN: dict[str, Rule] = {
    "parser": Rule(
        DOC,
        "error",
        note="YAML/JSON syntax error, duplicate key, or a non-string mapping key such as an "
        "unquoted response code `200:` (parserOptions.incompatibleValues, default error). "
        "OAS: response codes MUST be quoted for JSON/YAML compatibility.",
    ),
    "invalid-ref": Rule(
        DOC, "error", note="a $ref that does not resolve (offline: every remote one)"
    ),
    "unrecognized-format": Rule(
        DOC, "warn", note="the document is not recognised as OpenAPI 2/3.x (no `openapi` key)"
    ),
}

RULES_2_2: dict[str, Rule] = {
    # Block commented "#/core/publish-openapi (deze error-rules valideren of OAS valid is)":
    # they validate the document, which ADR asks for in /core/doc-openapi; /core/publish-openapi
    # is about serving it at {base}/openapi.json (runtime only).
    **{
        code: Rule(DOC, "error", _PUBLISH, _VALIDITY)
        for code in (
            "oas3-schema",
            "operation-operationId-unique",
            "path-params",
            "openapi-tags-uniqueness",
            "oas3-valid-media-example",
            "oas3-valid-schema-example",
            "oas3-server-variables",
            "oas3-api-servers",
        )
    },
    "path-keys-no-trailing-slash": Rule(
        "/core/no-trailing-slash", "error", "#/core/no-trailing-slash"
    ),
    "nlgov:openapi3": Rule(DOC, "error", "#/core/doc-openapi"),
    "nlgov:openapi-root-exists": Rule(DOC, "error", "#/core/doc-openapi"),
    "nlgov:missing-version-header": Rule("/core/version-header", "error", "#/core/version-header"),
    "nlgov:missing-header": Rule("/core/version-header", "error", "#/core/version-header"),
    "nlgov:include-major-version-in-uri": Rule("/core/uri-version", "error", "#/core/uri-version"),
    "nlgov:paths-no-trailing-slash": Rule(
        "/core/no-trailing-slash",
        "error",
        "#/core/no-trailing-slash",
        "its pattern `.+ \\/$` needs a space before the slash: never fires on real paths",
    ),
    "info-contact": Rule("/core/doc-openapi-contact", "error", "#/core/doc-openapi-contact"),
    "nlgov:info-contact-fields-exist": Rule(
        "/core/doc-openapi-contact", "error", "#/core/doc-openapi-contact"
    ),
    "nlgov:http-methods": Rule(
        "/core/http-methods",
        "error",
        "#/core/http-methods",
        "its `given` selects path keys matching description|summary: never fires on real paths",
    ),
    "nlgov:paths-kebab-case": Rule(
        "/core/path-segments-kebab-case", "error", "#/core/path-segments-kebab-case"
    ),
    "nlgov:query-keys-camel-case": Rule(
        "/core/query-keys-camel-case", "error", "#/core/query-keys-camel-case"
    ),
    "nlgov:schema-camel-case": Rule(
        None,
        "warn",
        note="no comment; UpperCamelCase schema names are asked by no ADR 2.2 rule",
    ),
    "nlgov:servers-use-https": Rule(
        "/core/transport/tls",
        "warn",
        note="no comment; http:// server URLs contradict /core/transport/tls (CATALOG.md §1)",
    ),
    "nlgov:use-problem-schema": Rule(
        "/core/error-handling/problem-details", "error", "#/core/error-handling/problem-details"
    ),
    "nlgov:problem-schema-members": Rule(
        "/core/error-handling/problem-details", "error", "#/core/error-handling/problem-details"
    ),
    "nlgov:problem-invalid-input": Rule(
        "/core/error-handling/invalid-input", "error", "#/core/error-handling/invalid-input"
    ),
    "nlgov:property-casing": Rule(
        None,
        "warn",
        note="no comment; lowerCamelCase of `_links`-like property names is asked by no ADR "
        "2.2 core rule (its casing check also never fails on `_links`)",
    ),
    # Commented "#/core/date-time/timezone", but what they check (no `date-time-local`, `time`
    # must be `time-local`) is the format table of /core/date-time/format; timezone is about
    # the offsets a running API accepts and returns. CATALOG.md §1 agrees.
    "nlgov:date-time-ensure-timezone": Rule(
        "/core/date-time/format",
        "error",
        "#/core/date-time/timezone",
        "checks the format table of /core/date-time/format (CATALOG.md §1)",
    ),
    "nlgov:time-without-timezone": Rule(
        "/core/date-time/format",
        "error",
        "#/core/date-time/timezone",
        "checks the format table of /core/date-time/format (CATALOG.md §1)",
    ),
    "nlgov:specify-format-for-date-and-time": Rule(
        "/core/date-time/format",
        "error",
        "#/core/date-time/date-omit-time-portion",
        "a date-named field without `format` violates /core/date-time/format (a field MUST set "
        "format), not date-omit-time-portion (date instead of date-time)",
    ),
    "nlgov:use-date-instead-of-datetime": Rule(
        "/core/date-time/date-omit-time-portion", "error", "#/core/date-time/date-omit-time-portion"
    ),
    "nlgov:semver": Rule(
        "/core/semver",
        "error",
        note="no comment (sits under date-omit-time-portion); checks info.version",
    ),
}

# ruleset-2.1.0.yaml extends the whole of spectral:oas (its recommended rules at their own
# severities) and overrides a few. ADR 2.1 has no kebab-case, query-key, error-handling or
# date-time rules: those codes map to None there.
_OAS_RECOMMENDED_2_1: dict[str, Rule] = {
    **{
        code: Rule(DOC, "error", note=_VALIDITY)
        for code in (
            "operation-operationId-unique",
            "path-params",
            "openapi-tags-uniqueness",
            "oas3-valid-media-example",
            "oas3-valid-schema-example",
            "oas3-schema",
            "oas3-server-variables",
            "no-$ref-siblings",
            "array-items",
        )
    },
    **{
        code: Rule(DOC, "warn", note=_VALIDITY)
        for code in (
            "operation-parameters",
            "path-declarations-must-exist",
            "path-not-include-query",
            "duplicated-entry-in-enum",
            "typed-enum",
            "oas3-examples-value-or-externalValue",
            "oas3-operation-security-defined",
            "oas3-callbacks-in-callbacks",
            "oas3_1-servers-in-webhook",
            "oas3_1-callbacks-in-webhook",
            "oas3_2-no-deprecated-xml-attribute",
            "operation-operationId-valid-in-url",
        )
    },
    **{
        code: Rule(None, "warn", note="spectral:oas style rule; no ADR requirement")
        for code in (
            "operation-success-response",
            "operation-tag-defined",
            "info-description",
            "no-eval-in-markdown",
            "no-script-tags-in-markdown",
            "operation-description",
            "operation-operationId",
            "operation-tags",
            "oas3-server-trailing-slash",
            "oas3-unused-component",
        )
    },
    "path-keys-no-trailing-slash": Rule("/core/no-trailing-slash", "warn"),
}

RULES_2_1: dict[str, Rule] = {
    **_OAS_RECOMMENDED_2_1,
    "oas3-api-servers": Rule(DOC, "error", note=_VALIDITY),
    "openapi3": Rule(DOC, "error", "#/core/doc-openapi"),
    "missing-version-header": Rule("/core/version-header", "error", "#/core/version-header"),
    "missing-header": Rule("/core/version-header", "error", "#/core/version-header"),
    "include-major-version-in-uri": Rule("/core/uri-version", "error", "#/core/uri-version"),
    "paths-no-trailing-slash": Rule(
        "/core/no-trailing-slash", "error", "#/core/no-trailing-slash", "pattern `.+ \\/$`"
    ),
    "paths-open-api-json-resource-exists": Rule(
        "/core/publish-openapi", "error", "#/core/publish-openapi"
    ),
    "paths-open-api-json-resource-has-get": Rule(
        "/core/publish-openapi", "error", "#/core/publish-openapi"
    ),
    "paths-open-api-json-specify-cors-header": Rule(
        "/core/publish-openapi", "error", "#/core/publish-openapi"
    ),
    "info-contact": Rule("/core/doc-openapi-contact", "error", "#/core/doc-openapi-contact"),
    "info-contact-fields-exist": Rule(
        "/core/doc-openapi-contact", "error", "#/core/doc-openapi-contact"
    ),
    "http-methods": Rule("/core/http-methods", "error", "#/core/http-methods"),
    "paths-kebab-case": Rule(None, "warn", note="ADR 2.1 has no kebab-case rule (2.2 adds it)"),
    "schema-camel-case": Rule(None, "warn", note="no ADR requirement"),
    "servers-use-https": Rule("/core/transport/tls", "warn"),
    "use-problem-schema": Rule(None, "warn", note="ADR 2.1 has no error-handling rule"),
    "property-casing": Rule(None, "warn", note="no ADR requirement"),
}

RULES: dict[str, dict[str, Rule]] = {
    "2.2.0": {**SPECTRAL_BUILTIN, **RULES_2_2},
    "2.1.0": {**SPECTRAL_BUILTIN, **RULES_2_1},
}

# code -> requirement, over both rulesets (a code means the same requirement in both).
RULE_TO_REQUIREMENT: dict[str, str | None] = {
    code: rule.requirement for rules in RULES.values() for code, rule in rules.items()
}


def requirement_of(code: str, adr_version: str = "2.2.0") -> str | None:
    """The ADR requirement a Spectral result code checks. KeyError for a code not mapped."""
    return RULES[adr_version][code].requirement


def covered_requirements(
    adr_version: str = "2.2.0", severities: Iterable[str] = ("error", "warn")
) -> frozenset[str]:
    """Requirements some rule of that ruleset (at one of ``severities``) checks."""
    wanted = set(severities)
    return frozenset(
        r.requirement
        for r in RULES[adr_version].values()
        if r.requirement is not None and r.severity in wanted
    )


def flagged(
    results: Iterable[Mapping[str, Any]],
    adr_version: str = "2.2.0",
    severities: Iterable[str] = ("error", "warn"),
) -> dict[str, list[str]]:
    """Requirement -> the rule codes (one per result) that flag it, from results of one
    document at the given severities. Codes mapped to None are left out."""
    wanted = set(severities)
    out: dict[str, list[str]] = {}
    for result in results:
        if SEVERITY_NAMES.get(result["severity"]) not in wanted:
            continue
        requirement = requirement_of(result["code"], adr_version)
        if requirement is not None:
            out.setdefault(requirement, []).append(result["code"])
    return out


# --- the golden cases' expected-output.txt (Spectral's `stylish` format, errors only) ---------

_STYLISH_LINE = re.compile(
    r"^\s*(?P<line>\d+):(?P<column>\d+)\s+(?P<severity>error|warning|information|hint)"
    r"\s+(?P<code>\S+)\s+(?P<rest>.*?)\s*$"
)


@dataclass(frozen=True)
class ExpectedLine:
    line: int  # 1-based, as printed
    column: int  # 1-based
    severity: str
    code: str
    message: str
    path: str  # dotted, as Spectral's stylish formatter prints it; "" for the root


def parse_expected_output(text: str) -> list[ExpectedLine]:
    """The result lines of an expected-output.txt (empty for "No results ... found!")."""
    lines = []
    for raw in text.splitlines():
        m = _STYLISH_LINE.match(raw)
        if not m:
            continue
        message, _, path = m["rest"].partition("  ")
        lines.append(
            ExpectedLine(
                int(m["line"]),
                int(m["column"]),
                m["severity"],
                m["code"],
                message.strip(),
                path.strip(),
            )
        )
    return lines


def stylish_path(path: Sequence[Any]) -> str:
    """Spectral's stylish rendering of a result path: `paths./x.get.responses[200].headers`."""
    out = ""
    for segment in path:
        text = str(segment)
        if text.isdigit():
            out += f"[{text}]"
        else:
            out += ("." if out else "") + text
    return out
