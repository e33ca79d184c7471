"""One finding's evidence in order, for the dashboard's finding page and the report alike: the
hooked calls with their stacks (the frames that decided the SDK marked), the requests with the
matched bytes' locations and decoding paths, the consent event and the screenshot taken at it.
Captured content stays data: templates escape it, bodies are cut to a preview."""

from __future__ import annotations

from ..storage.queries import StoreReader
from ..timeutil import iso_utc
from .serialize import consent_json, pi_match_view, reviewed_findings

MAX_EVENTS = 5
MAX_FLOWS = 5
BODY_PREVIEW = 8 * 1024


def _body_text(body: bytes) -> str:
    text = body[:BODY_PREVIEW].decode("utf-8", errors="replace")
    return text + (f"… [{len(body):,} bytes]" if len(body) > BODY_PREVIEW else "")


def session_screenshots(r: StoreReader, session_id: str) -> list[dict]:
    """The screenshots a phone run recorded (device:screenshot messages), oldest first."""
    return [
        {
            "name": s["file"].rsplit("/", 1)[-1],
            "reason": s.get("reason"),
            "sha256": s.get("sha256"),
            "at": iso_utc(s["ts"]),
            "consent_ts_us": s.get("consent_ts_us"),
        }
        for s in r.screenshots(session_id)
    ]


def finding_detail(r: StoreReader, session_id: str, fingerprint: str) -> dict | None:
    finding = next((f for f in reviewed_findings(r, session_id) if f["fingerprint"] == fingerprint), None)
    if finding is None:
        return None
    return {
        **finding_evidence(r, session_id, finding, session_screenshots(r, session_id)),
        "session": {"id": session_id, "app": r.session(session_id)["app"]},
    }


def finding_evidence(r: StoreReader, session_id: str, finding: dict, screenshots: list[dict]) -> dict:
    """`finding` (reviewed_findings' JSON) with its evidence read from the store; `screenshots`:
    session_screenshots(), read once for all of a session's findings."""
    evidence = finding["evidence"]
    wanted_events = list(evidence.get("hook_event_ids") or [])
    for key in ("first_hook_event_id", "hook_event_id", "exit_hook_event_id"):
        if isinstance(evidence.get(key), int):
            wanted_events.append(evidence[key])
    if isinstance(evidence.get("data_flow"), dict):
        wanted_events.append(evidence["data_flow"]["hook_event_id"])
    derived = evidence.get("derived") if isinstance(evidence.get("derived"), dict) else None
    if derived:  # the calls that encrypted, hashed or encoded the value, last (the deciding one) first
        steps = [s.get("hook_event_id") for s in derived.get("steps") or [] if isinstance(s, dict)]
        wanted_events += [i for i in reversed(steps) if isinstance(i, int)]
    wanted_events = list(dict.fromkeys(wanted_events))[:MAX_EVENTS]
    deciding_frames = {
        (evidence.get("attribution") or {}).get("deciding_frame"),
        ((derived or {}).get("by") or {}).get("deciding_frame"),
    } - {None}
    events = []
    if wanted_events:
        by_id = {e["id"]: e for e in r.hook_events_by_id(session_id, wanted_events)}
        for i in wanted_events:
            e = by_id.get(i)
            if e:
                events.append(
                    {
                        "id": e["id"],
                        "ts": iso_utc(e["ts"]),
                        "api": e["api"],
                        "args": e["args"],
                        "ret": e["ret"],
                        "thread": e["thread"],
                        "stack": [{"frame": fr, "deciding": fr in deciding_frames} for fr in e["stack"]],
                    }
                )
    flow_ids = list(evidence.get("flow_ids") or [])[:MAX_FLOWS]
    if not flow_ids and wanted_events:  # a collection finding: where the collected value went (data flow)
        linked = r.pi_matches(session_id, hook_event_ids=wanted_events)
        flow_ids = list(dict.fromkeys(m["flow_id"] for m in linked))[:MAX_FLOWS]
    flows = []
    if flow_ids:
        matches = r.pi_matches(session_id, flow_ids=flow_ids)
        for fid in flow_ids:
            f = r.flow(session_id, fid)
            if f:
                flows.append(
                    {
                        "id": fid,
                        "ts": iso_utc(f["ts_start"]),
                        "method": f["method"],
                        "url": f["url"],
                        "http_version": f["http_version"],
                        "tls": f["tls"],
                        "server_ip": f["server_ip"],
                        "status_code": f["status_code"],
                        "headers": f["request_headers"],
                        "body": _body_text(f["request_body"] or b""),
                        "body_size": f["request_body_size"],
                        "matches": [pi_match_view(m) for m in matches if m["flow_id"] == fid],
                    }
                )
    consent_id = (
        evidence.get("consent_event_id")
        or evidence.get("refusal_consent_event_id")
        or evidence.get("refusal_event_id")
    )
    raw_consent = next((c for c in r.consent_events(session_id) if c["id"] == consent_id), None)
    consent = consent_json(raw_consent) if raw_consent else None
    screenshot = next(
        (s for s in screenshots if raw_consent and s["consent_ts_us"] == raw_consent["ts"]),
        None,
    )
    return {
        "finding": finding,
        "derived": derived,
        "hook_events": events,
        "flows": flows,
        "consent": consent,
        "screenshot": screenshot,
    }
