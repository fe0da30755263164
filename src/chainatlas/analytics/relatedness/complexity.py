"""Economic complexity: the ECI of locations and the PCI of products (method of reflections).

Orientation throughout: ``M`` is a binary locations × products presence matrix (rows are
locations, columns products; see :func:`~chainatlas.analytics.relatedness.presence`).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse
import scipy.sparse.csgraph

from chainatlas.analytics.relatedness._checks import (
    FloatArray,
    Labels,
    as_table,
    check_binary,
    check_min_size,
    describe,
    name_some,
    wrap_vector,
)
from chainatlas.analytics.relatedness._eigen import second_eigenvector
from chainatlas.errors import AnalysisError, InvalidData

__all__ = ["Complexity", "complexity"]

# Second and third eigenvalues closer than this make the eigenvector not unique.
DEGENERATE_GAP = 1e-9
# A second eigenvalue below this means every kept location has the same basket shape.
ZERO_EIGENVALUE = 1e-12


@dataclass(frozen=True, slots=True)
class Complexity:
    """ECI and PCI of a presence matrix, with what was left out and why.

    Attributes
    ----------
    eci : Series or array
        Economic complexity index of each location kept (z-scores: mean 0, population
        standard deviation 1). A Series named ``eci`` for labelled input; for arrays, the
        values of the kept locations in their original order.
    pci : Series or array
        Product complexity index of each product kept, on the ECI's scale:
        ``(kp - mean(eci_raw)) / std(eci_raw)``, so each ECI is the mean PCI of the
        location's products.
    diversity : Series or array
        ``k_c = sum_p M_cp`` for every location (excluded ones too), integers.
    ubiquity : Series or array
        ``k_p = sum_c M_cp`` for every product (excluded ones too), integers.
    excluded : tuple
        Locations without an ECI (labels, or positions for arrays): those that make no
        product (complexity undefined) and those outside the largest connected part of
        the location-product network.
    excluded_products : tuple
        Products without a PCI, for the same reasons.
    eigenvalue : float
        The second largest eigenvalue of M~ (in [0, 1)).
    warnings : tuple of str
        Notes on the result: exclusions, a disconnected network, a repeated eigenvalue
        (ranking not unique), an arbitrary sign. Empty when the result is clean.
    """

    eci: pd.Series[float] | FloatArray
    pci: pd.Series[float] | FloatArray
    diversity: pd.Series[int] | npt.NDArray[np.int64]
    ubiquity: pd.Series[int] | npt.NDArray[np.int64]
    excluded: tuple[Hashable, ...] = ()
    excluded_products: tuple[Hashable, ...] = ()
    eigenvalue: float = float("nan")
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _labels_of(labels: Labels, mask: npt.NDArray[np.bool_]) -> tuple[Hashable, ...]:
    return tuple(describe(labels, int(p)) for p in np.flatnonzero(mask))


def _components(m: FloatArray) -> tuple[int, npt.NDArray[np.int32]]:
    """Label the connected parts of the bipartite location-product network of ``m``."""
    n_loc, n_prod = m.shape
    bip = scipy.sparse.bmat(
        [[None, scipy.sparse.csr_array(m)], [scipy.sparse.csr_array(m.T), None]],
        format="csr",
    )
    count, labels = scipy.sparse.csgraph.connected_components(bip, directed=False)
    return int(count), np.asarray(labels, dtype=np.int32)


def _sign(
    eci_raw: FloatArray, kp_vec: FloatArray, kc: FloatArray, kp: FloatArray
) -> tuple[float, str | None]:
    """Return the sign that makes ECI correlate positively with diversity, with a note."""
    if np.ptp(kc) > 0:
        corr = float(np.corrcoef(kc, eci_raw)[0, 1])
        if corr != 0:
            return float(np.sign(corr)), None
    if np.ptp(kp) > 0:
        corr = float(np.corrcoef(kp, kp_vec)[0, 1])
        if corr != 0:
            return -float(np.sign(corr)), (
                "every location has the same diversity: the sign of ECI and PCI was fixed "
                "so that PCI falls with ubiquity"
            )
    pos = int(np.argmax(np.abs(eci_raw)))
    return float(np.sign(eci_raw[pos]) or 1.0), (
        "diversity and ubiquity are the same everywhere: the sign of ECI and PCI is "
        "arbitrary (fixed so that the largest |ECI| is positive)"
    )


def complexity(M: Any, *, disconnected: Literal["largest", "raise"] = "largest") -> Complexity:
    r"""Compute the economic complexity (ECI) and product complexity (PCI) indices.

    With diversity :math:`k_{c,0} = \sum_p M_{cp}` and ubiquity
    :math:`k_{p,0} = \sum_c M_{cp}`, the product matrix

    .. math:: \tilde M^P_{pp'} = \sum_c \frac{M_{cp} M_{cp'}}{k_{p,0}\, k_{c,0}}

    has the eigenvalue 1 (constant eigenvector); ``kp`` is its eigenvector for the second
    largest eigenvalue and ``eci_raw_c = sum_p M_cp kp_p / k_c,0`` (equivalently the
    eigenvector of :math:`\tilde M^C`). Then, as in py-ecomplexity and the Stata
    ``ecomplexity`` package of the Growth Lab,

    .. math:: ECI = \frac{eci\_raw - \overline{eci\_raw}}{sd(eci\_raw)}, \qquad
              PCI = \frac{kp - \overline{eci\_raw}}{sd(eci\_raw)}

    (population standard deviation), which keeps ECI equal to the mean PCI of the
    location's products. The sign is fixed so that ECI correlates positively with
    diversity (if every diversity is equal: so that PCI correlates negatively with
    ubiquity; if both are constant it is arbitrary and a warning says so).

    What cannot be ranked is left out, never returned as NaN: locations that make no
    product and products that no location makes are listed in ``excluded`` /
    ``excluded_products``. If the location-product network falls apart into separate
    parts (a disconnected product space), the second eigenvector only tells the parts
    apart; with ``disconnected="largest"`` (default) ECI and PCI are computed on the part
    with the most locations and the others are excluded with a warning, with
    ``disconnected="raise"`` an :class:`AnalysisError` names the parts.

    The eigenvector is computed from the symmetric form ``A'A`` (or ``AA'``, the smaller)
    of ``A = D_c^-1/2 M D_p^-1/2``, which has the same eigenvalues; the result equals
    py-ecomplexity's dense non-symmetric ``eig`` of :math:`\tilde M^P`.

    Parameters
    ----------
    M : (locations, products) array or DataFrame
        Binary presence matrix (e.g. ``presence(rca(X))``).
    disconnected : {"largest", "raise"}, default "largest"
        What to do when the network has several separate parts.

    Returns
    -------
    Complexity
        ``eci``, ``pci``, ``diversity``, ``ubiquity``, ``excluded``,
        ``excluded_products``, ``eigenvalue`` and ``warnings``.

    Raises
    ------
    InvalidData
        If ``M`` is not 0/1, has a missing value or a duplicate label.
    AnalysisError
        If ``M`` has fewer than two locations or two products, fewer than two of either
        remain after the exclusions, every remaining location makes every remaining
        product (the second eigenvalue is 0: there is nothing to rank), or the network is
        disconnected and ``disconnected="raise"``.

    References
    ----------
    Hidalgo, C. A. & Hausmann, R. (2009). The building blocks of economic complexity.
    *PNAS* 106(26), 10570-10575. https://doi.org/10.1073/pnas.0900943106

    Hausmann, R., Hidalgo, C. A. et al. (2014). *The Atlas of Economic Complexity:
    Mapping Paths to Prosperity*, 2nd ed. MIT Press. ISBN 978-0-262-52542-8

    Examples
    --------
    Location ``a`` makes all three products, ``b`` two, ``c`` only the ubiquitous ``x``:

    >>> import pandas as pd
    >>> M = pd.DataFrame(
    ...     {"x": [1, 1, 1], "y": [1, 1, 0], "z": [1, 0, 0]}, index=["a", "b", "c"]
    ... )
    >>> cx = complexity(M)
    >>> cx.eci.round(4).tolist()
    [1.2247, 0.0, -1.2247]
    >>> bool(cx.pci["z"] > cx.pci["y"] > cx.pci["x"])
    True
    """
    if disconnected not in ("largest", "raise"):
        raise InvalidData(f"disconnected must be 'largest' or 'raise', got {disconnected!r}")
    table = as_table(M, "M")
    check_binary(table, "M")
    check_min_size(table, "M")
    m = table.data
    kc_all = m.sum(axis=1)
    kp_all = m.sum(axis=0)
    keep_loc = kc_all > 0
    keep_prod = kp_all > 0
    notes: list[str] = []
    if not keep_loc.all():
        notes.append(
            f"{int((~keep_loc).sum())} location(s) make no product and have no ECI: "
            + name_some(table.rows, np.flatnonzero(~keep_loc))
        )
    if not keep_prod.all():
        notes.append(
            f"{int((~keep_prod).sum())} product(s) are made nowhere and have no PCI: "
            + name_some(table.cols, np.flatnonzero(~keep_prod))
        )
    _check_enough(keep_loc, keep_prod, "after leaving out empty rows and columns")

    loc_idx = np.flatnonzero(keep_loc)
    prod_idx = np.flatnonzero(keep_prod)
    count, comp = _components(m[np.ix_(loc_idx, prod_idx)])
    if count > 1:
        n_loc = loc_idx.size
        parts = []
        for k in range(count):
            locs = loc_idx[comp[:n_loc] == k]
            prods = prod_idx[comp[n_loc:] == k]
            parts.append((locs.size, prods.size, -k, locs, prods))
        parts.sort(reverse=True, key=lambda t: (t[0], t[1], t[2]))
        described = "; ".join(
            f"{len(lo)} location(s) ({name_some(table.rows, lo, 3)}) with {len(pr)} product(s)"
            for _, _, _, lo, pr in parts[:3]
        )
        message = (
            f"the location-product network falls apart into {count} separate parts, so "
            f"their complexity cannot be compared: {described}"
        )
        if disconnected == "raise":
            raise AnalysisError(message)
        _, _, _, big_locs, big_prods = parts[0]
        keep_loc = np.zeros_like(keep_loc)
        keep_loc[big_locs] = True
        keep_prod = np.zeros_like(keep_prod)
        keep_prod[big_prods] = True
        notes.append(message + "; ECI and PCI are computed on the largest part only")
        _check_enough(keep_loc, keep_prod, "in the largest connected part")
        loc_idx, prod_idx = big_locs, big_prods

    mk = m[np.ix_(loc_idx, prod_idx)]
    kc = kc_all[loc_idx]
    kp = kp_all[prod_idx]
    lam2, lam3, kp_vec = second_eigenvector(mk, kc, kp)
    if lam2 < ZERO_EIGENVALUE:
        raise AnalysisError(
            "complexity is undefined: every location that makes something makes every "
            "product that is made anywhere, so there is no difference to rank"
        )
    if np.isfinite(lam3) and lam2 - lam3 < DEGENERATE_GAP:
        notes.append(
            f"the second eigenvalue ({lam2:.6g}) is repeated: the ECI/PCI ranking is not "
            "unique and another equally valid ranking exists"
        )
    eci_raw = (mk @ kp_vec) / kc
    sign, note = _sign(eci_raw, kp_vec, kc, kp)
    if note:
        notes.append(note)
    eci_raw *= sign
    kp_vec = kp_vec * sign
    mu, sd = float(eci_raw.mean()), float(eci_raw.std())
    if not sd > 0:
        raise AnalysisError("complexity is undefined: every location has the same ECI")
    eci = (eci_raw - mu) / sd
    pci = (kp_vec - mu) / sd
    rows = None if table.rows is None else table.rows[loc_idx]
    cols = None if table.cols is None else table.cols[prod_idx]
    return Complexity(
        eci=wrap_vector(eci, rows, "eci"),
        pci=wrap_vector(pci, cols, "pci"),
        diversity=wrap_vector(kc_all.astype(np.int64), table.rows, "diversity"),
        ubiquity=wrap_vector(kp_all.astype(np.int64), table.cols, "ubiquity"),
        excluded=_labels_of(table.rows, ~keep_loc),
        excluded_products=_labels_of(table.cols, ~keep_prod),
        eigenvalue=lam2,
        warnings=tuple(notes),
    )


def _check_enough(
    keep_loc: npt.NDArray[np.bool_], keep_prod: npt.NDArray[np.bool_], where: str
) -> None:
    n_loc, n_prod = int(keep_loc.sum()), int(keep_prod.sum())
    if n_loc < 2 or n_prod < 2:
        raise AnalysisError(
            f"complexity is undefined: {where}, {n_loc} location(s) and {n_prod} product(s) "
            "remain, and ECI/PCI need at least two of each"
        )
