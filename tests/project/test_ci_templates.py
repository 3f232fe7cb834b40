"""The CI templates that run a campaign in shards and merge them (GitLab CI `parallel:
matrix`, GitHub Actions matrix): valid against the GitLab CI and GitHub workflow JSON Schemas
(as vendored by check-jsonschema), publishing JUnit, SARIF and the HTML overview, shipped in
the package and in docs/campaigns.md, and their own shard and merge commands, run here as
written, give the overview of the unsharded campaign."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "src" / "cgconform" / "ci_templates"
GITLAB = TEMPLATES / "gitlab-ci.yml"
GITHUB = TEMPLATES / "github-workflow.yml"
SCHEMAS = {GITLAB: "vendor.gitlab-ci", GITHUB: "vendor.github-workflows"}


def _require_check_jsonschema() -> None:
    """check-jsonschema (a test dependency) vendors both CI schemas; on CI it must be there."""
    try:
        import check_jsonschema  # noqa: F401
    except ImportError:
        reason = "check-jsonschema is not installed (pip install -e '.[test]')"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + "; on CI it must be")
        pytest.skip(reason)


def _check_jsonschema(path: Path, schema: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("template", [GITLAB, GITHUB], ids=["gitlab", "github"])
def test_the_template_is_valid_against_its_ci_schema(template: Path) -> None:
    _require_check_jsonschema()
    result = _check_jsonschema(template, SCHEMAS[template])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("template", [GITLAB, GITHUB], ids=["gitlab", "github"])
def test_the_schema_check_can_fail(template: Path, tmp_path: Path) -> None:
    """The validation is not vacuous: a template with a broken matrix is refused."""
    _require_check_jsonschema()
    text = template.read_text("utf-8")
    broken = tmp_path / template.name
    if template is GITLAB:
        broken.write_text(text.replace("    matrix:\n", "    matrix: 3\n    x:\n"))
    else:
        broken.write_text(text.replace("runs-on: ubuntu-latest", "runs-on: [[]]", 1))
    result = _check_jsonschema(broken, SCHEMAS[template])
    assert result.returncode != 0, result.stdout


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))
    return data


def test_gitlab_runs_the_shards_as_a_matrix_and_publishes_the_overview() -> None:
    ci = _load(GITLAB)
    shard_job, merge_job = ci["cgconform-shard"], ci["cgconform-overview"]
    (entry,) = shard_job["parallel"]["matrix"]
    assert len(entry["SHARD"]) == int(ci["variables"]["SHARDS"])
    assert merge_job["needs"][0]["job"] == "cgconform-shard"
    artifacts = merge_job["artifacts"]
    assert artifacts["reports"]["junit"] == "campaign/overview/campaign.junit.xml"
    assert artifacts["paths"] == ["campaign/overview/"]  # campaign.html, campaign.sarif, ...
    assert artifacts["when"] == "always" and artifacts["expose_as"]


def test_github_runs_the_shards_as_a_matrix_and_publishes_the_overview() -> None:
    workflow = _load(GITHUB)
    jobs = workflow["jobs"]
    assert len(jobs["shard"]["strategy"]["matrix"]["shard"]) == int(workflow["env"]["SHARDS"])
    assert jobs["shard"]["strategy"]["fail-fast"] is False
    overview = jobs["overview"]
    assert overview["needs"] == "shard" and overview["if"] == "always()"
    uses = {step.get("uses", "").split("@")[0]: step for step in overview["steps"]}
    assert uses["actions/upload-artifact"]["with"]["path"] == "campaign/overview"
    sarif = uses["github/codeql-action/upload-sarif"]["with"]["sarif_file"]
    assert sarif == "campaign/overview/campaign.sarif"
    assert overview["permissions"]["security-events"] == "write"
    download = uses["actions/download-artifact"]["with"]
    shard_upload = next(s for s in jobs["shard"]["steps"] if "upload-artifact" in s.get("uses", ""))
    # the shard's folder is uploaded as an artifact that downloads to the same path
    assert shard_upload["with"]["path"] == "campaign/" + shard_upload["with"]["name"]
    assert download["path"] == "campaign" and download["pattern"] == "campaign-shard-*"


def test_the_templates_ship_in_the_package_and_in_the_docs() -> None:
    from cgconform.cli.campaign import ci_template

    docs = (REPO / "docs" / "campaigns.md").read_text("utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", docs, re.DOTALL)
    for name, path in (("gitlab", GITLAB), ("github", GITHUB)):
        assert ci_template(name) == path.read_text("utf-8")
        assert path.read_text("utf-8") in blocks, f"docs/campaigns.md does not show {path.name}"


# --- their commands, run as written --------------------------------------------------------


def _gitlab_scripts() -> tuple[dict[str, str], list[str], list[str], list[str]]:
    ci = _load(GITLAB)
    variables = {k: str(v) for k, v in ci["variables"].items()}
    shard_job = ci["cgconform-shard"]
    values = [str(v) for v in shard_job["parallel"]["matrix"][0]["SHARD"]]
    return variables, values, shard_job["script"], ci["cgconform-overview"]["script"]


def _github_steps() -> tuple[dict[str, str], list[str], list[str], list[str]]:
    workflow = _load(GITHUB)
    variables = {k: str(v) for k, v in workflow["env"].items()}
    jobs = workflow["jobs"]
    values = [str(v) for v in jobs["shard"]["strategy"]["matrix"]["shard"]]

    def runs(job: str) -> list[str]:
        return [
            s["run"] for s in jobs[job]["steps"] if "run" in s and "pip install" not in s["run"]
        ]

    return variables, values, runs("shard"), runs("overview")


def _bash(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(
        ["bash", "-e", "-c", line],
        cwd=cwd,
        env={**os.environ, **env, "PATH": path, "CI": "true"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _stable(v) for k, v in value.items() if not k.endswith("_at") and k != "duration_s"
        }
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with a campaign file of five targets, and its unsharded overview."""
    from cgconform.fixtures.openapi.defects import DEFECTS, reference

    root = tmp_path_factory.mktemp("project")
    defects = ["semver_two_parts", "trailing_slash", "contact_missing", "query_key_snake_case"]
    targets = ['[[targets]]\nname = "Reference"\nspec = "docs/reference.json"\n']
    (root / "docs").mkdir()
    (root / "docs" / "reference.json").write_text(json.dumps(reference()))
    for name in defects:
        (root / "docs" / f"{name}.json").write_text(json.dumps(DEFECTS[name].apply(reference())))
        targets.append(f'[[targets]]\nname = "{name}"\nspec = "docs/{name}.json"\n')
    targets.append('[[targets]]\nname = "Gone"\nspec = "docs/gone.json"\n')
    (root / "campaign.toml").write_text(
        'name = "CI"\nprofiles = ["adr-openapi"]\njobs = 2\n' + "".join(targets)
    )
    whole = _bash("cgconform campaign campaign.toml --report-dir whole", root, {})
    assert whole.returncode == 3, whole.stderr  # "Gone" is an error cell
    return root


@pytest.mark.parametrize("ci", ["gitlab", "github"])
def test_the_templates_shard_and_merge_commands_give_the_unsharded_overview(
    ci: str, project: Path
) -> None:
    variables, values, shard_lines, merge_lines = (
        _gitlab_scripts() if ci == "gitlab" else _github_steps()
    )
    variables["CAMPAIGN"] = "campaign.toml"
    for value in values:
        for line in shard_lines:
            line = line.replace("${{ matrix.shard }}", value)
            done = _bash(line, project, {**variables, "SHARD": value})
            assert done.returncode == 0, done.stdout + done.stderr  # exit 3 is not a failure
    merged = None
    for line in merge_lines:
        merged = _bash(line, project, variables)
    assert merged is not None and merged.returncode == 3, merged and merged.stderr
    overview = json.loads((project / "campaign" / "overview" / "campaign.json").read_text())
    whole = json.loads((project / "whole" / "campaign.json").read_text())
    assert _stable(overview) == _stable(whole)
    for name in ("campaign.html", "campaign.junit.xml", "campaign.sarif"):
        assert (project / "campaign" / "overview" / name).is_file()
    assert "Traceback" not in merged.stderr and merged.stderr == ""
    import shutil

    shutil.rmtree(project / "campaign")


def test_a_shard_job_fails_on_a_usage_error(project: Path) -> None:
    variables, values, shard_lines, _ = _gitlab_scripts()
    variables["CAMPAIGN"] = "no-such-campaign.toml"
    done = _bash(shard_lines[0], project, {**variables, "SHARD": values[0]})
    assert done.returncode != 0 and "cannot read campaign file" in done.stderr
