"""Hypothetical extraction: the output an economy loses when sectors are taken out.

Three definitions, each compared with the actual output ``x``:

* **complete** (Dietzenbacher, van der Linden & Steenge 1993; Miller & Lahr 2001): the
  sectors in ``S`` are removed altogether, rows and columns of ``A`` and their final demand;
  the remaining sectors produce ``x̄_R = (I - A_RR)^-1 f_R``. The loss is ``x_i - x̄_i`` for
  the remaining sectors and the whole ``x_i`` for the extracted ones; its sum is the total
  linkage ``T = 1'x - 1'x̄``.
* **backward** (Dietzenbacher & van der Linden 1997): the sectors in ``S`` stop buying
  intermediate inputs (columns ``S`` of ``A`` set to zero, diagonal included); the loss
  ``x - (I - Ā)^-1 f`` measures their backward dependence.
* **forward** (Dietzenbacher & van der Linden 1997): the sectors in ``S`` stop selling
  intermediate output (rows ``S`` of the allocation matrix ``B`` set to zero); the loss
  ``x' - v'(I - B̄)^-1`` in the supply-driven model measures their forward dependence.

Dividing a total by ``1'x`` gives the share of the economy's output lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from chainatlas.analytics.inputoutput._frames import (
    as_vector,
    check_nonnegative,
    safe_divide,
    sector_positions,
    square,
    vector,
)
from chainatlas.analytics.inputoutput.inverses import (
    MIN_RCOND,
    inverse_of_identity_minus,
    solve_identity_minus,
)
from chainatlas.errors import InvalidData

if TYPE_CHECKING:
    from chainatlas.analytics.inputoutput._frames import (
        MatrixLike,
        Sectors,
        Vector,
        VectorLike,
    )

__all__ = [
    "ExtractionMethod",
    "backward_extraction",
    "complete_extraction",
    "extraction_losses",
    "forward_extraction",
]

ExtractionMethod = Literal["complete", "backward", "forward"]


def complete_extraction(A: MatrixLike, f: VectorLike, sectors: Sectors) -> Vector:
    r"""Compute the output lost when ``sectors`` are removed completely.

    .. math::

        \bar x_R = (I - A_{RR})^{-1} f_R, \qquad
        \text{loss}_i = x_i - \bar x_i \ (i \in R), \quad \text{loss}_S = x_S

    where ``x = (I - A)^-1 f``, ``S`` are the extracted sectors and ``R`` the rest.

    Parameters
    ----------
    A : (n, n) array or DataFrame
        Technical coefficients (dimensionless).
    f : (n,) array or Series
        Final demand (money).
    sectors : label, position or sequence of them
        Sectors to extract: labels for labelled input, 0-based positions for arrays.

    Returns
    -------
    (n,) array or Series
        Output lost by each sector (money); its sum is the total linkage ``T``.

    Raises
    ------
    InvalidData
        If shapes or labels differ, a value is missing or a sector is unknown.
    SingularSystemError
        If ``I - A`` or ``I - A_RR`` is singular.

    References
    ----------
    Dietzenbacher, E., van der Linden, J. A. & Steenge, A. E. (1993). The regional
    extraction method: EC input-output comparisons. *Economic Systems Research* 5(2),
    185-206. https://doi.org/10.1080/09535319300000017

    Miller, R. E. & Lahr, M. L. (2001). A taxonomy of extractions. In M. L. Lahr &
    R. E. Miller (eds.), *Regional Science Perspectives in Economic Analysis*, 407-441.
    Elsevier.

    Miller & Blair (2009), section 12.2 (hypothetical extraction).
    https://doi.org/10.1017/CBO9780511626982

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[0.15, 0.25], [0.2, 0.05]])
    >>> print(np.round(complete_extraction(A, [350.0, 1700.0], 0), 1))
    [1000.   210.5]
    """
    a, labels = square(A, "A")
    demand, labels = vector(f, "f", a.shape[0], labels)
    out = solve_identity_minus(a, demand, "A")
    gone = sector_positions(sectors, labels, a.shape[0])
    rest = np.setdiff1d(np.arange(a.shape[0]), gone)
    loss = out.copy()
    if rest.size:
        kept = solve_identity_minus(a[np.ix_(rest, rest)], demand[rest], "A (after extraction)")
        loss[rest] = out[rest] - kept
    return as_vector(loss, labels, "output_loss")


def backward_extraction(A: MatrixLike, f: VectorLike, sectors: Sectors) -> Vector:
    r"""Compute the output lost when ``sectors`` buy no intermediate inputs.

    .. math:: \bar A = A \text{ with columns } S \text{ set to } 0, \qquad
              \text{loss} = (I - A)^{-1} f - (I - \bar A)^{-1} f

    Parameters
    ----------
    A : (n, n) array or DataFrame
        Technical coefficients (dimensionless).
    f : (n,) array or Series
        Final demand (money).
    sectors : label, position or sequence of them
        Sectors whose purchases are removed.

    Returns
    -------
    (n,) array or Series
        Output lost by each sector (money); its sum is the backward linkage of ``S``.

    Raises
    ------
    InvalidData
        If shapes or labels differ, a value is missing or a sector is unknown.
    SingularSystemError
        If ``I - A`` is singular.

    References
    ----------
    Dietzenbacher, E. & van der Linden, J. A. (1997). Sectoral and spatial linkages in the
    EC production structure. *Journal of Regional Science* 37(2), 235-257.
    https://doi.org/10.1111/0022-4146.00053

    Miller & Blair (2009), section 12.2 (hypothetical extraction).
    https://doi.org/10.1017/CBO9780511626982

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[0.15, 0.25], [0.2, 0.05]])
    >>> print(np.round(backward_extraction(A, [350.0, 1700.0], 0), 1))
    [202.6 210.5]
    """
    a, labels = square(A, "A")
    demand, labels = vector(f, "f", a.shape[0], labels)
    cut = a.copy()
    cut[:, sector_positions(sectors, labels, a.shape[0])] = 0.0
    loss = solve_identity_minus(a, demand, "A") - solve_identity_minus(cut, demand, "A")
    return as_vector(loss, labels, "output_loss")


def forward_extraction(B: MatrixLike, v: VectorLike, sectors: Sectors) -> Vector:
    r"""Compute the output lost when ``sectors`` sell no intermediate output (Ghosh model).

    .. math:: \bar B = B \text{ with rows } S \text{ set to } 0, \qquad
              \text{loss}' = v'(I - B)^{-1} - v'(I - \bar B)^{-1}

    Parameters
    ----------
    B : (n, n) array or DataFrame
        Allocation coefficients (dimensionless).
    v : (n,) array or Series
        Primary inputs (value added, plus imports in a non-competitive table), money.
    sectors : label, position or sequence of them
        Sectors whose sales to other sectors are removed.

    Returns
    -------
    (n,) array or Series
        Output lost by each sector (money); its sum is the forward linkage of ``S``.

    Raises
    ------
    InvalidData
        If shapes or labels differ, a value is missing or a sector is unknown.
    SingularSystemError
        If ``I - B`` is singular.

    References
    ----------
    Dietzenbacher, E. & van der Linden, J. A. (1997). Sectoral and spatial linkages in the
    EC production structure. *Journal of Regional Science* 37(2), 235-257.
    https://doi.org/10.1111/0022-4146.00053

    Miller & Blair (2009), section 12.2 (hypothetical extraction).
    https://doi.org/10.1017/CBO9780511626982

    Examples
    --------
    >>> import numpy as np
    >>> B = np.array([[0.15, 0.5], [0.1, 0.05]])
    >>> print(np.round(forward_extraction(B, [650.0, 1400.0], 0), 1))
    [202.6 526.3]
    """
    b, labels = square(B, "B")
    primary, labels = vector(v, "v", b.shape[0], labels)
    cut = b.copy()
    cut[sector_positions(sectors, labels, b.shape[0]), :] = 0.0
    # x' = v'(I - B)^-1  <=>  (I - B)' x = v
    loss = solve_identity_minus(b, primary, "B", transpose=True) - solve_identity_minus(
        cut, primary, "B", transpose=True
    )
    return as_vector(loss, labels, "output_loss")


def extraction_losses(
    Z: MatrixLike, x: VectorLike, *, method: ExtractionMethod = "complete"
) -> Vector:
    r"""Compute the total output loss of extracting each sector in turn.

    The table ``(Z, x)`` fixes ``A``, ``B``, ``f = x - Z1`` and ``v' = x' - 1'Z``. One
    inverse serves all sectors through closed forms (rank-one updates of ``L`` or ``G``):

    .. math::

        T^{complete}_j = x_j \frac{1'L e_j}{l_{jj}}, \qquad
        T^{backward}_j = x_j \frac{1'L e_j - 1}{l_{jj}}, \qquad
        T^{forward}_j = x_j \frac{e_j' G 1 - 1}{g_{jj}}

    They equal the sums of :func:`complete_extraction`, :func:`backward_extraction` and
    :func:`forward_extraction` for a single sector.

    Parameters
    ----------
    Z : (n, n) array or DataFrame
        Intermediate flows (money), ``Z[i, j]`` = sales of ``i`` to ``j``.
    x : (n,) array or Series
        Total output (money).
    method : {"complete", "backward", "forward"}
        Which extraction (see the module description).

    Returns
    -------
    (n,) array or Series
        Total output loss (money) when each sector is extracted alone.

    Raises
    ------
    InvalidData
        If ``Z`` is not square, labels differ, a value is missing, a flow or an output is
        negative, or ``method`` is unknown.
    SingularSystemError
        If ``I - A`` (or ``I - B``) is singular.

    References
    ----------
    Dietzenbacher, E., van der Linden, J. A. & Steenge, A. E. (1993). The regional
    extraction method: EC input-output comparisons. *Economic Systems Research* 5(2),
    185-206. https://doi.org/10.1080/09535319300000017

    Dietzenbacher, E. & van der Linden, J. A. (1997). Sectoral and spatial linkages in the
    EC production structure. *Journal of Regional Science* 37(2), 235-257.
    https://doi.org/10.1111/0022-4146.00053

    Miller & Blair (2009), section 12.2 (hypothetical extraction).
    https://doi.org/10.1017/CBO9780511626982

    Examples
    --------
    >>> import numpy as np
    >>> Z = np.array([[150.0, 500.0], [200.0, 100.0]])
    >>> print(np.round(extraction_losses(Z, [1000.0, 2000.0]), 1))
    [1210.5 2588.2]
    """
    if method not in ("complete", "backward", "forward"):
        raise InvalidData(f"method must be 'complete', 'backward' or 'forward', not {method!r}")
    z, labels = square(Z, "Z")
    out, labels = vector(x, "x", z.shape[0], labels)
    check_nonnegative(z, "Z", labels)
    check_nonnegative(out, "x", labels)
    if method == "forward":
        inv = inverse_of_identity_minus(safe_divide(z, out[:, np.newaxis]), "B", MIN_RCOND)
        spread = inv.sum(axis=1) - 1.0
    else:
        inv = inverse_of_identity_minus(safe_divide(z, out[np.newaxis, :]), "A", MIN_RCOND)
        spread = inv.sum(axis=0) - (1.0 if method == "backward" else 0.0)
    # Sherman-Morrison on the extracted column (row): the loss is x_j * spread_j / m_jj.
    return as_vector(out * spread / np.diag(inv), labels, f"{method}_extraction_loss")
