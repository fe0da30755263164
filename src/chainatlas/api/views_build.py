"""The data of the build-the-chain pages, built once for the page and its JSON twin.

- :func:`targets_data`: attraction targets of a chain's weak and missing segments;
- :func:`opportunities_data`: growth opportunities of a region under a strategy;
- :func:`regions_data`: the division of labour of a cooperation area or chosen regions.

Each resolves the region (checking the user's scope), refuses enterprise accounts (the
lists name other firms or compare whole regions, see docs/web.md) and keeps the report in
the app's cache under the data version, as the chain report is kept.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from chainatlas.errors import InvalidData
from chainatlas.services import browse
from chainatlas.services.access import visible_region_ids
from chainatlas.services.attraction import TargetReport, attraction_targets
from chainatlas.services.build_view import check_not_enterprise, cooperation_areas, sub_regions
from chainatlas.services.division import DivisionReport, division_of_labour
from chainatlas.services.opportunities import OpportunityReport, growth_opportunities
from chainatlas.services.principals import Principal
from chainatlas.store.chains import get_chain

from .deps import AppContext

__all__ = [
    "MAX_COMPARED",
    "STRATEGIES",
    "opportunities_data",
    "opportunities_report",
    "regions_data",
    "regions_report",
    "targets_data",
    "targets_report",
    "xlsx_bytes",
]

STRATEGIES = ("balanced", "feasible", "ambitious")
"""The strategies the opportunity page offers (docs/build-the-chain.md)."""

MAX_COMPARED = 12
"""The most regions one comparison takes."""


def xlsx_bytes(write: Callable[[Path], Path]) -> bytes:
    """Return the bytes of the workbook that ``write(path)`` writes."""
    with tempfile.TemporaryDirectory(prefix="chainatlas-xlsx-") as tmp:
        path = Path(tmp) / "out.xlsx"
        write(path)
        return path.read_bytes()


def _chain_ref(conn: sa.Connection, code: str) -> dict[str, str]:
    chain = get_chain(conn, code)
    return {"code": chain.code, "name_zh": chain.name_zh, "name_en": chain.name_en}


def targets_report(
    ctx: AppContext,
    conn: sa.Connection,
    principal: Principal,
    chain: str,
    region: str | None,
    *,
    top: int = 10,
) -> tuple[dict[str, str], TargetReport]:
    """Return ``(chain, report)``: the attraction targets of ``chain`` in ``region``.

    Raises
    ------
    PermissionDenied
        For enterprise users, and for a region outside the user's scope.
    ChainNotFound, RegionNotFound, AnalysisError
        As :func:`~chainatlas.services.attraction.attraction_targets`.
    """
    check_not_enterprise(principal, "attraction targets")
    where = browse.resolve_region(conn, principal, region)
    ref = _chain_ref(conn, chain)
    key = ("targets", ref["code"], where["code"], top, ctx.cache.data_version(conn))
    report = ctx.cache.get_or_build(
        key, lambda: attraction_targets(conn, ref["code"], where["code"], top=top)
    )
    assert isinstance(report, TargetReport)
    return ref, report


def targets_data(
    ctx: AppContext,
    conn: sa.Connection,
    principal: Principal,
    chain: str,
    region: str | None,
    *,
    top: int = 10,
) -> dict[str, Any]:
    """Return the attraction-target page of ``chain`` in ``region`` (see :func:`targets_report`)."""
    ref, report = targets_report(ctx, conn, principal, chain, region, top=top)
    return {"chain": ref, "top": top, **report.to_dict()}


def opportunities_report(
    ctx: AppContext,
    conn: sa.Connection,
    principal: Principal,
    region: str | None,
    *,
    strategy: str = "balanced",
    by: str = "industry",
    top: int = 20,
) -> OpportunityReport:
    """Return the growth opportunities of ``region`` under ``strategy``.

    Raises
    ------
    PermissionDenied
        For enterprise users, and for a region outside the user's scope.
    InvalidData
        On an unknown strategy or ``by``.
    RegionNotFound, AnalysisError
        As :func:`~chainatlas.services.opportunities.growth_opportunities`.
    """
    check_not_enterprise(principal, "growth opportunities")
    if strategy not in STRATEGIES:
        raise InvalidData(f"strategy must be one of {', '.join(STRATEGIES)}, not {strategy!r}")
    where = browse.resolve_region(conn, principal, region)
    key = ("opportunities", where["code"], strategy, by, top, ctx.cache.data_version(conn))
    report = ctx.cache.get_or_build(
        key,
        lambda: growth_opportunities(conn, where["code"], strategy=strategy, by=by, top=top),
    )
    assert isinstance(report, OpportunityReport)
    return report


def opportunities_data(
    ctx: AppContext,
    conn: sa.Connection,
    principal: Principal,
    region: str | None,
    *,
    strategy: str = "balanced",
    by: str = "industry",
    top: int = 20,
) -> dict[str, Any]:
    """Return the growth-opportunity page (see :func:`opportunities_report`)."""
    report = opportunities_report(ctx, conn, principal, region, strategy=strategy, by=by, top=top)
    return report.to_dict()


def _compared(
    conn: sa.Connection, principal: Principal, regions: Sequence[str], group: str | None
) -> tuple[list[str], str | None]:
    """Return ``(region codes, group code)`` to compare, every one checked against the scope."""
    if group:
        where = browse.resolve_region(conn, principal, group)
        if where["level"] != "group":
            raise InvalidData(f"group: {group!r} is a region, not a cooperation area")
        return [], where["code"]
    if regions:
        if len(regions) > MAX_COMPARED:
            raise InvalidData(f"regions: at most {MAX_COMPARED} regions, not {len(regions)}")
        codes = []
        for ref in regions:
            where = browse.resolve_region(conn, principal, ref)
            if where["level"] == "group":
                raise InvalidData(f"regions: {ref!r} is a cooperation area; give it as group")
            codes.append(str(where["code"]))
        return codes, None
    areas = cooperation_areas(conn)
    if areas and visible_region_ids(conn, principal) is None:
        return [], str(areas[0]["code"])
    # Scoped users compare the sub-regions of their main region (e.g. the cities of a province).
    home = browse.default_region(conn, principal)
    return sub_regions(conn, int(home["id"]))[:MAX_COMPARED], None


def regions_report(
    ctx: AppContext,
    conn: sa.Connection,
    principal: Principal,
    regions: Sequence[str] = (),
    group: str | None = None,
) -> DivisionReport:
    """Return the division of labour of ``regions`` or the cooperation area ``group``.

    Without either, users who see every region get the first cooperation area and scoped
    analysts the sub-regions of their main region.

    Raises
    ------
    PermissionDenied
        For enterprise users, a region outside an analyst's scope, or a cooperation area
        asked for by a scoped user.
    InvalidData, RegionNotFound, AnalysisError
        As :func:`~chainatlas.services.division.division_of_labour` (fewer than two
        regions, overlapping regions, no industry data).
    """
    check_not_enterprise(principal, "the comparison of regions")
    codes, area = _compared(conn, principal, regions, group)
    key = ("division", tuple(codes), area, ctx.cache.data_version(conn))
    report = ctx.cache.get_or_build(
        key, lambda: division_of_labour(conn, codes or None, group=area)
    )
    assert isinstance(report, DivisionReport)
    return report


def regions_data(
    ctx: AppContext,
    conn: sa.Connection,
    principal: Principal,
    regions: Sequence[str] = (),
    group: str | None = None,
) -> dict[str, Any]:
    """Return the regions-compare page (see :func:`regions_report`)."""
    report = regions_report(ctx, conn, principal, regions, group)
    areas = cooperation_areas(conn) if visible_region_ids(conn, principal) is None else []
    return {**report.to_dict(), "areas": areas}
