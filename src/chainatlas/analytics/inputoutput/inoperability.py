r"""The inoperability input-output model (IIM), demand- and supply-side.

Inoperability ``q_i`` is the share of sector ``i``'s planned output that is lost
(0 = fully operable, 1 = fully inoperable). Perturbations are shares too, so every input and
output here lies in [0, 1].

**How the cap at 1 is applied.** The linear model can return ``q_i > 1`` for large shocks,
which has no meaning. The capped inoperability is defined as the fixed point of

.. math:: q = \min(1, M q + c)

(element-wise), where ``M`` is the normalised interdependency matrix. For a productive
table (spectral radius of ``M`` below 1) this fixed point exists and is unique, and it is
the limit of iterating ``q <- min(1, M q + c)`` from ``q = 0``: a sector that is fully
inoperable passes on exactly its full (not more than its full) loss. It is computed exactly
by policy iteration: solve the linear model, cap the sectors whose ``M q + c`` exceeds 1,
solve again for the others with the capped ones fixed at 1, and repeat until the capped
set no longer changes (at most ``n`` solves, usually one or two). When no sector exceeds 1
the result is the plain linear solution.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from chainatlas.analytics.inputoutput._frames import (
    as_matrix,
    as_vector,
    check_nonnegative,
    check_unit_interval,
    safe_divide,
    square,
    vector,
)
from chainatlas.analytics.inputoutput.inverses import solve_identity_minus
from chainatlas.errors import AnalysisError

if TYPE_CHECKING:
    import pandas as pd

    from chainatlas.analytics.inputoutput._frames import (
        FloatArray,
        Matrix,
        MatrixLike,
        Vector,
        VectorLike,
    )

__all__ = ["demand_inoperability", "interdependency_matrix", "supply_inoperability"]


def _similar(C: MatrixLike, x: VectorLike, name: str) -> tuple[FloatArray, pd.Index | None]:
    """Return diag(x)^-1 C diag(x) (rows of zero-output sectors are zero) and the labels."""
    coef, labels = square(C, name)
    out, labels = vector(x, "x", coef.shape[0], labels)
    check_nonnegative(coef, name, labels)
    check_nonnegative(out, "x", labels)
    return safe_divide(coef * out[np.newaxis, :], out[:, np.newaxis]), labels


def interdependency_matrix(A: MatrixLike, x: VectorLike) -> Matrix:
    r"""Compute the normalised interdependency matrix A* = diag(x)^-1 A diag(x).

    .. math:: a^*_{ij} = a_{ij} x_j / x_i

    ``a*_ij`` is the inoperability of sector ``i`` caused by a unit inoperability of sector
    ``j``. Because ``a_ij x_j = z_ij``, ``A*`` equals the allocation matrix ``B`` of the Ghosh
    model. A sector with zero output gets a zero row.

    Parameters
    ----------
    A : (n, n) array or DataFrame
        Technical coefficients (dimensionless, non-negative).
    x : (n,) array or Series
        Planned (as-planned) total output (money).

    Returns
    -------
    (n, n) array or DataFrame
        ``A*``, labelled like the input.

    Raises
    ------
    InvalidData
        If shapes or labels differ, a value is missing or negative.

    References
    ----------
    Santos, J. R. & Haimes, Y. Y. (2004). Modeling the demand reduction input-output (I-O)
    inoperability due to terrorism of interconnected infrastructures. *Risk Analysis*
    24(6), 1437-1451. https://doi.org/10.1111/j.0272-4332.2004.00540.x

    Examples
    --------
    >>> import numpy as np
    >>> print(interdependency_matrix(np.array([[0.15, 0.25], [0.2, 0.05]]), [1000.0, 2000.0]))
    [[0.15 0.5 ]
     [0.1  0.05]]
    """
    star, labels = _similar(A, x, "A")
    return as_matrix(star, labels)


def _capped_fixed_point(M: FloatArray, c: FloatArray, name: str) -> FloatArray:
    """Solve q = min(1, M q + c) for M >= 0 with spectral radius < 1 (policy iteration)."""
    n = c.shape[0]
    capped = np.zeros(n, dtype=bool)
    q = solve_identity_minus(M, c, name)
    for _ in range(n + 1):
        now = M @ q + c > 1.0
        if np.array_equal(now, capped):
            return np.minimum(q, 1.0)
        capped = now
        free = ~capped
        q = np.ones(n)
        if free.any():
            rhs = c[free] + M[np.ix_(free, capped)].sum(axis=1)
            q[free] = solve_identity_minus(M[np.ix_(free, free)], rhs, name)
    raise AnalysisError(  # pragma: no cover - policy iteration ends within n + 1 steps
        "capped inoperability did not converge"
    )


def demand_inoperability(
    A: MatrixLike, x: VectorLike, c: VectorLike, *, cap: bool = True
) -> Vector:
    r"""Compute demand-side inoperability q = (I - A*)^-1 c*, capped at 1.

    .. math::

        q = A^* q + c^*, \qquad A^* = \hat x^{-1} A \hat x, \qquad
        c^*_i = \frac{\Delta f_i}{x_i}

    (Haimes & Jiang 2001; Santos & Haimes 2004). ``c*`` is the demand perturbation: the
    loss of final demand for ``i`` as a share of ``i``'s planned output. With
    ``cap=True`` the result is the fixed point of ``q = min(1, A* q + c*)`` (see the module
    description); the economic loss by sector is ``x * q``.

    Parameters
    ----------
    A : (n, n) array or DataFrame
        Technical coefficients (dimensionless, non-negative).
    x : (n,) array or Series
        Planned total output (money).
    c : (n,) array or Series
        Demand perturbation ``c*`` (share of planned output, in [0, 1]).
    cap : bool, optional
        Cap inoperability at 1 (default). ``False`` returns the linear solution.

    Returns
    -------
    (n,) array or Series
        Inoperability by sector, in [0, 1] when capped.

    Raises
    ------
    InvalidData
        If shapes or labels differ, a value is missing, ``A`` or ``x`` is negative, or a
        perturbation lies outside [0, 1].
    SingularSystemError
        If ``I - A*`` is singular (the table is not productive).

    References
    ----------
    Haimes, Y. Y. & Jiang, P. (2001). Leontief-based model of risk in complex
    interconnected infrastructures. *Journal of Infrastructure Systems* 7(1), 1-12.
    https://doi.org/10.1061/(ASCE)1076-0342(2001)7:1(1)

    Santos, J. R. & Haimes, Y. Y. (2004). Modeling the demand reduction input-output (I-O)
    inoperability due to terrorism of interconnected infrastructures. *Risk Analysis*
    24(6), 1437-1451. https://doi.org/10.1111/j.0272-4332.2004.00540.x

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[0.15, 0.25], [0.2, 0.05]])
    >>> print(np.round(demand_inoperability(A, [1000.0, 2000.0], [0.1, 0.0]), 4))
    [0.1254 0.0132]
    >>> print(demand_inoperability(A, [1000.0, 2000.0], [0.9, 0.5]))
    [1.         0.63157895]
    """
    star, labels = _similar(A, x, "A")
    shock, labels = vector(c, "c", star.shape[0], labels)
    check_unit_interval(shock, "demand perturbation c", labels)
    if cap:
        return as_vector(_capped_fixed_point(star, shock, "A*"), labels, "inoperability")
    return as_vector(solve_identity_minus(star, shock, "A*"), labels, "inoperability")


def supply_inoperability(
    B: MatrixLike, x: VectorLike, s: VectorLike, *, cap: bool = True
) -> Vector:
    r"""Compute supply-side (Ghosh-based) inoperability, capped at 1.

    .. math::

        q = B^{*\prime} q + s^*, \qquad B^* = \hat x B \hat x^{-1}, \qquad
        s^*_j = \frac{\Delta v_j}{x_j}

    The Ghosh model ``x' = v' (I - B)^-1`` perturbed by a loss ``Δv`` of primary inputs and
    normalised by planned output gives ``q' = s*' (I - B*)^-1`` (Leung, Haimes & Santos
    2007). ``B* = x̂ B x̂^-1`` equals the technical coefficients ``A``: a sector loses
    operability in proportion to the share of its inputs that inoperable suppliers no
    longer deliver. With ``cap=True`` the result is the fixed point of
    ``q = min(1, B*' q + s*)``.

    Parameters
    ----------
    B : (n, n) array or DataFrame
        Allocation coefficients (dimensionless, non-negative).
    x : (n,) array or Series
        Planned total output (money).
    s : (n,) array or Series
        Supply perturbation ``s*``: the lost primary input of ``j`` as a share of its
        planned output, in [0, 1].
    cap : bool, optional
        Cap inoperability at 1 (default). ``False`` returns the linear solution.

    Returns
    -------
    (n,) array or Series
        Inoperability by sector, in [0, 1] when capped.

    Raises
    ------
    InvalidData
        If shapes or labels differ, a value is missing, ``B`` or ``x`` is negative, or a
        perturbation lies outside [0, 1].
    SingularSystemError
        If ``I - B*`` is singular (the table is not productive).

    References
    ----------
    Leung, M., Haimes, Y. Y. & Santos, J. R. (2007). Supply- and output-side extensions to
    the inoperability input-output model for interdependent infrastructures. *Journal of
    Infrastructure Systems* 13(4), 299-310.
    https://doi.org/10.1061/(ASCE)1076-0342(2007)13:4(299)

    Examples
    --------
    >>> import numpy as np
    >>> B = np.array([[0.15, 0.5], [0.1, 0.05]])
    >>> print(np.round(supply_inoperability(B, [1000.0, 2000.0], [0.1, 0.0]), 4))
    [0.1254 0.033 ]
    """
    b, labels = square(B, "B")
    out, labels = vector(x, "x", b.shape[0], labels)
    check_nonnegative(b, "B", labels)
    check_nonnegative(out, "x", labels)
    # B* = diag(x) B diag(x)^-1; the model runs on its transpose.
    star = safe_divide(b * out[:, np.newaxis], out[np.newaxis, :]).T
    shock, labels = vector(s, "s", b.shape[0], labels)
    check_unit_interval(shock, "supply perturbation s", labels)
    if cap:
        return as_vector(_capped_fixed_point(star, shock, "B*"), labels, "inoperability")
    return as_vector(solve_identity_minus(star, shock, "B*"), labels, "inoperability")
