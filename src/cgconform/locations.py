"""Where the shipped suites and profiles are, from a checkout or from an installed wheel."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def profiles_dir() -> Path:
    """`profiles/`: inside the wheel as `cgconform/_profiles`, else the checkout's folder."""
    shipped = _PACKAGE_DIR / "_profiles"
    if shipped.is_dir():
        return shipped
    checkout = _PACKAGE_DIR.parent.parent / "profiles"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        "cgconform's profiles are missing: reinstall the package (pip install cgconform)"
    )


def suites_dir() -> Path:
    """The folder of the `suites` package (the conformance checks)."""
    spec = importlib.util.find_spec("suites")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            path = Path(location)
            init = path / "__init__.py"
            if init.is_file() and "cgconform" in init.read_text(encoding="utf-8"):
                return path.resolve()
    checkout = _PACKAGE_DIR.parent.parent / "suites"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        "cgconform's suites are missing: reinstall the package (pip install cgconform)"
    )


def demo_dir() -> Path:
    """Example documents shipped for `cgconform demo`."""
    return _PACKAGE_DIR / "demo"
