"""The dashboard's two languages: English and Chinese. The language comes from `?lang=en|zh` (kept
in a cookie), else the cookie, else the browser's Accept-Language; templates write each text in
both, `{{ t("Findings", "发现的问题") }}`, and show captured and analysed texts in the language's
field (a finding's `title_zh`, a group's `title_zh`)."""

from __future__ import annotations

from jinja2 import pass_context
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request

COOKIE = "privmon_lang"
LANGUAGES = ("en", "zh")


def request_language(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    kept = request.cookies.get(COOKIE)
    if kept in LANGUAGES:
        return kept
    accept = request.headers.get("accept-language", "").lower()
    return "zh" if accept.startswith("zh") else "en"


class LanguageMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        request.state.lang = request_language(request)
        response = await call_next(request)
        if request.query_params.get("lang") in LANGUAGES:
            response.set_cookie(COOKIE, request.state.lang, httponly=True, samesite="strict")
        return response


@pass_context
def t(context, en: str, zh: str) -> str:
    """The text in the page's language."""
    request = context.get("request")
    lang = getattr(getattr(request, "state", None), "lang", "en")
    return zh if lang == "zh" else en


@pass_context
def in_language(context, record: dict, field: str) -> str:
    """A stored text in the page's language: `field_zh` in Chinese where the record has it."""
    request = context.get("request")
    if getattr(getattr(request, "state", None), "lang", "en") == "zh" and record.get(f"{field}_zh"):
        return record[f"{field}_zh"]
    return record.get(field) or ""
