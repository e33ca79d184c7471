"""What a run records about the phone and the app: identifiers (added to the session's watchlist),
build facts, and the app's version, installer and APK SHA-256."""

from __future__ import annotations

import re
import shlex
from typing import Callable

import yaml

from .adb import Phone
from .devices import DeviceError

PARCEL_WORD = re.compile(r"\b([0-9a-f]{8})\b")


def parse_parcel_string(text: str) -> str | None:
    """The String16 in `service call` output ("Result: Parcel(0x…: 00000000 0000000f 00360038 …')")."""
    if "Parcel" not in text:
        return None
    words = []
    for line in text.splitlines():
        words += PARCEL_WORD.findall(
            line.split("'")[0].split(":", 1)[-1] if ":" in line else line.split("'")[0]
        )
    if len(words) < 3 or words[0] != "00000000":
        return None
    length = int(words[1], 16)
    raw = b"".join(int(w, 16).to_bytes(4, "little") for w in words[2:])
    value = raw[: length * 2].decode("utf-16-le", "replace")
    return value if length and value.isprintable() else None


def read_identifiers(phone: Phone, props: dict[str, str]) -> dict[str, str]:
    """Every identifier this phone gives up over adb (root widens the list); missing ones are left
    out. `props`: the phone's system properties (Phone.props(), read once for these and the build)."""
    ids: dict[str, str] = {}

    def keep(key: str, value: str | None) -> None:
        value = (value or "").strip()
        if value and value not in ("null", "unknown", "02:00:00:00:00:00") and "denial" not in value.lower():
            ids[key] = value

    android_id, bluetooth = _each(
        phone.shell, "settings get secure android_id", "settings get secure bluetooth_address"
    )
    keep("android_id", android_id)
    keep("serial", props.get("ro.serialno"))
    keep("bluetooth_mac", bluetooth)
    if phone.root_form is not None:
        serial, mac, imei, prefs = _each(
            phone.root,
            "getprop ro.boot.serialno",  # readable by root only on some builds
            "cat /sys/class/net/wlan0/address",
            "service call iphonesubinfo 1 s16 com.android.shell",
            "cat /data/data/com.google.android.gms/shared_prefs/adid_settings.xml",
        )
        if "serial" not in ids:
            keep("serial", serial)
        keep("wifi_mac", mac if re.fullmatch(r"[0-9a-fA-F:]{17}", mac.strip()) else None)
        keep("imei", parse_parcel_string(imei))
        match = re.search(r'name="adid_key">([^<]+)<', prefs)
        keep("advertising_id", match.group(1) if match else None)
    return ids


SEPARATOR = "@@privmon-next@@"


def _each(run: Callable[[str], str], *commands: str) -> list[str]:
    """Each command's output, from one shell (one adb round trip instead of one per command)."""
    said = run(f"; echo {SEPARATOR}; ".join(f"{command} 2>/dev/null" for command in commands))
    parts = said.split(SEPARATOR)
    return ([part.strip("\r\n") for part in parts] + [""] * len(commands))[: len(commands)]


def read_build(props: dict[str, str]) -> dict[str, str]:
    keys = {
        "manufacturer": "ro.product.manufacturer",
        "model": "ro.product.model",
        "android_version": "ro.build.version.release",
        "sdk": "ro.build.version.sdk",
        "abi": "ro.product.cpu.abi",
        "fingerprint": "ro.build.fingerprint",
    }
    return {k: v for k, prop in keys.items() if (v := props.get(prop))}


def app_metadata(phone: Phone, package: str) -> dict:
    paths = [
        line.split(":", 1)[1].strip()
        for line in phone.shell(f"pm path {shlex.quote(package)}").splitlines()
        if line.startswith("package:")
    ]
    if not paths:
        raise DeviceError(
            f"{package} is not installed on {phone.serial} (`adb shell pm list packages` lists what is; "
            "or give --apk FILE)"
        )
    dump = phone.shell(f"dumpsys package {shlex.quote(package)}")

    def field(name: str) -> str | None:
        match = re.search(rf"\b{name}=(\S+)", dump)
        return match.group(1) if match and match.group(1) != "null" else None

    base = next((p for p in paths if p.endswith("/base.apk")), paths[0])
    digest = phone.shell(f"sha256sum {shlex.quote(base)}").split()
    code = field("versionCode")
    return {
        "package": package,
        "version_name": field("versionName"),
        "version_code": int(code) if code and code.isdigit() else code,
        "installer": field("installerPackageName"),
        "apk_paths": paths,
        "apk_sha256": digest[0] if digest and re.fullmatch(r"[0-9a-f]{64}", digest[0]) else None,
    }


def capture_profile(phone: Phone, name: str) -> tuple[str, list[str]]:
    """A device profile's YAML for this phone, and the identifiers it could not read."""
    props = phone.props()
    ids = read_identifiers(phone, props)
    missing = [
        k
        for k in ("android_id", "serial", "imei", "wifi_mac", "bluetooth_mac", "advertising_id")
        if k not in ids
    ]
    data = {
        "name": name,
        "description": f"captured from {phone.serial} by `privmon profile capture`",
        "build": read_build(props),
        "identifiers": ids,
    }
    header = (
        "# Captured from the lab's simulated phone (invented values).\n"
        if phone.is_lab
        else "# Captured from a real device: these identifiers belong to that phone; keep the file private.\n"
    )
    header += "# Fields are documented in docs/device-profiles.md.\n"
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), missing
