"""专精特新 seedlings: which SMEs meet, or nearly meet, the criteria, and what each still lacks.

The criteria are modelled on the MIIT rules for 专精特新中小企业 (《优质中小企业梯度培育管理
暂行办法》, 工信部企业〔2022〕63号, annex 2) and the 专精特新"小巨人" rules; see
docs/build-the-chain.md for the table. Each criterion is checked on the enterprise's own
figures; a criterion whose data is missing counts as *not met* with the gap unknown.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from chainatlas.errors import InvalidData

__all__ = ["CRITERIA", "SeedlingCriteria", "check_seedlings"]

CRITERIA = ("sme", "years", "revenue", "rd_spend", "rd_intensity", "growth", "focus", "patents")
"""The criteria, in the order they are reported."""

_SME_CLASSES = {"medium", "small", "micro"}


@dataclass(frozen=True, slots=True)
class SeedlingCriteria:
    """Thresholds of the 专精特新 check (defaults follow the MIIT 2022 provincial rules).

    Parameters
    ----------
    min_years
        Years in business (in its niche) before the analysis year: at least 2.
    min_revenue
        Revenue of the last year in yuan: at least 10 million (1000万元).
    min_rd_spend
        R&D spend of the last year in yuan: at least 1 million (100万元) ...
    min_rd_intensity
        ... and at least 3% of revenue.
    min_growth
        Revenue growth over the year before: at least 5% ...
    large_revenue
        ... or, for revenue of at least 100 million yuan (1亿元), any growth above 0.
    min_focus
        Main-business focus: the largest share of revenue in one chain segment, at least
        70% (the 小巨人 rule for 主营业务收入占比).
    min_patents
        Patents (invention patents or other class-I intellectual property) held: at least 1.
    max_sme_employees, max_sme_revenue
        When the size class is unknown, an SME has fewer employees than this (1000) and
        less revenue (400 million yuan), the upper bounds for industry in 工信部联企业〔2011〕300号.
    max_missing
        A firm is listed as *nearly* meeting the criteria when it misses at most this many.
    """

    min_years: float = 2.0
    min_revenue: float = 1e7
    min_rd_spend: float = 1e6
    min_rd_intensity: float = 0.03
    min_growth: float = 0.05
    large_revenue: float = 1e8
    min_focus: float = 0.7
    min_patents: float = 1.0
    max_sme_employees: float = 1000.0
    max_sme_revenue: float = 4e8
    max_missing: int = 2

    def __post_init__(self) -> None:
        for k, v in asdict(self).items():
            if not (v >= 0):
                raise InvalidData(f"seedling criterion {k} must not be negative (got {v})")
        if self.min_focus > 1 or self.min_rd_intensity > 1:
            raise InvalidData("min_focus and min_rd_intensity are fractions (0-1)")


def _col(frame: pd.DataFrame, name: str) -> npt.NDArray[np.float64]:
    if name not in frame:
        return np.full(len(frame), np.nan)
    return frame[name].to_numpy(dtype=np.float64)


def check_seedlings(firms: pd.DataFrame, criteria: SeedlingCriteria | None = None) -> pd.DataFrame:
    """Check each firm against the 专精特新 criteria and measure what it lacks.

    Parameters
    ----------
    firms
        One row per firm with columns ``size_class`` (large/medium/small/micro or None),
        ``employees``, ``years`` (years in business), ``revenue`` and ``revenue_prev``
        (yuan), ``rd_spend`` (yuan), ``focus`` (largest segment revenue share, 0-1) and
        ``patents``; NaN where unknown.
    criteria
        Thresholds.

    Returns
    -------
    pandas.DataFrame
        Same index; per criterion ``met_<c>`` (bool), ``gap_<c>`` (how far below the
        threshold, in the criterion's unit; 0 when met, NaN when the data is missing);
        ``rd_intensity`` and ``growth`` (computed); ``missing`` (criteria not met) and
        ``status``: ``meets`` (all met), ``near`` (at most ``max_missing`` missed, SME
        criterion met) or ``far``.

    Examples
    --------
    A small firm with 2000万元 revenue (+10%), R&D 50万元 (2.5%), 80% focus, 1 patent,
    founded 5 years ago: it lacks R&D spend (50万元 short) and intensity (0.5 points).

    >>> f = pd.DataFrame({"size_class": ["small"], "employees": [80.0], "years": [5.0],
    ...                   "revenue": [2e7], "revenue_prev": [2e7 / 1.1], "rd_spend": [5e5],
    ...                   "focus": [0.8], "patents": [1.0]})
    >>> r = check_seedlings(f)
    >>> r.loc[0, "status"], int(r.loc[0, "missing"])
    ('near', 2)
    >>> float(r.loc[0, "gap_rd_spend"]), round(float(r.loc[0, "gap_rd_intensity"]), 4)
    (500000.0, 0.005)
    """
    c = criteria or SeedlingCriteria()
    rev, rev0 = _col(firms, "revenue"), _col(firms, "revenue_prev")
    rd, emp = _col(firms, "rd_spend"), _col(firms, "employees")
    years, focus, patents = _col(firms, "years"), _col(firms, "focus"), _col(firms, "patents")
    size = (
        firms["size_class"].astype(object).to_numpy()
        if "size_class" in firms
        else np.full(len(firms), None, dtype=object)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        intensity = np.where(rev > 0, rd / rev, np.nan)
        growth = np.where(rev0 > 0, rev / rev0 - 1.0, np.nan)
    known_size = np.array([s is not None and s == s for s in size], dtype=bool)
    sme_class = np.array([s in _SME_CLASSES for s in size], dtype=bool)
    by_figures = (emp < c.max_sme_employees) & (rev < c.max_sme_revenue)
    sme_known = known_size | (~np.isnan(emp) & ~np.isnan(rev))
    sme = np.where(known_size, sme_class, by_figures)
    out = pd.DataFrame(index=firms.index)
    out["rd_intensity"] = intensity
    out["growth"] = growth

    def gap(value: npt.NDArray[np.float64], floor: float) -> npt.NDArray[np.float64]:
        return np.where(np.isnan(value), np.nan, np.maximum(floor - value, 0.0))

    grow_ok = (growth >= c.min_growth) | ((rev >= c.large_revenue) & (growth > 0))
    checks: dict[str, tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]] = {
        "sme": (sme & sme_known, np.where(sme_known, np.where(sme, 0.0, 1.0), np.nan)),
        "years": (years >= c.min_years, gap(years, c.min_years)),
        "revenue": (rev >= c.min_revenue, gap(rev, c.min_revenue)),
        "rd_spend": (rd >= c.min_rd_spend, gap(rd, c.min_rd_spend)),
        "rd_intensity": (intensity >= c.min_rd_intensity, gap(intensity, c.min_rd_intensity)),
        "growth": (
            grow_ok,
            np.where(grow_ok, 0.0, gap(growth, c.min_growth)),
        ),
        "focus": (focus >= c.min_focus, gap(focus, c.min_focus)),
        "patents": (patents >= c.min_patents, gap(patents, c.min_patents)),
    }
    missing = np.zeros(len(firms), dtype=np.int64)
    for name in CRITERIA:
        met, g = checks[name]
        out[f"met_{name}"] = met
        out[f"gap_{name}"] = np.where(met, 0.0, g)
        missing += ~met
    out["missing"] = missing
    out["status"] = np.where(
        missing == 0,
        "meets",
        np.where((missing <= c.max_missing) & out["met_sme"].to_numpy(), "near", "far"),
    )
    return out
