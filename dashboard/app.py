"""FastAPI app: sessions list and session page, each with a JSON twin under /api/."""


from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from monitor import __version__
from monitor.analysis.attribution import attribute_stack
from monitor.evidence.serialize import consent_json, reviewed_findings, session_json
from monitor.storage.queries import SessionNotFound, StoreReader

from pydantic import BaseModel, Field

from monitor import events as ev
from monitor.review import ReviewError, decision as make_decision, finding_target
from monitor.timeutil import now_us

from .finding import finding_detail
from .security import TokenMiddleware, csrf_ok, csrf_token
from .timeline import build_timeline

HERE = Path(__file__).resolve().parent
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


def create_app(db_path: Path, token: str) -> FastAPI:
    web = FastAPI(title="privmon dashboard", version=__version__, docs_url="/api/docs", redoc_url=None,
                  openapi_url="/api/openapi.json")
    web.add_middleware(TokenMiddleware, token=token)
    web.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")  # autoescape on for .html

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

    def sessions_data(r: StoreReader) -> list[dict]:
        return [session_json(s) for s in r.sessions()]

    def session_data(r: StoreReader, session_id: str) -> dict:
        s = session_or_404(r, session_id)
        hook_events = r.hook_events(session_id)
        flows = r.flows(session_id)
        consents = r.consent_events(session_id)
        lanes = {}
        for e in hook_events:
            a = attribute_stack(e["stack"], s["app"], e["api"])
            lanes[e["id"]] = a.label or ("app" if a.party == "app" else "unknown")
        findings = sorted(reviewed_findings(r, session_id),
                          key=lambda f: (SEVERITY_ORDER.get(f["severity"], 9), f["ts_us"]))
        return {
            "session": session_json({**s, "findings": len(findings)}),
            "counts": r.counts(session_id),
            "findings": findings,
            "consent_events": [consent_json(c) for c in consents],
            "timeline": build_timeline(s, hook_events, flows, consents, lanes),
        }

    def finding_or_404(r: StoreReader, session_id: str, fingerprint: str) -> dict:
        session_or_404(r, session_id)
        detail = finding_detail(r, session_id, fingerprint)
        if detail is None:
            raise HTTPException(404, f"no finding {fingerprint!r} in session {session_id!r}")
        return detail

    def store_review(session_id: str, fingerprint: str, decision: str, reviewer: str, note: str | None) -> None:
        from monitor.storage.writer import EventWriter

        try:
            record = make_decision(session_id, finding_target(fingerprint), decision, reviewer, note, now_us())
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
        if not request.headers.get("authorization") and not csrf_ok(token, request.headers.get("x-csrf-token")):
            raise HTTPException(403, "missing or wrong CSRF token")
        finding_or_404(r, session_id, fingerprint)
        store_review(session_id, fingerprint, body.decision, body.reviewer, body.note)
        return finding_or_404(r, session_id, fingerprint)["finding"]["review"]

    @web.get("/sessions/{session_id}/findings/{fingerprint}", response_class=HTMLResponse, include_in_schema=False)
    def page_finding(request: Request, session_id: str, fingerprint: str, r: Reader):
        return templates.TemplateResponse(request, "finding.html",
                                          {**finding_or_404(r, session_id, fingerprint), "csrf": csrf_token(token)})

    @web.post("/sessions/{session_id}/findings/{fingerprint}/review", include_in_schema=False)
    def form_review(session_id: str, fingerprint: str, r: Reader, decision: Annotated[str, Form()],
                    reviewer: Annotated[str, Form()], csrf: Annotated[str, Form()] = "",
                    note: Annotated[str | None, Form()] = None):
        if not csrf_ok(token, csrf):
            raise HTTPException(403, "missing or wrong CSRF token")
        finding_or_404(r, session_id, fingerprint)
        store_review(session_id, fingerprint, decision, reviewer, note)
        return RedirectResponse(f"/sessions/{session_id}/findings/{fingerprint}", status_code=303)

    @web.get("/", include_in_schema=False)
    def root():
        return RedirectResponse("/sessions", status_code=303)

    @web.get("/api/sessions")
    def api_sessions(r: Reader) -> list[dict]:
        return sessions_data(r)

    @web.get("/api/sessions/{session_id}")
    def api_session(session_id: str, r: Reader) -> dict:
        return session_data(r, session_id)

    @web.get("/sessions", response_class=HTMLResponse, include_in_schema=False)
    def page_sessions(request: Request, r: Reader):
        return templates.TemplateResponse(request, "sessions.html", {"sessions": sessions_data(r)})

    @web.get("/sessions/{session_id}", response_class=HTMLResponse, include_in_schema=False)
    def page_session(request: Request, session_id: str, r: Reader):
        return templates.TemplateResponse(request, "session.html", session_data(r, session_id))

    return web
