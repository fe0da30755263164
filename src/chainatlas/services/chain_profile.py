"""Segment strength of a chain in a region: the chain map's figures, status and scorecard.

``chain_profile(conn, "nev", "330000")`` returns a :class:`ChainProfile` whose
``to_dict()`` is the JSON the CLI, the report and the web app show.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from chainatlas.analytics.chainmap import (
    TIER_REGION,
    Text,
    chain_completeness,
    chain_owner_spans,
    chain_strength_score,
    segment_strength,
    status_reason,
    top_per_group,
)
from chainatlas.analytics.chainmap._sorting import sorted_unique
from chainatlas.services.chain_context import (
    AnalysisOptions,
    ChainContext,
    prepare,
    shared_data,
)

__all__ = ["ChainProfile", "SegmentRow", "chain_profile", "profile_from"]


def _num(x: Any) -> float | None:
    """Return a JSON-safe float (None for NaN)."""
    if x is None:
        return None
    f = float(x)
    return None if math.isnan(f) or math.isinf(f) else f


@dataclass(frozen=True, slots=True)
class SegmentRow:
    """One segment's strength figures, status, leaders, quality flags and trace."""

    id: str
    segment_id: int
    name: str
    name_en: str
    position: str
    importance: float
    choke_point: bool
    choke_technologies: tuple[str, ...]
    products: tuple[str, ...]
    enterprises: int
    output: float | None
    share: float | None
    lq: float | None
    growth: float | None
    status: str
    reason: Text
    leaders: tuple[dict[str, Any], ...]
    quality: dict[str, str]
    enterprise_ids: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape of a segment."""
        return {
            "id": self.id,
            "segment_id": self.segment_id,
            "name": self.name,
            "name_en": self.name_en,
            "position": self.position,
            "importance": self.importance,
            "choke_point": self.choke_point,
            "choke_technologies": list(self.choke_technologies),
            "products": list(self.products),
            "enterprises": self.enterprises,
            "output": self.output,
            "share": self.share,
            "lq": self.lq,
            "growth": self.growth,
            "status": self.status,
            "reason": self.reason.to_dict(),
            "leaders": list(self.leaders),
            "quality": dict(self.quality),
            "trace": {"enterprise_ids": list(self.enterprise_ids)},
        }


@dataclass(slots=True)
class ChainProfile:
    """Strength of every segment of a chain in a region, chain owners and the scorecard."""

    chain: dict[str, Any]
    region: dict[str, Any]
    reference: str
    year: int | None
    basis: str
    segments: list[SegmentRow]
    owners: list[dict[str, Any]]
    scorecard: dict[str, Any]
    warnings: list[Text]
    thresholds: dict[str, Any]
    table: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape (see docs/chain-analysis.md)."""
        return {
            "chain": self.chain,
            "region": self.region,
            "reference": self.reference,
            "year": self.year,
            "basis": self.basis,
            "scorecard": self.scorecard,
            "segments": [s.to_dict() for s in self.segments],
            "chain_owners": self.owners,
            "rules": {"strength": self.thresholds},
            "warnings": [w.to_dict() for w in self.warnings],
        }

    def segment(self, code: str) -> SegmentRow:
        """Return the row of segment ``code`` (KeyError when absent)."""
        for s in self.segments:
            if s.id == code:
                return s
        raise KeyError(code)


def _quality(row: Any, ctx: ChainContext) -> dict[str, str]:
    t = ctx.options.thresholds
    n = int(row["enterprises"])
    no_data = ctx.shared.region_enterprises == 0 or len(ctx.data.m_ent) == 0
    thin = 0 < n < t.thin_enterprises
    if no_data:
        return dict.fromkeys(
            ("enterprises", "output", "share", "lq", "growth", "status"), "no_data"
        )
    q = {"enterprises": "thin" if thin else "ok"}
    if ctx.basis == "count":
        q["output"] = "no_data"
        q["share"] = "count_basis"
    elif n == 0:
        q["output"] = q["share"] = "ok"
    elif row["coverage"] == 0:
        q["output"] = q["share"] = "no_data"
    elif row["coverage"] < 1:
        q["output"] = q["share"] = "partial"
    else:
        q["output"] = q["share"] = "thin" if thin else "ok"
    if math.isnan(row["lq"]):
        q["lq"] = "undefined"
    elif ctx.basis == "count":
        q["lq"] = "count_basis"
    else:
        q["lq"] = "thin" if thin else ("partial" if row["coverage"] < 1 else "ok")
    if math.isnan(row["growth"]):
        q["growth"] = "no_data"
    elif row["panel_coverage"] < 1:
        q["growth"] = "partial"
    else:
        q["growth"] = "thin" if thin else "ok"
    q["status"] = "thin" if thin else ("count_basis" if ctx.basis == "count" else "ok")
    return q


def profile_from(conn: sa.Connection, ctx: ChainContext) -> ChainProfile:
    """Compute the strength profile of a prepared chain."""
    d, ents, sh = ctx.data, ctx.ents, ctx.shared
    t = ctx.options.thresholds
    m_ent = d.m_ent
    local = ctx.m_tier == TIER_REGION
    if ctx.basis == "output":
        x_r, x_n = sh.region_total_output, sh.reference_total_output
    else:
        x_r, x_n = float(sh.region_enterprises), float(sh.reference_enterprises)
    table = segment_strength(
        d.m_seg,
        local,
        ctx.m_ref,
        ctx.m_weight,
        ents.output[m_ent],
        ents.output_prev[m_ent],
        n_segments=d.n_segments,
        region_total=x_r,
        reference_total=x_n,
        basis=ctx.basis,
        thresholds=t,
    )
    if ctx.basis == "count":
        table["output"] = np.nan
        table["growth"] = np.nan
    # leaders: local members, top by attributed output (count basis: by chain links)
    loc_idx = np.flatnonzero(local)
    if ctx.basis == "output":
        score = np.nan_to_num(ents.output[m_ent[loc_idx]] * ctx.m_weight[loc_idx], nan=-1.0)
    else:
        deg = np.bincount(
            np.concatenate([d.links.supplier, d.links.buyer]), minlength=ents.size + 1
        )
        score = deg[m_ent[loc_idx]].astype(np.float64)
    top = loc_idx[top_per_group(d.m_seg[loc_idx], score, t.leaders)]
    # chain owners: local enterprises whose partners span many segments
    spans = chain_owner_spans(
        d.links.supplier, d.links.buyer, d.links.segment, ctx.primary, ents.size + 1
    )
    cand = np.flatnonzero(spans >= t.owner_min_segments)
    cand = cand[ctx.tier_of(cand) == TIER_REGION]
    out = np.nan_to_num(ents.output[cand], nan=0.0)
    owner_ids = cand[np.lexsort((cand, -out, -spans[cand]))][: t.owners]
    ctx.label(conn, np.concatenate([m_ent[top], owner_ids]))
    leaders: dict[int, list[dict[str, Any]]] = {}
    for i in top:
        e = int(m_ent[i])
        leaders.setdefault(int(d.m_seg[i]), []).append(
            {
                "id": e,
                "name": ctx.name(e),
                "output": _num(ents.output[e]) if ctx.basis == "output" else None,
                "attributed_output": _num(ents.output[e] * ctx.m_weight[i])
                if ctx.basis == "output"
                else None,
            }
        )
    owners = [
        {
            "id": int(e),
            "name": ctx.name(int(e)),
            "segments_spanned": int(spans[e]),
            "output": _num(ents.output[e]),
            "segment": d.segments[int(ctx.primary[e])]["code"] if ctx.primary[e] >= 0 else None,
        }
        for e in owner_ids
    ]
    order = np.lexsort((m_ent[loc_idx], d.m_seg[loc_idx]))
    by_seg = np.split(
        m_ent[loc_idx][order], np.searchsorted(d.m_seg[loc_idx][order], np.arange(1, d.n_segments))
    )
    rows: list[SegmentRow] = []
    for p, seg in enumerate(d.segments):
        r = table.loc[p]
        q = _quality(r, ctx)
        names = (str(seg["name_zh"]), str(seg["name_en"] or seg["code"]))
        rows.append(
            SegmentRow(
                id=str(seg["code"]),
                segment_id=int(seg["id"]),
                name=names[0],
                name_en=names[1],
                position=str(seg["position"]),
                importance=float(seg["importance"]),
                choke_point=bool(seg["choke_point"]),
                choke_technologies=tuple(seg["choke_technologies"] or ()),
                products=tuple(seg["products"] or ()),
                enterprises=int(r["enterprises"]),
                output=None if q["output"] == "no_data" else _num(r["output"]),
                share=None if q["share"] == "no_data" else _num(r["share"]),
                lq=None if q["lq"] == "no_data" else _num(r["lq"]),
                growth=_num(r["growth"]),
                status=str(r["status"]),
                reason=status_reason(
                    str(r["status"]),
                    int(r["enterprises"]),
                    float(r["lq"]),
                    segment=names,
                    basis=ctx.basis,
                    thresholds=t,
                ),
                leaders=tuple(leaders.get(p, [])),
                quality=q,
                enterprise_ids=tuple(np.asarray(by_seg[p], dtype=np.int64).tolist()),
            )
        )
    table.index = pd.Index([s.id for s in rows], name="segment")
    importance = [s.importance for s in rows]
    status = [s.status for s in rows]
    counts = {k: status.count(k) for k in ("strong", "present", "weak", "missing")}
    local_members = sorted_unique(m_ent[local])
    total_out = float(np.nansum(ents.output[local_members])) if ctx.basis == "output" else None
    no_data = sh.region_enterprises == 0 or len(d.m_ent) == 0
    scorecard: dict[str, Any] = {
        "segments": len(rows),
        **counts,
        "completeness": _num(chain_completeness(importance, status)),
        "strong_share": _num(
            sum(w for w, s in zip(importance, status, strict=True) if s == "strong")
            / sum(importance)
        ),
        "score": _num(chain_strength_score(importance, status, t)),
        "local_enterprises": int(len(local_members)),
        "local_output": total_out,
        "chain_owners": len(owners),
        "choke_points": sum(1 for s in rows if s.choke_point),
        "choke_points_missing": sum(1 for s in rows if s.choke_point and s.status == "missing"),
        "quality": "no_data" if no_data else "ok",
    }
    if no_data:
        # no data is not a confirmed gap: do not show a confident zero
        for key in ("completeness", "strong_share", "score", "local_output"):
            scorecard[key] = None
    return ChainProfile(
        chain={k: d.chain[k] for k in ("code", "name_zh", "name_en")},
        region=sh.scope.to_dict(),
        reference=sh.scope.reference_label,
        year=sh.year,
        basis=ctx.basis,
        segments=rows,
        owners=owners,
        scorecard=scorecard,
        warnings=ctx.warnings,
        thresholds=asdict(t),
        table=table,
    )


def chain_profile(
    conn: sa.Connection,
    chain: str,
    region: str | None = None,
    options: AnalysisOptions | None = None,
) -> ChainProfile:
    """Compute segment strength, chain owners and the scorecard of ``chain`` in ``region``.

    ``region`` is a region code or name, a region group (cooperation area) code or name,
    or None for the whole home country.

    Raises
    ------
    ChainNotFound, RegionNotFound
        When the chain or the region does not exist (the message lists some that do).
    AnalysisError
        When the chain has no segments.
    """
    shared = shared_data(conn, region, options)
    return profile_from(conn, prepare(conn, chain, shared))
