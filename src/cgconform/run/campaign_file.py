"""The campaign file (`cgconform campaign campaign.toml`): many targets, one run each.

::

    name = "API-register, december"
    jobs = 4                                  # targets run at once (--jobs wins)
    profiles = ["adr-openapi"]                # default for targets that name none

    [[targets]]
    name = "Zaken API"
    organisation = "VNG Realisatie"
    profiles = ["adr-openapi"]
    spec = "zgw-zaken-vng-standard.yaml"      # relative to this file; or target = "x/target.toml"

    [[targets]]
    target = "parkeren/target.toml"           # a target.toml (its own budget, auth, tls, ...)
    organisation = "Gemeente Voorbeeld"
    profiles = ["adr-openapi", "adr-runtime"]

    [[targets]]                               # one target per document: paths, globs or URLs
    specs = ["register/*.yaml", "https://api.example.nl/openapi.json"]
    organisation = "API-register"

An inline target takes every key of a target.toml (``base_url``, ``[targets.urls]``,
``spec``, ``[targets.budget]``, ``[targets.auth]``, ...), with paths relative to the campaign
file. What is wrong with the campaign file itself (not TOML, an unknown key, an unknown
profile, two targets with one id) is a usage error before anything runs; what is wrong with
one target's own configuration (its target.toml is missing, its document is absent) is found
when that target runs, and becomes its `error` cell.
"""

from __future__ import annotations

import glob
import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from cgconform.model.catalogue import CatalogueError, select_profiles
from cgconform.model.shards import Shard
from cgconform.model.target import ConfigError, Target, is_url, load_target, parse_target

# Keys of a [[targets]] entry that are the campaign's, not the target configuration's.
_ENTRY_KEYS = {"id", "name", "organisation", "profiles", "target", "specs", "waivers"}
_TOP_KEYS = {"name", "jobs", "profiles", "seed", "strict", "adr_version", "timeout", "targets"}
_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_ID_LENGTH = 60


@dataclass(frozen=True)
class CampaignTarget:
    """One target of a campaign, as the file gives it (read, not yet resolved)."""

    id: str  # unique in the campaign: its report folder and its key across campaigns
    index: int  # its place in the campaign (0-based): the order of every overview
    name: str
    organisation: str | None
    profiles: tuple[str, ...]
    where: str  # e.g. "campaign.toml: targets[3]", for messages
    campaign_file: Path  # relative paths of an inline target start at its folder
    target_file: Path | None = None  # target = "..."
    inline: Mapping[str, Any] = field(default_factory=dict)  # the target.toml keys given inline
    waivers: Path | None = None

    @property
    def base_dir(self) -> Path:
        return self.campaign_file.parent

    def config(self) -> Target:
        """The target configuration (ConfigError: this target's own configuration is wrong)."""
        if self.target_file is not None:
            return replace(load_target(self.target_file), name=self.name)
        try:  # relative paths start at the folder of `source`, the campaign file
            return parse_target({**self.inline, "name": self.name}, source=self.campaign_file)
        except ConfigError as exc:
            text = str(exc)
            prefix = str(self.campaign_file)
            raise ConfigError(
                self.where + text[len(prefix) :] if text.startswith(prefix) else text
            ) from None

    def described(self) -> dict[str, Any]:
        """Where the target is, as the campaign file says (for an overview without a report of
        it: its run failed before one was written)."""
        inline = self.inline
        base_url = inline.get("base_url")
        urls = inline.get("urls")
        return {
            "base_url": base_url if isinstance(base_url, str) else None,
            "spec": _shown_location(inline.get("spec"), self.base_dir),
            "urls": {k: v for k, v in urls.items() if isinstance(v, str)}
            if isinstance(urls, Mapping)
            else {},
            **({"file": str(self.target_file)} if self.target_file else {}),
        }


@dataclass(frozen=True)
class Campaign:
    name: str
    source: Path
    targets: tuple[CampaignTarget, ...]
    jobs: int | None = None
    seed: int | None = None
    strict: bool = False
    adr_version: str | None = None
    timeout_s: float | None = None  # wall-clock limit per target: then its run is stopped

    @property
    def profiles(self) -> list[str]:
        """Every profile of the campaign, in the order targets first name them."""
        return list(dict.fromkeys(p for t in self.targets for p in t.profiles))

    def digest(self) -> str:
        """What every shard of one campaign shares: its name and its targets (ids, names,
        profiles, in order). `report merge` refuses outputs whose digests differ."""
        plan = [self.name, [[t.id, t.name, t.organisation, list(t.profiles)] for t in self.targets]]
        text = json.dumps(plan, ensure_ascii=False, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()

    def shard(self, shard: Shard | None) -> list[CampaignTarget]:
        """The targets of `shard` (all without one): target i goes to shard i mod n + 1, a
        stable split of the same campaign file on every machine, as even as it can be."""
        if shard is None:
            return list(self.targets)
        return [t for t in self.targets if t.index % shard.count + 1 == shard.index]

    def target_seed(self, target: CampaignTarget) -> int:
        """The seed of a target's run: the campaign's `seed`, or one derived from the target's
        id, so that a campaign generates the same requests every time it runs."""
        if self.seed is not None:
            return self.seed
        digest = hashlib.sha256(f"cgconform campaign\n{target.id}".encode()).digest()
        return int.from_bytes(digest[:4], "big") % 2**31


def load_campaign(path: str | Path) -> Campaign:
    """Read and check a campaign file; ConfigError with one line that says what is wrong."""
    source = Path(path)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read campaign file {source}: {exc.strerror or exc}") from None
    import tomllib

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    return parse_campaign(data, source=source.resolve(), shown=str(source))


def parse_campaign(data: Mapping[str, Any], *, source: Path, shown: str | None = None) -> Campaign:
    where = shown or str(source)
    extra = sorted(set(data) - _TOP_KEYS)
    if extra:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(extra)} (allowed: {', '.join(sorted(_TOP_KEYS))})"
        )
    name = data.get("name", source.stem)
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: name: must be a non-empty string")
    default_profiles = _profiles(data.get("profiles"), f"{where}: profiles", required=False)
    entries = data.get("targets")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(
            f"{where}: no targets: add one [[targets]] table per target "
            '(name = "...", profiles = [...], spec = "..." or target = "target.toml")'
        )
    targets: list[CampaignTarget] = []
    for number, entry in enumerate(entries):
        targets += _entries(entry, f"{where}: targets[{number}]", source, default_profiles)
    targets = _with_ids(targets, where)
    campaign = Campaign(
        name=name.strip(),
        source=source,
        targets=tuple(targets),
        jobs=_whole(data, "jobs", where, minimum=1),
        seed=_whole(data, "seed", where, minimum=0),
        strict=_flag(data, "strict", where),
        adr_version=_text(data, "adr_version", where),
        timeout_s=_seconds(data, "timeout", where),
    )
    check_profiles(campaign, where)
    return campaign


def check_profiles(campaign: Campaign, where: str) -> None:
    """Every profile the campaign names exists (a typo would make every cell an error)."""
    versions = {"ADR": campaign.adr_version} if campaign.adr_version else None
    for profile in campaign.profiles:
        try:
            select_profiles([profile], versions=versions)
        except (CatalogueError, FileNotFoundError) as exc:
            raise ConfigError(f"{where}: {exc}") from None


def _entries(
    entry: Any, where: str, campaign_file: Path, default_profiles: tuple[str, ...]
) -> list[CampaignTarget]:
    base_dir = campaign_file.parent
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: must be a table ([[targets]])")
    profiles = _profiles(entry.get("profiles"), f"{where}: profiles", required=False)
    profiles = profiles or default_profiles
    if not profiles:
        raise ConfigError(
            f'{where}: no profiles: give profiles = ["adr-openapi", ...] here or at the top '
            "of the campaign file"
        )
    organisation = entry.get("organisation")
    if organisation is not None and (not isinstance(organisation, str) or not organisation):
        raise ConfigError(f"{where}: organisation: must be a non-empty string")
    name = entry.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise ConfigError(f"{where}: name: must be a non-empty string")
    explicit_id = entry.get("id")
    if explicit_id is not None and (not isinstance(explicit_id, str) or not _ID.match(explicit_id)):
        raise ConfigError(
            f"{where}: id: {explicit_id!r} is not a folder name of lower-case letters, digits "
            "and hyphens (e.g. zaken-api)"
        )
    waivers = entry.get("waivers")
    if waivers is not None and (not isinstance(waivers, str) or not waivers):
        raise ConfigError(f"{where}: waivers: must be a file path")
    inline = {k: v for k, v in entry.items() if k not in _ENTRY_KEYS}
    common = CampaignTarget(
        id=explicit_id or "",
        index=0,
        name=(name or "target").strip(),
        organisation=organisation,
        profiles=profiles,
        where=where,
        campaign_file=campaign_file,
        waivers=_relative(waivers, base_dir) if waivers else None,
    )
    if "target" in entry:
        if inline or "specs" in entry:
            keys = ", ".join(sorted([*inline, *(["specs"] if "specs" in entry else [])]))
            raise ConfigError(
                f"{where}: target = ... names a target.toml; put {keys} in that file "
                "(only name, id, organisation, profiles and waivers go beside it)"
            )
        file = entry["target"]
        if not isinstance(file, str) or not file:
            raise ConfigError(f"{where}: target: must be the path of a target.toml")
        path = _relative(file, base_dir)
        shown = name or _name_in(path) or path.stem
        return [replace(common, name=shown.strip(), target_file=path)]
    if "specs" in entry:
        if "spec" in inline or explicit_id is not None or name is not None:
            raise ConfigError(
                f"{where}: specs = [...] makes one target per document, named after it: "
                "leave out spec, name and id"
            )
        locations = _expand(entry["specs"], f"{where}: specs", base_dir)
        return [
            replace(
                common,
                name=_location_name(location),
                where=f"{where}: specs[{location}]",
                inline={**inline, "spec": location},
            )
            for location in locations
        ]
    if not inline.get("spec") and not inline.get("base_url") and not inline.get("urls"):
        raise ConfigError(
            f'{where}: say what to test: spec = "openapi.yaml", base_url = "https://...", '
            '[targets.urls], or target = "target.toml"'
        )
    shown = name or _location_name(inline.get("spec") or inline.get("base_url") or "target")
    return [replace(common, name=str(shown).strip(), inline=inline)]


def _with_ids(targets: list[CampaignTarget], where: str) -> list[CampaignTarget]:
    """Each target's id (its folder): the one given, else a slug of its name, made unique
    with -2, -3, ... in the order of the file; and its index."""
    taken = {t.id for t in targets if t.id}
    seen: set[str] = set()
    done: list[CampaignTarget] = []
    for index, target in enumerate(targets):
        if target.id:
            if target.id in seen:
                raise ConfigError(f"{target.where}: id {target.id!r} is used twice")
            chosen = target.id
        else:
            base = slug(target.name)
            chosen, n = base, 1
            while chosen in seen or chosen in taken:
                n += 1
                chosen = f"{base[: _ID_LENGTH - len(str(n)) - 1]}-{n}"
        seen.add(chosen)
        done.append(replace(target, id=chosen, index=index))
    return done


def slug(text: str) -> str:
    """`Zaken API (VNG)` -> `zaken-api-vng`: lower-case ASCII letters, digits and hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:_ID_LENGTH].strip("-") or "target"


def _name_in(path: Path) -> str | None:
    """The `name` of a target.toml, when it can be read here (else the run will say why)."""
    import tomllib

    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    name = data.get("name")
    return name if isinstance(name, str) and name.strip() else None


_GENERIC = {"", "openapi", "swagger", "api-docs", "v1", "v2", "v3"}


def _location_name(location: str) -> str:
    """A document's name for the overview: its file name without the extension; for a URL
    whose file name says nothing (openapi.json), its host and path."""
    if not is_url(location):
        return Path(location).stem or location
    parts = urlsplit(location)
    path = unquote(parts.path).strip("/")
    last = path.rpartition("/")[2]
    stem = last.rpartition(".")[0] if "." in last else last
    if stem.lower() not in _GENERIC:
        return stem
    return f"{parts.hostname}/{path}" if path else str(parts.hostname)


def _expand(value: Any, where: str, base_dir: Path) -> list[str]:
    """Paths (with * and ? globs, relative to the campaign file) and URLs, in the order given;
    each glob's matches sorted by name."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(v, str) for v in items):
        raise ConfigError(f"{where}: a list of document paths, globs or URLs")
    found: list[str] = []
    for item in items:
        if is_url(item):
            found.append(item)
            continue
        pattern = str(_relative(item, base_dir))
        if glob.has_magic(pattern):
            matches = sorted(p for p in glob.glob(pattern) if Path(p).is_file())
            if not matches:
                raise ConfigError(f"{where}: {item!r} matches no file")
            found += matches
        else:
            found.append(pattern)  # a missing file is that target's error, found when it runs
    return list(dict.fromkeys(found))


def _relative(value: str, base_dir: Path) -> Path:
    path = Path(value)
    return path if path.is_absolute() else base_dir / path


def _shown_location(value: Any, base_dir: Path) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return value if is_url(value) else str(_relative(value, base_dir))


def _profiles(value: Any, where: str, *, required: bool) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f'{where}: a list of profile ids, e.g. ["adr-openapi"]')
    return tuple(dict.fromkeys(value))


def _whole(data: Mapping[str, Any], key: str, where: str, *, minimum: int) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{where}: {key}: must be a whole number of at least {minimum}")
    return value


def _flag(data: Mapping[str, Any], key: str, where: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {key}: must be true or false")
    return value


def _text(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise ConfigError(f"{where}: {key}: must be a non-empty string")
    return value


def _seconds(data: Mapping[str, Any], key: str, where: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{where}: {key}: must be a number of seconds above 0")
    return float(value)
