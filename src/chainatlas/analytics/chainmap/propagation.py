"""Propagation along supply links: dependence weights, downstream exposure, event reach.

Enterprises are positions 0..n-1; a link ``l`` runs from ``supplier_l`` to ``buyer_l``
with a dependence weight ``w_l``: the share of the buyer's inputs that come over it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from chainatlas.errors import InvalidData

__all__ = ["Reach", "dependence_weights", "downstream_exposure", "downstream_reach"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _links(supplier: npt.ArrayLike, buyer: npt.ArrayLike, n: int) -> tuple[IntArray, IntArray]:
    sup = np.asarray(supplier, dtype=np.int64)
    buy = np.asarray(buyer, dtype=np.int64)
    if sup.shape != buy.shape or sup.ndim != 1:
        raise InvalidData("supplier and buyer must be one-dimensional arrays of one length")
    if len(sup) and (min(sup.min(), buy.min()) < 0 or max(sup.max(), buy.max()) >= n):
        raise InvalidData(f"link ends must be enterprise positions 0..{n - 1}")
    return sup, buy


def dependence_weights(
    buyer: npt.ArrayLike, value: npt.ArrayLike, share: npt.ArrayLike, n: int
) -> FloatArray:
    """Compute each link's share of its buyer's inputs, w_l ∈ [0, 1].

    ``w_l = share_l`` where the link records a share; otherwise ``w_l = v_l / Σ_{l' → b}
    v_l'`` over the buyer's links with a known value; otherwise ``1 / k_b`` with ``k_b``
    the buyer's number of links. Finally each buyer's weights are scaled down, when they
    sum to more than 1, so that ``Σ_{l → b} w_l ≤ 1``.

    Examples
    --------
    >>> dependence_weights([0, 0, 1, 1], [30.0, 10.0, float("nan"), float("nan")],
    ...                    [float("nan"), float("nan"), float("nan"), 0.2], 2).tolist()
    [0.75, 0.25, 0.5, 0.2]
    """
    buy = np.asarray(buyer, dtype=np.int64)
    v = np.asarray(value, dtype=np.float64)
    s = np.asarray(share, dtype=np.float64)
    if not (buy.shape == v.shape == s.shape):
        raise InvalidData("buyer, value and share must have the same length")
    has_v = ~np.isnan(v)
    vsum = np.bincount(buy, weights=np.where(has_v, v, 0.0), minlength=n)
    k = np.bincount(buy, minlength=n).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        by_value = np.where(has_v & (vsum[buy] > 0), v / vsum[buy], np.nan)
        w = np.where(~np.isnan(s), s, np.where(~np.isnan(by_value), by_value, 1.0 / k[buy]))
    w = np.clip(w, 0.0, 1.0)
    total = np.bincount(buy, weights=w, minlength=n)
    scale = np.where(total > 1.0, 1.0 / np.maximum(total, 1e-300), 1.0)
    return (w * scale[buy]).astype(np.float64)


def downstream_exposure(
    supplier: npt.ArrayLike,
    buyer: npt.ArrayLike,
    weight: npt.ArrayLike,
    x: npt.ArrayLike,
    *,
    hops: int = 10,
) -> FloatArray:
    """Compute the output that depends on each enterprise, directly and downstream.

    ``e = x + W x + W² x + … + W^H x`` with ``W[b, c] = w_bc`` (the share of ``c``'s
    inputs that come from ``b``), i.e. the truncated series of ``e = x + W e``: an
    enterprise's own output plus the output of every enterprise downstream of it, each in
    proportion to how much of its inputs come, directly or through others, from it.
    ``H = hops`` bounds the path length (cycles in the supply network would otherwise
    count output again and again).

    Parameters
    ----------
    supplier, buyer
        Enterprise positions of each link.
    weight
        Dependence weight of each link (:func:`dependence_weights`).
    x
        Output of each enterprise (set it to 0 for enterprises that should not count,
        e.g. outside the region).
    hops
        Longest path counted (default 10).

    Returns
    -------
    numpy.ndarray
        Exposure per enterprise, in the unit of ``x``.

    Examples
    --------
    A chain 0 → 1 → 2 where 2 buys half its inputs from 1, and 1 all from 0:

    >>> downstream_exposure([0, 1], [1, 2], [1.0, 0.5], [10.0, 20.0, 40.0]).tolist()
    [50.0, 40.0, 40.0]
    """
    xv = np.asarray(x, dtype=np.float64)
    n = len(xv)
    sup, buy = _links(supplier, buyer, n)
    w = np.asarray(weight, dtype=np.float64)
    if w.shape != sup.shape:
        raise InvalidData("weight must have one entry per link")
    if hops < 0:
        raise InvalidData("hops must not be negative")
    e = xv.copy()
    for _ in range(hops):
        # (W e)_b = Σ_{l: sup_l = b} w_l e_{buy_l}
        nxt = xv + np.bincount(sup, weights=w * e[buy], minlength=n)
        # converged: no entry moved by more than 1e-12 of itself (np.allclose with
        # rtol=1e-12, atol=0, in fewer passes over the arrays)
        moved = np.abs(nxt - e)
        if not (moved > 1e-12 * np.abs(e)).any():
            e = nxt
            break
        e = nxt
    return e


@dataclass(frozen=True, slots=True)
class Reach:
    """Who a disruption reaches: hop distance and the share of inputs lost, per enterprise.

    ``hop`` is -1 for enterprises not reached, 0 for the disrupted ones, 1 for their
    direct buyers, and so on. ``loss`` is the share of the enterprise's supply lost
    (0..1). ``via`` is, for each enterprise reached at hop ≥ 1, one link position on a
    shortest path to it (-1 otherwise), so each path can be traced back.
    """

    hop: IntArray
    loss: FloatArray
    via: IntArray


def downstream_reach(
    supplier: npt.ArrayLike,
    buyer: npt.ArrayLike,
    weight: npt.ArrayLike,
    node_severity: npt.ArrayLike,
    link_severity: npt.ArrayLike | None = None,
    *,
    max_hops: int | None = None,
) -> Reach:
    """Follow a disruption down the supply network, hop by hop.

    Disrupted enterprises (``node_severity > 0``) are hop 0; a link is disrupted when its
    supplier is reached or ``link_severity > 0``; its buyer is reached one hop later
    (breadth-first, so ``hop`` is the shortest distance). The share lost on a link is
    ``d_l = max(link_severity_l, loss_{supplier_l})`` and an enterprise's loss is

        loss_c = max(node_severity_c, min(1, Σ_{l → c} w_l d_l)),

    iterated to its fixed point (the linear inoperability idea with a cap at 1).

    Parameters
    ----------
    supplier, buyer
        Enterprise positions of each link.
    weight
        Dependence weight of each link.
    node_severity
        Severity (0..1) of the disruption at each enterprise, 0 where not disrupted.
    link_severity
        Severity (0..1) on each link (product events), default none.
    max_hops
        Stop after this many hops (default: follow the whole downstream chain).

    Returns
    -------
    Reach
        Hop distance, loss and one incoming link on a shortest path, per enterprise.

    Examples
    --------
    >>> r = downstream_reach([0, 1, 2], [1, 2, 3], [1.0, 0.5, 1.0], [0.8, 0, 0, 0])
    >>> r.hop.tolist(), r.loss.round(2).tolist(), r.via.tolist()
    ([0, 1, 2, 3], [0.8, 0.8, 0.4, 0.4], [-1, 0, 1, 2])
    """
    sev = np.asarray(node_severity, dtype=np.float64)
    n = len(sev)
    sup, buy = _links(supplier, buyer, n)
    w = np.asarray(weight, dtype=np.float64)
    lsev = np.zeros(len(sup)) if link_severity is None else np.asarray(link_severity, np.float64)
    if w.shape != sup.shape or lsev.shape != sup.shape:
        raise InvalidData("weight and link_severity must have one entry per link")
    if ((sev < 0) | (sev > 1)).any() or ((lsev < 0) | (lsev > 1)).any():
        raise InvalidData("severities must be between 0 and 1")
    hop = np.full(n, -1, dtype=np.int64)
    via = np.full(n, -1, dtype=np.int64)
    hop[sev > 0] = 0
    reached = sev > 0
    link_hit = lsev > 0
    depth = 0
    limit = n + 1 if max_hops is None else max_hops
    while depth < limit:
        active = np.flatnonzero((reached[sup] & (hop[sup] == depth)) | (link_hit & (depth == 0)))
        new = active[~reached[buy[active]]]
        if len(new) == 0:
            break
        depth += 1
        # first link (in input order) reaching each new buyer is kept for tracing
        order = np.argsort(buy[new], kind="stable")
        ends, first = np.unique(buy[new][order], return_index=True)
        hop[ends] = depth
        via[ends] = new[order][first]
        reached[ends] = True
    loss = np.where(sev > 0, sev, 0.0)
    live = reached[sup] | (lsev > 0)
    for _ in range(max(depth, 1) * 2 + 50):
        d = np.maximum(lsev, loss[sup])
        inflow = np.minimum(1.0, np.bincount(buy[live], weights=(w * d)[live], minlength=n))
        nxt = np.maximum(np.where(sev > 0, sev, 0.0), np.where(reached, inflow, 0.0))
        if np.allclose(nxt, loss, rtol=0.0, atol=1e-12):
            loss = nxt
            break
        loss = nxt
    return Reach(hop, loss.astype(np.float64), via)
