"""Regional division of labour: competing segments and the lead region of a chain.

Given, for a set of regions (a cooperation area), each region's figures in each segment of
a chain:

* a region *specialises* in a segment when the segment is strong or present there and its
  location quotient is at least ``specialised_lq`` (default 1);
* a segment is *contested* when at least two regions specialise in it — they compete for
  the same link instead of dividing the chain;
* the *lead region* of a chain has the highest lead score
  ``100 · (w_s · share + w_q · score / 100 + w_o · owners / max owners)``, with ``share``
  the region's share of the group's chain output (enterprise count when there is no
  output), ``score`` its chain strength score and ``owners`` its chain owners (链主).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from chainatlas.errors import InvalidData

__all__ = ["LeadWeights", "contested_segments", "lead_scores"]


@dataclass(frozen=True, slots=True)
class LeadWeights:
    """Weights of the lead-region score and the specialisation threshold."""

    share: float = 0.5
    score: float = 0.3
    owners: float = 0.2
    specialised_lq: float = 1.0

    def __post_init__(self) -> None:
        for k, v in asdict(self).items():
            if not (v >= 0):
                raise InvalidData(f"lead weight {k} must not be negative (got {v})")
        if self.share + self.score + self.owners <= 0:
            raise InvalidData("at least one lead weight must be positive")


def contested_segments(
    status: pd.DataFrame, lq: pd.DataFrame, weights: LeadWeights | None = None
) -> pd.DataFrame:
    """Return, per segment, which regions specialise in it and whether it is contested.

    Parameters
    ----------
    status, lq
        Segments × regions: the segment status (strong/present/weak/missing) and its
        location quotient (NaN when undefined: never specialised).

    Returns
    -------
    pandas.DataFrame
        Indexed by segment: ``specialised`` (tuple of region labels, highest LQ first),
        ``n`` (how many) and ``contested`` (n >= 2).

    Examples
    --------
    >>> st = pd.DataFrame({"A": ["strong", "weak"], "B": ["present", "present"]},
    ...                   index=["cell", "pack"])
    >>> q = pd.DataFrame({"A": [1.5, 0.3], "B": [1.2, 2.0]}, index=["cell", "pack"])
    >>> contested_segments(st, q)["specialised"].tolist()
    [('A', 'B'), ('B',)]
    """
    w = weights or LeadWeights()
    if list(status.index) != list(lq.index) or list(status.columns) != list(lq.columns):
        raise InvalidData("status and lq must have the same segments and regions")
    good = status.isin(["strong", "present"]).to_numpy() & (
        np.nan_to_num(lq.to_numpy(dtype=np.float64), nan=-1.0) >= w.specialised_lq
    )
    q = np.nan_to_num(lq.to_numpy(dtype=np.float64), nan=-1.0)
    regions = list(status.columns)
    spec = []
    for i in range(len(status)):
        cols = [j for j in np.argsort(-q[i], kind="stable") if good[i, j]]
        spec.append(tuple(regions[j] for j in cols))
    n = np.array([len(s) for s in spec], dtype=np.int64)
    return pd.DataFrame({"specialised": spec, "n": n, "contested": n >= 2}, index=status.index)


def lead_scores(figures: pd.DataFrame, weights: LeadWeights | None = None) -> pd.DataFrame:
    """Score each region's claim to lead a chain.

    Parameters
    ----------
    figures
        Indexed by region, columns ``size`` (chain output or enterprises, >= 0),
        ``score`` (chain strength score 0-100, NaN when undefined) and ``owners``.

    Returns
    -------
    pandas.DataFrame
        The input with ``share`` (of the group's size), ``lead_score`` (0-100) and
        ``rank`` (1 = the lead region), sorted by rank (ties: the larger size, then the
        region label).

    Examples
    --------
    >>> f = pd.DataFrame({"size": [60.0, 40.0], "score": [50.0, 80.0], "owners": [2, 1]},
    ...                  index=["A", "B"])
    >>> lead_scores(f)[["lead_score", "rank"]].round(1).to_dict("index")
    {'A': {'lead_score': 65.0, 'rank': 1}, 'B': {'lead_score': 54.0, 'rank': 2}}
    """
    w = weights or LeadWeights()
    total_w = w.share + w.score + w.owners
    out = figures.copy()
    size = np.maximum(out["size"].to_numpy(dtype=np.float64), 0.0)
    total = size.sum()
    out["share"] = size / total if total > 0 else np.zeros(len(out))
    owners = out["owners"].to_numpy(dtype=np.float64)
    top = owners.max(initial=0.0)
    owner_part = owners / top if top > 0 else np.zeros(len(out))
    score_part = np.nan_to_num(out["score"].to_numpy(dtype=np.float64), nan=0.0) / 100.0
    out["lead_score"] = (
        100.0
        * (w.share * out["share"].to_numpy() + w.score * score_part + w.owners * owner_part)
        / total_w
    )
    order = np.lexsort(
        (np.array([str(i) for i in out.index]), -size, -out["lead_score"].to_numpy())
    )
    out = out.iloc[order]
    out["rank"] = np.arange(1, len(out) + 1)
    return out
