"""The independent Logboek on loopback with the target that checks it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from cgconform.fixtures.tls import make_tls_files
from cgconform.model.target import Target, parse_target

from .server import RunningLogboek, Settings, serve_independent_logboek

ACTIVITY = "https://verwerkingen.gemeente-voorbeeld.nl/register/activiteiten/42"
OTHER_ACTIVITY = "https://verwerkingen.gemeente-voorbeeld.nl/register/activiteiten/7"
READER_TOKEN = "il-reader-entitled-3f1c"
OTHER_TOKEN = "il-reader-other-9b2d"
READERS = {READER_TOKEN: frozenset({ACTIVITY}), OTHER_TOKEN: frozenset({OTHER_ACTIVITY})}
MAX_RESULTS = 150


@contextmanager
def independent_target(
    folder: Path,
    settings: Settings | None = None,
    *,
    method: str | None = None,
    state_readers: bool = True,
) -> Iterator[tuple[Target, RunningLogboek]]:
    """The Logboek (over TLS) and a target naming its OTLP/HTTP URL, read API and readers;
    `method` is `[logboek.read] method` (left out: cgconform detects the form)."""
    tls = make_tls_files(folder)
    os.environ["IL_READER"] = READER_TOKEN
    os.environ["IL_OTHER_READER"] = OTHER_TOKEN
    settings = settings or Settings(readers=READERS)
    settings = replace(settings, max_results=MAX_RESULTS)
    with serve_independent_logboek(tls.server_cert, tls.server_key, settings) as logboek:
        read: dict[str, Any] = {"max_results": MAX_RESULTS}
        if method is not None:
            read["method"] = method
        if state_readers:
            read |= {
                "bearer": "env:IL_READER",
                "unentitled_bearer": "env:IL_OTHER_READER",
                "activity": ACTIVITY,
            }
        target = parse_target(
            {
                "name": "independent Logboek",
                "urls": {"logboek": logboek.otlp_url, "read_api": logboek.read_api_url},
                "tls": {"ca_bundle": str(tls.ca)},
                "budget": {"rate_limit": 500},
                "logboek": {"read": read},
            }
        )
        yield target, logboek
