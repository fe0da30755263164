"""What the attraction ranking needs to know about a region, computed once for all chains.

* existing ties: for every enterprise outside the region, the distinct local enterprises
  it sells to and buys from, and the yearly value of those links (every chain's links);
* relatedness: the density of each industry in the region (Hidalgo et al. 2007) on the
  matrix of :func:`~chainatlas.services._location_matrix.partition_matrix`;
* presence: whether a local enterprise's normalised name starts with the outside
  enterprise's normalised name (a branch or subsidiary under its name, e.g.
  "星海科技（杭州）有限公司" for "星海科技股份有限公司"); names shorter than four
  characters are not matched, to avoid false hits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from chainatlas.analytics.chainmap import TIER_REGION, Text
from chainatlas.analytics.relatedness import density, presence, proximity, rca
from chainatlas.errors import AnalysisError
from chainatlas.services._build_reads import enterprise_industries, enterprise_names, industry_table
from chainatlas.services._location_matrix import partition_matrix
from chainatlas.services.chain_context import SharedData

__all__ = ["RegionFacts", "region_facts"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_MIN_NAME = 4


@dataclass(slots=True)
class RegionFacts:
    """Arrays by enterprise id (last element: the default) and the industry densities."""

    tiers: IntArray
    sells_to: IntArray
    buys_from: IntArray
    tie_value: FloatArray
    industry: IntArray
    density_by_industry: FloatArray
    present: BoolArray
    present_id: IntArray
    industries: dict[int, dict[str, Any]]
    info: dict[str, Any] = field(default_factory=dict)
    warnings: list[Text] = field(default_factory=list)
    local_names: dict[int, str] = field(default_factory=dict)

    def present_as(self, eid: int) -> str | None:
        """Return the name of the local establishment of ``eid`` (None when there is none)."""
        lid = int(self.present_id[eid])
        return None if lid < 0 else self.local_names.get(lid, f"#{lid}")

    def describe(self) -> dict[str, Any]:
        """Return how relatedness was measured (scheme, basis, locations, industries)."""
        return dict(self.info)


def _ties(shared: SharedData) -> tuple[IntArray, IntArray, FloatArray]:
    ents, links, tiers = shared.enterprises, shared.links, shared.tiers
    assert ents is not None and links is not None and tiers is not None
    n = ents.size + 1
    local = tiers == TIER_REGION
    local[-1] = False
    sup = np.where((links.supplier >= 0) & (links.supplier < n - 1), links.supplier, n - 1)
    buy = np.where((links.buyer >= 0) & (links.buyer < n - 1), links.buyer, n - 1)
    value = np.nan_to_num(links.value)
    sells = local[buy] & ~local[sup] & (sup < n - 1)
    buys = local[sup] & ~local[buy] & (buy < n - 1)

    def distinct(a: IntArray, b: IntArray) -> IntArray:
        keys = np.unique(a * n + b)
        return np.bincount(keys // n, minlength=n).astype(np.int64)

    sells_to = distinct(sup[sells], buy[sells])
    buys_from = distinct(buy[buys], sup[buys])
    tie_value = np.bincount(sup[sells], weights=value[sells], minlength=n) + np.bincount(
        buy[buys], weights=value[buys], minlength=n
    )
    return sells_to, buys_from, tie_value.astype(np.float64)


def _presence(
    conn: sa.Connection, shared: SharedData, local: BoolArray
) -> tuple[BoolArray, IntArray]:
    n = len(local)
    ids, norms = enterprise_names(conn)
    keep = ids < n - 1
    ids, norms = ids[keep], norms[keep]
    is_local = local[ids]
    present = np.zeros(n, dtype=bool)
    present_id = np.full(n, -1, dtype=np.int64)
    loc_names, loc_ids = norms[is_local], ids[is_local]
    if len(loc_names) == 0:
        return present, present_id
    order = np.argsort(loc_names, kind="stable")
    loc_names, loc_ids = loc_names[order], loc_ids[order]
    out_ids, out_names = ids[~is_local], norms[~is_local]
    long_enough = np.char.str_len(out_names) >= _MIN_NAME
    out_ids, out_names = out_ids[long_enough], out_names[long_enough]
    if len(out_names) == 0:
        return present, present_id
    at = np.searchsorted(loc_names, out_names, side="left")
    inside = at < len(loc_names)
    hit = np.zeros(len(out_names), dtype=bool)
    hit[inside] = np.char.startswith(loc_names[at[inside]], out_names[inside])
    present[out_ids[hit]] = True
    present_id[out_ids[hit]] = loc_ids[at[hit]]
    return present, present_id


def _densities(
    conn: sa.Connection, shared: SharedData, industries: dict[int, dict[str, Any]]
) -> tuple[FloatArray, dict[str, Any], list[Text]]:
    size = max(industries, default=0) + 1
    out = np.full(size, np.nan)
    warnings: list[Text] = []
    try:
        m = partition_matrix(conn, shared.regions, shared.scope, year=shared.year)
        mcp = presence(rca(m.X))
        dens = density(mcp, proximity(mcp))
    except AnalysisError as err:
        warnings.append(
            Text(
                "relatedness_unavailable",
                f"无法计算产业关联度（{err.message}）：关联度不计入得分。",
                f"Relatedness could not be measured ({err.message}); it does not count in "
                "the scores.",
            )
        )
        return out, {"available": False, "reason": err.message}, warnings
    row = dens.loc[m.local]
    for code, value in row.items():
        out[m.col_ids[str(code)]] = float(value)
    if float(m.X.loc[m.local].sum()) == 0:
        warnings.append(
            Text(
                "relatedness_no_local_industry",
                "本地区企业没有行业分类：关联度均为0。",
                "No local enterprise has an industry: every relatedness is 0.",
            )
        )
    info = {
        "available": True,
        "scheme": m.scheme,
        "basis": m.basis,
        "locations": len(m.X.index),
        "industries": len(m.X.columns),
        "local_industries": int(mcp.loc[m.local].sum()),
    }
    return out, info, warnings


def region_facts(conn: sa.Connection, shared: SharedData) -> RegionFacts:
    """Compute ties, industries, relatedness and presence for the region of ``shared``.

    ``shared`` must come from ``shared_data(..., whole_database=True)``.
    """
    ents, tiers = shared.enterprises, shared.tiers
    assert ents is not None and tiers is not None
    sells_to, buys_from, tie_value = _ties(shared)
    industries = industry_table(conn)
    dens, info, warnings = _densities(conn, shared, industries)
    local = tiers == TIER_REGION
    local[-1] = False
    present, present_id = _presence(conn, shared, local)
    return RegionFacts(
        tiers=tiers,
        sells_to=sells_to,
        buys_from=buys_from,
        tie_value=tie_value,
        industry=enterprise_industries(conn, ents.size),
        density_by_industry=dens,
        present=present,
        present_id=present_id,
        industries=industries,
        info=info,
        warnings=warnings,
    )
