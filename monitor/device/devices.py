"""`privmon devices`: what adb sees, with the facts a tester checks first."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .adb import DeviceError, Phone, adb_client, adb_devices

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


def list_devices() -> list[DeviceInfo]:
    client = adb_client()
    out = []
    for serial, state in adb_devices(client).items():
        info = DeviceInfo(serial, state)
        if state == "device":
            phone = Phone(client.device(serial), serial)
            try:
                info.model, info.android, info.sdk, info.abi = (
                    phone.prop(k) or None
                    for k in (
                        "ro.product.model",
                        "ro.build.version.release",
                        "ro.build.version.sdk",
                        "ro.product.cpu.abi",
                    )
                )
                info.lab = phone.is_lab
                form = phone.root_form
                info.root = "no" if form is None else ("adb root" if form == "adb root" else "su")
                info.frida_server = "running" if phone.shell("pidof frida-server").strip() else "not running"
            except DeviceError as exc:
                info.state = f"error: {exc}"
        out.append(info)
    return out
