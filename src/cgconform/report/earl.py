"""W3C EARL (Evaluation and Report Language) as JSON-LD, rendered from report.json.

The vocabulary is the EARL 1.0 Schema (W3C Working Group Note, 2017; namespace
``http://www.w3.org/ns/earl#``): the latest EARL there is. The document is one ``@graph``
with one ``earl:Assertion`` per result (per profile and requirement). Each assertion embeds:

- ``earl:assertedBy``: cgconform itself, an ``earl:Assertor`` / ``earl:Software`` with its
  version as a ``doap:Version``;
- ``earl:subject``: the target, an ``earl:TestSubject`` named by its base URL (else its
  OpenAPI document's URL, else a blank node), with ``dct:title`` its name;
- ``earl:test``: the requirement, an ``earl:TestRequirement`` named by the URL of its
  normative text, with ``dct:identifier`` the id as the standard writes it and ``dct:title``
  in Dutch and English as language-tagged literals;
- ``earl:result``: an ``earl:TestResult`` with ``earl:outcome``, ``dct:title`` the cgconform
  verdict and level (``"warning (SHOULD)"``: nothing is lost in the mapping below),
  ``dct:description`` the message, ``earl:info`` the reason and any waiver, ``dct:date`` the
  run's ``finished_at``;
- ``earl:mode`` from the requirement's ``automation``: automatic -> ``earl:automatic``,
  semi-automatic -> ``earl:semiAuto``, manual -> ``earl:manual``; absent ->
  ``earl:unknownMode``.

Outcomes. EARL judges a subject against one test criterion, here one requirement, not
against a profile. Its five outcomes are passed, failed, cantTell (unclear whether it passed
or failed), inapplicable and untested:

=================  ================  ===================================================
verdict            earl:outcome      why
=================  ================  ===================================================
``pass``           ``passed``
``fail``           ``failed``        also when waived: a waiver keeps the verdict
                                     (DESIGN.md §4); the waiver is in ``earl:info``
``warning`` on     ``failed``        the recommendation was not followed, so the subject
SHOULD / SHOULD                      did not meet *this* criterion. That it does not block
NOT / MAY                            conformance is a property of the criterion's level
                                     (in ``dct:title``), not of the outcome; ``passed``
                                     would claim a compliance that was not found
``warning`` on     ``cantTell``      on a mandatory level a warning is a heuristic finding
MUST / MUST NOT                      (outcomes.Warning): a suspicion, not a decision
``inconclusive``   ``cantTell``      could not decide
``needs_review``   ``cantTell``      a person has to decide; pending
``error``          ``cantTell``      a fault in the suite, not in the target: the outcome
                                     is unknown; ``dct:description`` starts "suite error:"
``not_applicable`` ``inapplicable``
``not_tested``     ``untested``      the reason is in ``earl:info``
=================  ================  ===================================================

Every context term is inline (no remote context to fetch); values are explicit
(``{"@id": ...}`` for IRIs, ``{"@value", "@type": "xsd:dateTime"}`` for the date), so the
document reads the same as plain JSON and as RDF.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cgconform.model.verdicts import MANDATORY_LEVELS

EARL = "http://www.w3.org/ns/earl#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
DOAP = "http://usefulinc.com/ns/doap#"
XSD = "http://www.w3.org/2001/XMLSchema#"

CONTEXT: dict[str, str] = {
    "earl": EARL,
    "dct": DCT,
    "foaf": FOAF,
    "doap": DOAP,
    "xsd": XSD,
}

# The five outcome values of EARL 1.0, as compact IRIs.
OUTCOMES = frozenset(
    {"earl:passed", "earl:failed", "earl:cantTell", "earl:inapplicable", "earl:untested"}
)

_OUTCOME = {
    "pass": "earl:passed",
    "fail": "earl:failed",
    "inconclusive": "earl:cantTell",
    "needs_review": "earl:cantTell",
    "error": "earl:cantTell",
    "not_applicable": "earl:inapplicable",
    "not_tested": "earl:untested",
}
_MODE = {
    "automatic": "earl:automatic",
    "semi-automatic": "earl:semiAuto",
    "manual": "earl:manual",
}
_HTTP_URL = re.compile(r"^https?://\S+$")


def outcome(verdict: str, level: str) -> str:
    """The EARL outcome (a compact IRI) for a cgconform verdict on a requirement of ``level``."""
    if verdict == "warning":
        return "earl:cantTell" if level in MANDATORY_LEVELS else "earl:failed"
    try:
        return _OUTCOME[verdict]
    except KeyError:
        raise ValueError(f"unknown verdict {verdict!r}") from None


def render_earl(report: Mapping[str, Any]) -> dict[str, Any]:
    """The EARL JSON-LD document for ``report`` (a report.json mapping)."""
    assertor = _assertor(report["tool"])
    subject = _subject(report["target"])
    date = {"@value": report["run"]["finished_at"], "@type": "xsd:dateTime"}
    shared_urls = _shared_urls(report["results"])
    graph = [
        {
            "@type": "earl:Assertion",
            "earl:assertedBy": assertor,
            "earl:subject": subject,
            "earl:test": _test(result, shared=result["url"] in shared_urls),
            "earl:result": _result(result, date),
            "earl:mode": {"@id": _MODE.get(str(result.get("automation")), "earl:unknownMode")},
        }
        for result in report["results"]
    ]
    return {"@context": dict(CONTEXT), "@graph": graph}


def _assertor(tool: Mapping[str, Any]) -> dict[str, Any]:
    name, version = str(tool["name"]), str(tool["version"])
    return {
        "@id": "_:assertor",
        "@type": ["earl:Assertor", "earl:Software", "doap:Project"],
        "foaf:name": name,
        "doap:name": name,
        "dct:title": f"{name} {version}",
        "doap:release": {"@id": "_:release", "@type": "doap:Version", "doap:revision": version},
    }


def _subject(target: Mapping[str, Any]) -> dict[str, Any]:
    base_url, spec = target.get("base_url"), target.get("spec")
    node: dict[str, Any] = {
        "@id": base_url if _is_url(base_url) else spec if _is_url(spec) else "_:subject",
        "@type": "earl:TestSubject",
        "dct:title": str(target["name"]),
    }
    if spec:
        node["dct:source"] = {"@id": spec} if _is_url(spec) else str(spec)
    return node


def _test(result: Mapping[str, Any], *, shared: bool) -> dict[str, Any]:
    """The requirement; named by its URL unless another requirement has the same URL (a
    catalogue without per-requirement anchors), so that two requirements never merge into
    one RDF node."""
    node: dict[str, Any] = {} if shared else {"@id": result["url"]}
    node["@type"] = "earl:TestRequirement"
    node["dct:identifier"] = result["requirement"]
    node["dct:title"] = [
        {"@value": result["title"]["nl"], "@language": "nl"},
        {"@value": result["title"]["en"], "@language": "en"},
    ]
    if shared:
        node["dct:source"] = {"@id": result["url"]}
    return node


def _result(result: Mapping[str, Any], date: Mapping[str, str]) -> dict[str, Any]:
    verdict, level = str(result["verdict"]), str(result["level"])
    message = str(result.get("message") or "")
    if verdict == "error":
        message = f"suite error: {message}" if message else "suite error"
    node: dict[str, Any] = {
        "@type": "earl:TestResult",
        "earl:outcome": {"@id": outcome(verdict, level)},
        "dct:title": f"{verdict} ({level})",
        "dct:date": dict(date),
    }
    if message:
        node["dct:description"] = message
    info = _info(result)
    if info:
        node["earl:info"] = info
    return node


def _info(result: Mapping[str, Any]) -> list[str]:
    info = [f"profile: {result['profile']}"]
    if result.get("reason"):
        info.append(f"reason: {result['reason']}")
    waiver = result.get("waiver")
    if isinstance(waiver, Mapping):
        info.append(
            f"waived until {waiver.get('expires')} by {waiver.get('owner')}: "
            f"{waiver.get('reason')} (the {result['verdict']} does not block conformance)"
        )
    return info


def _shared_urls(results: list[Mapping[str, Any]]) -> set[str]:
    ids: dict[str, set[str]] = {}
    for result in results:
        ids.setdefault(result["url"], set()).add(result["requirement"])
    return {url for url, reqs in ids.items() if len(reqs) > 1}


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and bool(_HTTP_URL.match(value))
