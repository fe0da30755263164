r"""Compiled streaming kernel for :func:`~chainatlas.analytics.cascade.esri` (Numba).

ESRI fails every firm in turn: ``m`` independent scenarios ``psi = e_s``, each iterated in
both channels to its own stopping step. This kernel iterates ``B`` scenarios side by side
(one *lane* each) and keeps every lane busy: as soon as a lane's scenario meets the stopping
rule, the lane takes the next scenario. The losses of the ``B`` lanes of a firm are
adjacent in memory, so one pass over the operator's stored entries updates all lanes
with vector instructions.

**The iteration is exactly the one of** ``_kernel``: same operators and state order, and
for every lane, every step recomputes every firm that has rows,

.. math:: L_r(t+1) = \max\Bigl(L_r(t),\ \max_{q \in \mathrm{rows}(r)} \sum_k M_{qk} L_k(t)\Bigr)

from the state of step ``t`` (synchronous update), with each row sum accumulated in the
row's stored order as SciPy's sparse product does. The largest change of a lane is taken
over all firms and compared with ``tol`` exactly as there, so each scenario runs the same
number of steps and ends with the same losses, to the last bit. Lanes never mix: a lane
reads only its own column. (``_kernel`` skips firms whose inputs did not change; here
every firm is recomputed, which gives the same values.)

**Channels.** A downstream pool and an upstream pool of ``B`` lanes run in turn, one step
each. A scenario first runs downstream; its final losses are parked in a slot of a
``P``-row buffer until an upstream lane takes the scenario; when that lane stops, the
ESRI ``sum_j w_j max(min(L^d_j, 1), min(L^u_j, 1))`` (``w`` = out-strength shares) is
summed over all firms in firm order and the slot is freed. The sum runs in a different
order than the batched path's dense product, so ESRI values may differ from it by a few
units in the last place.

**Threads.** The kernel releases the GIL; with ``n_jobs`` threads each runs its own pools
on an interleaved share of the firms. Working memory per thread: ``(4 B + P) n`` floats
with ``P = 2 B`` parking slots, i.e. ``6 B n``.
No Numba threading layer is used, so concurrent calls are safe.

Numba compiles the kernel on first use and caches it on disk (``cache=True``). This module
imports Numba when it is imported; :mod:`~chainatlas.analytics.cascade.esri` imports it
only when the compiled backend is used.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numba
import numpy as np

if TYPE_CHECKING:
    from chainatlas.analytics.cascade._operators import Operator
    from chainatlas.analytics.cascade._validate import FloatArray, IntArray

__all__ = ["esri_compiled", "lanes_for"]

#: Working memory per thread that the default lane count aims for (bytes).
_THREAD_BYTES = 256 << 20
_MAX_LANES = 32
_MIN_LANES = 8


def lanes_for(n: int, m: int) -> int:
    """Return the default number of lanes for ``n`` firms and ``m`` scenarios.

    32 lanes (four AVX-512 or eight AVX2 registers per firm) unless the ``6 B n`` floats
    of one thread's buffers would exceed 256 MiB (8 lanes at least); never more lanes
    than scenarios.
    """
    lanes = _THREAD_BYTES // (6 * 8 * max(n, 1))
    lanes = max(_MIN_LANES, min(_MAX_LANES, lanes - lanes % _MIN_LANES))
    return max(1, min(lanes, m))


@numba.njit(cache=True, nogil=True)
def _sweep(
    indptr: IntArray,
    indices: Any,
    data: FloatArray,
    layer_start: IntArray,
    X: FloatArray,
    Xn: FloatArray,
    acc: FloatArray,
    change: FloatArray,
) -> None:  # pragma: no cover - compiled
    """One synchronous step of every lane: ``Xn[:R] = max(X[:R], groupmax(M X))``.

    ``change[c]`` receives the largest rise of lane ``c``. Rows ``R:`` (firms without rows)
    are not written; they hold the same values in ``X`` and ``Xn``.
    """
    lanes = X.shape[1]
    n_layers = layer_start.size - 1
    ranked = layer_start[1] - layer_start[0] if n_layers > 0 else 0
    for c in range(lanes):
        change[c] = 0.0
    for r in range(ranked):
        y = Xn[r]
        for c in range(lanes):
            y[c] = 0.0
        for k in range(indptr[r], indptr[r + 1]):  # layer 0 row of rank r is row r
            a = data[k]
            x = X[indices[k]]
            for c in range(lanes):
                y[c] += a * x[c]
        for layer in range(1, n_layers):
            row = layer_start[layer] + r
            if row >= layer_start[layer + 1]:
                break  # the firms with an l-th row are a prefix of the ranking
            for c in range(lanes):
                acc[c] = 0.0
            for k in range(indptr[row], indptr[row + 1]):
                a = data[k]
                x = X[indices[k]]
                for c in range(lanes):
                    acc[c] += a * x[c]
            for c in range(lanes):
                if acc[c] > y[c]:
                    y[c] = acc[c]
        old = X[r]
        for c in range(lanes):
            if old[c] > y[c]:
                y[c] = old[c]
            rise = y[c] - old[c]
            if rise > change[c]:
                change[c] = rise


@numba.njit(cache=True, nogil=True)
def _stream(
    firms: IntArray,
    lanes: int,
    d_indptr: IntArray,
    d_indices: Any,
    d_data: FloatArray,
    d_layers: IntArray,
    d_position: IntArray,
    u_indptr: IntArray,
    u_indices: Any,
    u_data: FloatArray,
    u_layers: IntArray,
    u_position: IntArray,
    weights: FloatArray,
    tol: float,
    max_iter: int,
    values: FloatArray,
    converged: Any,
) -> None:  # pragma: no cover - compiled
    """ESRI of every firm in ``firms`` into ``values``; ``converged`` as in ``esri``."""
    n = weights.size
    m = firms.size
    slots = 2 * lanes
    Xd = np.zeros((n, lanes))
    Xd_next = np.zeros((n, lanes))
    Xu = np.zeros((n, lanes))
    Xu_next = np.zeros((n, lanes))
    parked = np.zeros((slots, n))
    acc = np.empty(lanes)
    change = np.empty(lanes)
    d_job = np.full(lanes, -1, dtype=np.intp)
    d_slot = np.zeros(lanes, dtype=np.intp)
    d_steps = np.zeros(lanes, dtype=np.intp)
    u_job = np.full(lanes, -1, dtype=np.intp)
    u_slot = np.zeros(lanes, dtype=np.intp)
    u_steps = np.zeros(lanes, dtype=np.intp)
    free = np.arange(slots)
    n_free = slots
    ready_job = np.empty(slots, dtype=np.intp)  # FIFO of scenarios done downstream
    ready_slot = np.empty(slots, dtype=np.intp)
    head = 0
    n_ready = 0
    down_ok = np.zeros(m, dtype=np.bool_)
    taken = 0
    finished = 0
    while finished < m:
        busy_d = False
        for c in range(lanes):
            if d_job[c] < 0 and taken < m and n_free > 0:
                n_free -= 1
                d_job[c] = taken
                d_slot[c] = free[n_free]
                d_steps[c] = 0
                p = d_position[firms[taken]]
                Xd[p, c] = 1.0
                Xd_next[p, c] = 1.0
                taken += 1
            busy_d = busy_d or d_job[c] >= 0
        busy_u = False
        for c in range(lanes):
            if u_job[c] < 0 and n_ready > 0:
                u_job[c] = ready_job[head]
                u_slot[c] = ready_slot[head]
                head = (head + 1) % slots
                n_ready -= 1
                u_steps[c] = 0
                p = u_position[firms[u_job[c]]]
                Xu[p, c] = 1.0
                Xu_next[p, c] = 1.0
            busy_u = busy_u or u_job[c] >= 0
        if busy_d:
            _sweep(d_indptr, d_indices, d_data, d_layers, Xd, Xd_next, acc, change)
            Xd, Xd_next = Xd_next, Xd
            for c in range(lanes):
                job = d_job[c]
                if job < 0:
                    continue
                d_steps[c] += 1
                if change[c] < tol or d_steps[c] >= max_iter:
                    down_ok[job] = change[c] < tol
                    row = parked[d_slot[c]]
                    for p in range(n):
                        row[p] = Xd[p, c]
                        Xd[p, c] = 0.0
                        Xd_next[p, c] = 0.0
                    tail = (head + n_ready) % slots
                    ready_job[tail] = job
                    ready_slot[tail] = d_slot[c]
                    n_ready += 1
                    d_job[c] = -1
        if busy_u:
            _sweep(u_indptr, u_indices, u_data, u_layers, Xu, Xu_next, acc, change)
            Xu, Xu_next = Xu_next, Xu
            for c in range(lanes):
                job = u_job[c]
                if job < 0:
                    continue
                u_steps[c] += 1
                if change[c] < tol or u_steps[c] >= max_iter:
                    # 1 - min(h^d, h^u) = max(L^d, L^u); row sums may pass 1 by rounding
                    row = parked[u_slot[c]]
                    total = 0.0
                    for j in range(n):
                        loss = min(row[d_position[j]], 1.0)
                        up = min(Xu[u_position[j], c], 1.0)
                        total += weights[j] * (up if up > loss else loss)
                    values[job] = total
                    converged[job] = down_ok[job] and change[c] < tol
                    for p in range(n):
                        Xu[p, c] = 0.0
                        Xu_next[p, c] = 0.0
                    free[n_free] = u_slot[c]
                    n_free += 1
                    u_job[c] = -1
                    finished += 1


def _arrays(op: Operator, narrow: bool) -> tuple[Any, ...]:
    # Unsigned column indices spare the compiled loop Python's negative-index check.
    index_type = np.uint32 if narrow else np.uint64
    return (
        np.ascontiguousarray(op.matrix.indptr, dtype=np.intp),
        np.ascontiguousarray(op.matrix.indices, dtype=index_type),
        np.ascontiguousarray(op.matrix.data, dtype=np.float64),
        np.ascontiguousarray(op.layer_start, dtype=np.intp),
        np.ascontiguousarray(op.position, dtype=np.intp),
    )


def esri_compiled(
    down: Operator,
    up: Operator,
    weights: FloatArray,
    firms: IntArray,
    tol: float,
    max_iter: int,
    lanes: int,
    n_jobs: int,
) -> tuple[FloatArray, np.ndarray[Any, np.dtype[np.bool_]]]:
    """Return the (unclipped) ESRI of each of ``firms`` and whether both channels converged.

    ``weights`` are the out-strength shares by firm; ``firms`` firm numbers.
    """
    n = int(weights.size)
    narrow = n < 2**32
    d, u = _arrays(down, narrow), _arrays(up, narrow)
    w = np.ascontiguousarray(weights, dtype=np.float64)
    firms = np.ascontiguousarray(firms, dtype=np.intp)
    values = np.zeros(firms.size)
    converged = np.zeros(firms.size, dtype=np.bool_)
    parts = max(1, min(n_jobs, firms.size))

    def run(k: int) -> None:
        share = np.ascontiguousarray(firms[k::parts])
        part_values = np.zeros(share.size)
        part_ok = np.zeros(share.size, dtype=np.bool_)
        if share.size:
            kernel: Any = _stream  # a Numba dispatcher; its call is not typed
            kernel(
                share, max(1, min(lanes, share.size)), *d, *u,
                w, tol, max_iter, part_values, part_ok,
            )  # fmt: skip
        values[k::parts] = part_values
        converged[k::parts] = part_ok

    if parts > 1:
        with ThreadPoolExecutor(max_workers=parts) as pool:
            list(pool.map(run, range(parts)))
    else:
        run(0)
    return values, converged
