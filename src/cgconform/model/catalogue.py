"""The requirement catalogue and the profiles that select from it, loaded from YAML.

Catalogues live in ``profiles/standards/<STANDARD>-<version>.yaml`` (one file per standard
version); profiles in ``profiles/<id>.yaml``. Both are validated on load: a broken file is a
:class:`CatalogueError` that names the file and the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from cgconform.model.locations import profiles_dir, schemas_dir


class CatalogueError(Exception):
    """A profile or catalogue file is broken; the message names the file and field."""


@dataclass(frozen=True)
class Title:
    nl: str
    en: str

    def get(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en

    def as_dict(self) -> dict[str, str]:
        return {"nl": self.nl, "en": self.en}


@dataclass(frozen=True)
class Requirement:
    id: str
    standard: str
    standard_version: str
    level: str
    automation: str
    title: Title
    url: str
    legacy_id: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.standard, self.id)


@dataclass(frozen=True)
class ProfileRequirement:
    """A requirement as a profile includes it (its level may be set by the profile)."""

    requirement: Requirement
    level: str
    applies_if: str | None = None
    not_tested_reason: str | None = None


@dataclass(frozen=True)
class ProfileOption:
    name: str
    title: Title
    default: bool


@dataclass(frozen=True)
class Profile:
    id: str
    title: Title
    standard: str
    standard_version: str
    suites: tuple[str, ...]
    requirements: tuple[ProfileRequirement, ...]
    options: Mapping[str, ProfileOption] = field(default_factory=dict)
    needs: frozenset[str] = frozenset()
    source: Path | None = None
    # Its checks are independent of each other: `run --shard i/n` may split it.
    shardable: bool = False

    @property
    def requirement_keys(self) -> frozenset[tuple[str, str]]:
        return frozenset(r.requirement.key for r in self.requirements)


@cache
def _schema(name: str) -> Any:
    return json.loads((schemas_dir() / name).read_text(encoding="utf-8"))


@cache
def _fast_validator(name: str) -> Any:
    """The compiled (jsonschema-rs) validator of one of the shipped schemas: it only says
    whether a file is valid, and is already loaded by every command that reads a document."""
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(_schema(name))


@cache
def _validator(name: str) -> Any:
    """The validator that says what is wrong (jsonschema), used only for a file that is not
    valid: importing it costs a small command like `cgconform lint` more than its work."""
    import jsonschema

    return jsonschema.Draft202012Validator(_schema(name))


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        import yaml_rs  # compiled: a fraction of PyYAML's import and parse time

        return yaml_rs.loads(text, parse_datetime=False)
    except Exception:  # yaml-rs missing or refusing the text: PyYAML reads it or says why
        pass
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CatalogueError(f"{path}: not valid YAML{where}: {problem}") from None


def _validate(path: Path, data: Any, schema_name: str) -> None:
    try:
        if _fast_validator(schema_name).is_valid(data):
            return
    except ValueError:  # a value jsonschema-rs cannot take (e.g. a YAML date): ask jsonschema
        pass
    errors = sorted(_validator(schema_name).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = _field_path(first.absolute_path) or "(top level)"
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise CatalogueError(f"{path}: {where}: {first.message}{more}")


def _field_path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _title(data: Mapping[str, str]) -> Title:
    return Title(nl=data["nl"], en=data["en"])


@dataclass(frozen=True)
class Catalogue:
    """All requirements of all standard versions, keyed by (standard, version)."""

    by_version: Mapping[tuple[str, str], Mapping[str, Requirement]]

    def lookup(self, standard: str, version: str, req_id: str) -> Requirement | None:
        return self.by_version.get((standard, version), {}).get(req_id)

    def knows(self, standard: str, req_id: str) -> bool:
        return any(req_id in reqs for (std, _), reqs in self.by_version.items() if std == standard)


def load_catalogue(
    directory: Path | None = None, standards: Iterable[str] | None = None
) -> Catalogue:
    """The catalogues in ``profiles/standards/`` (only those of `standards` when given:
    files are named ``<STANDARD>-<version>.yaml``)."""
    base = (directory or profiles_dir()) / "standards"
    by_version: dict[tuple[str, str], dict[str, Requirement]] = {}
    paths = (
        sorted(base.glob("*.yaml"))
        if standards is None
        else sorted({p for std in standards for p in base.glob(f"{std}-*.yaml")})
    )
    for path in paths:
        data = _read_yaml(path)
        _validate(path, data, "catalogue.schema.json")
        std, version = data["standard"], data["standard_version"]
        reqs: dict[str, Requirement] = {}
        for i, item in enumerate(data["requirements"]):
            if item["id"] in reqs:
                raise CatalogueError(f"{path}: requirements[{i}].id: duplicate {item['id']!r}")
            reqs[item["id"]] = Requirement(
                id=item["id"],
                standard=std,
                standard_version=version,
                level=item["level"],
                automation=item["automation"],
                title=_title(item["title"]),
                url=item["url"],
                legacy_id=item.get("legacy_id"),
            )
        if (std, version) in by_version:
            raise CatalogueError(f"{path}: a second catalogue for {std} {version}")
        by_version[(std, version)] = reqs
    return Catalogue(by_version)


def resolve_version(wanted: str, supported: Sequence[str]) -> str | None:
    """`2.1` -> `2.1.0` when the profile supports 2.1.0; None when it supports no such version."""
    if wanted in supported:
        return wanted
    matches = [v for v in supported if v.startswith(wanted + ".")]
    return matches[0] if len(matches) == 1 else None


def _load_profile(
    path: Path, catalogue: Catalogue, versions: Mapping[str, str] | None = None
) -> Profile:
    data = _read_yaml(path)
    _validate(path, data, "profile.schema.json")
    if data["id"] != path.stem:
        raise CatalogueError(f"{path}: id: {data['id']!r} must equal the file name {path.stem!r}")
    std = data["standard"]
    supported = data.get("versions") or [data["standard_version"]]
    if data["standard_version"] not in supported:
        raise CatalogueError(f"{path}: standard_version: must be one of versions {supported}")
    for v in supported:
        if (std, v) not in catalogue.by_version:
            raise CatalogueError(
                f"{path}: versions: no catalogue for {std} {v} in profiles/standards/"
            )
    version = data["standard_version"]
    if versions and std in versions:
        chosen = resolve_version(versions[std], supported)
        if chosen is None:
            raise CatalogueError(
                f"profile {data['id']} does not support {std} {versions[std]} "
                f"(supported: {', '.join(supported)})"
            )
        version = chosen
    options = {
        name: ProfileOption(name=name, title=_title(opt["title"]), default=opt["default"])
        for name, opt in (data.get("options") or {}).items()
    }
    included: list[ProfileRequirement] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(data["requirements"]):
        req: Requirement | None
        if "standard" in item and item["standard"] != std:
            req = _foreign_requirement(path, i, item, catalogue)
        else:
            req = _own_requirement(path, i, item, catalogue, std, supported, version)
        if req is not None:  # None: the item is limited to other versions of the standard
            included.append(_include(path, i, item, req, options, seen))
    return Profile(
        id=data["id"],
        title=_title(data["title"]),
        standard=std,
        standard_version=version,
        suites=tuple(data["suites"]),
        requirements=tuple(included),
        options=options,
        needs=frozenset(data.get("needs") or ()),
        source=path,
        shardable=bool(data.get("shardable", False)),
    )


def _own_requirement(
    path: Path,
    i: int,
    item: Mapping[str, Any],
    catalogue: Catalogue,
    std: str,
    supported: Sequence[str],
    version: str,
) -> Requirement | None:
    """A requirement of the profile's standard at `version` (None: the item is limited to
    other versions); every version the item names must know it."""
    only = item.get("versions") or supported
    unknown = sorted(set(only) - set(supported))
    if unknown:
        raise CatalogueError(
            f"{path}: requirements[{i}].versions: {unknown} not among versions {supported}"
        )
    for v in only:
        if catalogue.lookup(std, v, item["id"]) is None:
            raise CatalogueError(
                f"{path}: requirements[{i}].id: {item['id']!r} is not in the {std} {v} catalogue"
            )
    return catalogue.lookup(std, version, item["id"]) if version in only else None


def _foreign_requirement(
    path: Path, i: int, item: Mapping[str, Any], catalogue: Catalogue
) -> Requirement:
    """A requirement of another standard than the profile's (e.g. Digikoppeling REST
    additions in an FSC profile), at the version the item names."""
    req = catalogue.lookup(item["standard"], item["standard_version"], item["id"])
    if req is None:
        raise CatalogueError(
            f"{path}: requirements[{i}].id: {item['id']!r} is not in the {item['standard']} "
            f"{item['standard_version']} catalogue"
        )
    return req


def _include(
    path: Path,
    i: int,
    item: Mapping[str, Any],
    req: Requirement,
    options: Mapping[str, ProfileOption],
    seen: set[tuple[str, str]],
) -> ProfileRequirement:
    """The requirement as the profile includes it: listed once, with a known option."""
    if req.key in seen:
        raise CatalogueError(f"{path}: requirements[{i}].id: {item['id']!r} listed twice")
    seen.add(req.key)
    applies_if = item.get("applies_if")
    if applies_if is not None and applies_if not in options:
        raise CatalogueError(
            f"{path}: requirements[{i}].applies_if: unknown option {applies_if!r} "
            f"(options: {', '.join(options) or 'none'})"
        )
    return ProfileRequirement(
        requirement=req,
        level=item.get("level", req.level),
        applies_if=applies_if,
        not_tested_reason=item.get("not_tested_reason"),
    )


def load_profiles(directory: Path | None = None) -> dict[str, Profile]:
    """Every profile in ``profiles/``, validated against the catalogue."""
    base = directory or profiles_dir()
    catalogue = load_catalogue(base)
    return {path.stem: _load_profile(path, catalogue) for path in sorted(base.glob("*.yaml"))}


def select_profiles(
    ids: Iterable[str],
    directory: Path | None = None,
    versions: Mapping[str, str] | None = None,
) -> list[Profile]:
    """The named profiles (only these are loaded), at the requested standard versions."""
    base = directory or profiles_dir()
    paths = []
    for pid in ids:
        path = base / f"{pid}.yaml"
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in base.glob("*.yaml"))) or "none"
            raise CatalogueError(f"unknown profile {pid!r} (known profiles: {known})")
        paths.append(path)
    standards = set()
    for path in paths:
        data = _read_yaml(path)
        if isinstance(data, dict) and isinstance(data.get("standard"), str):
            standards.add(data["standard"])
        for item in data.get("requirements") or [] if isinstance(data, dict) else []:
            if isinstance(item, dict) and isinstance(item.get("standard"), str):
                standards.add(item["standard"])
    catalogue = load_catalogue(base, standards)  # only what these profiles cite
    return [_load_profile(path, catalogue, versions) for path in paths]
