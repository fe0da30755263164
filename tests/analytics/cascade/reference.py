"""Plain reference implementation of the cascade model, for comparisons only.

Written straight from the equations in ``chainatlas.analytics.cascade.model`` in terms of
the remaining production ``h`` (not the loss), with dense matrices, one sector at a time
and one failing firm at a time. Slow on purpose: it shares no code with the package.
"""

from __future__ import annotations

import numpy as np


def _iterate(step, start, tol, max_iter):
    h = start.copy()
    for it in range(1, max_iter + 1):
        new = step(h)
        change = np.abs(new - h).max()
        h = new
        if change < tol:
            return h, it, True
    return h, max_iter, False


def propagate_reference(W, sector, C, psi, tol=1e-8, max_iter=10_000):
    """Return (h_down, h_up, h_combined, it_down, it_up, converged).

    ``W`` dense, ``sector`` integer codes, ``C[k, l]`` class of inputs from sector k to l.
    """
    W = np.asarray(W, dtype=float)
    sector = np.asarray(sector)
    n = W.shape[0]
    cap = 1.0 - np.asarray(psi, dtype=float)
    s_in = W.sum(axis=0)
    s_out = W.sum(axis=1)
    link_class = C[sector[:, None], sector[None, :]]  # class of the link j -> i
    # essential[k, j, i] = W_ji if j is in sector k and sector k is essential for i
    essential = np.stack(
        [np.where((sector[:, None] == k) & (link_class == 2), W, 0.0) for k in range(C.shape[0])]
    )
    essential_total = essential.sum(axis=1)  # (k, i): sum_{j in k} W_ji
    buys = essential_total > 0
    linear = np.where(link_class == 1, W, 0.0)

    def down(h):
        # h_i = min[min_k Pi_ik, 1 - sum_ne W_ji (1 - h_j) / s_in_i, 1 - psi_i]
        # Pi_ik = sum_{j in k} W_ji h_j / sum_{j in k} W_ji, only for sectors k that i buys from
        Pi = np.ones_like(essential_total)
        Pi[buys] = np.einsum("kji,j->ki", essential, h)[buys] / essential_total[buys]
        out = np.minimum(cap, Pi.min(axis=0))
        has_linear = linear.sum(axis=0) > 0
        lin = np.ones(n)
        lin[has_linear] = 1.0 - (linear.T @ (1.0 - h))[has_linear] / s_in[has_linear]
        return np.minimum(out, lin)

    def up(h):
        # h_i = min[sum_j W_ij h_j / sum_j W_ij, 1 - psi_i]
        sells = s_out > 0
        out = np.ones(n)
        out[sells] = (W @ h)[sells] / s_out[sells]
        return np.minimum(out, cap)

    hd, itd, okd = _iterate(down, cap, tol, max_iter)
    hu, itu, oku = _iterate(up, cap, tol, max_iter)
    return hd, hu, np.minimum(hd, hu), itd, itu, okd and oku


def esri_reference(W, sector, C, firms=None, tol=1e-8, max_iter=10_000):
    """ESRI_i = sum_j s_out_j (1 - h_j(T)) / sum_l s_out_l after psi = e_i, firm by firm."""
    W = np.asarray(W, dtype=float)
    n = W.shape[0]
    s_out = W.sum(axis=1)
    firms = range(n) if firms is None else firms
    values = []
    for f in firms:
        psi = np.zeros(n)
        psi[f] = 1.0
        h = propagate_reference(W, sector, C, psi, tol, max_iter)[2]
        values.append(s_out @ (1.0 - h) / s_out.sum())
    return np.array(values)
