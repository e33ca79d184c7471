"""Where privmon keeps its data, and the settings every command shares."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
HOOKS_DIR = REPO_ROOT / "hooks"
LAB_SOURCES_DIR = REPO_ROOT / "lab"


def default_home() -> Path:
    env = os.environ.get("PRIVMON_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "privmon"


@dataclass(frozen=True)
class Settings:
    home: Path

    @classmethod
    def load(cls, data_dir: str | os.PathLike | None = None) -> "Settings":
        home = Path(data_dir).expanduser() if data_dir else default_home()
        home.mkdir(parents=True, exist_ok=True)
        return cls(home=home.resolve())

    @property
    def db_path(self) -> Path:
        return self.home / "privmon.sqlite3"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    @property
    def cache_dir(self) -> Path:
        path = self.home / "cache"
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def mitmproxy_confdir(self) -> Path:
        path = self.home / "mitmproxy"
        path.mkdir(parents=True, exist_ok=True)
        return path
