"""FSC Core "Contract Validation" and the validation rules per Grant type: Peer A (or its
Delegator, Peer B) submits a Contract to the SUT's Manager that breaks one rule, and the
Manager must refuse it. The texts give no status or code for most of these rules (docs/
fsc-notes.md N20): any 4xx passes, a 2xx (accepted) or 5xx fails."""

from __future__ import annotations

import secrets
from typing import Any

from cgconform.run.marks import requirement
from cgconform.suites.fsc.core._build import (
    CORE,
    DAY,
    now,
    published,
    raw_signature,
    submitted,
    unique_name,
)
from cgconform.suites.fsc.harness.codes import expect_refused
from cgconform.suites.fsc.harness.peers import Harness, to_sut

VALIDATE = "FSC Core: the Manager MUST validate Contracts using the rules of Contract Validation"


def _submit_broken(
    fsc: Harness, content: dict[str, Any], by: str, what: str, rule: str, *, raw: bool = False
) -> None:
    signature = raw_signature(fsc, content, by) if raw else None
    exchange = fsc.submit(content, by, signature=signature)
    expect_refused(exchange, what, f'{VALIDATE}: "{rule}"')


# -- Contract Validation -------------------------------------------------------------------------


@requirement(CORE, "FSC-Core/contracts/validation/iv-uuid")
def iv_is_a_uuid(fsc: Harness) -> None:
    content = fsc.new_content([to_sut(fsc)])
    content["iv"] = ("cgconform-not-a-uuid-" + secrets.token_hex(8))[:36]
    _submit_broken(
        fsc,
        content,
        "peer-a",
        f"A Contract with iv {content['iv']!r}",
        "A UUID MUST be provided in the field contract.iv.",
    )


@requirement(CORE, "FSC-Core/contracts/validation/iv-unique")
def iv_is_unique(fsc: Harness) -> None:
    first = fsc.new_content([to_sut(fsc)])
    submitted(fsc, first, "peer-a", "a Contract with a fresh iv")
    second = fsc.new_content([to_sut(fsc, properties={"cgconform": "another Contract"})])
    second["iv"] = first["iv"]
    _submit_broken(
        fsc,
        second,
        "peer-a",
        f"A second, different Contract with the iv {first['iv']} of a Contract the SUT already "
        "holds",
        "The value must be unique. Each Peer is responsible for ensuring that only one Contract "
        "can exist with a given iv.",
    )


@requirement(CORE, "FSC-Core/contracts/validation/hash-algorithm")
def hash_algorithm_is_provided(fsc: Harness) -> None:
    content = fsc.new_content([to_sut(fsc)])
    del content["hash_algorithm"]
    _submit_broken(
        fsc,
        content,
        "peer-a",
        "A Contract without hash_algorithm",
        "A hash algorithm is provided in the field contract.content.hash_algorithm.",
        raw=True,
    )


@requirement(CORE, "FSC-Core/contracts/validation/created-at")
def created_at_not_in_the_future(fsc: Harness) -> None:
    moment = now()
    content = fsc.new_content(
        [to_sut(fsc)], created_at=moment + 3600, not_before=moment - 60, not_after=moment + 30 * DAY
    )
    _submit_broken(
        fsc,
        content,
        "peer-a",
        f"A Contract with created_at {content['created_at']} (one hour from now; docs/fsc-notes.md "
        "N13: far from the edge)",
        "The date provided in contract.content.created_at can not be in the future.",
    )


def _bad_date(fsc: Harness, field: str) -> None:
    content = fsc.new_content([to_sut(fsc)])
    content["validity"][field] = "not-a-date"
    _submit_broken(
        fsc,
        content,
        "peer-a",
        f"A Contract with validity.{field} 'not-a-date'",
        f"A valid date is provided in contract.content.validity.{field}.",
    )


@requirement(CORE, "FSC-Core/contracts/validation/not-before")
def not_before_is_a_date(fsc: Harness) -> None:
    _bad_date(fsc, "not_before")


@requirement(CORE, "FSC-Core/contracts/validation/not-after")
def not_after_is_a_date(fsc: Harness) -> None:
    _bad_date(fsc, "not_after")


@requirement(CORE, "FSC-Core/contracts/validation/validity-window")
def not_after_after_not_before(fsc: Harness) -> None:
    moment = now()
    content = fsc.new_content(
        [to_sut(fsc)], created_at=moment - 60, not_before=moment + 2 * DAY, not_after=moment + DAY
    )
    _submit_broken(
        fsc,
        content,
        "peer-a",
        f"A Contract valid from {content['validity']['not_before']} until "
        f"{content['validity']['not_after']} (not_after one day before not_before)",
        "The date provided in contract.content.validity.not_after must be greater than the date "
        "provided in the field contract.validity.not_before.",
    )


@requirement(CORE, "FSC-Core/contracts/validation/not-after-future")
def not_after_in_the_future(fsc: Harness) -> None:
    moment = now()
    content = fsc.new_content(
        [to_sut(fsc)],
        created_at=moment - 20 * DAY,
        not_before=moment - 20 * DAY,
        not_after=moment - DAY,
    )
    _submit_broken(
        fsc,
        content,
        "peer-a",
        f"A Contract that expired yesterday (not_after {content['validity']['not_after']})",
        "The date provided in contract.content.validity.not_after must be in the future.",
    )


@requirement(CORE, "FSC-Core/contracts/validation/grants")
def at_least_one_grant(fsc: Harness) -> None:
    content = fsc.new_content([])
    _submit_broken(
        fsc,
        content,
        "peer-a",
        "A Contract with no Grants",
        "At least one Grant is set in the field contract.content.grants.",
    )


# -- ServicePublicationGrant and DelegatedServicePublicationGrant --------------------------------


@requirement(CORE, "FSC-Core/contracts/service-publication-grant/directory")
def publication_names_this_directory(fsc: Harness) -> None:
    grant = published(fsc, directory_peer=fsc.b.peer_id)
    _submit_broken(
        fsc,
        fsc.new_content([grant]),
        "peer-a",
        f"A ServicePublicationGrant for the Directory of Peer B ({fsc.b.peer_id}), submitted to "
        "the SUT",
        "The Peer ID provided by the X.509 certificate used by the Manager of the Directory Peer "
        "matches the value of the field grant.data.directory.peer_id",
    )


@requirement(CORE, "FSC-Core/contracts/service-publication-grant/service-name")
def publication_service_name(fsc: Harness) -> None:
    name = "cgconform bad name!"
    _submit_broken(
        fsc,
        fsc.new_content([published(fsc, name)]),
        "peer-a",
        f"A ServicePublicationGrant for the Service {name!r}",
        "A Service name which matches the regular expression ^[a-zA-Z0-9-._]{1,100}$ is "
        "provided in the field grant.data.service.name",
    )


def _with_properties(grant: dict[str, Any], value: Any) -> dict[str, Any]:
    grant["data"]["properties"] = value
    return grant


@requirement(CORE, "FSC-Core/contracts/service-publication-grant/properties")
def publication_properties_object(fsc: Harness) -> None:
    grant = _with_properties(published(fsc), ["cgconform", "a list"])
    _submit_broken(
        fsc,
        fsc.new_content([grant]),
        "peer-a",
        "A ServicePublicationGrant whose properties is a JSON array",
        "If grant.data.properties is provided, it MUST be a valid JSON Object",
    )


@requirement(CORE, "FSC-Core/contracts/delegated-service-publication-grant/directory")
def delegated_publication_names_this_directory(fsc: Harness) -> None:
    grant = published(fsc, directory_peer=fsc.c.peer_id, delegator=fsc.b.peer_id)
    _submit_broken(
        fsc,
        fsc.new_content([grant]),
        "peer-b",
        f"A DelegatedServicePublicationGrant for the Directory of Peer C ({fsc.c.peer_id}), "
        "submitted to the SUT by its Delegator",
        "The Peer ID provided by the X.509 certificate used by the Manager of the Directory Peer "
        "matches the value of the field grant.data.directory.peer_id",
    )


@requirement(CORE, "FSC-Core/contracts/delegated-service-publication-grant/service-rules")
def delegated_publication_service_name(fsc: Harness) -> None:
    name = "cgconform/bad name"
    grant = published(fsc, name, delegator=fsc.b.peer_id)
    _submit_broken(
        fsc,
        fsc.new_content([grant]),
        "peer-b",
        f"A DelegatedServicePublicationGrant for the Service {name!r}",
        "The validation rules of the field Service of the ServicePublicationGrant described in "
        "Core must be applied to the field grant.data.service of the "
        "DelegatedServicePublicationGrant (name ^[a-zA-Z0-9-._]{1,100}$)",
    )


@requirement(CORE, "FSC-Core/contracts/delegated-service-publication-grant/properties")
def delegated_publication_properties_object(fsc: Harness) -> None:
    grant = _with_properties(published(fsc, delegator=fsc.b.peer_id), "a string")
    _submit_broken(
        fsc,
        fsc.new_content([grant]),
        "peer-b",
        "A DelegatedServicePublicationGrant whose properties is a JSON string",
        "If grant.data.properties is provided, it MUST be a valid JSON Object",
    )


# -- ServiceConnectionGrant and DelegatedServiceConnectionGrant ----------------------------------


@requirement(CORE, "FSC-Core/contracts/service-connection-grant/service-offered")
def connection_service_is_offered(fsc: Harness) -> None:
    grant = to_sut(fsc)
    grant["data"]["service"]["name"] = unique_name("cgconform-no-such-service")
    name = grant["data"]["service"]["name"]
    _submit_broken(
        fsc,
        fsc.new_content([grant]),
        "peer-a",
        f"A ServiceConnectionGrant for the Service {name!r}, which the SUT does not offer",
        "The Service provided in the field grant.data.service.name is offered by the Peer "
        "provided in the field grant.data.service.peer_id",
    )


@requirement(CORE, "FSC-Core/contracts/service-connection-grant/public-key-thumbprint")
def connection_thumbprint_is_provided(fsc: Harness) -> None:
    grant = to_sut(fsc)
    del grant["data"]["outway"]["public_key_thumbprint"]
    _submit_broken(
        fsc,
        fsc.new_content([grant]),
        "peer-a",
        "A ServiceConnectionGrant without outway.public_key_thumbprint",
        "A Public key fingerprint also called thumbprint is provided in the field "
        "grant.data.outway.public_key_thumbprint",
    )


@requirement(CORE, "FSC-Core/contracts/service-connection-grant/properties")
def connection_properties_object(fsc: Harness) -> None:
    grant = _with_properties(to_sut(fsc), [1, 2, 3])
    _submit_broken(
        fsc,
        fsc.new_content([grant]),
        "peer-a",
        "A ServiceConnectionGrant whose properties is a JSON array",
        "If grant.data.properties is provided, it MUST be a valid JSON Object",
    )


@requirement(CORE, "FSC-Core/contracts/delegated-service-connection-grant/outway-and-service-rules")
def delegated_connection_thumbprint_is_provided(fsc: Harness) -> None:
    grant = to_sut(fsc, delegator=fsc.b.peer_id)
    del grant["data"]["outway"]["public_key_thumbprint"]
    _submit_broken(
        fsc,
        fsc.new_content([grant]),
        "peer-b",
        "A DelegatedServiceConnectionGrant without outway.public_key_thumbprint, submitted by its "
        "Delegator",
        "The validation rules of the fields Outway and Service of the ServiceConnectionGrant "
        "described in Core must be applied (a public key thumbprint is provided)",
    )


@requirement(CORE, "FSC-Core/contracts/delegated-service-connection-grant/properties")
def delegated_connection_properties_object(fsc: Harness) -> None:
    grant = _with_properties(to_sut(fsc, delegator=fsc.b.peer_id), "a string")
    _submit_broken(
        fsc,
        fsc.new_content([grant]),
        "peer-b",
        "A DelegatedServiceConnectionGrant whose properties is a JSON string",
        "If grant.data.properties is provided, it MUST be a valid JSON Object",
    )
