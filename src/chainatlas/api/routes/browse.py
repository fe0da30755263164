"""``/api/v1``: the signed-in user, its language, regions, chains, dashboard and search."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from chainatlas.api import views
from chainatlas.api.deps import ConnDep, CtxDep, PrincipalDep, client_ip, get_ctx
from chainatlas.api.schemas import ChainList, DashboardOut, MeOut, RegionList, SearchOut
from chainatlas.api.schemas.common import Model
from chainatlas.services import audit, browse
from chainatlas.services.accounts import set_locale
from chainatlas.store.tx import tx

from . import ERRORS, REGION_PATTERN, TEXT_PATTERN

__all__ = ["LocaleIn", "router"]

router = APIRouter(prefix="/api/v1", tags=["browse"], responses=ERRORS)

RegionQuery = Annotated[
    str | None,
    Query(
        pattern=REGION_PATTERN, description="Region code or name (default: the user's main region)."
    ),
]


class LocaleIn(Model):
    """The interface language to save for the signed-in user."""

    locale: Literal["zh", "en"]


@router.get("/me", response_model=MeOut, summary="The signed-in user, role and scope")
def me(principal: PrincipalDep) -> MeOut:
    """Return the signed-in user (the session cookie or the API token's user)."""
    return MeOut.model_validate(principal.to_dict())


@router.put("/me/locale", response_model=MeOut, summary="Save the user's interface language")
def put_locale(body: LocaleIn, principal: PrincipalDep, request: Request) -> MeOut:
    """Save the interface language of the signed-in user (``zh`` or ``en``)."""
    with tx(get_ctx(request).engine) as conn:
        set_locale(conn, principal.user_id, body.locale)
        audit.record(
            conn,
            principal,
            "user.locale",
            entity="user",
            entity_id=principal.username,
            detail={"locale": body.locale},
            ip=client_ip(request),
        )
    data = principal.to_dict() | {"locale": body.locale}
    return MeOut.model_validate(data)


@router.get("/regions", response_model=RegionList, summary="Regions the user may choose")
def regions(principal: PrincipalDep, conn: ConnDep) -> RegionList:
    """List the regions in the user's scope (every Chinese region for unscoped users)."""
    rows = browse.region_options(conn, principal)
    return RegionList.model_validate({"data": rows, "count": len(rows)})


@router.get("/chains", response_model=ChainList, summary="Every chain")
def chains(
    principal: PrincipalDep, conn: ConnDep, ctx: CtxDep, region: RegionQuery = None
) -> ChainList:
    """List every chain with its segments and the local enterprises of ``region``."""
    data = views.dashboard_data(ctx, conn, principal, region)
    return ChainList.model_validate({"data": data["chains"], "count": len(data["chains"])})


@router.get("/dashboard", response_model=DashboardOut, summary="Home dashboard (JSON twin of /)")
def dashboard(
    principal: PrincipalDep, conn: ConnDep, ctx: CtxDep, region: RegionQuery = None
) -> DashboardOut:
    """Return the headline figures, chains and sub-regions of ``region``."""
    return DashboardOut.model_validate(views.dashboard_data(ctx, conn, principal, region))


@router.get("/search", response_model=SearchOut, summary="Search (JSON twin of /search)")
def search(
    principal: PrincipalDep,
    conn: ConnDep,
    q: Annotated[str, Query(pattern=TEXT_PATTERN, description="Name, alias or credit code.")],
    limit: Annotated[int, Query(ge=1, le=browse.SEARCH_LIMIT)] = 20,
) -> SearchOut:
    """Find enterprises by name, alias or credit code, and chains and regions by name."""
    return SearchOut.model_validate(views.search_data(conn, principal, q, limit))
