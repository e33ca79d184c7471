"""Which code sent a captured request: the http_request hook event (OkHttp RealCall, URL.openConnection,
WebView.loadUrl) whose URL matches the flow and that came shortly before it; failing that, the code
that opened the flow's connection (the net.connect event of a redirected or proxy-aware
connection), which covers sockets, NO_PROXY clients and native code alike."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from .attribution import Attribution, attribute_stack

MAX_LEAD_US = 30_000_000  # a request leaves at most this long after the call that made it


@dataclass(frozen=True)
class Sender:
    hook_event_id: int
    api: str
    attribution: Attribution
    lead_ms: float


def _urls(event: dict) -> list[str]:
    out = []
    ret = event.get("ret")
    if isinstance(ret, dict) and isinstance(ret.get("this"), str):
        out.append(ret["this"])
    for arg in event.get("args") or []:
        if isinstance(arg, str) and arg.startswith(("http://", "https://")):
            out.append(arg)
    if isinstance(ret, dict) and isinstance(ret.get("return"), str) and "://" in ret["return"]:
        # URL.openConnection returns "sun.net.…HttpURLConnection:https://host/path" (JVM) / "…:https://…"
        out.append(ret["return"].split(":", 1)[1] if not ret["return"].startswith("http") else ret["return"])
    return out


def attribute_requests(
    hook_events: list[dict],
    flows: list[dict],
    app_package: str | None,
    openers: dict[str, list[dict]] | None = None,
) -> dict[str, Sender]:
    """flow id → the sender, for flows a request-making call or a connection's opener is known for.
    `openers`: per flow, its connection's net.connect event, then the fork events that started that
    process (nearest first): in a child process whose own frames name nobody, the code that
    forked it did."""
    openers = openers or {}
    calls = sorted((e for e in hook_events if e.get("signal") == "http_request"), key=lambda e: e["ts"])
    by_url: dict[str, list[dict]] = {}
    for event in calls:
        for url in _urls(event):
            by_url.setdefault(url.split("#", 1)[0], []).append(event)
    senders: dict[str, Sender] = {}
    for flow in flows:
        candidates = by_url.get(flow["url"], [])
        times = [e["ts"] for e in candidates]
        i = bisect.bisect_right(times, flow["ts_start"]) - 1
        if i >= 0 and flow["ts_start"] - candidates[i]["ts"] <= MAX_LEAD_US:
            event = candidates[i]
        elif flow["id"] in openers:
            chain = openers[flow["id"]]
            event = next(
                (e for e in chain if attribute_stack(e["stack"], app_package, e["api"]).party != "unknown"),
                chain[0],
            )
        else:
            continue
        senders[flow["id"]] = Sender(
            event["id"],
            event["api"],
            attribute_stack(event["stack"], app_package, event["api"]),
            round((flow["ts_start"] - event["ts"]) / 1000, 3),
        )
    return senders
