"""The harness: the other Peers of the test Group, their mock servers, and what the scenarios
ask of the SUT's Manager (submit, sign, list, token). One per run (session fixture `fsc`)."""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from cgconform.http.client import HttpClient
from cgconform.http.evidence import Exchange
from cgconform.http.mock_server import MockServer, free_port
from cgconform.http.pki import Identity
from cgconform.model.outcomes import Inconclusive, NotApplicable
from cgconform.model.target import ConfigError
from cgconform.run.context import RunContext
from cgconform.suites.fsc.harness.contracts import (
    connection_grant,
    contract_content,
    peers_of_contract,
    signature_payload,
    uuid7,
)
from cgconform.suites.fsc.harness.expect import listing
from cgconform.suites.fsc.harness.hashes import READINGS, content_hash, grant_hash_readings
from cgconform.suites.fsc.harness.jose import Signer, load_certificates, public_key_thumbprint
from cgconform.suites.fsc.harness.mocks import (
    Endpoint,
    IssuableGrant,
    MockManagerState,
    mock_manager,
)
from cgconform.suites.fsc.harness.pki import HARNESS_PEERS
from cgconform.suites.fsc.harness.settings import FscSettings

ECHO_A = "cgconform-echo-a"  # Peer A's Service (Outway scenarios)
UNREACHABLE_A = "cgconform-unreachable"  # Peer A's Service behind a dead Inway
WRONG_GID_A = "cgconform-echo-gid"  # Peer A's Service whose tokens name another Group
# Offsets from [fsc] harness_port (docs/fsc-notes.md §2).
PORT_OFFSETS = {"peer-a": 0, "peer-b": 1, "peer-c": 2, "inway": 3, "service": 4}


@dataclass
class Party:
    """A Peer the harness plays: its certificate, signing keys, HTTP client and mock Manager."""

    name: str
    identity: Identity
    signer: Signer
    http: HttpClient
    state: MockManagerState
    server: MockServer | None = None

    @property
    def peer_id(self) -> str:
        return self.identity.serial_number or ""

    @property
    def address(self) -> str:
        return self.server.url if self.server else ""

    @property
    def thumbprint(self) -> str:
        """Public Key thumbprint (hex SHA-256 of the SPKI) of the Peer's TLS certificate."""
        return self.identity.spki_sha256


@dataclass
class Fixture:
    """A fixture Contract (docs/fsc-notes.md §3) as the SUT holds it."""

    key: str
    content: dict[str, Any]
    signers: tuple[str, ...]  # harness parties that sign it
    hash: str = ""
    listed: dict[str, Any] | None = None  # the Contract as the SUT lists it
    problem: str | None = None  # why it is not usable

    def grant_hash(self, index: int = 0, reading: str = "hash-type") -> str:
        return grant_hash_readings(self.content, index)[reading]

    def ready(self) -> Fixture:
        if self.problem:
            raise Inconclusive(f"fixture Contract {self.key!r} ({self.hash}): {self.problem}")
        return self


@dataclass
class Harness:
    context: RunContext
    settings: FscSettings
    parties: dict[str, Party] = field(default_factory=dict)
    rsa_signer: Signer | None = None
    intruder: HttpClient | None = None
    anonymous: HttpClient | None = None  # TLS without a client certificate
    mock_inway: Endpoint = field(default_factory=lambda: Endpoint("harness Inway of Peer A"))
    mock_service: Endpoint = field(default_factory=lambda: Endpoint("harness Service"))
    servers: dict[str, MockServer] = field(default_factory=dict)
    grant_reading: str | None = None  # N1: which Grant hash reading the SUT uses
    fixtures: dict[str, Fixture] = field(default_factory=dict)
    dead_url: str = ""
    submitted: set[str] = field(default_factory=set)  # content hashes the harness submitted
    log_reader: HttpClient | None = None  # Peer A, own session: used from mock threads
    last_log_exchange: Exchange | None = None
    # What checks share within a run (suites/fsc/core/: a provoked error, an observed
    # propagation), by key
    cache: dict[str, Any] = field(default_factory=dict)

    # -- set-up ----------------------------------------------------------------------------

    @classmethod
    def create(cls, context: RunContext, settings: FscSettings) -> Harness:
        harness = cls(context, settings)
        pki = settings.pki
        verify = str(pki.trust_anchor)
        base = context.http
        for name in HARNESS_PEERS:
            identity = pki[name]
            signer = Signer.from_files(identity.key, identity.chain)
            signers = [signer]
            if name == "peer-a" and "peer-a-rsa" in pki.identities:
                rsa = pki["peer-a-rsa"]
                harness.rsa_signer = Signer.from_files(rsa.key, rsa.chain)
                signers.append(harness.rsa_signer)
            state = MockManagerState(
                peer_id=identity.serial_number or "",
                peer_name=identity.organization,
                group_id=settings.group_id,
                signers=tuple(signers),
            )
            harness.parties[name] = Party(
                name,
                identity,
                signer,
                base.with_identity(identity.requests_cert, verify=verify),
                state,
            )
        intruder = pki.identities.get("intruder")
        if intruder is not None:
            harness.intruder = base.with_identity(intruder.requests_cert, verify=verify)
        harness.anonymous = base.with_identity(None, verify=verify)
        a_identity = harness.parties["peer-a"].identity
        harness.log_reader = base.with_identity(a_identity.requests_cert, verify=verify)
        a = harness.parties["peer-a"]
        harness.mock_inway.token_signer = a.signer
        for party in harness.parties.values():
            party.state.on_offer = harness._offered(party)
        return harness

    def _port(self, role: str) -> int:
        base = self.settings.harness_port
        return base + PORT_OFFSETS[role] if base else 0

    def start(self) -> Harness:
        pki = self.settings.pki
        host = self.settings.harness_host
        try:
            for name, party in self.parties.items():
                server = MockServer(
                    mock_manager(party.state),
                    host=host,
                    port=self._port(name),
                    cert_chain=(str(party.identity.chain), str(party.identity.key)),
                    client_ca=str(pki.trust_anchor),
                    name=f"{name} Manager",
                ).start()
                party.server = server
                party.state.address = server.url
                self.servers[name] = server
            a = self.parties["peer-a"].identity
            self.servers["inway"] = MockServer(
                self.mock_inway.handle,
                host=host,
                port=self._port("inway"),
                cert_chain=(str(a.chain), str(a.key)),
                client_ca=str(pki.trust_anchor),
                name="Peer A Inway",
            ).start()
            self.servers["service"] = MockServer(
                self.mock_service.handle, host=host, port=self._port("service"), name="Service"
            ).start()
        except OSError as exc:
            self.stop()
            raise ConfigError(
                f"[fsc] harness_host/harness_port: the harness cannot listen: {exc} "
                "(choose a free port range with harness_port)"
            ) from None
        # A port nothing listens on, for the "Inway unreachable" scenario.
        self.dead_url = f"https://{host}:{free_port(host)}"
        return self

    def stop(self) -> None:
        for server in self.servers.values():
            with contextlib.suppress(OSError):
                server.stop()
        self.servers.clear()

    # -- Contracts the SUT offers ----------------------------------------------------------

    def register_issuable(self, content: Mapping[str, Any]) -> None:
        """Peer A's mock Manager issues tokens for the Grants in which A offers the Service."""
        for index, grant in enumerate(content.get("grants") or []):
            data = grant.get("data") if isinstance(grant, Mapping) else None
            if not isinstance(data, Mapping) or "outway" not in data:
                continue
            service = data.get("service") or {}
            if service.get("peer_id") != self.a.peer_id:
                continue
            aud = self.dead_url if service.get("name") == UNREACHABLE_A else self.inway_url
            hashes = tuple(grant_hash_readings(content, index).values())
            gid = f"{self.settings.group_id}-other" if service.get("name") == WRONG_GID_A else None
            with self.a.state.lock:
                self.a.state.grants.append(IssuableGrant(hashes, data, aud, gid))

    def _offered(self, party: Party) -> Any:
        """What a harness Peer does with a Contract the SUT offers it (N23): sign it when it
        only grants connections to Peer A's own test Services, and send the signature back."""

        def sign_back(content: dict[str, Any], address: str) -> None:
            if party.peer_id not in peers_of_contract(content):
                return
            grants = content.get("grants")
            if not isinstance(grants, list) or not grants or not address.startswith("https://"):
                return
            for grant in grants:
                data = grant.get("data") if isinstance(grant, dict) else None
                service = (data or {}).get("service") or {}
                if service.get("peer_id") != self.a.peer_id or service.get("name") not in (
                    ECHO_A,
                    UNREACHABLE_A,
                    WRONG_GID_A,
                ):
                    return
            try:
                digest = content_hash(content)
                signature = self.signature(content, "accept", party.name)
            except (ValueError, KeyError, TypeError):
                return
            with party.state.lock:
                if digest in party.state.signed or digest in self.submitted:
                    return  # signed already, or the harness's own Contract coming back
                party.state.signed.add(digest)
            client = self.context.http.with_identity(
                party.identity.requests_cert, verify=str(self.settings.pki.trust_anchor)
            )
            with contextlib.suppress(Exception):  # best effort, like a real Peer's retry
                client.put(
                    f"{address.rstrip('/')}/v1/contracts/{quote(digest, safe='')}/accept",
                    json={"contract_content": content, "signature": signature},
                    headers={"Fsc-Manager-Address": party.address},
                )
            self.register_issuable(content)

        return sign_back

    # -- who is who ------------------------------------------------------------------------

    @property
    def a(self) -> Party:
        return self.parties["peer-a"]

    @property
    def b(self) -> Party:
        return self.parties["peer-b"]

    @property
    def c(self) -> Party:
        return self.parties["peer-c"]

    @property
    def sut_peer_id(self) -> str:
        if self.settings.sut_identity:
            return self.settings.pki[self.settings.sut_identity].serial_number or ""
        return self.settings.peer_id or ""

    @property
    def sut_outway_thumbprint(self) -> str:
        if self.settings.outway_certificate is not None:
            cert = load_certificates(self.settings.outway_certificate)[0]
            return public_key_thumbprint(cert)
        if self.settings.sut_identity:
            return self.settings.pki[self.settings.sut_identity].spki_sha256
        raise ConfigError(
            "[fsc] outway_certificate: needed for the Outway scenarios when the SUT does not use "
            "the test PKI's `sut` identity"
        )

    @property
    def service_url(self) -> str:
        return self.servers["service"].url

    @property
    def inway_url(self) -> str:
        return self.servers["inway"].url

    # -- the SUT's Manager -----------------------------------------------------------------

    def manager_url(self, path: str) -> str:
        if not self.settings.manager:
            raise NotApplicable("no Manager to test: give urls.manager in target.toml")
        return f"{self.settings.manager}/v1{path}"

    def party(self, name: str) -> Party:
        return self.parties[name]

    def signature(
        self,
        content: Mapping[str, Any],
        kind: str,
        by: str = "peer-a",
        *,
        signer: Signer | None = None,
        algorithm: str | None = None,
        content_hash_value: str | None = None,
    ) -> str:
        """A signature of `kind` by a harness Peer over the Contract content."""
        payload = signature_payload(content_hash_value or content_hash(content), kind)
        return (signer or self.party(by).signer).sign(payload, algorithm=algorithm)

    def submit(
        self,
        content: Mapping[str, Any],
        by: str = "peer-a",
        *,
        signature: str | None = None,
        signer: Signer | None = None,
        algorithm: str | None = None,
    ) -> Exchange:
        """POST /v1/contracts as `by`, with its accept signature (unless one is given)."""
        party = self.party(by)
        sig = signature or self.signature(content, "accept", by, signer=signer, algorithm=algorithm)
        with contextlib.suppress(ValueError, KeyError, TypeError):
            self.submitted.add(content_hash(content))
        return party.http.post(
            self.manager_url("/contracts"),
            json={"contract_content": content, "signature": sig},
            headers={"Fsc-Manager-Address": party.address},
        )

    def put_signature(
        self,
        content: Mapping[str, Any],
        kind: str,
        by: str = "peer-a",
        *,
        signature: str | None = None,
        url_hash: str | None = None,
        signer: Signer | None = None,
        algorithm: str | None = None,
    ) -> Exchange:
        """PUT /v1/contracts/{hash}/{kind} as `by`."""
        party = self.party(by)
        sig = signature or self.signature(content, kind, by, signer=signer, algorithm=algorithm)
        digest = url_hash or content_hash(content)
        return party.http.put(
            self.manager_url(f"/contracts/{quote(digest, safe='')}/{kind}"),
            json={"contract_content": content, "signature": sig},
            headers={"Fsc-Manager-Address": party.address},
        )

    def list_contracts(self, as_: str = "peer-a", grant_hash: str | None = None) -> Exchange:
        params = {"grant_hash": grant_hash} if grant_hash else None
        return self.party(as_).http.get(self.manager_url("/contracts"), params=params)

    def request_token(
        self, grant_hash: str | None, as_: str = "peer-a", **overrides: str | None
    ) -> Exchange:
        """POST /v1/token (client credentials) as `as_`; an override of None leaves it out."""
        party = self.party(as_)
        form: dict[str, str | None] = {
            "grant_type": "client_credentials",
            "scope": grant_hash,
            "client_id": party.peer_id,
            **overrides,
        }
        return party.http.post(
            self.manager_url("/token"),
            data={k: v for k, v in form.items() if v is not None},
        )

    # -- contracts built for the scenarios -------------------------------------------------

    def new_content(self, grants: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
        """A fresh Contract (new iv) in the test Group."""
        return contract_content(group_id=self.settings.group_id, grants=grants, **fields)

    def deterministic_content(self, key: str, grants: list[dict[str, Any]]) -> dict[str, Any]:
        """The same Contract on every run with this PKI: iv and dates derived from it."""
        pki = self.settings.pki
        if pki.created_at is None:
            raise ConfigError(f"[fsc] pki: {pki.directory}/pki.json has no created_at")
        created = int(pki.created_at.timestamp()) - 60
        seed = hashlib.sha256(f"{self.settings.pki.directory.resolve()}|{key}".encode()).digest()
        iv = uuid7(created * 1000, random=seed[:10])
        return contract_content(
            group_id=self.settings.group_id,
            grants=grants,
            iv=iv,
            created_at=created,
            not_before=created,
            not_after=created + 28 * 86400,
        )

    def learn_reading(self, fixture: Fixture) -> str | None:
        """N1: which Grant hash reading finds the fixture at the SUT (None: neither)."""
        if self.grant_reading is not None:
            return self.grant_reading
        for reading in READINGS:
            exchange = self.list_contracts(fixture.signers[0], fixture.grant_hash(0, reading))
            if listed_contract(exchange, fixture.content):
                self.grant_reading = reading
                return reading
        return None

    def sut_hash(self, fixture: Fixture, index: int = 0) -> str:
        """The Grant hash in the reading the SUT uses (hash-type when unknown)."""
        return fixture.grant_hash(index, self.grant_reading or "hash-type")


def to_sut(h: Harness, outway: str = "peer-a", **kw: Any) -> dict[str, Any]:
    """A (Delegated)ServiceConnectionGrant from a harness Peer's Outway to the SUT's Service."""
    party = h.party(outway)
    return connection_grant(
        service_peer=h.sut_peer_id,
        service_name=h.settings.service,
        outway_peer=party.peer_id,
        outway_thumbprint=party.thumbprint,
        **kw,
    )


def listed_contract(exchange: Exchange, content: Mapping[str, Any]) -> dict[str, Any] | None:
    """The listed Contract with this content's iv, if the listing holds it."""
    if exchange.status != 200:
        return None
    return next(
        (
            item
            for item in listing(exchange, "contracts")
            if isinstance(item.get("content"), dict)
            and item["content"].get("iv") == content.get("iv")
        ),
        None,
    )


def signed_by(listed: Mapping[str, Any] | None, kind: str, peer_id: str) -> bool:
    signatures = (listed or {}).get("signatures") or {}
    group = signatures.get(kind) if isinstance(signatures, dict) else None
    return isinstance(group, dict) and peer_id in group


def wait_until(deadline_s: float, probe: Any, interval_s: float = 0.3) -> Any:
    """Call `probe` until it returns something truthy or the time is up (last result)."""
    end = time.monotonic() + deadline_s
    result = probe()
    while not result and time.monotonic() < end:
        time.sleep(interval_s)
        result = probe()
    return result
