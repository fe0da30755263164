"""Indicators, their yearly values and targets, computed from the demo's own enterprises.

While the yearly figures are generated, :class:`IndicatorTotals` adds each domestic firm's
numbers to its province and (in the home province) its city, per chain and for all chains.
The indicator values written afterwards are therefore exactly what an analysis of the
enterprise data gives.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from chainatlas.demo.catalogue import Catalogue
from chainatlas.demo.population import GEO_FOREIGN, GEO_HOME, Population
from chainatlas.demo.regions import RegionTree

__all__ = ["INDICATORS", "YEARS", "IndicatorTotals", "indicator_rows", "target_rows"]

Row = dict[str, object]

YEARS = (2021, 2022, 2023, 2024)
_TARGET_YEARS = (2024, 2025, 2027)
_ABOVE_SCALE = 2e7

# code, name_zh, name_en, unit, definition
INDICATORS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "output_above_scale",
        "规上工业总产值",
        "Gross output of enterprises above designated size",
        "yuan",
        "Sum of output of enterprises with revenue of 20 million yuan or more.",
    ),
    (
        "output_growth",
        "规上工业总产值增速",
        "Growth of output above designated size",
        "ratio",
        "Output above designated size over the previous year's, minus 1.",
    ),
    (
        "firms_above_scale",
        "规上企业数",
        "Enterprises above designated size",
        "count",
        "Enterprises with revenue of 20 million yuan or more.",
    ),
    (
        "firms_over_10bn",
        "百亿级企业数",
        "Enterprises with revenue over 10 billion yuan",
        "count",
        "Enterprises with revenue of 10 billion yuan or more.",
    ),
    (
        "firms_over_1bn",
        "十亿级企业数",
        "Enterprises with revenue over 1 billion yuan",
        "count",
        "Enterprises with revenue of 1 billion yuan or more.",
    ),
    (
        "listed_firms",
        "上市企业数",
        "Listed enterprises",
        "count",
        "Enterprises listed on a stock exchange by the end of the year.",
    ),
    (
        "rd_intensity",
        "研发投入强度",
        "R&D intensity",
        "ratio",
        "R&D spend over revenue, summed over all enterprises.",
    ),
    (
        "high_tech_share",
        "高新技术企业产值占比",
        "High-tech share of output above designated size",
        "ratio",
        "Output of high-tech enterprises above designated size over all output above it.",
    ),
    (
        "srdi_firms",
        "专精特新企业数",
        "Specialised and innovative (SRDI) enterprises",
        "count",
        "Enterprises recognised as provincial or national 专精特新.",
    ),
)
# Totals kept per (region slot, chain slot, year).
_SUMS = (
    "output_above",
    "n_above",
    "n_10bn",
    "n_1bn",
    "n_listed",
    "rd",
    "revenue",
    "ht_out",
    "n_srdi",
)


class IndicatorTotals:
    """Running sums per region (home province, its cities, other provinces) and chain."""

    def __init__(self, tree: RegionTree, n_chains: int) -> None:
        others = sorted({p for p, _ in tree.other_cities})
        self.slots = (tree.home_province_id, *tree.home_cities, *others)
        self.n_home_slots = 1 + len(tree.home_cities)
        self.slot_of = {region: k for k, region in enumerate(self.slots)}
        self.n_chains = n_chains
        self.sums = np.zeros((len(self.slots), n_chains + 1, len(YEARS), len(_SUMS)))

    def add(
        self,
        idx: np.ndarray,
        pop: Population,
        cat: Catalogue,
        revenue: np.ndarray,
        output: np.ndarray,
        rd: np.ndarray,
        exists: np.ndarray,
    ) -> None:
        """Add the yearly figures (firms x years arrays) of firms ``idx``."""
        keep = pop.geo[idx] != GEO_FOREIGN
        if not keep.any():
            return
        idx = idx[keep]
        revenue, output, rd, exists = revenue[keep], output[keep], rd[keep], exists[keep]
        above = (revenue >= _ABOVE_SCALE) & exists
        year_end = np.array([date(y, 12, 31).toordinal() for y in YEARS])
        listed_day = pop.listed_day[idx, None]
        values = np.stack(
            [
                output * above,
                above,
                (revenue >= 1e10) & exists,
                (revenue >= 1e9) & exists,
                (listed_day > 0) & (listed_day <= year_end[None, :]) & exists,
                rd * exists,
                revenue * exists,
                output * above * pop.high_tech[idx, None],
                (pop.srdi[idx, None] >= 2) & exists,
            ],
            axis=-1,
        ).astype(np.float64)
        chain = cat.seg_chain[pop.seg1[idx]]
        province = np.array([self.slot_of[int(p)] for p in pop.province_id[idx]])
        for chain_slot in (chain, np.full(len(idx), self.n_chains)):
            np.add.at(self.sums, (province, chain_slot), values)
        home = pop.geo[idx] == GEO_HOME
        if home.any():
            city = np.array([self.slot_of[int(c)] for c in pop.city_id[idx[home]]])
            np.add.at(self.sums, (city, np.full(len(city), self.n_chains)), values[home])


def indicator_rows(totals: IndicatorTotals, provenance: Row) -> tuple[list[Row], list[Row]]:
    """Return the ``indicators`` and ``indicator_values`` rows.

    Values are given for every province and home city (all chains) and, in the home
    province, for each chain.
    """
    indicators = [
        {
            "id": i + 1,
            "code": code,
            "name_zh": zh,
            "name_en": en,
            "unit": unit,
            "definition": definition,
            **provenance,
        }
        for i, (code, zh, en, unit, definition) in enumerate(INDICATORS)
    ]
    values: list[Row] = []
    for slot, region in enumerate(totals.slots):
        chain_slots = range(totals.n_chains + 1) if slot == 0 else (totals.n_chains,)
        for chain_slot in chain_slots:
            chain_id = None if chain_slot == totals.n_chains else chain_slot + 1
            series = _series(totals.sums[slot, chain_slot])
            for k, year in enumerate(YEARS):
                for i, (code, *_rest) in enumerate(INDICATORS):
                    value = series[code][k]
                    if value is None:
                        continue
                    values.append(
                        {
                            "id": len(values) + 1,
                            "indicator_id": i + 1,
                            "region_id": region,
                            "chain_id": chain_id,
                            "year": year,
                            "value": value,
                            **provenance,
                        }
                    )
    return indicators, values


def target_rows(totals: IndicatorTotals, provenance: Row, rng: np.random.Generator) -> list[Row]:
    """Return targets for the home province and its cities (all chains).

    Targets for 2024, 2025 and 2027 start from the 2024 value and add a planned yearly
    improvement: 7-10% more output, 8% more firms, half a point more for ratios.
    """
    rows: list[Row] = []
    for slot in range(totals.n_home_slots):
        series = _series(totals.sums[slot, totals.n_chains])
        for i, (code, _zh, _en, unit, _d) in enumerate(INDICATORS):
            base = series[code][-1]
            if base is None:
                continue
            for year in _TARGET_YEARS:
                ahead = year - YEARS[-1]
                if unit == "ratio":
                    goal = base + 0.005 * (ahead + 1) * (1 + rng.random())
                elif unit == "count":
                    goal = float(np.ceil(base * (1.08 ** (ahead + 1))))
                else:
                    goal = base * (1.07 + 0.03 * rng.random()) ** (ahead + 1)
                rows.append(
                    {
                        "id": len(rows) + 1,
                        "indicator_id": i + 1,
                        "region_id": totals.slots[slot],
                        "chain_id": None,
                        "year": year,
                        "target_value": round(float(goal), 4),
                        **provenance,
                    }
                )
    return rows


def _series(sums: np.ndarray) -> dict[str, list[float | None]]:
    """Turn the yearly sums of one region and chain into indicator values per year."""
    col = {name: sums[:, k] for k, name in enumerate(_SUMS)}
    out: dict[str, list[float | None]] = {}
    out["output_above_scale"] = [round(float(v), 2) for v in col["output_above"]]
    growth: list[float | None] = [None]
    for k in range(1, len(YEARS)):
        prev = col["output_above"][k - 1]
        growth.append(round(float(col["output_above"][k] / prev - 1), 4) if prev > 0 else None)
    out["output_growth"] = growth
    out["firms_above_scale"] = [float(v) for v in col["n_above"]]
    out["firms_over_10bn"] = [float(v) for v in col["n_10bn"]]
    out["firms_over_1bn"] = [float(v) for v in col["n_1bn"]]
    out["listed_firms"] = [float(v) for v in col["n_listed"]]
    out["rd_intensity"] = [
        round(float(r / v), 4) if v > 0 else None
        for r, v in zip(col["rd"], col["revenue"], strict=True)
    ]
    out["high_tech_share"] = [
        round(float(h / o), 4) if o > 0 else None
        for h, o in zip(col["ht_out"], col["output_above"], strict=True)
    ]
    out["srdi_firms"] = [float(v) for v in col["n_srdi"]]
    return out
