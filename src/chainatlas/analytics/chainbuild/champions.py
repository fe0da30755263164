"""Hidden champions and chain owners: the rules that pick them from segment figures.

A *hidden champion* (隐形冠军, Simon 1996) leads a narrow market while staying modest in
size. Here: its share of the reference region's (the country's) output in one chain
segment is at least ``min_share``, that segment is its main business (revenue share at
least ``min_focus``), and its revenue stays below ``max_revenue``.

A *chain owner* (链主) organises many links of a chain: its suppliers and buyers work in
many segments (:func:`~chainatlas.analytics.chainmap.chain_owner_spans`) and it carries
much of the region's chain output. :func:`owner_scores` ranks owners on both.

References
----------
Simon, H. (1996). *Hidden Champions: Lessons from 500 of the World's Best Unknown
Companies*. Harvard Business School Press; Simon, H. (2009). *Hidden Champions of the
Twenty-First Century*. Springer, https://doi.org/10.1007/978-0-387-98147-5.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

from chainatlas.errors import InvalidData

__all__ = ["ChampionRule", "hidden_champion_mask", "owner_scores"]


@dataclass(frozen=True, slots=True)
class ChampionRule:
    """Thresholds for hidden champions and chain owners.

    Parameters
    ----------
    min_share
        National share of the segment's output: at least 10%.
    min_focus
        The segment's share of the firm's revenue: at least 50% (a narrow business).
    max_revenue
        Revenue below 4 billion yuan (40亿元): Simon's ceiling of 5 billion euros scaled
        to a national rather than a world market, and the upper bound of 专精特新
        "小巨人" candidates in most provincial programmes.
    owner_span_weight
        Weight of the segment span in the chain-owner score (the rest is the share of
        local chain output).
    """

    min_share: float = 0.10
    min_focus: float = 0.5
    max_revenue: float = 4e9
    owner_span_weight: float = 0.5

    def __post_init__(self) -> None:
        for k, v in asdict(self).items():
            if not (v >= 0):
                raise InvalidData(f"champion rule {k} must not be negative (got {v})")
        if self.min_share > 1 or self.min_focus > 1 or self.owner_span_weight > 1:
            raise InvalidData("min_share, min_focus and owner_span_weight are fractions (0-1)")


def hidden_champion_mask(
    share: npt.ArrayLike,
    focus: npt.ArrayLike,
    revenue: npt.ArrayLike,
    rule: ChampionRule | None = None,
) -> npt.NDArray[np.bool_]:
    """Return which (enterprise, segment) pairs make the enterprise a hidden champion.

    Unknown figures (NaN) never qualify.

    Examples
    --------
    >>> hidden_champion_mask([0.2, 0.2, 0.05, 0.3], [0.9, 0.3, 0.9, 0.9],
    ...                      [1e9, 1e9, 1e9, 9e9]).tolist()
    [True, False, False, False]
    """
    r = rule or ChampionRule()
    s = np.asarray(share, dtype=np.float64)
    f = np.asarray(focus, dtype=np.float64)
    x = np.asarray(revenue, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        out: npt.NDArray[np.bool_] = (s >= r.min_share) & (f >= r.min_focus) & (x < r.max_revenue)
    return out


def owner_scores(
    spans: npt.ArrayLike,
    n_segments: int,
    output_share: npt.ArrayLike,
    rule: ChampionRule | None = None,
) -> npt.NDArray[np.float64]:
    """Score chain owners: w·span/S + (1 - w)·(share of local chain output), on 0-100.

    Examples
    --------
    >>> owner_scores([10, 5], 20, [0.1, 0.5]).round(2).tolist()
    [30.0, 37.5]
    """
    r = rule or ChampionRule()
    sp = np.asarray(spans, dtype=np.float64) / max(n_segments, 1)
    sh = np.nan_to_num(np.asarray(output_share, dtype=np.float64), nan=0.0)
    w = r.owner_span_weight
    out: npt.NDArray[np.float64] = 100.0 * (w * sp + (1.0 - w) * sh)
    return out
