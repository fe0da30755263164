"""The lists (清单) and the graph (图) of a chain report, built from profile and risks.

:func:`report_graph` (segments as nodes with status and worst risk level, supply edges
with their local value), :func:`key_enterprises` (chain owners and segment leaders),
:func:`gap_list` (missing and weak segments with attraction targets) and
:func:`merged_countermeasures` (every risk point's countermeasures merged by kind and
segment). Used by :mod:`chainatlas.services.chain_report`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from chainatlas.analytics.chainmap import TIER_REGION, countermeasure_text
from chainatlas.analytics.chainmap._sorting import unique_first
from chainatlas.services.chain_context import ChainContext
from chainatlas.services.chain_profile import ChainProfile
from chainatlas.services.risk_points import COUNTERMEASURE_KINDS, point_ids
from chainatlas.services.supply_risk import RiskAnalysis

__all__ = ["gap_list", "key_enterprises", "merged_countermeasures", "report_graph"]

_LEVELS = ("high", "medium", "low")
IntArray = npt.NDArray[np.int64]


def report_graph(
    report_profile: ChainProfile, risk: RiskAnalysis, ctx: ChainContext
) -> dict[str, Any]:
    """Return the chain graph: nodes with status and worst risk, edges with local flows."""
    d = ctx.data
    pts = risk.points
    worst: dict[int, str] = {}
    counts: dict[int, dict[str, int]] = {}
    for lvl in reversed(_LEVELS):
        segs = pts.loc[pts["level"] == lvl, "segment"].to_numpy()
        for s in np.unique(segs):
            worst[int(s)] = lvl
        for s, n in zip(*np.unique(segs, return_counts=True), strict=True):
            counts.setdefault(int(s), {})[lvl] = int(n)
    nodes = []
    for i, s in enumerate(report_profile.segments):
        nodes.append(
            {
                "id": s.id,
                "name": s.name,
                "name_en": s.name_en,
                "position": s.position,
                "order": d.order.index(s.id),
                "status": s.status,
                "risk": worst.get(i, "none"),
                "risk_points": counts.get(i, {}),
                "enterprises": s.enterprises,
                "output": s.output,
                "lq": s.lq,
                "choke_point": s.choke_point,
                "importance": s.importance,
            }
        )
    lk = d.links
    n_seg = d.n_segments
    local = (ctx.l_sup_tier == TIER_REGION) & (ctx.l_buy_tier == TIER_REGION)
    bseg = ctx.primary[lk.buyer]
    # one pass over the links: count and local value per (supplier segment, buyer segment)
    key = np.where(bseg >= 0, lk.segment * n_seg + bseg, n_seg * n_seg)
    n_links = np.bincount(key, minlength=n_seg * n_seg + 1)
    local_value = np.bincount(
        key, weights=np.where(local, np.nan_to_num(lk.value), 0.0), minlength=n_seg * n_seg + 1
    )
    edges = [
        {
            "source": d.segments[a]["code"],
            "target": d.segments[b]["code"],
            "input_class": c,
            "local_value": float(local_value[a * n_seg + b]),
            "links": int(n_links[a * n_seg + b]),
        }
        for a, b, c in d.edges
    ]
    return {"nodes": nodes, "edges": edges, "cycle": d.cycle}


def key_enterprises(p: ChainProfile) -> list[dict[str, Any]]:
    """Return the chain owners and segment leaders, each once, with their role."""
    out: dict[int, dict[str, Any]] = {}
    for o in p.owners:
        out[o["id"]] = {
            "id": o["id"],
            "name": o["name"],
            "role": "chain_owner",
            "segment": o["segment"],
            "output": o["output"],
            "segments_spanned": o["segments_spanned"],
        }
    for s in p.segments:
        for ld in s.leaders:
            if ld["id"] in out:
                if out[ld["id"]]["role"] == "chain_owner":
                    out[ld["id"]]["role"] = "chain_owner+leader"
                continue
            out[ld["id"]] = {
                "id": ld["id"],
                "name": ld["name"],
                "role": "leader",
                "segment": s.id,
                "output": ld["output"],
                "segments_spanned": None,
            }
    return list(out.values())


def _first_per_segment(mask: npt.NDArray[np.bool_], segment: IntArray) -> IntArray:
    """Return, per segment with a masked point, the rank position of its best one."""
    at = np.flatnonzero(mask)
    _segs, first = unique_first(segment[at])
    out: IntArray = at[first]
    return out


def gap_list(conn: sa.Connection, p: ChainProfile, risk: RiskAnalysis) -> list[dict[str, Any]]:
    """Return the missing and weak segments, missing first, with attraction targets."""
    targets: dict[str, list[dict[str, Any]]] = {}
    pts, src = risk.points, risk.source
    if len(pts):
        # attraction targets of a gap: those of its best-ranked point that names some
        has = src.masks()["attract_investment"] & (pts["targets_any"].to_numpy() > 0)
        for point in risk.select(conn, _first_per_segment(has, pts["segment"].to_numpy())):
            for c in point.countermeasures:
                if c.kind == "attract_investment" and c.targets:
                    targets[point.segment] = list(c.targets)
    out: list[dict[str, Any]] = []
    for s in p.segments:
        if s.status not in {"missing", "weak"}:
            continue
        names = (s.name, s.name_en)
        text = countermeasure_text(
            "attract_investment", segment=names, names=[t["name"] for t in targets.get(s.id, [])]
        )
        out.append(
            {
                "segment": s.id,
                "name": s.name,
                "name_en": s.name_en,
                "status": s.status,
                "importance": s.importance,
                "choke_point": s.choke_point,
                "enterprises": s.enterprises,
                "lq": s.lq,
                "zh": f"{s.reason.zh}{text.zh}",
                "en": f"{s.reason.en} {text.en}",
                "targets": targets.get(s.id, []),
            }
        )
    out.sort(key=lambda g: (g["status"] != "missing", -float(g["importance"]), str(g["segment"])))
    return out


_RISK_IDS = 50  # risk point ids listed per countermeasure


def merged_countermeasures(conn: sa.Connection, risk: RiskAnalysis) -> list[dict[str, Any]]:
    """Merge the countermeasures of every risk point by (kind, segment).

    Each entry counts its points, takes the worst level among them, and the sentence and
    targets of its best-ranked point (points are in rank order, worst level first).
    """
    rank = {"high": 0, "medium": 1, "low": 2}
    pts, src = risk.points, risk.source
    if not len(pts):
        return []
    masks = src.masks()
    seg = pts["segment"].to_numpy()
    codes = src.segment_codes()
    products = src.ctx.data.links.products
    merged: list[dict[str, Any]] = []
    for kind in COUNTERMEASURE_KINDS:
        at = np.flatnonzero(masks[kind])
        if not len(at):
            continue
        firsts = _first_per_segment(masks[kind], seg)
        counts = np.bincount(seg[at], minlength=len(codes))
        for pos, point in zip(firsts, risk.select(conn, firsts), strict=True):
            c = next(c for c in point.countermeasures if c.kind == kind)
            mine = at[seg[at] == seg[pos]][:_RISK_IDS]
            merged.append(
                {
                    "kind": kind,
                    "segment": c.segment,
                    "level": point.level,
                    "risk_points": int(counts[seg[pos]]),
                    "zh": c.text.zh,
                    "en": c.text.en,
                    "targets": list(c.targets),
                    "risk_ids": point_ids(pts.iloc[mine], codes, products),
                }
            )
    out = sorted(
        merged,
        key=lambda m: (rank[m["level"]], -m["risk_points"], m["segment"], m["kind"]),
    )
    for i, m in enumerate(out, 1):
        m["rank"] = i
    return out
