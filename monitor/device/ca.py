"""The proxy's CA certificate on a phone: its Android file name, where apps look for it, and
installing it into the system store (tmpfs over the system folder; on Android 14+ also bind
mounted over the APEX conscrypt folder inside every zygote's and running app's mount namespace).
Every mount is journalled before it is made."""

from __future__ import annotations

import hashlib
import shlex

from ..language import tr
from .adb import Phone
from .journal import Journal

SYSTEM_DIR = "/system/etc/security/cacerts"
APEX_DIR = "/apex/com.android.conscrypt/cacerts"
USER_DIR = "/data/misc/user/0/cacerts-added"
STAGING = "/data/local/tmp/privmon-cacerts"
ZYGOTES = ("zygote64", "zygote", "usap64", "usap32")


def android_name(cert_pem: bytes) -> str:
    """`<subject_hash_old>.0`, the name Android's stores use (OpenSSL's MD5-based old hash)."""
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(cert_pem)
    digest = hashlib.md5(cert.subject.public_bytes(), usedforsecurity=False).digest()
    return f"{int.from_bytes(digest[:4], 'little'):08x}.0"


def trust_state(phone: Phone, name: str) -> dict[str, bool | None]:
    """Where the CA is found: user store, system store, and (Android 14+) inside the zygotes'
    view of the APEX folder (None when that does not apply or cannot be seen without root)."""
    state: dict[str, bool | None] = {
        "user": phone.exists(f"{USER_DIR}/{name}", as_root=True),
        "system": phone.exists(f"{SYSTEM_DIR}/{name}"),
        "apex": None,
    }
    if phone.sdk() >= 34 and phone.root_form is not None:
        zygotes = _pids(phone, ZYGOTES)
        state["apex"] = bool(zygotes) and all(
            name in phone.root(f"nsenter --mount=/proc/{pid}/ns/mnt -- ls {APEX_DIR}").split()
            for pid in zygotes
        )
    return state


def install_system_ca(
    phone: Phone, journal: Journal, cert_pem: bytes, name: str, progress=lambda _m: None
) -> None:
    q = shlex.quote
    staged = f"{STAGING}/{name}"
    journal.record(f"staging folder {STAGING}", {"op": "remove_file", "path": STAGING})
    phone.push(cert_pem, staged)
    if not phone.exists(f"{SYSTEM_DIR}/{name}"):
        phone.root(f"mkdir -p {STAGING}/system && cp {SYSTEM_DIR}/* {STAGING}/system/")
        with journal.change(f"tmpfs over {SYSTEM_DIR}", {"op": "umount", "target": SYSTEM_DIR}):
            phone.root(f"mount -t tmpfs tmpfs {SYSTEM_DIR}")
        phone.root(
            f"cp {STAGING}/system/* {SYSTEM_DIR}/ && cp {q(staged)} {SYSTEM_DIR}/{name} && "
            f"chmod 644 {SYSTEM_DIR}/* && chcon u:object_r:system_file:s0 {SYSTEM_DIR}/*"
        )
        progress(
            tr(
                f"CA {name} added to the system store (tmpfs, gone at reboot)",
                f"CA 证书 {name} 已加入系统证书库（tmpfs，重启后消失）",
            )
        )
    if phone.sdk() >= 34:
        targets = _pids(phone, ZYGOTES) + _app_pids(phone)
        for pid in targets:
            with journal.change(
                f"bind mount over {APEX_DIR} in pid {pid}'s namespace",
                {"op": "umount", "target": APEX_DIR, "ns_pid": pid},
            ):
                phone.root(f"nsenter --mount=/proc/{pid}/ns/mnt -- mount --bind {SYSTEM_DIR} {APEX_DIR}")
        progress(
            tr(
                f"CA visible through {APEX_DIR} in {len(targets)} mount namespace(s) (Android 14+)",
                f"CA 证书已在 {len(targets)} 个挂载命名空间中通过 {APEX_DIR} 可见（Android 14+）",
            )
        )


def _pids(phone: Phone, names) -> list[int]:
    out = []
    for name in names:
        out += [int(p) for p in phone.shell(f"pidof {name}").split() if p.isdigit()]
    return out


def _app_pids(phone: Phone) -> list[int]:
    """Running app processes (package-like names), which keep the mounts they started with."""
    pids = []
    for line in phone.shell("ps -A -o PID,NAME").splitlines()[1:]:
        parts = line.split()
        if len(parts) == 2 and parts[0].isdigit() and "." in parts[1] and not parts[1].startswith("/"):
            pids.append(int(parts[0]))
    return pids
