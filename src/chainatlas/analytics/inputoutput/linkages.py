"""Normalised backward and forward linkages and the key-sector classification."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from chainatlas.analytics.inputoutput._frames import any_vector, as_vector, square, vector
from chainatlas.errors import InvalidData

if TYPE_CHECKING:
    from chainatlas.analytics.inputoutput._frames import FloatArray, MatrixLike, Vector, VectorLike

__all__ = ["SectorClass", "backward_linkages", "forward_linkages", "key_sectors"]


class SectorClass(StrEnum):
    """The four classes of the key-sector classification."""

    KEY = "key"
    BACKWARD = "backward-oriented"
    FORWARD = "forward-oriented"
    WEAK = "weak"


def _normalised(total_by_sector: FloatArray, grand_total: float, what: str) -> FloatArray:
    if grand_total == 0:
        raise InvalidData(f"{what}: the inverse sums to zero; linkages are undefined")
    # n * (sum of one column or row) / (sum of all entries): 1 is the average sector.
    return np.asarray(total_by_sector.shape[0] * total_by_sector / grand_total, dtype=np.float64)


def backward_linkages(L: MatrixLike) -> Vector:
    r"""Compute Rasmussen's normalised backward linkages (power of dispersion).

    .. math:: BL_j = \frac{\frac{1}{n}\sum_i l_{ij}}{\frac{1}{n^2}\sum_{i,k} l_{ik}}
              = \frac{n \, 1'L e_j}{1'L1}

    A value above 1 means a unit of final demand for ``j`` pulls more output from the
    economy than the average sector does.

    Parameters
    ----------
    L : (n, n) array or DataFrame
        Leontief inverse (dimensionless).

    Returns
    -------
    (n,) array or Series
        Normalised backward linkages (average 1), labelled like ``L``.

    Raises
    ------
    InvalidData
        If ``L`` is not square, has a missing value or sums to zero.

    References
    ----------
    Rasmussen, P. N. (1956). *Studies in Inter-Sectoral Relations*. Einar Harks.

    Miller & Blair (2009), section 12.2 (backward linkages).
    https://doi.org/10.1017/CBO9780511626982

    Examples
    --------
    >>> import numpy as np
    >>> L = np.linalg.inv(np.eye(2) - np.array([[0.15, 0.25], [0.2, 0.05]]))
    >>> print(np.round(backward_linkages(L), 4))
    [1.0222 0.9778]
    """
    inv, labels = square(L, "L")
    return as_vector(
        _normalised(inv.sum(axis=0), float(inv.sum()), "backward linkages"),
        labels,
        "backward_linkage",
    )


def forward_linkages(M: MatrixLike, *, method: Literal["ghosh", "rasmussen"] = "ghosh") -> Vector:
    r"""Compute normalised forward linkages from the Ghosh inverse (or, optionally, from L).

    .. math:: FL_i = \frac{n \, e_i' M 1}{1'M1}

    With ``method="ghosh"`` (default) ``M`` is the Ghosh inverse ``G = (I - B)^-1``: the row
    sum of ``G`` is the output enabled in all sectors per unit of primary input in ``i``,
    the measure recommended for forward linkages. With ``method="rasmussen"`` ``M`` is the
    Leontief inverse ``L`` (Rasmussen's sensitivity of dispersion: the output of ``i``
    needed when every sector's final demand rises by one unit).

    Parameters
    ----------
    M : (n, n) array or DataFrame
        Ghosh inverse ``G`` (``method="ghosh"``) or Leontief inverse ``L``
        (``method="rasmussen"``), dimensionless.
    method : {"ghosh", "rasmussen"}
        Which inverse ``M`` is.

    Returns
    -------
    (n,) array or Series
        Normalised forward linkages (average 1), labelled like ``M``.

    Raises
    ------
    InvalidData
        If ``M`` is not square, has a missing value or sums to zero, or ``method`` is unknown.

    References
    ----------
    Rasmussen, P. N. (1956). *Studies in Inter-Sectoral Relations*. Einar Harks.

    Beyers, W. B. (1976). Empirical identification of key sectors: some further evidence.
    *Environment and Planning A* 8(2), 231-236. https://doi.org/10.1068/a080231

    Miller & Blair (2009), section 12.2 (forward linkages from the Ghosh inverse).
    https://doi.org/10.1017/CBO9780511626982

    Examples
    --------
    >>> import numpy as np
    >>> G = np.linalg.inv(np.eye(2) - np.array([[0.15, 0.5], [0.1, 0.05]]))
    >>> print(np.round(forward_linkages(G), 4))
    [1.2083 0.7917]
    """
    if method not in ("ghosh", "rasmussen"):
        raise InvalidData(f"method must be 'ghosh' or 'rasmussen', not {method!r}")
    inv, labels = square(M, "G" if method == "ghosh" else "L")
    return as_vector(
        _normalised(inv.sum(axis=1), float(inv.sum()), "forward linkages"),
        labels,
        "forward_linkage",
    )


def key_sectors(
    bl: VectorLike, fl: VectorLike, *, threshold: float = 1.0
) -> pd.Series[str] | np.ndarray[tuple[int], np.dtype[np.str_]]:
    """Classify sectors by their normalised backward and forward linkages.

    ========================  ======================  =====================
    class                     backward ``bl``          forward ``fl``
    ========================  ======================  =====================
    ``"key"``                 > threshold              > threshold
    ``"backward-oriented"``   > threshold              <= threshold
    ``"forward-oriented"``    <= threshold             > threshold
    ``"weak"``                <= threshold             <= threshold
    ========================  ======================  =====================

    Parameters
    ----------
    bl : (n,) array or Series
        Normalised backward linkages (average 1).
    fl : (n,) array or Series
        Normalised forward linkages (average 1).
    threshold : float, optional
        The dividing value, 1 (the average) by default.

    Returns
    -------
    (n,) array of str or Series of str
        The class of each sector (values of :class:`SectorClass`), labelled like the input.

    Raises
    ------
    InvalidData
        If lengths or labels differ or a value is missing.

    References
    ----------
    Miller & Blair (2009), section 12.2 (key sectors from backward and forward linkages).
    https://doi.org/10.1017/CBO9780511626982

    Examples
    --------
    >>> print(key_sectors([1.2, 1.1, 0.8, 0.9], [1.3, 0.7, 1.1, 0.9]))
    ['key' 'backward-oriented' 'forward-oriented' 'weak']
    """
    back, labels = any_vector(bl, "bl")
    fwd, labels = vector(fl, "fl", back.shape[0], labels)
    classes = np.select(
        [(back > threshold) & (fwd > threshold), back > threshold, fwd > threshold],
        [SectorClass.KEY.value, SectorClass.BACKWARD.value, SectorClass.FORWARD.value],
        default=SectorClass.WEAK.value,
    )
    if labels is None:
        return classes
    return pd.Series(classes, index=labels, name="sector_class", dtype=object)
