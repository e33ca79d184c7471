"""`privmon devices`: what adb sees, with the facts a tester checks first."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .adb import DeviceError, adb_client

__all__ = ["DeviceError", "DeviceInfo", "list_devices"]


@dataclass
class DeviceInfo:
    serial: str
    state: str
    model: str | None = None
    android: str | None = None
    sdk: str | None = None
    abi: str | None = None
    root: str | None = None  # "su", "adb root" or "no"
    frida_server: str | None = None  # "running" or "not running"
    lab: bool = False  # the lab's simulated phone

    def to_json(self) -> dict:
        return asdict(self)


def _root_state(device) -> str:
    if "uid=0" in device.shell("id"):
        return "adb root"
    if "uid=0" in device.shell("su -c id"):
        return "su"
    return "no"


def list_devices() -> list[DeviceInfo]:
    import adbutils

    client = adb_client()
    try:
        entries = client.list()
    except (adbutils.AdbError, OSError) as exc:
        raise DeviceError(f"cannot talk to the adb server: {exc}") from exc
    out = []
    for entry in entries:
        info = DeviceInfo(entry.serial, entry.state)
        if entry.state == "device":
            device = client.device(entry.serial)
            try:
                prop = lambda key: device.shell(f"getprop {key}").strip() or None  # noqa: E731
                info.model, info.android, info.sdk = prop("ro.product.model"), prop("ro.build.version.release"), \
                    prop("ro.build.version.sdk")
                info.abi = prop("ro.product.cpu.abi")
                info.lab = prop("ro.product.brand") == "privmon-lab"
                info.root = _root_state(device)
                info.frida_server = "running" if device.shell("pidof frida-server").strip() else "not running"
            except (adbutils.AdbError, OSError) as exc:
                info.state = f"error: {exc}"
        out.append(info)
    return out
