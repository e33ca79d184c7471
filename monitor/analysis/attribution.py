"""Who made a call: the SDK (or the app itself) owning the first non-framework stack frame."""

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


@dataclass(frozen=True)
class Attribution:
    party: str  # "sdk", "app" or "unknown"
    sdk: Sdk | None
    frame: str | None  # the deciding frame, kept as evidence

    @property
    def label(self) -> str | None:
        return self.sdk.name if self.sdk else None


def frame_class(frame: str) -> str:
    """'java.base/java.lang.Thread.run(Thread.java:833)' → 'java.lang.Thread'."""
    head = frame.split("(", 1)[0]
    if "/" in head:
        head = head.rsplit("/", 1)[1]
    return head.rsplit(".", 1)[0] if "." in head else head


def attribute_stack(stack: list[str], app_package: str | None, api: str | None = None) -> Attribution:
    """`api` ("Class.method") names the hooked API: its own frames (an SDK API such as
    FusedLocationProviderClient.getLastLocation) are the callee, never the caller."""
    api_class = api.rsplit(".", 1)[0] if api else None
    for frame in stack:
        cls = frame_class(frame)
        if (
            cls.startswith(FRAMEWORK_PREFIXES)
            or cls == api_class
            or (api_class and cls.startswith(api_class + "$"))
        ):
            continue
        sdk = knowledge().by_class(cls)
        if sdk is not None:
            return Attribution("sdk", sdk, frame)
        if app_package and (cls == app_package or cls.startswith(app_package + ".")):
            return Attribution("app", None, frame)
        return Attribution("unknown", None, frame)
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
