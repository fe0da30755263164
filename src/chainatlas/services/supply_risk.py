"""Broken-chain risk points of a chain in a region, with reasons and countermeasures.

``supply_risks(conn, "nev", "330000")`` returns a :class:`RiskAnalysis`: one risk point
per (segment, product, local buyer) input, plus one per segment whose local buyers get
nothing from local suppliers. Every point carries its measures as numbers, its reasons
in words (Chinese and English), ranked countermeasures and the link and enterprise ids
behind it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa

from chainatlas.analytics.chainmap import (
    TIER_COUNTRY,
    TIER_REGION,
    Text,
    dependence_weights,
    downstream_exposure,
    input_risk_measures,
    score_risks,
)
from chainatlas.analytics.chainmap._sorting import group_codes, member_of, unique_first
from chainatlas.services.chain_context import (
    AnalysisOptions,
    ChainContext,
    prepare,
    shared_data,
)
from chainatlas.services.chain_profile import ChainProfile, profile_from
from chainatlas.services.risk_points import Countermeasure, RiskPoint, RiskPointSource

__all__ = [
    "Countermeasure",
    "RiskAnalysis",
    "RiskPoint",
    "risks_from",
    "supply_risks",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
_LEVEL_RANK = {"high": 0, "medium": 1, "low": 2}


@dataclass(slots=True)
class RiskAnalysis:
    """All risk points of a chain in a region, ranked worst first.

    ``points`` holds every point as one row (measures, findings, score, level), in rank
    order; ``items`` are the first ``limit`` of them as :class:`RiskPoint` objects.
    :meth:`select` makes the objects of any other rows on demand (a segment's points, a
    page of a filtered list).
    """

    chain: dict[str, Any]
    region: dict[str, Any]
    rule: dict[str, Any]
    points: pd.DataFrame = field(repr=False)
    items: list[RiskPoint]
    warnings: list[Text]
    source: RiskPointSource = field(repr=False)

    @property
    def summary(self) -> dict[str, Any]:
        """Counts of risk points by level and by finding."""
        p = self.points
        return {
            "points": len(p),
            "listed": len(self.items),
            "high": int((p["level"] == "high").sum()),
            "medium": int((p["level"] == "medium").sum()),
            "low": int((p["level"] == "low").sum()),
            "single_source": int(p["single_source"].sum()),
            "no_local_supply": int(p["no_local_supply"].sum()),
            "foreign_dependent": int(p["foreign_dependent"].sum()),
        }

    def positions(
        self,
        *,
        level: str | None = None,
        segment: str | None = None,
        buyer: int | None = None,
        scope: str | None = None,
    ) -> IntArray:
        """Return the rank positions of the points matching every filter given.

        ``segment`` is a segment code, ``buyer`` an enterprise id, ``scope`` ``"input"``
        or ``"segment"``.
        """
        p = self.points
        keep = np.ones(len(p), dtype=bool)
        if level is not None:
            keep &= (p["level"] == level).to_numpy()
        if segment is not None:
            codes = self.source.segment_codes()
            at = codes.index(segment) if segment in codes else -1
            keep &= p["segment"].to_numpy() == at
        if buyer is not None:
            keep &= p["buyer"].to_numpy() == int(buyer)
        if scope is not None:
            keep &= (p["scope"] == scope).to_numpy()
        out: IntArray = np.flatnonzero(keep).astype(np.int64)
        return out

    def select(
        self,
        conn: sa.Connection,
        positions: IntArray | list[int] | None = None,
        *,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[RiskPoint]:
        """Return the points at ``positions`` (default: all), ``offset`` and ``limit`` applied.

        Points already made (the listed ones among them) are reused; the others are made
        from ``points`` (reading the names they show through ``conn``).
        """
        pos = np.arange(len(self.points)) if positions is None else np.asarray(positions)
        pos = pos[offset:] if limit is None else pos[offset : offset + limit]
        return self.source.get(conn, pos)

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"chain", "region", "rule", "summary", "risks", "warnings"}``."""
        return {
            "chain": self.chain,
            "region": self.region,
            "rule": self.rule,
            "summary": self.summary,
            "risks": [r.to_dict() for r in self.items],
            "warnings": [w.to_dict() for w in self.warnings],
        }


def _capable(ctx: ChainContext) -> tuple[IntArray, IntArray, IntArray]:
    """Return unique memberships (keys ent·S + seg, sorted), their tiers and counts.

    Counts per segment, shape (S, 5): capable enterprises within the region, the
    cooperation area and the country (cumulative), everywhere, and in the country
    outside the region (where attraction targets come from).
    """
    d = ctx.data
    n_seg = max(d.n_segments, 1)
    keys, first = unique_first(d.m_ent * n_seg + d.m_seg)
    tiers = ctx.m_tier[first]
    seg = keys % n_seg
    cap = np.zeros((d.n_segments, 5), dtype=np.int64)
    for t in range(3):
        cap[:, t] = np.bincount(seg[tiers <= t], minlength=d.n_segments)
    cap[:, 3] = np.bincount(seg, minlength=d.n_segments)
    cap[:, 4] = cap[:, TIER_COUNTRY] - cap[:, TIER_REGION]
    return keys, tiers, cap


def _others(
    group: IntArray,
    supplier: IntArray,
    capable: BoolArray,
    tier: IntArray,
    group_segment: IntArray,
    buyer_capable: BoolArray,
    cap: IntArray,
    n_enterprises: int,
) -> tuple[IntArray, IntArray]:
    """Count, per risk point, the capable enterprises that are not its suppliers or buyer.

    Returns ``(anywhere, in the country outside the region)``: whether alternative
    suppliers and attraction targets exist (the objects name the best of them). Each
    supplier counts once per point, however many links it has.
    """
    n = len(group_segment)
    pairs, first = unique_first(group * (n_enterprises + 1) + supplier)
    g = pairs // (n_enterprises + 1)
    ok = capable[first]
    domestic = ok & (tier[first] > TIER_REGION) & (tier[first] <= TIER_COUNTRY)
    anywhere = cap[group_segment, 3] - np.bincount(g[ok], minlength=n) - buyer_capable
    outside = cap[group_segment, 4] - np.bincount(g[domestic], minlength=n)
    return anywhere.astype(np.int64), outside.astype(np.int64)


def _edge_class(ctx: ChainContext) -> npt.NDArray[np.int8]:
    n_seg = ctx.data.n_segments
    cls = np.zeros((n_seg, n_seg), dtype=np.int8)
    code = {"irrelevant": 1, "non_essential": 2, "essential": 3}
    for a, b, c in ctx.data.edges:
        cls[a, b] = code.get(c, 3)
    return cls


def _point_frames(
    ctx: ChainContext, profile: ChainProfile, capable: tuple[IntArray, IntArray, IntArray]
) -> tuple[pd.DataFrame, IntArray, IntArray]:
    """Return the risk points (unsorted), and link positions with their point of each.

    ``capable`` is what :func:`_capable` returns for ``ctx``.
    """
    d, ents, rule = ctx.data, ctx.ents, ctx.options.rule
    lk = d.links
    n_seg = d.n_segments
    n_prod = max(len(lk.products), 1)
    keys, _tiers, cap = capable
    area = ctx.shared.regions.area[ents.region[lk.supplier]]
    sup_capable = member_of(lk.supplier * max(n_seg, 1) + lk.segment, keys)
    choke = np.array([bool(s["choke_point"]) for s in d.segments], dtype=bool)
    eclass = _edge_class(ctx)
    present = np.array([s.status != "missing" for s in profile.segments], dtype=bool)

    # -- input risk points: (buyer, segment, product) of local buyers ------------------
    idx = np.flatnonzero(ctx.l_buy_tier == TIER_REGION)
    key = (lk.buyer[idx] * n_seg + lk.segment[idx]) * n_prod + lk.product[idx]
    uniq, inv = group_codes(key)
    g_buyer, g_seg, g_prod = uniq // (n_seg * n_prod), (uniq // n_prod) % n_seg, uniq % n_prod
    b_capable = member_of(g_buyer * n_seg + g_seg, keys)
    m = input_risk_measures(
        inv,
        lk.value[idx],
        ctx.l_sup_tier[idx],
        area[idx],
        sup_capable[idx],
        g_seg,
        b_capable,
        cap[:, :3],
        n_groups=len(uniq),
    )
    m["alternatives_any"], m["targets_any"] = _others(
        inv,
        lk.supplier[idx],
        sup_capable[idx],
        ctx.l_sup_tier[idx],
        g_seg,
        b_capable,
        cap,
        ents.size,
    )
    prim = ctx.primary[g_buyer]
    m["choke_point"] = choke[g_seg]
    m["essential"] = (prim >= 0) & (eclass[g_seg, np.maximum(prim, 0)] == 3)
    m["no_local_supply"] = False
    m["scope"] = "input"
    m["segment"], m["product"], m["buyer"] = g_seg, g_prod, g_buyer

    # -- segment risk points: local buyers get none of the segment locally -------------
    seg_of = lk.segment[idx]
    local_sup = ctx.l_sup_tier[idx] == TIER_REGION
    bought = np.bincount(seg_of, minlength=n_seg) > 0
    from_local = np.bincount(seg_of[local_sup], minlength=n_seg) > 0
    feeds_local = np.zeros(n_seg, dtype=bool)
    essential_to_local = np.zeros(n_seg, dtype=bool)
    for a, b, c in d.edges:
        if present[b] and c != "irrelevant":
            feeds_local[a] = True
            essential_to_local[a] |= c == "essential"
    demand = bought | feeds_local
    # no local supply recorded: no local member, or local buyers buy it only from outside
    flagged = np.flatnonzero(demand & ~from_local & (~present | bought))
    spos = np.full(n_seg, -1, dtype=np.int64)
    spos[flagged] = np.arange(len(flagged))
    in_flag = spos[seg_of] >= 0
    sl = idx[in_flag]
    pair_keys, pinv = group_codes(spos[lk.segment[sl]] * (ents.size + 1) + lk.supplier[sl])
    pv = np.bincount(pinv, weights=np.nan_to_num(lk.value[sl]), minlength=len(pair_keys))
    pnan = np.bincount(pinv, weights=np.isnan(lk.value[sl]), minlength=len(pair_keys)) > 0
    psup = pair_keys % (ents.size + 1)
    pg = pair_keys // (ents.size + 1)
    p_capable = member_of(psup * max(n_seg, 1) + flagged[pg], keys)
    no_buyer = np.zeros(len(flagged), dtype=bool)
    sm = input_risk_measures(
        pg,
        np.where(pnan, np.nan, pv),
        ctx.tier_of(psup),
        ctx.shared.regions.area[ents.region[psup]],
        p_capable,
        flagged,
        no_buyer,
        cap[:, :3],
        n_groups=len(flagged),
    )
    sm["alternatives_any"], sm["targets_any"] = _others(
        pg, psup, p_capable, ctx.tier_of(psup), flagged, no_buyer, cap, ents.size
    )
    sm["choke_point"] = choke[flagged]
    sm["essential"] = essential_to_local[flagged]
    sm["no_local_supply"] = True
    sm["scope"] = "segment"
    sm["segment"], sm["product"], sm["buyer"] = flagged, -1, -1

    points = pd.concat([sm, m], ignore_index=True)
    scores = score_risks(points, rule)
    for col in scores.columns:
        points[col] = scores[col].array
    # exposure: local output depending on the buyer, directly and downstream
    n = ents.size + 1
    x_local = np.where(ctx.tier_by_id == TIER_REGION, np.nan_to_num(ents.output), 0.0)
    w = dependence_weights(lk.buyer, lk.value, lk.share, n)
    e = downstream_exposure(lk.supplier, lk.buyer, w, x_local, hops=ctx.options.exposure_hops)
    buyers = points["buyer"].to_numpy()
    seg_out = profile.table["output"].to_numpy()
    seg_exp = np.zeros(n_seg)
    # segment points: the local output of the segments it feeds
    for a, b, c in d.edges:
        if c != "irrelevant":
            seg_exp[a] += np.nan_to_num(seg_out[b])
    points["exposure"] = np.where(
        buyers >= 0, e[np.maximum(buyers, 0)], seg_exp[points["segment"].to_numpy()]
    )
    points["buyer_output"] = np.where(buyers >= 0, ents.output[np.maximum(buyers, 0)], np.nan)
    if ctx.basis == "count":
        points["exposure"] = np.nan
    # link positions per point, for tracing
    link_pos = np.concatenate([sl, idx])
    link_point = np.concatenate([spos[lk.segment[sl]], inv + len(flagged)]).astype(np.int64)
    return points, link_pos, link_point


def _rank(points: pd.DataFrame) -> npt.NDArray[np.int64]:
    lvl = points["level"].map(_LEVEL_RANK).to_numpy(dtype=np.int64)
    exp = np.nan_to_num(points["exposure"].to_numpy(dtype=np.float64), nan=0.0)
    order = np.lexsort(
        (
            points["product"].to_numpy(),
            points["buyer"].to_numpy(),
            points["segment"].to_numpy(),
            -exp,
            -points["score"].to_numpy(),
            lvl,
        )
    )
    return order.astype(np.int64)


def risks_from(
    conn: sa.Connection,
    ctx: ChainContext,
    profile: ChainProfile,
    *,
    limit: int | None = None,
) -> RiskAnalysis:
    """Compute every risk point of a prepared chain and list the top ``limit`` of them.

    ``limit=None`` lists every point; the counts in ``summary`` always cover all, and
    :meth:`RiskAnalysis.select` makes any other point when asked.
    """
    capable = _capable(ctx)
    points, link_pos, link_point = _point_frames(ctx, profile, capable)
    order = _rank(points)
    points = points.iloc[order].reset_index(drop=True)
    remap = np.empty(len(order), dtype=np.int64)
    remap[order] = np.arange(len(order))
    link_point = remap[link_point] if len(link_point) else link_point
    sort = np.argsort(link_point, kind="stable")
    link_pos, link_point = link_pos[sort], link_point[sort]
    bounds = np.searchsorted(link_point, np.arange(len(points) + 1))
    shown = len(points) if limit is None else min(limit, len(points))
    source = RiskPointSource(ctx, points, link_pos, bounds, capable[0], capable[1])
    return RiskAnalysis(
        chain={k: ctx.data.chain[k] for k in ("code", "name_zh", "name_en")},
        region=ctx.scope.to_dict(),
        rule=asdict(ctx.options.rule),
        points=points,
        items=source.get(conn, range(shown)),
        warnings=ctx.warnings,
        source=source,
    )


def supply_risks(
    conn: sa.Connection,
    chain: str,
    region: str | None = None,
    options: AnalysisOptions | None = None,
    *,
    limit: int | None = None,
) -> RiskAnalysis:
    """Compute the broken-chain risk points of ``chain`` in ``region``.

    Raises
    ------
    ChainNotFound, RegionNotFound
        When the chain or the region does not exist.
    AnalysisError
        When the chain has no segments.
    """
    shared = shared_data(conn, region, options)
    ctx = prepare(conn, chain, shared)
    return risks_from(conn, ctx, profile_from(conn, ctx), limit=limit)
