"""Running yivi-requestor against the reference irma server (for the self-tests): a requestor
token and an RS256 requestor key the server knows, a test wallet, short timeouts."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cgtest.profilerun import results, run_profile, verdicts
from joserfc.jwk import RSAKey

from cgconform.fixtures.identity.yivi_server import RunningYivi, serve_yivi
from cgconform.model.target import BudgetConfig, Target

PROFILE = "yivi-requestor"
TOKEN_VARIABLE = "CG_TEST_YIVI_TOKEN"
REQUESTOR = "cgconform"
ISSUE = {"credential": "irma-demo.MijnOverheid.ageLower", "attributes": {"over18": "yes"}}


@dataclass
class Requestor:
    token: str
    key: RSAKey
    key_file: Path


def make_requestor(folder: Path) -> Requestor:
    key = RSAKey.generate_key(2048, private=True)
    path = folder / "requestor.pem"
    path.write_bytes(key.as_pem(private=True))
    return Requestor("s3cret-requestor-token-" + os.urandom(6).hex(), key, path)


@contextmanager
def reference_yivi(
    requestor: Requestor, defects: Iterable[str] = (), **options: Any
) -> Iterator[RunningYivi]:
    config: dict[str, Any] = {
        "tokens": {requestor.token: REQUESTOR},
        "jwt_keys": {REQUESTOR: requestor.key.as_pem(private=False).decode("ascii")},
        "test_wallet": True,
    }
    config.update(options)
    with serve_yivi(defects=defects, **config) as irma:
        yield irma


def yivi_table(who: Requestor, irma: RunningYivi, **extra: Any) -> dict[str, Any]:
    table: dict[str, Any] = {
        "requestor_token": f"env:{TOKEN_VARIABLE}",
        "requestor": REQUESTOR,
        "requestor_key": f"file:{who.key_file}",
        "issue": ISSUE,
        "session_timeout": 1,
        "timeout_grace": 5,
        "completion_hook": irma.completion_hook,
        "statusevents_wait": 3,
    }
    table.update(extra)
    return {k: v for k, v in table.items() if v is not None}


def target_for(irma: RunningYivi, table: dict[str, Any], **statement: Any) -> Target:
    return Target(
        name="reference irma server",
        urls={"yivi": irma.base_url},
        budget=BudgetConfig(max_requests=500, rate_limit=None, timeout_s=5),
        statement={"issuance_sessions": True, **statement},
        suite_settings={"yivi": table},
    )


def run(target: Target, only: Iterable[str] | None = None) -> dict[str, Any]:
    return run_profile(PROFILE, target, only)


__all__ = ["results", "run", "verdicts"]
