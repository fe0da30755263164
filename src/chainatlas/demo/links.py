"""Supply links between demo enterprises, generated buyer batch by buyer batch.

Every link follows a segment edge of the buyer's main segment: the buyer picks an edge
(essential inputs more often), a product of the supplier segment (one per buyer and edge,
so several suppliers of one product compete) and a region class for the supplier (home
province, other provinces, abroad; choke-point segments are bought abroad more often).
Suppliers are drawn by preferential attachment, with probability proportional to output
to the power 0.8, from per-segment pools that hold only firm indices and cumulative
weights.

Some home buyers depend on a single foreign supplier for an essential choke-point input
(40% of such buyer-edge pairs), so risk analysis has single-source import dependencies to
find. A link's value is a share of the buyer's intermediate inputs (50-75% of its output),
split over its recorded suppliers, which together cover 30-85% of them, and capped at half
of the supplier's output; ``share`` is value over the buyer's total inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from chainatlas.demo.catalogue import Catalogue
from chainatlas.demo.population import GEO_FOREIGN, GEO_HOME, Population

__all__ = ["SupplierPools", "link_rows"]

Row = dict[str, object]

_MEDIAN_OUTPUT = 3e7
_CLASS_WEIGHT = np.array([0.5, 1.5, 3.0])
_SINGLE_SOURCE_SHARE = 0.4
_ROUNDS = 8
_FIRST_DAY = date(2016, 1, 1).toordinal()
_LAST_DAY = date(2024, 6, 30).toordinal()
# For a desired region class, where to look when a segment has no firm of that class.
_FALLBACK = ((0, 1, 2), (1, 0, 2), (2, 1, 0))
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)


class SupplierPools:
    """Per segment and region class, the firms that can supply it and their weights."""

    def __init__(self, pop: Population, cat: Catalogue, links_per_enterprise: float) -> None:
        n_seg = cat.n_segments
        firms = [np.arange(pop.n)]
        segs = [pop.seg1.astype(np.int64)]
        for extra in (pop.seg2, pop.seg3):
            has = np.flatnonzero(extra >= 0)
            firms.append(has)
            segs.append(extra[has].astype(np.int64))
        firm = np.concatenate(firms)
        key = np.concatenate(segs) * 3 + pop.geo[firm]
        order = np.argsort(key, kind="stable")
        self.firm = firm[order].astype(np.int32)
        keys = key[order]
        self.cw = np.concatenate([[0.0], np.cumsum(pop.output[self.firm] ** 0.8)])
        pools = np.arange(3 * n_seg)
        self.start = np.searchsorted(keys, pools, side="left")
        self.end = np.searchsorted(keys, pools, side="right")
        size = (self.end - self.start).reshape(n_seg, 3)
        self.resolved = np.full((n_seg, 3), -1, dtype=np.int64)
        for g, order_g in enumerate(_FALLBACK):
            for alt in reversed(order_g):
                self.resolved[:, g] = np.where(
                    size[:, alt] > 0, np.arange(n_seg) * 3 + alt, (self.resolved[:, g])
                )
        # Incoming edges of each segment as one increasing key: segment + cumulative weight.
        weights = _CLASS_WEIGHT[cat.edge_class[cat.in_edges]]
        self.in_key = np.empty(len(cat.in_edges))
        for s in range(n_seg):
            lo, hi = cat.in_ptr[s], cat.in_ptr[s + 1]
            if hi > lo:
                cum = np.cumsum(weights[lo:hi])
                self.in_key[lo:hi] = s + cum / cum[-1]
        self.foreign_share = np.where(
            cat.seg_choke, 0.35, np.where(cat.seg_position == 0, 0.12, 0.05)
        )
        # Links per buyer: 1 + Poisson(c * size^0.25), with c set to hit the target count.
        deg = cat.in_ptr[pop.seg1 + 1] - cat.in_ptr[pop.seg1]
        size_factor = (pop.output[deg > 0] / _MEDIAN_OUTPUT) ** 0.25
        target = links_per_enterprise * pop.n
        buyers = len(size_factor)
        self.base = 1 if target >= buyers else 0
        spread = max(target - self.base * buyers, 0.0)
        self.rate = spread / size_factor.sum() if buyers else 0.0

    def sample(self, seg: np.ndarray, geo: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Return a supplier index per request (-1 when the segment has no firm)."""
        pool = self.resolved[seg, geo]
        ok = pool >= 0
        out = np.full(len(seg), -1, dtype=np.int64)
        p = pool[ok]
        lo, hi = self.cw[self.start[p]], self.cw[self.end[p]]
        pos = np.searchsorted(self.cw, lo + u[ok] * (hi - lo), side="right") - 1
        pos = np.clip(pos, self.start[p], self.end[p] - 1)
        out[ok] = self.firm[pos]
        return out


def _hash01(a: np.ndarray, b: np.ndarray, salt: int) -> np.ndarray:
    """Return a deterministic uniform number in [0, 1) for each pair (a, b)."""
    x = a.astype(np.uint64) * _M1 ^ (b.astype(np.uint64) + np.uint64(salt)) * _M2
    x ^= x >> np.uint64(31)
    x *= _M3
    x ^= x >> np.uint64(29)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


@dataclass(frozen=True, slots=True)
class _Draw:
    """Candidate links: buyer, edge, supplier segment, supplier, product, single-source."""

    buyer: np.ndarray
    edge: np.ndarray
    seg: np.ndarray
    supplier: np.ndarray
    local: np.ndarray
    product: np.ndarray
    single: np.ndarray

    def take(self, at: np.ndarray) -> _Draw:
        return _Draw(*(getattr(self, f)[at] for f in _Draw.__slots__))

    @staticmethod
    def join(a: _Draw, b: _Draw) -> _Draw:
        return _Draw(*(np.concatenate([getattr(a, f), getattr(b, f)]) for f in _Draw.__slots__))


def _draw(
    buyer: np.ndarray,
    pop: Population,
    cat: Catalogue,
    pools: SupplierPools,
    rng: np.random.Generator,
    salt: int,
) -> _Draw:
    """Draw one candidate link per entry of ``buyer`` (firm indices)."""
    n = len(buyer)
    sb = pop.seg1[buyer].astype(np.int64)
    pos = np.searchsorted(pools.in_key, sb + rng.random(n), side="left")
    pos = np.clip(pos, cat.in_ptr[sb], cat.in_ptr[sb + 1] - 1)
    edge = cat.in_edges[pos].astype(np.int64)
    ss = cat.edge_supplier[edge].astype(np.int64)
    geo_b = pop.geo[buyer]
    f = pools.foreign_share[ss]
    domestic = 1.0 - f
    p_home = np.select(
        [geo_b == GEO_HOME, geo_b == GEO_FOREIGN], [0.5 * domestic, 0.2], 0.2 * domestic
    )
    p_other = np.select(
        [geo_b == GEO_HOME, geo_b == GEO_FOREIGN], [0.5 * domestic, 0.3], 0.8 * domestic
    )
    u = rng.random(n)
    desired = (u >= p_home).astype(np.int64) + (u >= p_home + p_other)
    single = (
        (geo_b == GEO_HOME)
        & (cat.edge_class[edge] == 2)
        & cat.seg_choke[ss]
        & (_hash01(buyer, edge, salt) < _SINGLE_SOURCE_SHARE)
    )
    desired[single] = GEO_FOREIGN
    supplier = pools.sample(ss, desired, rng.random(n))
    n_products = cat.product_offset[ss + 1] - cat.product_offset[ss]
    local = np.floor(_hash01(buyer, edge, salt + 1) * n_products).astype(np.int64)
    return _Draw(buyer, edge, ss, supplier, local, cat.product_offset[ss] + local, single)


def _select(draw: _Draw, n_firms: int, n_edges: int, n_products: int) -> np.ndarray:
    """Return the indices of the candidates to keep, in draw order.

    Dropped are self links, segments without firms, repeats of a (supplier, buyer,
    product) and any second supplier of a single-source (buyer, edge) pair.
    """
    keep = (draw.supplier >= 0) & (draw.supplier != draw.buyer)
    at = np.flatnonzero(draw.single)
    if len(at):
        _, first = np.unique(draw.buyer[at] * n_edges + draw.edge[at], return_index=True)
        extra = np.ones(len(at), dtype=bool)
        extra[first] = False
        keep[at[extra]] = False
    at = np.flatnonzero(keep)
    key = (draw.buyer[at] * n_firms + draw.supplier[at]) * n_products + draw.product[at]
    _, first = np.unique(key, return_index=True)
    chosen: np.ndarray = at[np.sort(first)]
    return chosen


def link_rows(
    lo: int,
    hi: int,
    first_id: int,
    pop: Population,
    cat: Catalogue,
    pools: SupplierPools,
    rng: np.random.Generator,
    provenance: Row,
    salt: int,
) -> list[Row]:
    """Return the ``supply_links`` rows whose buyers are firms lo..hi-1.

    Candidates that are dropped (see :func:`_select`) are drawn again, on a new edge and
    supplier, for up to seven more rounds, so the number of links per buyer stays close to
    the one planned unless its segments have too few suppliers.
    """
    idx = np.arange(lo, hi)
    seg_b = pop.seg1[idx].astype(np.int64)
    deg = cat.in_ptr[seg_b + 1] - cat.in_ptr[seg_b]
    buyers = idx[deg > 0]
    if len(buyers) == 0:
        return []
    lam = pools.rate * (pop.output[buyers] / _MEDIAN_OUTPUT) ** 0.25
    wanted = np.repeat(buyers, rng.poisson(lam) + pools.base)
    n_edges, n_products = len(cat.edge_class), int(cat.product_offset[-1])
    kept = _draw(wanted[:0], pop, cat, pools, rng, salt)
    for _round in range(_ROUNDS):
        fresh = _draw(wanted, pop, cat, pools, rng, salt)
        both = _Draw.join(kept, fresh)
        chosen = _select(both, pop.n, n_edges, n_products)
        old = len(kept.buyer)
        redo = np.ones(len(fresh.buyer), dtype=bool)
        redo[chosen[chosen >= old] - old] = False
        kept = both.take(chosen)
        wanted = fresh.buyer[redo]
        if len(wanted) == 0:
            break
    order = np.argsort(kept.buyer, kind="stable")
    kept = kept.take(order)
    return _rows(lo, hi, first_id, kept, pop, cat, rng, provenance)


def _rows(
    lo: int,
    hi: int,
    first_id: int,
    kept: _Draw,
    pop: Population,
    cat: Catalogue,
    rng: np.random.Generator,
    provenance: Row,
) -> list[Row]:
    """Give each kept link its value, share, start date and confidence; build the rows."""
    buyer, supplier = kept.buyer, kept.supplier
    m = len(buyer)
    # Values: shares of the buyer's intermediate inputs, capped by the supplier's output.
    local_b = buyer - lo
    inputs = pop.output[lo:hi] * rng.uniform(0.5, 0.75, hi - lo)
    coverage = rng.uniform(0.3, 0.85, hi - lo)
    w = rng.gamma(2.0, 1.0, m) * pop.output[supplier] ** 0.2
    total_w = np.bincount(local_b, weights=w, minlength=hi - lo)
    value = coverage[local_b] * w / total_w[local_b] * inputs[local_b]
    value = np.minimum(value, 0.5 * pop.output[supplier])
    share = np.minimum(np.round(value / inputs[local_b], 6), 1.0)
    start = np.minimum(
        np.maximum(np.maximum(pop.founded[supplier], pop.founded[buyer]), _FIRST_DAY), _LAST_DAY
    )
    day = start + np.floor(rng.random(m) * (_LAST_DAY - start + 1)).astype(np.int64)
    confidence = np.round(rng.uniform(0.6, 1.0, m), 2).tolist()
    days: dict[int, date] = {}
    rows: list[Row] = []
    columns = zip(
        (supplier + 1).tolist(),
        (buyer + 1).tolist(),
        kept.seg.tolist(),
        kept.local.tolist(),
        np.round(value, 2).tolist(),
        share.tolist(),
        day.tolist(),
        confidence,
        strict=True,
    )
    for i, (sup, buy, s, local, val, sh, d, conf) in enumerate(columns):
        when = days.get(d)
        if when is None:
            when = days[d] = date.fromordinal(d)
        rows.append(
            {
                "id": first_id + i,
                "supplier_id": sup,
                "buyer_id": buy,
                "product": cat.seg_products[s][local],
                "segment_id": s + 1,
                "annual_value": val,
                "share": sh,
                "valid_from": when,
                "confidence": conf,
                **provenance,
            }
        )
    return rows
