"""Growth opportunities (延链): industries or segments a region does not have yet, ranked.

``growth_opportunities(conn, "330000")`` builds the locations × industries matrix of the
store (the region and every other province; output or enterprise counts), computes RCA,
presence, proximity, density, PCI and the complexity outlook gain with
:mod:`chainatlas.analytics.relatedness`, and ranks the industries the region does not have
(RCA below 1) by feasibility and attractiveness under a chosen strategy
(:func:`~chainatlas.analytics.chainbuild.opportunity_scores`). The report carries the scatter
(feasibility × attractiveness) as a chart spec and in the XLSX. See docs/build-the-chain.md.
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
    STRATEGIES,
    OpportunityWeights,
    opportunity_reasons,
    opportunity_scores,
)
from chainatlas.analytics.chainmap import Text, fmt_yuan
from chainatlas.analytics.relatedness import (
    complexity,
    density,
    opportunity,
    presence,
    proximity,
    rca,
)
from chainatlas.errors import AnalysisError, InvalidData
from chainatlas.services._location_matrix import LocationMatrix, partition_matrix
from chainatlas.services._scope import RegionIndex, resolve_scope
from chainatlas.services.chain_context import AnalysisOptions
from chainatlas.store import analysis_reads as ar

__all__ = ["OpportunityReport", "growth_opportunities"]


def _num(x: Any) -> float | None:
    if x is None:
        return None
    f = float(x)
    return None if math.isnan(f) or math.isinf(f) else f


@dataclass(slots=True)
class OpportunityReport:
    """Ranked opportunities of a region with the figures behind them."""

    region: dict[str, Any]
    by: str
    scheme: str | None
    basis: str
    year: int | None
    strategy: str
    weights: dict[str, float]
    matrix: dict[str, Any]
    complexity: dict[str, Any]
    candidates: int
    items: list[dict[str, Any]]
    warnings: list[Text] = field(default_factory=list)

    def scatter(self) -> dict[str, Any]:
        """Return the feasibility × attractiveness scatter as a chart spec (plain dict)."""
        return {
            "type": "scatter",
            "title": {
                "zh": "延链机会：可行性 × 吸引力",
                "en": "Opportunities: feasibility × attractiveness",
            },
            "x": {"field": "feasibility", "label": "feasibility (density) 可行性"},
            "y": {"field": "attractiveness", "label": "attractiveness 吸引力"},
            "points": [
                {
                    "code": it["code"],
                    "name": it["name"],
                    "feasibility": it["measures"]["density"],
                    "attractiveness": it["attractiveness"],
                    "score": it["score"],
                    "rank": it["rank"],
                }
                for it in self.items
            ],
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape (see docs/build-the-chain.md)."""
        return {
            "region": self.region,
            "by": self.by,
            "scheme": self.scheme,
            "basis": self.basis,
            "year": self.year,
            "strategy": self.strategy,
            "rules": {"weights": self.weights},
            "matrix": self.matrix,
            "complexity": self.complexity,
            "candidates": self.candidates,
            "opportunities": self.items,
            "scatter": self.scatter(),
            "warnings": [w.to_dict() for w in self.warnings],
        }

    def table(self) -> pd.DataFrame:
        """Return one row per listed opportunity."""
        rows = []
        for it in self.items:
            m = it["measures"]
            rows.append(
                {
                    "rank": it["rank"],
                    "code": it["code"],
                    "name": it["name"],
                    "name_en": it["name_en"],
                    "score": it["score"],
                    "feasibility": m["density"],
                    "attractiveness": it["attractiveness"],
                    "pci": m["pci"],
                    "cog": m["cog"],
                    "market": m["market"],
                    "rca": m["rca"],
                    "local": m["local"],
                    "理由": "；".join(r["zh"].rstrip("。") for r in it["reasons"]) + "。",
                    "reasons": " ".join(r["en"] for r in it["reasons"]),
                }
            )
        return pd.DataFrame(rows)

    def write_xlsx(self, path: str | Path) -> Path:
        """Write the opportunities and a feasibility × attractiveness scatter chart."""
        from openpyxl.chart import Reference, ScatterChart, Series

        out = Path(path)
        frame = self.table()
        with pd.ExcelWriter(out, engine="openpyxl") as xw:
            frame.to_excel(xw, sheet_name="opportunities 延链机会", index=False)
            pd.DataFrame(
                [{"weight": k, "value": v} for k, v in self.weights.items()]
                + [{"weight": "strategy", "value": self.strategy}]
            ).to_excel(xw, sheet_name="rules 规则", index=False)
            ws = xw.sheets["opportunities 延链机会"]
            n = len(frame)
            if n:
                cols = list(frame.columns)
                x_col = cols.index("feasibility") + 1
                y_col = cols.index("attractiveness") + 1
                chart = ScatterChart()
                chart.title = "feasibility × attractiveness 可行性 × 吸引力"
                chart.style = 13
                chart.x_axis.title = "feasibility (density)"
                chart.y_axis.title = "attractiveness"
                xs = Reference(ws, min_col=x_col, min_row=2, max_row=n + 1)
                ys = Reference(ws, min_col=y_col, min_row=2, max_row=n + 1)
                series = Series(ys, xs, title="opportunities")
                series.marker.symbol = "circle"
                series.graphicalProperties.line.noFill = True
                chart.series.append(series)
                ws.add_chart(chart, f"{chr(ord('A') + min(len(cols), 25))}2")
        return out


def _market_label(value: float, basis: str, lang: str) -> str:
    if basis == "output":
        return fmt_yuan(value, lang)
    return f"{value:g}家企业" if lang == "zh" else f"{value:g} enterprises"


def _check(m: LocationMatrix, label: str) -> None:
    what = f"industry scheme {m.scheme}" if m.by == "industry" else "any chain segment"
    if float(m.X.loc[m.local].sum()) <= 0:
        raise AnalysisError(
            f"region {label} has no enterprises in {what}: opportunities need its "
            "enterprises with their industry (or segments)"
        )
    if len(m.X.index) < 2:
        raise AnalysisError(
            f"only {label} has data: opportunities compare it with other locations, so "
            "load enterprises of other regions too"
        )
    if len(m.X.columns) < 2:
        raise AnalysisError(
            f"only one {'industry' if m.by == 'industry' else 'segment'} has enterprises: "
            "relatedness needs at least two"
        )


def growth_opportunities(
    conn: sa.Connection,
    region: str,
    *,
    by: str = "industry",
    strategy: str = "balanced",
    weights: OpportunityWeights | None = None,
    scheme: str | None = None,
    basis: str = "auto",
    top: int | None = 20,
    options: AnalysisOptions | None = None,
) -> OpportunityReport:
    """Rank the industries (or chain segments) a region does not have yet.

    Parameters
    ----------
    region
        Region code or name, or a region group.
    by
        ``industry`` (columns: the industries of ``scheme``) or ``segment`` (every
        chain's segments).
    strategy
        ``balanced``, ``feasible`` or ``ambitious`` (ignored when ``weights`` is given).
    weights
        Custom weights (strategy becomes ``custom``).
    scheme
        Industry scheme (default: the one classifying most enterprises).
    basis
        ``auto``, ``output`` or ``count``.
    top
        Opportunities listed (None: all).

    Raises
    ------
    RegionNotFound
        When the region does not exist.
    InvalidData
        On an unknown strategy, ``by``, scheme or basis.
    AnalysisError
        When the region has no data, only one location or one industry has data, or the
        complexity cannot be computed (the message says why).
    """
    if weights is None:
        if strategy not in STRATEGIES:
            raise InvalidData(f"strategy {strategy!r}: use {', '.join(STRATEGIES)}")
        w = STRATEGIES[strategy]
    else:
        w, strategy = weights, "custom"
    opts = options or AnalysisOptions()
    regions = RegionIndex.load(conn)
    scope = resolve_scope(conn, regions, region)
    year = opts.year if opts.year is not None else ar.latest_output_year(conn)
    m = partition_matrix(conn, regions, scope, by=by, scheme=scheme, basis=basis, year=year)
    label = f"{scope.code} ({scope.name_zh})"
    _check(m, label)
    r = rca(m.X)
    mcp = presence(r)
    phi = proximity(mcp)
    dens = density(mcp, phi)
    cx = complexity(mcp)
    pci = pd.Series(cx.pci, dtype=np.float64)
    opp = opportunity(mcp, phi, pci)
    warnings = [
        Text("complexity_note", f"复杂度计算说明：{note}", f"Complexity note: {note}")
        for note in cx.warnings
    ]
    local = m.local
    cols = [str(c) for c in m.X.columns]
    li = list(m.X.index).index(local)
    has = np.asarray(mcp, dtype=np.int64)[li]
    take = np.flatnonzero(has == 0)
    cand_cols = [cols[j] for j in take]
    x_local = m.X.to_numpy(dtype=np.float64)[li]
    rca_local = np.asarray(r, dtype=np.float64)[li]
    market = m.X.to_numpy(dtype=np.float64).sum(axis=0)
    cand = pd.DataFrame(
        {
            "density": np.asarray(dens, dtype=np.float64)[li, take],
            "pci": pci.reindex(cand_cols).to_numpy(dtype=np.float64),
            "cog": np.asarray(opp.cog, dtype=np.float64)[li, take],
            "market": market[take],
            "rca": rca_local[take],
            "local": x_local[take],
        },
        index=pd.Index(cand_cols, name="code"),
    )
    ranked = opportunity_scores(cand, w)
    shown = ranked if top is None else ranked.head(top)
    items = []
    for row in shown.reset_index().to_dict("records"):
        code = str(row["code"])
        zh, en = m.col_names.get(code, (code, code))
        local_v = float(row["local"])
        meas = {
            "density": _num(row["density"]),
            "pci": _num(row["pci"]),
            "cog": _num(row["cog"]),
            "market": _num(row["market"]),
            "rca": _num(row["rca"]),
            "local": local_v,
            "p_feasibility": _num(row["p_feasibility"]),
            "p_pci": _num(row["p_pci"]),
            "p_cog": _num(row["p_cog"]),
            "p_market": _num(row["p_market"]),
        }
        quality = {"pci": "ok" if meas["pci"] is not None else "excluded"}
        reasons = opportunity_reasons(
            {
                **meas,
                "market_label_zh": _market_label(float(row["market"]), m.basis, "zh"),
                "market_label_en": _market_label(float(row["market"]), m.basis, "en"),
            },
            name=(zh, en),
        )
        items.append(
            {
                "rank": int(row["rank"]),
                "code": code,
                "name": zh,
                "name_en": en,
                "score": float(row["score"]),
                "attractiveness": float(row["attractiveness"]),
                "measures": meas,
                "quality": quality,
                "reasons": [t.to_dict() for t in reasons],
            }
        )
    eci = pd.Series(cx.eci, dtype=np.float64)
    coi = pd.Series(opp.coi, dtype=np.float64)
    if local in cx.excluded:
        warnings.append(
            Text(
                "region_excluded",
                f"{scope.name_zh}没有任何具备比较优势的行业（RCA≥1），经济复杂度无法定义。",
                f"{scope.name_en or scope.code} has no industry with RCA >= 1, so its economic "
                "complexity is undefined.",
            )
        )
    return OpportunityReport(
        region=scope.to_dict(),
        by=m.by,
        scheme=m.scheme,
        basis=m.basis,
        year=year if m.basis == "output" else None,
        strategy=strategy,
        weights=asdict(w),
        matrix={
            "locations": len(m.X.index),
            "columns": len(m.X.columns),
            "dropped_columns": m.dropped_columns,
            "region_has": int(mcp.loc[local].sum()),
        },
        complexity={
            "eci": _num(eci.get(local)),
            "coi": _num(coi.get(local)),
            "excluded_locations": [str(x) for x in cx.excluded],
            "excluded_columns": [str(x) for x in cx.excluded_products],
            "eigenvalue": _num(cx.eigenvalue),
        },
        candidates=len(ranked),
        items=items,
        warnings=warnings,
    )
