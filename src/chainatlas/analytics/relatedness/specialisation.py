"""Regional division of labour: specialisation of each region and similarity between regions.

Orientation throughout: rows are locations (regions), columns are products or industries;
``X[c, p]`` is the output, value added or employment of region ``c`` in industry ``p``.
Both measures work on the industry shares ``s_cp = X_cp / sum_p X_cp``.
"""

from __future__ import annotations

from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from chainatlas.analytics.relatedness._checks import (
    FloatArray,
    Table,
    as_table,
    check_min_size,
    describe,
    name_some,
    product_vector,
    wrap_matrix,
    wrap_vector,
)
from chainatlas.errors import AnalysisError, InvalidData

__all__ = ["krugman_specialisation", "structural_similarity"]


def _shares(table: Table, name: str) -> FloatArray:
    """Return each row's industry shares; an all-zero row raises, naming the locations."""
    totals = table.data.sum(axis=1)
    empty = np.flatnonzero(totals == 0)
    if empty.size:
        raise AnalysisError(
            f"{name} has no activity at all for {empty.size} location(s) "
            f"({name_some(table.rows, empty)}): their industry structure is not defined; "
            "leave them out or give them data"
        )
    return np.asarray(table.data / totals[:, np.newaxis], dtype=np.float64)


@overload
def krugman_specialisation(X: pd.DataFrame, reference: Any = None) -> pd.Series[float]: ...
@overload
def krugman_specialisation(X: npt.ArrayLike, reference: Any = None) -> FloatArray: ...
def krugman_specialisation(
    X: pd.DataFrame | npt.ArrayLike, reference: Any = None
) -> pd.Series[float] | FloatArray:
    r"""Compute Krugman's specialisation index of each location.

    .. math::

        K_c = \sum_p \left| s_{cp} - \bar s_{-c,p} \right|, \qquad
        s_{cp} = \frac{X_{cp}}{\sum_{p'} X_{cp'}}, \qquad
        \bar s_{-c,p} = \frac{\sum_{c' \ne c} X_{c'p}}{\sum_{c' \ne c} \sum_{p'} X_{c'p'}}

    The variant of Krugman (1991, Appendix D) as used for EU regions by Midelfart-Knarvik
    et al. (2000): each location is compared with the pooled industry structure of *all
    other* locations, so a large location does not dominate its own benchmark. With
    ``reference`` (e.g. the national output by industry) each location is compared with
    the reference shares ``r_p / sum r`` instead. ``K`` lies in [0, 2]: 0 for a location
    with exactly the benchmark structure, 2 for one with no industry in common with it.

    Parameters
    ----------
    X : (locations, products) array or DataFrame
        Output, value added or employment by location (rows) and industry (columns).
    reference : (products,) array or Series, optional
        The benchmark's activity by industry; a Series is aligned by label.

    Returns
    -------
    (locations,) array or Series
        ``K_c``, dimensionless, named ``krugman`` and labelled by ``X``'s rows.

    Raises
    ------
    InvalidData
        If ``X`` or ``reference`` has a missing, infinite or negative value or their
        labels do not match.
    AnalysisError
        If ``X`` has fewer than two industries (or, without ``reference``, fewer than two
        locations), a location has no activity at all (named), the other locations have
        none, or ``reference`` is all zero.

    References
    ----------
    Krugman, P. (1991). *Geography and Trade*. MIT Press, Appendix D. ISBN 978-0-262-11159-1.

    Midelfart-Knarvik, K. H., Overman, H. G., Redding, S. J. & Venables, A. J. (2000).
    *The Location of European Industry*. European Commission, Economic Papers 142.

    Examples
    --------
    Two regions with mirror-image structures, 3:1 and 1:3; each differs from the other by
    |0.75 - 0.25| + |0.25 - 0.75|:

    >>> print(krugman_specialisation([[30.0, 10.0], [10.0, 30.0]]))
    [1. 1.]
    """
    table = as_table(X, "X")
    check_min_size(table, "X", locations=1 if reference is not None else 2)
    shares = _shares(table, "X")
    x = table.data
    if reference is None:
        rest = x.sum(axis=0)[np.newaxis, :] - x
        rest_totals = rest.sum(axis=1)
        alone = np.flatnonzero(rest_totals <= 0)
        if alone.size:
            raise AnalysisError(
                f"location {describe(table.rows, alone[0])!r} is the only one with any "
                "activity, so there is no rest to compare it with; give a reference"
            )
        bench = rest / rest_totals[:, np.newaxis]
    else:
        ref, _ = product_vector(reference, "reference", table.cols, x.shape[1])
        if (ref < 0).any():
            pos = int(np.argmax(ref < 0))
            raise InvalidData(
                f"reference must not be negative: {ref[pos]:g} at {describe(table.cols, pos)!r}"
            )
        if ref.sum() == 0:
            raise AnalysisError("reference is all zero: its industry shares are not defined")
        bench = (ref / ref.sum())[np.newaxis, :]
    out = np.abs(shares - bench).sum(axis=1)
    return wrap_vector(out, table.rows, "krugman")  # type: ignore[no-any-return]


@overload
def structural_similarity(
    X: pd.DataFrame, method: Literal["cosine"] = "cosine"
) -> pd.DataFrame: ...
@overload
def structural_similarity(X: npt.ArrayLike, method: Literal["cosine"] = "cosine") -> FloatArray: ...
def structural_similarity(
    X: pd.DataFrame | npt.ArrayLike, method: Literal["cosine"] = "cosine"
) -> pd.DataFrame | FloatArray:
    r"""Compute the structural similarity coefficient (产业结构相似系数) of every pair of locations.

    .. math:: S_{ij} = \frac{\sum_k s_{ik} s_{jk}}{\sqrt{\sum_k s_{ik}^2 \sum_k s_{jk}^2}}

    The coefficient of industrial structure similarity that UNIDO proposed (1979) and that
    Chinese regional economics uses to judge homogeneous competition (产业同构) between
    regions: the cosine of the angle between two regions' industry share vectors. It lies
    in [0, 1] for non-negative data: 1 for identical structures, 0 for regions with no
    industry in common; values near 1 for neighbours flag regions chasing the same
    industries. Cosine does not depend on scale, so shares and levels give the same value.

    Parameters
    ----------
    X : (locations, products) array or DataFrame
        Output, value added or employment by location (rows) and industry (columns).
    method : {"cosine"}, default "cosine"
        The coefficient; only the cosine (UNIDO) coefficient is implemented.

    Returns
    -------
    (locations, locations) array or DataFrame
        Symmetric, unit diagonal, labelled by ``X``'s rows on both axes.

    Raises
    ------
    InvalidData
        If ``X`` has a missing, infinite or negative value, or ``method`` is unknown.
    AnalysisError
        If ``X`` has fewer than two locations or two industries, or a location has no
        activity at all (named).

    References
    ----------
    UNIDO (1979). *Structural Changes in Industry*. In *World Industry since 1960:
    Progress and Prospects*, Special Issue of the Industrial Development Survey. United
    Nations, New York.

    Krugman, P. (1991). *Geography and Trade*. MIT Press.

    Examples
    --------
    ``a`` and ``b`` have the same structure at different sizes; ``c`` shares nothing:

    >>> import pandas as pd
    >>> X = pd.DataFrame(
    ...     {"x": [10.0, 30.0, 0.0], "y": [10.0, 30.0, 0.0], "z": [0.0, 0.0, 5.0]},
    ...     index=["a", "b", "c"],
    ... )
    >>> structural_similarity(X)
         a    b    c
    a  1.0  1.0  0.0
    b  1.0  1.0  0.0
    c  0.0  0.0  1.0
    """
    if method != "cosine":
        raise InvalidData(f"method must be 'cosine', got {method!r}")
    table = as_table(X, "X")
    check_min_size(table, "X")
    shares = _shares(table, "X")
    unit = shares / np.linalg.norm(shares, axis=1)[:, np.newaxis]
    sim = np.clip(unit @ unit.T, 0.0, 1.0)
    np.fill_diagonal(sim, 1.0)
    return wrap_matrix(sim, table.rows, table.rows)  # type: ignore[no-any-return]
