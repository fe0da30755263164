"""Result objects of disruption scenarios and systemic-risk rankings.

The results carry JSON (``to_dict``) and workbook (``sheets``, ``write_xlsx``) forms;
the rows come from :mod:`chainatlas.services.sim_breakdown`. Field definitions are in
docs/simulation.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from chainatlas.analytics.chainmap import Text

__all__ = ["SimulationResult", "SystemicRiskRanking", "write_sheets"]

_SHEET_COLUMNS = {
    "enterprises 企业": [
        "rank", "id", "name", "credit_code", "stock_code", "region", "region_name", "chain",
        "segment", "segment_name", "psi", "downstream", "upstream", "combined",
        "out_strength", "loss", "output", "output_loss",
    ],
    "segments 环节": ["chain", "segment", "name", "name_en"],
    "chains 产业链": ["chain", "name", "name_en"],
    "regions 地区": ["region", "name", "name_en", "country", "foreign"],
    "shocked 冲击": [
        "id", "name", "region", "chain", "segment", "psi", "out_strength", "sales_lost",
        "selectors",
    ],
    "ranking 排名": [
        "rank", "id", "name", "credit_code", "stock_code", "region", "region_name", "chain",
        "segment", "segment_name", "out_strength", "esri", "esri_loss",
    ],
}  # fmt: skip
_TOTAL_COLUMNS = [
    "enterprises", "affected", "out_strength", "loss", "loss_share", "output", "output_loss",
    "with_output", "share_of_loss",
]  # fmt: skip


def _frame(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    cols = list(_SHEET_COLUMNS.get(name, []))
    if name in {"segments 环节", "chains 产业链", "regions 地区"}:
        cols += _TOTAL_COLUMNS
    flat = [{k: (", ".join(v) if isinstance(v, list) else v) for k, v in r.items()} for r in rows]
    frame = pd.DataFrame(flat)
    for c in cols:
        if c not in frame.columns:
            frame[c] = None
    return frame[cols] if cols else frame


def _summary(items: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for section, value in items.items():
        if isinstance(value, dict):
            rows += [{"item": f"{section}.{k}", "value": v} for k, v in value.items()]
        elif value is not None:
            rows.append({"item": section, "value": value})
    return pd.DataFrame(rows, columns=["item", "value"]).astype({"value": object})


def write_sheets(path: str | Path, sheets: dict[str, pd.DataFrame]) -> Path:
    """Write ``sheets`` to an XLSX workbook, one sheet per frame."""
    out = Path(path)
    with pd.ExcelWriter(out, engine="openpyxl") as xw:
        for name, frame in sheets.items():
            frame.to_excel(xw, sheet_name=name[:31], index=False)
    return out


def _notes(notes: list[Text]) -> pd.DataFrame:
    return pd.DataFrame([n.to_dict() for n in notes], columns=["code", "zh", "en"])


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """The outcome of one disruption scenario (JSON shape in docs/simulation.md).

    ``totals`` covers every firm of the network, ``scope_totals`` the firms located in
    the reporting region (None without one); ``enterprises`` (top firms by loss),
    ``segments`` and ``chains`` cover the reporting region (the whole network without
    one), ``regions`` the whole network by province (domestic) or country (abroad).
    """

    scenario: dict[str, Any]
    network: dict[str, Any]
    scope: dict[str, Any] | None
    shock: dict[str, Any]
    totals: dict[str, Any]
    scope_totals: dict[str, Any] | None
    enterprises: list[dict[str, Any]]
    segments: list[dict[str, Any]]
    chains: list[dict[str, Any]]
    regions: list[dict[str, Any]]
    shocked: list[dict[str, Any]]
    convergence: dict[str, Any]
    notes: list[Text]

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data."""
        return {
            "scenario": self.scenario,
            "network": self.network,
            "scope": self.scope,
            "shock": self.shock,
            "totals": self.totals,
            "scope_totals": self.scope_totals,
            "enterprises": self.enterprises,
            "segments": self.segments,
            "chains": self.chains,
            "regions": self.regions,
            "shocked": self.shocked,
            "convergence": self.convergence,
            "notes": [n.to_dict() for n in self.notes],
        }

    def sheets(self) -> dict[str, pd.DataFrame]:
        """Return one table per breakdown, keyed by sheet name."""
        summary = {
            "scenario": {k: str(v) for k, v in self.scenario.items()},
            "network": self.network,
            "scope": self.scope,
            "shock": self.shock,
            "totals": self.totals,
            "scope_totals": self.scope_totals,
            "convergence": self.convergence,
        }
        return {
            "summary 摘要": _summary(summary),
            "enterprises 企业": _frame("enterprises 企业", self.enterprises),
            "segments 环节": _frame("segments 环节", self.segments),
            "chains 产业链": _frame("chains 产业链", self.chains),
            "regions 地区": _frame("regions 地区", self.regions),
            "shocked 冲击": _frame("shocked 冲击", self.shocked),
            "notes 说明": _notes(self.notes),
        }

    def write_xlsx(self, path: str | Path) -> Path:
        """Write the result as a workbook, one sheet per breakdown."""
        return write_sheets(path, self.sheets())


@dataclass(frozen=True, slots=True)
class SystemicRiskRanking:
    """The firms of a chain or region ranked by their economic systemic risk index.

    ``rows`` holds the top firms (``esri``: share of the network's out-strength lost when
    the firm fails; ``esri_loss`` the same in yuan); ``candidates`` the number of firms
    ranked.
    """

    chain: dict[str, Any] | None
    region: dict[str, Any] | None
    network: dict[str, Any]
    candidates: int
    rows: list[dict[str, Any]]
    notes: list[Text]

    def to_dict(self) -> dict[str, Any]:
        """Return the ranking as JSON-ready data."""
        return {
            "chain": self.chain,
            "region": self.region,
            "network": self.network,
            "candidates": self.candidates,
            "ranking": self.rows,
            "notes": [n.to_dict() for n in self.notes],
        }

    def sheets(self) -> dict[str, pd.DataFrame]:
        """Return the summary, the ranking and the notes as tables."""
        summary = {
            "chain": self.chain,
            "region": self.region,
            "network": self.network,
            "candidates": self.candidates,
        }
        return {
            "summary 摘要": _summary(summary),
            "ranking 排名": _frame("ranking 排名", self.rows),
            "notes 说明": _notes(self.notes),
        }

    def write_xlsx(self, path: str | Path) -> Path:
        """Write the ranking as a workbook."""
        return write_sheets(path, self.sheets())
