"""`pip install .` from a clean clone, then run from another folder: suites and profiles ship
inside the wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("cgconform-*.whl")
    return built


def test_wheel_holds_engine_suites_profiles_and_schemas(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "cgconform/cli.py",
        "cgconform/pytest-run.ini",
        "cgconform/schemas/report.schema.json",
        "cgconform/schemas/profile.schema.json",
        "cgconform/demo/parkeervergunningen.openapi.json",
        "cgconform/_profiles/adr-openapi.yaml",
        "cgconform/_profiles/standards/ADR-2.2.0.yaml",
        "suites/__init__.py",
        "suites/api/document/versioning.py",
    ):
        assert expected in names, f"{expected} is missing from the wheel"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "cgconform = cgconform.cli:main" in text and "[pytest11]" in text


def test_installed_wheel_runs_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import cgconform, suites; from cgconform.locations import profiles_dir, suites_dir;"
            "print(cgconform.__file__); print(suites_dir()); print(profiles_dir())",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
    ).stdout.split()
    assert all(path.startswith(str(site)) for path in where), where
    proc = subprocess.run(
        [sys.executable, "-m", "cgconform", "demo", "--report-dir", "out"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((elsewhere / "out" / "report.json").read_text())
    assert report["verdict"] == "conformant"
    assert all(str(site) not in c["name"] for r in report["results"] for c in r["checks"])
