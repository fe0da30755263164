"""Attraction targets (以链招商): outside enterprises ranked for each weak or missing segment.

``attraction_targets(conn, "nev", "330000")`` returns a :class:`TargetReport`: for every
weak or missing segment of the chain in the region, the enterprises outside the region
that work in the segment, scored by
:func:`~chainatlas.analytics.chainbuild.target_scores` (product fit, scale, growth, existing
ties to local firms, relatedness of their industry to the region, absence from the
region), each with its reasons in both languages and the numbers behind them. With
``chain=None`` every chain is done, reading the store once. See docs/build-the-chain.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa

from chainatlas.analytics.chainbuild import TargetWeights, target_reasons, target_scores
from chainatlas.analytics.chainmap import TIER_REGION, Text
from chainatlas.errors import AnalysisError, InvalidData
from chainatlas.services._attraction_data import RegionFacts, region_facts
from chainatlas.services.chain_context import AnalysisOptions, SharedData, prepare, shared_data
from chainatlas.services.chain_profile import profile_from
from chainatlas.store import analysis_reads as ar

__all__ = ["SegmentTargets", "Target", "TargetReport", "attraction_targets"]

IntArray = npt.NDArray[np.int64]
TIER_NAMES = ("region", "cooperation_area", "country", "abroad", "unknown")
_COLUMNS = (
    "segment",
    "enterprise",
    "fit",
    "output",
    "growth",
    "partners",
    "relatedness",
    "present",
)


def _num(x: Any) -> float | None:
    if x is None:
        return None
    f = float(x)
    return None if math.isnan(f) or math.isinf(f) else f


@dataclass(frozen=True, slots=True)
class Target:
    """One ranked attraction target with its score, components, measures and reasons."""

    rank: int
    id: int
    name: str
    region: str | None
    region_name: str | None
    tier: str
    score: float
    components: dict[str, float]
    measures: dict[str, Any]
    reasons: tuple[Text, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape of a target."""
        return {
            "rank": self.rank,
            "id": self.id,
            "name": self.name,
            "region": self.region,
            "region_name": self.region_name,
            "tier": self.tier,
            "score": self.score,
            "components": self.components,
            "measures": self.measures,
            "reasons": [r.to_dict() for r in self.reasons],
        }


@dataclass(slots=True)
class SegmentTargets:
    """The targets of one weak or missing segment."""

    chain: str
    segment: str
    name: str
    name_en: str
    status: str
    status_reason: Text
    local_enterprises: int
    candidates: int
    targets: list[Target]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape of a segment and its targets."""
        return {
            "chain": self.chain,
            "segment": self.segment,
            "name": self.name,
            "name_en": self.name_en,
            "status": self.status,
            "status_reason": self.status_reason.to_dict(),
            "local_enterprises": self.local_enterprises,
            "candidates": self.candidates,
            "targets": [t.to_dict() for t in self.targets],
        }


@dataclass(slots=True)
class TargetReport:
    """Attraction targets for the weak and missing segments of one or more chains."""

    region: dict[str, Any]
    year: int | None
    weights: dict[str, float]
    relatedness: dict[str, Any]
    segments: list[SegmentTargets]
    warnings: list[Text] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"region", "year", "rules", "relatedness", "segments", "warnings"}``."""
        return {
            "region": self.region,
            "year": self.year,
            "rules": {"weights": self.weights},
            "relatedness": self.relatedness,
            "segments": [s.to_dict() for s in self.segments],
            "warnings": [w.to_dict() for w in self.warnings],
        }

    def rows(self) -> pd.DataFrame:
        """Return one row per target (the XLSX target list)."""
        out = []
        for s in self.segments:
            for t in s.targets:
                m = t.measures
                out.append(
                    {
                        "chain": s.chain,
                        "segment": s.segment,
                        "环节": s.name,
                        "status": s.status,
                        "rank": t.rank,
                        "enterprise": t.name,
                        "id": t.id,
                        "region": t.region,
                        "地区": t.region_name,
                        "tier": t.tier,
                        "score": t.score,
                        "fit": m["fit"],
                        "output": m["output"],
                        "growth": m["growth"],
                        "sells_to_local": m["sells_to"],
                        "buys_from_local": m["buys_from"],
                        "tie_value": m["tie_value"],
                        "relatedness": m["relatedness"],
                        "industry": m["industry_code"],
                        "present_as": m["present_as"],
                        "理由": "；".join(r.zh.rstrip("。") for r in t.reasons) + "。",
                        "reasons": " ".join(r.en for r in t.reasons),
                    }
                )
        return pd.DataFrame(out)

    def write_xlsx(self, path: str | Path) -> Path:
        """Write the target list, the segments and the rules as a workbook."""
        out = Path(path)
        segs = pd.DataFrame(
            [
                {
                    "chain": s.chain,
                    "segment": s.segment,
                    "环节": s.name,
                    "status": s.status,
                    "local enterprises": s.local_enterprises,
                    "candidates": s.candidates,
                    "listed": len(s.targets),
                    "状态说明": s.status_reason.zh,
                    "status reason": s.status_reason.en,
                }
                for s in self.segments
            ]
        )
        rules = pd.DataFrame(
            [{"weight": k, "value": v} for k, v in self.weights.items()]
            + [{"weight": f"relatedness.{k}", "value": v} for k, v in self.relatedness.items()]
        )
        with pd.ExcelWriter(out, engine="openpyxl") as xw:
            self.rows().to_excel(xw, sheet_name="targets 招商目标", index=False)
            segs.to_excel(xw, sheet_name="segments 环节", index=False)
            rules.to_excel(xw, sheet_name="rules 规则", index=False)
        return out


def _candidates(
    shared: SharedData, facts: RegionFacts, ctx: Any, positions: Sequence[int], group0: int
) -> pd.DataFrame:
    """Return the candidate rows of the chosen segment positions (groups from group0)."""
    d, ents = ctx.data, ctx.ents
    pick = np.zeros(max(d.n_segments, 1), dtype=np.int64) - 1
    for k, p in enumerate(positions):
        pick[p] = group0 + k
    mask = (pick[d.m_seg] >= 0) & (ctx.m_tier != TIER_REGION) if len(d.m_seg) else np.zeros(0, bool)
    e = d.m_ent[mask]
    x, x0 = ents.output[e], ents.output_prev[e]
    with np.errstate(invalid="ignore", divide="ignore"):
        growth = np.where((x0 > 0) & ~np.isnan(x), x / x0 - 1.0, np.nan)
    ind = facts.industry[e]
    dens = np.where(ind >= 0, facts.density_by_industry[np.maximum(ind, 0)], np.nan)
    return pd.DataFrame(
        {
            "segment": pick[d.m_seg[mask]],
            "enterprise": e,
            "fit": ctx.m_weight[mask],
            "output": x,
            "growth": growth,
            "partners": facts.sells_to[e] + facts.buys_from[e],
            "relatedness": dens,
            "present": facts.present[e],
        },
        columns=list(_COLUMNS),
    )


def attraction_targets(
    conn: sa.Connection,
    chain: str | Sequence[str] | None,
    region: str | None,
    *,
    segment: str | None = None,
    top: int = 10,
    statuses: Sequence[str] = ("weak", "missing"),
    weights: TargetWeights | None = None,
    options: AnalysisOptions | None = None,
) -> TargetReport:
    """Rank outside enterprises for the weak and missing segments of chains in a region.

    Parameters
    ----------
    chain
        A chain code, several, or None for every chain.
    region
        Region code or name, or a region group (cooperation area); None: the home country
        (then only enterprises abroad are outside).
    segment
        Only this segment (of any status).
    top
        Targets listed per segment.
    statuses
        Segment statuses that get targets.
    weights
        Weights of the fit score.
    options
        Analysis options (year, reference, thresholds).

    Raises
    ------
    ChainNotFound, RegionNotFound
        When a chain or the region does not exist.
    InvalidData
        When ``segment`` is not a segment of the chain, or ``top`` is below 1.
    AnalysisError
        When the region has no enterprises, or a chain has no segments.
    """
    if top < 1:
        raise InvalidData(f"top must be at least 1 (got {top})")
    w = weights or TargetWeights()
    shared = shared_data(conn, region, options, whole_database=True)
    sc = shared.scope
    if shared.region_enterprises == 0:
        raise AnalysisError(
            f"region {sc.code} ({sc.name_zh}) has no enterprises: import its enterprises "
            "before looking for attraction targets"
        )
    codes = (
        [str(r["code"]) for r in ar.chain_rows(conn)]
        if chain is None
        else [chain]
        if isinstance(chain, str)
        else list(chain)
    )
    facts = region_facts(conn, shared)
    frames: list[pd.DataFrame] = []
    heads: list[dict[str, Any]] = []
    warnings: list[Text] = list(facts.warnings)
    for code in codes:
        ctx = prepare(conn, code, shared)
        prof = profile_from(conn, ctx)
        if segment is not None:
            chosen = [i for i, s in enumerate(prof.segments) if s.id == segment]
            if not chosen:
                known = ", ".join(s.id for s in prof.segments)
                raise InvalidData(f"chain {code!r} has no segment {segment!r} (segments: {known})")
        else:
            chosen = [i for i, s in enumerate(prof.segments) if s.status in statuses]
        frames.append(_candidates(shared, facts, ctx, chosen, len(heads)))
        for p in chosen:
            s = prof.segments[p]
            heads.append({"chain": code, "row": s})
        warnings.extend(t for t in ctx.warnings if t.code not in {x.code for x in warnings})
    cand = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=_COLUMNS)
    scored = target_scores(cand, w)
    counts = np.bincount(scored["segment"].to_numpy(dtype=np.int64), minlength=len(heads))
    shown = scored[scored["rank"] <= top]
    shown_ids = shown["enterprise"].to_numpy(dtype=np.int64)
    local_ids = facts.present_id[shown_ids]
    labels = ar.enterprise_labels(conn, np.concatenate([shown_ids, local_ids[local_ids >= 0]]))
    facts.local_names = {int(i): str(labels[int(i)]["name"]) for i in local_ids if i in labels}
    per_seg: dict[int, list[Target]] = {}
    for rec in shown.to_dict("records"):
        r = {str(k): v for k, v in rec.items()}
        g, eid = int(r["segment"]), int(r["enterprise"])
        seg_row = heads[g]["row"]
        lab = labels.get(eid, {})
        measures = _measures(r, facts, eid)
        reasons = target_reasons(
            {**measures, "scale_rank": r["c_scale"], "present_as": measures["present_as"]},
            segment=(seg_row.name, seg_row.name_en),
        )
        per_seg.setdefault(g, []).append(
            Target(
                rank=int(r["rank"]),
                id=eid,
                name=str(lab.get("name") or f"#{eid}"),
                region=lab.get("region_code"),
                region_name=lab.get("region_name"),
                tier=TIER_NAMES[int(shared.tiers[eid])] if shared.tiers is not None else "unknown",
                score=float(r["score"]),
                components={k[2:]: round(float(v), 6) for k, v in r.items() if k.startswith("c_")},
                measures=measures,
                reasons=tuple(reasons),
            )
        )
    segments = [
        SegmentTargets(
            chain=h["chain"],
            segment=h["row"].id,
            name=h["row"].name,
            name_en=h["row"].name_en,
            status=h["row"].status,
            status_reason=h["row"].reason,
            local_enterprises=h["row"].enterprises,
            candidates=int(counts[g]),
            targets=per_seg.get(g, []),
        )
        for g, h in enumerate(heads)
    ]
    for st in segments:
        if st.candidates == 0:
            warnings.append(
                Text(
                    "no_candidates",
                    f"{st.chain}/{st.segment}：区外没有该环节的企业，无法推荐招商目标。",
                    f"{st.chain}/{st.segment}: no enterprise outside the region works in this "
                    "segment, so there is no target to list.",
                )
            )
    return TargetReport(
        region=sc.to_dict(),
        year=shared.year,
        weights=asdict(w),
        relatedness=facts.describe(),
        segments=segments,
        warnings=warnings,
    )


def _measures(r: dict[str, Any], facts: RegionFacts, eid: int) -> dict[str, Any]:
    ind = int(facts.industry[eid])
    info = facts.industries.get(ind) if ind >= 0 else None
    present_as = facts.present_as(eid)
    return {
        "fit": _num(r["fit"]),
        "output": _num(r["output"]),
        "growth": _num(r["growth"]),
        "sells_to": int(facts.sells_to[eid]),
        "buys_from": int(facts.buys_from[eid]),
        "tie_value": _num(facts.tie_value[eid]),
        "relatedness": _num(r["relatedness"]),
        "industry_code": None if info is None else info["code"],
        "industry": None if info is None else (info["name_zh"], info["name_en"] or info["code"]),
        "present": bool(r["present"]),
        "present_as": present_as,
        "tier": TIER_NAMES[int(facts.tiers[eid])],
    }
