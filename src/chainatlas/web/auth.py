"""Sign in, sign out and switch the language (forms with CSRF tokens).

The session cookie ``chainatlas_session`` is HttpOnly and SameSite=Lax, and Secure when
the request came over HTTPS or the app runs with ``env=prod``. Failed logins are
rate-limited per account and client (:class:`~chainatlas.services.accounts.LoginThrottle`,
one per app) and answered with one message whatever went wrong.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from chainatlas.api.deps import SESSION_COOKIE, auth_of, check_csrf, client_ip, get_ctx
from chainatlas.errors import AuthenticationError
from chainatlas.services import audit
from chainatlas.services.accounts import authenticate, close_session, open_session, set_locale
from chainatlas.store.tx import tx
from chainatlas.web.i18n import LOCALES
from chainatlas.web.render import LANG_COOKIE, render, set_anon_cookie

__all__ = ["router", "safe_next"]

router = APIRouter(include_in_schema=False)

_SESSION_HOURS = 12


def safe_next(target: str | None) -> str:
    """Return ``target`` if it is a path on this site, else ``/`` (no open redirects).

    >>> safe_next("/chains/nev?region=330000"), safe_next("//evil.example"), safe_next(None)
    ('/chains/nev?region=330000', '/', '/')
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target[:500]


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or get_ctx(request).settings.env == "prod"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:  # noqa: A002 - the query name
    """Render the login form."""
    return render(request, "login.html", next=safe_next(next), error=None, username="")


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",  # noqa: A002 - the form field name
) -> Response:
    """Check the password, open a session and go to ``next``; else show the form again."""
    ctx = get_ctx(request)
    auth = auth_of(request)
    check_csrf(request, auth, csrf_token)
    ip = client_ip(request)
    try:
        with tx(ctx.engine) as conn:
            principal = authenticate(
                conn, username.strip(), password, throttle=ctx.throttle, client=ip
            )
            token, _csrf = open_session(conn, principal.user_id)
            audit.record(
                conn, principal, "session.open", entity="user", entity_id=principal.username, ip=ip
            )
    except AuthenticationError as err:
        with tx(ctx.engine) as conn:
            audit.record(
                conn,
                None,
                "session.failed",
                entity="user",
                entity_id=username.strip()[:100],
                ip=ip,
                username=username.strip()[:80] or "-",
            )
        return render(
            request,
            "login.html",
            401,
            next=safe_next(next),
            error=err.message,
            username=username.strip()[:80],
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=_SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Close the session and go to the login page."""
    ctx = get_ctx(request)
    auth = auth_of(request)
    check_csrf(request, auth, csrf_token)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and auth.principal is not None:
        with tx(ctx.engine) as conn:
            close_session(conn, cookie)
            audit.record(
                conn,
                auth.principal,
                "session.close",
                entity="user",
                entity_id=auth.principal.username,
                ip=client_ip(request),
            )
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/language")
def language(
    request: Request,
    lang: Annotated[str, Form(max_length=5)] = "zh",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",  # noqa: A002 - the form field name
) -> Response:
    """Switch the language: saved for a signed-in user, in a cookie for a visitor."""
    auth = auth_of(request)
    check_csrf(request, auth, csrf_token)
    chosen = lang if lang in LOCALES else "zh"
    if auth.principal is not None and auth.via == "session":
        with tx(get_ctx(request).engine) as conn:
            set_locale(conn, auth.principal.user_id, chosen)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        LANG_COOKIE, chosen, max_age=365 * 86400, samesite="lax", secure=_secure(request), path="/"
    )
    set_anon_cookie(request, response)
    return response
