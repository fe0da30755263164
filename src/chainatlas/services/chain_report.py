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

import pandas as pd
import sqlalchemy as sa

from chainatlas.services.chain_context import (
    AnalysisOptions,
    ChainContext,
    SharedData,
    prepare,
    shared_data,
)
from chainatlas.services.chain_lists import (
    gap_list,
    key_enterprises,
    merged_countermeasures,
    report_graph,
)
from chainatlas.services.chain_profile import ChainProfile, profile_from
from chainatlas.services.supply_risk import RiskAnalysis, risks_from
from chainatlas.store.chains import list_chains

__all__ = ["ChainReport", "chain_report", "chain_reports"]


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


def _assemble(
    conn: sa.Connection, profile: ChainProfile, risk: RiskAnalysis, ctx: ChainContext
) -> ChainReport:
    return ChainReport(
        profile,
        risk,
        report_graph(profile, risk, ctx),
        key_enterprises(profile),
        gap_list(conn, profile, risk),
        merged_countermeasures(conn, risk),
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
