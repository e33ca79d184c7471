"""Real APKs of the lab apps, for `pm install` on the simulated phone, `privmon batch --apk-dir`
and the APK facts (monitor/apk.py): a zip with a binary AndroidManifest.xml (Android's AXML) built
from lab/apps/<name>/manifest.yaml and a classes.dex declaring the app's compiled classes (names
only, no code: what static SDK inventories read). Written here because this machine has no
Android build tools."""

from __future__ import annotations

import hashlib
import os
import struct
import zipfile
import zlib
from pathlib import Path

import yaml

from .build import APPS_DIR, LabError, build_app

XMLNS_ANDROID = "http://schemas.android.com/apk/res/android"
ATTRIBUTE_IDS = {  # android:* attribute resource ids (android.R.attr)
    "name": 0x01010003,
    "versionCode": 0x0101021B,
    "versionName": 0x0101021C,
    "minSdkVersion": 0x0101020C,
    "targetSdkVersion": 0x01010270,
    "exported": 0x01010010,
}
TYPE_STRING, TYPE_INT = 0x03, 0x10
NO_INDEX = 0xFFFFFFFF


def lab_apk(cache_dir: Path, name: str) -> Path:
    """The lab app's APK (built once per content)."""
    spec_path = APPS_DIR / name / "manifest.yaml"
    if not spec_path.exists():
        raise LabError(f"the lab app {name!r} has no manifest.yaml, so no APK")
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    standins, classes = build_app(cache_dir, name)
    class_names = sorted(_app_classes(classes) | _sdk_classes_used(standins, classes))
    manifest = manifest_axml(spec)
    dex = classes_dex(class_names)
    key = hashlib.sha256(manifest + dex).hexdigest()[:16]
    out = cache_dir / "lab" / f"apk-{name}-{key}.apk"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_suffix(f".partial-{os.getpid()}")  # runs sharing a data dir build at once
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as apk:
            apk.writestr("AndroidManifest.xml", manifest)
            apk.writestr("classes.dex", dex)
        partial.replace(out)
    return out


def _app_classes(folder: Path) -> set[str]:
    return {str(p.relative_to(folder).with_suffix("")).replace("/", ".") for p in folder.rglob("*.class")}


def _sdk_classes_used(standins: Path, classes: Path) -> set[str]:
    """The SDK stand-ins the app's code refers to (an APK carries the SDKs it embeds; the
    platform's classes, android.* and java.*, are the phone's)."""
    code = b"".join(p.read_bytes() for p in classes.rglob("*.class"))
    used = set()
    for name in _app_classes(standins):
        if name.startswith(("android.", "androidx.", "java.", "privmon.", "dalvik.", "org.json.")):
            continue
        if name.replace(".", "/").encode() in code:
            used.add(name)
    return used


# -- AndroidManifest.xml as AXML -----------------------------------------------------------------
def manifest_axml(spec: dict) -> bytes:
    """package, version_name, version_code, min_sdk, target_sdk, permissions, activities."""
    elements: list[tuple[str, str, list[tuple[str | None, str, object]]]] = []  # (kind, tag, attrs)
    elements.append(
        (
            "start",
            "manifest",
            [
                (XMLNS_ANDROID, "versionCode", int(spec.get("version_code", 1))),
                (XMLNS_ANDROID, "versionName", str(spec.get("version_name", "1.0"))),
                (None, "package", spec["package"]),
            ],
        )
    )
    sdk = [(XMLNS_ANDROID, "minSdkVersion", int(spec.get("min_sdk", 21)))]
    sdk.append((XMLNS_ANDROID, "targetSdkVersion", int(spec.get("target_sdk", 33))))
    elements += [("start", "uses-sdk", sdk), ("end", "uses-sdk", [])]
    for permission in spec.get("permissions", []):
        elements += [
            ("start", "uses-permission", [(XMLNS_ANDROID, "name", permission)]),
            ("end", "uses-permission", []),
        ]
    elements.append(("start", "application", []))
    for activity in spec.get("activities", []):
        elements += [
            ("start", "activity", [(XMLNS_ANDROID, "name", activity), (XMLNS_ANDROID, "exported", True)]),
            ("end", "activity", []),
        ]
    elements += [("end", "application", []), ("end", "manifest", [])]

    # attribute names first, in the order of their resource ids (the resource map covers them)
    strings: list[str] = list(ATTRIBUTE_IDS)

    def index(text: str) -> int:
        if text not in strings:
            strings.append(text)
        return strings.index(text)

    for extra in ("android", XMLNS_ANDROID):
        index(extra)
    body = b""
    body += _chunk(0x0100, struct.pack("<IIII", 1, NO_INDEX, index("android"), index(XMLNS_ANDROID)), 16)
    for line, (kind, tag, attrs) in enumerate(elements, 2):
        if kind == "end":
            body += _chunk(0x0103, struct.pack("<IIII", line, NO_INDEX, NO_INDEX, index(tag)), 16)
            continue
        packed = b""
        for ns, attr, value in attrs:
            ns_index = index(ns) if ns else NO_INDEX
            if isinstance(value, bool):
                raw, kind_, data = NO_INDEX, 0x12, 0xFFFFFFFF if value else 0
            elif isinstance(value, int):
                raw, kind_, data = NO_INDEX, TYPE_INT, value
            else:
                raw = index(str(value))
                kind_, data = TYPE_STRING, raw
            packed += struct.pack("<IIIHBBI", ns_index, index(attr), raw, 8, 0, kind_, data)
        head = struct.pack("<IIIIHHHHHH", line, NO_INDEX, NO_INDEX, index(tag), 20, 20, len(attrs), 0, 0, 0)
        body += _chunk(0x0102, head + packed, 16)
    end_ns = struct.pack("<IIII", line + 1, NO_INDEX, index("android"), index(XMLNS_ANDROID))
    body += _chunk(0x0101, end_ns, 16)
    pool = _string_pool(strings)
    resource_map = _chunk(0x0180, b"".join(struct.pack("<I", i) for i in ATTRIBUTE_IDS.values()), 8)
    content = pool + resource_map + body
    return struct.pack("<HHI", 0x0003, 8, 8 + len(content)) + content


def _chunk(kind: int, payload: bytes, header_size: int) -> bytes:
    return struct.pack("<HHI", kind, header_size, 8 + len(payload)) + payload


def _string_pool(strings: list[str]) -> bytes:
    data = b""
    offsets = []
    for text in strings:
        offsets.append(len(data))
        encoded = text.encode("utf-16-le")
        data += struct.pack("<H", len(text)) + encoded + b"\0\0"
    data += b"\0" * (-len(data) % 4)
    header_size = 28
    strings_start = header_size + 4 * len(strings)
    head = struct.pack("<IIIII", len(strings), 0, 0, strings_start, 0)
    payload = head + b"".join(struct.pack("<I", o) for o in offsets) + data
    return struct.pack("<HHI", 0x0001, header_size, 8 + len(payload)) + payload


# -- classes.dex ------------------------------------------------------------------------------------
def _uleb128(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def classes_dex(class_names: list[str]) -> bytes:
    """A DEX whose class_defs are these classes (public, extending java.lang.Object, no code)."""
    descriptors = sorted({"L" + n.replace(".", "/") + ";" for n in class_names} | {"Ljava/lang/Object;"})
    strings = sorted(descriptors, key=lambda s: s.encode("utf-16-be"))  # dex order: UTF-16 code units
    n = len(strings)
    header_size = 0x70
    string_ids_off = header_size
    type_ids_off = string_ids_off + 4 * n
    class_defs_off = type_ids_off + 4 * n
    classes = [s for s in strings if s != "Ljava/lang/Object;"]
    data_off = class_defs_off + 32 * len(classes)
    string_data = b""
    string_offsets = []
    for text in strings:
        string_offsets.append(data_off + len(string_data))
        string_data += _uleb128(len(text)) + text.encode("utf-8") + b"\0"
    map_off = data_off + len(string_data)
    map_off += -map_off % 4
    padding = b"\0" * (map_off - data_off - len(string_data))
    object_index = strings.index("Ljava/lang/Object;")
    items = [
        (0x0000, 1, 0),
        (0x0001, n, string_ids_off),
        (0x0002, n, type_ids_off),
        (0x0006, len(classes), class_defs_off),
        (0x2002, n, data_off),
        (0x1000, 1, map_off),
    ]
    map_list = struct.pack("<I", len(items)) + b"".join(struct.pack("<HHII", t, 0, s, o) for t, s, o in items)
    file_size = map_off + len(map_list)
    body = b"".join(struct.pack("<I", o) for o in string_offsets)
    body += b"".join(struct.pack("<I", i) for i in range(n))  # type i is string i
    for descriptor in classes:
        body += struct.pack("<IIIIIIII", strings.index(descriptor), 1, object_index, 0, NO_INDEX, 0, 0, 0)
    body += string_data + padding + map_list
    header_rest = struct.pack(
        "<IIIIIIIIIIIIIIIIIIIIII",
        file_size,
        header_size,
        0x12345678,
        0,
        0,
        map_off,
        n,
        string_ids_off,
        n,
        type_ids_off,
        0,
        0,
        0,
        0,
        0,
        0,
        len(classes),
        class_defs_off,
        file_size - data_off,
        data_off,
        0,
        0,
    )[: header_size - 32]
    after_signature = header_rest + body
    signature = hashlib.sha1(after_signature).digest()
    after_checksum = signature + after_signature
    checksum = zlib.adler32(after_checksum)
    return b"dex\n035\0" + struct.pack("<I", checksum) + after_checksum
