"""/core/doc-openapi-contact: contact information for publicly available APIs."""

from __future__ import annotations

from cgconform.model.outcomes import Failure
from cgconform.openapi.document import SpecDocument
from cgconform.run.marks import requirement
from cgconform.suites.api.document._spec import location, require_document

CONTACT_FIELDS = ("name", "email", "url")


@requirement("ADR", "/core/doc-openapi-contact")
def info_has_contact_with_name_email_url(cg_spec: SpecDocument) -> None:
    document = require_document(cg_spec)
    info = document.get("info")
    contact = info.get("contact") if isinstance(info, dict) else None
    if not isinstance(contact, dict) or not contact:
        raise Failure(
            "info has no `contact` object; a publicly available API documents how to reach "
            "its owners (name, email, url)",
            evidence=[location(cg_spec, "/info")],
        )
    missing = [f for f in CONTACT_FIELDS if not contact.get(f)]
    if missing:
        raise Failure(
            f"info.contact lacks {', '.join(missing)}; specify email, name and url",
            evidence=[location(cg_spec, "/info/contact", contact)],
        )
