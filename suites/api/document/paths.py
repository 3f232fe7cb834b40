"""Path rules: /core/no-trailing-slash and /core/path-segments-kebab-case."""

from __future__ import annotations

import re

from cgconform.openapi.document import SpecDocument
from cgconform.run.marks import requirement
from cgconform.suites.api.document._spec import iter_path_keys, raise_findings, require_document

TRAILING_SLASH = re.compile(r".+/\Z")
# The rule's own regular expression ("How to test" of /core/path-segments-kebab-case).
KEBAB_PATH = re.compile(
    r"^(\/|(\/_[a-z0-9]+|\/(([a-z0-9\-]+|{[^}]+})(\/([a-z0-9\-\.]+|{[^}]+}))*)(\/_[a-z]+)?)\/?)\Z"
)
# The official linter leaves out the paths of the OpenAPI document itself.
OPENAPI_DOCUMENT_PATH = re.compile(r"\/openapi\.(json)|(yaml)")


@requirement("ADR", "/core/no-trailing-slash")
def paths_have_no_trailing_slash(cg_spec: SpecDocument) -> None:
    document = require_document(cg_spec)
    findings = [
        (ptr, f"path {path} ends with a slash")
        for ptr, path in iter_path_keys(document)
        if TRAILING_SLASH.match(path)
    ]
    raise_findings(cg_spec, findings, "resource paths MUST NOT end with a slash")


@requirement("ADR", "/core/path-segments-kebab-case")
def path_segments_are_kebab_case(cg_spec: SpecDocument) -> None:
    document = require_document(cg_spec)
    findings = [
        (ptr, f"path {path} is not kebab-case (lowercase letters, digits, hyphens)")
        for ptr, path in iter_path_keys(document)
        if not OPENAPI_DOCUMENT_PATH.search(path) and not KEBAB_PATH.match(path)
    ]
    raise_findings(cg_spec, findings, "path segments MUST be kebab-case")
