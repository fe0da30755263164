"""Broken-chain risk points of a chain in a region, with reasons and countermeasures.

``supply_risks(conn, "nev", "330000")`` returns a :class:`RiskAnalysis`: one risk point
per (segment, product, local buyer) input, plus one per segment whose local buyers get
nothing from local suppliers. Every point carries its measures as numbers, its reasons
in words (Chinese and English), ranked countermeasures and the link and enterprise ids
behind it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa

from chainatlas.analytics.chainmap import (
    REASON_CODES,
    TIER_COUNTRY,
    TIER_REGION,
    Text,
    countermeasure_text,
    dependence_weights,
    downstream_exposure,
    input_risk_measures,
    risk_reasons,
    score_risks,
)
from chainatlas.services.chain_context import (
    AnalysisOptions,
    ChainContext,
    prepare,
    shared_data,
)
from chainatlas.services.chain_profile import ChainProfile, profile_from

__all__ = [
    "Countermeasure",
    "RiskAnalysis",
    "RiskPoint",
    "risks_from",
    "supply_risks",
]

IntArray = npt.NDArray[np.int64]
_TIER_NAMES = ("region", "cooperation_area", "country", "abroad", "unknown")
_LEVEL_RANK = {"high": 0, "medium": 1, "low": 2}


def _num(x: Any) -> float | None:
    if x is None:
        return None
    f = float(x)
    return None if math.isnan(f) else f


@dataclass(frozen=True, slots=True)
class Countermeasure:
    """One proposed action with its sentence and ranked target enterprises."""

    kind: str
    segment: str
    text: Text
    targets: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"kind", "segment", "zh", "en", "targets"}``."""
        return {
            "kind": self.kind,
            "segment": self.segment,
            "zh": self.text.zh,
            "en": self.text.en,
            "targets": list(self.targets),
        }


@dataclass(frozen=True, slots=True)
class RiskPoint:
    """One risk point: what, how risky, why, what to do, and the data behind it."""

    id: str
    scope: str
    segment: str
    segment_name: str
    segment_name_en: str
    product: str
    buyer: dict[str, Any] | None
    level: str
    score: float
    reasons: tuple[Text, ...]
    measures: dict[str, Any]
    countermeasures: tuple[Countermeasure, ...]
    trace: dict[str, Any]
    quality: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape of a risk point."""
        return {
            "id": self.id,
            "scope": self.scope,
            "segment": self.segment,
            "segment_name": self.segment_name,
            "segment_name_en": self.segment_name_en,
            "product": self.product,
            "buyer": self.buyer,
            "level": self.level,
            "score": self.score,
            "reasons": [r.to_dict() for r in self.reasons],
            "measures": self.measures,
            "countermeasures": [c.to_dict() for c in self.countermeasures],
            "trace": self.trace,
            "quality": self.quality,
        }


@dataclass(slots=True)
class RiskAnalysis:
    """All risk points of a chain in a region; ``items`` are the listed ones, ranked."""

    chain: dict[str, Any]
    region: dict[str, Any]
    rule: dict[str, Any]
    points: pd.DataFrame = field(repr=False)
    items: list[RiskPoint]
    warnings: list[Text]

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


def _capable(ctx: ChainContext) -> tuple[IntArray, IntArray, npt.NDArray[np.int64]]:
    """Return unique memberships (keys ent·S + seg, sorted), their tiers, tier counts."""
    d = ctx.data
    n_seg = max(d.n_segments, 1)
    keys, first = np.unique(d.m_ent * n_seg + d.m_seg, return_index=True)
    tiers = ctx.m_tier[first]
    seg = keys % n_seg
    cap = np.zeros((d.n_segments, 3), dtype=np.int64)
    for t in range(3):
        cap[:, t] = np.bincount(seg[tiers <= t], minlength=d.n_segments)
    return keys, tiers, cap


def _edge_class(ctx: ChainContext) -> npt.NDArray[np.int8]:
    n_seg = ctx.data.n_segments
    cls = np.zeros((n_seg, n_seg), dtype=np.int8)
    code = {"irrelevant": 1, "non_essential": 2, "essential": 3}
    for a, b, c in ctx.data.edges:
        cls[a, b] = code.get(c, 3)
    return cls


def _point_frames(
    ctx: ChainContext, profile: ChainProfile
) -> tuple[pd.DataFrame, IntArray, IntArray]:
    """Return the risk points (unsorted), and link positions with their point of each."""
    d, ents, rule = ctx.data, ctx.ents, ctx.options.rule
    lk = d.links
    n_seg = d.n_segments
    n_prod = max(len(lk.products), 1)
    keys, _tiers, cap = _capable(ctx)
    area = ctx.shared.regions.area[ents.region[lk.supplier]]
    sup_capable = np.isin(lk.supplier * max(n_seg, 1) + lk.segment, keys)
    choke = np.array([bool(s["choke_point"]) for s in d.segments], dtype=bool)
    eclass = _edge_class(ctx)
    present = np.array([s.status != "missing" for s in profile.segments], dtype=bool)

    # -- input risk points: (buyer, segment, product) of local buyers ------------------
    idx = np.flatnonzero(ctx.l_buy_tier == TIER_REGION)
    key = (lk.buyer[idx] * n_seg + lk.segment[idx]) * n_prod + lk.product[idx]
    uniq, inv = np.unique(key, return_inverse=True)
    inv = inv.reshape(-1)
    g_buyer, g_seg, g_prod = uniq // (n_seg * n_prod), (uniq // n_prod) % n_seg, uniq % n_prod
    m = input_risk_measures(
        inv,
        lk.value[idx],
        ctx.l_sup_tier[idx],
        area[idx],
        sup_capable[idx],
        g_seg,
        np.isin(g_buyer * n_seg + g_seg, keys),
        cap,
        n_groups=len(uniq),
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
    pair = np.unique(spos[lk.segment[sl]] * (ents.size + 1) + lk.supplier[sl], return_inverse=True)
    pair_keys, pinv = pair[0], pair[1].reshape(-1)
    pv = np.bincount(pinv, weights=np.nan_to_num(lk.value[sl]), minlength=len(pair_keys))
    pnan = np.bincount(pinv, weights=np.isnan(lk.value[sl]), minlength=len(pair_keys)) > 0
    psup = pair_keys % (ents.size + 1)
    pg = pair_keys // (ents.size + 1)
    sm = input_risk_measures(
        pg,
        np.where(pnan, np.nan, pv),
        ctx.tier_of(psup),
        ctx.shared.regions.area[ents.region[psup]],
        np.isin(psup * max(n_seg, 1) + flagged[pg], keys),
        flagged,
        np.zeros(len(flagged), dtype=bool),
        cap,
        n_groups=len(flagged),
    )
    sm["choke_point"] = choke[flagged]
    sm["essential"] = essential_to_local[flagged]
    sm["no_local_supply"] = True
    sm["scope"] = "segment"
    sm["segment"], sm["product"], sm["buyer"] = flagged, -1, -1

    points = pd.concat([sm, m], ignore_index=True)
    scores = score_risks(points, rule)
    for col in scores.columns:
        points[col] = scores[col].to_numpy()
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
    link_point = np.concatenate([pg, inv + len(flagged)]).astype(np.int64)
    return points, link_pos, link_point


def _rank(points: pd.DataFrame) -> npt.NDArray[np.int64]:
    lvl = points["level"].map(_LEVEL_RANK).to_numpy()
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

    ``limit=None`` lists every point; the counts in ``summary`` always cover all.
    """
    points, link_pos, link_point = _point_frames(ctx, profile)
    order = _rank(points)
    points = points.iloc[order].reset_index(drop=True)
    remap = np.empty(len(order), dtype=np.int64)
    remap[order] = np.arange(len(order))
    link_point = remap[link_point] if len(link_point) else link_point
    sort = np.argsort(link_point, kind="stable")
    link_pos, link_point = link_pos[sort], link_point[sort]
    bounds = np.searchsorted(link_point, np.arange(len(points) + 1))
    shown = len(points) if limit is None else min(limit, len(points))
    items = _materialise(conn, ctx, points, link_pos, bounds, shown)
    return RiskAnalysis(
        chain={k: ctx.data.chain[k] for k in ("code", "name_zh", "name_en")},
        region=ctx.scope.to_dict(),
        rule=asdict(ctx.options.rule),
        points=points,
        items=items,
        warnings=ctx.warnings,
    )


def _pools(ctx: ChainContext) -> list[IntArray]:
    """Capable enterprises of each segment, best alternatives first (tier, output, id)."""
    d, ents = ctx.data, ctx.ents
    n_seg = max(d.n_segments, 1)
    keys, tiers, _cap = _capable(ctx)
    ent, seg = keys // n_seg, keys % n_seg
    out = np.nan_to_num(ents.output[ent], nan=-1.0)
    order = np.lexsort((ent, -out, tiers, seg))
    ent, seg = ent[order], seg[order]
    return np.split(ent, np.searchsorted(seg, np.arange(1, d.n_segments)))


def _materialise(
    conn: sa.Connection,
    ctx: ChainContext,
    points: pd.DataFrame,
    link_pos: IntArray,
    bounds: IntArray,
    shown: int,
) -> list[RiskPoint]:
    d, ents, rule, lk = ctx.data, ctx.ents, ctx.options.rule, ctx.data.links
    pools = _pools(ctx)
    rows: list[dict[str, Any]] = [
        {str(k): v for k, v in row.items()} for row in points.iloc[:shown].to_dict("records")
    ]
    plans: list[tuple[list[int], list[int], list[int]]] = []
    want: set[int] = set()
    for i, r in enumerate(rows):
        lp = link_pos[bounds[i] : bounds[i + 1]]
        sups = sorted({int(s) for s in lk.supplier[lp]})
        exclude = set(sups) | {int(r["buyer"])}
        pool = pools[int(r["segment"])]
        alts: list[int] = []
        for e in pool:
            if int(e) not in exclude:
                alts.append(int(e))
                if len(alts) >= rule.alternatives:
                    break
        # attraction targets: capable enterprises outside the region, in the country
        targets: list[int] = []
        if r["alt_region"] == 0:
            tiers = ctx.tier_of(pool) if len(pool) else np.zeros(0, dtype=np.int64)
            for e, t in zip(pool, tiers, strict=True):
                if TIER_REGION < t <= TIER_COUNTRY and int(e) not in exclude:
                    targets.append(int(e))
                    if len(targets) >= rule.alternatives:
                        break
        plans.append((sups, alts, targets))
        want.update(sups, alts, targets)
        if r["buyer"] >= 0:
            want.add(int(r["buyer"]))
    ctx.label(conn, sorted(want))

    def target(e: int, rank: int) -> dict[str, Any]:
        lab = ctx.labels.get(e, {})
        tier = int(ctx.tier_of(np.array([e]))[0])
        return {
            "rank": rank,
            "id": e,
            "name": ctx.name(e),
            "region": lab.get("region_code"),
            "tier": _TIER_NAMES[tier],
            "output": _num(ents.output[e]),
        }

    items: list[RiskPoint] = []
    for i, r in enumerate(rows):
        seg = d.segments[int(r["segment"])]
        names = (str(seg["name_zh"]), str(seg["name_en"] or seg["code"]))
        product = lk.products[int(r["product"])] if r["product"] >= 0 else ""
        sups, alts, targets = plans[i]
        lp = link_pos[bounds[i] : bounds[i + 1]]
        techs = tuple(seg["choke_technologies"] or ())
        reasons = tuple(
            risk_reasons(
                r,
                r,
                segment=names,
                product=product,
                choke_technologies=techs,
                rule=rule,
                segment_level=r["scope"] == "segment",
            )
        )
        cms: list[Countermeasure] = []
        code = str(seg["code"])
        if alts and (
            r["single_source"]
            or r["concentrated"]
            or r["foreign_dependent"]
            or r["outside_dependent"]
            or r["no_local_supply"]
            or r["moderately_concentrated"]
        ):
            names_alt = [ctx.name(e) for e in alts]
            cms.append(
                Countermeasure(
                    "alternative_suppliers",
                    code,
                    countermeasure_text("alternative_suppliers", segment=names, names=names_alt),
                    tuple(target(e, k + 1) for k, e in enumerate(alts)),
                )
            )
        if r["single_source"] or r["concentrated"]:
            cms.append(
                Countermeasure(
                    "diversify",
                    code,
                    countermeasure_text("diversify", segment=names, product=product),
                )
            )
        if (r["outside_dependent"] or r["foreign_dependent"]) and r["alt_region"] > 0:
            cms.append(
                Countermeasure(
                    "localise",
                    code,
                    countermeasure_text("localise", segment=names, n_local=int(r["alt_region"])),
                )
            )
        if r["alt_region"] == 0 and (
            r["outside_dependent"]
            or r["no_local_supply"]
            or r["single_source"]
            or r["no_domestic_alternative"]
        ):
            cms.append(
                Countermeasure(
                    "attract_investment",
                    code,
                    countermeasure_text(
                        "attract_investment", segment=names, names=[ctx.name(e) for e in targets]
                    ),
                    tuple(target(e, k + 1) for k, e in enumerate(targets)),
                )
            )
        if r["choke_point"]:
            cms.append(
                Countermeasure(
                    "joint_rnd",
                    code,
                    countermeasure_text("joint_rnd", segment=names, technologies=techs),
                )
            )
        buyer = None
        if r["buyer"] >= 0:
            b = int(r["buyer"])
            buyer = {"id": b, "name": ctx.name(b), "output": _num(ents.output[b])}
        value_basis = str(r["value_basis"])
        measures = {
            "suppliers": int(r["suppliers"]),
            "single_source": bool(r["single_source"]),
            "hhi": _num(r["hhi"]),
            "outside_share": _num(r["outside_share"]),
            "foreign_share": _num(r["foreign_share"]),
            "geo_hhi": _num(r["geo_hhi"]),
            "choke_point": bool(r["choke_point"]),
            "essential": bool(r["essential"]),
            "alternatives": {
                "region": int(r["alt_region"]),
                "cooperation_area": int(r["alt_area"]),
                "country": int(r["alt_country"]),
            },
            "value": _num(r["value"]),
            "exposure": _num(r["exposure"]),
            "buyer_output": _num(r["buyer_output"]),
        }
        share_q = "count_basis" if value_basis == "count" else "ok"
        if int(r["suppliers"]) == 0:
            share_q = "no_data"
        quality = {
            "suppliers": "ok" if int(r["suppliers"]) else "no_links",
            "hhi": share_q,
            "outside_share": share_q,
            "foreign_share": share_q,
            "geo_hhi": share_q,
            "exposure": "no_data" if _num(r["exposure"]) is None else "ok",
        }
        pid = f"{code}|{product}|{r['buyer']}" if r["scope"] == "input" else f"{code}|*"
        items.append(
            RiskPoint(
                id=pid,
                scope=str(r["scope"]),
                segment=code,
                segment_name=names[0],
                segment_name_en=names[1],
                product=product,
                buyer=buyer,
                level=str(r["level"]),
                score=float(r["score"]),
                reasons=reasons,
                measures=measures,
                countermeasures=tuple(cms),
                trace={
                    "link_ids": sorted(int(x) for x in lk.id[lp]),
                    "supplier_ids": sups,
                    "segment_id": int(seg["id"]),
                    "findings": [c for c in REASON_CODES if r[c]],
                },
                quality=quality,
            )
        )
    return items


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
