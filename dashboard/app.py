"""FastAPI app: sessions list and session page, each with a JSON twin under /api/."""

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from monitor import __version__
from monitor.clauses import clause_text
from monitor.evidence.finding_evidence import finding_detail, session_screenshots
from monitor.evidence.serialize import consent_json, reviewed_findings, session_json
from monitor.finding_groups import grouped
from monitor.review import ReviewError, finding_target
from monitor.review import decision as make_decision
from monitor.severity import HIGHEST_FIRST, rank
from monitor.storage.facts import SessionFacts
from monitor.storage.queries import SessionNotFound, StoreReader
from monitor.timeutil import iso_utc, now_us

from .browse import event_page, flow_detail, flow_page
from .i18n import LanguageMiddleware, in_language, t
from .security import LOOPBACK_HOSTS, TokenMiddleware, bearer_token, csrf_ok, csrf_token
from .timeline import build_timeline, named_lanes, timeline_sample

HERE = Path(__file__).resolve().parent
SWAGGER_UI = Path(importlib.util.find_spec("fastapi_offline").origin).parent / "static"


@dataclass
class FindingFilter:
    """The session page's finding filters (query parameters); empty: any."""

    rule: str = ""
    sdk: str = ""
    severity: str = ""
    review: str = ""

    @property
    def active(self) -> bool:
        return any(vars(self).values())

    def keeps(self, f: dict) -> bool:
        return (
            (not self.rule or f["rule_id"] == self.rule)
            and (not self.sdk or (f["sdk"] or "") == self.sdk)
            and (not self.severity or f["severity"] == self.severity)
            and (not self.review or f["review"]["state"] == self.review)
        )


def create_app(db_path: Path, token: str, public_hosts: tuple[str, ...] = ()) -> FastAPI:
    """`public_hosts`: the names a --public dashboard is reached by (Host headers accepted beside
    loopback's)."""
    web = FastAPI(
        title="privmon dashboard",
        version=__version__,
        docs_url=None,  # served below from local files: FastAPI's page loads them from a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    hosts = LOOPBACK_HOSTS + tuple(f"[{h}]" if ":" in h else h for h in public_hosts)
    web.add_middleware(LanguageMiddleware)
    web.add_middleware(TokenMiddleware, token=token, hosts=hosts)

    @web.exception_handler(OverflowError)
    async def number_out_of_range(request: Request, exc: OverflowError):
        # an id or bound in the URL beyond what the store holds (SQLite integers are 64-bit)
        return JSONResponse({"detail": "a number in the request is out of range"}, status_code=400)

    web.mount("/static/swagger", StaticFiles(directory=SWAGGER_UI), name="swagger")
    web.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @web.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs(request: Request):
        """The OpenAPI docs: Swagger UI 5 (OpenAPI 3.1) from the fastapi-offline package's files,
        started by a script of ours (the CSP allows no inline script and no CDN)."""
        return templates.TemplateResponse(request, "api_docs.html", {})

    templates = Jinja2Templates(directory=HERE / "templates")  # autoescape on for .html
    templates.env.globals["severities"] = HIGHEST_FIRST
    templates.env.filters["clause"] = clause_text
    templates.env.globals["t"] = t
    templates.env.globals["in_language"] = in_language
    # captured values as JSON with Chinese kept as characters (jinja's tojson prints \\uXXXX)
    templates.env.filters["json"] = lambda value, indent=None: json.dumps(
        value, ensure_ascii=False, indent=indent, default=str
    )

    def reader():
        r = StoreReader(db_path)
        try:
            yield r
        finally:
            r.close()

    Reader = Annotated[StoreReader, Depends(reader)]

    def session_or_404(r: StoreReader, session_id: str) -> dict:
        try:
            return r.session(session_id)
        except SessionNotFound as exc:
            raise HTTPException(404, str(exc)) from exc

    SORTS = {"started": "started_at", "app": "app", "findings": "findings", "status": "status"}

    def sessions_data(
        r: StoreReader,
        app: str | None = None,
        target: str | None = None,
        scenario: str | None = None,
        sort: str = "started",
    ) -> list[dict]:
        severities = r.severity_counts()
        rows = []
        for s in r.sessions():
            meta = s["meta"] or {}
            row = {
                **session_json(s),
                "scenario": meta.get("scenario"),
                "severity_counts": severities.get(s["id"], {}),
                "app_version": (meta.get("app") or {}).get("version_name")
                if isinstance(meta.get("app"), dict)
                else None,
            }
            if app and app.lower() not in row["app"].lower():
                continue
            if target and row["target"] != target:
                continue
            if scenario and row["scenario"] != scenario:
                continue
            rows.append(row)
        key = SORTS.get(sort.lstrip("-"), "started_at")
        descending = (key in ("started_at", "findings")) != sort.startswith(
            "-"
        )  # "-" flips the natural order
        rows.sort(key=lambda x: x[key] or (0 if key == "findings" else ""), reverse=descending)
        return rows

    def session_data(
        r: StoreReader,
        session_id: str,
        from_us: int | None = None,
        to_us: int | None = None,
        shown: FindingFilter | None = None,
    ) -> dict:
        s = session_or_404(r, session_id)
        shown = shown or FindingFilter()
        window = (from_us, to_us) if from_us is not None and to_us is not None and to_us > from_us else None
        hook_events, flows, timeline_note = timeline_sample(r, session_id, window)
        consents = r.consent_events(session_id)
        facts = SessionFacts(r, session_id)
        lanes = {e["id"]: facts.lane(e) for e in hook_events}
        senders = {
            fid: s["sdk"] or ("app" if s["party"] == "app" else "unknown")
            for fid, s in facts.senders([f["id"] for f in flows]).items()
        }
        findings = sorted(reviewed_findings(r, session_id), key=lambda f: (rank(f["severity"]), f["ts_us"]))
        by_rule: dict[str, int] = {}
        by_sdk: dict[str, int] = {}
        for f in findings:
            by_rule[f["rule_id"]] = by_rule.get(f["rule_id"], 0) + 1
            by_sdk[f["sdk"] or "(app / unknown)"] = by_sdk.get(f["sdk"] or "(app / unknown)", 0) + 1
        coverage = r.hook_coverage(session_id)
        meta = s["meta"] or {}
        screenshots = session_screenshots(r, session_id)
        shot_at = {shot["consent_ts_us"]: shot for shot in screenshots if shot.get("consent_ts_us")}
        return {
            "session": session_json({**s, "findings": len(findings)}),
            "counts": r.counts(session_id),
            "findings": [f for f in findings if shown.keeps(f)],
            # the same findings in the groups the analysis stored (one per SDK, the app, unknown code)
            "finding_groups": grouped([f for f in findings if shown.keeps(f)]),
            "finding_filter": {**vars(shown), "active": shown.active},
            "finding_choices": {
                "rule": sorted(by_rule),
                "sdk": sorted({f["sdk"] for f in findings if f["sdk"]}),
                "severity": [sev for sev in HIGHEST_FIRST if any(f["severity"] == sev for f in findings)],
                "review": ["open", "confirm", "dismiss"],
            },
            "findings_total": len(findings),
            "findings_by_rule": sorted(by_rule.items(), key=lambda kv: -kv[1]),
            "findings_by_sdk": sorted(by_sdk.items(), key=lambda kv: -kv[1]),
            "review_progress": {
                "reviewed": sum(1 for f in findings if f["review"]["state"] != "open"),
                "total": len(findings),
            },
            "coverage": {
                "installed": sum(1 for c in coverage if c["state"] == "installed"),
                "entries": len(coverage),
                "fired": sum(1 for c in coverage if c["fired"]),
                "not_installed": [c for c in coverage if c["state"] != "installed"][:200],
            },
            "facts": {
                "scenario": meta.get("scenario"),
                "device_profile": meta.get("device_profile"),
                "device_build": meta.get("device_build"),
                "app_profile": meta.get("app_profile"),
                "versions": meta.get("versions"),
                "main_class": meta.get("main_class"),
                "device": meta.get("device"),
                "app_metadata": meta.get("app_metadata"),
            },
            "screenshots": screenshots,
            # what privmon's driver did, step by step (docs/driving.md); empty when a tester drove
            "scenario_steps": [
                {
                    "ts": iso_utc(m["ts"]),
                    **{k: m["payload"].get(k) for k in ("step", "action", "text", "why", "ok")},
                }
                for m in r.agent_messages(session_id, ["scenario:step"])
                if isinstance(m["payload"], dict)
            ],
            "driver": meta.get("driver"),
            # each consent event with the screenshot taken at that moment (phone runs)
            "consent_events": [{**consent_json(c), "screenshot": shot_at.get(c["ts"])} for c in consents],
            "timeline": {
                **named_lanes(
                    build_timeline(
                        s,
                        hook_events,
                        flows,
                        consents,
                        lanes,
                        facts.phases,
                        facts.states,
                        window,
                        senders,
                        [f["sdk"] for f in findings],
                    )
                ),
                "note": timeline_note,
            },
        }

    def found(value, what: str, session_id: str):
        if value is None:
            raise HTTPException(404, f"no {what} in session {session_id!r}")
        return value

    def finding_or_404(r: StoreReader, session_id: str, fingerprint: str) -> dict:
        session_or_404(r, session_id)
        return found(finding_detail(r, session_id, fingerprint), f"finding {fingerprint!r}", session_id)

    def store_review(
        session_id: str, fingerprint: str, decision: str, reviewer: str, note: str | None
    ) -> None:
        from monitor.storage.writer import EventWriter

        try:
            record = make_decision(
                session_id, finding_target(fingerprint), decision, reviewer, note, now_us()
            )
        except ReviewError as exc:
            raise HTTPException(422, str(exc)) from exc
        with EventWriter(db_path) as writer:
            writer.submit(record)
            if not writer.flush() or writer.errors:
                raise HTTPException(500, "the decision could not be stored")

    class ReviewIn(BaseModel):
        decision: str = Field(description="confirm, dismiss or reopen")
        reviewer: str = Field(min_length=1, max_length=200)
        note: str | None = Field(default=None, max_length=4000)

    @web.get("/api/sessions/{session_id}/findings/{fingerprint}")
    def api_finding(session_id: str, fingerprint: str, r: Reader) -> dict:
        return finding_or_404(r, session_id, fingerprint)

    @web.post("/api/sessions/{session_id}/findings/{fingerprint}/review")
    def api_review(session_id: str, fingerprint: str, body: ReviewIn, request: Request, r: Reader) -> dict:
        """Record a decision. Needs the token as a Bearer header, or the cookie plus X-CSRF-Token."""
        # the CSRF check is skipped only for a Bearer token (which a cross-site page cannot send);
        # an Authorization header of another scheme rides on the cookie like any other request
        if bearer_token(request) is None and not csrf_ok(token, request.headers.get("x-csrf-token")):
            raise HTTPException(403, "missing or wrong CSRF token")
        finding_or_404(r, session_id, fingerprint)
        store_review(session_id, fingerprint, body.decision, body.reviewer, body.note)
        return finding_or_404(r, session_id, fingerprint)["finding"]["review"]

    @web.get(
        "/sessions/{session_id}/findings/{fingerprint}", response_class=HTMLResponse, include_in_schema=False
    )
    def page_finding(request: Request, session_id: str, fingerprint: str, r: Reader):
        return templates.TemplateResponse(
            request, "finding.html", {**finding_or_404(r, session_id, fingerprint), "csrf": csrf_token(token)}
        )

    @web.post("/sessions/{session_id}/findings/{fingerprint}/review", include_in_schema=False)
    def form_review(
        session_id: str,
        fingerprint: str,
        r: Reader,
        decision: Annotated[str, Form()],
        reviewer: Annotated[str, Form()],
        csrf: Annotated[str, Form()] = "",
        note: Annotated[str | None, Form()] = None,
    ):
        if not csrf_ok(token, csrf):
            raise HTTPException(403, "missing or wrong CSRF token")
        finding_or_404(r, session_id, fingerprint)
        store_review(session_id, fingerprint, decision, reviewer, note)
        return RedirectResponse(f"/sessions/{session_id}/findings/{fingerprint}", status_code=303)

    @web.get("/sessions/{session_id}/screenshots/{name}")
    def screenshot(session_id: str, name: str, r: Reader):
        """A screenshot the run took (PNG); only names the session recorded are served."""
        from fastapi.responses import Response

        session_or_404(r, session_id)
        if name not in {s["name"] for s in session_screenshots(r, session_id)}:
            raise HTTPException(404, f"no screenshot {name!r} in session {session_id!r}")
        try:
            data = (r.db_path.parent / "sessions" / session_id / "screenshots" / name).read_bytes()
        except OSError:
            raise HTTPException(404, f"screenshot {name!r} is recorded but its file is missing") from None
        if not data.startswith(b"\x89PNG"):
            raise HTTPException(415, "not a PNG")
        return Response(data, media_type="image/png", headers={"X-Content-Type-Options": "nosniff"})

    @web.get("/sessions/{session_id}/export")
    def export(session_id: str, r: Reader, redact: bool = False):
        """The session's evidence bundle (zip), as `privmon export` writes it."""
        import tempfile

        from fastapi.responses import Response

        from monitor.evidence.bundle import export_bundle

        session_or_404(r, session_id)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "bundle.zip"
            export_bundle(r, session_id, out, redact=redact)
            data = out.read_bytes()
        name = f"privmon-{session_id}{'-redacted' if redact else ''}.zip"
        return Response(
            data,
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @web.get("/", include_in_schema=False)
    def root():
        return RedirectResponse("/sessions", status_code=303)

    @web.get("/api/sessions")
    def api_sessions(
        r: Reader,
        app: str | None = None,
        target: str | None = None,
        scenario: str | None = None,
        sort: str = "started",
    ) -> list[dict]:
        return sessions_data(r, app, target, scenario, sort)

    @web.get("/api/sessions/{session_id}/events")
    def api_events(
        session_id: str,
        r: Reader,
        category: str | None = None,
        api: str | None = None,
        signal: str | None = None,
        sdk: str | None = None,
        phase: str | None = None,
        state: str | None = None,
        page: int = 1,
        size: int = 100,
    ) -> dict:
        """Filters: PI category, API substring, signal, SDK (or "app"), consent phase, app state."""
        session_or_404(r, session_id)
        return event_page(r, session_id, category, api, signal, page, size, sdk, phase, state)

    @web.get("/api/sessions/{session_id}/flows")
    def api_flows(
        session_id: str,
        r: Reader,
        host: str | None = None,
        q: str | None = None,
        page: int = 1,
        size: int = 100,
    ) -> dict:
        session_or_404(r, session_id)
        return flow_page(r, session_id, host, q, page, size)

    @web.get("/api/sessions/{session_id}/flows/{flow_id}")
    def api_flow(session_id: str, flow_id: str, r: Reader) -> dict:
        session_or_404(r, session_id)
        return found(flow_detail(r, session_id, flow_id), f"flow {flow_id!r}", session_id)

    def _queries(filters: dict, size: int) -> tuple[str, str]:
        kept = {k: v for k, v in filters.items() if v}
        return urlencode(kept), urlencode({**kept, "size": size})

    @web.get("/sessions/{session_id}/events", response_class=HTMLResponse, include_in_schema=False)
    def page_events(
        request: Request,
        session_id: str,
        r: Reader,
        category: str | None = None,
        api: str | None = None,
        signal: str | None = None,
        sdk: str | None = None,
        phase: str | None = None,
        state: str | None = None,
        page: int = 1,
        size: int = 100,
    ):
        s = session_or_404(r, session_id)
        data = event_page(r, session_id, category, api, signal, page, size, sdk, phase, state)
        query, page_query = _queries(data["filters"], data["size"])
        return templates.TemplateResponse(
            request,
            "events.html",
            {**data, "session": session_json(s), "query": query, "page_query": page_query},
        )

    @web.get("/sessions/{session_id}/flows", response_class=HTMLResponse, include_in_schema=False)
    def page_flows(
        request: Request,
        session_id: str,
        r: Reader,
        host: str | None = None,
        q: str | None = None,
        page: int = 1,
        size: int = 100,
    ):
        s = session_or_404(r, session_id)
        data = flow_page(r, session_id, host, q, page, size)
        query, page_query = _queries(data["filters"], data["size"])
        return templates.TemplateResponse(
            request,
            "flows.html",
            {**data, "session": session_json(s), "query": query, "page_query": page_query},
        )

    @web.get("/sessions/{session_id}/flows/{flow_id}", response_class=HTMLResponse, include_in_schema=False)
    def page_flow(request: Request, session_id: str, flow_id: str, r: Reader):
        s = session_or_404(r, session_id)
        detail = found(flow_detail(r, session_id, flow_id), f"flow {flow_id!r}", session_id)
        return templates.TemplateResponse(request, "flow.html", {**detail, "session": session_json(s)})

    @web.get("/api/sessions/{session_id}")
    def api_session(
        session_id: str,
        r: Reader,
        shown: Annotated[FindingFilter, Depends()],
        from_us: int | None = None,
        to_us: int | None = None,
    ) -> dict:
        """`from_us`/`to_us`: zoom the timeline to that time range (epoch µs); `rule`, `sdk`,
        `severity`, `review`: show only the findings that match."""
        return session_data(r, session_id, from_us, to_us, shown)

    @web.get("/api/sessions/{session_id}/events/{event_id}")
    def api_event(session_id: str, event_id: int, r: Reader) -> dict:
        return event_or_404(r, session_id, event_id)

    @web.get("/sessions/{session_id}/events/{event_id}", response_class=HTMLResponse, include_in_schema=False)
    def page_event(request: Request, session_id: str, event_id: int, r: Reader):
        s = session_or_404(r, session_id)
        return templates.TemplateResponse(
            request,
            "event.html",
            {"session": session_json(s), "event": event_or_404(r, session_id, event_id)},
        )

    def event_or_404(r: StoreReader, session_id: str, event_id: int) -> dict:
        session_or_404(r, session_id)
        from monitor.evidence.serialize import hook_event_json

        event = found(r.hook_event(session_id, event_id), f"hook event {event_id}", session_id)
        return hook_event_json(event, SessionFacts(r, session_id))

    @web.get("/sessions", response_class=HTMLResponse, include_in_schema=False)
    def page_sessions(
        request: Request,
        r: Reader,
        app: str | None = None,
        target: str | None = None,
        scenario: str | None = None,
        sort: str = "started",
    ):
        rows = sessions_data(r, app, target, scenario, sort)
        return templates.TemplateResponse(
            request,
            "sessions.html",
            {
                "sessions": rows,
                "filters": {"app": app or "", "target": target or "", "scenario": scenario or ""},
                "sort": sort,
                "live": any(x["status"] == "running" for x in rows),
            },
        )

    @web.get("/api/jobs")
    def api_jobs(r: Reader) -> list[dict]:
        """The farm's jobs as stored (docs/farm.md), newest first."""
        return r.jobs()

    @web.get("/jobs", response_class=HTMLResponse, include_in_schema=False)
    def page_jobs(request: Request, r: Reader):
        rows = r.jobs()
        return templates.TemplateResponse(
            request,
            "jobs.html",
            {"jobs": rows, "live": any(j["state"] in ("queued", "running") for j in rows), "time": _utc},
        )

    @web.get("/sessions/{session_id}", response_class=HTMLResponse, include_in_schema=False)
    def page_session(
        request: Request,
        session_id: str,
        r: Reader,
        shown: Annotated[FindingFilter, Depends()],
        from_us: int | None = None,
        to_us: int | None = None,
    ):
        return templates.TemplateResponse(
            request, "session.html", session_data(r, session_id, from_us, to_us, shown)
        )

    return web


def _utc(us: int | None) -> str:
    from datetime import datetime, timezone

    return "" if us is None else datetime.fromtimestamp(us / 1e6, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
