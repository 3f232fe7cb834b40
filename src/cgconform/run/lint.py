"""`cgconform lint`: the document checks of a profile on many OpenAPI documents, fast.

No pytest session: the profile's check functions are called directly with the document
(see :mod:`cgconform.run.checks`), and each document gets its own canonical report, built and
graded exactly as `cgconform run` builds and grades it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from cgconform.model.catalogue import Profile, select_profiles
from cgconform.model.target import Target
from cgconform.run.assemble import CheckOutcome, RunInfo, add_positions, build_report, redact_report
from cgconform.run.checks import CheckFunction, discover
from cgconform.run.context import build_context

LINT_PROFILE = "adr-openapi"


def lint_one(
    location: str,
    profile: Profile,
    checks: Sequence[CheckFunction],
    *,
    command: str,
    statement: Mapping[str, Any] | None = None,
    offline: bool = False,
) -> dict[str, Any]:
    target = Target(name=location, spec=location, statement=dict(statement or {}))
    context = build_context(target, [profile])
    context.fetch_refs = not offline
    wanted = context.selection
    started = datetime.now(UTC)
    spec = context.spec()
    fixtures = {"cg_spec": spec, "cg_context": context}
    outcomes = []
    for check in checks:
        if not set(check.requirements) & wanted:
            continue
        began = time.perf_counter()
        verdict, message, evidence = check.call(fixtures)
        outcome = CheckOutcome(
            name=check.name,
            requirements=list(check.requirements),
            duration_s=time.perf_counter() - began,
        )
        outcome.add(verdict, message, evidence)
        outcomes.append(outcome)
    report = build_report(
        profiles=[profile],
        outcomes=outcomes,
        target={"name": location, "base_url": None, "spec": location, "statement": {}},
        statement=target.statement,
        run=RunInfo(
            command=command,
            started_at=started,
            finished_at=datetime.now(UTC),
            seed=None,
            budget=context.budget.as_dict(),
            options={"standard_version": profile.standard_version, "offline": offline},
        ),
    )
    if spec.ok:
        add_positions(report, spec)
    return redact_report(report, context.redactor)


def lint_paths(
    locations: Sequence[str],
    adr_version: str | None = None,
    *,
    profile_id: str = LINT_PROFILE,
    command: str = "cgconform lint",
    statement: Mapping[str, Any] | None = None,
    offline: bool = False,
    jobs: int | None = None,
) -> list[dict[str, Any]]:
    """One canonical report per document (file path or URL), in the order given. `offline`:
    documents that remote $refs point to are not fetched (their references stay unverified).
    `jobs`: how many documents are linted at once, each in a process of its own (default: one
    per CPU; 1 lints them one after the other in this process)."""
    versions = {"ADR": adr_version} if adr_version else None
    (profile,) = select_profiles([profile_id], versions=versions)
    checks = discover(profile.suites)
    work = partial(
        lint_one,
        profile=profile,
        checks=checks,
        command=command,
        statement=statement,
        offline=offline,
    )
    names = [str(loc) for loc in locations]
    workers = min(jobs or os.cpu_count() or 1, len(names))
    if workers < 2 or sys.platform != "linux":  # elsewhere a process starts from scratch
        return [work(name) for name in names]
    # Forked workers share what this process has loaded (profile, checks, imports), so a pool
    # costs a few milliseconds; the largest documents go first to keep every core busy.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    order = sorted(range(len(names)), key=lambda i: -_size(names[i]))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        done = dict(zip(order, pool.map(work, [names[i] for i in order]), strict=True))
    return [done[i] for i in range(len(names))]


def _size(location: str) -> int:
    try:
        return os.path.getsize(location)
    except OSError:
        return 0  # a URL, or a file that lint_one will report as missing
