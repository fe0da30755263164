"""``/api/v1``: policies, one policy with its push list, and an enterprise's policy check.

The JSON twins of ``/policies``, ``/policies/{code}`` and ``/enterprises/{id}/policies``
(docs/policies.md). Push lists are limited to the enterprises the user may see;
enterprise users get none (``redacted: true``), only whether their own enterprise
qualifies.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from chainatlas.api import views_policies
from chainatlas.api.deps import ConnDep, PrincipalDep
from chainatlas.api.schemas.policies import PolicyCheckOut, PolicyList, PolicyPageOut

from . import ERRORS, REGION_PATTERN

__all__ = ["POLICY_CODE", "router"]

router = APIRouter(prefix="/api/v1", tags=["policies"], responses=ERRORS)

POLICY_CODE = r"^[A-Za-z0-9_.\-]{1,80}$"
"""A policy code, e.g. ZJ-SRDI-2024."""

OnQuery = Annotated[date | None, Query(description="Day of the check (ISO date; default today).")]


@router.get("/policies", response_model=PolicyList, summary="Policies (JSON twin of /policies)")
def policy_list(principal: PrincipalDep, conn: ConnDep, on: OnQuery = None) -> PolicyList:
    """Return every policy with its validity on ``on``."""
    return PolicyList.model_validate(views_policies.policies_data(conn, principal, on=on))


@router.get(
    "/policies/{code}",
    response_model=PolicyPageOut,
    summary="A policy and its push list (JSON twin of /policies/{code})",
)
def policy(
    code: Annotated[str, Path(pattern=POLICY_CODE)],
    principal: PrincipalDep,
    conn: ConnDep,
    region: Annotated[str | None, Query(pattern=REGION_PATTERN)] = None,
    on: OnQuery = None,
    limit: Annotated[int, Query(ge=1, le=5000, description="Push-list rows returned.")] = 500,
) -> PolicyPageOut:
    """Return the policy, its conditions and the qualifying enterprises the user may see."""
    data = views_policies.policy_data(conn, principal, code, region=region, on=on, limit=limit)
    return PolicyPageOut.model_validate(data)


@router.get(
    "/enterprises/{enterprise_id}/policies",
    response_model=PolicyCheckOut,
    summary="An enterprise's policy check (JSON twin of /enterprises/{id}/policies)",
)
def policy_check(
    enterprise_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    principal: PrincipalDep,
    conn: ConnDep,
    on: OnQuery = None,
) -> PolicyCheckOut:
    """Return the policies the enterprise qualifies for, and each failed condition's gap."""
    data = views_policies.policy_check_data(conn, principal, enterprise_id, on=on)
    return PolicyCheckOut.model_validate(data)
