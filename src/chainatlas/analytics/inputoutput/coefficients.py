"""Direct coefficients of an input-output table: technical (input) and allocation (output).

Orientation throughout: ``Z[i, j]`` is the sale of sector ``i`` (row) to sector ``j``
(column), ``x`` is total output and ``f`` final demand, so that ``x = Z 1 + f``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from chainatlas.analytics.inputoutput._frames import (
    any_vector,
    as_matrix,
    as_vector,
    check_nonnegative,
    safe_divide,
    square,
    vector,
)

if TYPE_CHECKING:
    from chainatlas.analytics.inputoutput._frames import (
        FloatArray,
        Matrix,
        MatrixLike,
        Vector,
        VectorLike,
    )

__all__ = ["allocation_coefficients", "direct_coefficients", "technical_coefficients"]


def _flows(Z: MatrixLike, x: VectorLike) -> tuple[FloatArray, FloatArray, pd.Index | None]:
    z, labels = square(Z, "Z")
    out, labels = vector(x, "x", z.shape[0], labels)
    check_nonnegative(z, "Z", labels)
    check_nonnegative(out, "x", labels)
    return z, out, labels


def technical_coefficients(Z: MatrixLike, x: VectorLike) -> Matrix:
    r"""Compute the technical (input) coefficients A = Z diag(x)^-1.

    .. math:: a_{ij} = z_{ij} / x_j

    ``a_ij`` is the input bought from sector ``i`` per unit of output of sector ``j``. A
    sector with zero output gets a zero column (it buys nothing per unit it does not make),
    so the Leontief inverse stays defined.

    Parameters
    ----------
    Z : (n, n) array or DataFrame
        Intermediate flows, money per period; ``Z[i, j]`` = sales of ``i`` to ``j``.
    x : (n,) array or Series
        Total output by sector, same money unit as ``Z``.

    Returns
    -------
    (n, n) array or DataFrame
        Dimensionless coefficients, labelled like ``Z`` (or ``x``) when either is labelled.

    Raises
    ------
    InvalidData
        If ``Z`` is not square, labels do not match, a value is missing, a flow or an output
        is negative (the message names the cell).

    References
    ----------
    Miller, R. E. & Blair, P. D. (2009). *Input-Output Analysis: Foundations and
    Extensions*, 2nd ed., chapter 2, Table 2.4. Cambridge University Press.
    https://doi.org/10.1017/CBO9780511626982

    Examples
    --------
    The two-sector example of Miller & Blair (2009), Table 2.3:

    >>> import numpy as np
    >>> Z = np.array([[150.0, 500.0], [200.0, 100.0]])
    >>> print(technical_coefficients(Z, [1000.0, 2000.0]))
    [[0.15 0.25]
     [0.2  0.05]]
    """
    z, out, labels = _flows(Z, x)
    # A = Z diag(x)^-1, computed as a column-wise division.
    return as_matrix(safe_divide(z, out[np.newaxis, :]), labels)


def allocation_coefficients(Z: MatrixLike, x: VectorLike) -> Matrix:
    r"""Compute the allocation (output) coefficients B = diag(x)^-1 Z of the Ghosh model.

    .. math:: b_{ij} = z_{ij} / x_i

    ``b_ij`` is the share of sector ``i``'s output sold to sector ``j``. A sector with zero
    output gets a zero row.

    Parameters
    ----------
    Z : (n, n) array or DataFrame
        Intermediate flows, money per period; ``Z[i, j]`` = sales of ``i`` to ``j``.
    x : (n,) array or Series
        Total output by sector, same money unit as ``Z``.

    Returns
    -------
    (n, n) array or DataFrame
        Dimensionless coefficients, labelled like the input.

    Raises
    ------
    InvalidData
        If ``Z`` is not square, labels do not match, a value is missing, a flow or an output
        is negative.

    References
    ----------
    Ghosh, A. (1958). Input-output approach in an allocation system. *Economica* 25(97),
    58-64. https://doi.org/10.2307/2550694

    Miller & Blair (2009), section 12.1. https://doi.org/10.1017/CBO9780511626982

    Examples
    --------
    >>> import numpy as np
    >>> Z = np.array([[150.0, 500.0], [200.0, 100.0]])
    >>> print(allocation_coefficients(Z, [1000.0, 2000.0]))
    [[0.15 0.5 ]
     [0.1  0.05]]
    """
    z, out, labels = _flows(Z, x)
    # B = diag(x)^-1 Z, computed as a row-wise division.
    return as_matrix(safe_divide(z, out[:, np.newaxis]), labels)


def direct_coefficients(values: VectorLike, x: VectorLike) -> Vector:
    r"""Compute per-unit-of-output coefficients c = diag(x)^-1 values.

    .. math:: c_j = \mathit{values}_j / x_j

    Use it to turn value added, employment or household income by sector into the direct
    coefficients that the multiplier functions take. A sector with zero output gets 0.

    Parameters
    ----------
    values : (n,) array or Series
        Value added or income (money) or jobs (persons) by sector.
    x : (n,) array or Series
        Total output by sector (money).

    Returns
    -------
    (n,) array or Series
        ``values`` per unit of output (e.g. jobs per million of output).

    Raises
    ------
    InvalidData
        If lengths or labels differ, a value is missing or an output is negative.

    References
    ----------
    Miller & Blair (2009), chapter 6 (direct coefficients of multiplier analysis).
    https://doi.org/10.1017/CBO9780511626982

    Examples
    --------
    Labour inputs of the Miller & Blair (2009) two-sector example (chapter 2):

    >>> print(direct_coefficients([300.0, 500.0], [1000.0, 2000.0]))
    [0.3  0.25]
    """
    vals, labels = any_vector(values, "values")
    out, labels = vector(x, "x", vals.shape[0], labels)
    check_nonnegative(out, "x", labels)
    return as_vector(safe_divide(vals, out), labels, "coefficient")
