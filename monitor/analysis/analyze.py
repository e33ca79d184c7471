"""The analysis pass: stored session → PI matches and findings (pure and repeatable)."""

from __future__ import annotations

import pandas as pd

from .. import events as ev
from ..storage.queries import StoreReader
from .attribution import attribute_stack
from .matching import DETECTED, find_matches
from .request_attribution import attribute_requests
from .rules import ConsentPoint, preconsent_collection, preconsent_transmission
from .transforms import short_encoding
from .watchlist import build_watchlist, expand

MATCH_COLUMNS = ["flow_id", "hook_event_id", "pi_category", "pi_type", "encoding", "location", "value_preview", "ts"]


def mask(value: str) -> str:
    if len(value) <= 6:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]


def consent_point(consents: list[dict], clock: list[dict]) -> ConsentPoint:
    error = max((c["error_us"] for c in clock), default=0)
    agreed = [c for c in consents if c["kind"] == "consent"]
    if not agreed:
        return ConsentPoint(None, None, None, error)
    first = min(agreed, key=lambda c: (c["ts"], c["id"]))
    return ConsentPoint(first["ts"], first["id"], first["source"], error)


def _sent_at(match, flow_ts: dict[str, int], message_ts: dict[tuple[str, int], int]) -> int:
    if match.location.startswith("ws["):
        index = int(match.location[3:match.location.index("]")])
        return message_ts.get((match.flow_id, index), flow_ts[match.flow_id])
    return flow_ts[match.flow_id]


def analyze_session(reader: StoreReader, session_id: str) -> ev.AnalysisResult:
    session = reader.session(session_id)
    app_package = session["app"]
    hook_events = reader.hook_events(session_id)
    flows = reader.flows(session_id)
    sent: dict[str, list[tuple[int, bytes]]] = {}
    message_ts: dict[tuple[str, int], int] = {}
    for message in reader.websocket_messages(session_id):
        if message["from_client"]:
            sent.setdefault(message["flow_id"], []).append((message["index"], message["content"]))
            message_ts[(message["flow_id"], message["index"])] = message["ts"]
    flow_ts = {f["id"]: f["ts_start"] for f in flows}
    for flow in flows:
        flow["ws_messages"] = sent.get(flow["id"], [])
    consent = consent_point(reader.consent_events(session_id), reader.clock_samples(session_id))

    attributions = {e["id"]: attribute_stack(e["stack"], app_package, e["api"]) for e in hook_events}
    events_by_id = {e["id"]: e for e in hook_events}
    watchlist = build_watchlist(hook_events, exclude={app_package}, profile=session["meta"].get("watch") or [])
    needles = [n for w in watchlist for n in expand(w)]
    matches = find_matches(flows, needles, detectors=True)
    pi_matches = [
        ev.PiMatch(session_id, m.flow_id, m.needle.watch.hook_event_id, m.needle.watch.pi_category,
                   m.needle.watch.pi_type, m.needle.encoding if m.needle.encoding == DETECTED else short_encoding(m.needle.encoding),
                   m.location, mask(m.needle.watch.value), _sent_at(m, flow_ts, message_ts))
        for m in matches
    ]
    events_df = pd.DataFrame(hook_events, columns=["id", "ts", "api", "pi_category", "pi_type"])
    matches_df = pd.DataFrame([vars(m) for m in pi_matches], columns=["session_id", *MATCH_COLUMNS])
    flows_df = pd.DataFrame(flows, columns=["id", "ts_start", "host", "url", "method", "server_ip"])
    findings = preconsent_collection(session_id, events_df, attributions, consent)
    senders = attribute_requests(hook_events, flows, app_package)
    findings += preconsent_transmission(session_id, matches_df, flows_df, events_by_id, attributions, consent, senders,
                                        app_package)
    findings.sort(key=lambda f: (f.ts, f.rule_id, f.fingerprint))
    return ev.AnalysisResult(session_id, pi_matches, findings)
