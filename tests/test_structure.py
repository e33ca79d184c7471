"""The boundaries of docs/architecture.md, checked on the source: who may import whom."""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    """Every module a file imports (relative imports resolved against its package), at any depth."""
    package = ".".join(path.relative_to(REPO).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _files(*folders: str) -> list[Path]:
    return [p for folder in folders for p in sorted((REPO / folder).rglob("*.py"))]


def _offenders(folders: tuple[str, ...], forbidden: str) -> list[str]:
    return [
        str(p.relative_to(REPO))
        for p in _files(*folders)
        if any(m == forbidden or m.startswith(forbidden + ".") for m in _imports(p))
    ]


def test_capture_and_storage_do_not_analyse():
    assert _offenders(("monitor/capture", "monitor/storage"), "monitor.analysis") == []


def test_readers_show_what_the_analysis_stored():
    assert _offenders(("dashboard", "monitor/evidence"), "monitor.analysis") == []


def test_only_capture_imports_frida():
    users = [p for p in _offenders(("monitor", "dashboard", "addons"), "frida")]
    assert users and all(p.startswith("monitor/capture/") for p in users), users


def test_the_command_modules_have_no_cycle():
    def commands(path: Path) -> set[str]:
        return {
            m
            for m in _imports(path)
            if m in ("monitor.cli", "monitor.cli_device") or m.startswith("monitor.cli.")
        }

    assert commands(REPO / "monitor" / "cli_device.py") == set()
    assert commands(REPO / "monitor" / "cli_base.py") == set()


def test_one_orchestrator():
    """Only monitor/run/ drives a capture: nothing else builds the proxy host or a hook runner."""
    drivers = set(_offenders(("monitor", "dashboard", "addons"), "monitor.capture.proxy.ProxyHost"))
    drivers |= set(_offenders(("monitor", "dashboard", "addons"), "monitor.capture.hook_runner.HookRunner"))
    drivers.discard("monitor/device/doctor.py")  # its probe proxy captures nothing
    assert drivers and all(p.startswith(("monitor/run/", "monitor/capture/")) for p in drivers), drivers


def test_every_environment_variable_is_in_the_settings_table_and_its_docs():
    import re

    from monitor.config import ENVIRONMENT

    names = {v.name for v in ENVIRONMENT}
    used = set()
    for path in _files("monitor", "dashboard", "addons", "tests"):
        used |= set(re.findall(r"\b((?:PRIVMON|ANDROID)_[A-Z_]+)\b", path.read_text(encoding="utf-8")))
    used -= {
        "PRIVMON_LAB",
        "PRIVMON_BENCH",
        "ANDROID_ID",
    }  # output markers and a test constant, not variables
    assert used <= names, used - names
    docs = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([A-Z_]+)` \| (.+?) \| (.+?) \|$", docs, re.M)
    assert [(n, d, h) for n, d, h in rows] == [(v.name, v.default, v.help) for v in ENVIRONMENT]
