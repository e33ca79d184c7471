"""Where privmon keeps its data, and the settings every command shares."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # the folder that holds `monitor` (site-packages, a checkout)
# Installed, the agent's sources, the lab's Java sources and the profiles travel inside the package
# (setup.py copies them into monitor/_assets); in a checkout they are the checkout's own folders.
_PACKAGED = Path(__file__).resolve().parent / "_assets"
ASSETS_ROOT = _PACKAGED if _PACKAGED.is_dir() else PACKAGE_ROOT
HOOKS_DIR = ASSETS_ROOT / "hooks"
LAB_SOURCES_DIR = ASSETS_ROOT / "lab"
DEVICE_PROFILES_DIR = ASSETS_ROOT / "device_profiles"
APP_PROFILES_DIR = ASSETS_ROOT / "app_profiles"


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
