"""The demo's enterprises as compact arrays: where each firm is, what it makes, how big it is.

Everything later tables need to stay consistent (segments, size, founding date, the region
for credit codes and indicators) is drawn here once, vectorised, at about 60 bytes per firm;
names, codes and yearly figures are drawn later, one batch at a time. A million firms take
about 60 MB.

The home province gets a chain structure to find: in every chain some segments are
*strong* (many local firms), some *weak* (a few) and some *missing* (none), chosen by the
seed. Output is log-normal (a heavy tail) and each chain gets one or two home-province
chain owners (链主) with tens of billions of yuan of output.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from chainatlas.demo.catalogue import Catalogue
from chainatlas.demo.regions import RegionTree

__all__ = [
    "GEO_FOREIGN",
    "GEO_HOME",
    "GEO_OTHER",
    "OWNERSHIPS",
    "ROLE_MISSING",
    "ROLE_NORMAL",
    "ROLE_STRONG",
    "ROLE_WEAK",
    "SIZE_CLASSES",
    "SRDI_LEVELS",
    "Population",
    "build_population",
]

GEO_HOME, GEO_OTHER, GEO_FOREIGN = 0, 1, 2
ROLE_NORMAL, ROLE_STRONG, ROLE_WEAK, ROLE_MISSING = 0, 1, 2, 3
SIZE_CLASSES = ("large", "medium", "small", "micro")
SRDI_LEVELS = ("none", "seedling", "provincial", "national")
OWNERSHIPS = ("state", "private", "joint_venture", "foreign", "collective", "other")

_GEO_SHARES = (0.55, 0.37, 0.08)
_ROLE_WEIGHT = np.array([1.0, 4.0, 0.12, 0.0])
_POSITION_SIZE = np.array([1.0, 2.0, 1.2])
_PARK_SHARE = 0.45
AS_OF = date(2024, 12, 31)

_CHAIN_WEIGHT = {"nev": 1.3, "lithium_battery": 1.1, "new_display": 0.7, "industrial_robot": 0.8}
_RD_BASE = {
    "integrated_circuit": 0.09,
    "biomedicine": 0.10,
    "artificial_intelligence": 0.12,
    "new_display": 0.05,
    "industrial_robot": 0.06,
    "nev": 0.04,
    "lithium_battery": 0.045,
    "photovoltaic": 0.04,
}
_GROWTH = {
    "nev": 0.20,
    "lithium_battery": 0.16,
    "photovoltaic": 0.12,
    "integrated_circuit": 0.10,
    "artificial_intelligence": 0.15,
    "biomedicine": 0.06,
    "industrial_robot": 0.08,
    "new_display": 0.05,
}
FOREIGN_BY_CHAIN: dict[str, dict[str, float]] = {
    "nev": {"DE": 0.35, "JP": 0.3, "US": 0.2, "KR": 0.15},
    "lithium_battery": {"JP": 0.35, "KR": 0.35, "US": 0.15, "DE": 0.15},
    "integrated_circuit": {"US": 0.35, "JP": 0.25, "NL": 0.15, "KR": 0.15, "DE": 0.1},
    "new_display": {"JP": 0.45, "KR": 0.35, "US": 0.1, "DE": 0.1},
    "photovoltaic": {"DE": 0.35, "US": 0.25, "JP": 0.25, "KR": 0.15},
    "biomedicine": {"US": 0.45, "DE": 0.3, "JP": 0.15, "NL": 0.1},
    "industrial_robot": {"JP": 0.45, "DE": 0.4, "US": 0.1, "KR": 0.05},
    "artificial_intelligence": {"US": 0.6, "KR": 0.15, "JP": 0.15, "NL": 0.1},
}


@dataclass(frozen=True, slots=True)
class Population:
    """Per-firm arrays for firms 0..n-1 (enterprise id = index + 1).

    ``geo`` is 0 home province, 1 other province, 2 foreign. ``region_id`` is the district
    (home), city (other provinces) or country (foreign); ``park_id`` 0 when none.
    ``seg1`` is the main segment, ``seg2``/``seg3`` further segments or -1. ``output`` is
    2024 gross output in yuan; ``founded`` and ``listed_day`` are date ordinals (0: not
    listed). ``size``, ``srdi`` and ``ownership`` index :data:`SIZE_CLASSES`,
    :data:`SRDI_LEVELS` and :data:`OWNERSHIPS`. ``roles`` gives each segment's role in the
    home province (``ROLE_*``).
    """

    n: int
    geo: np.ndarray
    region_id: np.ndarray
    park_id: np.ndarray
    city_id: np.ndarray
    province_id: np.ndarray
    seg1: np.ndarray
    seg2: np.ndarray
    seg3: np.ndarray
    output: np.ndarray
    revenue_ratio: np.ndarray
    employees: np.ndarray
    rd_intensity: np.ndarray
    growth: np.ndarray
    founded: np.ndarray
    listed_day: np.ndarray
    high_tech: np.ndarray
    srdi: np.ndarray
    size: np.ndarray
    ownership: np.ndarray
    chain_owner: np.ndarray
    roles: np.ndarray

    def chain_of(self, cat: Catalogue) -> np.ndarray:
        """Return each firm's chain index (the chain of its main segment)."""
        chain: np.ndarray = cat.seg_chain[self.seg1]
        return chain


def build_population(
    n: int, cat: Catalogue, tree: RegionTree, rng: np.random.Generator
) -> Population:
    """Draw ``n`` firms: location, segments, size and status (see the module docstring)."""
    roles = _segment_roles(cat, rng)
    geo = rng.choice(3, size=n, p=_GEO_SHARES).astype(np.int8)
    seg1 = np.empty(n, dtype=np.int16)
    for g in (GEO_HOME, GEO_OTHER, GEO_FOREIGN):
        at = np.flatnonzero(geo == g)
        weights = _segment_weights(cat, roles, g)
        seg1[at] = rng.choice(cat.n_segments, size=len(at), p=weights / weights.sum())
    _fill_weak_segments(seg1, geo, roles, cat, rng)
    seg2, seg3 = _more_segments(seg1, geo, roles, cat, rng)
    region_id, park_id, city_id, province_id = _place(geo, seg1, cat, tree, rng)
    chain_codes = [c.code for c in cat.chains]
    chain = cat.seg_chain[seg1]

    # Output: log-normal around a median set by segment importance and position.
    median = 3e7 * (0.6 + 0.4 * cat.seg_importance[seg1]) * _POSITION_SIZE[cat.seg_position[seg1]]
    sigma = np.where(geo == GEO_FOREIGN, 1.2, 1.7)
    median = np.where(geo == GEO_FOREIGN, median * 6, median)
    output = np.clip(np.exp(np.log(median) + sigma * rng.standard_normal(n)), 5e5, 3e11)
    chain_owner = _crown_chain_owners(output, geo, seg1, roles, cat, rng)

    productivity = np.exp(rng.normal(np.log(1.2e6), 0.45, n)) * np.where(geo == 2, 1.5, 1.0)
    employees = np.clip(np.rint(output / productivity), 3, 400_000).astype(np.int32)
    revenue_ratio = rng.uniform(0.92, 1.08, n).astype(np.float32)
    revenue = output * revenue_ratio
    size = _size_class(employees, revenue)
    rd_base = np.array([_RD_BASE.get(code, 0.04) for code in chain_codes])[chain]
    rd = rd_base * np.exp(rng.normal(0.0, 0.6, n)) * np.where(size == 3, 0.6, 1.0)
    rd_intensity = np.clip(rd, 0.002, 0.35).astype(np.float32)
    growth_mean = np.array([_GROWTH.get(code, 0.08) for code in chain_codes])[chain]
    growth = np.clip(rng.normal(growth_mean, 0.10), -0.3, 0.8).astype(np.float32)

    scale_years = 3 * np.clip(np.log10(output / 1e7), 0, 4)
    age = 1 + rng.gamma(2.0, 4.0, n) + scale_years + np.where(geo == GEO_FOREIGN, 15, 0)
    age = np.minimum(age, 44.0)
    founded = (AS_OF.toordinal() - np.rint(age * 365.25)).astype(np.int32)

    domestic = geo != GEO_FOREIGN
    p_listed = np.select(
        [revenue > 1e9, revenue > 3e8, size < 3], [0.45, 0.07, 0.002], default=0.0
    ) * np.where(domestic, 1.0, 0.8)
    listed = rng.random(n) < p_listed
    first = np.maximum(founded + 3 * 365, date(2000, 1, 1).toordinal())
    span = np.maximum(AS_OF.toordinal() - first, 0)
    listed_day = np.where(listed, first + np.floor(rng.random(n) * span), 0).astype(np.int32)

    threshold = np.select([revenue <= 5e7, revenue <= 2e8], [0.05, 0.04], default=0.03)
    high_tech = domestic & (rd_intensity >= threshold) & (rng.random(n) < 0.65)
    srdi = _srdi_levels(domestic, size, high_tech, rd_intensity, rng)
    ownership = _ownership(geo, output, rng)
    return Population(
        n=n,
        geo=geo,
        region_id=region_id,
        park_id=park_id,
        city_id=city_id,
        province_id=province_id,
        seg1=seg1,
        seg2=seg2,
        seg3=seg3,
        output=output,
        revenue_ratio=revenue_ratio,
        employees=employees,
        rd_intensity=rd_intensity,
        growth=growth,
        founded=founded,
        listed_day=listed_day,
        high_tech=high_tech,
        srdi=srdi,
        size=size,
        ownership=ownership,
        chain_owner=chain_owner,
        roles=roles,
    )


def _segment_roles(cat: Catalogue, rng: np.random.Generator) -> np.ndarray:
    """Mark, per chain, the home province's strong, weak and missing segments."""
    roles = np.zeros(cat.n_segments, dtype=np.int8)
    for c in range(len(cat.chains)):
        segs = cat.chain_segments(c)
        n = len(segs)
        if n < 4:
            continue
        pos = cat.seg_position[segs]
        # Missing links are mostly choke points bought from elsewhere; never the segment
        # the chain owner would sit in.
        core = segs[np.argmax(cat.seg_importance[segs] * (pos > 0))]
        w_missing = np.where(cat.seg_choke[segs], 4.0, 1.0) * np.where(pos == 0, 1.5, 1.0)
        w_missing[segs == core] = 0.0
        missing = _pick(rng, segs, w_missing, max(1, round(0.15 * n)))
        roles[missing] = ROLE_MISSING
        free = roles[segs] == ROLE_NORMAL
        w_weak = np.where(cat.seg_choke[segs], 2.0, 1.0) * free
        w_weak[segs == core] = 0.0
        roles[_pick(rng, segs, w_weak, max(1, round(0.2 * n)))] = ROLE_WEAK
        free = roles[segs] == ROLE_NORMAL
        w_strong = cat.seg_importance[segs] * np.where(pos > 0, 2.0, 1.0) * free
        roles[_pick(rng, segs, w_strong, max(1, round(0.2 * n)))] = ROLE_STRONG
        roles[core] = ROLE_STRONG
    return roles


def _pick(rng: np.random.Generator, items: np.ndarray, w: np.ndarray, k: int) -> np.ndarray:
    k = min(k, int(np.count_nonzero(w)))
    if k == 0:
        return items[:0]
    return rng.choice(items, size=k, replace=False, p=w / w.sum())


def _segment_weights(cat: Catalogue, roles: np.ndarray, geo: int) -> np.ndarray:
    """Return how likely a firm of ``geo`` is to have each segment as its main one."""
    chain_w = np.array([_CHAIN_WEIGHT.get(c.code, 1.0) for c in cat.chains])
    totals = np.bincount(cat.seg_chain, weights=cat.seg_importance)
    w: np.ndarray = cat.seg_importance * chain_w[cat.seg_chain] / totals[cat.seg_chain]
    if geo == GEO_HOME:
        home: np.ndarray = w * _ROLE_WEIGHT[roles]
        return home
    if geo == GEO_OTHER:
        other: np.ndarray = w * np.where(cat.seg_choke, 0.7, 1.0)
        return other
    upstream = cat.seg_position == 0
    downstream = cat.seg_position == 2
    foreign: np.ndarray = (
        w
        * np.where(cat.seg_choke, 5.0, 1.0)
        * np.where(upstream, 1.5, 1.0)
        * np.where(downstream, 0.2, 1.0)
    )
    return foreign


def _fill_weak_segments(
    seg1: np.ndarray, geo: np.ndarray, roles: np.ndarray, cat: Catalogue, rng: np.random.Generator
) -> None:
    """Give every weak segment at least one home firm, taken from a crowded segment."""
    home = np.flatnonzero(geo == GEO_HOME)
    for s in np.flatnonzero(roles == ROLE_WEAK):
        counts = np.bincount(seg1[home], minlength=cat.n_segments)
        if counts[s] > 0:
            continue
        donors = home[counts[seg1[home]] > 2]
        if len(donors) == 0:
            return
        seg1[donors[rng.integers(len(donors))]] = s


def _more_segments(
    seg1: np.ndarray, geo: np.ndarray, roles: np.ndarray, cat: Catalogue, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Give 35% of firms a neighbouring segment and 8% a third one (any chain)."""
    n = len(seg1)
    deg = cat.nb_ptr[seg1 + 1] - cat.nb_ptr[seg1]
    pick = cat.nb_ptr[seg1] + np.floor(rng.random(n) * np.maximum(deg, 1)).astype(np.int64)
    seg2 = np.where(
        (rng.random(n) < 0.35) & (deg > 0), cat.nb_segs[np.minimum(pick, len(cat.nb_segs) - 1)], -1
    ).astype(np.int16)
    seg3 = np.full(n, -1, dtype=np.int16)
    wants = np.flatnonzero(rng.random(n) < 0.08)
    for g in (GEO_HOME, GEO_OTHER, GEO_FOREIGN):
        at = wants[geo[wants] == g]
        weights = _segment_weights(cat, roles, g)
        seg3[at] = rng.choice(cat.n_segments, size=len(at), p=weights / weights.sum())
    home = geo == GEO_HOME
    seg2[home & (seg2 >= 0) & (roles[np.maximum(seg2, 0)] == ROLE_MISSING)] = -1
    seg3[(seg3 == seg1) | (seg3 == seg2)] = -1
    return seg2, seg3


def _place(
    geo: np.ndarray, seg1: np.ndarray, cat: Catalogue, tree: RegionTree, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return region, park, city and province ids (country ids for foreign firms)."""
    n = len(geo)
    region = np.zeros(n, dtype=np.int32)
    park = np.zeros(n, dtype=np.int32)
    city = np.zeros(n, dtype=np.int32)
    province = np.zeros(n, dtype=np.int32)
    home = np.flatnonzero(geo == GEO_HOME)
    w = np.array(tree.home_city_weights)
    cities = np.array(tree.home_cities)[rng.choice(len(w), size=len(home), p=w / w.sum())]
    city[home] = cities
    province[home] = tree.home_province_id
    u = rng.random(len(home))
    v = rng.random(len(home))
    wants_park = rng.random(len(home)) < _PARK_SHARE
    for c in tree.home_cities:
        at = np.flatnonzero(cities == c)
        districts = np.array(tree.districts[c])
        chosen = districts[np.floor(u[at] * len(districts)).astype(np.int64)]
        region[home[at]] = chosen
        for d, parks in tree.parks.items():
            here = at[(chosen == d) & wants_park[at]]
            park[home[here]] = np.array(parks)[np.floor(v[here] * len(parks)).astype(np.int64)]
    other = np.flatnonzero(geo == GEO_OTHER)
    pairs = np.array(tree.other_cities)
    w = np.array(tree.other_city_weights)
    chosen_pairs = pairs[rng.choice(len(w), size=len(other), p=w / w.sum())]
    province[other] = chosen_pairs[:, 0]
    city[other] = chosen_pairs[:, 1]
    region[other] = chosen_pairs[:, 1]
    foreign = np.flatnonzero(geo == GEO_FOREIGN)
    chain = cat.seg_chain[seg1[foreign]]
    u = rng.random(len(foreign))
    for c, ch in enumerate(cat.chains):
        weights = FOREIGN_BY_CHAIN.get(ch.code) or dict.fromkeys(("JP", "KR", "DE", "US"), 1.0)
        ids = np.array([tree.countries[k] for k in weights])
        cum = np.cumsum(list(weights.values()))
        at = np.flatnonzero(chain == c)
        pick = np.searchsorted(cum / cum[-1], u[at], side="right")
        region[foreign[at]] = ids[np.minimum(pick, len(ids) - 1)]
    city[foreign] = region[foreign]
    province[foreign] = region[foreign]
    return region, park, city, province


def _crown_chain_owners(
    output: np.ndarray,
    geo: np.ndarray,
    seg1: np.ndarray,
    roles: np.ndarray,
    cat: Catalogue,
    rng: np.random.Generator,
) -> np.ndarray:
    """Make the largest home firms of each chain's mid/downstream into chain owners."""
    owner = np.zeros(len(output), dtype=bool)
    eligible = (geo == GEO_HOME) & (cat.seg_position[seg1] > 0) & (roles[seg1] != ROLE_WEAK)
    per_chain = 2 if len(output) >= 1000 else 1
    chain = cat.seg_chain[seg1]
    for c in range(len(cat.chains)):
        at = np.flatnonzero(eligible & (chain == c))
        if len(at) == 0:
            continue
        top = at[np.argsort(-output[at], kind="stable")[:per_chain]]
        big = np.clip(np.exp(rng.normal(np.log(2.5e10), 0.5, len(top))), 8e9, 1.2e11)
        output[top] = np.maximum(output[top], big)
        owner[top] = True
    return owner


def _size_class(employees: np.ndarray, revenue: np.ndarray) -> np.ndarray:
    """Industrial size classes of the NBS rule (统计上大中小微型企业划分办法, 2017).

    Large: 1,000+ employees and revenue of 400 million yuan or more; medium: 300+ and 20
    million; small: 20+ and 3 million; otherwise micro. A firm must meet both floors.
    """
    return np.select(
        [
            (employees >= 1000) & (revenue >= 4e8),
            (employees >= 300) & (revenue >= 2e7),
            (employees >= 20) & (revenue >= 3e6),
        ],
        [0, 1, 2],
        default=3,
    ).astype(np.int8)


def _srdi_levels(
    domestic: np.ndarray,
    size: np.ndarray,
    high_tech: np.ndarray,
    rd: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """专精特新 levels for domestic SMEs that invest in R&D (micro firms: seedling only)."""
    eligible = domestic & (size > 0) & (high_tech | (rd >= 0.03))
    u = rng.random(len(size))
    level = np.select([u < 0.03, u < 0.13, u < 0.33], [3, 2, 1], default=0)
    level = np.where(size == 3, np.minimum(level, 1), level)
    return np.where(eligible, level, 0).astype(np.int8)


def _ownership(geo: np.ndarray, output: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = len(geo)
    small = rng.choice(6, size=n, p=[0.08, 0.76, 0.07, 0.04, 0.01, 0.04])
    big = rng.choice(6, size=n, p=[0.30, 0.55, 0.10, 0.05, 0.0, 0.0])
    own = np.where(output > 5e9, big, small)
    return np.where(geo == GEO_FOREIGN, 3, own).astype(np.int8)
