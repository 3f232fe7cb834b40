"""Self-tests of the fsc profiles against the reference FSC Peer (fixtures/fsc/): the
conformant Peer passes every automated scenario, each seeded defect fails its own scenario
(tests/fsc/test_fsc_defects.py), and a wrongly configured run stops with one clear message."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cgtest.clirun import CliResult

from cgconform.fixtures.fsc.world import World, reference_world
from cgconform.http.mock_server import MockServer, Received, Reply, free_port
from cgconform.http.pki import TestPki
from cgconform.suites.fsc.harness.pki import init_pki

Cli = Callable[..., CliResult]
FSC_PROFILES = ("fsc-manager", "fsc-inway", "fsc-outway", "fsc-logging")
# Deployment-bound or operator-bound scenarios (docs/fsc-notes.md N8, Integration-*).
NOT_PASS_ON_A_TEST_DEPLOYMENT = {
    "Manager-Port-1": "not_applicable",
    "Inway-Port-1": "not_applicable",
}


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return init_pki(tmp_path_factory.mktemp("fsc-pki"))


@pytest.fixture
def world(pki: TestPki, tmp_path: Path) -> Iterator[World]:
    with reference_world(tmp_path, pki=pki) as running:
        yield running


def run_fsc(cli: Cli, target: Path, *profiles: str) -> CliResult:
    args = ["run", "--target", str(target), "--quiet", "--format", "json"]
    for profile in profiles or FSC_PROFILES:
        args += ["--profile", profile]
    return cli(*args)


def test_profiles_list_all_84_scenarios(cli: Cli) -> None:
    ids: dict[str, str] = {}
    for profile in FSC_PROFILES:
        result = cli("profiles", profile, "--format", "json")
        assert result.code == 0, result.stderr
        data = json.loads(result.stdout)
        for req in data:
            if req["standard"] == "FSC-TestSuite":
                ids[req["id"]] = req["automation"]
    assert len(ids) == 84
    assert "Manager-SubmitContract-3" in ids and "Inway-Incoming-Request-4" in ids
    automatic = sum(1 for a in ids.values() if a == "automatic")
    assert automatic / len(ids) >= 0.9, f"{automatic} of {len(ids)} automatic"


def test_reference_peer_passes_every_automated_scenario(
    cli: Cli, world: World, tmp_path: Path
) -> None:
    result = run_fsc(cli, world.target_toml(tmp_path / "target.toml"))
    rows = result.report["results"]
    automation = {(r["standard"], r["requirement"]): r.get("automation") for r in rows}
    wrong = {}
    for row in rows:
        expected = NOT_PASS_ON_A_TEST_DEPLOYMENT.get(row["requirement"])
        if row["requirement"].startswith("Integration-") and row["verdict"] == "needs_review":
            continue  # operator-arranged chain; two reference Peers: tests/fsc/test_fsc_defects.py
        if row["verdict"] != (expected or "pass"):
            wrong[row["requirement"]] = (row["verdict"], row["message"][:300])
    assert not wrong, wrong
    assert automation
    assert result.report["run"]["budget"]["requests_sent"] > 100


def _write_target(path: Path, manager: str, pki_dir: Path, **urls: str) -> Path:
    extra = "".join(f'{k} = "{v}"\n' for k, v in urls.items())
    path.write_text(
        f'[urls]\nmanager = "{manager}"\n{extra}[budget]\nrate_limit = 0\ntimeout = 3\n'
        f'[fsc]\npki = "{pki_dir}"\nharness_port = 0\n',
        encoding="utf-8",
    )
    return path


def test_wrong_port_is_one_configuration_error(cli: Cli, pki: TestPki, tmp_path: Path) -> None:
    url = f"https://127.0.0.1:{free_port()}"
    target = _write_target(tmp_path / "t.toml", url, pki.directory)
    result = run_fsc(cli, target, "fsc-manager")
    assert result.code == 2, result.stdout + result.stderr
    assert "urls.manager" in result.stderr and "nothing listens" in result.stderr
    assert not (result.report_dir / "report.json").exists()
    doctor = cli("doctor", "--target", str(target))
    assert doctor.code == 2 and "nothing listens" in doctor.stdout


def test_wrong_ca_is_one_configuration_error(cli: Cli, world: World, tmp_path: Path) -> None:
    other = init_pki(tmp_path / "other-pki")  # the harness trusts another trust anchor
    target = _write_target(tmp_path / "t.toml", world.peer.manager_url, other.directory)
    result = run_fsc(cli, target, "fsc-manager")
    assert result.code == 2, result.stdout + result.stderr
    assert "not issued by the test Group's trust anchor" in result.stderr
    doctor = cli("doctor", "--target", str(target))
    assert doctor.code == 2 and "trust anchor" in doctor.stdout


def test_refused_client_certificate_is_one_configuration_error(
    cli: Cli, pki: TestPki, tmp_path: Path
) -> None:
    other = init_pki(tmp_path / "other-pki")
    sut = pki["sut"]
    server = MockServer(
        lambda _r: Reply(200),
        cert_chain=(str(sut.chain), str(sut.key)),
        client_ca=str(other.trust_anchor),  # the SUT does not trust the harness's CA
    ).start()
    try:
        target = _write_target(tmp_path / "t.toml", server.url, pki.directory)
        result = run_fsc(cli, target, "fsc-manager")
    finally:
        server.stop()
    assert result.code == 2, result.stdout + result.stderr
    assert "refused the harness's client certificate" in result.stderr


def test_missing_fsc_table_is_a_configuration_error(cli: Cli, world: World, tmp_path: Path) -> None:
    target = tmp_path / "t.toml"
    target.write_text(f'[urls]\nmanager = "{world.peer.manager_url}"\n', encoding="utf-8")
    result = run_fsc(cli, target, "fsc-manager")
    assert result.code == 2
    assert "[fsc]" in result.stderr and "cgconform fsc pki init" in result.stderr


def test_pki_init_writes_a_loadable_pki(cli: Cli, tmp_path: Path) -> None:
    result = cli("fsc", "pki", "init", str(tmp_path / "pki"), "--host", "fsc.test")
    assert result.code == 0, result.stderr
    assert (tmp_path / "pki" / "trust-anchor.pem").is_file()
    from cgconform.http.pki import load_pki

    loaded = load_pki(tmp_path / "pki")
    assert loaded["sut"].serial_number == "00000099000000000001"
    assert not loaded["intruder"].trusted
    again = cli("fsc", "pki", "init", str(tmp_path / "pki"))
    assert again.code == 2 and "--force" in again.stderr


def test_doctor_passes_on_a_ready_peer(cli: Cli, world: World, tmp_path: Path) -> None:
    result = cli("doctor", "--target", str(world.target_toml(tmp_path / "target.toml")))
    assert result.code == 0, result.stdout
    assert "manager" in result.stdout and "over mTLS" in result.stdout


HOSTILE_BODIES = [
    b'{"contracts": "x", "peers": [1, null], "keys": "k", "services": {"a": 1}, "records": 7}',
    b"[]",
    b"not json at all \xff",
    b'{"peer_id": {"$ne": 1}, "contracts": [{"content": [], "signatures": {"accept": []}}]}',
    b'{"access_token": "a.b.c", "token_type": 5, "keys": [{"x5c": ["!!"]}], "records": [1]}',
]


def test_a_hostile_manager_breaks_no_check(cli: Cli, pki: TestPki, tmp_path: Path) -> None:
    """Whatever a Manager answers, every scenario ends in a verdict about it (fail,
    inconclusive, ...), never `error`, and the report is written."""
    answers = iter(range(10**6))

    def hostile(_: Received) -> Reply:
        n = next(answers)
        status = (200, 201, 400, 422, 500)[n % 5]
        return Reply(status, {"Content-Type": "application/json"}, HOSTILE_BODIES[n % 5])

    sut = pki["sut"]
    with MockServer(
        hostile, cert_chain=(str(sut.chain), str(sut.key)), client_ca=str(pki.trust_anchor)
    ) as server:
        target = _write_target(tmp_path / "t.toml", server.url, pki.directory)
        text = target.read_text().replace("timeout = 3", "timeout = 3\nmax_requests = 2000")
        target.write_text(text.replace("harness_port = 0", "harness_port = 0\naccept_timeout = 1"))
        result = run_fsc(cli, target, "fsc-manager", "fsc-logging")
    assert result.code in (1, 3), result.stderr
    errors = {
        r["requirement"]: r["message"] for r in result.report["results"] if r["verdict"] == "error"
    }
    assert not errors, errors


def test_pki_import_takes_certificates_issued_elsewhere(
    cli: Cli, pki: TestPki, tmp_path: Path
) -> None:
    from cgconform.http.pki import load_pki

    args = ["fsc", "pki", "import", str(tmp_path / "imported")]
    args += ["--trust-anchor", str(pki.trust_anchor), "--untrusted", "intruder"]
    for name in ("peer-a", "peer-b", "peer-c", "intruder"):
        args += ["--identity", f"{name}={pki[name].chain},{pki[name].key}"]
    result = cli(*args)
    assert result.code == 0, result.stderr
    imported = load_pki(tmp_path / "imported")
    for name in ("peer-a", "peer-b", "peer-c"):
        assert imported[name].serial_number == pki[name].serial_number
        assert imported[name].spki_sha256 == pki[name].spki_sha256
    assert not imported["intruder"].trusted
    wrong = cli(
        "fsc",
        "pki",
        "import",
        str(tmp_path / "x"),
        "--trust-anchor",
        str(pki.trust_anchor),
        "--identity",
        f"peer-a={pki['peer-a'].chain},{pki['peer-b'].key}",
    )
    assert wrong.code == 2 and "is not the certificate's" in wrong.stderr
    # a PKI without the harness Peers is a configuration error that names them
    target = tmp_path / "t.toml"
    target.write_text(f'[urls]\nmanager = "https://127.0.0.1:1"\n[fsc]\npki = "{tmp_path / "x"}"\n')
    partial = cli(
        "fsc",
        "pki",
        "import",
        str(tmp_path / "x"),
        "--trust-anchor",
        str(pki.trust_anchor),
        "--identity",
        f"peer-a={pki['peer-a'].chain},{pki['peer-a'].key}",
    )
    assert partial.code == 0
    run = run_fsc(cli, target, "fsc-manager")
    assert run.code == 2 and "no identity peer-b, peer-c" in run.stderr
