"""Device profiles (device_profiles/*.yaml): a test device's identifiers and facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .config import DEVICE_PROFILES_DIR
from .yamlfile import load_named_yaml

PROFILES_DIR = DEVICE_PROFILES_DIR


class ProfileError(ValueError):
    pass


IDENTIFIER_CATEGORY = {
    "phone_number": "phone_number",
    "wifi_mac": "network_id",
    "bluetooth_mac": "bluetooth",
    "bluetooth_name": "bluetooth",
    "ssid": "network_id",
    "bssid": "network_id",
    "ip_address": "network_id",
    "build_fingerprint": "device_info",
}


@dataclass
class DeviceProfile:
    name: str
    description: str = ""
    build: dict[str, str] = field(default_factory=dict)
    identifiers: dict[str, str] = field(default_factory=dict)
    location: dict[str, float] | None = None
    installed_packages: list[str] = field(default_factory=list)
    clipboard: str | None = None
    accounts: list[str] = field(default_factory=list)

    def watch_values(self) -> list[dict[str, str]]:
        """The identifiers to look for in traffic, with their PI category and type."""
        out = [
            {"value": v, "pi_category": IDENTIFIER_CATEGORY.get(k, "device_id"), "pi_type": k}
            for k, v in self.identifiers.items()
        ]
        if self.location:
            out += [
                {
                    "value": repr(float(self.location[k])),
                    "pi_category": "location",
                    "pi_type": "precise_location",
                }
                for k in ("latitude", "longitude")
                if k in self.location
            ]
        if self.clipboard:
            out.append({"value": self.clipboard, "pi_category": "clipboard", "pi_type": "clipboard_text"})
        out += [{"value": a, "pi_category": "accounts", "pi_type": "accounts"} for a in self.accounts]
        return out

    def lab_properties(self) -> dict[str, str]:
        """The key=value state the lab's Android stand-ins read (privmon.lab.Device)."""
        props: dict[str, str] = dict(self.identifiers)
        if "android_id" in self.identifiers:
            props["settings.secure.android_id"] = self.identifiers["android_id"]
        if self.location:
            props["location.latitude"] = repr(float(self.location["latitude"]))
            props["location.longitude"] = repr(float(self.location["longitude"]))
        if self.installed_packages:
            props["installed_packages"] = ",".join(self.installed_packages)
        if self.clipboard is not None:
            props["clipboard"] = self.clipboard
        if self.accounts:
            props["accounts"] = ",".join(self.accounts)
        return props


def load_profile(name_or_path: str | Path) -> DeviceProfile:
    path, data = load_named_yaml(name_or_path, PROFILES_DIR, "device profile", ProfileError)
    if not isinstance(data, dict) or "name" not in data:
        raise ProfileError(f"{path}: a profile is a mapping with at least a 'name'")
    known = set(DeviceProfile.__dataclass_fields__)
    unknown = set(data) - known
    if unknown:
        raise ProfileError(f"{path}: unknown fields {sorted(unknown)} (known: {sorted(known)})")
    identifiers = {k: str(v) for k, v in (data.get("identifiers") or {}).items()}
    return DeviceProfile(**{**data, "identifiers": identifiers})


def write_properties(props: dict[str, str], path: Path) -> None:
    """Java .properties, escaped so any value survives (non-ASCII as \\uXXXX)."""

    def esc(text: str, key: bool = False) -> str:
        out = []
        for ch in text:
            if ch in "\\=:#!" or (key and ch == " "):
                out.append("\\" + ch)
            elif ch == "\n":
                out.append("\\n")
            elif ord(ch) < 0x20 or ord(ch) > 0x7E:
                units = ch.encode("utf-16-be")  # surrogate pairs for characters past U+FFFF
                out.append(
                    "".join(
                        f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}" for i in range(0, len(units), 2)
                    )
                )
            else:
                out.append(ch)
        return "".join(out)

    lines = [f"{esc(k, key=True)}={esc(v)}" for k, v in props.items()]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
