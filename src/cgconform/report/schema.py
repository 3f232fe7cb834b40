"""Validation of the canonical report.json (DESIGN.md §6).

:func:`validate_report` checks a report in two steps:

1. the JSON Schema ``cgconform/schemas/report.schema.json`` (shape, enums, formats);
2. when the shape is right, the rules a schema cannot express: results point at listed
   profiles, no requirement twice per profile, counts and verdicts add up the way
   :mod:`cgconform.model.verdicts` combines them, and no secret or BSN-shaped value is left in the
   evidence (DESIGN.md §6: "secrets are never written to any report").

Every problem comes back as one readable line, ``results[3].verdict: 'passed' is not one of
[...]``, so the CLI and the tests can show them as they are.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from cgconform.model.verdicts import (
    MANDATORY_LEVELS,
    RunVerdict,
    Verdict,
    for_level,
    profile_verdict,
    run_verdict,
    worst,
)

SCHEMA_PACKAGE = "cgconform.schemas"
SCHEMA_FILE = "report.schema.json"

_MAX_MESSAGE = 300
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Headers whose value is a credential; the HTTP layer must mask them before they reach a report.
SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "apikey",
        "x-auth-token",
        "fsc-authorization",
    }
)
# A masked value holds no long run of token characters once its placeholders are taken out:
# ``Bearer [redacted]``, ``***``, ``Bearer ${CG_TOKEN}`` (env reference),
# ``<contents of token.txt>`` (file reference).
_TOKEN_RUN = re.compile(r"[A-Za-z0-9+/_\-.=]{12,}")
_MASKS = re.compile(
    r"redacted|masked|\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*|<[^<>]*>|\[[^\[\]]*\]",
    re.IGNORECASE,
)
# In a reproducer: -H 'Authorization: Bearer ...' and -u user:password.
_HEADER_IN_CURL = re.compile(
    r"(?P<name>" + "|".join(re.escape(h) for h in sorted(SENSITIVE_HEADERS)) + r")\s*:\s*"
    r"(?P<value>[^'\"\r\n]*)",
    re.IGNORECASE,
)
_USER_IN_CURL = re.compile(r"(?:^|\s)(?:-u|--user)\s*['\"]?[^:'\"\s]*:(?P<value>[^'\"\s]*)")
_NINE_DIGITS = re.compile(r"(?<![0-9A-Za-z])[0-9]{9}(?![0-9A-Za-z])")


def load_schema() -> dict[str, Any]:
    """The report JSON Schema, as shipped inside the package."""
    return dict(_schema())


@cache
def _schema() -> Mapping[str, Any]:
    text = resources.files(SCHEMA_PACKAGE).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate_report(report: Mapping[str, Any], *, consistency: bool = True) -> list[str]:
    """Every problem in ``report``, one readable line each; an empty list means valid.

    With ``consistency`` (the default) a report that matches the schema is also checked for
    the rules across fields described in the module docstring.
    """
    errors = sorted(_validator().iter_errors(report), key=lambda e: _sort_key(e.absolute_path))
    problems: list[str] = []
    for error in errors:
        problem = f"{format_path(error.absolute_path)}: {_shorten(_message(error))}"
        if problem not in problems:
            problems.append(problem)
    if not problems and consistency:
        problems = list(_consistency_problems(report))
    return problems


def _message(error: ValidationError) -> str:
    """The error's message; a failed pattern that stands in for a format says so by name.

    The schema pairs ``format`` (checked only when jsonschema's optional format checkers are
    installed) with an equivalent ``pattern``, so both can fail for one value: they then read
    the same and are reported once.
    """
    schema = error.schema
    if error.validator == "pattern" and isinstance(schema, Mapping) and "format" in schema:
        return f"{error.instance!r} is not a {schema['format']!r}"
    return str(error.message)


def format_path(path: Sequence[str | int]) -> str:
    """``['results', 3, 'verdict']`` -> ``results[3].verdict``; the empty path is ``(root)``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out or "(root)"


def _sort_key(path: Sequence[str | int]) -> list[tuple[int, int, str]]:
    return [(0, p, "") if isinstance(p, int) else (1, 0, p) for p in path]


def _shorten(text: str) -> str:
    if len(text) <= _MAX_MESSAGE:
        return text
    return text[: _MAX_MESSAGE - 1] + "…"


# --- rules across fields -------------------------------------------------------------------


def _consistency_problems(report: Mapping[str, Any]) -> Iterator[str]:
    yield from _run_problems(report["run"])
    profiles: list[Mapping[str, Any]] = report["profiles"]
    results: list[Mapping[str, Any]] = report["results"]
    strict = bool(report["run"].get("strict", False))

    ids: dict[str, int] = {}
    for i, profile in enumerate(profiles):
        if profile["id"] in ids:
            yield f"profiles[{i}].id: {profile['id']!r} is listed twice"
        ids.setdefault(profile["id"], i)

    seen: dict[tuple[str, str], int] = {}
    by_profile: dict[str, list[Mapping[str, Any]]] = {pid: [] for pid in ids}
    for i, result in enumerate(results):
        key = (result["profile"], result["requirement"])
        if key in seen:
            yield (
                f"results[{i}]: requirement {key[1]!r} of profile {key[0]!r} is already "
                f"reported in results[{seen[key]}]"
            )
        seen.setdefault(key, i)
        if result["profile"] not in ids:
            yield f"results[{i}].profile: {result['profile']!r} is not in profiles[]"
        else:
            by_profile[result["profile"]].append(result)
        yield from _result_problems(f"results[{i}]", result)

    for pid, i in ids.items():
        yield from _profile_problems(f"profiles[{i}]", profiles[i], by_profile[pid], strict)

    if profiles:
        expected = run_verdict(RunVerdict(p["verdict"]) for p in profiles)
        actual = RunVerdict(report["verdict"])
        if run_verdict([expected, actual]) is not actual:
            yield (
                f"verdict: {actual.value!r} is better than the worst profile verdict "
                f"{expected.value!r}"
            )
    elif report["verdict"] != RunVerdict.ERROR:
        yield f"verdict: a run without profiles is 'error', not {report['verdict']!r}"


def _run_problems(run: Mapping[str, Any]) -> Iterator[str]:
    moments: dict[str, datetime] = {}
    for key in ("started_at", "finished_at"):
        try:  # the schema's pattern admits e.g. month 13 when no format checker is installed
            moments[key] = datetime.fromisoformat(run[key].upper())
        except ValueError:
            yield f"run.{key}: {run[key]!r} is not a 'date-time'"
    if len(moments) == 2 and moments["finished_at"] < moments["started_at"]:
        yield "run.finished_at: earlier than run.started_at"
    budget = run["budget"]
    if budget["max_requests"] is not None and budget["requests_sent"] > budget["max_requests"]:
        yield (
            f"run.budget.requests_sent: {budget['requests_sent']} exceeds max_requests "
            f"{budget['max_requests']}"
        )


def _result_problems(where: str, result: Mapping[str, Any]) -> Iterator[str]:
    verdict = Verdict.parse(result["verdict"])
    level: str = result["level"]
    if verdict is Verdict.FAIL and level not in MANDATORY_LEVELS:
        yield f"{where}.verdict: 'fail' on a {level} requirement must be reported as 'warning'"
    checks = result["checks"]
    if checks:
        expected = for_level(worst(Verdict.parse(c["verdict"]) for c in checks), level)
        if verdict is not expected:
            yield (
                f"{where}.verdict: {verdict.label!r} is not the worst of its checks "
                f"({expected.label!r})"
            )
    waiver = result.get("waiver")
    if waiver is not None and waiver["requirement"] != result["requirement"]:
        yield (
            f"{where}.waiver.requirement: {waiver['requirement']!r} does not match "
            f"{result['requirement']!r}"
        )
    yield from _privacy_problems(where, result)


def _profile_problems(
    where: str, profile: Mapping[str, Any], results: list[Mapping[str, Any]], strict: bool
) -> Iterator[str]:
    tally = Counter(r["verdict"] for r in results)
    counts = {k: v for k, v in profile["counts"].items() if v}
    if counts != dict(tally):
        yield f"{where}.counts: {counts} does not match its results {dict(sorted(tally.items()))}"
    expected = profile_verdict(
        ((Verdict.parse(r["verdict"]), r["level"], "waiver" in r) for r in results),
        strict=strict,
    )
    actual = RunVerdict(profile["verdict"])
    if run_verdict([expected, actual]) is not actual:  # worse is allowed: a suite error
        yield f"{where}.verdict: {actual.value!r} but its results make it {expected.value!r}"


def _privacy_problems(where: str, result: Mapping[str, Any]) -> Iterator[str]:
    """Unmasked credentials or BSN-shaped values left in a result's evidence."""
    for path, text in _texts(result):
        for number in _NINE_DIGITS.findall(text):
            if _is_bsn(number):
                yield f"{where}.{path}: contains an unmasked BSN-shaped value"
                break
    for i, item in enumerate(result["evidence"]):
        for part in ("request", "response"):
            headers = item.get(part, {}).get("headers", {})
            for name, value in headers.items():
                values = [value] if isinstance(value, str) else value
                if name.lower() in SENSITIVE_HEADERS and any(map(_unmasked, values)):
                    yield (
                        f"{where}.evidence[{i}].{part}.headers[{name!r}]: "
                        "secret header value is not redacted"
                    )
        curl = item.get("reproduce", "")
        if any(_unmasked(m.group("value")) for m in _HEADER_IN_CURL.finditer(curl)):
            yield f"{where}.evidence[{i}].reproduce: a secret header value is not redacted"
        if any(_password(m.group("value")) for m in _USER_IN_CURL.finditer(curl)):
            yield f"{where}.evidence[{i}].reproduce: a --user password is not redacted"


def _unmasked(value: str) -> bool:
    return bool(_TOKEN_RUN.search(_MASKS.sub("", value)))


def _password(value: str) -> bool:
    return bool(_MASKS.sub("", value).strip("*"))


def _texts(result: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for i, item in enumerate(result["evidence"]):
        for key, value in item.items():
            yield from _walk_strings(f"evidence[{i}].{key}", value)


def _walk_strings(path: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _walk_strings(f"{path}.{key}", inner)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _walk_strings(f"{path}[{i}]", inner)


def _is_bsn(digits: str) -> bool:
    """The BSN eleven test ("elfproef"): sum of digit * (9..2, -1) is a multiple of 11."""
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True))
    return total % 11 == 0 and digits != "000000000"
