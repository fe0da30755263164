"""``/api/v1``: attraction targets, growth opportunities and the comparison of regions.

The JSON twins of ``/chains/{chain}/targets``, ``/opportunities`` and ``/regions/compare``
(docs/build-the-chain.md). Enterprise accounts are refused (403): the lists name other
firms or compare whole regions; analysts reach only regions in their scope.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from chainatlas.api import views_build
from chainatlas.api.deps import ConnDep, CtxDep, PrincipalDep
from chainatlas.api.schemas.build import DivisionPageOut, OpportunitiesPageOut, TargetsPageOut

from . import ERRORS, REGION_PATTERN
from .chains import CODE_PATTERN

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["build"], responses=ERRORS)

RegionQuery = Annotated[
    str | None,
    Query(
        pattern=REGION_PATTERN, description="Region code or name (default: the user's main region)."
    ),
]


@router.get(
    "/chains/{chain}/targets",
    response_model=TargetsPageOut,
    summary="Attraction targets (JSON twin of /chains/{chain}/targets)",
)
def targets(
    chain: Annotated[str, Path(pattern=CODE_PATTERN, description="Chain code, e.g. nev.")],
    principal: PrincipalDep,
    conn: ConnDep,
    ctx: CtxDep,
    region: RegionQuery = None,
    top: Annotated[int, Query(ge=1, le=50, description="Targets per segment.")] = 10,
) -> TargetsPageOut:
    """Return outside enterprises ranked for each weak or missing segment, with reasons."""
    data = views_build.targets_data(ctx, conn, principal, chain, region, top=top)
    return TargetsPageOut.model_validate(data)


@router.get(
    "/opportunities",
    response_model=OpportunitiesPageOut,
    summary="Growth opportunities (JSON twin of /opportunities)",
)
def opportunities(
    principal: PrincipalDep,
    conn: ConnDep,
    ctx: CtxDep,
    region: RegionQuery = None,
    strategy: Literal["balanced", "feasible", "ambitious"] = "balanced",
    by: Literal["industry", "segment"] = "industry",
    top: Annotated[int, Query(ge=1, le=200, description="Opportunities listed.")] = 20,
) -> OpportunitiesPageOut:
    """Return the industries (or segments) the region does not have yet, ranked."""
    data = views_build.opportunities_data(
        ctx, conn, principal, region, strategy=strategy, by=by, top=top
    )
    return OpportunitiesPageOut.model_validate(data)


@router.get(
    "/regions/compare",
    response_model=DivisionPageOut,
    summary="Compare regions (JSON twin of /regions/compare)",
)
def regions_compare(
    principal: PrincipalDep,
    conn: ConnDep,
    ctx: CtxDep,
    regions: Annotated[
        list[str] | None,
        Query(description="Regions to compare (codes or names; repeat the parameter)."),
    ] = None,
    group: Annotated[
        str | None, Query(pattern=REGION_PATTERN, description="A cooperation area, e.g. YRD.")
    ] = None,
) -> DivisionPageOut:
    """Return specialisation, similarity, contested segments and a lead region per chain."""
    data = views_build.regions_data(ctx, conn, principal, regions or (), group)
    return DivisionPageOut.model_validate(data)
