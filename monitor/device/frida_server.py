"""frida-server on the phone: found, checked against the host's frida version and the phone's ABI,
pushed from a local file or the cache (downloaded only when asked), started as root."""

from __future__ import annotations

import lzma
import shlex
import struct
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .adb import Phone
from .devices import DeviceError
from .journal import Journal

REMOTE_DIR = "/data/local/tmp"
ELF_MACHINE_ABI = {183: "arm64-v8a", 40: "armeabi-v7a", 62: "x86_64", 3: "x86"}
ABI_ARCH = {"arm64-v8a": "arm64", "armeabi-v7a": "arm", "x86_64": "x86_64", "x86": "x86"}
RELEASE_URL = "https://github.com/frida/frida/releases/download/{v}/frida-server-{v}-android-{arch}.xz"


@dataclass
class FridaServerState:
    path: str
    present: bool
    version: str | None
    running: bool
    detail: str = ""


def host_version() -> str:
    from ..capture.android import host_frida_version

    return host_frida_version()


def elf_abi(data: bytes) -> str | None:
    if data[:4] != b"\x7fELF" or len(data) < 20:
        return None
    return ELF_MACHINE_ABI.get(struct.unpack_from("<H", data, 18)[0])


def state(phone: Phone, name: str = "frida-server") -> FridaServerState:
    path = f"{REMOTE_DIR}/{name}"
    present = phone.exists(path)
    version, detail = None, ""
    if present:
        out = phone.shell(f"{shlex.quote(path)} --version").strip()
        if out and out[0].isdigit():
            version = out.split()[0]
        else:
            detail = out.splitlines()[-1][:200] if out else "no version printed"
    running = bool(phone.shell(f"pidof {shlex.quote(name)}").strip())
    return FridaServerState(path, present, version, running, detail)


def cached_binary(cache_dir: Path, abi: str, version: str) -> Path:
    return cache_dir / "frida-server" / f"frida-server-{version}-android-{ABI_ARCH.get(abi, abi)}"


def load_binary(local: Path | None, cache_dir: Path, abi: str, version: str, download: bool) -> bytes:
    """The frida-server to push: --frida-server FILE (.xz accepted), else the cache, else (with
    --download) the release for this version and ABI."""
    if local is not None:
        try:
            data = local.read_bytes()
        except OSError as exc:
            raise DeviceError(f"--frida-server {local}: {exc.strerror or exc}") from exc
        if local.suffix == ".xz":
            try:
                data = lzma.decompress(data)
            except lzma.LZMAError as exc:
                raise DeviceError(f"--frida-server {local}: not a valid .xz file ({exc})") from exc
    else:
        cached = cached_binary(cache_dir, abi, version)
        if cached.exists():
            data = cached.read_bytes()
        elif download:
            data = _download(cached, abi, version)
        else:
            raise DeviceError(
                f"no frida-server {version} for {abi}: give one with --frida-server FILE, put it at "
                f"{cached}, or add --download (needs internet)"
            )
    found = elf_abi(data)
    if found is None:
        raise DeviceError("the frida-server file is not an ELF program")
    if found != abi:
        raise DeviceError(
            f"the frida-server file is built for {found}, the phone is {abi}: use "
            f"frida-server-{version}-android-{ABI_ARCH.get(abi, abi)}"
        )
    return data


def _download(cached: Path, abi: str, version: str) -> bytes:
    url = RELEASE_URL.format(v=version, arch=ABI_ARCH.get(abi, abi))
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            data = lzma.decompress(response.read(64 * 1024 * 1024))
    except (urllib.error.URLError, OSError, lzma.LZMAError) as exc:
        raise DeviceError(f"could not download {url} ({exc}); offline? give --frida-server FILE") from exc
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(data)
    return data


def install(phone: Phone, data: bytes, name: str) -> None:
    """Push (replacing an older one); the binary stays on the phone after privmon ends, on purpose."""
    path = f"{REMOTE_DIR}/{name}"
    phone.push(data, path, mode=0o755)
    phone.shell(f"chmod 755 {shlex.quote(path)}")


def start(phone: Phone, journal: Journal, name: str, port: int | None) -> None:
    path = f"{REMOTE_DIR}/{name}"
    listen = f" -l 0.0.0.0:{int(port)}" if port else ""
    with journal.change(f"started {name}", {"op": "kill", "name": name}):
        phone.root(f"{shlex.quote(path)} -D{listen} > /dev/null 2>&1 &")
