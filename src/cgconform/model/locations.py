"""Where the shipped suites and profiles are.

Both live inside the package: in a wheel as real folders, in a source checkout as the links
``src/cgconform/suites`` and ``src/cgconform/profiles`` to the repository's top-level folders.
Paths are not resolved, so that pytest names a check module ``cgconform.suites...`` either way.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).absolute().parent.parent


def _shipped(name: str) -> Path:
    path = _PACKAGE_DIR / name
    if not path.is_dir():
        raise FileNotFoundError(
            f"cgconform's {name} are missing from {_PACKAGE_DIR}: reinstall the package "
            "(pip install cgconform); in a checkout on a file system without symbolic links, "
            f"copy the top-level {name}/ folder to src/cgconform/{name}"
        )
    return path


def profiles_dir() -> Path:
    """`profiles/`: one YAML file per profile, and `standards/` the requirement catalogues."""
    return _shipped("profiles")


def schemas_dir() -> Path:
    """`schemas/`: the JSON Schemas of catalogues, profiles and report.json."""
    return _shipped("schemas")


def suites_dir() -> Path:
    """`suites/`: the conformance checks, one folder per role (the package cgconform.suites)."""
    return _shipped("suites")
