"""``/api/v1/audit``: the audit log (administrators only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from chainatlas.api.deps import ConnDep, PrincipalDep
from chainatlas.api.schemas import AuditList
from chainatlas.services.access import check_admin
from chainatlas.services.audit import list_audit

from . import ERRORS

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["audit"], responses=ERRORS)


@router.get("/audit", response_model=AuditList, summary="Audit log (admins)")
def audit_log(
    principal: PrincipalDep,
    conn: ConnDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    username: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.@-]{1,80}$")] = None,
) -> AuditList:
    """Return the newest audit records first, optionally of one user."""
    check_admin(principal, "read the audit log")
    rows = list_audit(conn, limit=limit, username=username)
    return AuditList.model_validate({"data": rows, "count": len(rows)})
