"""``/api/v1/enterprises/{id}``: the enterprise page's JSON twin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from chainatlas.api import views
from chainatlas.api.deps import ConnDep, PrincipalDep
from chainatlas.api.schemas import EnterpriseOut

from . import ERRORS

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["enterprises"], responses=ERRORS)


@router.get(
    "/enterprises/{enterprise_id}",
    response_model=EnterpriseOut,
    summary="Enterprise page (JSON twin of /enterprises/{id})",
)
def enterprise(
    enterprise_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    principal: PrincipalDep,
    conn: ConnDep,
) -> EnterpriseOut:
    """Return the portrait of an enterprise the user may see (its own, for enterprise users)."""
    return EnterpriseOut.model_validate(views.enterprise_data(conn, principal, enterprise_id))
