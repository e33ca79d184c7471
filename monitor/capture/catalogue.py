"""The declarative hook catalogue (hooks/catalogue.yaml), shared by the agent and the host.

Groups are expanded here into flat entries; the agent receives the entries and the URI
authority table and never reads the YAML itself.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from ..config import HOOKS_DIR

CATALOGUE_PATH = HOOKS_DIR / "catalogue.yaml"
INHERITED = (
    "pi_category",
    "pi_type",
    "sensitive",
    "permission",
    "signal",
    "when",
    "classify",
    "ret",
    "self",
    "skip_callers",
    "consent_arg",
    "output",
)
KNOWN_FIELDS = {"id", "class", "method", *INHERITED}
SIGNALS = {
    "click",
    "dialog",
    "pref_write",
    "sdk_consent",
    "sdk_init",
    "permission_request",
    "permission_result",
    "permission_check",
    "lifecycle",
    "screen_state",
    "start_component",
    "wakeup",
    "crypto",
    "encoding",
    "http_request",
    "crash",
    "storage_write",
    "app_exit",
}


class CatalogueError(ValueError):
    pass


def expand(data: dict, source: str = "catalogue") -> list[dict]:
    entries: list[dict] = []
    for group in data.get("groups", []):
        cls = group.get("class")
        methods = group.get("methods")
        if not cls or not isinstance(methods, dict):
            raise CatalogueError(f"{source}: a group needs a class and a methods mapping: {group!r}")
        for method, overrides in methods.items():
            overrides = overrides or {}
            unknown = set(overrides) - KNOWN_FIELDS
            if unknown:
                raise CatalogueError(f"{source}: {cls}.{method}: unknown fields {sorted(unknown)}")
            entry = {"class": cls, "method": method}
            for key in INHERITED:
                if key in overrides:
                    entry[key] = overrides[key]
                elif key in group:
                    entry[key] = group[key]
            entry["id"] = overrides.get("id", f"{cls}.{method}")
            entry.setdefault("sensitive", False)
            entry.setdefault("permission", None)
            _check(entry, source)
            entries.append(entry)
    ids = [e["id"] for e in entries]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise CatalogueError(f"{source}: duplicate entry ids {sorted(duplicates)}")
    return entries


def _check(entry: dict, source: str) -> None:
    where = f"{source}: {entry['id']}"
    kinds = [k for k in ("pi_category", "signal", "classify") if entry.get(k)]
    if len(kinds) != 1:
        raise CatalogueError(f"{where}: needs exactly one of pi_category, signal or classify (has {kinds})")
    if entry.get("pi_category") and not entry.get("pi_type"):
        raise CatalogueError(f"{where}: pi_category without pi_type")
    if entry.get("output") not in (None, "process"):
        raise CatalogueError(f"{where}: output must be 'process' (has {entry['output']!r})")
    if entry.get("signal") and entry["signal"] not in SIGNALS:
        raise CatalogueError(f"{where}: unknown signal {entry['signal']!r}")


def load_file(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: cannot read the hook catalogue: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogueError(f"{path}: a hook catalogue is a mapping with 'groups'")
    return data


@lru_cache(maxsize=1)
def _builtin() -> tuple[list[dict], dict, list[dict]]:
    data = load_file(CATALOGUE_PATH)
    return expand(data, CATALOGUE_PATH.name), data.get("authorities", {}), data.get("not_hooked", [])


def load_catalogue(extra: Path | None = None) -> list[dict]:
    """The built-in entries, plus those of an extra catalogue file (same format) if given."""
    entries = [dict(e) for e in _builtin()[0]]
    if extra is not None:
        added = expand(load_file(extra), str(extra))
        clash = {e["id"] for e in added} & {e["id"] for e in entries}
        if clash:
            raise CatalogueError(f"{extra}: entries already in the built-in catalogue: {sorted(clash)}")
        entries += added
    return entries


def authorities() -> dict[str, dict]:
    return dict(_builtin()[1])


def not_hooked() -> list[dict]:
    return list(_builtin()[2])
