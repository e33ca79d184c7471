"""The session timeline as data for a server-rendered SVG (no script needed)."""

from __future__ import annotations

from monitor.knowledge.sdks import knowledge
from monitor.storage.facts import UNATTRIBUTED
from monitor.timeutil import iso_utc

WIDTH = 1000
LANE_HEIGHT = 26
LEFT = 170


NO_SENDER = "traffic, sender not found"
AXIS_HEIGHT = 28
TICK_STEPS_S = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200)


def _ticks(start: int, end: int, x) -> list[dict]:
    """About eight ticks at a round step, labelled with seconds from the start (or minutes)."""
    span_s = (end - start) / 1e6
    step = next((s for s in TICK_STEPS_S if span_s / s <= 8), 86400)
    ticks, n = [], 0
    while n * step <= span_s + 1e-9:
        t = n * step
        label = f"+{t:g} s" if step < 60 else f"+{t / 60:g} min"
        ticks.append({"x": x(start + int(t * 1e6)), "label": label})
        n += 1
    return ticks


def build_timeline(
    session: dict,
    hook_events: list[dict],
    flows: list[dict],
    consents: list[dict],
    attribution_of: dict[int, str],
    phases=(),
    states=(),
    window: tuple[int, int] | None = None,
    sender_of: dict[str, str] | None = None,
    finding_sdks: list[str] = (),
) -> dict:
    """`phases` / `states`: the analysis timeline's intervals, drawn as bands behind the lanes.
    `window`: the zoomed time range (µs), else the whole session. One lane per SDK (or the app,
    or unknown code) that has events or findings; a request sits in the lane of the code that
    sent it (`sender_of`: flow id → SDK or "app", as the analysis stored it)."""
    sender_of = sender_of or {}
    if window:
        start, end = window
        consents = [c for c in consents if start <= c["ts"] <= end]
    else:
        times = [e["ts"] for e in hook_events] + [f["ts_start"] for f in flows] + [c["ts"] for c in consents]
        start = min(times + [session["started_at"]])
        end = max(times + [session["ended_at"] or session["started_at"]])
    span = max(end - start, 1)

    def x(ts: int) -> float:
        return round(LEFT + (ts - start) / span * (WIDTH - LEFT - 10), 1)

    lanes: list[str] = [sdk for sdk in dict.fromkeys(finding_sdks) if sdk]
    marks = []
    for e in hook_events:
        lane = attribution_of.get(e["id"], "app")
        if lane not in lanes:
            lanes.append(lane)
        marks.append(
            {
                "x": x(e["ts"]),
                "lane": lane,
                "kind": "hook",
                "signal": e["pi_category"] is None,
                "id": e["id"],
                "label": f"{iso_utc(e['ts'])} {e['api']} ({e['pi_type'] or 'signal'})",
            }
        )
    for f in flows:
        lane = sender_of.get(f["id"]) or NO_SENDER
        if lane not in lanes:
            lanes.append(lane)
        marks.append(
            {
                "x": x(f["ts_start"]),
                "lane": lane,
                "kind": "flow",
                "signal": False,
                "id": f["id"],
                "label": f"{iso_utc(f['ts_start'])} {f['method']} {f['url'][:200]}",
            }
        )
    marks = _one_per_pixel(marks)
    lane_y = {lane: 30 + i * LANE_HEIGHT for i, lane in enumerate(lanes)}
    for m in marks:
        m["y"] = lane_y[m["lane"]]
    axis_y = 30 + len(lanes) * LANE_HEIGHT
    height = axis_y + AXIS_HEIGHT
    consent_lines = [
        {"x": x(c["ts"]), "kind": c["kind"], "label": f"{iso_utc(c['ts'])} {c['kind']} ({c['source']})"}
        for c in consents
    ]

    def bands(intervals, y: int) -> list[dict]:
        out = []
        for i in intervals:
            i_start, i_end = i["start"], i["end"] if i["end"] is not None else end
            x1 = x(max(i_start, start))
            x2 = x(min(i_end, end))
            if x2 > x1:
                out.append(
                    {
                        "x": x1,
                        "width": round(x2 - x1, 1),
                        "y": y,
                        "name": i["name"],
                        "label": f"{i['name']} from {iso_utc(i_start)}",
                        "zoom": {"from_us": max(i_start, start), "to_us": min(i_end, end)},
                    }
                )
        return out

    return {
        "width": WIDTH,
        "height": height,
        "left": LEFT,
        "lanes": [{"name": n, "y": y} for n, y in lane_y.items()],
        "marks": marks,
        "consents": consent_lines,
        "axis_y": axis_y,
        "ticks": _ticks(start, end, x),
        "start": iso_utc(start),
        "end": iso_utc(end),
        "phase_bands": bands(phases, 2),
        "state_bands": bands(states, 12),
        "zoomed": window is not None,
        "start_us": start,
        "end_us": end,
        "halves": [
            {"from_us": start, "to_us": start + span // 2},
            {"from_us": start + span // 2, "to_us": end},
        ],
    }


MAX_MARKS = 2000
LANE_NAMES_ZH = {
    "app": "应用自身",
    "unknown": "未知代码",
    UNATTRIBUTED: "尚未分析",
    NO_SENDER: "网络请求（未找到发送方）",
}


def named_lanes(timeline: dict) -> dict:
    """The timeline with each lane's Chinese name beside its own: an SDK's from the knowledge
    base, the app's own code, unknown code."""
    kb = knowledge()
    for lane in timeline["lanes"]:
        lane["name_zh"] = LANE_NAMES_ZH.get(lane["name"]) or kb.name_zh(lane["name"])
    return timeline


def _one_per_pixel(marks: list[dict]) -> list[dict]:
    """Marks of one kind that fall on the same pixel of a lane drawn once, the first, its label
    saying how many more it stands for (a screen cannot show them apart; the browsers list them)."""
    first: dict[tuple, dict] = {}
    for m in marks:
        key = (m["lane"], m["kind"], m["signal"], int(m["x"]))
        if key in first:
            first[key]["count"] += 1
        else:
            first[key] = {**m, "count": 1}
    for m in first.values():
        if m["count"] > 1:
            m["label"] += f" (+{m['count'] - 1} more here)"
    return list(first.values())


def timeline_sample(
    r, session_id: str, window: tuple[int, int] | None = None
) -> tuple[list[dict], list[dict], str | None]:
    """At most MAX_MARKS hook events (every k-th, chosen in SQL so a 100 k-event session costs no
    more than a small one) and the first MAX_MARKS flows."""
    rows, total = r.hook_event_sample(
        session_id, MAX_MARKS, window, only=("api", "pi_category", "pi_type", "stack_hash")
    )
    note = None
    if total > len(rows):
        note = (
            f"showing {len(rows):,} of the session's {total:,} hook events, evenly sampled (browse them all "
            "below)"
        )
    events = [
        {
            "id": e["id"],
            "ts": e["ts"],
            "api": e["api"],
            "pi_category": e["pi_category"],
            "pi_type": e["pi_type"],
            "stack_hash": e["stack_hash"],
        }
        for e in rows
    ]
    flows, flow_total = r.flow_page(
        session_id, limit=MAX_MARKS, window=window, only=("id", "ts_start", "method", "url")
    )
    if flow_total > MAX_MARKS:
        note = (note + "; " if note else "") + f"the first {MAX_MARKS:,} of {flow_total:,} flows"
    return events, flows, note
