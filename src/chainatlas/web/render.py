"""Render pages: the Jinja2 environment and what every template receives.

Templates get ``t`` (the translator of the request's language), ``lang``, ``me`` (the
principal or None), ``csrf`` (the token forms echo back), the formatters (``money``,
``share``, ``num``, ``count``), ``name(obj)`` (the Chinese or English name) and
``json_url`` (the page's JSON twin). Templates only display; they hold no text of their
own (every label is a catalog key).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import partial
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from chainatlas.api.deps import ANON_CSRF_COOKIE, auth_of, get_ctx
from chainatlas.web.formatting import fmt_count, fmt_money, fmt_number, fmt_share
from chainatlas.web.i18n import LOCALES, negotiate, translator

__all__ = [
    "LANG_COOKIE",
    "lang_of",
    "make_templates",
    "render",
    "render_error",
    "set_anon_cookie",
]

LANG_COOKIE = "chainatlas_lang"
"""The language cookie of visitors who are not signed in."""


def _tojson_script(value: Any) -> Markup:
    """Serialise ``value`` for a ``<script type="application/json">`` block."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def make_templates() -> Jinja2Templates:
    """Return the templates of the package (autoescaped, undefined names fail loudly)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("chainatlas.web", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["script_json"] = _tojson_script
    return Jinja2Templates(env=env)


def lang_of(request: Request) -> str:
    """Return the language of the request (see :mod:`chainatlas.web.i18n`)."""
    auth = auth_of(request)
    saved = auth.principal.locale if auth.principal is not None else None
    query = request.query_params.get("lang")
    return negotiate(
        query if query in LOCALES else None,
        saved,
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def _name(lang: str, obj: Mapping[str, Any] | None, zh: str = "name", en: str = "name_en") -> str:
    if obj is None:
        return ""
    if zh not in obj and "name_zh" in obj:
        zh = "name_zh"
    if lang == "en":
        return str(obj.get(en) or obj.get(zh) or "")
    return str(obj.get(zh) or "")


def set_anon_cookie(request: Request, response: Response) -> None:
    """Set the CSRF cookie of a visitor who is not signed in, when it was just made."""
    token = getattr(request.state, "new_anon_csrf", None)
    if token:
        response.set_cookie(
            ANON_CSRF_COOKIE,
            token,
            httponly=True,
            samesite="lax",
            secure=_secure(request),
            path="/",
        )


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or get_ctx(request).settings.env == "prod"


def render(request: Request, name: str, status_code: int = 200, **data: Any) -> HTMLResponse:
    """Render template ``name`` with the common context and ``data``."""
    auth = auth_of(request)
    lang = lang_of(request)
    t = translator(lang)
    path = request.url.path
    context = {
        "request": request,
        "t": t,
        "lang": lang,
        "me": auth.principal,
        "csrf": auth.csrf,
        "money": partial(fmt_money, lang=lang),
        "share": fmt_share,
        "num": fmt_number,
        "count": fmt_count,
        "name": partial(_name, lang),
        "path": path,
        "full_path": path + (f"?{request.url.query}" if request.url.query else ""),
        "json_url": None,
        "xlsx_url": None,
        **data,
    }
    templates = get_ctx(request).templates
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    set_anon_cookie(request, response)
    return response


def render_error(
    request: Request, status: int, message: str, errors: list[dict[str, Any]]
) -> Response:
    """Render the error page (the web side of :mod:`chainatlas.api.errors`)."""
    try:
        return render(request, "error.html", status, status=status, message=message, errors=errors)
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        return HTMLResponse(f"<h1>{status}</h1>", status_code=status)
