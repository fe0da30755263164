"""``/api/v1``: the chain page, the segment page and the risk list (JSON twins)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from chainatlas.api import views
from chainatlas.api.deps import ConnDep, CtxDep, PrincipalDep
from chainatlas.api.schemas import ChainPageOut, RiskListOut, SegmentPageOut
from chainatlas.services import browse

from . import ERRORS, REGION_PATTERN

__all__ = ["CODE_PATTERN", "router"]

router = APIRouter(prefix="/api/v1", tags=["chains"], responses=ERRORS)

CODE_PATTERN = r"^[A-Za-z0-9_.\-]{1,60}$"
"""A chain or segment code."""

ChainPath = Annotated[str, Path(pattern=CODE_PATTERN, description="Chain code, e.g. nev.")]
SegmentPath = Annotated[str, Path(pattern=CODE_PATTERN, description="Segment code.")]
RegionQuery = Annotated[
    str | None,
    Query(
        pattern=REGION_PATTERN, description="Region code or name (default: the user's main region)."
    ),
]


@router.get(
    "/chains/{chain}",
    response_model=ChainPageOut,
    summary="Chain page (JSON twin of /chains/{chain})",
)
def chain_page(
    chain: ChainPath,
    principal: PrincipalDep,
    conn: ConnDep,
    ctx: CtxDep,
    region: RegionQuery = None,
    risks: Annotated[int, Query(ge=0, le=200, description="Risk points listed.")] = 20,
) -> Response:
    """Return the chain graph, scorecard, segments, gaps, countermeasures and worst risks."""
    where = browse.resolve_region(conn, principal, region)
    variant = principal.enterprise_id if principal.role == "enterprise" else "all"
    key = ("chain-json", chain, where["code"], variant, risks, ctx.cache.data_version(conn))

    def build() -> bytes:
        data = views.chain_data(ctx, conn, principal, chain, where["code"], risk_limit=risks)
        return ChainPageOut.model_validate(data).model_dump_json().encode("utf-8")

    body = ctx.cache.get_or_build(key, build)
    return Response(body, media_type="application/json")


@router.get(
    "/chains/{chain}/segments/{segment}",
    response_model=SegmentPageOut,
    summary="Segment page (JSON twin of /chains/{chain}/segments/{segment})",
)
def segment_page(
    chain: ChainPath,
    segment: SegmentPath,
    principal: PrincipalDep,
    conn: ConnDep,
    ctx: CtxDep,
    region: RegionQuery = None,
) -> SegmentPageOut:
    """Return a segment's figures, local enterprises, suppliers in and out, and risks."""
    data = views.segment_data(ctx, conn, principal, chain, segment, region)
    return SegmentPageOut.model_validate(data)


@router.get("/risks", response_model=RiskListOut, summary="Risk list (JSON twin of /risks)")
def risk_list(
    principal: PrincipalDep,
    conn: ConnDep,
    ctx: CtxDep,
    chain: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
    region: RegionQuery = None,
    level: Literal["high", "medium", "low"] | None = None,
    limit: Annotated[int, Query(ge=1, le=views.RISK_PAGE_MAX)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> RiskListOut:
    """Return risk points of one chain (or all chains) in a region, worst first."""
    data = views.risk_data(
        ctx,
        conn,
        principal,
        chain=chain,
        region=region,
        level=level,
        limit=limit,
        offset=offset,
    )
    return RiskListOut.model_validate(data)
