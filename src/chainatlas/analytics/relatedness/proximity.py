"""The product space: proximity between products and the density around each product.

Orientation throughout: ``M`` is a binary locations × products presence matrix (rows are
locations, columns products; see :func:`~chainatlas.analytics.relatedness.presence`).
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from chainatlas.analytics.relatedness._checks import (
    FloatArray,
    as_table,
    check_binary,
    check_min_size,
    product_square,
    wrap_matrix,
)

__all__ = ["density", "proximity"]

# Rows of the proximity matrix divided per block, to bound the temporary arrays.
_BLOCK = 1024


def cooccurrence(m: FloatArray) -> FloatArray:
    """Return C = M'M, the number of locations making both products, as float64.

    The 0/1 products and their integer sums are exact in float32 below 2**24 locations,
    and single-precision BLAS is about twice as fast as double.
    """
    dtype = np.float32 if m.shape[0] < 2**24 else np.float64
    mm: npt.NDArray[np.floating[Any]] = m.astype(dtype)
    return np.asarray(mm.T @ mm, dtype=np.float64)


def proximity_values(m: FloatArray) -> FloatArray:
    """Return phi_pp' = C_pp' / max(k_p, k_p') for a validated 0/1 array ``m``."""
    kp = m.sum(axis=0)
    phi = cooccurrence(m)
    # max(k_p, k_p', 1): both ubiquities are 0 only where C_pp' is 0 too, giving 0, not 0/0.
    kp_floor = np.maximum(kp, 1.0)
    for start in range(0, phi.shape[0], _BLOCK):
        stop = start + _BLOCK
        phi[start:stop] /= np.maximum(kp_floor[start:stop, np.newaxis], kp_floor[np.newaxis, :])
    return phi


def density_values(m: FloatArray, phi: FloatArray) -> FloatArray:
    """Return omega_cp = sum_p' M_cp' phi_pp' / sum_p' phi_pp' (0 where phi's row is 0)."""
    omega = m @ phi.T
    row = phi.sum(axis=1)
    # A product with no proximity to anything has a zero numerator too: 0, not 0/0.
    omega /= np.where(row > 0, row, 1.0)[np.newaxis, :]
    return omega


@overload
def proximity(M: pd.DataFrame) -> pd.DataFrame: ...
@overload
def proximity(M: npt.ArrayLike) -> FloatArray: ...
def proximity(M: pd.DataFrame | npt.ArrayLike) -> pd.DataFrame | FloatArray:
    r"""Compute the product proximity matrix of Hidalgo et al. (2007).

    .. math:: \varphi_{pp'} = \frac{\sum_c M_{cp} M_{cp'}}{\max(k_{p,0}, k_{p',0})},
              \qquad k_{p,0} = \sum_c M_{cp}

    The minimum of the two conditional probabilities P(make p' | make p) and
    P(make p | make p'), so the matrix is symmetric with values in [0, 1] and a unit
    diagonal. This is py-ecomplexity's discrete, symmetric proximity. A product that no
    location makes (ubiquity 0) has proximity 0 to every product, itself included, where
    the formula would give 0/0.

    Parameters
    ----------
    M : (locations, products) array or DataFrame
        Binary presence matrix, rows locations and columns products.

    Returns
    -------
    (products, products) array or DataFrame
        Proximity, dimensionless, labelled by ``M``'s columns on both axes.

    Raises
    ------
    InvalidData
        If ``M`` has a value other than 0 or 1, a missing value or a duplicate label.
    AnalysisError
        If ``M`` has fewer than two locations or two products.

    References
    ----------
    Hidalgo, C. A., Klinger, B., Barabási, A.-L. & Hausmann, R. (2007). The product space
    conditions the development of nations. *Science* 317(5837), 482-487.
    https://doi.org/10.1126/science.1144581

    Examples
    --------
    Products ``x`` and ``y`` are made together by one location; ``x`` by two, ``y`` by one:
    phi_xy = 1 / max(2, 1) = 0.5.

    >>> import pandas as pd
    >>> M = pd.DataFrame({"x": [1, 1], "y": [1, 0]}, index=["a", "b"])
    >>> proximity(M)
         x    y
    x  1.0  0.5
    y  0.5  1.0
    """
    table = as_table(M, "M")
    check_binary(table, "M")
    check_min_size(table, "M")
    return wrap_matrix(proximity_values(table.data), table.cols, table.cols)  # type: ignore[no-any-return]


@overload
def density(M: pd.DataFrame, phi: Any) -> pd.DataFrame: ...
@overload
def density(M: npt.ArrayLike, phi: Any) -> FloatArray: ...
def density(M: pd.DataFrame | npt.ArrayLike, phi: Any) -> pd.DataFrame | FloatArray:
    r"""Compute the density around each product in each location (Hidalgo et al. 2007).

    .. math:: \omega_{cp} = \frac{\sum_{p'} M_{cp'} \varphi_{pp'}}{\sum_{p'} \varphi_{pp'}}

    The share of product ``p``'s proximity mass that lies on products the location
    already makes; ``1 - omega`` is the Atlas's distance ``d_cp``. The sums run over all
    products, ``p`` itself included (as py-ecomplexity does). A product with no proximity
    to anything gets density 0.

    Parameters
    ----------
    M : (locations, products) array or DataFrame
        Binary presence matrix; one location is enough when ``phi`` comes from elsewhere
        (e.g. one province against the national product space).
    phi : (products, products) array or DataFrame
        Proximity, e.g. from :func:`proximity`; a DataFrame is aligned to ``M``'s columns
        by label. Non-negative; need not be symmetric (row ``p`` is used for product ``p``).

    Returns
    -------
    (locations, products) array or DataFrame
        Density in [0, 1], labelled like ``M``.

    Raises
    ------
    InvalidData
        If ``M`` is not 0/1, ``phi`` is not products × products, has a negative or missing
        value, or its labels differ from ``M``'s columns.
    AnalysisError
        If ``M`` is empty.

    References
    ----------
    Hidalgo, C. A., Klinger, B., Barabási, A.-L. & Hausmann, R. (2007). *Science*
    317(5837), 482-487. https://doi.org/10.1126/science.1144581

    Examples
    --------
    Location ``b`` makes only ``x``, and ``phi_xy = 0.5``. Around ``y``:
    (1·0.5 + 0·1) / (0.5 + 1) = 1/3; around ``x`` itself: (1·1 + 0·0.5) / (1 + 0.5) = 2/3.

    >>> import pandas as pd
    >>> M = pd.DataFrame({"x": [1, 1], "y": [1, 0]}, index=["a", "b"])
    >>> density(M, proximity(M)).round(4)
            x       y
    a  1.0000  1.0000
    b  0.6667  0.3333
    """
    table = as_table(M, "M")
    check_binary(table, "M")
    phi_arr = product_square(phi, "phi", table.cols, table.data.shape[1])
    out = density_values(table.data, phi_arr)
    return wrap_matrix(out, table.rows, table.cols)  # type: ignore[no-any-return]
