"""The hops of the chain as the report's picture draws them: each check says, in an evidence
note, which hops it judged and how (`hop [fail] Burger → Gemeente Parkeerstad: applicatie |
why`). The picture (src/cgconform/report/html_chain.py) reads only these notes."""

from __future__ import annotations

from typing import Any

from cgconform.suites.chain.harness.settings import Organisation

CITIZEN = "Burger"
LOGIN = "Inlogdienst"


def part(org: Organisation, what: str) -> str:
    return f"{org.name}: {what}"


def application(org: Organisation) -> str:
    return part(org, "applicatie")


def source(org: Organisation) -> str:
    return part(org, "bron")


def logboek(org: Organisation) -> str:
    return part(org, "Logboek")


def note(verdict: str, start: str, end: str, why: str = "") -> dict[str, Any]:
    return {"note": f"hop [{verdict}] {start} → {end}" + (f" | {why}" if why else "")}
