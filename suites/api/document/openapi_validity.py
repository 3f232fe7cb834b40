"""/core/doc-openapi: the API is documented in a valid OpenAPI 3.x document."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cgconform.openapi import SpecDocument
from cgconform.outcomes import Failure

from ._spec import location, require_document

OPENAPI_VERSION = re.compile(r"^3(\.\d+){1,2}$")
MAX_LISTED = 10


def _validator_errors(document: dict[str, Any], version: str) -> list[str]:
    """What openapi-spec-validator finds, as `pointer: message` lines."""
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    cls = OpenAPIV30SpecValidator if version.startswith("3.0") else OpenAPIV31SpecValidator
    problems: list[str] = []
    try:
        for error in cls(document).iter_errors():
            where = "/" + "/".join(str(p) for p in error.absolute_path)
            problems.append(f"{where}: {error.message}")
            if len(problems) >= MAX_LISTED:
                break
    except Exception as exc:  # a dangling or unreachable $ref stops the validator
        problems.append(f"$ref cannot be resolved: {type(exc).__name__}: {exc}")
    return problems


@pytest.mark.requirement("ADR", "/core/doc-openapi")
def document_is_valid_openapi_3(cg_spec: SpecDocument) -> None:
    cg_spec.raise_if_unavailable()
    if not cg_spec.ok:
        raise Failure(
            f"the OpenAPI document cannot be read: {cg_spec.error}", evidence=cg_spec.evidence
        )
    document = require_document(cg_spec)
    if "openapi" not in document:
        if "swagger" in document:
            raise Failure(
                f"this is a Swagger {document.get('swagger')} document; the API Design Rules "
                "require an OpenAPI Specification document from version 3 onwards",
                evidence=[location(cg_spec, "/swagger", document.get("swagger"))],
            )
        raise Failure(
            "the root of the document must contain the `openapi` field "
            '(the OpenAPI Specification version, e.g. "3.0.3")',
            evidence=[location(cg_spec, "")],
        )
    version = document["openapi"]
    if not isinstance(version, str) or not OPENAPI_VERSION.match(version):
        raise Failure(
            f"`openapi` is {version!r}; use an OpenAPI Specification version 3 document, "
            'versioned major.minor.patch (e.g. "3.0.3")',
            evidence=[location(cg_spec, "/openapi", version)],
        )
    problems = _validator_errors(document, version)
    servers = document.get("servers")
    if not isinstance(servers, list) or not servers:
        problems.append('/servers: "servers" must be present and a non-empty array')
    if problems:
        raise Failure(
            f"the document is not valid OpenAPI {version}:\n" + "\n".join(problems),
            evidence=[location(cg_spec, "")],
        )
