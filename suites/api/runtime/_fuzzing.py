"""Contract fuzzing: schemathesis generates requests (valid and invalid) from the document;
they are sent through cgconform's own HTTP layer, so the budget, rate limit, credentials,
redaction and evidence (with curl reproducers) apply to every one of them.

Safe methods only, plus the operations the target allows to write. Run once per session and
shared by the checks that judge it. schemathesis and hypothesis are imported here only.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

from cgconform.http.budget import TargetStoppedAnswering
from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import BudgetExhausted, Outcome
from cgconform.openapi.schemathesis_bridge import as_schemathesis_response
from cgconform.suites.api.runtime._api import ApiUnderTest

SAFE = ("GET", "HEAD", "OPTIONS")
DEFAULT_EXAMPLES = 8  # per operation and mode: a 4-operation API stays well within a minute
# Headers schemathesis adds for itself; ours (User-Agent, credentials) go instead.
MAX_LISTED = 10  # operations named in a message; the rest are counted
_OWN_HEADERS = {"user-agent", "accept-encoding", "connection", "x-schemathesis-testcaseid"}


@dataclass
class Sent:
    mode: str  # "positive" or "negative"
    operation: str  # "GET /zaken/{uuid}": method and path template
    exchange: Exchange


@dataclass
class FuzzRun:
    sent: list[Sent] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # operations not sent, with why
    # Writes the target does not allow, by operation: how many generated requests were not
    # sent (0: the operation was not fuzzed at all, so nothing was generated for it).
    refused_writes: Counter[str] = field(default_factory=Counter)
    stopped: str | None = None  # why fuzzing stopped early (budget, target), if it did
    target_stopped: bool = False  # it stopped because the target stopped answering
    stateful_skipped: str | None = None  # why the stateful phase did not run, if it did not

    def stop(self, why: BudgetExhausted | TargetStoppedAnswering) -> None:
        self.stopped = why.message
        self.target_stopped = isinstance(why, TargetStoppedAnswering)

    def of(self, mode: str) -> list[Sent]:
        return [s for s in self.sent if s.mode == mode]

    def refuse_write(self, label: str, generated: int) -> None:
        self.refused_writes[label] += generated

    def writes_not_sent(self) -> str | None:
        """One line on the writes that were not sent, or None when there were none."""
        if not self.refused_writes:
            return None
        return (
            f"{len(self.refused_writes)} operation(s) not sent, writes the target does not "
            f"allow: {listed(self.refused_writes, 'generated')}; allow them with allow_writes"
        )


def listed(counts: Counter[str], unit: str = "") -> str:
    """`POST /a (12), DELETE /b (3), 4 more`: the most frequent first, a count of 0 left out."""
    ops = counts.most_common()
    parts = [f"{op} ({' '.join(filter(None, [str(n), unit]))})" if n else op for op, n in ops]
    if len(ops) > MAX_LISTED:
        parts[MAX_LISTED:] = [f"{len(ops) - MAX_LISTED} more"]
    return ", ".join(parts)


def _cases(strategy: Any, examples: int, seed: int) -> list[Any]:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fix_seed

    found: list[Any] = []

    @fix_seed(seed)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(strategy)
    def collect(case: Any) -> None:
        found.append(case)

    collect()
    return found


def _send(api: ApiUnderTest, case: Any) -> Exchange:
    kwargs = case.as_transport_kwargs(base_url=api.base_url)
    ours = _OWN_HEADERS | {h.lower() for h in api.context.target.secret_refs()}
    headers = {k: str(v) for k, v in (kwargs.get("headers") or {}).items() if k.lower() not in ours}
    return api.context.http.request(
        kwargs["method"],
        kwargs["url"],
        headers=headers,
        params=kwargs.get("params") or None,
        json=kwargs.get("json"),
        data=kwargs.get("data"),
    )


def _really_invalid(api: ApiUnderTest, case: Any, path: str, method: str) -> bool:
    """Whether a negative case breaks the document where the API has to judge it: the body,
    a path parameter, or a declared query parameter (not an unknown parameter, and not a
    header: credentials are ours)."""
    import jsonschema_rs
    from schemathesis import GenerationMode

    negative = {
        getattr(location, "value", str(location))
        for location, info in case.meta.components.items()
        if info.mode is GenerationMode.NEGATIVE
    }
    if negative & {"body", "path"}:
        return True
    if "query" not in negative:
        return False
    operation = api.operation(path, method)
    for param in operation.params_in("query") if operation else ():
        name = param.get("name")
        if name not in (case.query or {}):
            continue
        schema = api.resolve(param.get("schema") or {})
        value = _coerce(case.query[name], schema)
        try:
            if not jsonschema_rs.validator_for(schema).is_valid(value):
                return True
        except Exception:  # a schema jsonschema-rs cannot compile: cannot tell
            continue
    return False


def _coerce(value: Any, schema: Any) -> Any:
    """Query values travel as text: read them as the type the schema declares."""
    kind = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(value, str) and kind in ("integer", "number"):
        try:
            return int(value) if kind == "integer" else float(value)
        except ValueError:
            return value
    return value


def fuzz(api: ApiUnderTest, examples: int = DEFAULT_EXAMPLES) -> FuzzRun:
    """Generate and send requests for every operation the run may send."""
    import schemathesis
    from schemathesis import GenerationMode

    run = FuzzRun()
    remaining = api.context.budget.remaining
    # at most half of what is left: the checks after fuzzing still get their requests
    share = None if remaining is None else remaining // 2
    seed = api.context.seed if api.context.seed is not None else 0
    config = schemathesis.Config.from_dict({"seed": seed})
    schema = schemathesis.openapi.from_dict(copy.deepcopy(api.document), config=config)
    schema.config.update(base_url=api.base_url)
    for result in schema.get_all_operations():
        try:
            operation = cast(Any, result).ok()  # Err has no ok(): it raises
        except Exception as exc:  # an operation schemathesis cannot read
            run.skipped.append(f"an operation schemathesis could not read: {exc}")
            continue
        label = f"{operation.method.upper()} {operation.path}"
        if operation.method.upper() not in SAFE and not api.may_write(
            operation.method, operation.path
        ):
            run.refuse_write(label, 0)  # nothing generated for it
            continue
        if operation.method.upper() not in SAFE and "{" in operation.path:
            # generated ids (or the document's example ids) may name real resources: writes to
            # items are tested on resources the run created itself (the stateful phase follows
            # links from what it created; the other checks use their own test data)
            run.skipped.append(f"{label}: not fuzzed, a write to an item could change real data")
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                cases = _cases(operation.as_strategy(generation_mode=mode), examples, seed)
            except Exception as exc:  # schemathesis cannot generate for this operation
                run.skipped.append(f"{label} ({mode.value}): no data could be generated: {exc}")
                continue
            for case in cases:
                if share is not None and len(run.sent) >= share:
                    run.stopped = (
                        f"fuzzing's share of the request budget ({share} of {remaining} left) "
                        "is spent; the other checks get the rest"
                    )
                    return run
                if mode is GenerationMode.NEGATIVE and not _really_invalid(
                    api, case, operation.path, operation.method.lower()
                ):
                    continue
                try:
                    run.sent.append(Sent(mode.value, label, _send(api, case)))
                except (BudgetExhausted, TargetStoppedAnswering) as exc:
                    run.stop(exc)
                    return run
                except Outcome:
                    continue  # a request the network refused: the others still count
    return run


def stateful(api: ApiUnderTest, run: FuzzRun, scenarios: int = 6) -> str | None:
    """Sequences along the document's links (schemathesis' stateful phase), sent through our
    HTTP layer and added to `run` as mode "stateful". Returns why it did not run, if not."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, reject, settings

    seed = api.context.seed if api.context.seed is not None else 0
    # A copy: schemathesis adds the links it infers to the document it is given.
    schema = schemathesis.openapi.from_dict(
        copy.deepcopy(api.document), config=schemathesis.Config.from_dict({"seed": seed})
    )
    schema.config.update(base_url=api.base_url)
    if not schema.statistic.transitions.total:
        return "the document defines no links between operations to follow"
    try:
        base: Any = schema.as_state_machine()
    except Exception as exc:  # schemathesis cannot build sequences from these links
        return f"no sequences could be built from the document's links: {exc}"
    sent_before = len(run.sent)

    class Machine(base):  # type: ignore[misc]
        def call(self, case: Any, **kwargs: Any) -> Any:
            method, path = case.operation.method.upper(), case.operation.path
            if method not in SAFE and not api.may_write(method, path):
                run.refuse_write(f"{method} {path}", 1)
                reject()  # a write the target does not allow: this sequence is not sent
            try:
                exchange = _send(api, case)
            except (BudgetExhausted, TargetStoppedAnswering) as exc:
                run.stop(exc)
                reject()
            run.sent.append(Sent("stateful", f"{method} {path}", exchange))
            return as_schemathesis_response(exchange)

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            return None  # judged by cgconform's own checks, from `run`

    try:
        Machine.run(
            settings=settings(
                max_examples=scenarios,
                database=None,
                deadline=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.generate],
                stateful_step_count=4,
            )
        )
    except Exception as exc:  # hypothesis found nothing it could run (all writes rejected)
        if len(run.sent) == sent_before:
            return f"no sequence could be sent: {type(exc).__name__}"
    if len(run.sent) == sent_before:
        return "no sequence could be sent: every one needs a write the target does not allow"
    return None
