r"""Shock propagation on a firm-level supply network (generalized Leontief model).

The model of Diem, Borsos, Reisch, Kertész & Thurner (2022), Methods. Firm ``i`` belongs
to sector ``p_i``; ``W[j, i]`` is the value firm ``j`` supplies to firm ``i`` (row =
supplier, column = customer). Inputs of ``i`` from sector ``k`` are *essential*
(Leontief: production stops with them), *non-essential* (linear: production falls with
them) or *irrelevant* (no effect in the short run), as set by the input class of the pair
(``k``, ``p_i``). ``h_i`` is firm ``i``'s remaining production relative to before the shock
(1 = unaffected, 0 = stopped), ``psi_i`` the share of its production lost initially.
Equation numbers below are this module's; the same equations are in the paper's Methods.

**Production function (1).** With ``\Pi_{ik}`` the inputs of ``i`` from sector ``k``,

.. math::

    x_i = \min\Bigl[\min_{k \in \mathcal{I}^{es}_i} \frac{\Pi_{ik}}{\alpha_{ik}},\;
          \beta_i + \frac{1}{\alpha_i} \sum_{k \in \mathcal{I}^{ne}_i} \Pi_{ik}\Bigr]

**Downstream propagation (2)-(3)** (suppliers fail, customers lack inputs):

.. math::

    \Pi^d_{ik}(t+1) = \frac{\sum_{j \in k} W_{ji}\, h^d_j(t)}{\sum_{j \in k} W_{ji}}, \qquad
    h^d_i(t+1) = \min\Bigl[\min_{k \in \mathcal{I}^{es}_i} \Pi^d_{ik}(t+1),\;
        1 - \frac{\sum_{j:\, p_j \in \mathcal{I}^{ne}_i} W_{ji} (1 - h^d_j(t))}{s^{in}_i},\;
        1 - \psi_i\Bigr]

**Upstream propagation (4)** (customers fail, suppliers lose sales):

.. math::

    h^u_i(t+1) = \min\Bigl[\frac{\sum_j W_{ij}\, h^u_j(t)}{\sum_j W_{ij}},\; 1 - \psi_i\Bigr]

**Start and result (5)-(6).** ``h^d(0) = h^u(0) = 1 - psi``; each channel is iterated to
its fixed point ``T`` separately and the two are combined firm by firm,
``h_i(T) = min(h^d_i(T), h^u_i(T))``.

**Choices where the paper leaves room.**

* *Essential sectors* of ``i`` are the sectors ``k`` with class 2 for (``k``, ``p_i``) **from
  which i actually buys** (``sum_{j in k} W_ji > 0``); a firm cannot lose an input it never
  had, and the ratio in (2) is undefined otherwise. A firm with no essential inputs has no
  Leontief term.
* *Non-essential aggregation.* The linear term is the lost non-essential input **as a share
  of all inputs** ``s^in_i = sum_j W_ji`` (essential, non-essential and irrelevant alike),
  i.e. ``1/alpha_i = 1 / s^in_i`` and ``beta_i = 1 - (non-essential inputs) / s^in_i`` in
  (1). Losing every non-essential input therefore costs their share of the firm's inputs,
  not its whole production (normalising by the non-essential inputs alone would make
  them as critical as an essential input, contradicting their class). A firm without
  non-essential inputs has no linear term; a firm without any inputs has ``h^d = 1 - psi``.
* *Firms without customers* (``s^out_i = 0``) have no upstream term: ``h^u = 1 - psi``.
* *Irrelevant inputs* (class 0) never carry a shock downstream; every link, whatever its
  class, carries demand losses upstream.
* *Pairs missing from a dict* ``input_class`` default to non-essential (1). Self-loops
  (``W_ii > 0``) are kept as ordinary inputs and sales.

**Stopping rule.** Both channels iterate until the largest change of ``h`` between two
iterations, over all firms, is below ``tol`` (or ``max_iter`` iterations have run).
Each iteration never raises ``h`` (the maps are monotone and start from ``1 - psi``),
so the iteration converges to the greatest fixed point below ``1 - psi``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import pandas as pd

from chainatlas.analytics.cascade._kernel import fixed_point
from chainatlas.analytics.cascade._operators import downstream_operator, upstream_operator
from chainatlas.analytics.cascade._validate import parse_network, parse_psi, parse_settings

if TYPE_CHECKING:
    import numpy.typing as npt

    Vector: TypeAlias = "pd.Series[float] | npt.NDArray[np.float64]"

__all__ = ["DEFAULT_MAX_ITER", "DEFAULT_TOL", "PropagationResult", "propagate"]

#: Default stopping tolerance on the largest change of ``h`` between iterations.
DEFAULT_TOL = 1e-8
#: Default cap on the number of iterations per channel.
DEFAULT_MAX_ITER = 10_000


@dataclass(frozen=True, slots=True)
class PropagationResult:
    """Remaining production levels after a shock has propagated.

    Attributes
    ----------
    downstream, upstream, combined : (n,) array or Series
        ``h^d(T)``, ``h^u(T)`` and ``min(h^d(T), h^u(T))``, each in [0, 1] (1 = producing
        as before). Labelled by firm when ``W`` was a DataFrame.
    iterations_down, iterations_up : int
        Iterations each channel ran.
    converged : bool
        Whether both channels met the stopping rule within ``max_iter``.
    """

    downstream: Vector
    upstream: Vector
    combined: Vector
    iterations_down: int
    iterations_up: int
    converged: bool


def propagate(
    W: Any,
    sectors: Sequence[Hashable] | pd.Series[Any] | npt.ArrayLike,
    input_class: Mapping[tuple[Hashable, Hashable], int] | pd.DataFrame | npt.ArrayLike,
    psi: Mapping[Hashable, float] | pd.Series[float] | npt.ArrayLike,
    *,
    sector_order: Sequence[Hashable] | None = None,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
) -> PropagationResult:
    r"""Propagate an initial shock ``psi`` down- and upstream to the fixed point.

    Implements equations (2)-(6) of the module description:
    ``h^d(0) = h^u(0) = 1 - psi``, the downstream update (3) with the essential-input
    ratios (2), the upstream update (4), both iterated until the largest change is below
    ``tol``, and ``combined = min(h^d(T), h^u(T))``.

    Parameters
    ----------
    W : (n, n) array, scipy.sparse matrix or DataFrame
        ``W[j, i]``: value supplied by firm ``j`` to firm ``i`` (money per period, >= 0).
        A DataFrame must carry the same firm labels on rows and columns; results are then
        labelled by firm.
    sectors : sequence of n hashable labels, or Series
        Sector of each firm (strings, ints, ...). A Series is aligned to ``W``'s labels.
    input_class : dict, DataFrame or (S, S) array
        Class of inputs from a supplier sector to a customer sector: 0 irrelevant,
        1 non-essential (linear), 2 essential (Leontief). A dict is keyed by
        ``(supplier_sector, customer_sector)`` (missing pairs are 1; keys on sectors no firm
        belongs to are an error; :class:`~chainatlas.domain.chain.InputClass` values are
        accepted). A DataFrame has supplier sectors on the index and customer sectors on
        the columns and may hold more sectors than the network. An array needs
        ``sector_order``.
    psi : (n,) array, Series or dict
        Initial production loss of each firm (share, in [0, 1]). A dict maps firm
        (position, or label when ``W`` is labelled) to its loss; firms not named lose 0.
    sector_order : sequence of S labels, optional
        Sector of each row and column of an array ``input_class``.
    tol : float, default 1e-8
        Stop when ``max_i |h_i(t+1) - h_i(t)| < tol`` (dimensionless, per channel).
    max_iter : int, default 10000
        Largest number of iterations per channel.

    Returns
    -------
    PropagationResult
        ``downstream``, ``upstream``, ``combined`` remaining production levels in [0, 1],
        the iteration counts and whether both channels converged.

    Raises
    ------
    InvalidData
        If ``W`` is not square, has a negative, missing or infinite weight; ``sectors`` has
        the wrong length or a missing label; ``input_class`` holds a value other than
        0, 1, 2 or refers to an unknown sector (or lacks a sector of the network);
        ``psi`` is outside [0, 1] or names an unknown firm; ``tol`` or ``max_iter`` is not
        positive.
    EmptyNetworkError
        If ``W`` has no firms or no links.

    References
    ----------
    Diem, C., Borsos, A., Reisch, T., Kertész, J. & Thurner, S. (2022). Quantifying
    firm-level economic systemic risk from nation-wide supply networks. *Scientific
    Reports* 12, 7719. https://doi.org/10.1038/s41598-022-11522-z

    Examples
    --------
    A chain a -> b -> c whose inputs are essential. Removing ``a`` stops ``b`` and ``c``
    downstream; upstream nobody loses sales, because ``a`` buys nothing.

    >>> import numpy as np
    >>> W = np.array([[0.0, 4.0, 0.0], [0.0, 0.0, 2.0], [0.0, 0.0, 0.0]])
    >>> classes = {("raw", "part"): 2, ("part", "final"): 2}
    >>> res = propagate(W, ["raw", "part", "final"], classes, [1.0, 0.0, 0.0])
    >>> res.downstream, res.upstream, res.combined
    (array([0., 0., 0.]), array([0., 1., 1.]), array([0., 0., 0.]))
    >>> res.iterations_down, res.converged
    (3, True)
    """
    net = parse_network(W, sectors, input_class, sector_order)
    tol, max_iter = parse_settings(tol, max_iter)
    shock = parse_psi(psi, net)
    rows = np.flatnonzero(shock).astype(np.intp)
    seeds = (rows, np.zeros(rows.size, dtype=np.intp), shock[rows])
    results = []
    for op in (downstream_operator(net), upstream_operator(net)):
        results.append(fixed_point(op, op.matrix, net.n, seeds, 1, tol, max_iter))
    down, up = (1.0 - r.loss[:, 0] for r in results)
    combined = np.minimum(down, up)
    labels = net.firm_labels

    def wrap(h: npt.NDArray[np.float64], name: str) -> Vector:
        return h if labels is None else pd.Series(h, index=labels, name=name)

    return PropagationResult(
        downstream=wrap(down, "downstream"),
        upstream=wrap(up, "upstream"),
        combined=wrap(combined, "combined"),
        iterations_down=int(results[0].iterations[0]),
        iterations_up=int(results[1].iterations[0]),
        converged=bool(results[0].converged[0] and results[1].converged[0]),
    )
