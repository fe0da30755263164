"""The ``/api/v1`` routers, one per topic, and the error responses they document."""

from __future__ import annotations

from typing import Any

from chainatlas.api.schemas.common import ErrorOut

__all__ = ["ERRORS", "REGION_PATTERN", "TEXT_PATTERN"]

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Not signed in, or the API token is not valid."},
    403: {"model": ErrorOut, "description": "Outside the user's scope or role, or no CSRF token."},
    404: {"model": ErrorOut, "description": "No such record."},
    422: {"model": ErrorOut, "description": "Invalid request or data."},
}
"""The error responses every route documents (all with the one error shape)."""

REGION_PATTERN = r"^[^\x00-\x1f]{1,100}$"
"""A region code or name: 1-100 characters, no control characters."""

TEXT_PATTERN = r"^[^\x00-\x1f]{1,100}$"
"""Free text in a query: 1-100 characters, no control characters."""
