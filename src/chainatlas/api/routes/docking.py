"""``/api/v1/docking``: posts (needs and capabilities), matches, leads.

The JSON twins of ``/docking``, ``/docking/needs/{code}`` and ``/docking/leads``
(docs/docking.md). Writes are audited in the same transaction; cookie sessions send the
``X-CSRF-Token`` header. Enterprise users reach only their own enterprise's posts and
leads; viewers may not write.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request

from chainatlas.api import views_docking
from chainatlas.api.deps import ConnDep, PrincipalDep, client_ip, get_ctx
from chainatlas.api.schemas.docking import (
    LeadIn,
    LeadList,
    LeadOut,
    MatchPageOut,
    NeedIn,
    NeedList,
    NeedOut,
    SavedLeadsOut,
)
from chainatlas.store.tx import tx

from . import ERRORS

__all__ = ["NEED_CODE", "router"]

router = APIRouter(prefix="/api/v1/docking", tags=["docking"], responses=ERRORS)

NEED_CODE = r"^[A-Za-z0-9_.\-]{1,60}$"
"""A docking post's code, e.g. DN00000001."""

CodePath = Annotated[str, Path(pattern=NEED_CODE, description="Post code.")]
TopQuery = Annotated[int, Query(ge=1, le=100, description="Counterparts listed.")]


@router.get("/needs", response_model=NeedList, summary="Docking posts (JSON twin of /docking)")
def needs(
    principal: PrincipalDep,
    conn: ConnDep,
    kind: Literal["need", "capability"] | None = None,
    status: Literal["open", "matched", "closed"] | None = None,
) -> NeedList:
    """Return the posts the user may see (enterprise users: their own), newest first."""
    return NeedList.model_validate(
        views_docking.needs_data(conn, principal, kind=kind, status=status)
    )


@router.post("/needs", response_model=NeedOut, summary="Post a need or capability")
def post_need(body: NeedIn, principal: PrincipalDep, request: Request) -> NeedOut:
    """Post for the user's own enterprise (enterprise users) or one in scope (analysts)."""
    with tx(get_ctx(request).engine) as conn:
        data = views_docking.post_need_data(
            conn,
            principal,
            enterprise=body.enterprise,
            kind=body.kind,
            product=body.product,
            quantity=body.quantity,
            unit=body.unit,
            specification=body.specification,
            preferred_regions=body.preferred_regions,
            ip=client_ip(request),
        )
    return NeedOut.model_validate(data)


@router.get(
    "/needs/{code}",
    response_model=MatchPageOut,
    summary="A post and its ranked counterparts (JSON twin of /docking/needs/{code})",
)
def matches(
    code: CodePath, principal: PrincipalDep, conn: ConnDep, top: TopQuery = 20
) -> MatchPageOut:
    """Return the post and its counterparts: public profiles, score, components, reasons."""
    return MatchPageOut.model_validate(views_docking.match_data(conn, principal, code, top=top))


@router.post(
    "/needs/{code}/leads", response_model=SavedLeadsOut, summary="Save a post's matches as leads"
)
def save_leads(
    code: CodePath, principal: PrincipalDep, request: Request, top: TopQuery = 20
) -> SavedLeadsOut:
    """Save the top counterparts of the post as proposed leads (existing ones are kept)."""
    with tx(get_ctx(request).engine) as conn:
        data = views_docking.save_leads_data(conn, principal, code, top=top, ip=client_ip(request))
    return SavedLeadsOut.model_validate(data)


@router.get("/leads", response_model=LeadList, summary="Leads (JSON twin of /docking/leads)")
def leads(
    principal: PrincipalDep,
    conn: ConnDep,
    status: Literal["proposed", "contacted", "deal", "declined"] | None = None,
    need: Annotated[str | None, Query(pattern=NEED_CODE)] = None,
) -> LeadList:
    """Return the leads the user may see, best score first."""
    return LeadList.model_validate(
        views_docking.leads_data(conn, principal, status=status, need=need)
    )


@router.post("/leads/{lead_id}", response_model=LeadOut, summary="Change a lead's status")
def update_lead(
    lead_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    body: LeadIn,
    principal: PrincipalDep,
    request: Request,
) -> LeadOut:
    """Move a lead along proposed → contacted → deal (or declined), with an optional note."""
    with tx(get_ctx(request).engine) as conn:
        data = views_docking.update_lead_data(
            conn, principal, lead_id, body.status, body.note, ip=client_ip(request)
        )
    return LeadOut.model_validate(data)
