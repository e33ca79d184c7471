"""Where privmon keeps its data, and the settings every command shares."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_ROOT = (
    Path(__file__).resolve().parent.parent
)  # the folder that holds `monitor` (site-packages, a checkout)
# Installed, the agent's sources, the lab's Java sources and the profiles travel inside the package
# (setup.py copies them into monitor/_assets); in a checkout they are the checkout's own folders.
_PACKAGED = Path(__file__).resolve().parent / "_assets"
ASSETS_ROOT = _PACKAGED if _PACKAGED.is_dir() else PACKAGE_ROOT
HOOKS_DIR = ASSETS_ROOT / "hooks"
LAB_SOURCES_DIR = ASSETS_ROOT / "lab"
DEVICE_PROFILES_DIR = ASSETS_ROOT / "device_profiles"
APP_PROFILES_DIR = ASSETS_ROOT / "app_profiles"


@dataclass(frozen=True)
class EnvironmentVariable:
    name: str
    default: str
    help: str


# Every environment variable privmon reads, in one table (docs/settings.md shows it; a test checks
# that the code reads no other and that the docs match).
ENVIRONMENT = (
    EnvironmentVariable(
        "PRIVMON_HOME",
        "$XDG_DATA_HOME/privmon or ~/.local/share/privmon",
        "the data directory: the store, sessions' files, caches (same as --data-dir)",
    ),
    EnvironmentVariable("XDG_DATA_HOME", "~/.local/share", "where the default data directory goes"),
    EnvironmentVariable(
        "PRIVMON_LANG",
        "en",
        "what privmon prints, in en (English) or zh (Chinese): tables, progress, summaries, errors (same as "
        "--lang); stored data and exported files are not affected",
    ),
    EnvironmentVariable(
        "PRIVMON_NETWORKS_DB",
        "monitor/knowledge/networks/node_modules/@ip-location-db/asn",
        "the folder of the network-owner (ASN) tables that name receivers no list knows (installed by make "
        "setup)",
    ),
    EnvironmentVariable("PRIVMON_REVIEWER", "the login name", "who `privmon review` records as the reviewer"),
    EnvironmentVariable(
        "PRIVMON_TESTER", "the login name", "who a run records as its tester (the report's cover)"
    ),
    EnvironmentVariable(
        "PRIVMON_BROKER",
        "redis://127.0.0.1:6379/0",
        "the farm's Celery broker, for `privmon worker` and `privmon submit` (same as --broker)",
    ),
    EnvironmentVariable("PRIVMON_DASHBOARD_TOKEN", "a new random token", "the dashboard's access token"),
    EnvironmentVariable("PRIVMON_DEBUG", "unset", "set: errors end with their traceback instead of one line"),
    EnvironmentVariable(
        "ANDROID_SERIAL", "unset", "the phone to use when several are connected (as adb reads it)"
    ),
    EnvironmentVariable("ANDROID_ADB_SERVER_PORT", "5037", "the adb server's port (as adb reads it)"),
    EnvironmentVariable(
        "PRIVMON_DEVICE_TESTS",
        "unset",
        "tests only: set by `make test-device` to run the tests that need a phone",
    ),
    EnvironmentVariable(
        "PRIVMON_TEST_PACKAGE", "com.android.settings", "tests only: the installed app the phone tests run"
    ),
    EnvironmentVariable(
        "PRIVMON_LAB_FS",
        "set by each lab run",
        "the lab device's identifier files, for its shell commands (lab/android/bin); never set it yourself",
    ),
    EnvironmentVariable(
        "PRIVMON_LAB_SYSTEM_PROPERTIES",
        "set by each lab run",
        "the lab device's system properties, for its getprop and bionic library; never set it yourself",
    ),
)
_KNOWN = {v.name for v in ENVIRONMENT}


def env(name: str) -> str | None:
    """An environment variable of the table above (None when unset or empty)."""
    if name not in _KNOWN:
        raise KeyError(f"{name} is not in config.ENVIRONMENT")
    return os.environ.get(name) or None


def default_home() -> Path:
    home = env("PRIVMON_HOME")
    if home:
        return Path(home).expanduser()
    xdg = env("XDG_DATA_HOME")
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
