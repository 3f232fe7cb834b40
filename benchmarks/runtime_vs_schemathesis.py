"""How much does cgconform's contract fuzzing cost over bare schemathesis?

Both generate the same number of examples per operation and mode from the same document,
with the same seed, against the reference API (fixtures/api) on 127.0.0.1:
- bare: schemathesis' own `case.call()` and `case.validate_response()`;
- cgconform: the same cases sent through cgconform's HTTP layer (budget, rate limit off,
  redaction, evidence with curl lines) and judged by its contract check.
Runs alternate; the medians and their ratio are printed. Not a test: run it by hand.

    python benchmarks/runtime_vs_schemathesis.py [--runs 5] [--examples 8]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def bare_setup(document: dict[str, Any], base_url: str) -> Any:
    import schemathesis

    schema = schemathesis.openapi.from_dict(document, config=schemathesis.Config.from_dict({}))
    schema.config.update(base_url=base_url)
    return schema


def bare(schema: Any, key: str, examples: int) -> int:
    from schemathesis import GenerationMode

    from cgconform.suites.api.runtime._fuzzing import _cases

    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() not in ("GET", "HEAD", "OPTIONS"):
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                cases = _cases(operation.as_strategy(generation_mode=mode), examples, 0)
            except Exception:  # no data for this operation and mode (as in cgconform)
                continue
            for case in cases:
                case.headers = {**(case.headers or {}), "X-Api-Key": key}  # as cgconform does
                response = case.call()
                with contextlib.suppress(Exception, BaseExceptionGroup):  # not measured
                    case.validate_response(response)
                sent += 1
    return sent


def ours_setup(base_url: str, spec: Path, key: str) -> Any:
    import os

    from cgconform.model.catalogue import select_profiles
    from cgconform.model.target import BudgetConfig, SecretRef, Target
    from cgconform.run.context import build_context
    from cgconform.suites.api.runtime._api import ApiUnderTest

    os.environ["CG_BENCH_KEY"] = key
    target = Target(
        base_url=base_url,
        spec=str(spec),
        auth_headers={"X-Api-Key": SecretRef("env:CG_BENCH_KEY")},
        budget=BudgetConfig(max_requests=None, rate_limit=None),
    )
    context = build_context(target, select_profiles(["adr-runtime"]))
    return ApiUnderTest(context=context, document=context.spec().data, base_url=base_url)


def ours(api: Any, examples: int) -> int:
    from cgconform.suites.api.runtime._contract import response_problems
    from cgconform.suites.api.runtime._fuzzing import fuzz

    run = fuzz(api, examples)
    for sent in run.of("positive"):
        response_problems(api, sent.exchange)
    return len(run.sent)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--examples", type=int, default=8)
    args = parser.parse_args()
    import json

    from cgconform.fixtures.api.server import serve

    times: dict[str, list[float]] = {"schemathesis": [], "cgconform": []}
    counts: dict[str, int] = {}
    with serve(None) as api:
        document = json.loads(api.spec_path.read_text(encoding="utf-8"))
        # One-time set-up (loading the document, the profile) is not what is compared.
        schema = bare_setup(document, api.base_url)
        under_test = ours_setup(api.base_url, api.spec_path, api.api_key)
        for run in range(args.runs + 1):  # the first round warms up and is not counted
            order = ("schemathesis", "cgconform") if run % 2 else ("cgconform", "schemathesis")
            for name in order:
                started = time.perf_counter()
                if name == "schemathesis":
                    counts[name] = bare(schema, api.api_key, args.examples)
                else:
                    counts[name] = ours(under_test, args.examples)
                if run:
                    times[name].append(time.perf_counter() - started)
    bare_s, ours_s = (statistics.median(times[n]) for n in ("schemathesis", "cgconform"))
    print(f"{args.runs} runs, {args.examples} examples per operation and mode, safe methods")
    print(f"  schemathesis  {bare_s:6.2f} s median  ({counts['schemathesis']} requests)")
    print(f"  cgconform     {ours_s:6.2f} s median  ({counts['cgconform']} requests)")
    print(
        f"  overhead      {100 * (ours_s / bare_s - 1):+.1f} %  (per request: "
        f"{1000 * ours_s / max(counts['cgconform'], 1):.1f} ms vs "
        f"{1000 * bare_s / max(counts['schemathesis'], 1):.1f} ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
