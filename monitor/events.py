"""The one event schema: every record that capture, consent marking and analysis hand to the
writer. Plain dataclasses, so capture code never touches the database layer."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

# AgentMessage types. From the agent (hooks/src/messages.ts):
MSG_HOOK_EVENTS = "hook:events"  # a batch of hook events (stored as HookEvent rows, not as a message)
MSG_AGENT_ERROR = "agent:error"
MSG_LATE_INSTALL = "hooks:late-install"
MSG_UNPIN_BYPASSED = "unpin:bypassed"
MSG_TLS_NATIVE = "net:tls-native"  # a native TLS handshake on a redirected connection: passed through
MSG_TLS_NATIVE_ACK = "net:tls-native-ack"  # the host's answer: the proxy will pass it through
MSG_TLS_DATA = "net:tls-data"  # plaintext written or read at the TLS library (made into flows)
MSG_TLS_END = "net:tls-end"
MSG_TLS_LIBRARY = "net:tls-library"  # a TLS library hooked (or not) as it loaded
# Recorded by the host:
MSG_INSTALL = "hooks:install"  # the install report of one process: {pid, results}
MSG_UNPIN = "hooks:unpin"
MSG_DETACHED = "agent:detached"
MSG_SCRIPT_ERROR = "agent:script-error"
MSG_UNKNOWN = "agent:unknown"  # anything the host does not know, kept as it came
MSG_ATTACH_FAILED = "agent:attach-failed"
MSG_CHILD_PROCESS = (
    "process:child"  # a child of the app, followed under the agent: {pid, parent_pid, origin, path}
)
MSG_CHILD_LOST = "process:child-lost"  # a fork of the app that ended before it ran a program: {pid, ...}
MSG_APP_CRASH = "app:crash"
MSG_APP_STDOUT = "app:stdout"
MSG_APP_STDERR = "app:stderr"
MSG_LEFT_OUT = "capture:left-out"  # flows on the proxy that no hooked process opened: {flows, hosts}
MSG_SCENARIO_STEP = "scenario:step"  # a step privmon's driver did (or could not do): {step, text, why, ok}
MSG_SCREENSHOT = "device:screenshot"
MSG_SCREENSHOT_FAILED = "device:screenshot-failed"

SESSION_RUNNING = "running"
SESSION_COMPLETED = "completed"
SESSION_INTERRUPTED = "interrupted"
SESSION_INCOMPLETE = "incomplete"  # privmon drove the scenario and could not do one of its steps


def new_session_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(2)


@dataclass
class SessionStarted:
    id: str
    app: str
    target: str  # "lab", a device serial, "mitmdump" or "import"
    started_at: int
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class SessionEnded:
    id: str
    ended_at: int
    status: str  # SESSION_COMPLETED or SESSION_INTERRUPTED
    reason: str | None = None


@dataclass
class SessionDiscarded:
    """A session that must not stay half-written (an import whose records could not all be
    stored): the session and every row of it are deleted."""

    id: str


JOB_QUEUED = "queued"
JOB_RUNNING = "running"
JOB_COMPLETED = "completed"
JOB_FAILED = "failed"
JOB_INTERRUPTED = "interrupted"  # its worker died mid-job: what it wrote is kept, nothing counted done
JOB_STATES = (JOB_QUEUED, JOB_RUNNING, JOB_COMPLETED, JOB_FAILED, JOB_INTERRUPTED)


@dataclass
class JobSubmitted:
    """A farm job queued (monitor/farm/jobs.py)."""

    id: str
    kind: str
    queue: str
    args: dict[str, Any]
    submitted_at: int
    submitted_by: str


@dataclass
class JobUpdate:
    """What became of a farm job: the columns of `jobs` to set. `expect`: only when the job is in
    one of these states (a job already ended is not taken back by a late update)."""

    id: str
    values: dict[str, Any]
    expect: tuple[str, ...] = ()


@dataclass
class SessionMetaUpdate:
    """Keys to set in a session's metadata (e.g. the app profile chosen for re-analysis)."""

    id: str
    meta: dict[str, Any]


@dataclass
class HookEvent:
    session_id: str
    seq: int
    pid: int
    device_ts: int  # device clock, epoch µs
    ts: int  # host-corrected, epoch µs
    api: str  # "Class.method"
    pi_category: str | None
    pi_type: str | None
    args: list[Any]
    ret: Any
    stack: list[str]
    thread: str | None
    hook_id: str | None = None  # the catalogue entry that fired
    signal: str | None = None  # for non-PI entries: click, crash, …
    sensitive: bool | None = None  # the catalogue's word on this API, as the agent reported it


@dataclass
class FlowRecord:
    id: str
    session_id: str
    ts_start: int
    ts_end: int | None
    method: str
    scheme: str
    host: str
    port: int
    url: str
    http_version: str
    request_headers: list[list[str]]
    request_body: bytes
    request_body_size: int
    request_body_truncated: bool
    status_code: int | None = None
    response_headers: list[list[str]] = field(default_factory=list)
    response_body: bytes = b""
    response_body_size: int = 0
    response_body_truncated: bool = False
    tls: bool = False
    server_ip: str | None = None
    error: str | None = None
    # How the flow was captured (capture/connections.py CAPTURE_PATHS; None: no agent reported
    # connections, e.g. the standalone addon or an import) and the connection's opener: the
    # process and the net.connect hook event's seq, whose stack is the code that opened it.
    capture_path: str | None = None
    client_port: int | None = None
    opener_pid: int | None = None
    opener_seq: int | None = None
    # the organisation (O) and country (C) the server's TLS certificate names, where it names one
    server_org: str | None = None
    server_org_country: str | None = None


@dataclass
class WebSocketRecord:
    """One WebSocket message of a captured connection (the flow holds the handshake)."""

    session_id: str
    flow_id: str
    index: int
    ts: int
    from_client: bool
    is_text: bool
    content: bytes
    size: int
    truncated: bool


@dataclass
class ReviewDecision:
    """A reviewer's decision (review.py): never updated, only superseded by a later one."""

    session_id: str
    ts: int
    target: str
    decision: str
    reviewer: str
    note: str | None = None


@dataclass
class BlindSpot:
    """Traffic the proxy could not see into: a TLS handshake the app refused (likely pinning)."""

    session_id: str
    ts: int
    host: str | None  # the SNI the app asked for
    server_ip: str | None
    port: int | None
    reason: str


@dataclass
class ConsentEvent:
    """A consent event: marked by the tester (manual, key, dashboard; stored as they happen), or
    judged by the analysis from a hook event (click, dialog, pref_write, sdk_api; `hook_event_id`
    set, replaced on every analysis, ids kept for the same hook event and kind)."""

    session_id: str
    ts: int
    kind: str  # consent.KINDS: notice, notice_dismissed, consent, refuse, withdraw, guardian_consent
    source: str  # click | dialog | pref_write | sdk_api | manual | key | dashboard | automatic
    detail: str | None = None
    hook_seq: int | None = None
    confidence: float = 1.0  # consent.CONFIDENCE of the source
    hook_event_id: int | None = None  # the hook event the analysis judged (None: the tester's mark)
    id: int | None = None  # None: the store gives one


@dataclass
class AgentMessage:
    """Anything from the agent or the app process that is not a hook event: errors, unknown
    message types, the app's own output. Recorded, never dropped."""

    session_id: str
    ts: int
    type: str
    payload: Any


@dataclass
class ClockSample:
    session_id: str
    ts: int
    offset_us: int  # device time minus host time
    error_us: int  # half the round trip: the bound on the offset's error


@dataclass
class PiMatch:
    session_id: str
    flow_id: str
    hook_event_id: int | None
    pi_category: str
    pi_type: str
    encoding: str
    location: str
    value_preview: str
    ts: int | None = None  # when the value left the device (request start or WebSocket message)
    chain: list | None = None  # a derived value's steps from the value outward (analysis/provenance.py)
    derived_from: int | None = None  # the hook event of the call whose output was sent


@dataclass
class Finding:
    session_id: str
    fingerprint: str
    rule_id: str
    severity: str
    title: str
    explanation: str
    ts: int
    pi_category: str | None
    pi_type: str | None
    sdk: str | None
    host: str | None
    encoding: str | None
    clauses: list[dict]  # {document, ref, zh, en}: each citation whole (analysis/citations.py)
    evidence: dict[str, Any]
    title_zh: str = ""
    explanation_zh: str = ""
    # the findings about the same actor, one group (analysis/rules/grouping.py): key, titles, severity
    finding_group: dict | None = None


# What the analysis stores about who received a flow (AnalysisResult.receivers; receiver_facts).
RECEIVER_FIELDS = (
    "party",
    "registrable_domain",
    "sdk",
    "tracker",
    "company",
    "company_country",
    "ip_country",
    "hosting",  # a cloud or CDN provider (its customer received)
    "network",  # the server address's autonomous system and its owner
    "attribution_source",  # what named the company: sdk-list, domain-owners, tracker-signature, network-owner
    "confidence",  # high, medium or low
)


@dataclass
class AnalysisResult:
    """Replaces every derived record of one session (analysis is a pure, repeatable pass)."""

    session_id: str
    pi_matches: list[PiMatch]
    findings: list[Finding]
    consent_events: list[ConsentEvent] = field(default_factory=list)  # judged from hook events
    timeline: dict | None = None  # Timeline.to_json(): phases, app states, decisions
    watchlist: list[dict] = field(default_factory=list)  # {value, pi_category, pi_type, hook_event_id}
    attributions: list[dict] = field(default_factory=list)  # {stack_hash, api, sdk, party, reflective}
    receivers: list[dict] = field(default_factory=list)  # per (host, server_ip): storage.models.ReceiverFact
    senders: list[dict] = field(default_factory=list)  # per flow with a known sender: models.SenderFact
    provenance: dict | None = None  # analysis/provenance.py ProvenanceResult.summary()
    rules: list[dict] = field(default_factory=list)  # rules/coverage.py: each rule, judged or why not
    policy: dict | None = None  # analysis/policy.py: the lists the app's policy declared, and used or not
    analysed_at: int = 0
