"""App profiles (app_profiles/*.yaml): what is known about the app under test — its own domains,
what its privacy policy declares, whom it is directed at — and per-rule parameter overrides.

A session keeps the profile it was analysed with in its metadata, so re-analysis is repeatable.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .config import APP_PROFILES_DIR
from .yamlfile import load_named_yaml

PROFILES_DIR = APP_PROFILES_DIR


class AppProfileError(ValueError):
    pass


@dataclass
class AppProfile:
    package: str
    name: str = ""
    own_domains: list[str] = field(default_factory=list)  # registrable domains of the first party
    children: bool = False  # directed at children under 14 (CHILD; COLLECTION rules tighten)
    jurisdiction: str = "CN"  # ISO country code the transfer rules judge against
    # The privacy policy and its two lists; None means "not given" (COLLECTION_BEYOND_DECLARED is
    # then silent).
    declared_collected: list[str] | None = None  # PI categories or types
    declared_shared: list[str] | None = None  # third parties: SDK names, companies or registrable domains
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)  # rule id → parameter overrides
    agree_texts: list[str] = field(default_factory=list)  # more button texts that mean agree (consent.py)
    refuse_texts: list[str] = field(default_factory=list)

    def to_meta(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_meta(cls, data: dict[str, Any] | None, package: str) -> "AppProfile":
        if not data:
            return cls(package=package)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def _strings(path: Path, key: str, value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        raise AppProfileError(f"{path}: '{key}' must be a list of names")
    return [str(v) for v in value]


def parse_profile(path: Path, data: Any) -> AppProfile:
    if not isinstance(data, dict) or not isinstance(data.get("package"), str):
        raise AppProfileError(f"{path}: an app profile is a mapping with at least a 'package'")
    known = set(AppProfile.__dataclass_fields__)
    unknown = set(data) - known
    if unknown:
        raise AppProfileError(f"{path}: unknown fields {sorted(unknown)} (known: {sorted(known)})")
    rules = data.get("rules") or {}
    if not isinstance(rules, dict) or not all(isinstance(v, dict) for v in rules.values()):
        raise AppProfileError(f"{path}: 'rules' maps rule ids to mappings of parameters")
    from .analysis.rule_catalogue import RULES

    for rule_id, params in rules.items():
        rule = RULES.get(rule_id)
        if rule is None:
            raise AppProfileError(f"{path}: no rule {rule_id!r} (see docs/rules.md)")
        bad = set(params) - set(rule.parameters)
        if bad:
            raise AppProfileError(
                f"{path}: rule {rule_id} has no parameters {sorted(bad)} "
                f"(it has: {sorted(rule.parameters) or 'none'})"
            )
    jurisdiction = str(data.get("jurisdiction") or "CN").upper()
    if len(jurisdiction) != 2 or not jurisdiction.isalpha():
        raise AppProfileError(f"{path}: 'jurisdiction' is a two-letter country code, e.g. CN")
    return AppProfile(
        package=data["package"],
        name=str(data.get("name") or ""),
        own_domains=[
            d.lower().lstrip(".") for d in _strings(path, "own_domains", data.get("own_domains")) or []
        ],
        children=bool(data.get("children", False)),
        jurisdiction=jurisdiction,
        declared_collected=_strings(path, "declared_collected", data.get("declared_collected")),
        declared_shared=_strings(path, "declared_shared", data.get("declared_shared")),
        rules={k: dict(v) for k, v in rules.items()},
        agree_texts=_strings(path, "agree_texts", data.get("agree_texts")) or [],
        refuse_texts=_strings(path, "refuse_texts", data.get("refuse_texts")) or [],
    )


def load_app_profile(name_or_path: str | Path) -> AppProfile:
    path, data = load_named_yaml(name_or_path, PROFILES_DIR, "app profile", AppProfileError)
    return parse_profile(path, data)


def profile_for_package(package: str, directory: Path = PROFILES_DIR) -> AppProfile:
    """The profile in app_profiles/ whose `package` is this one, or a bare default."""
    if directory.is_dir():
        for path in sorted(directory.glob("*.yaml")):
            profile = load_app_profile(path)
            if profile.package == package:
                return profile
    return AppProfile(package=package)


def resolve(option: str | None, package: str) -> AppProfile:
    return load_app_profile(option) if option else profile_for_package(package)


def vocabulary_for(profile: AppProfile | None):
    from .consent import DEFAULT_VOCABULARY

    if profile is None:
        return DEFAULT_VOCABULARY
    return DEFAULT_VOCABULARY.extended(profile.agree_texts, profile.refuse_texts)
