"""Naming heuristics the official linter lacks: /core/naming-resources (nouns, not verbs)
and /core/naming-collections (plural collection names). Names are not proof, so these are
warnings that say what to look at."""

from __future__ import annotations

import itertools
import re

from cgconform.model.outcomes import Warning
from cgconform.openapi.document import SpecDocument
from cgconform.run.marks import requirement
from cgconform.suites.api.document._spec import iter_path_keys, raise_findings, require_document

# Verbs that start path segments of RPC-style APIs, in Dutch and English.
VERBS = (
    "get",
    "create",
    "update",
    "delete",
    "remove",
    "add",
    "set",
    "fetch",
    "find",
    "do",
    "maak",
    "wijzig",
    "verwijder",
    "haal",
    "voeg",
    "bereken",
    "registreer",
    "verstuur",
    "verzend",
    "opvragen",
    "aanmaken",
    "wijzigen",
    "verwijderen",
    "ophalen",
    "toevoegen",
)
VERB_SEGMENT = re.compile(rf"^({'|'.join(VERBS)})([-_]|[A-Z]|$)")
# Endings of plural nouns: Dutch -en, -s, -'s, -ies, -eren, -a (data, media), English -s.
PLURAL = re.compile(r"(en|s|a|i|eren)$")


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


@requirement("ADR", "/core/naming-resources")
def resource_names_are_nouns(cg_spec: SpecDocument) -> None:
    document = require_document(cg_spec)
    findings = []
    for ptr, path in iter_path_keys(document):
        for segment in _segments(path):
            if not segment.startswith(("{", "_")) and VERB_SEGMENT.match(segment):
                findings.append((ptr, f"path {path}: segment {segment!r} looks like a verb"))
                break
    raise_findings(
        cg_spec,
        findings,
        "resources MUST be named with nouns; these path segments look like verbs "
        "(heuristic: an operation on a resource may start with _, e.g. /_zoek)",
        kind=Warning,
    )


@requirement("ADR", "/core/naming-collections")
def collection_names_are_plural(cg_spec: SpecDocument) -> None:
    document = require_document(cg_spec)
    findings = []
    for ptr, path in iter_path_keys(document):
        parts = _segments(path)
        for name, following in itertools.pairwise(parts):
            if (
                following.startswith("{")
                and not name.startswith("{")
                and not PLURAL.search(name.lower())
            ):
                findings.append(
                    (ptr, f"path {path}: collection {name!r} (followed by an id) looks singular")
                )
                break
    raise_findings(
        cg_spec,
        findings,
        "collections MUST be named in the plural; these names look singular (heuristic: "
        "check Dutch and English plural forms)",
        kind=Warning,
    )
