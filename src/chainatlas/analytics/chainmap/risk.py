"""Broken-chain risk points: supplier measures per input and a documented scoring rule.

A *risk point* is one input of one local buyer: a (segment, product, buyer) triple and
the supply links that carry it; or, at segment level, a segment whose local buyers get
nothing from local suppliers. :func:`input_risk_measures` computes the measures of every
risk point at once from link-level arrays; :func:`score_risks` turns them into points,
a level and the reasons that fired, under a :class:`RiskRule`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pandas as pd

from chainatlas.analytics.chainmap.concentration import grouped_hhi, grouped_share, nested_hhi
from chainatlas.errors import InvalidData

__all__ = [
    "REASON_CODES",
    "RiskLevel",
    "RiskRule",
    "TIER_AREA",
    "TIER_COUNTRY",
    "TIER_OUTSIDE",
    "TIER_REGION",
    "TIER_UNKNOWN",
    "input_risk_measures",
    "score_risks",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

TIER_REGION, TIER_AREA, TIER_COUNTRY, TIER_OUTSIDE, TIER_UNKNOWN = 0, 1, 2, 3, 4
"""Where an enterprise is, seen from the analysed region: inside it, elsewhere in its
cooperation area, elsewhere in the country, abroad, or at an unknown place."""


class RiskLevel(StrEnum):
    """Risk level of a risk point."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


REASON_CODES = (
    "no_local_supply",
    "single_source",
    "concentrated",
    "moderately_concentrated",
    "foreign_dependent",
    "foreign_exposed",
    "outside_dependent",
    "geo_concentrated",
    "choke_point",
    "essential_input",
    "no_domestic_alternative",
    "no_nearby_alternative",
)
"""Codes of the reasons :func:`score_risks` can give, in the order they are listed."""


@dataclass(frozen=True, slots=True)
class RiskRule:
    """The risk scoring rule: points per finding and the level cut-offs.

    A risk point's score is the sum of the points of the findings that apply; the level
    is *high* when ``score >= high_at``, *medium* when ``score >= medium_at``, else *low*.
    Defaults (see docs/chain-analysis.md):

    ========================  ====================================================  ======
    finding                   condition                                             points
    ========================  ====================================================  ======
    no_local_supply           segment level: local buyers get none of it locally        4
    single_source             one supplier                                              3
    concentrated              ≥ 2 suppliers and HHI ≥ ``hhi_high`` (0.5)                2
    moderately_concentrated   ≥ 2 suppliers and ``hhi_moderate`` (0.25) ≤ HHI < 0.5     1
    foreign_dependent         foreign share ≥ ``foreign_high`` (0.5)                    2
    foreign_exposed           ``foreign_some`` (0.2) ≤ foreign share < 0.5              1
    outside_dependent         share from outside the region ≥ ``outside_high`` (0.8)    1
    geo_concentrated          ≥ 2 suppliers and regional HHI ≥ ``geo_high`` (0.5)       1
    choke_point               the segment is a choke point (卡脖子)                     2
    essential_input           the segment edge into the buyer is ``essential``          1
    no_domestic_alternative   no other capable supplier in the country                  2
    no_nearby_alternative     some in the country, none in the region or its area       1
    ========================  ====================================================  ======

    Cut-offs: high ≥ 6, medium ≥ 3. So every single source is at least *medium*, and a
    single foreign source of an essential input is *high*.
    """

    high_at: float = 6.0
    medium_at: float = 3.0
    hhi_high: float = 0.5
    hhi_moderate: float = 0.25
    foreign_high: float = 0.5
    foreign_some: float = 0.2
    outside_high: float = 0.8
    geo_high: float = 0.5
    no_local_supply: float = 4.0
    single_source: float = 3.0
    concentrated: float = 2.0
    moderately_concentrated: float = 1.0
    foreign_dependent: float = 2.0
    foreign_exposed: float = 1.0
    outside_dependent: float = 1.0
    geo_concentrated: float = 1.0
    choke_point: float = 2.0
    essential_input: float = 1.0
    no_domestic_alternative: float = 2.0
    no_nearby_alternative: float = 1.0
    alternatives: int = 5

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value < 0:
                raise InvalidData(f"risk rule {f.name} must not be negative (got {value})")
        if self.medium_at > self.high_at:
            raise InvalidData("risk rule needs medium_at <= high_at")
        for name in (
            "hhi_high",
            "hhi_moderate",
            "foreign_high",
            "foreign_some",
            "outside_high",
            "geo_high",
        ):
            if getattr(self, name) > 1:
                raise InvalidData(f"risk rule {name} is a share and must be at most 1")
        if self.hhi_moderate > self.hhi_high or self.foreign_some > self.foreign_high:
            raise InvalidData(
                "risk rule needs hhi_moderate <= hhi_high and foreign_some <= foreign_high"
            )


def input_risk_measures(
    group: npt.ArrayLike,
    value: npt.ArrayLike,
    supplier_tier: npt.ArrayLike,
    supplier_area: npt.ArrayLike,
    supplier_capable: npt.ArrayLike,
    group_segment: npt.ArrayLike,
    buyer_capable: npt.ArrayLike,
    capable: npt.ArrayLike,
    *,
    n_groups: int | None = None,
) -> pd.DataFrame:
    """Compute the supply measures of every risk point from its supply links.

    Each link ``i`` belongs to risk point ``g = group_i`` (one buyer, segment and
    product). With ``v_i`` the annual value (equal values when any value of the group is
    unknown, *count basis*) and ``s_i = v_i / Σ_{j ∈ g} v_j``:

    * ``suppliers_g`` = number of links (suppliers; a supplier-buyer-product triple is
      unique);
    * ``hhi_g = Σ s_i²``;
    * ``outside_share_g = Σ_{i: tier_i ≠ region} s_i``; ``foreign_share_g = Σ_{i abroad} s_i``
      (suppliers at an unknown place count as outside, not as foreign);
    * ``geo_hhi_g = Σ_k (Σ_{i: area_i = k} s_i)²`` over supplier areas ``k`` (province,
      or country abroad);
    * ``alt_t_g`` = capable enterprises of the segment within tier ``t`` (region ⊂
      cooperation area ⊂ country), less the current capable suppliers in that tier and
      less the buyer itself when it is capable: ``alt_t = C_t(seg) - Σ_{i ∈ g} [capable_i,
      tier_i ≤ t] - [buyer capable]``.

    Parameters
    ----------
    group
        Risk point of each link (0..G-1).
    value
        Annual value of each link in yuan; NaN when unknown.
    supplier_tier
        Tier of each link's supplier (``TIER_REGION`` … ``TIER_UNKNOWN``).
    supplier_area
        Area label of each link's supplier (province or foreign country id; any integer).
    supplier_capable
        Whether each link's supplier is a member of the risk point's segment.
    group_segment
        Segment position of each risk point.
    buyer_capable
        Whether each risk point's buyer is itself a member of the segment (buyers are
        local, tier ``TIER_REGION``).
    capable
        Capable enterprises per segment and cumulative tier, shape (S, 3): columns
        region, area, country.
    n_groups
        Number of risk points G.

    Returns
    -------
    pandas.DataFrame
        Indexed by risk point: ``suppliers``, ``value`` (NaN when any value is unknown),
        ``value_basis`` (``"value"`` or ``"count"``), ``hhi``, ``outside_share``,
        ``foreign_share``, ``geo_hhi``, ``alt_region``, ``alt_area``, ``alt_country``.

    Raises
    ------
    InvalidData
        When the arrays do not line up or a value is negative.

    Examples
    --------
    >>> m = input_risk_measures(
    ...     [0, 0, 1], [60.0, 40.0, 5.0], [0, 3, 3], [7, 8, 8], [True, True, False],
    ...     [0, 1], [False, False], [[2, 2, 3], [0, 0, 1]])
    >>> m[["suppliers", "hhi", "outside_share", "alt_region", "alt_country"]].to_dict("list")
    {'suppliers': [2, 1], 'hhi': [0.52, 1.0], 'outside_share': [0.4, 1.0], \
'alt_region': [1, 0], 'alt_country': [2, 1]}
    """
    g = np.asarray(group, dtype=np.int64)
    v = np.asarray(value, dtype=np.float64)
    tier = np.asarray(supplier_tier, dtype=np.int64)
    area = np.asarray(supplier_area, dtype=np.int64)
    cap = np.asarray(supplier_capable, dtype=bool)
    gseg = np.asarray(group_segment, dtype=np.int64)
    bcap = np.asarray(buyer_capable, dtype=bool)
    ccount = np.asarray(capable, dtype=np.int64).reshape(-1, 3)
    n = len(gseg) if n_groups is None else n_groups
    if not (len(v) == len(g) == len(tier) == len(area) == len(cap)):
        raise InvalidData("link arrays must have the same length")
    if len(gseg) != n or len(bcap) != n:
        raise InvalidData("group_segment and buyer_capable need one entry per risk point")
    if (np.nan_to_num(v) < 0).any():
        raise InvalidData("link values must not be negative")
    suppliers = np.bincount(g, minlength=n).astype(np.int64)
    unknown = np.bincount(g, weights=np.isnan(v), minlength=n) > 0
    vsum = np.bincount(g, weights=np.nan_to_num(v), minlength=n)
    by_count = unknown | (vsum <= 0)
    w = np.where(by_count[g], 1.0, np.nan_to_num(v))
    hhi = grouped_hhi(g, w, n)
    outside = grouped_share(g, w, tier != TIER_REGION, n)
    foreign = grouped_share(g, w, tier == TIER_OUTSIDE, n)
    geo = nested_hhi(g, area, w, n)
    alts = {}
    for t, name in enumerate(("alt_region", "alt_area", "alt_country")):
        taken = np.bincount(g, weights=cap & (tier <= t), minlength=n).astype(np.int64)
        base = ccount[gseg, t] if len(gseg) else np.zeros(0, dtype=np.int64)
        alts[name] = np.maximum(base - taken - bcap.astype(np.int64), 0)
    return pd.DataFrame(
        {
            "suppliers": suppliers,
            "value": np.where(unknown, np.nan, vsum),
            "value_basis": np.where(by_count, "count", "value"),
            "hhi": hhi,
            "outside_share": outside,
            "foreign_share": foreign,
            "geo_hhi": geo,
            **alts,
        },
        index=pd.RangeIndex(n, name="risk_point"),
    )


def score_risks(measures: pd.DataFrame, rule: RiskRule | None = None) -> pd.DataFrame:
    """Score risk points under ``rule``: findings, points, score and level.

    Parameters
    ----------
    measures
        One row per risk point with columns ``suppliers``, ``hhi``, ``foreign_share``,
        ``outside_share``, ``geo_hhi``, ``choke_point`` (bool), ``essential`` (bool),
        ``alt_region``, ``alt_area``, ``alt_country`` and, optionally,
        ``no_local_supply`` (bool; segment-level points).
    rule
        The scoring rule (default :class:`RiskRule`).

    Returns
    -------
    pandas.DataFrame
        Same index: one boolean column per finding in :data:`REASON_CODES`, ``score``
        (the sum of the points of the findings) and ``level``.

    Examples
    --------
    >>> m = pd.DataFrame({"suppliers": [1, 4], "hhi": [1.0, 0.25], "foreign_share": [1.0, 0.0],
    ...     "outside_share": [1.0, 0.0], "geo_hhi": [1.0, 0.25], "choke_point": [False, False],
    ...     "essential": [True, True], "alt_region": [0, 3], "alt_area": [0, 3],
    ...     "alt_country": [2, 9]})
    >>> s = score_risks(m)
    >>> s[["score", "level"]].to_dict("list")
    {'score': [8.0, 2.0], 'level': ['high', 'low']}
    """
    r = rule or RiskRule()
    m = measures
    multi = m["suppliers"].to_numpy() > 1
    hhi = m["hhi"].to_numpy(dtype=np.float64)
    foreign = m["foreign_share"].to_numpy(dtype=np.float64)
    outside = m["outside_share"].to_numpy(dtype=np.float64)
    geo = m["geo_hhi"].to_numpy(dtype=np.float64)
    alt_c = m["alt_country"].to_numpy()
    alt_area = m["alt_area"].to_numpy()
    if "no_local_supply" in m:
        nls = m["no_local_supply"].to_numpy(dtype=bool)
    else:
        nls = np.zeros(len(m), dtype=bool)
    with np.errstate(invalid="ignore"):
        found = {
            "no_local_supply": nls,
            "single_source": m["suppliers"].to_numpy() == 1,
            "concentrated": multi & (hhi >= r.hhi_high),
            "moderately_concentrated": multi & (hhi >= r.hhi_moderate) & (hhi < r.hhi_high),
            "foreign_dependent": foreign >= r.foreign_high,
            "foreign_exposed": (foreign >= r.foreign_some) & (foreign < r.foreign_high),
            "outside_dependent": outside >= r.outside_high,
            "geo_concentrated": multi & (geo >= r.geo_high),
            "choke_point": m["choke_point"].to_numpy(dtype=bool),
            "essential_input": m["essential"].to_numpy(dtype=bool),
            "no_domestic_alternative": alt_c == 0,
            "no_nearby_alternative": (alt_c > 0) & (alt_area == 0),
        }
    score = np.zeros(len(m), dtype=np.float64)
    for code in REASON_CODES:
        score += np.where(found[code], float(getattr(r, code)), 0.0)
    level = np.where(
        score >= r.high_at,
        RiskLevel.HIGH.value,
        np.where(score >= r.medium_at, RiskLevel.MEDIUM.value, RiskLevel.LOW.value),
    )
    out = pd.DataFrame(found, index=m.index)
    out["score"] = score
    # categorical: fast comparisons on millions of points; codes follow the rank
    out["level"] = pd.Categorical(level, categories=[v.value for v in RiskLevel])
    return out
