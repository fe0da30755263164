"""Output, value-added, employment and income multipliers (Miller & Blair 2009, ch. 6).

All multipliers here come from the open model (households exogenous), so they are the
*simple* multipliers and their *Type I* ratios. With ``c`` a vector of direct coefficients
(value added, jobs or household income per unit of output, see
:func:`~chainatlas.analytics.inputoutput.direct_coefficients`):

* simple multiplier of sector ``j``: ``m_j = sum_i c_i L[i, j]`` (``m' = c' L``): the total
  (direct + indirect) value added, jobs or income generated in the whole economy per unit
  of final demand for ``j``;
* Type I multiplier: ``m_j / c_j``: the same total per unit of the *direct* effect in
  ``j``, i.e. how much the direct effect is blown up by inter-industry purchases.

A Type I multiplier is undefined (returned as NaN) for a sector whose direct coefficient is
zero.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from chainatlas.analytics.inputoutput._frames import as_vector, square, vector
from chainatlas.errors import InvalidData

if TYPE_CHECKING:
    from chainatlas.analytics.inputoutput._frames import MatrixLike, Vector, VectorLike

__all__ = [
    "MultiplierKind",
    "employment_multipliers",
    "income_multipliers",
    "output_multipliers",
    "value_added_multipliers",
]

MultiplierKind = Literal["simple", "type_i"]


def output_multipliers(L: MatrixLike) -> Vector:
    r"""Compute the simple output multipliers, the column sums of L.

    .. math:: m(o)_j = \sum_i l_{ij}, \qquad m(o)' = 1' L

    ``m(o)_j`` is the total output of all sectors needed per unit of final demand for
    ``j``.

    Parameters
    ----------
    L : (n, n) array or DataFrame
        Leontief inverse (dimensionless).

    Returns
    -------
    (n,) array or Series
        Output multipliers (output per unit of final demand), labelled like ``L``.

    Raises
    ------
    InvalidData
        If ``L`` is not square or has a missing value.

    References
    ----------
    Miller & Blair (2009), chapter 6, simple output multipliers.
    https://doi.org/10.1017/CBO9780511626982

    Examples
    --------
    >>> import numpy as np
    >>> L = np.linalg.inv(np.eye(2) - np.array([[0.15, 0.25], [0.2, 0.05]]))
    >>> print(np.round(output_multipliers(L), 3))
    [1.518 1.452]
    """
    inv, labels = square(L, "L")
    return as_vector(inv.sum(axis=0), labels, "output_multiplier")


def _coefficient_multipliers(
    L: MatrixLike, c: VectorLike, kind: MultiplierKind, what: str
) -> Vector:
    inv, labels = square(L, "L")
    coef, labels = vector(c, what, inv.shape[0], labels)
    simple = coef @ inv
    if kind == "simple":
        return as_vector(simple, labels, f"{what}_multiplier")
    if kind != "type_i":
        raise InvalidData(f"kind must be 'simple' or 'type_i', not {kind!r}")
    out = np.full_like(simple, np.nan)
    np.divide(simple, coef, out=out, where=coef != 0)
    return as_vector(out, labels, f"{what}_type_i_multiplier")


def value_added_multipliers(
    L: MatrixLike, v: VectorLike, *, kind: MultiplierKind = "simple"
) -> Vector:
    r"""Compute value-added (GDP) multipliers, simple or Type I.

    .. math::

        m(v)_j = \sum_i v_i l_{ij} \quad (\text{simple}), \qquad
        m(v)^{I}_j = m(v)_j / v_j \quad (\text{Type I})

    Parameters
    ----------
    L : (n, n) array or DataFrame
        Leontief inverse (dimensionless).
    v : (n,) array or Series
        Value added per unit of output, ``v_j = VA_j / x_j`` (dimensionless).
    kind : {"simple", "type_i"}
        ``"simple"``: value added in the whole economy per unit of final demand for ``j``
        (money per money; with a full set of primary inputs it equals 1). ``"type_i"``:
        that total per unit of value added generated directly in ``j``.

    Returns
    -------
    (n,) array or Series
        Multipliers by sector; Type I is NaN where ``v_j = 0``.

    Raises
    ------
    InvalidData
        If shapes or labels differ, a value is missing or ``kind`` is unknown.

    References
    ----------
    Miller & Blair (2009), chapter 6, value-added multipliers and Type I ratios.
    https://doi.org/10.1017/CBO9780511626982

    Examples
    --------
    Miller & Blair (2009) Table 2.3 has value added 650 and 1400 on outputs 1000 and 2000:

    >>> import numpy as np
    >>> L = np.linalg.inv(np.eye(2) - np.array([[0.15, 0.25], [0.2, 0.05]]))
    >>> print(np.round(value_added_multipliers(L, [0.65, 0.7]), 6))
    [1. 1.]
    """
    return _coefficient_multipliers(L, v, kind, "value_added")


def employment_multipliers(
    L: MatrixLike, e: VectorLike, *, kind: MultiplierKind = "simple"
) -> Vector:
    r"""Compute employment multipliers, simple or Type I.

    .. math::

        m(e)_j = \sum_i e_i l_{ij} \quad (\text{simple}), \qquad
        m(e)^{I}_j = m(e)_j / e_j \quad (\text{Type I})

    Parameters
    ----------
    L : (n, n) array or DataFrame
        Leontief inverse (dimensionless).
    e : (n,) array or Series
        Jobs per unit of output, ``e_j = jobs_j / x_j`` (e.g. persons per million CNY).
    kind : {"simple", "type_i"}
        ``"simple"``: jobs in the whole economy per unit of final demand for ``j`` (same unit
        as ``e``). ``"type_i"``: jobs in the whole economy per job directly in ``j``.

    Returns
    -------
    (n,) array or Series
        Multipliers by sector; Type I is NaN where ``e_j = 0``.

    Raises
    ------
    InvalidData
        If shapes or labels differ, a value is missing or ``kind`` is unknown.

    References
    ----------
    Miller & Blair (2009), chapter 6, employment multipliers (simple and Type I).
    https://doi.org/10.1017/CBO9780511626982

    Examples
    --------
    >>> import numpy as np
    >>> L = np.linalg.inv(np.eye(2) - np.array([[0.15, 0.25], [0.2, 0.05]]))
    >>> print(np.round(employment_multipliers(L, [2.0, 1.0], kind="type_i"), 4))
    [1.3861 1.7822]
    """
    return _coefficient_multipliers(L, e, kind, "employment")


def income_multipliers(L: MatrixLike, h: VectorLike, *, kind: MultiplierKind = "simple") -> Vector:
    r"""Compute household income multipliers, simple or Type I.

    .. math::

        m(h)_j = \sum_i a_{n+1,i} l_{ij} \quad (\text{simple}), \qquad
        m(h)^{I}_j = m(h)_j / a_{n+1,j} \quad (\text{Type I})

    where ``a_{n+1,j}`` is household income (labour compensation) per unit of output of
    ``j``. Type II multipliers, which close the model with respect to households, are not
    computed here.

    Parameters
    ----------
    L : (n, n) array or DataFrame
        Leontief inverse of the open model (dimensionless).
    h : (n,) array or Series
        Household income per unit of output (dimensionless).
    kind : {"simple", "type_i"}
        ``"simple"``: household income in the whole economy per unit of final demand for
        ``j``. ``"type_i"``: that total per unit of income paid directly by ``j``.

    Returns
    -------
    (n,) array or Series
        Multipliers by sector; Type I is NaN where ``h_j = 0``.

    Raises
    ------
    InvalidData
        If shapes or labels differ, a value is missing or ``kind`` is unknown.

    References
    ----------
    Miller & Blair (2009), chapter 6, simple household income multipliers and Type I income
    multipliers. https://doi.org/10.1017/CBO9780511626982

    Examples
    --------
    Labour coefficients 0.3 and 0.25 of the Miller & Blair (2009) two-sector example:

    >>> import numpy as np
    >>> L = np.linalg.inv(np.eye(2) - np.array([[0.15, 0.25], [0.2, 0.05]]))
    >>> print(np.round(income_multipliers(L, [0.3, 0.25]), 4))
    [0.4422 0.3795]
    >>> print(np.round(income_multipliers(L, [0.3, 0.25], kind="type_i"), 4))
    [1.4741 1.5182]
    """
    return _coefficient_multipliers(L, h, kind, "income")
