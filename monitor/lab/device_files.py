"""The lab device's identifier files and shell state, written per run from the device profile: what
the side-channel hooks see an app read (/sys/class/net/wlan0/address, /proc/net/arp, /proc/cpuinfo,
SDK ID files on shared storage, system properties, `pm list packages`…). The agent opens paths
under MAPPED_PREFIXES from this folder instead (hooks/src/sidechannel.ts, path_map), so the host's
own MAC, ARP table or serial is never read."""

from __future__ import annotations

from pathlib import Path

from ..device_profile import DeviceProfile

MAPPED_PREFIXES = [
    "/sys/class/net/",
    "/sys/devices/soc0/",
    "/sys/class/android_usb/",
    "/proc/net/arp",
    "/proc/net/tcp",
    "/proc/net/udp",
    "/proc/cpuinfo",
    "/data/misc/",
    "/sdcard/",
    "/storage/",
]  # lab/android/bin/cat maps the same paths
ROUTER_IP = "192.168.31.1"


def _write(root: Path, path: str, text: str) -> None:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def write_device_files(profile: DeviceProfile, root: Path) -> dict[str, Path]:
    """Writes the files under `root`; returns the environment the lab's commands read."""
    ids = profile.identifiers
    mac = ids.get("wifi_mac", "02:00:00:00:00:00")
    router = ids.get("bssid", "02:00:00:00:00:01")
    serial = ids.get("serial", "unknown")
    _write(root, "/sys/class/net/wlan0/address", mac + "\n")
    _write(root, "/sys/class/net/lo/address", "00:00:00:00:00:00\n")
    _write(root, "/sys/class/net/wlan0/mtu", "1500\n")
    _write(
        root,
        "/proc/net/arp",
        "IP address       HW type     Flags       HW address            Mask     Device\n"
        f"{ROUTER_IP:<16} 0x1         0x2         {router}     *        wlan0\n",
    )
    _write(root, "/proc/net/tcp", "  sl  local_address rem_address   st tx_queue rx_queue\n")
    _write(
        root,
        "/proc/cpuinfo",
        "Processor\t: AArch64 Processor rev 0 (aarch64)\nprocessor\t: 0\n"
        f"Hardware\t: privmon lab\nSerial\t\t: {serial}\n",
    )
    _write(root, "/sys/devices/soc0/serial_number", serial + "\n")
    if "utdid" in ids:
        _write(
            root,
            "/sdcard/.UTSystemConfig/Global/Alvin2.xml",
            "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n"
            f'    <string name="UTDID2">{ids["utdid"]}</string>\n</map>\n',
        )
    state = root / ".lab"
    state.mkdir(parents=True, exist_ok=True)
    (state / "packages").write_text("".join(p + "\n" for p in profile.installed_packages), encoding="utf-8")
    (state / "android_id").write_text(ids.get("android_id", "") + "\n", encoding="utf-8")
    (state / "ip-link").write_text(
        "3: wlan0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DORMANT\n"
        f"    link/ether {mac} brd ff:ff:ff:ff:ff:ff\n",
        encoding="utf-8",
    )
    (state / "ip-neigh").write_text(f"{ROUTER_IP} dev wlan0 lladdr {router} REACHABLE\n", encoding="utf-8")
    properties = {
        "ro.serialno": serial,
        "ro.boot.serialno": serial,
        "ro.build.fingerprint": profile.build.get("fingerprint", ""),
        "ro.product.model": profile.build.get("model", ""),
        "ro.product.manufacturer": profile.build.get("manufacturer", ""),
        "ro.build.version.release": profile.build.get("android_version", ""),
    }
    props = state / "system.properties"
    props.write_text("".join(f"{k}={v}\n" for k, v in properties.items() if v), encoding="utf-8")
    return {"PRIVMON_LAB_FS": root, "PRIVMON_LAB_SYSTEM_PROPERTIES": props}
