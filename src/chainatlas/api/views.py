"""The data of every page, built once for both the HTML page and its JSON twin.

Each function resolves what the request names (region, chain), checks access and returns
the plain dict that the page template renders and the API validates against its model.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import sqlalchemy as sa

from chainatlas.errors import InvalidData
from chainatlas.services import browse
from chainatlas.services.chain_view import LEVELS, chain_view, risk_rows, segment_view
from chainatlas.services.enterprise_view import enterprise_view
from chainatlas.services.principals import Principal
from chainatlas.store.chains import list_chains

from .deps import AppContext, cached_report

__all__ = [
    "RISK_PAGE_MAX",
    "all_risks",
    "chain_data",
    "dashboard_data",
    "enterprise_data",
    "report_for",
    "risk_data",
    "search_data",
    "segment_data",
]

RISK_PAGE_MAX = 500
"""The most risk points one page of the risk list returns."""


def dashboard_data(conn: sa.Connection, principal: Principal, region: str | None) -> dict[str, Any]:
    """Return the home dashboard of ``region`` (default: the user's main region)."""
    where = browse.resolve_region(conn, principal, region)
    return browse.dashboard(conn, principal, where)


def report_for(
    ctx: AppContext, conn: sa.Connection, principal: Principal, chain: str, region: str | None
) -> tuple[dict[str, Any], Any]:
    """Return ``(region, chain report)`` after checking the region is visible."""
    where = browse.resolve_region(conn, principal, region)
    return where, cached_report(ctx, conn, chain, where["code"])


def chain_data(
    ctx: AppContext,
    conn: sa.Connection,
    principal: Principal,
    chain: str,
    region: str | None,
    *,
    risk_limit: int = 20,
) -> dict[str, Any]:
    """Return the chain page of ``chain`` in ``region``."""
    _where, report = report_for(ctx, conn, principal, chain, region)
    return chain_view(report, principal, risk_limit=risk_limit)


def segment_data(
    ctx: AppContext,
    conn: sa.Connection,
    principal: Principal,
    chain: str,
    segment: str,
    region: str | None,
) -> dict[str, Any]:
    """Return the segment page of ``segment`` of ``chain`` in ``region``."""
    _where, report = report_for(ctx, conn, principal, chain, region)
    return segment_view(conn, report, principal, segment)


def all_risks(
    ctx: AppContext,
    conn: sa.Connection,
    principal: Principal,
    *,
    chain: str | None,
    region: str | None,
    level: str | None,
) -> tuple[dict[str, Any], list[str], list[dict[str, Any]]]:
    """Return ``(region, chain codes, risk rows)``: every risk point the user may see.

    Rows are sorted worst first (level, then score), then by chain and id.

    Raises
    ------
    InvalidData
        On an unknown level.
    """
    if level is not None and level not in LEVELS:
        raise InvalidData(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    where = browse.resolve_region(conn, principal, region)
    codes = [chain] if chain else [str(c["code"]) for c in list_chains(conn) if c["segments"]]
    rows: list[dict[str, Any]] = []
    variant = principal.enterprise_id if principal.role == "enterprise" else "all"
    version = ctx.cache.data_version(conn)

    def build(code: str) -> list[dict[str, Any]]:
        return risk_rows(cached_report(ctx, conn, code, where["code"]), principal, level=level)

    for code in codes:
        key = ("risk-rows", code, where["code"], variant, level, version)
        rows.extend(ctx.cache.get_or_build(key, partial(build, code)))
    rank = {lv: i for i, lv in enumerate(LEVELS)}
    rows.sort(key=lambda r: (rank[r["level"]], -r["score"], r["chain"], r["id"]))
    return where, codes, rows


def risk_data(
    ctx: AppContext,
    conn: sa.Connection,
    principal: Principal,
    *,
    chain: str | None,
    region: str | None,
    level: str | None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """Return one page of the risk list: the chain's (or every chain's) risk points.

    Raises
    ------
    InvalidData
        On an unknown level or a limit outside 1-:data:`RISK_PAGE_MAX`.
    """
    if not 1 <= limit <= RISK_PAGE_MAX or offset < 0:
        raise InvalidData(f"limit must be 1-{RISK_PAGE_MAX} and offset at least 0")
    where, codes, rows = all_risks(ctx, conn, principal, chain=chain, region=region, level=level)
    return {
        "region": {"code": where["code"], "name": where["name_zh"], "name_en": where["name_en"]},
        "chains": codes,
        "level": level,
        "total": len(rows),
        "offset": offset,
        "limit": limit,
        "data": rows[offset : offset + limit],
    }


def enterprise_data(
    conn: sa.Connection, principal: Principal, enterprise_id: int
) -> dict[str, Any]:
    """Return the enterprise page (access checked in the service)."""
    data = enterprise_view(conn, principal, enterprise_id)
    for year in data["trends"]:
        for k, v in list(year.items()):
            if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
                year[k] = None
    return data


def search_data(
    conn: sa.Connection, principal: Principal, q: str, limit: int = 20
) -> dict[str, Any]:
    """Return the search results ``principal`` may see."""
    return browse.search(conn, principal, q, limit=limit)
