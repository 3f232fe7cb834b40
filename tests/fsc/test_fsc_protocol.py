"""The FSC protocol pieces the suite computes itself (suites/fsc/harness/: hashes.py,
jose.py, contracts.py, settings.py), checked against independent computations and the texts."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from pathlib import Path

import pytest

from cgconform.http.pki import PkiError, TestPki, load_pki
from cgconform.model.target import ConfigError, parse_target
from cgconform.suites.fsc.harness.contracts import (
    connection_grant,
    contract_content,
    is_uuid7,
    uuid7,
)
from cgconform.suites.fsc.harness.hashes import content_hash, grant_hash_readings, jcs, same_hash
from cgconform.suites.fsc.harness.jose import (
    JoseProblem,
    Signer,
    cert_thumbprint,
    der,
    jwk_thumbprint,
    split_compact,
    verify_compact,
)
from cgconform.suites.fsc.harness.pki import init_pki
from cgconform.suites.fsc.harness.settings import load_settings


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return init_pki(tmp_path_factory.mktemp("pki"))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_content_and_grant_hash_follow_the_steps_of_fsc_core() -> None:
    grant = connection_grant(
        service_peer="00000099000000000001",
        service_name="svc",
        outway_peer="00000099000000000002",
        outway_thumbprint="ab" * 32,
    )
    content = contract_content(group_id="g", grants=[grant], created_at=1_700_000_000)
    # For ASCII keys and integers, RFC 8785 equals sorted keys without whitespace.
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    assert jcs(content) == canonical
    expected = "$1$1$" + _b64url(hashlib.sha3_512(canonical).digest())
    assert content_hash(content) == expected
    data = json.dumps(grant["data"], sort_keys=True, separators=(",", ":")).encode()
    digest = _b64url(hashlib.sha3_512(expected.encode() + data).digest())
    assert grant_hash_readings(content, 0) == {
        "hash-type": f"$1$3${digest}",  # step 7: HashType of a ServiceConnectionGrant
        "grant-type": f"$1$2${digest}",  # the example of step 8
    }


def test_hashes_compare_across_base64_alphabets() -> None:
    assert same_hash("$1$1$ab-_", "$1$1$ab+/")
    assert same_hash("$1$1$abc=", "$1$1$abc")
    assert not same_hash("$1$1$abc", "$1$1$abd")


def test_uuid7() -> None:
    value = uuid7()
    assert is_uuid7(value) and uuid.UUID(value).version == 7
    assert not is_uuid7(str(uuid.uuid4())) and not is_uuid7("nonsense")


def test_signatures_carry_the_certificate_thumbprint_and_verify(pki: TestPki) -> None:
    for name, alg in (("peer-a", "ES256"), ("peer-a-rsa", "RS256")):
        identity = pki[name]
        signer = Signer.from_files(identity.key, identity.chain)
        token = signer.sign({"type": "accept"})
        header, payload = split_compact(token)
        assert header == {"alg": alg, "x5t#S256": cert_thumbprint(der(signer.certificate))}
        assert verify_compact(token, signer.certificate) == payload == {"type": "accept"}
        assert jwk_thumbprint(signer.jwk()) == header["x5t#S256"]
        assert len(signer.jwk()["x5c"]) == 2  # leaf + intermediate, not the root
    other = Signer.from_files(pki["peer-b"].key, pki["peer-b"].chain)
    with pytest.raises(JoseProblem, match="x5t#S256"):
        verify_compact(other.sign({"x": 1}), signer.certificate)
    with pytest.raises(JoseProblem, match="not one FSC allows"):
        verify_compact(signer.sign({"x": 1}, algorithm="PS256"), signer.certificate)
    with pytest.raises(JoseProblem, match="compact"):
        split_compact("not-a-jws")


def test_pki_manifest_problems_are_named(pki: TestPki, tmp_path: Path) -> None:
    with pytest.raises(PkiError, match="fsc pki init"):
        load_pki(tmp_path)
    (tmp_path / "pki.json").write_text("{}")
    with pytest.raises(PkiError, match="not a cgconform PKI manifest"):
        load_pki(tmp_path)
    assert pki["peer-a"].serial_number == pki["peer-a-rsa"].serial_number
    with pytest.raises(PkiError, match="no identity 'nobody'"):
        pki["nobody"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({}, "pki: missing"),
        ({"pki": "nowhere"}, "cannot read the PKI manifest"),
        ({"pki": "PKI", "colour": "blue"}, "unknown key(s) colour"),
        ({"pki": "PKI", "harness_port": "x"}, "harness_port"),
        ({"pki": "PKI", "accept_timeout": -1}, "accept_timeout"),
        ({"pki": "PKI", "sut": "nobody"}, "no identity 'nobody'"),
    ],
)
def test_fsc_settings_errors_name_the_key(
    pki: TestPki, table: dict[str, object], message: str
) -> None:
    resolved = {k: (str(pki.directory) if v == "PKI" else v) for k, v in table.items()}
    target = parse_target({"urls": {"manager": "https://127.0.0.1:8443"}, "fsc": resolved})
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings(target)


def test_an_unreadable_key_is_a_configuration_error(pki: TestPki, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "pki"
    shutil.copytree(pki.directory, copy)
    (copy / "peer-b" / "key.pem").write_text("-----BEGIN PRIVATE KEY-----\nbroken\n")
    target = parse_target(
        {"urls": {"manager": "https://127.0.0.1:8443"}, "fsc": {"pki": str(copy)}}
    )
    with pytest.raises(ConfigError, match="identity peer-b: cannot use"):
        load_settings(target)


def test_fsc_component_urls_must_be_https(pki: TestPki) -> None:
    target = parse_target(
        {"urls": {"manager": "http://127.0.0.1:8443"}, "fsc": {"pki": str(pki.directory)}}
    )
    with pytest.raises(ConfigError, match="must be https"):
        load_settings(target)
