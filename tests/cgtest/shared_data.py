"""Access to ../shared (golden cases, corpus, standards), which a user's fresh clone lacks.

Tests that need it skip with a clear reason where it is absent; with CG_REQUIRE_SHARED=1
(set by .ci/run) the skip becomes a failure, so CI always runs them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("CG_SHARED_DIR", REPO.parent / "shared"))
GOLDEN = SHARED / "reference" / "adr-linter" / "testcases"


def require_shared(*parts: str) -> Path:
    """The path under ../shared, or skip (fail under CG_REQUIRE_SHARED=1) when missing."""
    path = SHARED.joinpath(*parts)
    if path.exists():
        return path
    reason = f"needs {path} (the project's shared/ folder beside this checkout)"
    if os.environ.get("CG_REQUIRE_SHARED") == "1":
        pytest.fail(f"CG_REQUIRE_SHARED=1 but {reason} is missing")
    pytest.skip(reason)


def golden_cases() -> list[str]:
    """Names of the official linter's golden test cases (empty when ../shared is absent)."""
    if not GOLDEN.is_dir():
        return []
    return sorted(p.name for p in GOLDEN.iterdir() if (p / "openapi.json").is_file())
