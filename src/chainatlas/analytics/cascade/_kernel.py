r"""The batched fixed-point iteration shared by :func:`propagate` and :func:`esri`.

The state of ``b`` independent scenarios is one dense ``(n, b)`` loss matrix ``L``
(column = scenario, rows in the operator's state order). One step is

.. math:: L(t+1) = \max\bigl(L(t),\ \mathrm{groupmax}(M L(t))\bigr)

which equals the model's ``L(t+1) = max(psi, groupmax(M L(t)))`` started from
``L(0) = psi``: the map is monotone, so ``L(t)`` never decreases and
``max(L(t), F(L(t))) = max(psi, F(L(t-1)), F(L(t))) = max(psi, F(L(t)))``. Firms without
rows keep ``L = psi``. A column stops at the first step whose largest change is below
``tol``; it is then stored and dropped from the batch, so the remaining columns are
multiplied with a narrower matrix.

**Frontier.** A firm's new value can differ from its current one only if one of the firms
it reads changed in the previous step. On the NumPy backend each step therefore
recomputes only the firms downstream (in the operator's sense) of the last step's changes,
by slicing their rows out of the matrix, unless they hold more than half of the stored
entries, in which case the whole product is cheaper. This skips work exactly (the iterates
are the same as with the full product): early steps touch only the neighbourhood of the
shock, and parts of the network that have settled are not recomputed.

The full-product loop is written against a tiny array adapter so that the same code runs on
CuPy or PyTorch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from chainatlas.analytics.cascade._operators import Operator
    from chainatlas.analytics.cascade._validate import FloatArray, IntArray

__all__ = ["NUMPY", "ArrayBackend", "FixedPoint", "fixed_point"]

#: Use the full product when the frontier's rows hold more than this share of the entries.
_FRONTIER_SHARE = 0.5


class ArrayBackend:
    """The few array operations the full-product loop needs (NumPy/CuPy version)."""

    def __init__(self, xp: Any = np, sparse: Any = None) -> None:
        self.xp = xp
        self.sparse = sparse

    def matrix(self, op: Operator) -> Any:
        """Return ``op.matrix`` in the backend's sparse format."""
        if self.sparse is None:
            return op.matrix
        return self.sparse.csr_matrix(op.matrix)

    def asarray(self, values: np.ndarray[Any, Any]) -> Any:
        """Move a host array to the backend."""
        return self.xp.asarray(values)

    def zeros(self, shape: tuple[int, int]) -> Any:
        """Return a float64 array of zeros."""
        return self.xp.zeros(shape, dtype=self.xp.float64)

    def spmm(self, matrix: Any, dense: Any) -> Any:
        """Return ``matrix @ dense`` as a dense array."""
        return matrix @ dense

    def maximum_(self, into: Any, other: Any) -> None:
        """Set ``into`` to ``max(into, other)`` in place."""
        self.xp.maximum(into, other, out=into)

    def minimum_(self, into: Any, bound: float) -> None:
        """Set ``into`` to ``min(into, bound)`` in place."""
        self.xp.minimum(into, bound, out=into)

    def colmax(self, values: Any) -> Any:
        """Return the maximum of each column."""
        return values.max(axis=0)

    def columns(self, values: Any, keep: Any) -> Any:
        """Return the columns ``keep`` (a boolean mask) as a contiguous array."""
        return self.xp.ascontiguousarray(values[:, keep])

    def to_host(self, values: Any) -> np.ndarray[Any, Any]:
        """Return ``values`` as a NumPy array."""
        return np.asarray(values if self.xp is np else values.get())


#: The default (stateless) NumPy backend.
NUMPY = ArrayBackend()


@dataclass(frozen=True, slots=True)
class FixedPoint:
    """Final losses ``(n, b)`` in firm order (on the backend), iterations, convergence."""

    loss: Any
    iterations: IntArray
    converged: np.ndarray[Any, np.dtype[np.bool_]]


def _colmax_destroy(values: FloatArray) -> FloatArray:
    """Return the maximum of each column, overwriting ``values``.

    ``values.max(axis=0)`` is slow for narrow C-ordered arrays; folding the rows in halves
    keeps every operation contiguous.
    """
    m = values.shape[0]
    if m == 0:
        return np.zeros(values.shape[1])
    if values.shape[1] >= 16:
        wide: FloatArray = values.max(axis=0)
        return wide
    while m > 1:
        half = m // 2
        np.maximum(values[:half], values[m - half : m], out=values[:half])
        m -= half
    out: FloatArray = values[0].copy()
    return out


def _group_max(P: FloatArray, sizes: list[int]) -> FloatArray:
    """Fold layers of ``P`` (consecutive blocks of ``sizes`` rows) into the first block."""
    new = P[: sizes[0]]
    lo = sizes[0]
    for size in sizes[1:]:
        np.maximum(new[:size], P[lo : lo + size], out=new[:size])
        lo += size
    return new


def _seed(op: Operator, n: int, seeds: tuple[IntArray, IntArray, FloatArray], b: int) -> Any:
    rows, cols, values = seeds
    L = np.zeros((n, b))
    L[op.position[rows], cols] = values
    return L


def _frontier_loop(
    op: Operator, L: FloatArray, tol: float, max_iter: int
) -> tuple[FloatArray, IntArray, np.ndarray[Any, np.dtype[np.bool_]]]:
    n, b = L.shape
    ranked = op.n_ranked
    sizes = [int(s) for s in np.diff(op.layer_start)]
    final = np.zeros((n, b))
    iterations = np.ones(b, dtype=np.intp)
    converged = np.ones(b, dtype=bool)
    active = np.arange(b)
    changed = np.flatnonzero(L.any(axis=1))
    dep_ptr, dep_idx = op.dependents.indptr, op.dependents.indices
    mark = np.zeros(ranked, dtype=bool)
    total = op.matrix.nnz
    for it in range(1, max_iter + 1):
        start, stop = dep_ptr[changed], dep_ptr[changed + 1]
        full = int((stop - start).sum()) > _FRONTIER_SHARE * dep_idx.size
        if not full:
            mark[dep_idx[_ranges(start, stop)]] = True
            touched = np.flatnonzero(mark)
            mark[touched] = False
            full = int(op.rank_nnz[touched].sum()) > _FRONTIER_SHARE * total
        if full:
            new = _group_max(op.matrix @ L, sizes)
            old = L[:ranked]  # a view: overwritten by the difference, then by new
            np.maximum(new, old, out=new)
            np.subtract(new, old, out=old)
            moved = np.flatnonzero(old.any(axis=1))
            change = _colmax_destroy(old)
            L[:ranked] = new
        elif touched.size:
            prefix = [int(np.searchsorted(touched, s)) for s in sizes]
            rows = np.concatenate(
                [lo + touched[:m] for lo, m in zip(op.layer_start[:-1], prefix, strict=True)]
            )
            new = _group_max(op.matrix[rows] @ L, prefix)
            old = L[touched]
            np.maximum(new, old, out=new)
            np.subtract(new, old, out=old)
            moved = touched[old.any(axis=1)]
            change = _colmax_destroy(old)
            L[touched] = new
        else:
            moved = touched
            change = np.zeros(active.size)
        iterations[active] = it
        done = change < tol
        if done.any():
            final[:, active[done]] = L[:, done]
            if done.all():
                return final, iterations, converged
            keep = ~done
            L = np.ascontiguousarray(L[:, keep])
            active = active[keep]
        changed = moved
    final[:, active] = L
    converged[active] = False
    return final, iterations, converged


def _ranges(start: IntArray, stop: IntArray) -> IntArray:
    """Concatenate ``arange(start[k], stop[k])`` for all ``k``."""
    lengths = stop - start
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.intp)
    offsets = np.repeat(start - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return np.asarray(offsets + np.arange(total), dtype=np.intp)


def _full_loop(
    op: Operator,
    matrix: Any,
    L: Any,
    tol: float,
    max_iter: int,
    backend: ArrayBackend,
) -> tuple[Any, IntArray, np.ndarray[Any, np.dtype[np.bool_]]]:
    n, b = L.shape
    ranked = op.n_ranked
    starts = [int(s) for s in op.layer_start]
    final = backend.zeros((n, b))
    iterations = np.ones(b, dtype=np.intp)
    converged = np.ones(b, dtype=bool)
    active = np.arange(b)
    for it in range(1, max_iter + 1):
        P = backend.spmm(matrix, L)
        new = P[:ranked]
        for lo, hi in zip(starts[1:-1], starts[2:], strict=True):
            backend.maximum_(new[: hi - lo], P[lo:hi])
        old = L[:ranked]
        backend.maximum_(new, old)
        change = backend.to_host(backend.colmax(new - old))
        L[:ranked] = new
        iterations[active] = it
        done = change < tol
        if done.any():
            final[:, backend.asarray(active[done])] = L[:, backend.asarray(done)]
            if done.all():
                return final, iterations, converged
            keep = ~done
            L = backend.columns(L, backend.asarray(keep))
            active = active[keep]
    final[:, backend.asarray(active)] = L
    converged[active] = False
    return final, iterations, converged


def fixed_point(
    op: Operator,
    matrix: Any,
    n: int,
    seeds: tuple[IntArray, IntArray, FloatArray],
    b: int,
    tol: float,
    max_iter: int,
    backend: ArrayBackend = NUMPY,
) -> FixedPoint:
    """Iterate ``b`` scenarios to their fixed points.

    ``seeds = (firms, cols, values)`` are the non-zero initial shocks ``psi[firm, col]``;
    ``matrix`` is ``op.matrix`` already converted by ``backend.matrix``.
    """
    L = _seed(op, n, seeds, b)
    if op.n_ranked == 0:
        final: Any = backend.asarray(L)
        iterations = np.ones(b, dtype=np.intp)
        converged = np.ones(b, dtype=bool)
    elif backend is NUMPY:
        final, iterations, converged = _frontier_loop(op, L, tol, max_iter)
    else:
        final, iterations, converged = _full_loop(
            op, matrix, backend.asarray(L), tol, max_iter, backend
        )
    # Sums of normalised weights can exceed 1 by a rounding error; losses live in [0, 1].
    backend.minimum_(final, 1.0)
    return FixedPoint(final[backend.asarray(op.position)], iterations, converged)
