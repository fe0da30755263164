"""Import dependence from a non-competitive-import table.

A non-competitive table splits intermediate inputs into domestic flows ``Z_d`` and imported
flows ``Z_m``. Dividing both by the using sector's output gives ``A_d`` and ``A_m``; only
``A_d`` circulates in the domestic Leontief inverse ``L_d = (I - A_d)^-1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from chainatlas.analytics.inputoutput._frames import as_matrix, as_vector, square
from chainatlas.analytics.inputoutput.inverses import MIN_RCOND, inverse_of_identity_minus
from chainatlas.errors import InvalidData

if TYPE_CHECKING:
    from chainatlas.analytics.inputoutput._frames import FloatArray, Matrix, MatrixLike, Vector

__all__ = ["ImportDependence", "import_dependence"]


@dataclass(frozen=True, slots=True)
class ImportDependence:
    """Import content per unit of final demand, by sector.

    Attributes
    ----------
    direct : (n,) array or Series
        ``1' A_m``: imported inputs bought directly per unit of output of each sector.
    total : (n,) array or Series
        ``1' A_m L_d``: imported inputs embodied, directly and through domestic suppliers,
        in one unit of final demand for each sector's product.
    requirements : (m, n) array or DataFrame
        ``A_m L_d``: imports of each product (rows) per unit of final demand for each
        sector (columns).
    """

    direct: Vector
    total: Vector
    requirements: Matrix


def _imports_block(
    A_imports: MatrixLike, n: int, labels: pd.Index | None
) -> tuple[FloatArray, pd.Index | None]:
    rows: pd.Index | None = None
    if isinstance(A_imports, pd.DataFrame):
        frame = A_imports
        if labels is not None:
            missing = labels.difference(frame.columns)
            if len(missing) or len(frame.columns) != len(labels):
                raise InvalidData(
                    "A_imports columns must be the sectors of A_domestic "
                    f"(missing: {', '.join(map(str, missing[:3])) or 'none'})"
                )
            frame = frame.reindex(columns=labels)
        rows = frame.index
        arr = np.asarray(frame.to_numpy(), dtype=np.float64)
    else:
        arr = np.asarray(A_imports, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != n:
        raise InvalidData(f"A_imports must have {n} columns (one per sector), got {arr.shape}")
    if not np.isfinite(arr).all():
        where = np.argwhere(~np.isfinite(arr))[0]
        row = where[0] if rows is None else rows[where[0]]
        col = where[1] if labels is None else labels[where[1]]
        raise InvalidData(f"A_imports has a missing or infinite value at ({row!r}, {col!r})")
    return arr, rows


def import_dependence(A_domestic: MatrixLike, A_imports: MatrixLike) -> ImportDependence:
    r"""Compute direct and total import content per unit of final demand, per sector.

    .. math::

        \text{direct}_j = \sum_k (A_m)_{kj}, \qquad
        \text{total}_j = \sum_k (A_m L_d)_{kj}, \qquad L_d = (I - A_d)^{-1}

    ``total_j`` is the vertical import share (import content) of final demand for ``j``:
    the imported inputs needed along the whole domestic supply chain. Imports bought
    directly by final users are not included. With a full set of primary inputs,
    ``total_j + (value added multiplier)_j = 1``.

    Parameters
    ----------
    A_domestic : (n, n) array or DataFrame
        Domestic technical coefficients ``A_d = Z_d diag(x)^-1`` (dimensionless).
    A_imports : (m, n) array or DataFrame
        Imported-input coefficients ``A_m = Z_m diag(x)^-1``: one row per imported product
        (usually ``m = n``), one column per using sector.

    Returns
    -------
    ImportDependence
        ``direct`` and ``total`` by sector and the ``requirements`` matrix, labelled like
        the input.

    Raises
    ------
    InvalidData
        If shapes or labels differ or a value is missing.
    SingularSystemError
        If ``I - A_d`` is singular.

    References
    ----------
    Hummels, D., Ishii, J. & Yi, K.-M. (2001). The nature and growth of vertical
    specialization in world trade. *Journal of International Economics* 54(1), 75-96.
    https://doi.org/10.1016/S0022-1996(00)00093-3

    Miller & Blair (2009), chapter 2 (treatment of imports).
    https://doi.org/10.1017/CBO9780511626982

    Examples
    --------
    >>> import numpy as np
    >>> Ad = np.array([[0.1, 0.2], [0.1, 0.1]])
    >>> Am = np.array([[0.05, 0.1], [0.0, 0.1]])
    >>> dep = import_dependence(Ad, Am)
    >>> print(np.round(dep.direct, 4), np.round(dep.total, 4))
    [0.05 0.2 ] [0.0823 0.2405]
    """
    ad, labels = square(A_domestic, "A_domestic")
    if labels is None and isinstance(A_imports, pd.DataFrame):
        labels = pd.Index(A_imports.columns)
    am, rows = _imports_block(A_imports, ad.shape[0], labels)
    ld = inverse_of_identity_minus(ad, "A_domestic", MIN_RCOND)
    req = am @ ld
    requirements: Matrix = req
    if labels is not None:
        index = rows if rows is not None else pd.RangeIndex(req.shape[0])
        requirements = as_matrix(req, index, labels)
    return ImportDependence(
        direct=as_vector(am.sum(axis=0), labels, "direct_import_content"),
        total=as_vector(req.sum(axis=0), labels, "total_import_content"),
        requirements=requirements,
    )
