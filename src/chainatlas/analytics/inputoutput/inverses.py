"""Leontief (demand-driven) and Ghosh (supply-driven) inverses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.linalg import lapack

from chainatlas.analytics.inputoutput._frames import as_matrix, square
from chainatlas.errors import SingularSystemError

if TYPE_CHECKING:
    from chainatlas.analytics.inputoutput._frames import FloatArray, Matrix, MatrixLike

__all__ = [
    "MIN_RCOND",
    "ghosh_inverse",
    "inverse_of_identity_minus",
    "leontief_inverse",
    "solve_identity_minus",
]

#: Smallest reciprocal condition number (1-norm) of ``I - A`` accepted before the system is
#: treated as singular: below it the inverse has fewer than about four correct digits.
MIN_RCOND = 1e-12


def _factor(
    M: FloatArray, name: str, min_rcond: float, transpose: bool = False
) -> tuple[Any, Any, Any]:
    """LU-factorise ``I - M`` (or its transpose); raise when it is (nearly) singular.

    LAPACK ``getrf`` factorises once; ``gecon`` estimates the 1-norm reciprocal condition
    number from the factors in O(n^2), so the check costs almost nothing on large tables.
    """
    system = np.eye(M.shape[0]) - (M.T if transpose else M)
    getrf, getrs, gecon = lapack.get_lapack_funcs(("getrf", "getrs", "gecon"), (system,))
    anorm = float(np.abs(system).sum(axis=0).max())
    lu, piv, info = getrf(system, overwrite_a=True)
    if info > 0:
        raise SingularSystemError(f"I - {name} is singular: no inverse exists")
    rcond, info = gecon(lu, anorm, norm="1")
    if info != 0 or not rcond >= min_rcond:
        raise SingularSystemError(
            f"I - {name} is singular or ill-conditioned (reciprocal condition number "
            f"{rcond:.1e} < {min_rcond:.0e}); a group of sectors may use up its whole output "
            "as intermediate input (no value added or final demand)"
        )
    return lu, piv, getrs


def inverse_of_identity_minus(M: FloatArray, name: str, min_rcond: float = MIN_RCOND) -> FloatArray:
    """Return ``(I - M)^-1`` for a float array; raise when ``I - M`` is (nearly) singular."""
    lu, piv, getrs = _factor(M, name, min_rcond)
    # Solving against I from the LU factors is faster than LAPACK getri here.
    inv, _info = getrs(lu, piv, np.eye(M.shape[0]), overwrite_b=True)
    return np.asarray(inv, dtype=np.float64)


def solve_identity_minus(
    M: FloatArray, rhs: FloatArray, name: str, *, transpose: bool = False
) -> FloatArray:
    """Solve ``(I - M) y = rhs`` (or ``(I - M)' y = rhs``) with the same singularity checks.

    Cheaper than forming the inverse when only a few right-hand sides are needed.
    """
    lu, piv, getrs = _factor(M, name, MIN_RCOND, transpose)
    out, _info = getrs(lu, piv, rhs)
    return np.asarray(out, dtype=np.float64)


def leontief_inverse(A: MatrixLike, *, min_rcond: float = MIN_RCOND) -> Matrix:
    r"""Compute the Leontief inverse L = (I - A)^-1.

    .. math:: L = (I - A)^{-1}, \qquad x = L f

    ``L[i, j]`` is the output of sector ``i`` needed, directly and indirectly, per unit of
    final demand for sector ``j``. For a productive economy (non-negative ``A`` with column
    sums below 1, the Hawkins-Simon condition) every entry is non-negative and the diagonal
    is at least 1. Negative coefficients are accepted (some official tables have them).

    Parameters
    ----------
    A : (n, n) array or DataFrame
        Technical coefficients (dimensionless), ``A[i, j]`` = input from ``i`` per unit
        output of ``j``.
    min_rcond : float, optional
        Smallest accepted reciprocal condition number of ``I - A`` (1-norm estimate).

    Returns
    -------
    (n, n) array or DataFrame
        The Leontief inverse, labelled like ``A``.

    Raises
    ------
    InvalidData
        If ``A`` is not square or has a missing value.
    SingularSystemError
        If ``I - A`` is singular or its reciprocal condition number is below ``min_rcond``.

    References
    ----------
    Leontief, W. (1936). Quantitative input and output relations in the economic systems of
    the United States. *Review of Economics and Statistics* 18(3), 105-125.
    https://doi.org/10.2307/1927837

    Miller & Blair (2009), chapter 2, the example after Table 2.4.
    https://doi.org/10.1017/CBO9780511626982

    Examples
    --------
    >>> import numpy as np
    >>> L = leontief_inverse(np.array([[0.15, 0.25], [0.2, 0.05]]))
    >>> print(np.round(L, 3))
    [[1.254 0.33 ]
     [0.264 1.122]]
    """
    a, labels = square(A, "A")
    return as_matrix(inverse_of_identity_minus(a, "A", min_rcond), labels)


def ghosh_inverse(B: MatrixLike, *, min_rcond: float = MIN_RCOND) -> Matrix:
    r"""Compute the Ghosh inverse G = (I - B)^-1 of the supply-driven model.

    .. math:: G = (I - B)^{-1}, \qquad x' = v' G

    ``G[i, j]`` is the output of sector ``j`` enabled, directly and indirectly, per unit of
    primary input (value added) in sector ``i``. ``G`` and ``L`` are similar matrices:
    ``G = diag(x)^-1 L diag(x)``.

    Parameters
    ----------
    B : (n, n) array or DataFrame
        Allocation coefficients (dimensionless), ``B[i, j]`` = share of ``i``'s output sold
        to ``j``.
    min_rcond : float, optional
        Smallest accepted reciprocal condition number of ``I - B`` (1-norm estimate).

    Returns
    -------
    (n, n) array or DataFrame
        The Ghosh inverse, labelled like ``B``.

    Raises
    ------
    InvalidData
        If ``B`` is not square or has a missing value.
    SingularSystemError
        If ``I - B`` is singular or its reciprocal condition number is below ``min_rcond``.

    References
    ----------
    Ghosh, A. (1958). Input-output approach in an allocation system. *Economica* 25(97),
    58-64. https://doi.org/10.2307/2550694

    Miller & Blair (2009), section 12.1. https://doi.org/10.1017/CBO9780511626982

    Examples
    --------
    >>> import numpy as np
    >>> G = ghosh_inverse(np.array([[0.15, 0.5], [0.1, 0.05]]))
    >>> print(np.round(G, 3))
    [[1.254 0.66 ]
     [0.132 1.122]]
    """
    b, labels = square(B, "B")
    return as_matrix(inverse_of_identity_minus(b, "B", min_rcond), labels)
