"""Score components of a docking match and the weighted rule that combines them.

Each component is a number in [0, 1] per counterpart:

* ``text`` — product text score (:class:`~chainatlas.analytics.matching.index.ProductIndex`);
* ``adjacency`` — the counterpart's segment supplies (for a need) or buys from (for a
  capability) the poster's segment in the chain template: by the edge's input class,
  essential 1.0, non-essential 0.6, irrelevant 0.2, none 0;
* ``distance`` — how close the counterpart is (:data:`DISTANCE_SCORES`);
* ``scale`` — size class and output (:func:`scale_scores`);
* ``ties`` — 1 when the two already trade with each other, else 0;
* ``risk`` — 1 minus the counterpart's supply risk (disruption events, foreign supply).

:func:`combine_scores` is the weighted mean of the components on a 0-100 scale.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "ADJACENCY_SCORES",
    "DISTANCE_LEVELS",
    "DISTANCE_SCORES",
    "SIZE_SCORES",
    "MatchWeights",
    "combine_scores",
    "distance_levels",
    "scale_scores",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ArrayLike = FloatArray | float

ADJACENCY_SCORES = {"essential": 1.0, "non_essential": 0.6, "irrelevant": 0.2}
"""Segment adjacency by the input class of the template edge."""

DISTANCE_LEVELS = ("district", "city", "province", "area", "country", "abroad", "unknown")
"""Distance levels, nearest first; ``area`` is a shared cooperation area (e.g. 长三角)."""

DISTANCE_SCORES = {
    "district": 1.0,
    "city": 0.8,
    "province": 0.6,
    "area": 0.45,
    "country": 0.25,
    "abroad": 0.0,
    "unknown": 0.1,
}
"""Distance component by level; a counterpart in a preferred region scores at least 0.8."""

SIZE_SCORES = {"large": 1.0, "medium": 0.75, "small": 0.5, "micro": 0.3}
"""Scale component by size class (0.4 when the class is unknown)."""


@dataclass(frozen=True, slots=True)
class MatchWeights:
    """Weights of the score components (any non-negative numbers; they are normalised)."""

    text: float = 0.45
    adjacency: float = 0.15
    distance: float = 0.15
    scale: float = 0.10
    ties: float = 0.10
    risk: float = 0.05

    def to_dict(self) -> dict[str, float]:
        """Return the weights as a dict."""
        return asdict(self)


def combine_scores(
    text: ArrayLike,
    adjacency: ArrayLike,
    distance: ArrayLike,
    scale: ArrayLike,
    ties: ArrayLike,
    risk: ArrayLike,
    weights: MatchWeights | None = None,
) -> FloatArray:
    """Combine the components into one match score on a 0-100 scale.

    ``score = 100 · Σ_i w_i · c_i / Σ_i w_i`` over the six components ``c_i`` in [0, 1]
    (values outside are clipped) with the weights ``w_i`` of :class:`MatchWeights`
    (default text 0.45, adjacency 0.15, distance 0.15, scale 0.10, ties 0.10, risk 0.05).

    Parameters
    ----------
    text, adjacency, distance, scale, ties, risk : array or float
        Components in [0, 1], broadcast together.
    weights : MatchWeights, optional
        The weights; the defaults when None.

    Returns
    -------
    numpy.ndarray
        Scores in [0, 100].

    Raises
    ------
    ValueError
        When a weight is negative or all weights are zero.

    Examples
    --------
    A perfect product match next door, with no other merit:

    >>> combine_scores(1.0, 0.0, 1.0, 0.0, 0.0, 0.0).round(6).tolist()
    60.0

    Everything perfect scores 100; the same match with an existing tie beats one without:

    >>> combine_scores(1, 1, 1, 1, 1, 1).tolist()
    100.0
    >>> combine_scores(0.8, 0, 0.6, 0.5, [1.0, 0.0], 1).round(2).tolist()
    [65.0, 55.0]
    """
    w = weights or MatchWeights()
    ws = np.array([w.text, w.adjacency, w.distance, w.scale, w.ties, w.risk], dtype=np.float64)
    if (ws < 0).any() or ws.sum() <= 0:
        raise ValueError("match weights must be non-negative and not all zero")
    parts = [
        np.clip(np.asarray(c, dtype=np.float64), 0.0, 1.0)
        for c in (text, adjacency, distance, scale, ties, risk)
    ]
    total = sum(wi * c for wi, c in zip(ws, parts, strict=True))
    out: FloatArray = np.asarray(100.0 * total / ws.sum(), dtype=np.float64)
    return out


def distance_levels(
    home: tuple[int, int, int, str],
    district: IntArray,
    city: IntArray,
    province: IntArray,
    country: npt.NDArray[np.object_],
    in_area: npt.NDArray[np.bool_],
) -> IntArray:
    """Return the distance level (position in :data:`DISTANCE_LEVELS`) of each counterpart.

    ``home`` is the poster's (district, city, province, country); the arrays are the
    counterparts' (-1 or "" when unknown); ``in_area`` marks counterparts in a cooperation
    area the poster belongs to. The first level that is shared counts.

    >>> import numpy as np
    >>> distance_levels((3, 2, 1, "CN"), np.array([3, 4, -1, -1, -1]), np.array([2, 2, 5, 6, -1]),
    ...     np.array([1, 1, 1, 7, 9]), np.array(["CN", "CN", "CN", "CN", "US"], dtype=object),
    ...     np.array([False, False, False, True, False])).tolist()
    [0, 1, 2, 3, 5]
    """
    d, c, p, ctry = home
    level = np.full(len(district), DISTANCE_LEVELS.index("unknown"), dtype=np.int64)
    known = country != ""
    level[known & (country != ctry)] = DISTANCE_LEVELS.index("abroad")
    level[known & (country == ctry)] = DISTANCE_LEVELS.index("country")
    level[in_area] = DISTANCE_LEVELS.index("area")
    if p >= 0:
        level[province == p] = DISTANCE_LEVELS.index("province")
    if c >= 0:
        level[city == c] = DISTANCE_LEVELS.index("city")
    if d >= 0:
        level[district == d] = DISTANCE_LEVELS.index("district")
    return level


def scale_scores(size: npt.NDArray[np.object_], output_rank: FloatArray) -> FloatArray:
    """Return the scale component: the mean of the size-class score and the output rank.

    ``output_rank`` is the percentile rank of the enterprise's output among all
    enterprises with output (0-1, NaN when unknown); when it is unknown the size score
    alone counts.

    >>> import numpy as np
    >>> scale_scores(np.array(["large", "micro", None], dtype=object),
    ...              np.array([0.5, np.nan, np.nan])).tolist()
    [0.75, 0.3, 0.4]
    """
    s = np.array([SIZE_SCORES.get(str(v), 0.4) for v in size], dtype=np.float64)
    r = np.asarray(output_rank, dtype=np.float64)
    out: FloatArray = np.where(np.isnan(r), s, (s + np.nan_to_num(r)) / 2.0)
    return out
