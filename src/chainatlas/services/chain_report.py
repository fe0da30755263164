"""The chain report (X图X清单): chain graph, segment table and the lists, generated.

:func:`chain_report` combines strength and risk into one :class:`ChainReport`:

* the chain graph (图): segments as nodes with status and highest risk level, supply
  edges with their input class and the local supply value along them;
* the lists (清单): segments, key enterprises, gaps (missing and weak segments), risk
  points and countermeasures.

``to_dict()`` gives the JSON, :meth:`ChainReport.sheets` the tables and
:meth:`ChainReport.write_xlsx` a workbook with one sheet per list.
:func:`chain_reports` analyses many chains of one region reading the store once.
"""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa

from chainatlas.analytics.chainmap import TIER_REGION, countermeasure_text
from chainatlas.analytics.chainmap._sorting import unique_first
from chainatlas.services.chain_context import (
    AnalysisOptions,
    ChainContext,
    SharedData,
    prepare,
    shared_data,
)
from chainatlas.services.chain_profile import ChainProfile, profile_from
from chainatlas.services.risk_points import COUNTERMEASURE_KINDS, point_ids
from chainatlas.services.supply_risk import RiskAnalysis, risks_from
from chainatlas.store.chains import list_chains

__all__ = ["ChainReport", "chain_report", "chain_reports"]

_LEVELS = ("high", "medium", "low")
IntArray = npt.NDArray[np.int64]


def _num(x: Any) -> float | None:
    if x is None:
        return None
    f = float(x)
    return None if math.isnan(f) else f


@dataclass(slots=True)
class ChainReport:
    """Strength, risk and the generated lists of one chain in one region."""

    profile: ChainProfile
    risk: RiskAnalysis
    graph: dict[str, Any]
    key_enterprises: list[dict[str, Any]]
    gaps: list[dict[str, Any]]
    countermeasures: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """Return the report JSON (see docs/chain-analysis.md for the shape)."""
        p = self.profile
        return {
            "chain": p.chain,
            "region": p.region,
            "reference": p.reference,
            "year": p.year,
            "basis": p.basis,
            "scorecard": {**p.scorecard, "risks": self.risk.summary},
            "graph": self.graph,
            "segments": [s.to_dict() for s in p.segments],
            "key_enterprises": self.key_enterprises,
            "gaps": self.gaps,
            "risks": [r.to_dict() for r in self.risk.items],
            "countermeasures": self.countermeasures,
            "rules": {"strength": p.thresholds, "risk": self.risk.rule},
            "warnings": [w.to_dict() for w in p.warnings],
        }

    def sheets(self) -> dict[str, pd.DataFrame]:
        """Return the report's tables, one per sheet of the workbook."""
        p = self.profile
        overview = pd.DataFrame(
            [
                ("chain", p.chain["code"]),
                ("名称", p.chain["name_zh"]),
                ("name", p.chain["name_en"]),
                ("region", p.region["code"]),
                ("地区", p.region["name"]),
                ("reference", p.reference),
                ("year", p.year),
                ("basis", p.basis),
            ]
            + [(k, v) for k, v in p.scorecard.items()]
            + [(f"risks_{k}", v) for k, v in self.risk.summary.items()]
            + [(f"warning_{w.code}", w.en) for w in p.warnings],
            columns=["item", "value"],
        )
        segments = pd.DataFrame(
            [
                {
                    "segment": s.id,
                    "环节": s.name,
                    "name": s.name_en,
                    "position": s.position,
                    "importance": s.importance,
                    "choke_point": s.choke_point,
                    "enterprises": s.enterprises,
                    "output": s.output,
                    "share": s.share,
                    "lq": s.lq,
                    "growth": s.growth,
                    "status": s.status,
                    "reason_zh": s.reason.zh,
                    "reason_en": s.reason.en,
                    "leaders": "; ".join(str(x["name"]) for x in s.leaders),
                    **{f"quality_{k}": v for k, v in s.quality.items()},
                }
                for s in p.segments
            ]
        )
        risks = pd.DataFrame(
            [
                {
                    "risk": r.id,
                    "level": r.level,
                    "score": r.score,
                    "scope": r.scope,
                    "segment": r.segment,
                    "product": r.product,
                    "buyer": r.buyer["name"] if r.buyer else "",
                    "buyer_id": r.buyer["id"] if r.buyer else None,
                    "suppliers": r.measures["suppliers"],
                    "hhi": r.measures["hhi"],
                    "outside_share": r.measures["outside_share"],
                    "foreign_share": r.measures["foreign_share"],
                    "geo_hhi": r.measures["geo_hhi"],
                    "alt_region": r.measures["alternatives"]["region"],
                    "alt_area": r.measures["alternatives"]["cooperation_area"],
                    "alt_country": r.measures["alternatives"]["country"],
                    "exposure": r.measures["exposure"],
                    "reasons_zh": " ".join(x.zh for x in r.reasons),
                    "reasons_en": " ".join(x.en for x in r.reasons),
                    "link_ids": ",".join(str(i) for i in r.trace["link_ids"]),
                    "supplier_ids": ",".join(str(i) for i in r.trace["supplier_ids"]),
                }
                for r in self.risk.items
            ],
            columns=[
                "risk",
                "level",
                "score",
                "scope",
                "segment",
                "product",
                "buyer",
                "buyer_id",
                "suppliers",
                "hhi",
                "outside_share",
                "foreign_share",
                "geo_hhi",
                "alt_region",
                "alt_area",
                "alt_country",
                "exposure",
                "reasons_zh",
                "reasons_en",
                "link_ids",
                "supplier_ids",
            ],
        )
        cms = pd.DataFrame(
            [
                {
                    "rank": c["rank"],
                    "kind": c["kind"],
                    "segment": c["segment"],
                    "level": c["level"],
                    "risk_points": c["risk_points"],
                    "zh": c["zh"],
                    "en": c["en"],
                    "targets": "; ".join(t["name"] for t in c["targets"]),
                }
                for c in self.countermeasures
            ],
            columns=["rank", "kind", "segment", "level", "risk_points", "zh", "en", "targets"],
        )
        return {
            "overview 概览": overview,
            "graph nodes 图谱节点": pd.DataFrame(self.graph["nodes"]),
            "graph edges 图谱连线": pd.DataFrame(
                self.graph["edges"],
                columns=["source", "target", "input_class", "local_value", "links"],
            ),
            "segments 环节": segments,
            "key enterprises 重点企业": pd.DataFrame(
                self.key_enterprises,
                columns=["id", "name", "role", "segment", "output", "segments_spanned"],
            ),
            "gaps 缺链": pd.DataFrame(
                [
                    {k: v for k, v in g.items() if k != "targets"}
                    | {"targets": "; ".join(t["name"] for t in g["targets"])}
                    for g in self.gaps
                ],
                columns=[
                    "segment",
                    "name",
                    "name_en",
                    "status",
                    "importance",
                    "choke_point",
                    "enterprises",
                    "lq",
                    "zh",
                    "en",
                    "targets",
                ],
            ),
            "risks 风险点": risks,
            "countermeasures 对策": cms,
        }

    def write_xlsx(self, path: str | Path, *, only: Sequence[str] | None = None) -> Path:
        """Write the report as a workbook, one sheet per table (or the sheets ``only``)."""
        out = Path(path)
        with pd.ExcelWriter(out, engine="openpyxl") as xw:
            for name, frame in self.sheets().items():
                if only is None or name in only:
                    frame.to_excel(xw, sheet_name=name[:31], index=False)
        return out


def _graph(report_profile: ChainProfile, risk: RiskAnalysis, ctx: ChainContext) -> dict[str, Any]:
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


def _key_enterprises(p: ChainProfile) -> list[dict[str, Any]]:
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


def _gaps(conn: sa.Connection, p: ChainProfile, risk: RiskAnalysis) -> list[dict[str, Any]]:
    targets: dict[str, list[dict[str, Any]]] = {}
    pts, src = risk.points, risk.source
    if src is not None and len(pts):
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


def _countermeasures(conn: sa.Connection, risk: RiskAnalysis) -> list[dict[str, Any]]:
    """Merge the countermeasures of every risk point by (kind, segment).

    Each entry counts its points, takes the worst level among them, and the sentence and
    targets of its best-ranked point (points are in rank order, worst level first).
    """
    rank = {"high": 0, "medium": 1, "low": 2}
    pts, src = risk.points, risk.source
    if src is None or not len(pts):
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


def _assemble(
    conn: sa.Connection, profile: ChainProfile, risk: RiskAnalysis, ctx: ChainContext
) -> ChainReport:
    return ChainReport(
        profile,
        risk,
        _graph(profile, risk, ctx),
        _key_enterprises(profile),
        _gaps(conn, profile, risk),
        _countermeasures(conn, risk),
    )


def _report(conn: sa.Connection, chain: str, shared: SharedData, limit: int | None) -> ChainReport:
    ctx = prepare(conn, chain, shared)
    profile = profile_from(conn, ctx)
    return _assemble(conn, profile, risks_from(conn, ctx, profile, limit=limit), ctx)


def chain_report(
    conn: sa.Connection,
    chain: str,
    region: str | None = None,
    options: AnalysisOptions | None = None,
    *,
    limit: int | None = None,
) -> ChainReport:
    """Build the chain report of ``chain`` in ``region`` (None: the home country).

    ``limit`` caps the risk points listed (the summary always counts all of them).

    Raises
    ------
    ChainNotFound, RegionNotFound
        When the chain or region does not exist (the message names some that do).
    AnalysisError
        When the chain has no segments.
    """
    return _report(conn, chain, shared_data(conn, region, options), limit)


def chain_reports(
    conn: sa.Connection,
    chains: Sequence[str] | None = None,
    region: str | None = None,
    options: AnalysisOptions | None = None,
    *,
    limit: int | None = 100,
    workers: int | None = None,
) -> Iterator[ChainReport]:
    """Build the reports of many chains (default: every chain) in one region.

    Every enterprise and every link is read once, in bulk, and shared by the chains; use
    it for whole-database runs. When ``chains`` is None, chains without segments are
    left out (:func:`chain_report` on one of them explains why).

    The chains are analysed in ``workers`` threads (default: one per CPU, at most 4):
    the analysis is array work in NumPy and pandas, which release the GIL in sorts,
    hashing and sums; every use of ``conn`` is serialised by a lock. Reports come back
    in the order of ``chains``, at most ``workers`` + 1 of them held at a time.
    """
    shared = shared_data(conn, region, options, whole_database=True)
    codes = (
        list(chains)
        if chains is not None
        else [r["code"] for r in list_chains(conn) if r["segments"]]
    )
    n = max(1, min(workers or min(os.cpu_count() or 1, 4), len(codes)))
    if n == 1:
        for code in codes:
            yield _report(conn, code, shared, limit)
        return

    def analyse(ctx: ChainContext) -> ChainReport:
        profile = profile_from(conn, ctx)
        return _assemble(conn, profile, risks_from(conn, ctx, profile, limit=limit), ctx)

    pending: deque[Future[ChainReport]] = deque()
    with ThreadPoolExecutor(max_workers=n, thread_name_prefix="chainatlas-chain") as pool:
        for code in codes:
            pending.append(pool.submit(analyse, prepare(conn, code, shared)))
            while len(pending) > n:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
