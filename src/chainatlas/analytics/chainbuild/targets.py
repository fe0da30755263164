"""Attraction targets (以链招商): the fit score of an outside enterprise for a weak segment.

Each candidate is an enterprise outside the region that works in the segment. Six
components, each on [0, 1], are weighted into a score on [0, 100]:

* ``fit`` — the share of the candidate's revenue in the segment (its membership revenue
  share; an even split over its segments when unknown): it makes the segment's products;
* ``scale`` — percentile rank of its output among the segment's candidates;
* ``growth`` — percentile rank of its output growth among the segment's candidates;
* ``ties`` — ``k / (k + 1)`` with ``k`` the number of distinct local enterprises it already
  sells to or buys from (0 with none, 0.5 with one, 0.75 with three): attract along
  existing ties first;
* ``relatedness`` — the density of its industry in the region (how many related
  industries the region already has, Hidalgo et al. 2007), 0 when its industry is unknown;
* ``absence`` — 1 when no local establishment of the candidate was found, else 0.

Unknown output or growth rank 0: missing data never lifts a candidate. Ties in the score
are broken by more local ties, then larger output, then the lower enterprise id.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from chainatlas.analytics.chainbuild._ranks import grouped_percentile
from chainatlas.errors import InvalidData

__all__ = ["COMPONENTS", "TargetWeights", "target_scores", "tie_score"]

COMPONENTS = ("fit", "scale", "growth", "ties", "relatedness", "absence")
"""The score components, in the order of :class:`TargetWeights`."""


@dataclass(frozen=True, slots=True)
class TargetWeights:
    """Weights of the target fit score (normalised to sum to 1 when used).

    The defaults put existing ties first (0.25), then product fit and scale (0.2 each),
    relatedness (0.15), growth and absence (0.1 each).
    """

    fit: float = 0.2
    scale: float = 0.2
    growth: float = 0.1
    ties: float = 0.25
    relatedness: float = 0.15
    absence: float = 0.1

    def __post_init__(self) -> None:
        values = asdict(self)
        bad = {k: v for k, v in values.items() if not (v >= 0)}
        if bad:
            raise InvalidData(f"target weights must not be negative: {bad}")
        if sum(values.values()) <= 0:
            raise InvalidData("at least one target weight must be positive")

    def normalised(self) -> dict[str, float]:
        """Return the weights divided by their sum.

        >>> TargetWeights(1, 1, 0, 2, 0, 0).normalised()["ties"]
        0.5
        """
        values = asdict(self)
        total = sum(values.values())
        return {k: float(v) / total for k, v in values.items()}


def tie_score(partners: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Return ``k / (k + 1)`` for ``k`` distinct local partners.

    >>> tie_score([0, 1, 3]).tolist()
    [0.0, 0.5, 0.75]
    """
    k = np.maximum(np.asarray(partners, dtype=np.float64), 0.0)
    out: npt.NDArray[np.float64] = k / (k + 1.0)
    return out


def target_scores(candidates: pd.DataFrame, weights: TargetWeights | None = None) -> pd.DataFrame:
    """Score and rank attraction candidates within each segment.

    Parameters
    ----------
    candidates
        One row per (segment, candidate) with columns ``segment`` (group label),
        ``enterprise`` (id), ``fit`` (revenue share in the segment, 0-1), ``output``
        (yuan, NaN when unknown), ``growth`` (fraction, NaN when unknown), ``partners``
        (distinct local partners), ``relatedness`` (density 0-1, NaN when unknown) and
        ``present`` (bool: a local establishment exists).
    weights
        Component weights.

    Returns
    -------
    pandas.DataFrame
        The input with the component columns ``c_fit`` … ``c_absence`` (0-1), ``score``
        (0-100) and ``rank`` (1 = best within the segment), sorted by segment and rank.

    Examples
    --------
    Two candidates equal but for one local tie: the tied one ranks first.

    >>> c = pd.DataFrame({"segment": [0, 0], "enterprise": [1, 2], "fit": [1.0, 1.0],
    ...                   "output": [5.0, 5.0], "growth": [0.1, 0.1], "partners": [0, 1],
    ...                   "relatedness": [0.2, 0.2], "present": [False, False]})
    >>> target_scores(c)[["enterprise", "rank", "score"]].to_dict("list")
    {'enterprise': [2, 1], 'rank': [1, 2], 'score': [60.5, 48.0]}
    """
    w = (weights or TargetWeights()).normalised()
    need = {"segment", "enterprise", "fit", "output", "growth", "partners", "relatedness"}
    missing = need - set(candidates.columns) - {"present"}
    if missing:
        raise InvalidData(f"candidates lack column(s): {', '.join(sorted(missing))}")
    out = candidates.copy()
    seg = out["segment"].to_numpy()
    fit = np.clip(np.nan_to_num(out["fit"].to_numpy(dtype=np.float64), nan=0.0), 0.0, 1.0)
    present = (
        out["present"].to_numpy(dtype=bool) if "present" in out else np.zeros(len(out), dtype=bool)
    )
    comps = {
        "fit": fit,
        "scale": grouped_percentile(out["output"].to_numpy(dtype=np.float64), seg),
        "growth": grouped_percentile(out["growth"].to_numpy(dtype=np.float64), seg),
        "ties": tie_score(out["partners"].to_numpy(dtype=np.float64)),
        "relatedness": np.clip(
            np.nan_to_num(out["relatedness"].to_numpy(dtype=np.float64), nan=0.0), 0.0, 1.0
        ),
        "absence": np.where(present, 0.0, 1.0),
    }
    score = np.zeros(len(out))
    for k in COMPONENTS:
        out[f"c_{k}"] = comps[k]
        score += w[k] * comps[k]
    out["score"] = np.round(100.0 * score, 6)
    x = np.nan_to_num(out["output"].to_numpy(dtype=np.float64), nan=-1.0)
    order = np.lexsort(
        (
            out["enterprise"].to_numpy(),
            -x,
            -out["partners"].to_numpy(dtype=np.float64),
            -out["score"].to_numpy(),
            seg,
        )
    )
    out = out.iloc[order].reset_index(drop=True)
    out["rank"] = out.groupby("segment").cumcount().to_numpy() + 1
    return out
