"""/core/doc-openapi: the API is documented in a valid OpenAPI 3.x document."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, Inconclusive
from cgconform.openapi.document import SpecDocument
from cgconform.openapi.validation import validate_openapi
from cgconform.run.marks import requirement
from cgconform.suites.api.document._spec import finding

MAX_LISTED = 25


@requirement("ADR", "/core/doc-openapi")
def document_is_valid_openapi_3(cg_spec: SpecDocument) -> None:
    cg_spec.raise_if_unavailable()
    if not cg_spec.ok:
        raise Failure(
            f"the OpenAPI document cannot be read: {cg_spec.error}", evidence=cg_spec.evidence
        )
    problems = validate_openapi(cg_spec)
    certain = [p for p in problems if p.certain]
    evidence = [
        {
            **finding(cg_spec, p.pointer, p.message),
            **({"document": {"source": p.source, "pointer": p.pointer}} if p.source else {}),
        }
        for p in problems
    ]
    listed = "\n".join(f"- {p.message}" for p in problems[:MAX_LISTED])
    more = f"\n… and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
    if certain:
        raise Failure(
            f"the document is not valid OpenAPI ({len(problems)} problem(s)), e.g. "
            f"{certain[0].message}\n{listed}{more}",
            evidence=evidence,
        )
    if problems:
        raise Inconclusive(
            f"the document references {len(problems)} remote document(s) that were not "
            f"fetched, so not all $refs could be checked\n{listed}{more}",
            evidence=evidence,
        )
