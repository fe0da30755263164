"""One error shape for every failure, mapped from the ChainAtlas error tree in one place.

Every JSON error is ``{"ok": false, "error": "...", "errors": [...], "status": N}``:
``error`` is the one-line message, ``errors`` the details (validation problems with
``loc``/``msg``/``type``; an import's rejected rows with ``file``/``row``/``column``/
``value``/``reason``). Pages (paths outside ``/api/``) render the same message in the
error page instead, and an unauthenticated page request is sent to the login page.

========================================================  ======
error                                                     status
========================================================  ======
AuthenticationError                                       401
PermissionDenied (also a missing or wrong CSRF token)     403
NotFound (RegionNotFound, ChainNotFound, ...)             404
Conflict                                                  409
InvalidData, ImportFormatError, ImportRejected,           422
AnalysisError, request validation
any other ChainatlasError                                 400
anything else                                             500 (no details shown)
========================================================  ======
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from chainatlas.errors import (
    AnalysisError,
    AuthenticationError,
    ChainatlasError,
    Conflict,
    ImportFormatError,
    ImportRejected,
    InvalidData,
    NotFound,
    PermissionDenied,
)

__all__ = [
    "PageError",
    "error_body",
    "install_error_handlers",
    "is_api",
    "status_for",
]

_log = logging.getLogger("chainatlas.api")

PageError = Callable[[Request, int, str, list[dict[str, Any]]], Response]
"""Renders an error page: ``(request, status, message, errors) -> response``."""

_STATUS: tuple[tuple[type[ChainatlasError], int], ...] = (
    (AuthenticationError, 401),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidData, 422),
    (ImportFormatError, 422),
    (ImportRejected, 422),
    (AnalysisError, 422),
)

_HTTP_MESSAGES = {
    404: "no such page or API route",
    405: "method not allowed on this route",
}


def status_for(err: ChainatlasError) -> int:
    """Return the HTTP status of a ChainAtlas error (400 when no rule applies)."""
    for cls, status in _STATUS:
        if isinstance(err, cls):
            return status
    return 400


def error_body(
    status: int, message: str, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Return the JSON error shape."""
    return {"ok": False, "error": message, "errors": list(errors or []), "status": status}


def is_api(request: Request) -> bool:
    """Return whether the request is for the JSON API (``/api/...``)."""
    return request.url.path.startswith("/api/")


def _details(err: ChainatlasError) -> list[dict[str, Any]]:
    if isinstance(err, ImportRejected):
        return [asdict(p) for p in err.problems]
    return []


def _validation_details(err: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for e in err.errors():
        out.append(
            {
                "loc": [str(x) for x in e.get("loc", ())],
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
        )
    return out


def _login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def install_error_handlers(app: FastAPI, page_error: PageError) -> None:
    """Register the handlers that give every error the same shape (JSON or page)."""

    def respond(
        request: Request, status: int, message: str, errors: list[dict[str, Any]]
    ) -> Response:
        if is_api(request):
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return JSONResponse(error_body(status, message, errors), status, headers=headers)
        return page_error(request, status, message, errors)

    async def on_chainatlas(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ChainatlasError)
        status = status_for(exc)
        if status == 401 and not is_api(request) and request.method in ("GET", "HEAD"):
            return _login_redirect(request)
        return respond(request, status, exc.message, _details(exc))

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        details = _validation_details(exc)
        first = details[0] if details else {"loc": [], "msg": "invalid request"}
        where = ".".join(first["loc"])
        return respond(request, 422, f"invalid request: {where}: {first['msg']}", details)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        message = (
            str(exc.detail)
            if exc.detail and exc.status_code not in _HTTP_MESSAGES
            else _HTTP_MESSAGES.get(exc.status_code, "request failed")
        )
        return respond(request, exc.status_code, message, [])

    async def on_anything(request: Request, exc: Exception) -> Response:
        _log.exception("unhandled error on %s %s", request.method, request.url.path)
        return respond(request, 500, "internal error; the server log has the details", [])

    app.add_exception_handler(ChainatlasError, on_chainatlas)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_anything)
