"""`run --record cassette.yaml` and `cgconform replay cassette.yaml`: what a run puts into a
cassette besides its exchanges, and the target a replay rebuilds from it.

The cassette's ``run`` key holds the seed, the profiles and the target as target.toml would
give it, without what cannot be replayed or must not be written: credentials appear by
reference only (``env:NAME``), TLS files and the deadline are left out. A replay re-judges the
recorded answers with this suite version; the format itself is in
:mod:`cgconform.http.cassette`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cgconform.http.cassette import Cassette, CassetteError, CassetteWriter, Player
from cgconform.model.catalogue import Profile
from cgconform.model.target import ConfigError, Target, parse_target
from cgconform.run.context import RunContext

# A profile whose checks play live parties (mock servers the target calls back) needs them.
LIVE_PARTIES = "mock_servers"


def target_table(target: Target) -> dict[str, Any]:
    """The target as a target.toml table, credentials by reference, no TLS files."""
    table: dict[str, Any] = {"name": target.name}
    if target.base_url:
        table["base_url"] = target.base_url
    if target.urls:
        table["urls"] = dict(target.urls)
    if target.spec:
        table["spec"] = target.spec
    if target.headers:
        table["headers"] = dict(target.headers)
    auth: dict[str, Any] = {}
    if target.auth_headers:
        auth["headers"] = {name: ref.ref for name, ref in target.auth_headers.items()}
    if target.bearer is not None:
        auth["bearer"] = target.bearer.ref
    if auth:
        table["auth"] = auth
    budget = target.budget
    table["budget"] = {
        "timeout": budget.timeout_s,
        "max_response_bytes": budget.max_response_bytes,
        **({"max_requests": budget.max_requests} if budget.max_requests is not None else {}),
    }
    if target.statement:
        table["statement"] = dict(target.statement)
    if target.allow_writes:
        table["allow_writes"] = list(target.allow_writes)
    return table


def open_recording(
    path: Path, *, target: Target, profiles: Sequence[Profile], seed: int | None, command: str
) -> CassetteWriter:
    """A cassette for this run's exchanges; a ConfigError when it cannot be written."""
    run = {
        "command": command,
        "seed": seed,
        "profiles": [profile.id for profile in profiles],
        "target": target_table(target),
    }
    try:
        return CassetteWriter(path, run)
    except CassetteError as exc:
        raise ConfigError(str(exc)) from None


def load_cassette(path: Path) -> Cassette:
    try:
        return Cassette.load(path)
    except CassetteError as exc:
        raise ConfigError(str(exc)) from None


def replay_target(cassette: Cassette) -> Target:
    """The target the cassette was recorded against, for a replay (no rate limit)."""
    table = cassette.run.get("target")
    if not isinstance(table, dict):
        raise ConfigError(f"{cassette.path}: the cassette does not say which target it recorded")
    table = {**table, "budget": {**table.get("budget", {}), "rate_limit": 0}}
    try:
        return parse_target(table)
    except ConfigError as exc:
        raise ConfigError(f"{cassette.path}: {exc}") from None


def recorded_seed(cassette: Cassette) -> int | None:
    seed = cassette.run.get("seed")
    return seed if isinstance(seed, int) else None


def check_replayable(profiles: Sequence[Profile]) -> None:
    """Profiles whose checks play live parties cannot be replayed: say so before anything."""
    live = [profile.id for profile in profiles if LIVE_PARTIES in profile.needs]
    if live:
        raise ConfigError(
            f"profile {', '.join(live)} cannot be replayed: its checks play parties the target "
            "calls back (mock servers), which a recording cannot answer; run it live"
        )


@contextmanager
def recording_or_replay(
    context: RunContext, *, record: Path | None, replay: Cassette | None, command: str
) -> Iterator[None]:
    """For the length of a run: answers from `replay`, exchanges to `record` (either, both or
    none); the cassette is closed however the run ends."""
    if replay is not None:
        context.player = Player(replay)
    if record is not None:
        context.recorder = open_recording(
            record,
            target=context.target,
            profiles=context.profiles,
            seed=context.seed,
            command=command,
        )
    try:
        yield
    finally:
        if context.recorder is not None:
            context.recorder.close()
