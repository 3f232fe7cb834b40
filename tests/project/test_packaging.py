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

REPO = Path(__file__).resolve().parents[2]


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
    archive = zipfile.ZipFile(wheel)
    names = set(archive.namelist())
    for expected in (
        "cgconform/cli/main.py",
        "cgconform/run/pytest-run.ini",
        "cgconform/schemas/report.schema.json",
        "cgconform/schemas/profile.schema.json",
        "cgconform/profiles/adr-openapi.yaml",
        "cgconform/profiles/standards/ADR-2.2.0.yaml",
        "cgconform/suites/__init__.py",
        "cgconform/suites/api/document/versioning.py",
        "cgconform/suites/fsc/harness/peers.py",
        "cgconform/fixtures/demo.py",
        "cgconform/fixtures/api/parkeervergunningen.openapi.json",
        "cgconform/fixtures/logboek/read_api.openapi.json",
        "cgconform/suites/logboek/harness/logboek.proto",
        "cgconform/profiles/logboek-dataverwerkingen.yaml",
        "cgconform/ci_templates/gitlab-ci.yml",
        "cgconform/ci_templates/github-workflow.yml",
        "cgconform/schemas/campaign.schema.json",
        "cgconform/report/templates/campaign.html.j2",
    ):
        assert expected in names, f"{expected} is missing from the wheel"
    top_level = {name.split("/")[0] for name in names}
    assert top_level == {"cgconform", "cgconform-0.1.0.dist-info"}, top_level
    entry_points = archive.read("cgconform-0.1.0.dist-info/entry_points.txt").decode()
    assert "cgconform = cgconform.cli:main" in entry_points
    assert "[pytest11]\ncgconform = cgconform.run.plugin" in entry_points
    every_target = [
        line.split("=", 1)[1].strip() for line in entry_points.splitlines() if "=" in line
    ]
    assert all(t.startswith("cgconform.") for t in every_target), every_target


def test_a_fresh_venv_gets_one_top_level_package_and_runs_the_demo(
    wheel: Path, tmp_path: Path
) -> None:
    """The wheel installed into a new virtual environment (its dependencies borrowed from this
    one, so no index is needed): the only new top-level import name is `cgconform`, the suites
    and fixtures are inside it, and `cgconform demo` runs from another folder."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    before = set(os.listdir(site))
    # this environment's packages (the dependencies) after the fresh venv's own: its .pth files
    # (e.g. an editable cgconform's) are not read from there, so cgconform comes from the wheel
    dependencies = [p for p in sys.path if p.endswith("site-packages")]
    (site / "zz_dependencies.pth").write_text("\n".join(dependencies) + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    added = {name for name in set(os.listdir(site)) - before if not name.endswith(".pth")}
    assert added == {"cgconform", "cgconform-0.1.0.dist-info"}, added
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    probe = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.util as u, cgconform.suites, cgconform.fixtures;"
            "from cgconform.model.locations import profiles_dir, suites_dir;"
            "print(cgconform.__file__); print(suites_dir()); print(profiles_dir());"
            "print(u.find_spec('suites'), u.find_spec('fixtures'))",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
    ).stdout.split()
    assert all(path.startswith(str(site)) for path in probe[:3]), probe
    assert probe[3:] == ["None", "None"], "a top-level suites or fixtures package is importable"
    proc = subprocess.run(
        [str(venv / "bin" / "cgconform"), "demo", "--report-dir", "out"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((elsewhere / "out" / "report.json").read_text())
    assert report["verdict"] == "conformant"
    assert {p["id"] for p in report["profiles"]} >= {"adr-openapi", "adr-runtime", "fsc-manager"}
    assert all(str(site) not in c["name"] for r in report["results"] for c in r["checks"])
