"""publiccode.yml at the repository root: cgconform in the software catalogues of governments
(the publiccode.yml standard 0.4). Its shape is checked against a small schema of the keys the
standard makes mandatory, and its facts against the package."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

REPO = Path(__file__).resolve().parents[2]

# publiccode.yml 0.4 (docs/standard/categories-list.rst): the allowed categories.
_CATEGORY_LIST = """
accounting agile-project-management applicant-tracking application-development
appointment-scheduling backup billing-and-invoicing blog budgeting business-intelligence
business-process-management cad call-center-management cloud-management collaboration
communications compliance-management contact-management content-management crm
customer-service-and-support data-analytics data-collection data-visualization design
design-system digital-asset-management digital-citizenship document-management
donor-management e-commerce e-signature educational-content email-management email-marketing
employee-management enterprise-project-management enterprise-social-networking erp
event-management facility-management feedback-and-reviews-management financial-reporting
fleet-management fundraising gamification geographic-information-systems grant-management
graphic-design help-desk hr ide identity-management instant-messaging
integrated-library-system inventory-management it-asset-management it-development
it-management it-security it-service-management knowledge-management
learning-management-system marketing mind-mapping mobile-marketing mobile-payment
network-management office online-booking online-community payment-gateway payroll
predictive-analysis procurement productivity-suite project-collaboration project-management
property-management real-estate-management regulations-and-directives remote-support
resource-management sales-management seo service-desk social-media-management survey
talent-management task-management taxes-management test-management time-management
time-tracking translation video-conferencing video-editing visitor-management voip
warehouse-management web-collaboration web-conferencing website-builder whistleblowing
workflow-management
"""
CATEGORIES = _CATEGORY_LIST.split()

_TEXT = {"type": "string", "minLength": 1}
DESCRIPTION = {
    "type": "object",
    "required": ["shortDescription", "longDescription", "features"],
    "properties": {
        "genericName": {"type": "string", "maxLength": 35},
        "shortDescription": {"type": "string", "minLength": 1, "maxLength": 150},
        "longDescription": {"type": "string", "minLength": 150, "maxLength": 10000},
        "features": {"type": "array", "minItems": 1, "items": _TEXT},
    },
}
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": [
        "publiccodeYmlVersion",
        "name",
        "url",
        "platforms",
        "categories",
        "developmentStatus",
        "softwareType",
        "description",
        "legal",
        "maintenance",
        "localisation",
    ],
    "properties": {
        "publiccodeYmlVersion": {"const": "0.4"},
        "name": _TEXT,
        "url": {"type": "string", "pattern": "^https://"},
        "softwareVersion": _TEXT,
        "platforms": {"type": "array", "minItems": 1, "items": _TEXT},
        "categories": {"type": "array", "minItems": 1, "items": {"enum": CATEGORIES}},
        "developmentStatus": {"enum": ["concept", "development", "beta", "stable", "obsolete"]},
        "softwareType": {
            "enum": [
                "standalone/mobile",
                "standalone/iot",
                "standalone/desktop",
                "standalone/web",
                "standalone/backend",
                "standalone/other",
                "addon",
                "library",
                "configurationFiles",
            ]
        },
        "description": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": "^[a-z]{2,3}(-[A-Za-z0-9-]+)?$"},
            "additionalProperties": DESCRIPTION,
        },
        "legal": {"type": "object", "required": ["license"], "properties": {"license": _TEXT}},
        "maintenance": {
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": {"enum": ["internal", "contract", "community", "none"]},
                "contacts": {
                    "type": "array",
                    "items": {"type": "object", "required": ["name"]},
                },
            },
            "if": {"properties": {"type": {"enum": ["internal", "community"]}}},
            "then": {"required": ["contacts"], "properties": {"contacts": {"minItems": 1}}},
        },
        "localisation": {
            "type": "object",
            "required": ["localisationReady", "availableLanguages"],
            "properties": {
                "localisationReady": {"type": "boolean"},
                "availableLanguages": {"type": "array", "minItems": 1, "items": _TEXT},
            },
        },
    },
}


def _publiccode() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "publiccode.yml").read_text("utf-8"))
    return data


def _problems(data: dict[str, Any]) -> list[str]:
    return [error.message for error in Draft202012Validator(SCHEMA).iter_errors(data)]


def test_publiccode_yml_has_every_mandatory_key() -> None:
    assert _problems(_publiccode()) == []


def test_the_schema_itself_catches_a_missing_or_wrong_key() -> None:
    data = _publiccode()
    del data["legal"]
    data["description"]["nl"]["shortDescription"] = "x" * 151
    data["maintenance"]["contacts"] = []
    data["categories"] = ["conformance-testing"]
    problems = " | ".join(_problems(data))
    for expected in ("'legal' is a required property", "is too long", "should be non-empty",
                     "is not one of"):  # fmt: skip
        assert expected in problems, problems


def test_publiccode_agrees_with_the_package() -> None:
    from cgconform import __version__

    data = _publiccode()
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    assert data["name"] == project["name"]
    assert data["softwareVersion"] == __version__ == project["version"]
    assert data["legal"]["license"] == project["license"]
    assert set(data["description"]) == set(data["localisation"]["availableLanguages"])
    python = data["dependsOn"]["open"][0]
    assert python["name"] == "Python" and f">={python['versionMin']}" == project["requires-python"]
