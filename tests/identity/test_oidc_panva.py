"""nlgov-oidc-provider against a real, OpenID Certified provider: panva's oidc-provider (npm),
started on loopback by fixtures/identity/oidc_provider.

- configured per the NL GOV profile (``nlgov``): every check passes, and the headless code +
  PKCE flow completes through its login and consent pages for two clients;
- in its default configuration (``default``): the deviations of its defaults from the NL GOV
  profile are found, each under its requirement, and nothing else.

Needs node and npm (oidc-provider is installed once with ``npm ci`` into the fixture's
node_modules); without them the tests skip, except under CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cgtest.clirun import assert_valid_report

from cgconform.fixtures.identity.oidc_provider import (
    ProviderUnavailable,
    RunningProvider,
    oidc_provider,
)
from cgconform.model.catalogue import select_profiles
from cgconform.run.runner import RunRequest, execute

PROFILE = "nlgov-oidc-provider"

# oidc-provider's defaults against NL GOV OIDC 1.0.1, and why each is what it is.
DEFAULT_DEVIATIONS = {
    # userinfo/request object signing algs are only listed with jwtUserinfo / requestObjects
    "5.4.2-discovery-document/required-metadata": "fail",
    # responseTypes default: 'code id_token', 'code', 'id_token', 'none'
    "5.4.2-discovery-document/response_types_supported": "fail",
    # those response types make it list the implicit grant
    "5.4.2-discovery-document/grant_types_supported": "fail",
    # subjectTypes default: public only (pairwiseIdentifier must be written by the operator)
    "5.4.2-discovery-document/subject_types_supported": "fail",
    "5.2.3-pairwise-identifiers/pairwise": "fail",
    # clientAuthMethods default: client_secret_basic/_jwt/_post, private_key_jwt, none
    "5.4.2-discovery-document/token_endpoint_auth_methods_supported": "fail",
    # the development signing key is RS256 only; HS256 is offered for client_secret_jwt
    "7.2.1-algorithms/ps256": "warning",
    "7.2.1-algorithms/no-weaker": "warning",
    # pkce.required defaults to true only for public clients (and FAPI)
    "5-openid-provider-profile/pkce-required": "fail",
    # ttl.IdToken default: one hour
    "5.2.2-id-tokens-of-the-provider-profile/lifetime": "warning",
    # ID tokens carry neither jti nor nbf
    "5.2.2-id-tokens-of-the-provider-profile/jti": "fail",
    "5.2.2-id-tokens-of-the-provider-profile/exp-iat-nbf": "fail",
    # the development login sets no acr
    "5.2.5-authentication-context/acr": "fail",
    # access tokens are opaque unless a resource server asks for JWTs
    "5.2.7-access-tokens/jwt": "fail",
}


def _provider(mode: str, workdir: Path) -> Iterator[RunningProvider]:
    try:
        with oidc_provider(mode, workdir=workdir) as provider:
            yield provider
    except ProviderUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs panva's oidc-provider (.ci/oidc-provider.sh): {exc}")
        pytest.skip(f"panva's oidc-provider is not available: {exc}")


@pytest.fixture(scope="module")
def nlgov(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningProvider]:
    yield from _provider("nlgov", tmp_path_factory.mktemp("panva-nlgov"))


@pytest.fixture(scope="module")
def default(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningProvider]:
    yield from _provider("default", tmp_path_factory.mktemp("panva-default"))


@pytest.fixture(scope="module")
def nlgov_report(nlgov: RunningProvider) -> dict[str, Any]:
    return _run(nlgov)


def _run(provider: RunningProvider) -> dict[str, Any]:
    report = execute(
        RunRequest(
            profiles=select_profiles([PROFILE]),
            target=provider.target,
            command="self-test",
            seed=1,
        )
    )
    assert_valid_report(report)
    return report


def _verdicts(report: dict[str, Any]) -> dict[str, str]:
    return {r["requirement"]: r["verdict"] for r in report["results"]}


def _message(report: dict[str, Any], requirement: str) -> str:
    return str(next(r for r in report["results"] if r["requirement"] == requirement)["message"])


def test_panva_set_up_per_nl_gov_passes_every_check(
    nlgov: RunningProvider, nlgov_report: dict[str, Any]
) -> None:
    report = nlgov_report
    got = _verdicts(report)
    failing = {k: (v, _message(report, k)) for k, v in got.items() if v != "pass"}
    assert not failing, f"{failing}\n--- oidc-provider log ---\n{nlgov.logs()[-3000:]}"
    assert report["verdict"] == "conformant"


def test_the_headless_code_flow_completes_against_panva(nlgov_report: dict[str, Any]) -> None:
    report = nlgov_report
    assert "PS256 signature verifies" in _message(
        report, "5.2.2-id-tokens-of-the-provider-profile/signed"
    )
    assert "got different sub values" in _message(report, "5.2.3-pairwise-identifiers/pairwise")
    assert "azp=cg-conformance" in _message(report, "5.2.7-access-tokens/jwt")
    assert "as requested" in _message(report, "5.2.5-authentication-context/acr")


def test_panva_s_defaults_deviate_where_expected_and_nowhere_else(
    default: RunningProvider,
) -> None:
    report = _run(default)
    got = {k: v for k, v in _verdicts(report).items() if v != "pass"}
    assert got == DEFAULT_DEVIATIONS, {k: _message(report, k) for k in got}
    # the flows ran through its development login forms: the deviations are observed, not
    # inferred from discovery alone
    assert "issued a code" in _message(report, "5-openid-provider-profile/pkce-required")
    assert "3600 s" in _message(report, "5.2.2-id-tokens-of-the-provider-profile/lifetime")
    assert "opaque" in _message(report, "5.2.7-access-tokens/jwt")
