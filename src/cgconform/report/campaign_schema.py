"""Validation of campaign.json: its JSON Schema (``cgconform/schemas/campaign.schema.json``)
and the rules a schema cannot express (the summary counts its targets, the campaign verdict is
the worst target verdict, a requirement failed "most often" is failed by exactly the targets
it lists, ids unique, targets in the campaign's order). Every problem is one readable line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from cgconform.model.verdicts import RunVerdict, run_verdict
from cgconform.report.schema import SCHEMA_PACKAGE, format_path

CAMPAIGN_SCHEMA_FILE = "campaign.schema.json"


def load_campaign_schema() -> dict[str, Any]:
    return dict(_schema())


@cache
def _schema() -> Mapping[str, Any]:
    text = resources.files(SCHEMA_PACKAGE).joinpath(CAMPAIGN_SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate_campaign(campaign: Mapping[str, Any]) -> list[str]:
    """Every problem in a campaign.json mapping; an empty list means valid."""
    problems = []
    for error in sorted(_validator().iter_errors(campaign), key=lambda e: list(map(str, e.path))):
        problem = f"{format_path(error.absolute_path)}: {error.message}"
        if problem not in problems:
            problems.append(problem)
    if not problems:
        problems = list(_consistency(campaign))
    return problems


def _consistency(campaign: Mapping[str, Any]) -> Iterator[str]:
    targets = campaign["targets"]
    indexes = [t["index"] for t in targets]
    if indexes != sorted(indexes) or len(set(indexes)) != len(indexes):
        yield "targets: not in the campaign's order (index), or an index twice"
    ids = [t["id"] for t in targets]
    if len(set(ids)) != len(ids):
        yield "targets: an id is used twice"
    summary = campaign["summary"]
    if summary["targets"] != len(targets):
        yield f"summary.targets: {summary['targets']} but there are {len(targets)} targets"
    for kind in RunVerdict:
        found = sum(t["verdict"] == kind.value for t in targets)
        if summary[kind.value] != found:
            yield f"summary.{kind.value}: {summary[kind.value]} but {found} targets are"
    expected = run_verdict(RunVerdict(t["verdict"]) for t in targets) if targets else None
    if expected is not None and campaign["verdict"] != expected.value:
        yield f"verdict: {campaign['verdict']!r} is not the worst target verdict {expected.value!r}"
    columns = [c["id"] for c in campaign["profiles"]]
    for i, target in enumerate(targets):
        for cell in target["profiles"]:
            if cell["id"] not in columns:
                yield f"targets[{i}].profiles: {cell['id']!r} is not a column (profiles[])"
    for key, verdict in (("most_failed", "fail"), ("most_warned", "warning")):
        for i, item in enumerate(campaign[key]):
            having = [
                t["id"]
                for t in targets
                if any(
                    f["verdict"] == verdict
                    and (f["profile"], f["requirement"]) == (item["profile"], item["requirement"])
                    for f in t["findings"]
                )
            ]
            if sorted(having) != sorted(item["targets"]) or item["count"] != len(having):
                yield f"{key}[{i}]: its targets are not those with a {verdict} of it"
