r"""The economic systemic risk index (ESRI) of every firm.

.. math::

    \mathrm{ESRI}_i = \sum_j \frac{s^{out}_j}{\sum_l s^{out}_l}\,\bigl(1 - h_j(T)\bigr)
    \quad\text{after } \psi = e_i, \qquad s^{out}_j = \sum_m W_{jm}

(Diem et al. 2022, Methods; equation (7) in this package's numbering): the share of the
network's total output (out-strength) lost when firm ``i`` alone fails completely, counting
``i``'s own output. ``h(T)`` is the combined fixed point of :func:`propagate`.

**How it is computed.** Both propagation operators are built once as sparse matrices (see
``_operators``); every failing firm is one scenario, iterated in both channels with the
update and stopping rule of :func:`propagate`. Two interchangeable engines do this and give
the same iterates, stopping steps and losses (ESRI differs only by the order of the final
weighted sum, a few units in the last place):

* ``backend="numba"`` (the default when Numba is installed; ``_compiled``): a compiled
  streaming kernel. 32 scenarios run side by side in vector lanes, every step updates all
  firms of all lanes in one pass over the stored entries, and a lane takes the next
  scenario as soon as its scenario stops. ``n_jobs`` threads run without the GIL.
* ``backend="numpy"`` (``_kernel``): ``B`` scenarios form a dense ``(n, B)`` matrix, one
  step is one sparse-times-dense product plus a maximum over each firm's rows, finished
  columns leave the batch, and each step recomputes only the firms that read a value
  changed in the previous step. ``n_jobs`` threads work on different batches. The default
  batch width keeps the state near 16 MiB (at most 32 columns). "torch" and "cupy" run
  the same full products on a GPU.

**Why there is no exact shortcut.** A failure reaches most of a connected network within
a few steps: losses far from the failing firm are small (typically 1e-10 to 1e-6) but they
keep changing by more than 1e-12 until the scenario stops, so skipping them would change
the result beyond rounding. The work is therefore about (steps x stored entries) per
scenario, and the engines differ only in how fast they do it (see docs/benchmarks.md).

**Pruned mode (opt-in approximation).** ``prune=eps`` runs a per-failure worklist
(``_pruned``, compiled): a firm passes a rise of its loss on to the firms that read it
only once the part not yet passed on exceeds ``eps`` (absolute, on the [0, 1] production
scale), so the work follows the part of the network where losses are material. Every
value it computes is the model's monotone map applied to values that are not above the
fixed point, so **pruned ESRI is a lower bound** of ESRI at the fixed point (up to
rounding); the shortfall is about ``eps`` passed through the network's amplification
(``eps / (1 - rho)``) and tends to 0 with ``eps``. ``tol``, ``max_iter`` and
``batch_size`` do not apply (each firm passes its loss on at most ``1 / eps`` times).
Measured (docs/benchmarks.md, every firm of a 10,000-firm / 100,000-link network, against
the exact kernel): ``eps = 1e-4`` differs by at most 7.6e-5 (mean 6.0e-6) for 0.13 times
the CPU time, ``1e-6`` by 8.5e-7 for 0.85 times, ``1e-8`` by 8.0e-9 but 3.4 times slower
(the worklist is scalar, the exact kernel vectorised). On a 100,000-firm / 1,000,000-link
network, all firms extrapolated from samples: ``1e-4`` about 120 s CPU, ``1e-6`` about
830 s, ``1e-8`` about 4,600 s, against 3,500 to 7,100 s for the exact kernel.

**Tolerance.** Each scenario stops when the largest change of ``h`` in an iteration is
below ``tol``. The iteration approaches the fixed point from one side (``h`` never rises),
and the error left at that point is about ``tol * rho / (1 - rho)`` for a per-iteration
contraction rate ``rho``; in the measurements below ESRI was off by at most a few times
``tol``. Measured on a generated 600-firm network (8 sectors, mixed input classes, cycles;
``tests/analytics/cascade/test_tolerance.py``), largest ESRI error over all firms against
``tol = 1e-13``: ``tol = 1e-2`` gives 1.0e-2, ``1e-4`` gives 2.4e-4, ``1e-6`` gives
2.3e-6 and the default ``1e-8`` gives 3.1e-8, while the run time grows only with
``log(1 / tol)`` (``1e-8`` took 1.4 times as long as ``1e-6`` and 4.5 times as long as
``1e-2``). Networks with slowly converging cycles (``rho`` near 1) need more iterations
and keep a larger error; ``max_iter`` bounds the work.
"""

from __future__ import annotations

import importlib
from collections.abc import Hashable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from numbers import Real
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from chainatlas.analytics.cascade._gpu import BACKENDS, get_backend
from chainatlas.analytics.cascade._kernel import ArrayBackend, fixed_point
from chainatlas.analytics.cascade._operators import (
    Operator,
    downstream_operator,
    upstream_operator,
)
from chainatlas.analytics.cascade._validate import (
    parse_firms,
    parse_network,
    parse_settings,
)
from chainatlas.analytics.cascade.model import DEFAULT_MAX_ITER, DEFAULT_TOL
from chainatlas.errors import AnalysisError, InvalidData

if TYPE_CHECKING:
    import numpy.typing as npt

    from chainatlas.analytics.cascade._validate import FloatArray, IntArray, Network

__all__ = ["esri"]

_CPU_BYTES = 16 << 20
_GPU_BYTES = 1 << 30
_MAX_CPU_BATCH = 32
_COMPILED = "chainatlas.analytics.cascade._compiled"
_PRUNED = "chainatlas.analytics.cascade._pruned"


def _compiled_module() -> ModuleType | None:
    """Return the compiled kernel module, or None when Numba is not installed."""
    try:
        return importlib.import_module(_COMPILED)
    except ImportError:
        return None


def _engine(backend: str) -> tuple[str, ModuleType | None]:
    """Resolve ``backend`` ("auto" picks "numba" when it is installed, else "numpy")."""
    if backend not in ("auto", "numba", *BACKENDS):
        names = ", ".join(("auto", "numba", *BACKENDS))
        raise InvalidData(f"backend must be one of {names}; got {backend!r}")
    if backend not in ("auto", "numba"):
        return backend, None
    module = _compiled_module()
    if module is not None:
        return "numba", module
    if backend == "numba":
        raise AnalysisError(
            "backend='numba' needs the optional package numba, which is not installed; "
            "install it or use backend='numpy'"
        )
    return "numpy", None


def _check_prune(prune: float | None, backend: str) -> float | None:
    """Check ``prune`` (None, or a number in (0, 1)) and that the backend can run it."""
    if prune is None:
        return None
    if isinstance(prune, bool) or not isinstance(prune, Real) or not 0 < float(prune) < 1:
        raise InvalidData(
            "prune must be None (exact) or a number in (0, 1), the smallest rise of a "
            f"firm's loss (on the [0, 1] production scale) that is passed on; got {prune!r}"
        )
    if backend not in ("auto", "numba"):
        raise InvalidData(
            f"prune runs on the compiled worklist kernel; use backend='auto' or 'numba' "
            f"with prune, not backend={backend!r}"
        )
    return float(prune)


def _pruned_values(
    net: Network, shares: FloatArray, unique: IntArray, eps: float, n_jobs: int
) -> FloatArray:
    """Pruned ESRI of the firms ``unique`` (see ``_pruned``)."""
    try:
        module = importlib.import_module(_PRUNED)
    except ImportError as err:
        raise AnalysisError(
            "prune needs the optional package numba, which is not installed; "
            "install it or leave prune=None"
        ) from err
    down = module.push_operator(downstream_operator(net))
    up = module.push_operator(upstream_operator(net))
    values, _reached, _work = module.esri_pruned(down, up, shares, unique, eps, n_jobs)
    out: FloatArray = values
    return out


def _check_batch_size(batch_size: int | None) -> None:
    if batch_size is not None and (
        isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1
    ):
        raise InvalidData(f"batch_size must be a positive integer; got {batch_size!r}")


def _batch_width(
    batch_size: int | None, ops: tuple[Operator, Operator], n: int, backend: str
) -> int:
    if batch_size is not None:
        return batch_size
    if backend == "numpy":
        return max(1, min(_MAX_CPU_BATCH, _CPU_BYTES // (8 * n)))
    rows = max(n, *(int(op.matrix.shape[0]) for op in ops))
    return max(1, _GPU_BYTES // (8 * rows))


def _batch(
    firms: IntArray,
    ops: tuple[tuple[Operator, Any], tuple[Operator, Any]],
    weights: Any,
    n: int,
    tol: float,
    max_iter: int,
    backend: ArrayBackend,
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    b = firms.size
    seeds = (firms, np.arange(b, dtype=np.intp), np.ones(b))
    (down_op, down_m), (up_op, up_m) = ops
    down = fixed_point(down_op, down_m, n, seeds, b, tol, max_iter, backend)
    up = fixed_point(up_op, up_m, n, seeds, b, tol, max_iter, backend)
    # 1 - min(h^d, h^u) = max(L^d, L^u)
    loss = down.loss
    backend.maximum_(loss, up.loss)
    values = backend.to_host(weights @ loss)
    return values.astype(np.float64), down.converged & up.converged


def _esri_batched(
    net: Network,
    operators: tuple[Operator, Operator],
    shares: FloatArray,
    unique: IntArray,
    tol: float,
    max_iter: int,
    batch_size: int | None,
    backend: str,
    n_jobs: int,
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """ESRI of the firms ``unique`` on an array backend (batched sparse products)."""
    array_backend = get_backend(backend)
    width = _batch_width(batch_size, operators, net.n, backend)
    weights = array_backend.asarray(shares)
    down_op, up_op = operators
    ops = (
        (down_op, array_backend.matrix(down_op)),
        (up_op, array_backend.matrix(up_op)),
    )
    batches = [unique[k : k + width] for k in range(0, unique.size, width)]

    def run(batch: IntArray) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
        return _batch(batch, ops, weights, net.n, tol, max_iter, array_backend)

    if n_jobs > 1 and backend == "numpy" and len(batches) > 1:
        with ThreadPoolExecutor(max_workers=n_jobs) as pool:
            parts = list(pool.map(run, batches))
    else:
        parts = [run(batch) for batch in batches]
    values = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0)
    converged = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=bool)
    return values, converged


def _name(net: Network, pos: int) -> object:
    if net.firm_labels is None:
        return pos
    label = net.firm_labels[pos]
    return label.item() if isinstance(label, np.generic) else label


def esri(
    W: Any,
    sectors: Sequence[Hashable] | pd.Series[Any] | npt.ArrayLike,
    input_class: Mapping[tuple[Hashable, Hashable], int] | pd.DataFrame | npt.ArrayLike,
    firms: Sequence[Hashable] | npt.ArrayLike | None = None,
    *,
    sector_order: Sequence[Hashable] | None = None,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
    batch_size: int | None = None,
    backend: str = "auto",
    n_jobs: int = 1,
    prune: float | None = None,
) -> pd.Series[float] | npt.NDArray[np.float64]:
    r"""Compute the economic systemic risk index of each firm.

    .. math::

        \mathrm{ESRI}_i = \sum_j \frac{s^{out}_j}{\sum_l s^{out}_l}
        \bigl(1 - \min(h^d_j(T), h^u_j(T))\bigr)\Big|_{\psi = e_i}

    Equation (7) of the package numbering (see the module description): the share of
    total output lost when firm ``i`` fails, with ``h^d``, ``h^u`` from equations (2)-(6)
    of :mod:`chainatlas.analytics.cascade.model`. Includes ``i``'s own output share, so
    ``s^out_i / sum_l s^out_l <= ESRI_i <= 1``.

    Parameters
    ----------
    W : (n, n) array, scipy.sparse matrix or DataFrame
        ``W[j, i]``: value supplied by firm ``j`` to firm ``i`` (money per period, >= 0).
    sectors : sequence of n hashable labels, or Series
        Sector of each firm.
    input_class : dict, DataFrame or (S, S) array
        Input class of each (supplier sector, customer sector) pair, as in
        :func:`~chainatlas.analytics.cascade.model.propagate`.
    firms : sequence, optional
        Firms to compute (positions, or labels when ``W`` is a DataFrame); all by default.
    sector_order : sequence of S labels, optional
        Sector of each row and column of an array ``input_class``.
    tol : float, default 1e-8
        Each scenario stops when ``max_j |h_j(t+1) - h_j(t)| < tol`` in both channels
        (dimensionless); see the module description for the error this leaves.
    max_iter : int, default 10000
        Largest number of iterations per channel and scenario.
    batch_size : int, optional
        Scenarios iterated together (vector lanes of the compiled kernel, batch width
        otherwise). By default chosen from the network size: 32, fewer when a thread's
        ``6 * batch_size * n`` floats would pass 256 MiB (compiled); at most 32 and about
        16 MiB of state (NumPy); bounded by 1 GiB of working memory on a GPU.
    backend : {"auto", "numba", "numpy", "torch", "cupy"}, default "auto"
        Engine (see the module description; all give the same result). "auto" is
        "numba" when Numba is installed, else "numpy". "torch" uses CUDA when available
        (else the CPU); "cupy" needs a CUDA GPU. Neither is a ChainAtlas dependency.
    n_jobs : int, default 1
        Threads working on different scenarios (CPU engines).
    prune : float, optional
        Opt-in approximation (None, the default, is exact): a firm passes a rise of its
        loss on only once it exceeds ``prune`` (absolute, on the [0, 1] production
        scale), in (0, 1). The result is then a lower bound of ESRI at the fixed point
        whose gap shrinks with ``prune`` (see the module description); ``tol``,
        ``max_iter`` and ``batch_size`` do not apply. Needs ``backend`` "auto" or "numba".

    Returns
    -------
    (m,) array or Series
        ESRI of each requested firm (share of total output, in [0, 1]), in the order
        given; a Series indexed by firm when ``W`` is a DataFrame.

    Raises
    ------
    InvalidData
        For invalid inputs (see :func:`~chainatlas.analytics.cascade.model.propagate`), an
        unknown firm, backend, batch size or ``n_jobs``, or a ``prune`` outside (0, 1)
        or combined with a backend other than "auto" or "numba".
    EmptyNetworkError
        If ``W`` has no firms or no links.
    AnalysisError
        If a scenario does not meet the stopping rule within ``max_iter`` iterations, or
        the requested backend's package (or Numba, for ``prune``) is not installed.

    References
    ----------
    Diem, C., Borsos, A., Reisch, T., Kertész, J. & Thurner, S. (2022). Quantifying
    firm-level economic systemic risk from nation-wide supply networks. *Scientific
    Reports* 12, 7719. https://doi.org/10.1038/s41598-022-11522-z

    Examples
    --------
    ``a`` supplies ``b`` (4), which supplies ``c`` and ``d`` (2 each); every input is
    essential. The failure of ``a`` or ``b`` stops everyone downstream and costs all output;
    the failure of ``c`` halves the sales of ``b`` and, upstream, of ``a``.

    >>> import numpy as np
    >>> W = np.zeros((4, 4))
    >>> W[0, 1], W[1, 2], W[1, 3] = 4.0, 2.0, 2.0
    >>> classes = {("raw", "part"): 2, ("part", "final"): 2}
    >>> esri(W, ["raw", "part", "final", "final"], classes)
    array([1. , 1. , 0.5, 0.5])

    Every loss here is passed on in one piece larger than ``prune``, so pruning changes
    nothing:

    >>> esri(W, ["raw", "part", "final", "final"], classes, prune=1e-6)
    array([1. , 1. , 0.5, 0.5])
    """
    net = parse_network(W, sectors, input_class, sector_order)
    tol, max_iter = parse_settings(tol, max_iter)
    positions = parse_firms(firms, net)
    eps = _check_prune(prune, backend)
    engine, compiled = _engine(backend)
    _check_batch_size(batch_size)
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
        raise InvalidData(f"n_jobs must be a positive integer; got {n_jobs!r}")
    unique, where = np.unique(positions, return_inverse=True)
    s_out = np.asarray(net.W.sum(axis=1)).ravel()
    shares = s_out / s_out.sum()
    if eps is not None:
        values = _pruned_values(net, shares, unique, eps, n_jobs)
        converged = np.ones(unique.size, dtype=bool)
    elif compiled is not None:
        down_op, up_op = downstream_operator(net), upstream_operator(net)
        lanes = batch_size or compiled.lanes_for(net.n, unique.size)
        values, converged = compiled.esri_compiled(
            down_op, up_op, shares, unique, tol, max_iter, lanes, n_jobs
        )
    else:
        down_op, up_op = downstream_operator(net), upstream_operator(net)
        values, converged = _esri_batched(
            net, (down_op, up_op), shares, unique, tol, max_iter, batch_size, engine, n_jobs
        )
    if not converged.all():
        stuck = unique[~converged]
        shown = ", ".join(repr(_name(net, int(p))) for p in stuck[:5])
        raise AnalysisError(
            f"ESRI did not meet the stopping rule (tol={tol:g}) within max_iter={max_iter} "
            f"iterations for {stuck.size} firm(s), e.g. {shown}; raise max_iter or tol"
        )
    result: npt.NDArray[np.float64] = np.clip(values[where], 0.0, 1.0)
    if net.firm_labels is None:
        return result
    return pd.Series(result, index=net.firm_labels[positions], name="esri")
