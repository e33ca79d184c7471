"""What is on the phone's screen: uiautomator's window dump, parsed into the views privmon can tap.

The dump carries the app's own texts (hostile content): it is parsed with a size bound and the
standard library's expat (no external entities, no DTD expansion beyond expat's own limits)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

MAX_DUMP_BYTES = 4 * 1024 * 1024
PERMISSION_PACKAGES = frozenset(
    {
        "com.android.permissioncontroller",
        "com.google.android.permissioncontroller",
        "com.android.packageinstaller",
    }
)
_BOUNDS = re.compile(r"\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]")


class DumpError(ValueError):
    """A window dump that is not uiautomator's XML."""


@dataclass(frozen=True)
class UiNode:
    text: str
    resource_id: str
    cls: str
    package: str
    clickable: bool
    bounds: tuple[int, int, int, int]
    window: int  # the top-level window it belongs to, in z-order (higher is on top)

    @property
    def centre(self) -> tuple[int, int]:
        left, top, right, bottom = self.bounds
        return (left + right) // 2, (top + bottom) // 2

    @property
    def is_permission_dialog(self) -> bool:
        return self.package in PERMISSION_PACKAGES or ":id/permission_" in self.resource_id


def parse_dump(data: bytes | str) -> list[UiNode]:
    """Every node with bounds, in document order; nodes of later top-level windows are on top."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_DUMP_BYTES:
        raise DumpError(f"window dump of {len(raw):,} bytes is larger than {MAX_DUMP_BYTES:,}")
    start = raw.find(b"<?xml")
    if start < 0:
        start = raw.find(b"<hierarchy")
    if start < 0:
        raise DumpError("no window hierarchy in uiautomator's output")
    end = raw.rfind(b"</hierarchy>")
    body = raw[start : end + len(b"</hierarchy>")] if end >= 0 else raw[start:]
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise DumpError(f"the window dump is not XML: {exc}") from None
    nodes: list[UiNode] = []
    for window, top in enumerate(root.findall("node")):
        for node in top.iter("node"):
            match = _BOUNDS.fullmatch(node.get("bounds", ""))
            if match is None:
                continue
            nodes.append(
                UiNode(
                    text=(node.get("text") or node.get("content-desc") or "")[:2000],
                    resource_id=node.get("resource-id", "")[:300],
                    cls=node.get("class", "")[:200],
                    package=node.get("package", "")[:200],
                    clickable=node.get("clickable") == "true",
                    bounds=tuple(int(g) for g in match.groups()),  # type: ignore[arg-type]
                    window=window,
                )
            )
    return nodes
