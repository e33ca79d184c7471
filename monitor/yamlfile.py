"""Profiles are YAML files found by name in a folder or given as a path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def load_named_yaml(
    name_or_path: str | Path, folder: Path, what: str, error: type[Exception]
) -> tuple[Path, Any]:
    """(path, parsed YAML); `error` with a one-line message when missing or unreadable."""
    path = Path(name_or_path)
    if not path.suffix:
        path = folder / f"{name_or_path}.yaml"
    if not path.exists():
        raise error(f"no {what} {str(name_or_path)!r} (looked for {path})")
    try:
        return path, yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise error(f"{path}: not valid YAML: {exc}") from exc
