"""Who made a call: the SDK (or the app itself) owning the first non-framework stack frame.

Code in a package that is neither the app's nor any known SDK's keeps an identity of its own: the
package's leading segments (`com.vendor.sdk`), as an unidentified third party, so that seven
unknown SDKs stay seven callers. Obfuscated frames (single-letter packages, one- or two-letter
classes) are grouped by the package segments before the obfuscated part, and flagged."""

from __future__ import annotations

from dataclasses import dataclass

from ..knowledge.sdks import Sdk, knowledge

# Frames from the platform, the language runtime and the lab's own runtime never decide.
FRAMEWORK_PREFIXES = (
    "java.",
    "javax.",
    "jdk.",
    "sun.",
    "com.sun.",
    "android.",
    "androidx.",
    "dalvik.",
    "libcore.",
    "com.android.",
    "kotlin.",
    "kotlinx.",
    "org.apache.harmony.",
    "privmon.lab.",
)
# Libraries SDKs call through (HTTP clients, JSON, Rx): they never decide who made a call.
LIBRARY_PREFIXES = (
    "okhttp3.",
    "okio.",
    "retrofit2.",
    "com.squareup.okhttp.",
    "com.google.gson.",
    "com.google.protobuf.",
    "org.json.",
    "io.reactivex.",
    "rx.",
)
PASS_THROUGH = FRAMEWORK_PREFIXES + LIBRARY_PREFIXES
LEADING_SEGMENTS = 3


@dataclass(frozen=True)
class Attribution:
    party: str  # "sdk", "app", "unidentified" (third-party code no SDK entry names) or "unknown"
    sdk: Sdk | None
    frame: str | None  # the deciding frame, kept as evidence
    package: str | None = None  # unidentified code: the package it is grouped by
    obfuscated: bool = False

    @property
    def label(self) -> str | None:
        """What findings show as the SDK: its name, or an unidentified party's package."""
        if self.sdk:
            return self.sdk.name
        return self.package if self.party == "unidentified" else None

    @property
    def key(self) -> str:
        """Who, for grouping: reads by different code are never merged."""
        if self.sdk:
            return self.sdk.id
        if self.party == "unidentified":
            return f"third:{self.package}"
        return self.party


def unidentified_package(cls: str) -> tuple[str, bool]:
    """The package unidentified code is grouped by, and whether its names are obfuscated:
    'com.vendor.sdk.net.Uploader' → ('com.vendor.sdk', False); 'com.vendor.a.b' → ('com.vendor',
    True); 'a.b.c' → ('a.b', True)."""
    parts = cls.split(".")
    segments, simple = parts[:-1], parts[-1].split("$", 1)[0]
    obfuscated = len(simple) <= 2 or any(len(seg) == 1 for seg in segments)
    leading = []
    for seg in segments:
        if len(seg) == 1:
            break
        leading.append(seg)
    leading = leading[:LEADING_SEGMENTS]
    if not leading:
        leading = segments or [simple]
    return ".".join(leading), obfuscated


def frame_class(frame: str) -> str:
    """'java.base/java.lang.Thread.run(Thread.java:833)' → 'java.lang.Thread'."""
    head = frame.split("(", 1)[0]
    if "/" in head:
        head = head.rsplit("/", 1)[1]
    return head.rsplit(".", 1)[0] if "." in head else head


# Platform services an app asks for data (fused location): the app asking is the reader, not them.
PLATFORM_SERVICES = ("com.google.android.gms.", "com.huawei.hms.")


def attribute_stack(
    stack: list[str], app_package: str | None, api: str | None = None, reads: bool = False
) -> Attribution:
    """`api` ("Class.method") names the hooked API: its own frames (a platform service such as
    FusedLocationProviderClient.getLastLocation) are the callee, never the caller. `reads`: the
    catalogue treats the API as a PI read; when it is an SDK's own (AMapLocationClient.startLocation,
    a location SDK starting to collect), that SDK is the reader, whoever started it."""
    api_class = api.rsplit(".", 1)[0] if api else None
    if reads and api_class and not api_class.startswith(PASS_THROUGH + PLATFORM_SERVICES):
        own = knowledge().by_class(api_class)
        if own is not None:
            frame = next((f for f in stack if frame_class(f).split("$", 1)[0] == api_class), None)
            return Attribution("sdk", own, frame or (stack[0] if stack else None))
    for frame in stack:
        cls = frame_class(frame)
        if (
            cls.startswith(PASS_THROUGH)
            or cls == api_class
            or (api_class and cls.startswith(api_class + "$"))
        ):
            continue
        sdk = knowledge().by_class(cls)
        if sdk is not None:
            return Attribution("sdk", sdk, frame)
        if app_package and (cls == app_package or cls.startswith(app_package + ".")):
            return Attribution("app", None, frame)
        if "(" not in frame:  # a native frame ("libfoo.so!symbol"): no package to name it by
            return Attribution("unknown", None, frame)
        package, obfuscated = unidentified_package(cls)
        return Attribution("unidentified", None, frame, package, obfuscated)
    return Attribution("unknown", None, None)


REFLECTION_PREFIXES = ("java.lang.reflect.Method.invoke", "jdk.internal.reflect.", "sun.reflect.")


def reached_by_reflection(stack: list[str], api: str) -> bool:
    """True when the frame that called the hooked API is the reflection machinery
    (Method.invoke), i.e. the API was reached through reflection (REFLECTIVE_ACCESS)."""
    for frame in stack:
        head = frame.split("(", 1)[0]
        if "/" in head:
            head = head.rsplit("/", 1)[1]
        if head == api:
            continue
        return head.startswith(REFLECTION_PREFIXES)
    return False
