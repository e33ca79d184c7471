"""What an APK declares, read with androguard: package and version, SDK levels, requested
permissions (dangerous ones marked), components, and the SDKs whose code it carries (class
package prefixes from the knowledge base). The APK is the app under test: hostile input, so
sizes are bounded and any parse failure is one `ApkError` line."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

MAX_APK_BYTES = 2 * 1024**3
MAX_DEX_FILES = 64


class ApkError(ValueError):
    """Not an APK androguard can read."""


@dataclass
class ApkFacts:
    package: str
    version_name: str | None
    version_code: str | None
    min_sdk: int | None
    target_sdk: int | None
    sha256: str
    permissions: list[dict] = field(default_factory=list)  # {"name", "dangerous"}
    components: dict[str, list[str]] = field(
        default_factory=dict
    )  # activities, services, receivers, providers
    sdks: list[dict] = field(default_factory=list)  # {"sdk", "company", "country", "classes", "packages"}
    classes: int = 0

    def to_meta(self) -> dict:
        return asdict(self)


def _quiet_androguard() -> None:
    from loguru import logger

    logger.disable("androguard")


def apk_facts(path: Path) -> ApkFacts:
    """The APK's static facts; ApkError when it is not one. Read once per file version in a
    process (a batch asks for the package, then the run for the facts)."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise ApkError(f"{path}: {exc.strerror or exc}") from None
    return _read_facts(path.resolve(), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=32)
def _read_facts(path: Path, size: int, _mtime_ns: int) -> ApkFacts:
    if size > MAX_APK_BYTES:
        raise ApkError(f"{path}: {size:,} bytes is larger than an APK privmon reads ({MAX_APK_BYTES:,})")
    if not zipfile.is_zipfile(path):
        raise ApkError(f"{path}: not an APK (not a zip file)")
    _quiet_androguard()
    from androguard.core.apk import APK

    try:
        apk = APK(str(path))
        package = apk.get_package()
    except Exception as exc:  # noqa: BLE001 - androguard raises many kinds on a bad manifest
        raise ApkError(f"{path}: androguard cannot read its manifest ({type(exc).__name__}: {exc})") from None
    if not package:
        raise ApkError(f"{path}: no package name in its manifest (not an APK?)")
    from .analysis.rule_catalogue import DANGEROUS_PERMISSIONS

    permissions = sorted(set(apk.get_permissions() or []))
    facts = ApkFacts(
        package=package,
        version_name=apk.get_androidversion_name(),
        version_code=apk.get_androidversion_code(),
        min_sdk=_int(apk.get_min_sdk_version()),
        target_sdk=_int(apk.get_target_sdk_version()),
        sha256=_sha256(path),
        permissions=[{"name": p, "dangerous": p in DANGEROUS_PERMISSIONS} for p in permissions],
        components={
            "activities": sorted(apk.get_activities() or []),
            "services": sorted(apk.get_services() or []),
            "receivers": sorted(apk.get_receivers() or []),
            "providers": sorted(apk.get_providers() or []),
        },
    )
    class_names = _class_names(apk, path)
    facts.classes = len(class_names)
    facts.sdks = sdk_inventory(class_names)
    return facts


def _class_names(apk, path: Path) -> list[str]:
    from androguard.core.dex import DEX

    names: list[str] = []
    for number, data in enumerate(apk.get_all_dex()):
        if number >= MAX_DEX_FILES:
            break
        try:
            dex = DEX(data)
        except Exception as exc:  # noqa: BLE001
            raise ApkError(f"{path}: androguard cannot read classes{number or ''}.dex ({exc})") from None
        for name in dex.get_classes_names():
            text = name.decode() if isinstance(name, bytes) else str(name)
            if text.startswith("L") and text.endswith(";"):
                names.append(text[1:-1].replace("/", "."))
    return names


def sdk_inventory(class_names: list[str]) -> list[dict]:
    """The SDKs whose code is in these classes: each Java package looked up once in the
    knowledge base's code prefixes (the same lookup that blames stack frames)."""
    from .knowledge.sdks import knowledge

    kb = knowledge()
    by_package: dict[str, int] = {}
    for name in class_names:
        package = name.rpartition(".")[0]
        by_package[package] = by_package.get(package, 0) + 1
    found: dict[str, dict] = {}
    for package, count in by_package.items():
        sdk = kb.by_class(package + ".")
        if sdk is None:
            continue
        entry = found.setdefault(
            sdk.name,
            {"sdk": sdk.name, "company": sdk.company, "country": sdk.country, "classes": 0, "packages": []},
        )
        entry["classes"] += count
        if len(entry["packages"]) < 20:
            entry["packages"].append(package)
    return sorted(found.values(), key=lambda e: (-e["classes"], e["sdk"]))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
