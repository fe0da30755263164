"""What routes share: the app context, who is signed in, CSRF checks, cached reports.

Authentication, in order: an ``Authorization: Bearer ca_...`` API token, else the
``chainatlas_session`` cookie. A request authenticated by the cookie that changes
something (POST, PUT, PATCH, DELETE) must also carry the session's CSRF token, as the
``X-CSRF-Token`` header or the ``csrf_token`` form field; token requests need none
(a script's token is not sent by a browser on its own).

Visitors who are not signed in get a random ``chainatlas_csrf`` cookie, and the login
and language forms echo it back (double-submit), so that no other site can sign a
browser in or change its language.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine

from chainatlas.errors import AuthenticationError, PermissionDenied
from chainatlas.services.accounts import LoginThrottle, session_principal, token_principal
from chainatlas.services.browse import dashboard
from chainatlas.services.chain_report import ChainReport, chain_report
from chainatlas.services.principals import Principal
from chainatlas.settings import Settings

from .cache import ReportCache

__all__ = [
    "ANON_CSRF_COOKIE",
    "REPORT_LISTED",
    "SESSION_COOKIE",
    "AppContext",
    "Auth",
    "ConnDep",
    "CtxDep",
    "PrincipalDep",
    "auth_of",
    "cached_dashboard",
    "cached_report",
    "check_csrf",
    "client_ip",
    "get_conn",
    "get_ctx",
    "report_key",
    "require_principal",
]

REPORT_LISTED = 50
"""Risk points a cached chain report makes up front; pages make the others on demand."""

SESSION_COOKIE = "chainatlas_session"
"""The session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS or with env=prod)."""

ANON_CSRF_COOKIE = "chainatlas_csrf"
"""The CSRF cookie of visitors who are not signed in (double-submit)."""

_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(slots=True)
class AppContext:
    """Everything one app instance owns: settings, engine, throttle, cache, templates."""

    settings: Settings
    engine: Engine
    throttle: LoginThrottle
    cache: ReportCache
    templates: Jinja2Templates
    warmer: Any = None
    """The app's :class:`~chainatlas.api.warm.ReportWarmer` while it runs (else None)."""


@dataclass(frozen=True, slots=True)
class Auth:
    """Who sent a request: the principal (None: nobody), its CSRF token and how."""

    principal: Principal | None
    csrf: str
    via: str  # "token", "session" or "none"


def get_ctx(request: Request) -> AppContext:
    """Return the app context stored by :func:`chainatlas.api.app.create_app`."""
    ctx = request.app.state.ctx
    assert isinstance(ctx, AppContext)
    return ctx


CtxDep = Annotated[AppContext, Depends(get_ctx)]


def get_conn(request: Request) -> Iterator[sa.Connection]:
    """Yield a connection in a transaction for the request (committed when it succeeds)."""
    with get_ctx(request).engine.begin() as conn:
        yield conn


ConnDep = Annotated[sa.Connection, Depends(get_conn)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def auth_of(request: Request) -> Auth:
    """Return (and remember for the request) who sent ``request``.

    Raises
    ------
    AuthenticationError
        When an ``Authorization: Bearer`` token is given but is not valid.
    """
    found = getattr(request.state, "auth", None)
    if isinstance(found, Auth):
        return found
    engine = get_ctx(request).engine
    token = _bearer(request)
    auth: Auth
    if token is not None:
        with engine.begin() as conn:
            principal = token_principal(conn, token)
        if principal is None:
            raise AuthenticationError("the API token is not valid (unknown, revoked or disabled)")
        auth = Auth(principal, "", "token")
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        got = None
        if cookie:
            with engine.connect() as conn:
                got = session_principal(conn, cookie)
        if got is not None:
            auth = Auth(got[0], got[1], "session")
        else:
            anon = request.cookies.get(ANON_CSRF_COOKIE) or ""
            if not 20 <= len(anon) <= 100:
                anon = secrets.token_urlsafe(32)
                request.state.new_anon_csrf = anon
            auth = Auth(None, anon, "none")
    request.state.auth = auth
    return auth


def check_csrf(request: Request, auth: Auth, form_token: str | None = None) -> None:
    """Refuse a state-changing request whose CSRF token is missing or wrong.

    Token-authenticated requests need none. Otherwise the ``X-CSRF-Token`` header or
    ``form_token`` must equal the session's token (or, before login, the CSRF cookie).

    Raises
    ------
    PermissionDenied
        When the token is missing or does not match.
    """
    if auth.via == "token":
        return
    given = request.headers.get("x-csrf-token") or form_token or ""
    expected = auth.csrf
    if auth.via == "none":
        expected = request.cookies.get(ANON_CSRF_COOKIE) or ""
    if not expected or not given or not hmac.compare_digest(given, expected):
        raise PermissionDenied("missing or wrong CSRF token; reload the page and try again")


def require_principal(request: Request) -> Principal:
    """Return the signed-in principal; check the CSRF header on unsafe cookie requests.

    Raises
    ------
    AuthenticationError
        When nobody is signed in (401 for the API; pages redirect to the login page).
    PermissionDenied
        When a cookie-authenticated request that changes data lacks the CSRF token.
    """
    auth = auth_of(request)
    if auth.principal is None:
        raise AuthenticationError("sign in, or send an API token as 'Authorization: Bearer ca_...'")
    if request.method in _UNSAFE and auth.via == "session" and request.url.path.startswith("/api/"):
        check_csrf(request, auth)
    return auth.principal


PrincipalDep = Annotated[Principal, Depends(require_principal)]


def client_ip(request: Request) -> str:
    """Return the client address recorded in the audit log and used by the throttle."""
    return request.client.host if request.client is not None else ""


def _scope_variant(principal: Principal) -> Hashable:
    """Return what of ``principal`` a cached page depends on (the regions it may see)."""
    if principal.role == "enterprise":
        return ("enterprise", principal.enterprise_id)
    if principal.role == "analyst":
        return ("analyst", principal.region_ids)
    return "all"


def cached_dashboard(
    ctx: AppContext, conn: sa.Connection, principal: Principal, region: dict[str, Any]
) -> dict[str, Any]:
    """Return the home dashboard of ``region`` for ``principal``, from the cache when fresh.

    The dashboard sums every enterprise located in the region; it depends on the region,
    the regions the principal may see and the data version.
    """
    key = ("dashboard", region["code"], _scope_variant(principal), ctx.cache.data_version(conn))

    def refresh() -> dict[str, Any]:
        with ctx.engine.connect() as own:
            return dashboard(own, principal, region)

    data: dict[str, Any] = ctx.cache.get_or_build(
        key, lambda: dashboard(conn, principal, region), refresh=refresh
    )
    return data


def report_key(chain: str, region_code: str, version: Hashable) -> tuple[Any, ...]:
    """Return the cache key of a chain report (see :func:`cached_report`)."""
    return ("report", chain, region_code, version)


def cached_report(
    ctx: AppContext, conn: sa.Connection, chain: str, region_code: str
) -> ChainReport:
    """Return the chain report of ``chain`` in ``region_code``, from the cache when fresh.

    Raises
    ------
    ChainNotFound, RegionNotFound, AnalysisError
        As :func:`~chainatlas.services.chain_report.chain_report`.
    """
    key = report_key(chain, region_code, ctx.cache.data_version(conn))

    def refresh() -> ChainReport:
        with ctx.engine.connect() as own:
            return chain_report(own, chain, region_code, limit=REPORT_LISTED)

    report = ctx.cache.get_or_build(
        key, lambda: chain_report(conn, chain, region_code, limit=REPORT_LISTED), refresh=refresh
    )
    assert isinstance(report, ChainReport)
    return report
