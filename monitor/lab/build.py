"""Compiles the lab's Java sources (Android stand-ins and lab apps) with the JDK, cached by the
hash of their sources."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import subprocess
from pathlib import Path

from ..config import LAB_SOURCES_DIR
from .dns import LabDns, LabDnsError

STANDINS_SRC = LAB_SOURCES_DIR / "android" / "src"
APPS_DIR = LAB_SOURCES_DIR / "apps"


class LabError(RuntimeError):
    pass


def find_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise LabError(
            f"`{name}` not found: install a JDK (Debian: default-jdk-headless; `make setup` does it)"
        )
    return path


def _hash_sources(*dirs: Path) -> str:
    digest = hashlib.sha256()
    for d in dirs:
        for path in sorted(d.rglob("*.java")):
            digest.update(str(path.relative_to(d)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _scratch(out: Path) -> Path:
    """A build's own scratch folder beside `out` (runs that share a data dir build at once)."""
    tmp = out.with_name(f"{out.name}.tmp-{os.getpid()}-{secrets.token_hex(3)}")
    tmp.mkdir(parents=True)
    return tmp


def _publish(tmp: Path, out: Path) -> Path:
    """Moves a finished build into place; when another run published the same build first, its
    copy is kept (the name is the sources' digest: both are the same)."""
    try:
        tmp.replace(out)
    except OSError:
        if not out.is_dir():
            raise
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _javac(sources_dir: Path, out_dir: Path, classpath: list[Path]) -> Path:
    if out_dir.exists():
        return out_dir
    sources = sorted(str(p) for p in sources_dir.rglob("*.java"))
    if not sources:
        raise LabError(f"no Java sources under {sources_dir}")
    tmp = _scratch(out_dir)
    cmd = [find_tool("javac"), "-encoding", "UTF-8", "--release", "17", "-d", str(tmp)]
    if classpath:
        cmd += ["-cp", ":".join(str(p) for p in classpath)]
    proc = subprocess.run(cmd + sources, capture_output=True, text=True)
    if proc.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise LabError(f"javac failed for {sources_dir}:\n{proc.stderr.strip()}")
    return _publish(tmp, out_dir)


def build_standins(cache_dir: Path) -> Path:
    """The compiled Android stand-ins plus the lab runtime (privmon.lab.*)."""
    return _javac(STANDINS_SRC, cache_dir / "lab" / f"standins-{_hash_sources(STANDINS_SRC)}", [])


def build_app(cache_dir: Path, name: str) -> tuple[Path, Path]:
    """Returns (stand-ins classes, app classes) for the lab app lab/apps/<name>. Classes under
    lab/apps/<name>/absent are compiled against but never shipped: the API of another Android
    version, or hidden classes, which the device does not have (NoClassDefFoundError at run time)."""
    src = APPS_DIR / name / "src"
    if not src.is_dir():
        available = sorted(p.name for p in APPS_DIR.iterdir() if (p / "src").is_dir())
        raise LabError(f"no lab app {name!r} (available: {', '.join(available)})")
    standins = build_standins(cache_dir)
    classpath, sources = [standins], [STANDINS_SRC, src]
    absent = APPS_DIR / name / "absent"
    if absent.is_dir():
        out = cache_dir / "lab" / f"absent-{name}-{_hash_sources(STANDINS_SRC, absent)}"
        classpath.append(_javac(absent, out, [standins]))
        sources.append(absent)
    return standins, _javac(src, cache_dir / "lab" / f"app-{name}-{_hash_sources(*sources)}", classpath)


def build_plugin(cache_dir: Path, name: str) -> Path | None:
    """Classes of lab/apps/<name>/sdk, kept off the app's class path: the app loads them at run
    time with its own class loader (passed to it as -Dprivmon.lab.pluginDir)."""
    src = APPS_DIR / name / "sdk"
    if not src.is_dir():
        return None
    standins = build_standins(cache_dir)
    return _javac(src, cache_dir / "lab" / f"plugin-{name}-{_hash_sources(STANDINS_SRC, src)}", [standins])


def load_lab_dns() -> LabDns:
    """lab/dns.yaml: each host's loopback address in the lab and the server address it stands for."""
    import yaml

    path = LAB_SOURCES_DIR / "dns.yaml"
    try:
        return LabDns.parse(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (LabDnsError, ValueError, yaml.YAMLError) as exc:
        raise LabError(f"{path}: {exc}") from exc


def lab_main_class(name: str) -> str:
    return (APPS_DIR / name / "main-class").read_text(encoding="utf-8").strip()


def lab_app_dir(name: str) -> Path:
    return APPS_DIR / name


def lab_neighbour_class(name: str) -> str | None:
    """The main class of the lab app's neighbour (lab/apps/NAME/neighbour), if it has one: another
    app's process, run beside it on the same proxy but not under the agent."""
    path = APPS_DIR / name / "neighbour"
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


def lab_app_for_package(package: str) -> tuple[str, str]:
    """The lab app (name, main class) standing for `package` on the simulated phone."""
    for app_dir in sorted(APPS_DIR.iterdir()):
        if (app_dir / "main-class").exists():
            main = lab_main_class(app_dir.name)
            if main.rpartition(".")[0] == package:
                return app_dir.name, main
    raise LabError(f"no lab app stands for {package} on the simulated phone (lab/apps/*/main-class)")


NATIVE_SRC = LAB_SOURCES_DIR / "android" / "native"
LAB_BIN = LAB_SOURCES_DIR / "android" / "bin"  # the lab device's shell commands (getprop, pm, cat…)


def _jni_include() -> list[str]:
    home = Path(find_tool("javac")).resolve().parent.parent
    return ["-I", str(home / "include"), "-I", str(home / "include" / "linux")]


def build_native(cache_dir: Path, name: str | None) -> Path:
    """The lab device's native libraries (lab/android/native: bionic's system properties) and the
    app's own (lab/apps/<name>/native/*.c, each lib<stem>.so; native/programs/*.c, programs the
    app starts, on OpenSSL) in one folder, compiled with gcc and linked against each other as on a
    phone; the JVM finds them by java.library.path, the app its programs by privmon.lab.nativeDir."""
    app_native = APPS_DIR / (name or "-") / "native"
    programs = sorted((app_native / "programs").glob("*.c"))
    dirs = [NATIVE_SRC] + ([app_native, app_native / "programs"] if app_native.is_dir() else [])
    digest = hashlib.sha256()
    for d in dirs:
        for path in sorted(d.glob("*.c")):
            digest.update(path.name.encode() + path.read_bytes())
    out = cache_dir / "lab" / f"native-{name or 'device'}-{digest.hexdigest()[:16]}"
    if out.exists():
        return out
    gcc = shutil.which("gcc")
    if gcc is None:
        raise LabError(
            "`gcc` not found: the lab's native libraries need it (Debian: gcc; `make setup` does it)"
        )
    tmp = _scratch(out)
    commands = [
        [
            gcc,
            "-shared",
            "-fPIC",
            "-O1",
            "-o",
            str(tmp / "libprivmon-bionic.so"),
            str(NATIVE_SRC / "privmon_bionic.c"),
        ]
    ]
    for source in sorted(app_native.glob("*.c")) if app_native.is_dir() else []:
        commands.append(
            [
                gcc,
                "-shared",
                "-fPIC",
                "-O1",
                *_jni_include(),
                "-o",
                str(tmp / f"lib{source.stem}.so"),
                str(source),
                "-L",
                str(tmp),
                "-lprivmon-bionic",
                "-Wl,-rpath,$ORIGIN",
            ]
        )
    for source in programs:  # an SDK's own native programs the app starts, on the system OpenSSL
        commands.append([gcc, "-O1", "-o", str(tmp / source.stem), str(source), "-lssl", "-lcrypto"])
    for cmd in commands:
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            raise LabError(f"gcc failed ({' '.join(cmd)}):\n{proc.stderr.strip()}")
    return _publish(tmp, out)
