"""Hook-event and flow browsers: filtered, paginated in SQL (fast at 100 k events)."""

from __future__ import annotations

from monitor.codec.decode import decode_request
from monitor.evidence.serialize import pi_match_view
from monitor.storage.facts import SessionFacts
from monitor.storage.queries import StoreReader
from monitor.timeutil import iso_utc

PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
SEGMENT_PREVIEW = 2000


def _page(page: int, size: int, total: int) -> dict:
    pages = max(1, -(-total // size))
    return {
        "page": page,
        "size": size,
        "total": total,
        "pages": pages,
        "prev": page - 1 if page > 1 else None,
        "next": page + 1 if page < pages else None,
    }


def _windows(
    facts: SessionFacts, session: dict, phase: str | None, state: str | None
) -> list[tuple[int, int | None]] | None:
    """Time ranges of a consent phase and/or an app state (the stored timeline), intersected."""
    if not phase and not state:
        return None
    ranges: list[tuple[int, int | None]] = [(session["started_at"] - 1, None)]
    for wanted, intervals in ((phase, facts.phases), (state, facts.states)):
        if not wanted:
            continue
        picked = [(i["start"], i["end"]) for i in intervals if i["name"] == wanted]
        ranges = [
            (max(a, c), _min_end(b, d))
            for a, b in ranges
            for c, d in picked
            if _min_end(b, d) is None or max(a, c) < _min_end(b, d)
        ]
    return ranges


def _min_end(b, d):
    return d if b is None else b if d is None else min(b, d)


def event_page(
    r: StoreReader,
    session_id: str,
    category: str | None,
    api: str | None,
    signal: str | None,
    page: int,
    size: int,
    sdk: str | None = None,
    phase: str | None = None,
    state: str | None = None,
) -> dict:
    size = max(1, min(size, MAX_PAGE_SIZE))
    page = max(1, page)
    session = r.session(session_id)
    facts = SessionFacts(r, session_id)
    stacks = facts.stack_hashes_of(sdk) if sdk else None
    rows, total = r.hook_event_page(
        session_id,
        category or None,
        api or None,
        signal or None,
        size,
        (page - 1) * size,
        stacks,
        _windows(facts, session, phase, state),
    )
    return {
        "events": [
            {
                "id": e["id"],
                "ts": iso_utc(e["ts"]),
                "api": e["api"],
                "pi_category": e["pi_category"],
                "pi_type": e["pi_type"],
                "signal": e["signal"],
                "args": e["args"],
                "ret": e["ret"],
                "thread": e["thread"],
                "stack": e["stack"][:40],
                **facts.event_facts(e),
            }
            for e in rows
        ],
        "filters": {
            "category": category or "",
            "api": api or "",
            "signal": signal or "",
            "sdk": sdk or "",
            "phase": phase or "",
            "state": state or "",
        },
        **_page(page, size, total),
    }


def flow_page(
    r: StoreReader, session_id: str, host: str | None, text: str | None, page: int, size: int
) -> dict:
    size = max(1, min(size, MAX_PAGE_SIZE))
    page = max(1, page)
    rows, total = r.flow_page(session_id, host or None, text or None, size, (page - 1) * size)
    facts = SessionFacts(r, session_id)
    senders = facts.senders([f["id"] for f in rows])
    return {
        "flows": [
            {
                "id": f["id"],
                "ts": iso_utc(f["ts_start"]),
                "method": f["method"],
                "url": f["url"],
                "host": f["host"],
                "status_code": f["status_code"],
                "tls": f["tls"],
                "request_body_size": f["request_body_size"],
                "server_ip": f["server_ip"],
                "capture_path": f.get("capture_path"),
                "receiver": facts.receiver(f),
                "sender": senders.get(f["id"]),
            }
            for f in rows
        ],
        "filters": {"host": host or "", "q": text or ""},
        **_page(page, size, total),
    }


def flow_detail(r: StoreReader, session_id: str, flow_id: str) -> dict | None:
    """One flow with its decoded views: every segment the decoder found, by path (bounded)."""
    flow = r.flow(session_id, flow_id)
    if flow is None:
        return None
    messages = [m for m in r.websocket_messages(session_id, flow_id)]
    decoded = decode_request(
        flow["url"],
        flow["request_headers"],
        flow["request_body"] or b"",
        [(m["index"], m["content"]) for m in messages if m["from_client"]],
    )
    segments = [
        {
            "path": s.path,
            "key": s.key,
            "text": s.data[:SEGMENT_PREVIEW].decode("utf-8", "replace")
            + (f"… [{len(s.data):,} bytes]" if len(s.data) > SEGMENT_PREVIEW else ""),
        }
        for s in decoded.segments[:200]
    ]
    matches = r.pi_matches(session_id, flow_ids=[flow_id])
    facts = SessionFacts(r, session_id)
    return {
        "flow": {
            "id": flow["id"],
            "ts": iso_utc(flow["ts_start"]),
            "method": flow["method"],
            "url": flow["url"],
            "http_version": flow["http_version"],
            "tls": flow["tls"],
            "server_ip": flow["server_ip"],
            "status_code": flow["status_code"],
            "request_headers": flow["request_headers"],
            "response_headers": flow["response_headers"],
            "error": flow["error"],
            "request_body_size": flow["request_body_size"],
            "truncated": flow["request_body_truncated"],
            "capture_path": flow.get("capture_path"),
            "opener_pid": flow.get("opener_pid"),
            "receiver": facts.receiver(flow),
            "sender": facts.senders([flow_id]).get(flow_id),
        },
        "segments": segments,
        "decode_errors": [{"path": p, "error": e} for p, e in decoded.errors],
        "matches": [pi_match_view(m) for m in matches],
        "websocket": [
            {
                "index": m["index"],
                "from_client": m["from_client"],
                "ts": iso_utc(m["ts"]),
                "text": m["content"][:SEGMENT_PREVIEW].decode("utf-8", "replace"),
            }
            for m in messages
        ],
    }
