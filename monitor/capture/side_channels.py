"""The side-channel rules of the hook catalogue (`side_channels:` in hooks/catalogue.yaml): files,
system properties and commands whose reads no Java API hook sees. Expanded here into flat rules
the agent (hooks/src/sidechannel.ts) matches natively; the agent never reads the YAML."""

from __future__ import annotations

import re
from pathlib import Path

from .catalogue import CATALOGUE_PATH, CatalogueError, load_file

KINDS = {"file": "paths", "property": "names", "command": "commands"}
FIELDS = {"kind", "pi_category", "pi_type", "sensitive", "extract", *KINDS.values()}
DEDUP_WINDOW_MS = 10_000  # one read per path (or name, or command) per caller within this window


def glob_regex(pattern: str, kind: str) -> str:
    """A glob as an anchored regular expression (JavaScript and Python alike). In paths `*` stays
    within one segment and `**` crosses them; in names and commands `*` matches anything."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*" if kind == "file" else ".*")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "^" + "".join(out) + "$"


def literal_prefix(pattern: str) -> str:
    """What every match starts with: the agent's native filter compares only this."""
    return pattern.split("*", 1)[0]


def expand_side_channels(data: dict, source: str) -> list[dict]:
    rules = []
    for index, group in enumerate(data.get("side_channels") or []):
        where = f"{source}: side_channels[{index}]"
        if not isinstance(group, dict):
            raise CatalogueError(f"{where}: a side-channel rule is a mapping")
        unknown = set(group) - FIELDS
        if unknown:
            raise CatalogueError(f"{where}: unknown fields {sorted(unknown)}")
        kind = group.get("kind")
        if kind not in KINDS:
            raise CatalogueError(f"{where}: kind must be one of {sorted(KINDS)} (has {kind!r})")
        if not group.get("pi_category") or not group.get("pi_type"):
            raise CatalogueError(f"{where}: needs pi_category and pi_type")
        patterns = group.get(KINDS[kind])
        if (
            not patterns
            or not isinstance(patterns, list)
            or not all(isinstance(p, str) and p for p in patterns)
        ):
            raise CatalogueError(f"{where}: a {kind} rule needs a list of {KINDS[kind]}")
        extract = group.get("extract")
        if extract is not None:
            try:
                if re.compile(extract).groups < 1:
                    raise CatalogueError(f"{where}: extract needs one group (the value)")
            except re.error as exc:
                raise CatalogueError(f"{where}: extract is not a regular expression: {exc}") from exc
        for pattern in patterns:
            if kind == "file" and not pattern.startswith("/"):
                raise CatalogueError(f"{where}: {pattern!r} is not an absolute path")
            rules.append(
                {
                    "id": f"{kind}:{pattern}",
                    "kind": kind,
                    "pattern": pattern,
                    "regex": glob_regex(pattern, kind),
                    "prefix": literal_prefix(pattern),
                    "pi_category": group["pi_category"],
                    "pi_type": group["pi_type"],
                    "sensitive": bool(group.get("sensitive", False)),
                    "extract": extract,
                }
            )
    ids = [r["id"] for r in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise CatalogueError(f"{source}: side-channel patterns listed twice: {duplicates}")
    return rules


def load_side_channels(extra: Path | None = None) -> list[dict]:
    """The built-in side-channel rules, then an extra catalogue file's (checked first: in order)."""
    rules = []
    if extra is not None:
        rules += expand_side_channels(load_file(extra), str(extra))
    rules += expand_side_channels(load_file(CATALOGUE_PATH), CATALOGUE_PATH.name)
    seen, out = set(), []
    for rule in rules:
        if rule["id"] not in seen:
            seen.add(rule["id"])
            out.append(rule)
    return out


def side_options(
    rules: list[dict], path_map: dict | None = None, started_by: list[str] | None = None
) -> dict:
    """hooks/src/sidechannel.ts SideOptions. `path_map` (the lab only): {"root": DIR, "prefixes":
    [...]}: an open of a path under one of the prefixes opens DIR + path instead (missing: ENOENT),
    so the host's own identifier files are never read. `started_by`: in a child process, the stack
    of the code that started it, which its reads without a Java stack are blamed on."""
    return {"rules": rules, "window_ms": DEDUP_WINDOW_MS, "path_map": path_map, "started_by": started_by}
