"""`cgconform fsc pki init|import DIR`: the test Group's PKI for the fsc profiles (the
``cgconform.commands`` entry point ``fsc``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cgconform.http.pki import MANIFEST, PkiError, import_pki
from cgconform.model.target import ConfigError
from cgconform.suites.fsc.harness.pki import init_pki


class FscCommand:
    help = "FSC tools: the test Group's PKI"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(
            dest="fsc_command", metavar="ACTION", parser_class=type(parser)
        )
        pki = actions.add_parser("pki", help="the test PKI the FSC profiles use")
        pki_actions = pki.add_subparsers(
            dest="pki_command", metavar="ACTION", parser_class=type(parser)
        )
        init = pki_actions.add_parser(
            "init", help="create a test PKI (trust anchor, Peer certificates, an untrusted CA)"
        )
        init.add_argument("directory", metavar="DIR")
        init.add_argument(
            "--host",
            action="append",
            default=[],
            metavar="NAME|IP",
            help="also put this host in the certificates' subjectAltName (repeatable)",
        )
        init.add_argument("--days", type=int, default=30, help="validity (default 30)")
        init.add_argument("--force", action="store_true", help="replace an existing PKI")
        imported = pki_actions.add_parser(
            "import", help="use certificates the Group's trust anchor issued for the harness Peers"
        )
        imported.add_argument("directory", metavar="DIR")
        imported.add_argument("--trust-anchor", required=True, metavar="CA.pem")
        imported.add_argument(
            "--identity",
            action="append",
            required=True,
            metavar="NAME=CHAIN.pem,KEY.pem",
            help="peer-a, peer-b, peer-c (required); peer-a-rsa, intruder, sut, sut-2 (optional)",
        )
        imported.add_argument(
            "--untrusted",
            action="append",
            default=[],
            metavar="NAME",
            help="this identity is not issued by the trust anchor (e.g. intruder)",
        )
        imported.add_argument("--untrusted-ca", metavar="CA.pem")
        imported.add_argument("--force", action="store_true", help="replace an existing PKI")
        self._parser = parser

    def run(self, args: argparse.Namespace) -> int:
        if getattr(args, "pki_command", None) is None:
            self._parser.parse_args(["pki", "--help"] if args.fsc_command else ["--help"])
        directory = Path(args.directory)
        if (directory / MANIFEST).exists() and not args.force:
            raise ConfigError(
                f"{directory} already holds a test PKI; use --force to replace it (the SUT will "
                "then need the new trust anchor and certificates)"
            )
        if args.pki_command == "import":
            return _import(args, directory)
        return _init(args, directory)


def _init(args: argparse.Namespace, directory: Path) -> int:
    if args.days < 1:
        raise ConfigError("--days: at least 1")
    try:
        pki = init_pki(directory, hosts=args.host, days=args.days)
    except (PkiError, OSError) as exc:
        raise ConfigError(f"cannot create the PKI in {directory}: {exc}") from None
    print(f"test PKI written to {directory}")
    print(f"  trust anchor (load into the SUT): {pki.trust_anchor}")
    for identity in pki.identities.values():
        trust = "" if identity.trusted else "  [untrusted CA]"
        print(
            f"  {identity.name:<11} Peer ID {identity.serial_number}  {identity.chain}  "
            f"{identity.role}{trust}"
        )
    print("the SUT uses the `sut` identity; see docs/fsc-notes.md for the rest of the set-up")
    return 0


def _import(args: argparse.Namespace, directory: Path) -> int:
    identities = {}
    for item in args.identity:
        name, _, files = item.partition("=")
        chain, _, key = files.partition(",")
        if not name or not chain or not key:
            raise ConfigError(f"--identity {item!r}: give NAME=CHAIN.pem,KEY.pem")
        identities[name] = (Path(chain), Path(key))
    try:
        pki = import_pki(
            directory,
            trust_anchor=Path(args.trust_anchor),
            identities=identities,
            untrusted=args.untrusted,
            untrusted_ca=Path(args.untrusted_ca) if args.untrusted_ca else None,
        )
    except PkiError as exc:
        raise ConfigError(str(exc)) from None
    for identity in pki.identities.values():
        print(f"  {identity.name:<11} Peer ID {identity.serial_number}  {identity.organization}")
    print(f'PKI written to {directory}; use it with [fsc] pki = "{directory}"')
    return 0


COMMAND = FscCommand()
