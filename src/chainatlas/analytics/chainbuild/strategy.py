"""Growth opportunities (延链): rank what a region does not have by feasibility and attractiveness.

For a region ``c`` and each industry (or chain segment) ``p`` it does not have yet
(``M_cp = 0``, RCA below 1):

* **feasibility** = density ω_cp, the share of ``p``'s related industries the region already
  has (Hidalgo et al. 2007);
* **attractiveness** = weighted mean of the percentile ranks, among the candidates, of the
  product complexity PCI_p, the complexity outlook gain COG_cp (Hausmann et al. 2014) and
  the market size (the industry's total output or enterprise count in all locations);
* **score** = w_f · rank(feasibility) + (1 - w_f) · attractiveness, on 0-100.

Percentile ranks put the three very different scales on one footing and are easy to
explain ("denser than 80% of the candidates"). The strategies fix the weights, modelled on
the Atlas of Economic Complexity's strategic approaches (Growth Lab, Harvard):
``feasible`` (low-hanging fruit) w_f = 0.7, ``balanced`` 0.5, ``ambitious`` (long jumps) 0.3;
within attractiveness PCI 0.4, COG 0.4 and market 0.2.

References
----------
Hidalgo, C. A., Klinger, B., Barabási, A.-L., Hausmann, R. (2007). The product space
conditions the development of nations. *Science* 317, 482-487,
https://doi.org/10.1126/science.1144581. Hausmann, R., Hidalgo, C. A. et al. (2014). *The Atlas
of Economic Complexity*, MIT Press, https://doi.org/10.7551/mitpress/9647.001.0001.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from chainatlas.analytics.chainbuild._ranks import grouped_percentile
from chainatlas.errors import InvalidData

__all__ = ["STRATEGIES", "OpportunityWeights", "opportunity_scores", "parse_weights"]


@dataclass(frozen=True, slots=True)
class OpportunityWeights:
    """Weights of the opportunity score.

    ``feasibility`` is w_f; ``pci``, ``cog`` and ``market`` weigh the parts of
    attractiveness (normalised to sum to 1 among themselves).
    """

    feasibility: float = 0.5
    pci: float = 0.4
    cog: float = 0.4
    market: float = 0.2

    def __post_init__(self) -> None:
        for k, v in asdict(self).items():
            if not (v >= 0):
                raise InvalidData(f"opportunity weight {k} must not be negative (got {v})")
        if self.feasibility > 1:
            raise InvalidData(f"the feasibility weight is a fraction 0-1 (got {self.feasibility})")
        if self.pci + self.cog + self.market <= 0 and self.feasibility < 1:
            raise InvalidData("at least one of the pci, cog and market weights must be positive")


STRATEGIES: dict[str, OpportunityWeights] = {
    "feasible": OpportunityWeights(feasibility=0.7),
    "balanced": OpportunityWeights(feasibility=0.5),
    "ambitious": OpportunityWeights(feasibility=0.3),
}
"""The named strategies: low-hanging fruit, balanced, long jumps."""


def parse_weights(text: str) -> OpportunityWeights:
    """Parse ``"feasibility=0.6,pci=0.2,cog=0.2,market=0"`` (omitted keys keep defaults).

    >>> parse_weights("feasibility=0.6, market=0").market
    0.0

    Raises
    ------
    InvalidData
        On an unknown key or a value that is not a number.
    """
    known = set(asdict(OpportunityWeights()))
    values: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, raw = part.partition("=")
        key = key.strip()
        if not sep or key not in known:
            raise InvalidData(
                f"weights: {part!r} is not KEY=VALUE with KEY one of {', '.join(sorted(known))}"
            )
        try:
            values[key] = float(raw)
        except ValueError as err:
            raise InvalidData(f"weights: {key}={raw!r} is not a number") from err
    return OpportunityWeights(**values)


def opportunity_scores(
    candidates: pd.DataFrame, weights: OpportunityWeights | None = None
) -> pd.DataFrame:
    """Score and rank opportunities.

    Parameters
    ----------
    candidates
        One row per candidate with columns ``density`` (0-1), ``pci``, ``cog`` and
        ``market`` (NaN when unknown: it ranks lowest).
    weights
        The strategy's weights.

    Returns
    -------
    pandas.DataFrame
        The input with ``feasibility`` (= density), ``p_feasibility``, ``p_pci``,
        ``p_cog``, ``p_market`` (percentile ranks 0-1), ``attractiveness`` (0-1),
        ``score`` (0-100) and ``rank``, sorted by rank (ties: higher density first, then
        the index).

    Examples
    --------
    >>> c = pd.DataFrame({"density": [0.8, 0.2, 0.5], "pci": [-1.0, 2.0, 0.5],
    ...                   "cog": [0.1, 0.9, 0.5], "market": [10.0, 5.0, 7.0]},
    ...                  index=["a", "b", "c"])
    >>> opportunity_scores(c, STRATEGIES["feasible"]).index.tolist()
    ['a', 'c', 'b']
    >>> opportunity_scores(c, STRATEGIES["ambitious"]).index.tolist()
    ['b', 'c', 'a']
    """
    w = weights or OpportunityWeights()
    need = {"density", "pci", "cog", "market"}
    missing = need - set(candidates.columns)
    if missing:
        raise InvalidData(f"candidates lack column(s): {', '.join(sorted(missing))}")
    out = candidates.copy()
    out["feasibility"] = out["density"].astype(np.float64)
    for k in ("feasibility", "pci", "cog", "market"):
        out[f"p_{k}"] = grouped_percentile(out[k].to_numpy(dtype=np.float64))
    total = w.pci + w.cog + w.market
    if total > 0:
        attract = (w.pci * out["p_pci"] + w.cog * out["p_cog"] + w.market * out["p_market"]) / total
    else:
        attract = pd.Series(0.0, index=out.index)
    out["attractiveness"] = attract.to_numpy(dtype=np.float64)
    score = w.feasibility * out["p_feasibility"] + (1.0 - w.feasibility) * out["attractiveness"]
    out["score"] = np.round(100.0 * score.to_numpy(dtype=np.float64), 6)
    order = np.lexsort(
        (
            np.arange(len(out)),
            -np.nan_to_num(out["density"].to_numpy(dtype=np.float64), nan=-1.0),
            -out["score"].to_numpy(),
        )
    )
    out = out.iloc[order]
    out["rank"] = np.arange(1, len(out) + 1)
    return out
