"""5.2.3 Pairwise Identifiers: another sub per sector, and never a BSN, RSIN or KvK number."""

from __future__ import annotations

import re

from cgconform.http.redaction import is_bsn
from cgconform.model.outcomes import Failure, Inconclusive, NotTested, Outcome, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.identity.harness.oidc_flows import IdToken, RelyingParty
from cgconform.suites.identity.oidc._evidence import token

STANDARD = "NLGOV-OIDC"
SECTION = "5.2.3-pairwise-identifiers"
# Nine digits standing alone, or as a part of sub set off by separators ("s00000000:123456782",
# "urn:...:bsn:123456782"); not a run inside a random hex or base64 string, where nine digits
# in a row that pass the eleven-test turn up by chance.
_NINE_DIGITS = re.compile(r"(?<![0-9A-Za-z])\d{9}(?![0-9A-Za-z])")
_EIGHT_DIGITS = re.compile(r"\d{8}")


@requirement(STANDARD, f"{SECTION}/pairwise")
def sub_differs_between_clients_of_different_sectors(oidc: RelyingParty) -> None:
    client = oidc.client()
    if not oidc.settings.others:
        raise NotTested(
            "pairwise subjects need a second client registered at the provider, in another "
            "sector (another redirect_uri host, no shared sector_identifier_uri): add an "
            "[[oidc.clients]] table to target.toml"
        )
    first = oidc.id_token(client)
    compared, same_sector = [], []
    for other in oidc.settings.others:
        if other.sector == client.sector:
            same_sector.append(other.client_id)
            continue
        second = oidc.id_token(other)
        a, b = first.claims.get("sub"), second.claims.get("sub")
        if a == b:
            raise Failure(
                f"the End-User has the same sub with {client.client_id} (sector {client.sector}) "
                f"and {other.client_id} (sector {other.sector}): pairwise identifiers differ "
                "per sector (OpenID Connect Core §8.1; unless both clients registered one "
                "sector_identifier_uri, which target.toml should then not pair)",
                evidence=[token("ID token 1", first.jwt), token("ID token 2", second.jwt)],
            )
        compared.append(f"{other.client_id} (sector {other.sector})")
    if not compared:
        raise Inconclusive(
            f"every further client ({', '.join(same_sector)}) shares the sector {client.sector} "
            f"of {client.client_id}: pairwise subjects are the same within a sector by design; "
            "register the second client with a redirect_uri on another host"
        )
    raise Passed(
        f"{client.client_id} (sector {client.sector}) and {', '.join(compared)} got different "
        "sub values for the same End-User"
    )


def _id_tokens(oidc: RelyingParty) -> list[IdToken]:
    tokens = [oidc.id_token(oidc.client())]
    for other in oidc.settings.others:
        try:
            tokens.append(oidc.id_token(other))
        except Outcome:  # judged by the pairwise check; the first client's token suffices here
            continue
    return tokens


@requirement(STANDARD, f"{SECTION}/no-bsn-rsin-kvk")
def sub_is_no_bsn_rsin_or_kvk_number(oidc: RelyingParty) -> None:
    tokens = _id_tokens(oidc)
    kvk_shaped = []
    for id_token in tokens:
        sub = id_token.claims.get("sub")
        if not isinstance(sub, str):
            continue
        if any(is_bsn(run) for run in _NINE_DIGITS.findall(sub)):
            raise Failure(
                f"the sub of {id_token.flow.client.client_id}'s ID token is (or has a part that "
                "is) a nine-digit number that passes the eleven-test of BSN and RSIN (masked in "
                "this report): public sectoral identifiers MUST NOT be subject identifiers",
                evidence=[token("ID token", id_token.jwt), *id_token.flow.evidence],
            )
        if _EIGHT_DIGITS.fullmatch(sub):
            kvk_shaped.append(id_token)
    if kvk_shaped:
        first = kvk_shaped[0]
        raise Warning(
            f"the sub of {first.flow.client.client_id}'s ID token is an eight-digit number, the "
            "shape of a KvK number (which has no check digit to tell it from other numbers)",
            evidence=[token("ID token", first.jwt)],
        )
    raise Passed(f"no BSN-, RSIN- or KvK-shaped sub in {len(tokens)} ID token(s)")
