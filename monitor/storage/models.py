"""Table models. Only the writer inserts into them; readers go through queries."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class SchemaMeta(Base):
    __tablename__ = "schema_meta"
    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(String)


class Session(Base):
    __tablename__ = "sessions"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    app: Mapped[str] = mapped_column(String)
    target: Mapped[str] = mapped_column(String)
    status: Mapped[str] = mapped_column(String)
    started_at: Mapped[int] = mapped_column(BigInteger)
    ended_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    meta: Mapped[dict] = mapped_column(JSON, default=dict)


def _session_fk() -> Mapped[str]:
    return mapped_column(String, ForeignKey("sessions.id", ondelete="CASCADE"), index=True)


class HookEvent(Base):
    __tablename__ = "hook_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # indexed by (session_id, hook_id) below, which serves session_id alone too
    session_id: Mapped[str] = mapped_column(String, ForeignKey("sessions.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    pid: Mapped[int] = mapped_column(Integer)
    device_ts: Mapped[int] = mapped_column(BigInteger)
    ts: Mapped[int] = mapped_column(BigInteger)
    api: Mapped[str] = mapped_column(String)
    pi_category: Mapped[str | None] = mapped_column(String, nullable=True)
    pi_type: Mapped[str | None] = mapped_column(String, nullable=True)
    args: Mapped[list] = mapped_column(JSON)
    ret: Mapped[object] = mapped_column(JSON, nullable=True)
    stack: Mapped[list] = mapped_column(JSON)
    thread: Mapped[str | None] = mapped_column(String, nullable=True)
    hook_id: Mapped[str | None] = mapped_column(String, nullable=True)
    signal: Mapped[str | None] = mapped_column(String, nullable=True)
    sensitive: Mapped[bool | None] = mapped_column(
        Boolean, nullable=True
    )  # the agent's flag (NULL before v5)
    # 64-bit digest of the stack's JSON: analysis reads each distinct stack once (NULL before v4)
    stack_hash: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (
        Index("ix_hook_events_session_ts", "session_id", "ts"),
        # the coverage report counts each catalogue entry's events from the index alone
        Index("ix_hook_events_session_hook", "session_id", "hook_id"),
    )


class Flow(Base):
    __tablename__ = "flows"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    # indexed by (session_id, ts_start, id) below: pages in time order read the index alone
    session_id: Mapped[str] = mapped_column(String, ForeignKey("sessions.id", ondelete="CASCADE"))
    ts_start: Mapped[int] = mapped_column(BigInteger)
    ts_end: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    method: Mapped[str] = mapped_column(String)
    scheme: Mapped[str] = mapped_column(String)
    host: Mapped[str] = mapped_column(String)
    port: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(Text)
    http_version: Mapped[str] = mapped_column(String)
    request_headers: Mapped[list] = mapped_column(JSON)
    request_body: Mapped[bytes] = mapped_column(LargeBinary)
    request_body_size: Mapped[int] = mapped_column(Integer)
    request_body_truncated: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_headers: Mapped[list] = mapped_column(JSON)
    response_body: Mapped[bytes] = mapped_column(LargeBinary)
    response_body_size: Mapped[int] = mapped_column(Integer)
    response_body_truncated: Mapped[bool] = mapped_column(Boolean)
    tls: Mapped[bool] = mapped_column(Boolean)
    server_ip: Mapped[str | None] = mapped_column(String, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # "zstd" when request_body/response_body are stored compressed (bodies.py); NULL: as captured
    body_codec: Mapped[str | None] = mapped_column(String, nullable=True)
    # v6: how it was captured and which process's connection carried it (events.FlowRecord)
    capture_path: Mapped[str | None] = mapped_column(String, nullable=True)
    client_port: Mapped[int | None] = mapped_column(Integer, nullable=True)
    opener_pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    opener_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # v12: the organisation and country in the server's TLS certificate (events.FlowRecord)
    server_org: Mapped[str | None] = mapped_column(Text, nullable=True)
    server_org_country: Mapped[str | None] = mapped_column(String, nullable=True)

    __table_args__ = (Index("ix_flows_session_ts", "session_id", "ts_start", "id"),)


class WebSocketMessage(Base):
    __tablename__ = "websocket_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = _session_fk()
    flow_id: Mapped[str] = mapped_column(String, index=True)
    index: Mapped[int] = mapped_column(Integer)  # position in the connection, from 0
    ts: Mapped[int] = mapped_column(BigInteger)
    from_client: Mapped[bool] = mapped_column(Boolean)
    is_text: Mapped[bool] = mapped_column(Boolean)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    truncated: Mapped[bool] = mapped_column(Boolean)
    body_codec: Mapped[str | None] = mapped_column(String, nullable=True)


class BlindSpot(Base):
    __tablename__ = "blind_spots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = _session_fk()
    ts: Mapped[int] = mapped_column(BigInteger)
    host: Mapped[str | None] = mapped_column(String, nullable=True)
    server_ip: Mapped[str | None] = mapped_column(String, nullable=True)
    port: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str] = mapped_column(Text)


class ConsentEvent(Base):
    __tablename__ = "consent_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = _session_fk()
    ts: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String)
    source: Mapped[str] = mapped_column(String)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    hook_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    # set on the events the analysis judged from a hook event (replaced on every analysis)
    hook_event_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class AgentMessage(Base):
    __tablename__ = "agent_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = _session_fk()
    ts: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String)
    payload: Mapped[object] = mapped_column(JSON, nullable=True)


class ClockSample(Base):
    __tablename__ = "clock_samples"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = _session_fk()
    ts: Mapped[int] = mapped_column(BigInteger)
    offset_us: Mapped[int] = mapped_column(BigInteger)
    error_us: Mapped[int] = mapped_column(BigInteger)


class PiMatch(Base):
    __tablename__ = "pi_matches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = _session_fk()
    flow_id: Mapped[str] = mapped_column(String, index=True)
    hook_event_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pi_category: Mapped[str] = mapped_column(String)
    pi_type: Mapped[str] = mapped_column(String)
    encoding: Mapped[str] = mapped_column(String)
    location: Mapped[str] = mapped_column(Text)
    value_preview: Mapped[str] = mapped_column(String)
    # when the value left the device: the request's start, or the WebSocket message's time
    ts: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # a value the app derived (encrypted, hashed, encoded): its chain of steps from the value outward,
    # and the hook event of the call whose output was sent
    chain: Mapped[object] = mapped_column(JSON, nullable=True)
    derived_from: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Finding(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = _session_fk()
    fingerprint: Mapped[str] = mapped_column(String, index=True)
    rule_id: Mapped[str] = mapped_column(String)
    severity: Mapped[str] = mapped_column(String)
    title: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text)
    ts: Mapped[int] = mapped_column(BigInteger)
    pi_category: Mapped[str | None] = mapped_column(String, nullable=True)
    pi_type: Mapped[str | None] = mapped_column(String, nullable=True)
    sdk: Mapped[str | None] = mapped_column(String, nullable=True)
    host: Mapped[str | None] = mapped_column(String, nullable=True)
    encoding: Mapped[str | None] = mapped_column(String, nullable=True)
    clauses: Mapped[list] = mapped_column(JSON)
    evidence: Mapped[dict] = mapped_column(JSON)
    title_zh: Mapped[str | None] = mapped_column(Text, nullable=True)
    explanation_zh: Mapped[str | None] = mapped_column(Text, nullable=True)
    finding_group: Mapped[object] = mapped_column(JSON, nullable=True)


class HookTally(Base):
    """The writer's running count of a session's hook events per catalogue entry ("" for events
    without one): how many, how many carry a value the agent could not convert, and the first and
    last row id. Readers (coverage, counts, the timeline's sample) read these few rows instead of
    counting a million events per request."""

    __tablename__ = "hook_tallies"
    session_id: Mapped[str] = mapped_column(
        String, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    hook_id: Mapped[str] = mapped_column(String, primary_key=True)
    events: Mapped[int] = mapped_column(Integer)
    unconverted: Mapped[int] = mapped_column(Integer)
    first_id: Mapped[int] = mapped_column(Integer)
    last_id: Mapped[int] = mapped_column(Integer)


class AnalysisFacts(Base):
    """What the last analysis derived for a whole session, for readers to show as stored: the
    consent and app-state timeline, and the watchlist (the values searched in the traffic)."""

    __tablename__ = "analysis_facts"
    session_id: Mapped[str] = mapped_column(
        String, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    analysed_at: Mapped[int] = mapped_column(BigInteger)
    timeline: Mapped[dict] = mapped_column(JSON)
    watchlist: Mapped[list] = mapped_column(JSON)
    # the crypto/encoding calls searched, the derived values found (analysis/provenance.py), bounds hit
    provenance: Mapped[object] = mapped_column(JSON, nullable=True)
    # every rule with its summary and clauses, and whether this run could judge it (rules/coverage.py)
    rules: Mapped[object] = mapped_column(JSON, nullable=True)
    # v13: the lists the app's own privacy notice and policy pages declared (analysis/policy.py)
    policy: Mapped[object] = mapped_column(JSON, nullable=True)


class StackAttribution(Base):
    """Who made each distinct call of a session (a stack and the hooked API): the SDK or the app,
    as the last analysis decided; hook events join it by (stack_hash, api)."""

    __tablename__ = "stack_attributions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = _session_fk()
    stack_hash: Mapped[int] = mapped_column(BigInteger)
    api: Mapped[str] = mapped_column(String)
    sdk: Mapped[str | None] = mapped_column(String, nullable=True)  # the SDK's name (None: app or unknown)
    party: Mapped[str] = mapped_column(String)  # app | first | third | unknown
    reflective: Mapped[bool] = mapped_column(Boolean)


class ReceiverFact(Base):
    """Who received what went to a host (at an address): as the last analysis judged it."""

    __tablename__ = "receiver_facts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = _session_fk()
    host: Mapped[str] = mapped_column(String)
    server_ip: Mapped[str | None] = mapped_column(String, nullable=True)
    party: Mapped[str] = mapped_column(String)  # first | third | unknown
    registrable_domain: Mapped[str | None] = mapped_column(String, nullable=True)
    sdk: Mapped[str | None] = mapped_column(String, nullable=True)
    tracker: Mapped[str | None] = mapped_column(String, nullable=True)
    company: Mapped[str | None] = mapped_column(String, nullable=True)
    company_country: Mapped[str | None] = mapped_column(String, nullable=True)
    ip_country: Mapped[str | None] = mapped_column(String, nullable=True)
    # v12: the cloud/CDN provider, the address's network, what named the company and how surely
    hosting: Mapped[str | None] = mapped_column(String, nullable=True)
    network: Mapped[str | None] = mapped_column(String, nullable=True)
    attribution_source: Mapped[str | None] = mapped_column(String, nullable=True)
    confidence: Mapped[str | None] = mapped_column(String, nullable=True)


class SenderFact(Base):
    """Which call sent a flow (the request-making hook event before it), as the last analysis found."""

    __tablename__ = "sender_facts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = _session_fk()
    flow_id: Mapped[str] = mapped_column(String, index=True)
    hook_event_id: Mapped[int] = mapped_column(Integer)
    api: Mapped[str] = mapped_column(String)
    sdk: Mapped[str | None] = mapped_column(String, nullable=True)
    party: Mapped[str] = mapped_column(String)
    lead_ms: Mapped[float] = mapped_column(Float)


class ReviewRecord(Base):
    """A reviewer's decision: on a finding (by fingerprint, so it survives re-analysis) or an
    override of the consent timeline. Append-only: the latest record per target is in force,
    the earlier ones are the audit history."""

    __tablename__ = "review_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = _session_fk()
    ts: Mapped[int] = mapped_column(BigInteger)
    target: Mapped[str] = mapped_column(String)  # "finding:<fingerprint>" or "consent:<event id>"
    decision: Mapped[str] = mapped_column(String)
    reviewer: Mapped[str] = mapped_column(String)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class Job(Base):
    """A farm job (monitor/farm): a run queued for a phone, a host or any free phone, and what
    became of it. Its state moves queued → running → completed / failed / interrupted."""

    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    kind: Mapped[str] = mapped_column(String)  # "run"
    queue: Mapped[str] = mapped_column(String)  # phone.<serial>, host.<name> or any
    args: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String)
    submitted_at: Mapped[int] = mapped_column(BigInteger)
    submitted_by: Mapped[str] = mapped_column(String)
    started_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    ended_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    worker: Mapped[str | None] = mapped_column(String, nullable=True)  # the Celery worker's name
    host: Mapped[str | None] = mapped_column(String, nullable=True)
    serial: Mapped[str | None] = mapped_column(String, nullable=True)  # the phone it ran on
    heartbeat_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    progress: Mapped[str | None] = mapped_column(Text, nullable=True)  # the run's last progress line
    session_id: Mapped[str | None] = mapped_column(String, nullable=True)
    exit_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the run's JSON summary
    error: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_jobs_state", "state"),)


# The event dataclass each table stores; the writer maps one onto the other by field name.
TABLE_BY_EVENT = {
    "HookEvent": HookEvent.__table__,
    "FlowRecord": Flow.__table__,
    "ConsentEvent": ConsentEvent.__table__,
    "BlindSpot": BlindSpot.__table__,
    "WebSocketRecord": WebSocketMessage.__table__,
    "ReviewDecision": ReviewRecord.__table__,
    "AgentMessage": AgentMessage.__table__,
    "ClockSample": ClockSample.__table__,
    "PiMatch": PiMatch.__table__,
    "Finding": Finding.__table__,
}
