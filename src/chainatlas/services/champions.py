"""Strengthen the chain (强链): chain owners, hidden champions and 专精特新 seedlings.

``chain_champions(conn, "nev", "330000")`` returns a :class:`ChampionReport` with three
lists of the region's enterprises in the chain, each entry with its reasons (Chinese and
English) and the numbers behind them:

* **chain owners** (链主): suppliers and buyers spanning many segments and much of the
  region's chain output (:func:`~chainatlas.analytics.chainbuild.owner_scores`);
* **hidden champions**: a high national share of one narrow segment at a modest size
  (:func:`~chainatlas.analytics.chainbuild.hidden_champion_mask`);
* **专精特新 seedlings**: SMEs not yet certified at provincial or national level that
  meet or nearly meet the criteria, with what each still lacks
  (:func:`~chainatlas.analytics.chainbuild.check_seedlings`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from chainatlas.analytics.chainbuild import (
    CRITERIA,
    ChampionRule,
    SeedlingCriteria,
    champion_reasons,
    check_seedlings,
    hidden_champion_mask,
    owner_reasons,
    owner_scores,
    seedling_reasons,
)
from chainatlas.analytics.chainmap import TIER_REGION, Text, chain_owner_spans
from chainatlas.errors import AnalysisError, InvalidData
from chainatlas.services._build_reads import enterprise_details
from chainatlas.services.chain_context import AnalysisOptions, ChainContext, prepare, shared_data
from chainatlas.services.chain_profile import profile_from

__all__ = ["KINDS", "ChampionReport", "chain_champions"]

KINDS = ("owners", "hidden", "seedlings")
_UNCERTIFIED = {"none", "seedling"}


def _num(x: Any) -> float | None:
    if x is None:
        return None
    f = float(x)
    return None if math.isnan(f) or math.isinf(f) else f


@dataclass(slots=True)
class ChampionReport:
    """Chain owners, hidden champions and seedlings of a chain in a region."""

    chain: dict[str, Any]
    region: dict[str, Any]
    year: int | None
    basis: str
    rules: dict[str, Any]
    owners: list[dict[str, Any]] = field(default_factory=list)
    hidden: list[dict[str, Any]] = field(default_factory=list)
    seedlings: list[dict[str, Any]] = field(default_factory=list)
    kinds: tuple[str, ...] = KINDS
    warnings: list[Text] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape (see docs/build-the-chain.md)."""
        out: dict[str, Any] = {
            "chain": self.chain,
            "region": self.region,
            "year": self.year,
            "basis": self.basis,
            "rules": self.rules,
        }
        if "owners" in self.kinds:
            out["chain_owners"] = self.owners
        if "hidden" in self.kinds:
            out["hidden_champions"] = self.hidden
        if "seedlings" in self.kinds:
            out["seedlings"] = self.seedlings
        out["warnings"] = [w.to_dict() for w in self.warnings]
        return out

    def sheets(self) -> dict[str, pd.DataFrame]:
        """Return one table per list, reasons joined in both languages."""

        def table(items: list[dict[str, Any]]) -> pd.DataFrame:
            rows = []
            for it in items:
                flat = {k: v for k, v in it.items() if k not in {"reasons", "measures", "lacks"}}
                flat.update({f"m.{k}": v for k, v in it.get("measures", {}).items()})
                flat["理由"] = "；".join(r["zh"].rstrip("。") for r in it["reasons"]) + "。"
                flat["reasons"] = " ".join(r["en"] for r in it["reasons"])
                rows.append(flat)
            return pd.DataFrame(rows)

        names = {
            "owners": "链主 owners",
            "hidden": "隐形冠军 hidden",
            "seedlings": "专精特新 seedlings",
        }
        lists = {"owners": self.owners, "hidden": self.hidden, "seedlings": self.seedlings}
        return {names[k]: table(lists[k]) for k in self.kinds}

    def write_xlsx(self, path: str | Path) -> Path:
        """Write the lists as a workbook, one sheet each."""
        out = Path(path)
        with pd.ExcelWriter(out, engine="openpyxl") as xw:
            for name, frame in self.sheets().items():
                frame.to_excel(xw, sheet_name=name[:31], index=False)
        return out


def _owners(
    conn: sa.Connection, ctx: ChainContext, rule: ChampionRule, top: int
) -> list[dict[str, Any]]:
    d, ents = ctx.data, ctx.ents
    t = ctx.options.thresholds
    spans = chain_owner_spans(
        d.links.supplier, d.links.buyer, d.links.segment, ctx.primary, ents.size + 1
    )
    cand = np.flatnonzero(spans >= t.owner_min_segments)
    cand = cand[ctx.tier_of(cand) == TIER_REGION]
    local_members = np.unique(d.m_ent[ctx.m_tier == TIER_REGION])
    total = float(np.nansum(ents.output[local_members]))
    out_c = ents.output[cand]
    share = out_c / total if total > 0 else np.full(len(cand), np.nan)
    score = owner_scores(spans[cand], d.n_segments, share, rule)
    local_link = (ctx.l_sup_tier == TIER_REGION) & (ctx.l_buy_tier == TIER_REGION)
    sup, buy = d.links.supplier[local_link], d.links.buyer[local_link]
    n = ents.size + 1
    pairs = np.unique(np.concatenate([sup * n + buy, buy * n + sup]))
    partners = np.bincount(pairs // n, minlength=n)
    order = np.lexsort((cand, -np.nan_to_num(out_c, nan=-1.0), -score))[:top]
    ctx.label(conn, cand[order])
    items = []
    for rank, k in enumerate(order, 1):
        e = int(cand[k])
        m = {
            "segments_spanned": int(spans[e]),
            "segments": d.n_segments,
            "output": _num(ents.output[e]),
            "output_share": _num(share[k]),
            "local_partners": int(partners[e]),
            "primary_segment": d.segments[int(ctx.primary[e])]["code"]
            if ctx.primary[e] >= 0
            else None,
        }
        items.append(
            {
                "rank": rank,
                "id": e,
                "name": ctx.name(e),
                "score": round(float(score[k]), 6),
                "measures": m,
                "reasons": [r.to_dict() for r in owner_reasons(m)],
            }
        )
    return items


def _hidden(
    conn: sa.Connection, ctx: ChainContext, rule: ChampionRule, top: int
) -> tuple[list[dict[str, Any]], list[Text]]:
    d, ents = ctx.data, ctx.ents
    if ctx.basis != "output":
        return [], [
            Text(
                "hidden_needs_output",
                "没有产值数据，无法计算全国份额：未识别隐形冠军。",
                "No output data: national shares cannot be computed, so no hidden champion "
                "is identified.",
            )
        ]
    wx = ctx.m_weight * ents.output[d.m_ent]
    known = ~np.isnan(wx)
    ref_total = np.bincount(
        d.m_seg[ctx.m_ref & known], weights=wx[ctx.m_ref & known], minlength=d.n_segments
    )
    local = (ctx.m_tier == TIER_REGION) & known
    idx = np.flatnonzero(local)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(ref_total[d.m_seg[idx]] > 0, wx[idx] / ref_total[d.m_seg[idx]], np.nan)
    details = enterprise_details(conn, d.m_ent[idx][share >= rule.min_share], ctx.shared.year)
    revenue = np.array(
        [
            _num(details.get(int(e), {}).get("revenue")) or _num(ents.output[e]) or np.nan
            for e in d.m_ent[idx]
        ],
        dtype=np.float64,
    )
    ok = hidden_champion_mask(share, ctx.m_weight[idx], revenue, rule)
    pick = idx[ok]
    order = np.lexsort((d.m_ent[pick], -share[ok]))[:top]
    ctx.label(conn, d.m_ent[pick])
    items = []
    for rank, k in enumerate(order, 1):
        i = int(pick[k])
        e, seg = int(d.m_ent[i]), d.segments[int(d.m_seg[i])]
        names = (str(seg["name_zh"]), str(seg["name_en"] or seg["code"]))
        m = {
            "segment": str(seg["code"]),
            "share": _num(share[ok][k]),
            "focus": _num(ctx.m_weight[i]),
            "revenue": _num(revenue[ok][k]),
            "output": _num(ents.output[e]),
            "segment_national_output": _num(ref_total[int(d.m_seg[i])]),
        }
        items.append(
            {
                "rank": rank,
                "id": e,
                "name": ctx.name(e),
                "segment": str(seg["code"]),
                "measures": m,
                "reasons": [r.to_dict() for r in champion_reasons(m, segment=names)],
            }
        )
    return items, []


def _seedlings(
    conn: sa.Connection, ctx: ChainContext, criteria: SeedlingCriteria, top: int
) -> tuple[list[dict[str, Any]], list[Text]]:
    d = ctx.data
    year = ctx.shared.year
    local = ctx.m_tier == TIER_REGION
    ent = d.m_ent[local]
    if len(ent) == 0:
        return [], []
    order = np.argsort(ent, kind="stable")
    uniq, start = np.unique(ent[order], return_index=True)
    best = np.maximum.reduceat(ctx.m_weight[local][order], start) if len(uniq) else uniq
    details = enterprise_details(conn, uniq, year)
    rows = []
    for e, f in zip(uniq.tolist(), best.tolist(), strict=True):
        x = details.get(int(e))
        if x is None or x["srdi_level"] not in _UNCERTIFIED:
            continue
        founded = x["founded_on"]
        rows.append(
            {
                "id": int(e),
                "srdi_level": x["srdi_level"],
                "high_tech": bool(x["high_tech"]),
                "size_class": x["size_class"],
                "employees": _num(x["employees"]),
                "years": None if founded is None or year is None else year - founded.year,
                "revenue": _num(x["revenue"]),
                "revenue_prev": _num(x["revenue_prev"]),
                "rd_spend": _num(x["rd_spend"]),
                "focus": float(f),
                "patents": _num(x["patents"]),
            }
        )
    warnings: list[Text] = []
    if year is None:
        warnings.append(
            Text(
                "seedlings_no_figures",
                "没有企业年度数据：专精特新条件无法核对。",
                "No yearly enterprise figures: the 专精特新 criteria cannot be checked.",
            )
        )
    if not rows:
        return [], warnings
    firms = pd.DataFrame(rows).astype({"years": "float64"})
    res = check_seedlings(firms, criteria)
    res["id"] = firms["id"]
    res["revenue"] = firms["revenue"]
    keep = res[res["status"] != "far"].copy()
    keep["first"] = np.where(keep["status"] == "meets", 0, 1)
    keep = keep.sort_values(
        ["first", "missing", "revenue", "id"],
        ascending=[True, True, False, True],
        na_position="last",
    ).head(top)
    ctx.label(conn, keep["id"].to_numpy())
    by_id = firms.set_index("id")
    items = []
    for rank, (_i, r) in enumerate(keep.iterrows(), 1):
        e = int(r["id"])
        f = by_id.loc[e]
        lacks = [
            {"criterion": c, "gap": _num(r[f"gap_{c}"])}
            for c in CRITERIA
            if not bool(r[f"met_{c}"])
        ]
        m = {
            "size_class": f["size_class"],
            "srdi_level": f["srdi_level"],
            "high_tech": bool(f["high_tech"]),
            "years": _num(f["years"]),
            "revenue": _num(f["revenue"]),
            "growth": _num(r["growth"]),
            "rd_spend": _num(f["rd_spend"]),
            "rd_intensity": _num(r["rd_intensity"]),
            "focus": _num(f["focus"]),
            "patents": _num(f["patents"]),
            "employees": _num(f["employees"]),
        }
        items.append(
            {
                "rank": rank,
                "id": e,
                "name": ctx.name(e),
                "status": str(r["status"]),
                "missing": int(r["missing"]),
                "measures": m,
                "lacks": lacks,
                "reasons": [
                    t.to_dict()
                    for t in seedling_reasons({str(k): v for k, v in r.items()}, criteria)
                ],
            }
        )
    return items, warnings


def chain_champions(
    conn: sa.Connection,
    chain: str,
    region: str | None,
    *,
    kind: str = "all",
    top: int = 20,
    rule: ChampionRule | None = None,
    criteria: SeedlingCriteria | None = None,
    options: AnalysisOptions | None = None,
) -> ChampionReport:
    """List the chain owners, hidden champions and 专精特新 seedlings of a chain in a region.

    Parameters
    ----------
    kind
        ``owners``, ``hidden``, ``seedlings`` or ``all``.
    top
        Entries listed per kind.

    Raises
    ------
    ChainNotFound, RegionNotFound
        When the chain or the region does not exist.
    InvalidData
        On an unknown ``kind`` or ``top`` below 1.
    AnalysisError
        When the region has no enterprises or the chain no segments.
    """
    if kind != "all" and kind not in KINDS:
        raise InvalidData(f"kind {kind!r}: use owners, hidden, seedlings or all")
    if top < 1:
        raise InvalidData(f"top must be at least 1 (got {top})")
    r = rule or ChampionRule()
    c = criteria or SeedlingCriteria()
    shared = shared_data(conn, region, options)
    sc = shared.scope
    if shared.region_enterprises == 0:
        raise AnalysisError(f"region {sc.code} ({sc.name_zh}) has no enterprises to list")
    ctx = prepare(conn, chain, shared)
    prof = profile_from(conn, ctx)
    kinds = KINDS if kind == "all" else (kind,)
    rep = ChampionReport(
        chain=prof.chain,
        region=prof.region,
        year=shared.year,
        basis=ctx.basis,
        rules={"champions": asdict(r), "seedlings": asdict(c), "strength": prof.thresholds},
        kinds=kinds,
        warnings=list(ctx.warnings),
    )
    if "owners" in kinds:
        rep.owners = _owners(conn, ctx, r, top)
    if "hidden" in kinds:
        rep.hidden, w = _hidden(conn, ctx, r, top)
        rep.warnings.extend(w)
    if "seedlings" in kinds:
        rep.seedlings, w = _seedlings(conn, ctx, c, top)
        rep.warnings.extend(w)
    return rep
