"""Revealed comparative advantage, location quotients and the presence matrix.

Orientation throughout: rows are locations (countries, provinces, cities), columns are
products (or industries); ``X[c, p]`` is the exports, output or employment of location
``c`` in product ``p``, all in one unit.
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from chainatlas.analytics.relatedness._checks import (
    FloatArray,
    as_table,
    check_min_size,
    describe,
    product_vector,
    safe_divide,
    wrap_matrix,
)
from chainatlas.errors import AnalysisError, InvalidData

__all__ = ["location_quotient", "presence", "rca"]

IntArray = npt.NDArray[np.int64]


def _quotients(X: Any, reference: Any, name: str) -> Any:
    """Return (X_cp / X_c) / (R_p / R), wrapped like ``X``; 0 where X_c or R_p is 0."""
    table = as_table(X, name)
    x = table.data
    if reference is None:
        check_min_size(table, name)
        ref = x.sum(axis=0)
    else:
        check_min_size(table, name, locations=1)
        if isinstance(reference, pd.DataFrame):
            if reference.shape[0] != 1:
                raise InvalidData(
                    f"reference must be one row over the products, got {reference.shape[0]} rows"
                )
            reference = reference.iloc[0]
        ref, _ = product_vector(reference, "reference", table.cols, x.shape[1])
        if (ref < 0).any():
            pos = int(np.argmax(ref < 0))
            raise InvalidData(
                f"reference must not be negative: {ref[pos]:g} at {describe(table.cols, pos)!r}"
            )
        gap = (ref == 0)[np.newaxis, :] & (x > 0)
        if gap.any():
            r, c = np.argwhere(gap)[0]
            raise AnalysisError(
                f"the reference has nothing in product {describe(table.cols, c)!r}, but "
                f"location {describe(table.rows, r)!r} has {x[r, c]:g}: the location "
                "quotient would be infinite; use a reference that covers every product"
            )
    total = ref.sum()
    if total == 0 or x.sum() == 0:
        raise AnalysisError(
            f"{name} is all zero: no location has any activity, so no share is defined"
            if x.sum() == 0
            else "reference is all zero: its product shares are not defined"
        )
    # RCA_cp = (X_cp / X_c) / (X_p / X); a location or a product with no activity gets 0.
    shares = safe_divide(x, x.sum(axis=1)[:, np.newaxis])
    return wrap_matrix(safe_divide(shares, (ref / total)[np.newaxis, :]), table.rows, table.cols)


@overload
def rca(X: pd.DataFrame) -> pd.DataFrame: ...
@overload
def rca(X: npt.ArrayLike) -> FloatArray: ...
def rca(X: pd.DataFrame | npt.ArrayLike) -> pd.DataFrame | FloatArray:
    r"""Compute Balassa's revealed comparative advantage of each location in each product.

    .. math:: RCA_{cp} = \frac{X_{cp} / \sum_{p'} X_{cp'}}{\sum_{c'} X_{c'p} / \sum_{c'p'} X_{c'p'}}

    The share of product ``p`` in location ``c``'s basket over the share of ``p`` in the
    whole set of locations. Applied to output or employment instead of exports, the same
    formula gives location quotients (see :func:`location_quotient`). This is the RCA of
    py-ecomplexity and of the Atlas of Economic Complexity.

    A location with no activity at all (an all-zero row) and a product that no location
    makes (an all-zero column) get RCA 0 in every cell, instead of the undefined 0/0; they
    then have no presence and :func:`complexity` lists them as excluded.

    Parameters
    ----------
    X : (locations, products) array or DataFrame
        Exports, output or employment; rows are locations, columns products; one unit
        throughout; no negative or missing values.

    Returns
    -------
    array or DataFrame
        RCA, dimensionless (1 = as specialised as the whole set), labelled like ``X``.

    Raises
    ------
    InvalidData
        If ``X`` is not a 2-D numeric matrix, has a missing, infinite or negative value
        (the message names location and product) or a duplicate label.
    AnalysisError
        If ``X`` has fewer than two locations or two products, or is all zero.

    References
    ----------
    Balassa, B. (1965). Trade liberalisation and "revealed" comparative advantage. *The
    Manchester School* 33(2), 99-123. https://doi.org/10.1111/j.1467-9957.1965.tb00050.x

    Hidalgo, C. A. & Hausmann, R. (2009). The building blocks of economic complexity.
    *PNAS* 106(26), 10570-10575. https://doi.org/10.1073/pnas.0900943106

    Examples
    --------
    Location ``a`` puts 3/4 of its exports in product ``x``; the whole set puts 1/2 there:

    >>> import pandas as pd
    >>> X = pd.DataFrame({"x": [30.0, 10.0], "y": [10.0, 30.0]}, index=["a", "b"])
    >>> rca(X)
         x    y
    a  1.5  0.5
    b  0.5  1.5
    """
    return _quotients(X, None, "X")  # type: ignore[no-any-return]


@overload
def location_quotient(X: pd.DataFrame, reference: Any = None) -> pd.DataFrame: ...
@overload
def location_quotient(X: npt.ArrayLike, reference: Any = None) -> FloatArray: ...
def location_quotient(
    X: pd.DataFrame | npt.ArrayLike, reference: Any = None
) -> pd.DataFrame | FloatArray:
    r"""Compute location quotients of output or employment against a reference structure.

    .. math:: LQ_{cp} = \frac{X_{cp} / \sum_{p'} X_{cp'}}{R_p / \sum_{p'} R_{p'}}

    Without ``reference``, ``R_p = \sum_c X_{cp}`` (the whole set of locations is the
    reference) and the result equals :func:`rca`. With ``reference`` (e.g. the national
    output by industry), each location is compared with that structure, so a single
    location is allowed. An all-zero row gets LQ 0 everywhere.

    Parameters
    ----------
    X : (locations, products) array or DataFrame
        Output, value added or employment by location (rows) and industry (columns).
    reference : (products,) array or Series, or a one-row DataFrame, optional
        The reference region's activity by industry, same unit as ``X``; a Series is
        aligned to ``X``'s columns by label.

    Returns
    -------
    array or DataFrame
        Location quotients labelled like ``X``; above 1 the location is more specialised
        in the industry than the reference.

    Raises
    ------
    InvalidData
        If ``X`` or ``reference`` has a missing, infinite or negative value, or their
        labels or lengths do not match.
    AnalysisError
        If ``X`` has fewer than two industries (or, without a reference, fewer than two
        locations), ``X`` or ``reference`` is all zero, or the reference has nothing in an
        industry that a location has (an infinite quotient).

    References
    ----------
    Isard, W. (1960). *Methods of Regional Analysis*. MIT Press; Miller, R. E. & Blair,
    P. D. (2009). *Input-Output Analysis*, 2nd ed., section 8.2.1.
    https://doi.org/10.1017/CBO9780511626982

    Examples
    --------
    A city with 30 of its 100 jobs in industry ``x``, against a nation with 300 of 2,000:

    >>> print(location_quotient([[30.0, 70.0]], reference=[300.0, 1700.0]).round(3))
    [[2.    0.824]]
    """
    return _quotients(X, reference, "X")  # type: ignore[no-any-return]


@overload
def presence(R: pd.DataFrame, threshold: float = 1.0) -> pd.DataFrame: ...
@overload
def presence(R: npt.ArrayLike, threshold: float = 1.0) -> IntArray: ...
def presence(R: pd.DataFrame | npt.ArrayLike, threshold: float = 1.0) -> pd.DataFrame | IntArray:
    r"""Compute the binary presence matrix M_cp = 1 if R_cp >= threshold, else 0.

    .. math:: M_{cp} = [\, R_{cp} \ge \theta \,]

    With ``R = rca(X)`` and ``threshold = 1`` this is the ``M`` of Hidalgo & Hausmann
    (2009) and of py-ecomplexity (``rca_mcp_threshold=1``, ``>=``).

    Parameters
    ----------
    R : (locations, products) array or DataFrame
        RCA, location quotients or any other finite score.
    threshold : float, default 1.0
        The score at which a location counts as making a product.

    Returns
    -------
    array or DataFrame
        0/1 integers (``int64``), labelled like ``R``.

    Raises
    ------
    InvalidData
        If ``R`` has a missing or infinite value, or ``threshold`` is not finite.
    AnalysisError
        If ``R`` is empty.

    References
    ----------
    Hidalgo, C. A. & Hausmann, R. (2009). *PNAS* 106(26), 10570-10575.
    https://doi.org/10.1073/pnas.0900943106

    Examples
    --------
    >>> print(presence([[1.5, 0.5], [1.0, 0.99]]))
    [[1 0]
     [1 0]]
    """
    if not np.isfinite(threshold):
        raise InvalidData(f"threshold must be a finite number, got {threshold!r}")
    table = as_table(R, "R", nonnegative=False)
    out = (table.data >= threshold).astype(np.int64)
    return wrap_matrix(out, table.rows, table.cols)  # type: ignore[no-any-return]
