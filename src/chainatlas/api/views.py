"""The data of every page, built once for both the HTML page and its JSON twin.

Each function resolves what the request names (region, chain), checks access and returns
the plain dict that the page template renders and the API validates against its model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from chainatlas.errors import InvalidData
from chainatlas.services import browse
from chainatlas.services.chain_report import ChainReport
from chainatlas.services.chain_view import (
    LEVELS,
    chain_view,
    risk_rows,
    segment_view,
    visible_positions,
)
from chainatlas.services.enterprise_view import enterprise_view
from chainatlas.services.principals import Principal
from chainatlas.services.risk_points import point_ids
from chainatlas.store.chains import list_chains

from .deps import AppContext, cached_dashboard, cached_report

__all__ = [
    "RISK_PAGE_MAX",
    "RiskIndex",
    "chain_data",
    "dashboard_data",
    "enterprise_data",
    "report_for",
    "risk_data",
    "risk_index",
    "risk_page",
    "search_data",
    "segment_data",
]

RISK_PAGE_MAX = 500
"""The most risk points one page of the risk list returns."""

_LEVEL_RANK = {lv: i for i, lv in enumerate(LEVELS)}


@dataclass(frozen=True, slots=True)
class RiskIndex:
    """Every visible risk point of a risk list, sorted, and the reports they come from."""

    rows: pd.DataFrame
    reports: dict[str, ChainReport]


def dashboard_data(
    ctx: AppContext, conn: sa.Connection, principal: Principal, region: str | None
) -> dict[str, Any]:
    """Return the home dashboard of ``region`` (default: the user's main region)."""
    where = browse.resolve_region(conn, principal, region)
    return cached_dashboard(ctx, conn, principal, where)


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
    return chain_view(conn, report, principal, risk_limit=risk_limit)


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


def risk_index(
    ctx: AppContext,
    conn: sa.Connection,
    principal: Principal,
    *,
    chain: str | None,
    region: str | None,
    level: str | None,
) -> tuple[dict[str, Any], list[str], RiskIndex]:
    """Return ``(region, chain codes, index)`` of every risk point the user may see.

    The index has one row per point (``chain``, ``position`` in the chain's ranking,
    ``rank`` of the level, ``score``, ``id``), sorted worst first (level, then score),
    then by chain and id, and the reports the positions belong to. It is built from the
    scored points without making the point objects, and cached under the data version;
    :func:`risk_page` makes one page.

    Raises
    ------
    InvalidData
        On an unknown level.
    """
    if level is not None and level not in LEVELS:
        raise InvalidData(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    where = browse.resolve_region(conn, principal, region)
    codes = [chain] if chain else [str(c["code"]) for c in list_chains(conn) if c["segments"]]
    variant = principal.enterprise_id if principal.role == "enterprise" else "all"
    version = ctx.cache.data_version(conn)

    def build_one(code: str, report: ChainReport) -> pd.DataFrame:
        pos = visible_positions(report, principal, level=level)
        pts = report.risk.points.iloc[pos]
        src = report.risk.source
        ids = point_ids(pts, src.segment_codes(), src.ctx.data.links.products)
        return pd.DataFrame(
            {
                "chain": code,
                "position": pos,
                "rank": pts["level"].map(_LEVEL_RANK).to_numpy(dtype=np.int64),
                "score": pts["score"].to_numpy(dtype=np.float64),
                "id": ids,
            }
        )

    def build_all() -> RiskIndex:
        reports = {code: cached_report(ctx, conn, code, where["code"]) for code in codes}
        parts = [
            ctx.cache.get_or_build(
                ("risk-index", code, where["code"], variant, level, version),
                partial(build_one, code, reports[code]),
            )
            for code in codes
        ]
        if not parts:
            empty = pd.DataFrame(columns=["chain", "position", "rank", "score", "id"])
            return RiskIndex(empty, reports)
        both: pd.DataFrame = pd.concat(parts, ignore_index=True)
        both["neg_score"] = -both["score"]
        both = both.sort_values(["rank", "neg_score", "chain", "id"], kind="stable")
        return RiskIndex(both.drop(columns="neg_score").reset_index(drop=True), reports)

    key = ("risk-list", tuple(codes), where["code"], variant, level, version)
    index: RiskIndex = ctx.cache.get_or_build(key, build_all)
    return where, codes, index


def risk_page(
    conn: sa.Connection,
    principal: Principal,
    index: RiskIndex,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Return the risk rows of one page of ``index`` (see :func:`risk_index`), in order."""
    rows_of = index.rows
    page = rows_of.iloc[offset:] if limit is None else rows_of.iloc[offset : offset + limit]
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for code, part in page.groupby("chain", sort=False):
        report = index.reports[str(code)]
        positions = part["position"].to_numpy(dtype=np.int64)
        for p, row in zip(positions, risk_rows(conn, report, principal, positions), strict=True):
            rows[(str(code), int(p))] = row
    return [
        rows[(str(c), int(p))]
        for c, p in zip(page["chain"].to_numpy(), page["position"].to_numpy(), strict=True)
    ]


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
    where, codes, index = risk_index(ctx, conn, principal, chain=chain, region=region, level=level)
    return {
        "region": {"code": where["code"], "name": where["name_zh"], "name_en": where["name_en"]},
        "chains": codes,
        "level": level,
        "total": len(index.rows),
        "offset": offset,
        "limit": limit,
        "data": risk_page(conn, principal, index, offset=offset, limit=limit),
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
