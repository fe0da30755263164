"""The app factory: ``create_app(settings)`` builds the web app and the REST API.

Nothing is created at import time: the engine, the login throttle, the report cache and
the templates belong to the app that :func:`create_app` returns (``app.state.ctx``), so
tests and processes can run several apps side by side.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

import chainatlas
from chainatlas.api.cache import ReportCache
from chainatlas.api.deps import AppContext
from chainatlas.api.errors import install_error_handlers
from chainatlas.api.routes import (
    audit,
    browse,
    build,
    chains,
    docking,
    enterprises,
    imports,
    policies,
)
from chainatlas.api.warm import ReportWarmer
from chainatlas.services.accounts import LoginThrottle
from chainatlas.settings import Settings
from chainatlas.store.engine import make_engine

__all__ = ["API_PREFIX", "SECURITY_HEADERS", "create_app"]

API_PREFIX = "/api/v1"
"""Where the versioned REST API lives."""

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
        "form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
"""Headers on every response: everything is served from the app itself (no CDN)."""


def create_app(
    settings: Settings,
    *,
    engine: Engine | None = None,
    cache_max_age_s: float = 600.0,
) -> FastAPI:
    """Build the ChainAtlas web app and API for ``settings``.

    Parameters
    ----------
    settings
        Where the database is (``database_url``) and how the app runs (``env``: with
        ``prod`` cookies are always Secure).
    engine
        An engine to use instead of one built from ``settings.database_url``.
    cache_max_age_s
        Longest time a cached chain report is served (see :mod:`chainatlas.api.cache`).
    """
    from chainatlas.web import auth as web_auth
    from chainatlas.web import imports as web_imports
    from chainatlas.web import pages, pages_build, pages_docking, pages_policies
    from chainatlas.web.render import make_templates, render_error

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx: AppContext = app.state.ctx
        if ctx.settings.warm_reports:
            ctx.warmer = ReportWarmer(ctx)
            ctx.cache.on_bump.append(ctx.warmer.trigger)
            ctx.warmer.start()
        try:
            yield
        finally:
            if ctx.warmer is not None:
                ctx.cache.on_bump.remove(ctx.warmer.trigger)
                ctx.warmer.stop()
                ctx.warmer = None

    app = FastAPI(
        lifespan=lifespan,
        title="ChainAtlas API",
        version=chainatlas.__version__,
        description=(
            "Industrial-chain maps, strength, broken-chain risk and enterprise portraits. "
            "Every web page has a JSON twin here. Authenticate with an API token "
            "(`Authorization: Bearer ca_...`, see `chainatlas user token`) or the session "
            "cookie (then send `X-CSRF-Token` on POST/PUT). Every error has the shape "
            '`{"ok": false, "error": "...", "errors": [...], "status": N}`.'
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.ctx = AppContext(
        settings=settings,
        engine=engine if engine is not None else make_engine(settings.database_url),
        throttle=LoginThrottle(),
        cache=ReportCache(max_age_s=cache_max_age_s),
        templates=make_templates(),
    )
    install_error_handlers(app, render_error)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/api/") or request.method != "GET":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    for module in (browse, chains, enterprises, imports, audit):
        app.include_router(module.router)
    for api_router in (build.router, policies.router, docking.router):
        app.include_router(api_router)
    for router in (
        web_auth.router,
        web_imports.router,
        pages.router,
        pages_build.router,
        pages_policies.router,
        pages_docking.router,
    ):
        app.include_router(router)
    static = resources.files("chainatlas.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app
