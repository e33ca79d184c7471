"""The traffic route from the phone to the proxy on this machine: the phone's global
`http_proxy` points at its own loopback, and `adb reverse` carries that port to the host (works
over USB, needs no shared Wi-Fi). Both changes are journalled first."""

from __future__ import annotations

from .adb import Phone
from .journal import Journal

PROXY_SETTING = ("global", "http_proxy")


def current_proxy(phone: Phone) -> str | None:
    value = phone.shell("settings get global http_proxy").strip()
    return None if value in ("null", "", ":0") else value


def set_route(phone: Phone, journal: Journal, port: int) -> None:
    previous = phone.shell("settings get global http_proxy").strip()
    _reverse(phone, journal, port)
    with journal.change(
        f"global http_proxy set to 127.0.0.1:{port} (was {previous})",
        {
            "op": "setting",
            "namespace": "global",
            "key": "http_proxy",
            "previous": None if previous == "null" else previous,
        },
    ):
        phone.shell(f"settings put global http_proxy 127.0.0.1:{int(port)}")


def set_socks_route(phone: Phone, journal: Journal, port: int) -> None:
    """The agent's redirected connections reach the proxy's SOCKS5 listener at the phone's own
    127.0.0.1:PORT; `adb reverse` carries it here. The proxy setting is not touched."""
    _reverse(phone, journal, port)


def _reverse(phone: Phone, journal: Journal, port: int) -> None:
    with journal.change(f"adb reverse tcp:{port}", {"op": "reverse", "remote": f"tcp:{port}"}):
        phone.reverse(port)
