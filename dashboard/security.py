"""Token access and security headers for the dashboard."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse

COOKIE = "privmon_token"
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def csrf_token(token: str) -> str:
    """The value forms must send back: derived from the access token, so a page from another
    origin (which cannot read ours) cannot forge it."""
    return hmac.new(token.encode(), b"privmon-csrf", hashlib.sha256).hexdigest()


def csrf_ok(token: str, presented: str | None) -> bool:
    return presented is not None and secrets.compare_digest(presented.encode(), csrf_token(token).encode())


MAX_BODY_BYTES = 64 * 1024  # a review is a few hundred bytes; JSON and forms alike are capped
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer` header; another scheme is no token."""
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


def host_allowed(request: Request, allowed: tuple[str, ...]) -> bool:
    """The Host header names this dashboard (loopback, or the --public address): a page on another
    name that resolves here (DNS rebinding) gets nothing."""
    host = request.headers.get("host", "")
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]", 1)[0] + "]"
    return name.lower() in allowed


def presented_token(request: Request) -> str | None:
    bearer = bearer_token(request)
    if bearer is not None:
        return bearer
    return request.query_params.get("token") or request.cookies.get(COOKIE)


class TokenMiddleware(BaseHTTPMiddleware):
    """Every route needs the token: as a Bearer header, ?token=, or the cookie set after a
    first visit with ?token= (so links work without repeating it)."""

    def __init__(self, app, token: str, hosts: tuple[str, ...] = LOOPBACK_HOSTS) -> None:
        super().__init__(app)
        self.token = token
        self.hosts = tuple(h.lower() for h in hosts)

    async def dispatch(self, request: Request, call_next):
        given = presented_token(request)
        length = request.headers.get("content-length")
        if not host_allowed(request, self.hosts):
            response = PlainTextResponse("privmon dashboard: unknown Host", status_code=421)
        elif request.method in ("POST", "PUT", "PATCH") and length is None:
            response = PlainTextResponse("a request body needs a Content-Length", status_code=411)
        elif length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            response = PlainTextResponse(f"request body over {MAX_BODY_BYTES} bytes", status_code=413)
        elif given is None or not secrets.compare_digest(given.encode(), self.token.encode()):
            if request.url.path.startswith("/api/"):
                response = JSONResponse({"detail": "a valid token is required"}, status_code=401)
            else:
                response = PlainTextResponse(
                    "privmon dashboard: a valid token is required (use the URL printed at start)",
                    status_code=401,
                )
        elif (
            request.query_params.get("token")
            and request.method == "GET"
            and not request.url.path.startswith("/api/")
        ):
            # Move the token out of the address bar into an HttpOnly cookie.
            response = RedirectResponse(request.url.remove_query_params("token"), status_code=303)
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict")
        else:
            response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response
