"""A citizen signs in: the code flow of the `[oidc]` table (cgconform as the relying party,
suites/identity), with the citizen's own login steps. The access token is what the chain's
application and read APIs accept; it is a secret (masked in every report)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from cgconform.model.outcomes import Inconclusive, NotTested, Outcome
from cgconform.model.target import ConfigError
from cgconform.run.context import RunContext
from cgconform.suites.identity.harness.oidc_flows import RelyingParty


def sign_in(context: RunContext, login: Sequence[Mapping[str, Any]] | None, who: str) -> str:
    """The access token of a fresh code flow; NotTested/Inconclusive saying why there is none.
    `login`: the citizen's own login steps (None: the [oidc] table's)."""
    target = context.target
    chain = target.suite_settings.get("chain") or {}
    if isinstance(chain.get("oidc"), Mapping) and isinstance(chain.get("issuer"), str):
        target = replace(
            target,
            urls={**target.urls, "issuer": chain["issuer"]},
            suite_settings={**target.suite_settings, "oidc": chain["oidc"]},
        )
    oidc = target.suite_settings.get("oidc")
    if not isinstance(oidc, Mapping):
        raise NotTested(
            "no [oidc] table in target.toml: cgconform cannot sign a citizen in (the chain "
            "checks need the citizen's login at the identity provider, docs/chain-notes.md)"
        )
    if login is not None:
        target = replace(
            target, suite_settings={**target.suite_settings, "oidc": {**oidc, "login": login}}
        )
    party = RelyingParty(replace(context, target=target))
    try:
        flow = party.happy()
    except ConfigError as exc:
        raise NotTested(f"{who}: {exc}") from None
    except Outcome as exc:
        raise Inconclusive(
            f"{who} could not sign in: {exc.message}", evidence=exc.evidence
        ) from None
    finally:
        party.close()
    token = flow.tokens.token("access_token")
    if not token:
        raise Inconclusive(f"{who} signed in, but the token response has no access_token")
    context.redactor.add_secret(token, f"<access token of {who}>")
    return token
