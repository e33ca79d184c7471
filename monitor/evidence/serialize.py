"""JSON views of stored records, shared by the CLI, the dashboard and evidence bundles."""

from __future__ import annotations

import base64
from typing import Any

from ..timeutil import iso_utc


def finding_json(f: dict, review: dict | None = None) -> dict[str, Any]:
    return {
        "rule_id": f["rule_id"],
        "severity": f["severity"],
        "title": f["title"],
        "title_zh": f.get("title_zh"),
        "explanation": f["explanation"],
        "explanation_zh": f.get("explanation_zh"),
        "ts": iso_utc(f["ts"]),
        "ts_us": f["ts"],
        "pi_category": f["pi_category"],
        "pi_type": f["pi_type"],
        "sdk": f["sdk"],
        "host": f["host"],
        "encoding": f["encoding"],
        "clauses": f["clauses"],
        "evidence": f["evidence"],
        "fingerprint": f["fingerprint"],
        # the findings about the same actor (SDK, app, unknown code): key, titles, severity, size
        "group": f.get("finding_group"),
        "id": f["id"],
        "review": review or {"state": "open", "history": []},
    }


def reviewed_findings(reader, session_id: str) -> list[dict[str, Any]]:
    """A session's findings as JSON, each with its review state and history."""
    from ..review import finding_state, review_states

    states = review_states(reader.reviews(session_id))
    return [finding_json(f, finding_state(f, states)) for f in reader.findings(session_id)]


def pi_match_view(m: dict) -> dict[str, Any]:
    """A PI match as pages and reports show it: what, how encoded, where (the decoding path), a
    masked preview of the value."""
    return {k: m[k] for k in ("pi_type", "encoding", "location", "value_preview")}


def flow_rows(reader, session_id: str) -> list[dict[str, Any]]:
    """The session's flows as `privmon flows` lists them: host, path, status, how each was
    captured, and the call (SDK or app) the analysis found sent it."""
    from urllib.parse import urlsplit

    from ..storage.facts import SessionFacts

    summaries = reader.flow_summaries(session_id)
    senders = SessionFacts(reader, session_id).senders([f["id"] for f in summaries])
    rows = []
    for f in summaries:
        sender = senders.get(f["id"])
        rows.append(
            {
                "id": f["id"],
                "ts": f["ts_start"],
                "method": f["method"],
                "host": f["host"],
                "path": urlsplit(f["url"]).path or "/",
                "status": f["status_code"],
                "error": f["error"],
                "capture_path": f["capture_path"],
                "opener_pid": f["opener_pid"],
                "sender_api": sender["api"] if sender else None,
                "sdk": sender["sdk"] if sender else None,
                "party": sender["party"] if sender else None,
            }
        )
    return rows


def session_json(s: dict) -> dict[str, Any]:
    return {
        "id": s["id"],
        "app": s["app"],
        "target": s["target"],
        "status": s["status"],
        "started_at": iso_utc(s["started_at"]),
        "ended_at": iso_utc(s["ended_at"]),
        "end_reason": s["end_reason"],
        "findings": s.get("findings"),
        "meta": s["meta"],
    }


def hook_event_json(e: dict, facts=None) -> dict[str, Any]:
    """One hook event, with what the analysis stored about it (`facts`: storage.facts.SessionFacts):
    who made the call, whether reflection reached it, the consent phase and app state then."""
    stored = facts.event_facts(e) if facts is not None else {}
    return {
        "id": e["id"],
        "seq": e["seq"],
        "pid": e["pid"],
        "ts": iso_utc(e["ts"]),
        "ts_us": e["ts"],
        "device_ts_us": e["device_ts"],
        "api": e["api"],
        "pi_category": e["pi_category"],
        "pi_type": e["pi_type"],
        "args": e["args"],
        "ret": e["ret"],
        "stack": e["stack"],
        "thread": e["thread"],
        "hook_id": e["hook_id"],
        "signal": e["signal"],
        "sensitive": e.get("sensitive"),
        "sdk": stored.get("sdk"),
        "party": stored.get("party"),
        "reflective": stored.get("reflective"),
        "consent_phase": stored.get("consent_phase"),
        "app_state": stored.get("app_state"),
    }


def consent_json(c: dict) -> dict[str, Any]:
    return {
        "id": c["id"],
        "ts": iso_utc(c["ts"]),
        "ts_us": c["ts"],
        "kind": c["kind"],
        "source": c["source"],
        "detail": c["detail"],
        "hook_seq": c["hook_seq"],
    }


def _har_content(body: bytes, headers: list[list[str]], size: int, truncated: bool) -> dict[str, Any]:
    mime = next((v for k, v in headers if k.lower() == "content-type"), "")
    content: dict[str, Any] = {"size": size, "mimeType": mime}
    try:
        content["text"] = body.decode("utf-8")
    except UnicodeDecodeError:
        content["text"] = base64.b64encode(body).decode()
        content["encoding"] = "base64"
    if truncated:
        content["_privmonTruncatedAt"] = len(body)
    return content


def _har_headers(headers: list[list[str]]) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in headers]


def _har_websocket(messages: list[dict]) -> list[dict]:
    """Chrome DevTools' HAR extension for WebSocket frames (`_webSocketMessages`)."""
    out = []
    for m in messages:
        try:
            data, opcode = (m["content"].decode("utf-8"), 1) if m["is_text"] else (None, 2)
        except UnicodeDecodeError:
            data, opcode = None, 1
        if data is None:
            data = base64.b64encode(m["content"]).decode("ascii")
        out.append(
            {
                "type": "send" if m["from_client"] else "receive",
                "time": m["ts"] / 1_000_000,
                "opcode": opcode,
                "data": data,
                **({"_privmonTruncatedFrom": m["size"]} if m["truncated"] else {}),
            }
        )
    return out


def flows_to_har(flows: list[dict], version: str, websocket_messages: list[dict] = ()) -> dict[str, Any]:
    entries = []
    by_flow: dict[str, list[dict]] = {}
    for m in websocket_messages:
        by_flow.setdefault(m["flow_id"], []).append(m)
    for f in flows:
        elapsed = ((f["ts_end"] or f["ts_start"]) - f["ts_start"]) / 1000
        request = {
            "method": f["method"],
            "url": f["url"],
            "httpVersion": f["http_version"],
            "headers": _har_headers(f["request_headers"]),
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": f["request_body_size"],
        }
        if f["request_body_size"]:
            post = _har_content(
                f["request_body"], f["request_headers"], f["request_body_size"], f["request_body_truncated"]
            )
            request["postData"] = {
                "mimeType": post["mimeType"],
                "text": post["text"],
                **({"_encoding": "base64"} if post.get("encoding") else {}),
            }
        entries.append(
            {
                "startedDateTime": iso_utc(f["ts_start"]),
                "time": elapsed,
                "request": request,
                "response": {
                    "status": f["status_code"] or 0,
                    "statusText": "",
                    "httpVersion": f["http_version"],
                    "headers": _har_headers(f["response_headers"]),
                    "cookies": [],
                    "content": _har_content(
                        f["response_body"],
                        f["response_headers"],
                        f["response_body_size"],
                        f["response_body_truncated"],
                    ),
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": f["response_body_size"],
                },
                "cache": {},
                "timings": {"send": 0, "wait": elapsed, "receive": 0},
                "serverIPAddress": f["server_ip"] or "",
                "_privmonFlowId": f["id"],
                "_privmonTls": f["tls"],
                **({"_privmonError": f["error"]} if f["error"] else {}),
                **({"_privmonCapturePath": f["capture_path"]} if f.get("capture_path") else {}),
                **({"_privmonOpenerPid": f["opener_pid"]} if f.get("opener_pid") is not None else {}),
                **(
                    {"_resourceType": "websocket", "_webSocketMessages": _har_websocket(by_flow[f["id"]])}
                    if f["id"] in by_flow
                    else {}
                ),
            }
        )
    return {"log": {"version": "1.2", "creator": {"name": "privmon", "version": version}, "entries": entries}}
