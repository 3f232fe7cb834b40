"""The report side of the CLI: formats next to report.json, waivers, signing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from cgtest.clirun import CliResult

from cgconform.fixtures.openapi.defects import DEFECTS, reference

Cli = Callable[..., CliResult]


def failing_spec(tmp_path: Path) -> Path:
    spec = tmp_path / "semver.json"
    spec.write_text(json.dumps(DEFECTS["semver_two_parts"].apply(reference())))
    return spec


def test_every_format_is_written_with_a_badge(cli: Cli, tmp_path: Path) -> None:
    result = cli(
        "run",
        "--profile",
        "adr-openapi",
        "--spec",
        str(failing_spec(tmp_path)),
        "--format",
        "json,junit,sarif,earl,html",
        "--lang",
        "nl",
        "--quiet",
    )
    names = {p.name for p in result.report_dir.iterdir()}
    assert {
        "report.json",
        "junit.xml",
        "report.sarif",
        "report.earl.jsonld",
        "report.nl.html",
        "badge.svg",
    } <= names
    earl = json.loads((result.report_dir / "report.earl.jsonld").read_text())
    assert "@context" in earl
    assert '<html lang="nl"' in (result.report_dir / "report.nl.html").read_text()


def test_a_waived_failure_does_not_block(cli: Cli, tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "- requirement: /core/semver\n  reason: versie 1.2 blijft tot de migratie\n"
        "  owner: team-parkeren\n  expires: 2999-12-31\n"
    )
    spec = failing_spec(tmp_path)
    plain = cli("run", "--profile", "adr-openapi", "--spec", str(spec), "--quiet")
    assert plain.code == 1
    waived = cli(
        "run",
        "--profile",
        "adr-openapi",
        "--spec",
        str(spec),
        "--quiet",
        "--waivers",
        str(waivers),
        "--report-dir",
        str(tmp_path / "waived"),
    )
    assert waived.code == 0
    row = next(r for r in waived.report["results"] if r["requirement"] == "/core/semver")
    assert row["verdict"] == "fail" and row["waiver"]["owner"] == "team-parkeren"


def test_an_expired_waiver_is_reported_and_not_applied(cli: Cli, tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "- requirement: /core/semver\n  reason: oud\n  owner: team\n  expires: 2020-01-01\n"
    )
    result = cli(
        "run",
        "--profile",
        "adr-openapi",
        "--spec",
        str(failing_spec(tmp_path)),
        "--quiet",
        "--waivers",
        str(waivers),
    )
    assert result.code == 1
    assert "expired" in result.stderr


def test_a_broken_waivers_file_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("- requirement: /core/semver\n  expires: morgen\n")
    result = cli(
        "run",
        "--profile",
        "adr-openapi",
        "--spec",
        str(failing_spec(tmp_path)),
        "--waivers",
        str(waivers),
    )
    assert result.code == 2 and str(waivers) in result.stderr


def test_sign_and_verify_and_an_edit_breaks_it(cli: Cli, tmp_path: Path) -> None:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Gemeente Voorbeeldstad")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = tmp_path / "key.pem", tmp_path / "cert.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    result = cli(
        "run", "--profile", "adr-openapi", "--spec", str(failing_spec(tmp_path)), "--quiet"
    )
    report = tmp_path / "signed-report.json"  # outside the folder the fixture validates
    report.write_bytes((result.report_dir / "report.json").read_bytes())
    assert cli("report", "sign", str(report), "--key", str(key_file)).code == 0
    assert cli("report", "verify", str(report), "--cert", str(cert_file)).code == 0
    report.write_text(report.read_text().replace('"fail"', '"pass"', 1))
    edited = cli("report", "verify", str(report), "--cert", str(cert_file))
    assert edited.code == 1 and "NOT valid" in edited.stderr
