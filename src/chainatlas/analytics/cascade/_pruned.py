r"""Pruned worklist propagation for ``esri(..., prune=eps)`` (Numba), an approximation.

**What it computes.** The same model and operators as the exact kernels (``_operators``:
``L_r = max(psi_r, max_{q in rows(r)} sum_k M_qk L_k)`` on the loss ``L = 1 - h``), but a
firm passes a rise of its loss on to the firms that read it only once the part not yet
passed on exceeds ``eps``. Per failing firm ``s`` and channel:

* every row ``q`` keeps the sum ``S_q = sum_k M_qk P_k`` of the *passed-on* losses
  ``P_k`` of its inputs, and every firm its loss ``L_r = max(psi_r, max_q S_q)``;
* a FIFO worklist starts with ``s`` (``L_s = 1``, ``P_s = 0``); taking firm ``k`` off the
  list passes on ``delta = L_k - P_k``: ``P_k = L_k`` and ``S_q += M_qk delta`` for every
  row ``q`` reading ``k``, which raises the loss of the row's firm ``r`` to ``S_q`` when
  larger; ``r`` joins the list when it is not on it and ``L_r - P_r > eps``;
* the scenario ends when the list is empty: every firm has passed on all but at most
  ``eps`` of its loss.

The work is one pass over the links of a firm each time it passes a loss on (on the
10,000-firm benchmark network 1.3 passes per reached firm at ``eps = 1e-4``, 7 at ``1e-8``),
instead of (steps x all stored entries): far-away losses of 1e-10 to 1e-6 are recorded
where they arrive but not passed on. First in, first out keeps the passes few; taking
firms in a fixed topological (DFS) order instead visited about four times as many entries
at ``eps = 1e-8``, because on cyclic networks a firm early in the order is re-run after
each later input. Scenarios are independent, so each result depends only on the failing
firm (never on threads or order). The loop is scalar with scattered reads, while the exact
kernel updates 32 failures per entry with vector instructions, so pruning pays off only
where it skips most of the entries: with a large ``eps`` (see docs/benchmarks.md).

**Error** (see docs/math.md). *Lower bound:* every ``S_q`` is ``M`` applied to values
that are, by induction, at most the fixed point ``L*`` (the exact ESRI's limit), and the
map is monotone, so ``L <= L*`` for every firm and pruned ESRI ``<=`` exact ESRI at the
fixed point (up to rounding of the running sums, ~1e-16). *Gap:* at the end
``L_k - P_k <= eps`` for every firm and each row's weights sum to at most 1, so ``L``
solves the fixed-point equation up to ``eps`` per firm,
``F(L) - eps <= L <= F(L)``; the shortfall ``L* - L`` is at most ``eps`` passed through
the network's amplification, about ``eps / (1 - rho)`` for a contraction rate ``rho``,
the same form as the exact kernel's stopping error with ``tol = eps``, and it tends to 0
with ``eps``. *Termination:* each pass raises ``P_k`` by more than ``eps`` and ``P_k``
stays at most about 1, so a firm passes on at most ``1 / eps`` times; no iteration cap
is needed.

**Threads.** The kernel releases the GIL; ``n_jobs`` threads each run an interleaved
share of the failing firms with their own buffers: ``3 n + 2 R`` numbers per channel
(``R`` rows of its operator) and ``2 n`` more per thread. No Numba threading layer is
used, so concurrent calls are safe.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numba
import numpy as np

if TYPE_CHECKING:
    from chainatlas.analytics.cascade._operators import Operator
    from chainatlas.analytics.cascade._validate import FloatArray, IntArray

__all__ = ["PushOperator", "esri_pruned", "push_operator"]

#: ``(indptr, rows, values, owner, n_rows)``: firm ``k`` is read by the rows
#: ``rows[indptr[k]:indptr[k+1]]`` with weights ``values[...]``, rows of the firms
#: ``owner[...]``; the operator has ``n_rows`` rows.
PushOperator = tuple[Any, Any, Any, Any, int]


def push_operator(op: Operator) -> PushOperator:
    """Return the transpose of ``op`` in firm numbers, for passing changes on.

    ``op.matrix`` has one row per (firm, row group) and its columns in state order; here
    firm ``k`` lists the rows that read it (``M_qk > 0``) with the firm of each row.
    """
    matrix = op.matrix.tocoo()
    n = int(op.order.size)
    n_rows = int(matrix.shape[0])
    layer = np.repeat(np.arange(op.layer_start.size - 1), np.diff(op.layer_start))
    row_owner = op.order[np.arange(n_rows) - op.layer_start[layer]]
    firm = op.order[matrix.col]
    order = np.lexsort((matrix.row, firm))  # by firm, then by row
    indptr = np.zeros(n + 1, dtype=np.intp)
    np.cumsum(np.bincount(firm, minlength=n), out=indptr[1:])
    rows = np.ascontiguousarray(matrix.row[order], dtype=np.intp)
    return (
        indptr,
        rows,
        np.ascontiguousarray(matrix.data[order], dtype=np.float64),
        np.ascontiguousarray(row_owner[rows], dtype=np.intp),
        n_rows,
    )


@numba.njit(cache=True, nogil=True)
def _spread(
    seed: int,
    indptr: IntArray,
    rows: IntArray,
    values: FloatArray,
    owner: IntArray,
    eps: float,
    L: FloatArray,
    P: FloatArray,
    S: FloatArray,
    queue: IntArray,
    queued: Any,
    hit: IntArray,
    hit_rows: IntArray,
) -> tuple[int, int, int]:  # pragma: no cover - compiled
    """Propagate the failure of ``seed`` in one channel.

    Returns (firms hit, rows hit, entries visited). ``L``, ``P``, ``S`` and ``queued``
    must be all zero/False on entry; the firms with ``L > 0`` are listed in ``hit`` and
    the rows with ``S > 0`` in ``hit_rows``. Waiting firms sit in ``queue``, a ring
    buffer: first in, first out, each firm at most once.
    """
    n = L.size
    L[seed] = 1.0
    hit[0] = seed
    n_hit = 1
    n_rows = 0
    visited = 0
    queue[0] = seed
    queued[seed] = True
    head = 0
    size = 1
    while size > 0:
        k = queue[head]
        head = head + 1 if head + 1 < n else 0
        size -= 1
        queued[k] = False
        delta = L[k] - P[k]
        P[k] = L[k]
        visited += indptr[k + 1] - indptr[k]
        for e in range(indptr[k], indptr[k + 1]):
            q = rows[e]
            old = S[q]
            s = old + values[e] * delta
            S[q] = s
            if old == 0.0 and s != 0.0:  # S only grows: each row is listed once
                hit_rows[n_rows] = q
                n_rows += 1
            r = owner[e]
            if s > L[r]:
                if L[r] == 0.0:
                    hit[n_hit] = r
                    n_hit += 1
                L[r] = s
                if not queued[r] and s - P[r] > eps:
                    tail = head + size
                    queue[tail if tail < n else tail - n] = r
                    size += 1
                    queued[r] = True
    return n_hit, n_rows, visited


@numba.njit(cache=True, nogil=True)
def _clear(
    L: FloatArray,
    P: FloatArray,
    S: FloatArray,
    hit: IntArray,
    n_hit: int,
    hit_rows: IntArray,
    n_rows: int,
) -> None:  # pragma: no cover - compiled
    """Reset the buffers touched by one scenario (cost proportional to what it reached)."""
    for k in range(n_hit):
        L[hit[k]] = 0.0
        P[hit[k]] = 0.0
    for k in range(n_rows):
        S[hit_rows[k]] = 0.0


@numba.njit(cache=True, nogil=True)
def _scenarios(
    firms: IntArray,
    d_indptr: IntArray,
    d_rows: IntArray,
    d_values: FloatArray,
    d_owner: IntArray,
    d_n_rows: int,
    u_indptr: IntArray,
    u_rows: IntArray,
    u_values: FloatArray,
    u_owner: IntArray,
    u_n_rows: int,
    weights: FloatArray,
    eps: float,
    out: FloatArray,
    reached: IntArray,
    work: IntArray,
) -> None:  # pragma: no cover - compiled
    """Pruned ESRI of every firm in ``firms`` into ``out``, with firms reached and work."""
    n = weights.size
    Ld, Pd, Sd = np.zeros(n), np.zeros(n), np.zeros(d_n_rows)
    Lu, Pu, Su = np.zeros(n), np.zeros(n), np.zeros(u_n_rows)
    queue = np.zeros(n, dtype=np.intp)
    queued = np.zeros(n, dtype=np.bool_)
    d_hit = np.zeros(n, dtype=np.intp)
    u_hit = np.zeros(n, dtype=np.intp)
    d_hit_rows = np.zeros(d_n_rows, dtype=np.intp)
    u_hit_rows = np.zeros(u_n_rows, dtype=np.intp)
    for job in range(firms.size):
        seed = firms[job]
        nd, nrd, wd = _spread(
            seed, d_indptr, d_rows, d_values, d_owner, eps,
            Ld, Pd, Sd, queue, queued, d_hit, d_hit_rows,
        )  # fmt: skip
        nu, nru, wu = _spread(
            seed, u_indptr, u_rows, u_values, u_owner, eps,
            Lu, Pu, Su, queue, queued, u_hit, u_hit_rows,
        )  # fmt: skip
        # 1 - min(h^d, h^u) = max(L^d, L^u) over the firms either channel reached;
        # running sums may pass 1 by rounding.
        total = 0.0
        count = nd
        for k in range(nd):
            j = d_hit[k]
            down = min(Ld[j], 1.0)
            up = min(Lu[j], 1.0)
            total += weights[j] * (up if up > down else down)
        for k in range(nu):
            j = u_hit[k]
            if Ld[j] == 0.0:
                total += weights[j] * min(Lu[j], 1.0)
                count += 1
        out[job] = total
        reached[job] = count
        work[job] = wd + wu
        _clear(Ld, Pd, Sd, d_hit, nd, d_hit_rows, nrd)
        _clear(Lu, Pu, Su, u_hit, nu, u_hit_rows, nru)


def esri_pruned(
    down: PushOperator,
    up: PushOperator,
    weights: FloatArray,
    firms: IntArray,
    eps: float,
    n_jobs: int,
) -> tuple[FloatArray, IntArray, IntArray]:
    """Return the (unclipped) pruned ESRI of each of ``firms``, firms reached and work.

    ``down`` and ``up`` come from :func:`push_operator`; ``weights`` are the out-strength
    shares by firm; ``firms`` firm numbers; ``eps`` the smallest loss rise passed on.
    ``reached[k]`` counts the firms with a loss above 0 in either channel, ``work[k]``
    the stored entries visited in both channels.
    """
    w = np.ascontiguousarray(weights, dtype=np.float64)
    firms = np.ascontiguousarray(firms, dtype=np.intp)
    values = np.zeros(firms.size)
    reached = np.zeros(firms.size, dtype=np.intp)
    work = np.zeros(firms.size, dtype=np.intp)
    parts = max(1, min(n_jobs, firms.size))

    def run(k: int) -> None:
        share = np.ascontiguousarray(firms[k::parts])
        part_values = np.zeros(share.size)
        part_reached = np.zeros(share.size, dtype=np.intp)
        part_work = np.zeros(share.size, dtype=np.intp)
        if share.size:
            kernel: Any = _scenarios  # a Numba dispatcher; its call is not typed
            kernel(share, *down, *up, w, float(eps), part_values, part_reached, part_work)
        values[k::parts] = part_values
        reached[k::parts] = part_reached
        work[k::parts] = part_work

    if parts > 1:
        with ThreadPoolExecutor(max_workers=parts) as pool:
            list(pool.map(run, range(parts)))
    else:
        run(0)
    return values, reached, work
