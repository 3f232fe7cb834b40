"""The words of the HTML page in each of its languages (nl, en)."""

from __future__ import annotations

LANGUAGES = ("nl", "en")

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "coverage_heading": "Coverage of the texts",
        "coverage_intro": (
            "Per section of a text whose every normative sentence is catalogued (FSC Core, FSC "
            "Logging): how many of its requirements this run decided, how, and with what result. "
            "`cgconform profiles PROFILE` lists the sentences no check decides, and why."
        ),
        "coverage_section": "Section",
        "coverage_checks": "Decided here",
        "coverage_automatic": "automatic",
        "coverage_semi": "semi-automatic",
        "coverage_results": "pass / warning / fail / other",
        "coverage_total": "Total",
        "document_title": "Conformance report",
        "brand": "cgconform conformance report",
        "run_verdict": "Run verdict",
        "unknown_verdict": "unknown verdict",
        "explain.conformant": "Every mandatory requirement passed or is waived.",
        "explain.not_conformant": "At least one mandatory requirement failed.",
        "explain.inconclusive": (
            "No mandatory requirement failed, but not every one could be decided."
        ),
        "explain.error": (
            "The test suite or its configuration failed: this run is invalid and says "
            "nothing about the target."
        ),
        "requirements_total": "requirements",
        "strict": "Strict mode (certification): results that need review block conformance.",
        "interrupted": (
            "This run was interrupted ({signal}) at {at}: a partial report, the requirements "
            "not yet checked are not tested."
        ),
        "deadline_passed": (
            "The run deadline of {seconds} s passed at {at}: a partial report, the requirements "
            "not yet checked are not tested."
        ),
        "run": "Run",
        "target": "Target",
        "base_url": "Base URL",
        "spec": "Specification",
        "tool": "Tool",
        "date": "Date",
        "duration": "Duration",
        "run_id": "Run id",
        "seed": "Seed",
        "requests": "Requests sent / budget",
        "refused": "refused by the budget",
        "command": "Command",
        "statement": "Conformance statement of the target",
        "none": "none",
        "unlimited": "unlimited",
        "profiles": "Profiles",
        "profile": "Profile",
        "standard": "Standard",
        "verdict": "Verdict",
        "results": "Results",
        "requirements": "Requirements",
        "requirements_caption": "Requirements of profile {profile}, the worst verdicts first",
        "requirement": "Requirement",
        "level": "Level",
        "title": "Title",
        "message": "Message",
        "details": "Details",
        "reason": "Reason",
        "automation": "Automation",
        "waiver": "Waiver",
        "waived": "waived",
        "waiver_note": (
            "Waived: this result does not block conformance; its verdict is shown unchanged."
        ),
        "owner": "Owner",
        "expires": "Expires",
        "checks": "Checks",
        "check": "Check",
        "evidence": "Evidence",
        "request": "Request",
        "response": "Response",
        "reproduce": "Reproduce with curl",
        "error": "Error",
        "document": "Document location",
        "pointer": "JSON pointer",
        "value": "Value",
        "note": "Note",
        "shortened": "shortened: {n} more characters in report.json",
        "more_items": "{n} more in report.json",
        "no_results": "This profile has no results.",
        "footer": (
            "Rendered from report.json by {tool} {version}. report.json is the authoritative "
            "record; long values are shortened on this page, and control characters are shown "
            "as escapes such as \\u202e."
        ),
    },
    "nl": {
        "coverage_heading": "Dekking van de teksten",
        "coverage_intro": (
            "Per sectie van een tekst waarvan elke normatieve zin is gecatalogiseerd (FSC Core, "
            "FSC Logging): hoeveel eisen deze run besliste, hoe, en met welk resultaat. "
            "`cgconform profiles PROFIEL` noemt de zinnen die geen controle beslist, en waarom."
        ),
        "coverage_section": "Sectie",
        "coverage_checks": "Hier beslist",
        "coverage_automatic": "automatisch",
        "coverage_semi": "half-automatisch",
        "coverage_results": "geslaagd / waarschuwing / gefaald / overig",
        "coverage_total": "Totaal",
        "document_title": "Conformiteitsrapport",
        "brand": "cgconform conformiteitsrapport",
        "run_verdict": "Eindoordeel",
        "unknown_verdict": "onbekend oordeel",
        "explain.conformant": "Alle verplichte eisen voldoen of hebben een ontheffing.",
        "explain.not_conformant": "Minstens één verplichte eis voldoet niet.",
        "explain.inconclusive": (
            "Geen verplichte eis voldoet niet, maar niet over elke eis kon worden beslist."
        ),
        "explain.error": (
            "De testsuite of haar configuratie faalde: deze run is ongeldig en zegt niets "
            "over het geteste systeem."
        ),
        "requirements_total": "eisen",
        "strict": (
            "Strikte modus (certificering): resultaten die beoordeling nodig hebben "
            "blokkeren conformiteit."
        ),
        "interrupted": (
            "Deze run is onderbroken ({signal}) op {at}: een gedeeltelijk rapport, de eisen "
            "die nog niet gecontroleerd waren, zijn niet getest."
        ),
        "deadline_passed": (
            "De tijdslimiet van de run ({seconds} s) verstreek op {at}: een gedeeltelijk "
            "rapport, de eisen die nog niet gecontroleerd waren, zijn niet getest."
        ),
        "run": "Run",
        "target": "Getest systeem",
        "base_url": "Basis-URL",
        "spec": "Specificatie",
        "tool": "Tool",
        "date": "Datum",
        "duration": "Duur",
        "run_id": "Run-id",
        "seed": "Seed",
        "requests": "Verzonden verzoeken / budget",
        "refused": "geweigerd door het budget",
        "command": "Commando",
        "statement": "Conformiteitsverklaring van het geteste systeem",
        "none": "geen",
        "unlimited": "onbeperkt",
        "profiles": "Profielen",
        "profile": "Profiel",
        "standard": "Standaard",
        "verdict": "Oordeel",
        "results": "Resultaten",
        "requirements": "Eisen",
        "requirements_caption": "Eisen van profiel {profile}, de slechtste oordelen eerst",
        "requirement": "Eis",
        "level": "Niveau",
        "title": "Titel",
        "message": "Melding",
        "details": "Details",
        "reason": "Reden",
        "automation": "Automatisering",
        "waiver": "Ontheffing",
        "waived": "ontheffing",
        "waiver_note": (
            "Ontheffing: dit resultaat blokkeert de conformiteit niet; het oordeel staat er "
            "ongewijzigd."
        ),
        "owner": "Eigenaar",
        "expires": "Verloopt",
        "checks": "Controles",
        "check": "Controle",
        "evidence": "Bewijs",
        "request": "Verzoek",
        "response": "Antwoord",
        "reproduce": "Reproduceren met curl",
        "error": "Fout",
        "document": "Plaats in het document",
        "pointer": "JSON-pointer",
        "value": "Waarde",
        "note": "Toelichting",
        "shortened": "ingekort: nog {n} tekens in report.json",
        "more_items": "nog {n} in report.json",
        "no_results": "Dit profiel heeft geen resultaten.",
        "footer": (
            "Gemaakt uit report.json door {tool} {version}. report.json is het gezaghebbende "
            "verslag; lange waarden zijn op deze pagina ingekort en stuurtekens staan er als "
            "escape, zoals \\u202e."
        ),
    },
}

VERDICT_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "pass": "pass",
        "fail": "fail",
        "warning": "warning",
        "inconclusive": "inconclusive",
        "not_applicable": "not applicable",
        "not_tested": "not tested",
        "needs_review": "needs review",
        "error": "error",
    },
    "nl": {
        "pass": "voldoet",
        "fail": "voldoet niet",
        "warning": "waarschuwing",
        "inconclusive": "onbeslist",
        "not_applicable": "niet van toepassing",
        "not_tested": "niet getest",
        "needs_review": "beoordeling nodig",
        "error": "fout",
    },
}

RUN_VERDICT_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "conformant": "Conformant",
        "not_conformant": "Not conformant",
        "inconclusive": "Inconclusive",
        "error": "Error (run invalid)",
    },
    "nl": {
        "conformant": "Conform",
        "not_conformant": "Niet conform",
        "inconclusive": "Onbeslist",
        "error": "Fout (run ongeldig)",
    },
}

PLURALS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "checks": ("{n} check", "{n} checks"),
        "evidence": ("{n} evidence item", "{n} evidence items"),
        "pending_review": (
            "{n} result awaits review by a person",
            "{n} results await review by a person",
        ),
        "waived": ("{n} result is waived", "{n} results are waived"),
    },
    "nl": {
        "checks": ("{n} controle", "{n} controles"),
        "evidence": ("{n} bewijsstuk", "{n} bewijsstukken"),
        "pending_review": (
            "{n} resultaat wacht op beoordeling door een persoon",
            "{n} resultaten wachten op beoordeling door een persoon",
        ),
        "waived": ("{n} resultaat heeft een ontheffing", "{n} resultaten hebben een ontheffing"),
    },
}


def plural(lang: str, key: str, n: int) -> str:
    """The phrase `key` for `n` things in `lang`, singular or plural."""
    one, many = PLURALS[lang][key]
    return (one if n == 1 else many).format(n=n)
