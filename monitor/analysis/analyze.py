"""The analysis pass: stored session → PI matches, consent timeline and findings (pure and repeatable).

Built to stay close to linear in the number of hook events: stacks, return values and receivers
are decoded once per distinct value, not once per event (bench/bench_analysis.py).
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache

import pandas as pd

from .. import events as ev
from ..app_profile import AppProfile, vocabulary_for
from ..capture.catalogue import authorities, load_catalogue
from ..storage.queries import PROVENANCE_SIGNALS, StoreReader
from ..timeutil import now_us
from .attribution import Attribution, attribute_stack, reached_by_reflection
from .consent_events import judge_consent_events
from .matching import CUSTOM_BASE64, DETECTED, travelled_encoding
from .party import describe_receiver
from .policy import read_declared
from .provenance import derive, derived_needles, operations
from .request_attribution import attribute_requests
from .rules import RuleContext, run_rules
from .rules.coverage import rule_coverage
from .session_rows import StoredRows
from .timeline import build_timeline
from .watchlist import MIN_VALUE_LENGTH, WatchValue, expand, values_from_event

MATCH_COLUMNS = [
    "flow_id",
    "hook_event_id",
    "pi_category",
    "pi_type",
    "encoding",
    "location",
    "value_preview",
    "ts",
    "chain",
    "derived_from",
]
FLOW_COLUMNS = ["host", "url", "method", "scheme", "tls", "server_ip"]
OPTIONAL_TEXT = ["server_ip", "receiver_sdk", "company", "ip_country"]


def mask(value: str) -> str:
    if len(value) <= 6:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]


def _sent_at(match, flow_ts: dict[str, int], message_ts: dict[tuple[str, int], int]) -> int:
    if match.location.startswith("ws["):
        index = int(match.location[3 : match.location.index("]")])
        return message_ts.get((match.flow_id, index), flow_ts[match.flow_id])
    return flow_ts[match.flow_id]


def _openers(reader: StoreReader, session_id: str, flows: list[dict], events) -> dict[str, list[dict]]:
    """flow id → the net.connect hook event of the connection that carried it, then the fork
    events that started its process (a child of the app, nearest first)."""
    pairs = {(f["opener_pid"], f["opener_seq"]) for f in flows if f.get("opener_seq") is not None}
    ids = reader.event_ids_by_seq(session_id, pairs)
    spawned_by = reader.spawn_events(session_id) if ids else {}
    pid_of = {}
    out = {}
    for flow in flows:
        event_id = ids.get((flow.get("opener_pid"), flow.get("opener_seq")))
        if event_id is None:
            continue
        chain, pid = [events.event(event_id)], flow["opener_pid"]
        while pid in spawned_by and len(chain) < 8:
            fork_id = spawned_by[pid]
            chain.append(events.event(fork_id))
            if fork_id not in pid_of:
                pid_of[fork_id] = reader.event_pid(fork_id)
            pid = pid_of[fork_id]
        out[flow["id"]] = chain
    return out


@lru_cache(maxsize=1)
def _catalogue_entries() -> dict[str, dict]:
    return {e["id"]: e for e in load_catalogue()}


def _consent_args(reader: StoreReader, session_id: str) -> dict[str, int | None]:
    """Which argument of an SDK privacy call carries the decision, per catalogue entry: as the
    session's install report recorded it (extra hooks included), else today's catalogue."""
    args = {entry_id: e.get("consent_arg") for entry_id, e in _catalogue_entries().items()}
    for message in reader.agent_messages(session_id, [ev.MSG_INSTALL]):
        payload = message["payload"] if isinstance(message["payload"], dict) else {}
        for result in payload.get("results", []):
            if isinstance(result, dict) and "consent_arg" in result:
                args[result["id"]] = result["consent_arg"]
    return args


def _permissions_by_type() -> dict[str, str]:
    return {a["pi_type"]: a["permission"] for a in authorities().values() if a.get("permission")}


class _Events:
    """The run's hook events as a frame; each distinct stack is decoded and attributed once."""

    def __init__(self, data, app_package: str, returned: list[tuple], decoded: dict | None = None) -> None:
        """`decoded`: events already decoded (by id), kept by the caller between passes."""
        frame = self.frame = data.frame
        self._decoded_by_id = {} if decoded is None else decoded
        self.app_package = app_package
        self._stacks: dict[int, str] = data.stacks
        self._signals: dict[int, tuple] = data.signals
        self._rets: dict[int, str] = {row[0]: row[4] for row in returned}  # first read of each returned value
        self._attr: dict[tuple[int, str], tuple[Attribution, bool]] = {}
        self._ids = pd.Index(frame["id"].to_numpy())  # event id → row, hashed in pandas (ids are unique)
        self._read_apis = set(frame.loc[frame["pi_category"].notna(), "api"].unique().tolist())

    def stack(self, stack_hash) -> list[str]:
        text = self._stacks.get(int(stack_hash)) if pd.notna(stack_hash) else None
        return json.loads(text) if text else []

    def _decide(self, stack_hash, api: str) -> tuple[Attribution, bool]:
        key = (int(stack_hash) if pd.notna(stack_hash) else 0, api)
        hit = self._attr.get(key)
        if hit is None:
            stack = self.stack(stack_hash)
            hit = (
                attribute_stack(stack, self.app_package, api, reads=api in self._read_apis),
                reached_by_reflection(stack, api),
            )
            self._attr[key] = hit
        return hit

    def attribution(self, event_id: int) -> Attribution:
        row = self.frame.iloc[self._ids.get_loc(int(event_id))]
        return self._decide(row["stack_hash"], row["api"])[0]

    def event(self, event_id: int) -> dict:
        return self._decoded(self.frame.iloc[self._ids.get_loc(int(event_id))].to_dict())

    def pi_reads(self) -> pd.DataFrame:
        """PI reads with their caller (SDK or app) and whether reflection reached them, in (ts, id) order."""
        reads = self.frame[self.frame["pi_category"].notna()]
        pairs = reads[["stack_hash", "api"]].drop_duplicates()
        decided = [self._decide(h, a) for h, a in zip(pairs["stack_hash"].tolist(), pairs["api"].tolist())]
        who = pairs.assign(
            caller=[d[0].key for d in decided],
            sdk=[d[0].label for d in decided],
            party=[d[0].party for d in decided],
            reflective=[d[1] for d in decided],
        )
        merged = reads.merge(who, on=["stack_hash", "api"], how="left", sort=False)
        return merged[
            ["id", "ts", "api", "pi_category", "pi_type", "hook_id", "caller", "sdk", "party", "reflective"]
        ]

    def attributions(self) -> list[dict]:
        """Who made each distinct call (stack and API) of the run, for readers to show as stored."""
        pairs = self.frame[["stack_hash", "api"]].drop_duplicates()
        out = []
        for stack_hash, api in zip(pairs["stack_hash"].tolist(), pairs["api"].tolist()):
            if pd.isna(stack_hash):
                continue
            attribution, reflective = self._decide(stack_hash, api)
            out.append(
                {
                    "stack_hash": int(stack_hash),
                    "api": api,
                    "sdk": attribution.label,
                    "party": attribution.party,
                    "reflective": bool(reflective),
                }
            )
        return out

    def signals(self) -> list[dict]:
        """Signal events with their arguments and return values (crypto and encoding calls are
        provenance's: analysis/provenance.py reads them whole)."""
        frame = self.frame
        rows = frame[frame["signal"].notna() & ~frame["signal"].isin(PROVENANCE_SIGNALS)]
        return [self._decoded(row) for row in rows.to_dict("records")]

    def _decoded(self, row: dict) -> dict:
        known = self._decoded_by_id.get(int(row["id"]))
        if known is not None:
            return known
        out = self._decoded_by_id[int(row["id"])] = self._decode(row)
        return out

    def _decode(self, row: dict) -> dict:
        out = {k: row[k] for k in ("id", "ts", "api", "pi_category", "pi_type", "hook_id", "signal")}
        out["id"], out["ts"] = int(out["id"]), int(out["ts"])
        for k in ("pi_category", "pi_type", "hook_id", "signal"):
            if not isinstance(out[k], str):  # NaN / None from the frame
                out[k] = None
        args, ret = self._signals.get(out["id"], (None, self._rets.get(out["id"])))
        out["args"] = json.loads(args) if isinstance(args, str) else []
        out["ret"] = json.loads(ret) if isinstance(ret, str) else None
        out["stack"] = self.stack(row["stack_hash"])
        return out


def _watchlist(returned: list[tuple], exclude: set[str], profile_values: list[dict]) -> list[WatchValue]:
    """`returned`: the first PI read of each distinct returned value (StoreReader.returned_values)."""
    seen: dict[str, WatchValue] = {}
    for event_id, _ts, pi_category, pi_type, ret_json in returned:
        ret = json.loads(ret_json) if isinstance(ret_json, str) else None
        for value in values_from_event({"ret": ret, "pi_category": pi_category}):
            value = value.strip()
            if len(value) >= MIN_VALUE_LENGTH and value not in exclude and value not in seen:
                seen[value] = WatchValue(value, pi_category, pi_type, int(event_id))
    for item in profile_values:
        value = str(item.get("value", "")).strip()
        if len(value) >= MIN_VALUE_LENGTH and value not in exclude and value not in seen:
            seen[value] = WatchValue(value, item["pi_category"], item["pi_type"], None)
    return list(seen.values())


def _in_flow_order(matches: list, flows: list[dict]) -> list:
    """Matches in the flows' time order (each flow's own in the order found)."""
    position = {f["id"]: i for i, f in enumerate(flows)}
    return sorted(matches, key=lambda m: position[m.flow_id])


def _with_declared_policy(
    reader: StoreReader, session_id: str, profile: AppProfile
) -> tuple[AppProfile, dict]:
    """The app profile the rules judge by: its own declared lists when it has them (they correct
    what was parsed), else the lists the app's privacy notice and policy pages declared."""
    declared = read_declared(reader, session_id)
    used = profile.declared_collected is None and profile.declared_shared is None and not declared.empty
    if used:
        profile = replace(
            profile,
            declared_collected=declared.collected or None,
            declared_shared=declared.shared or None,
        )
    return profile, {**declared.to_json(), "used": used}


def forget_process_caches() -> None:
    """What this process keeps between analyses (compiled matchers, decoded crypto inputs),
    forgotten: the next analysis costs what a one-shot `privmon analyze` does (bench/)."""
    from ..codec.multipattern import forget_compiled
    from .provenance import forget_decoded_inputs

    forget_compiled()
    forget_decoded_inputs()


def analyze_session(
    reader: StoreReader,
    session_id: str,
    profile: AppProfile | None = None,
    workers: int | None = None,
    rows: StoredRows | None = None,
) -> ev.AnalysisResult:
    """`rows`: the session's rows as read for this pass (default: read whole; KeptRows between the
    passes over a session still being written)."""
    rows = rows or StoredRows(reader, session_id)
    rows.begin()
    session = reader.session(session_id)
    app_package = session["app"]
    meta = session["meta"] or {}
    profile = profile or AppProfile.from_meta(meta.get("app_profile"), app_package)
    profile, policy = _with_declared_policy(reader, session_id, profile)
    client_messages = [m for m in reader.websocket_messages(session_id) if m["from_client"]]
    message_ts = {(m["flow_id"], m["index"]): m["ts"] for m in client_messages}
    returned = rows.returned_values()
    watchlist = _watchlist(returned, {app_package}, meta.get("watch") or [])
    needles = [n for w in watchlist for n in expand(w)]
    crypto_ops, compressed = operations(rows.crypto_events())
    provenance = derive(crypto_ops, needles, compressed)
    needles += derived_needles(provenance.derived, {n.pattern for n in needles}, covered=True)
    with rows.matching(client_messages, needles, workers) as job:
        flows = reader.flow_summaries(session_id)
        flow_ts = {f["id"]: f["ts_start"] for f in flows}
        events = _Events(rows.hook_events(), app_package, returned, rows.decoded_events)
        reads = events.pi_reads()
        signals = events.signals()
        judged, consent_events = judge_consent_events(
            session_id,
            signals,
            _consent_args(reader, session_id),
            vocabulary_for(profile),
            reader.consent_events(session_id),
            reader.last_consent_event_id(),
        )
        timeline = build_timeline(
            session, consent_events, signals, reader.reviews(session_id), reader.clock_samples(session_id)
        )
        pi_matches: list[ev.PiMatch] = []

        def matched() -> pd.DataFrame:
            """The traffic's PI matches, once the matching is done (rules on hook events alone run first)."""
            pi_matches.extend(
                _pi_match(session_id, m, _sent_at(m, flow_ts, message_ts))
                for m in _in_flow_order(job.result(), flows)
            )
            return _match_frame(pi_matches, flows, app_package, profile)

        ctx = RuleContext(
            session_id=session_id,
            app_package=app_package,
            profile=profile,
            scenario=meta.get("scenario"),
            session_start=session["started_at"],
            session_end=session["ended_at"],
            events=reads,
            signals=signals,
            attributions=events.attribution,
            matches_source=matched,
            timeline=timeline,
            entries=_catalogue_entries(),
            watch_values={w.value: (w.pi_type, w.pi_category) for w in watchlist},
            events_by_id=events.event,
            same_value_reads=rows.reads_returning_same,
            senders=attribute_requests(
                [s for s in signals if s["signal"] == "http_request"],
                flows,
                app_package,
                _openers(reader, session_id, flows, events),
            ),
            permissions_by_type=_permissions_by_type(),
        )
        findings = run_rules(ctx)
        rules = rule_coverage(ctx, len(flows))
        receivers = _receivers(flows, app_package, profile)
        senders = [
            {
                "flow_id": flow_id,
                "hook_event_id": s.hook_event_id,
                "api": s.api,
                "sdk": s.attribution.label,
                "party": s.attribution.party,
                "lead_ms": s.lead_ms,
            }
            for flow_id, s in ctx.senders.items()
        ]
        ctx.matches  # noqa: B018 - the matching completes even when no rule asked for it
    return ev.AnalysisResult(
        session_id,
        pi_matches,
        findings,
        judged,
        timeline=timeline.to_json(),
        watchlist=[vars(w) for w in watchlist],
        attributions=events.attributions(),
        receivers=receivers,
        senders=senders,
        provenance=provenance.summary(),
        rules=rules,
        policy=policy,
        analysed_at=now_us(),
    )


def _chain(needle) -> list[dict]:
    """A derived value's steps as sent: its chain, then an encoding no hooked call made (a base64
    alphabet of the app's own)."""
    steps = [s.as_json() for s in needle.derived.chain]
    if needle.form == CUSTOM_BASE64:
        steps.append({"step": CUSTOM_BASE64, "hook_event_id": None, "verb": "encoded"})
    return steps


def _pi_match(session_id: str, m, ts: int) -> ev.PiMatch:
    needle, watch = m.needle, m.needle.watch
    derived = needle.derived
    if derived is not None:
        encoding = needle.encoding
    else:
        encoding = needle.encoding if needle.encoding == DETECTED else travelled_encoding(m.location, needle)
    return ev.PiMatch(
        session_id,
        m.flow_id,
        watch.hook_event_id,
        watch.pi_category,
        watch.pi_type,
        encoding,
        m.location,
        mask(watch.value),
        ts,
        chain=_chain(needle) if derived is not None else None,
        derived_from=derived.hook_event_id if derived is not None else None,
    )


def _receivers(flows: list[dict], app_package: str, profile: AppProfile) -> list[dict]:
    """Who received each (host, address) the run's traffic went to."""
    own_domains = set(profile.own_domains)
    out = []
    certified = _certificate_orgs(flows)
    for host, server_ip in dict.fromkeys((f["host"], f["server_ip"]) for f in flows):
        r = describe_receiver(host, server_ip, app_package, own_domains, certified.get((host, server_ip)))
        out.append({"host": host, "server_ip": server_ip, **{k: r[k] for k in ev.RECEIVER_FIELDS}})
    return out


def _certificate_orgs(flows: list[dict]) -> dict[tuple[str, str | None], tuple[str, str | None]]:
    """(host, address) → the organisation and country its server's certificate names, if any."""
    out: dict = {}
    for f in flows:
        if f.get("server_org"):
            out.setdefault((f["host"], f["server_ip"]), (f["server_org"], f.get("server_org_country")))
    return out


def _match_frame(
    pi_matches: list[ev.PiMatch], flows: list[dict], app_package: str, profile: AppProfile
) -> pd.DataFrame:
    receiver_columns = ["receiver", "party", "registrable", "receiver_sdk", "company", "ip_country"]
    columns = MATCH_COLUMNS + FLOW_COLUMNS + ["detected"] + receiver_columns
    if not pi_matches:
        return pd.DataFrame(columns=columns)
    matches = pd.DataFrame(
        [tuple(getattr(m, c) for c in MATCH_COLUMNS) for m in pi_matches], columns=MATCH_COLUMNS
    )
    by_id = {f["id"]: f for f in flows}
    own_domains = set(profile.own_domains)
    receivers: dict[tuple[str, str | None], dict] = {}
    per_flow = []  # one row per flow that carried a match: its FLOW_COLUMNS and who received it
    for flow_id in matches["flow_id"].unique().tolist():
        flow = by_id[flow_id]
        host, server_ip = flow["host"], flow["server_ip"]
        r = receivers.get((host, server_ip))
        if r is None:
            r = receivers[(host, server_ip)] = describe_receiver(
                host,
                server_ip,
                app_package,
                own_domains,
                (flow.get("server_org"), flow.get("server_org_country")),
            )
        per_flow.append(
            (
                flow_id,
                host,
                flow["url"],
                flow["method"],
                flow["scheme"],
                bool(flow["tls"]) or flow["scheme"] in ("https", "wss"),
                server_ip,
                r,
                r["party"],
                r["registrable_domain"] or host,
                r["sdk"] or r["tracker"],
                r["company"],
                r["ip_country"],
            )
        )
    # Unknown receivers stay None, not NaN (NaN is truthy, and rules write `sdk or company or domain`).
    names = ["flow_id", *FLOW_COLUMNS, *receiver_columns]
    per_flow_frame = pd.DataFrame(
        {
            name: pd.Series([row[i] for row in per_flow], dtype=object if name in OPTIONAL_TEXT else None)
            for i, name in enumerate(names)
        }
    )
    frame = matches.merge(per_flow_frame, on="flow_id", how="left", sort=False)
    frame["detected"] = frame["encoding"] == DETECTED
    return frame[columns]
