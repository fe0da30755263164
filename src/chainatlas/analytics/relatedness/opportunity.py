"""Complexity outlook: the opportunity index of locations and the gain of each new product.

Orientation throughout: ``M`` is a binary locations × products presence matrix, ``phi`` the
products × products proximity and ``pci`` the product complexity index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from chainatlas.analytics.relatedness._checks import (
    FloatArray,
    Labels,
    Table,
    as_table,
    check_binary,
    name_some,
    product_square,
    product_vector,
    wrap_matrix,
    wrap_vector,
)
from chainatlas.analytics.relatedness.proximity import density_values
from chainatlas.errors import AnalysisError, InvalidData

__all__ = ["Opportunity", "opportunity"]


@dataclass(frozen=True, slots=True)
class Opportunity:
    """Complexity outlook index per location and outlook gain per location and product.

    Attributes
    ----------
    coi : Series or array
        Complexity outlook index of each location (named ``coi``); z-scores with
        ``scale="ecomplexity"``, PCI units with ``scale="raw"``.
    cog : DataFrame or array
        Complexity outlook gain, locations × products, labelled like ``M``; 0 for products
        a location already makes.
    scale : str
        The PCI scale used (``"ecomplexity"`` or ``"raw"``).
    """

    coi: pd.Series[float] | FloatArray
    cog: pd.DataFrame | FloatArray
    scale: str = "ecomplexity"


def _align_pci(pci: Any, table: Table) -> tuple[FloatArray, np.ndarray[Any, np.dtype[np.bool_]]]:
    """Return PCI over all of ``M``'s products (0 where missing) and the mask of known ones."""
    n = table.data.shape[1]
    if isinstance(pci, pd.Series) and table.cols is not None:
        extra = pci.index.difference(table.cols)
        if len(extra):
            raise InvalidData(
                f"pci has products that M does not have: {', '.join(repr(e) for e in extra[:5])}"
            )
        known = table.cols.isin(pci.index)
        full = pd.Series(0.0, index=table.cols)
        full[known] = pci
        values, _ = product_vector(full, "pci", table.cols, n)
        return values, np.asarray(known, dtype=bool)
    values, _ = product_vector(pci, "pci", table.cols, n)
    return values, np.ones(n, dtype=bool)


def _ecomplexity_scale(
    m: FloatArray, pci: FloatArray, known: np.ndarray[Any, np.dtype[np.bool_]], cols: Labels
) -> FloatArray:
    """Put PCI on py-ecomplexity's scale: ubiquity-weighted mean 0, divided by sd(eci_raw)."""
    kp = m[:, known].sum(axis=0)
    if kp.sum() == 0:
        raise AnalysisError(
            "no location makes a product that has a PCI, so the PCI cannot be put on the "
            "ECI scale; use scale='raw'"
        )
    # The raw PCI eigenvector is orthogonal to the ubiquities (the left eigenvector of
    # M~P for eigenvalue 1), so re-centring any shifted PCI this way recovers it.
    centred = np.where(known, pci - float(kp @ pci[known]) / float(kp.sum()), 0.0)
    div = m[:, known].sum(axis=1)
    makers = div > 0
    eci_raw = (m[makers][:, known] @ centred[known]) / div[makers]
    sd = float(eci_raw.std())
    if eci_raw.size < 2 or not sd > 0:
        raise AnalysisError(
            "the PCI cannot be put on the ECI scale: it needs at least two locations whose "
            "mean PCI differs; use scale='raw' (e.g. for one region against a national "
            f"product space); known products: {name_some(cols, np.flatnonzero(known), 3)}"
        )
    return centred / sd


def opportunity(
    M: Any, phi: Any, pci: Any, *, scale: Literal["ecomplexity", "raw"] = "ecomplexity"
) -> Opportunity:
    r"""Compute the complexity outlook index (COI) and complexity outlook gain (COG).

    With density :math:`\omega_{cp}` (see :func:`density`; the Atlas's distance is
    :math:`d_{cp} = 1 - \omega_{cp}`):

    .. math::

        COI_c = \sum_p (1 - d_{cp})(1 - M_{cp})\, PCI_p

        COG_{cp} = (1 - M_{cp}) \sum_{p'} \frac{\varphi_{p'p}}{\sum_{p''} \varphi_{p'p''}}
                   (1 - M_{cp'})\, PCI_{p'}

    COI is the complexity of the products a location does not yet make, weighted by how
    close they are; COG is how much making ``p`` would raise that outlook. These are the
    formulas of py-ecomplexity, of the Stata ``ecomplexity`` package and of the R
    ``economiccomplexity`` package. The Atlas's Technical Box on opportunity gain also
    subtracts :math:`(1 - d_{cp}) PCI_p` (the product's own share of COI); like those
    packages we leave that term out and give 0 gain for products already made.

    ``scale="ecomplexity"`` (default) matches py-ecomplexity's normalisation: PCI enters
    both formulas as the raw eigenvector (ubiquity-weighted mean 0) divided by the
    population standard deviation of the raw ECI, and COI is then standardised across
    locations (z-scores). Any shift or positive rescaling of ``pci`` gives the same result,
    but ``pci`` must come from this ``M`` (e.g. ``complexity(M).pci``). ``scale="raw"``
    uses ``pci`` exactly as given and does not standardise COI: use it for one region
    against an outside product space and PCI.

    Parameters
    ----------
    M : (locations, products) array or DataFrame
        Binary presence matrix.
    phi : (products, products) array or DataFrame
        Proximity (see :func:`proximity`), aligned to ``M``'s columns by label.
    pci : (products,) array or Series
        Product complexity. A Series may leave out some of ``M``'s products (e.g. those
        that :func:`complexity` excluded); they then count with PCI 0 in the sums, which
        changes nothing for products that no location makes.
    scale : {"ecomplexity", "raw"}, default "ecomplexity"
        How PCI and COI are normalised (see above).

    Returns
    -------
    Opportunity
        ``coi`` per location and ``cog`` per location and product, labelled like ``M``.

    Raises
    ------
    InvalidData
        If ``M`` is not 0/1, ``phi`` or ``pci`` do not match ``M``'s products, or a value
        is missing; if ``scale`` is unknown.
    AnalysisError
        With ``scale="ecomplexity"``: if fewer than two locations make products with a
        PCI or their mean PCI does not differ, or every location has the same COI.

    References
    ----------
    Hausmann, R., Hidalgo, C. A. et al. (2014). *The Atlas of Economic Complexity:
    Mapping Paths to Prosperity*, 2nd ed. MIT Press. ISBN 978-0-262-52542-8.

    Hidalgo, C. A., Klinger, B., Barabási, A.-L. & Hausmann, R. (2007). *Science*
    317(5837), 482-487. https://doi.org/10.1126/science.1144581

    Examples
    --------
    Location ``c`` makes only ``x``. The proximities are phi_xy = 2/3, phi_xz = 1/3 and
    phi_yz = 1/2, so c's density around ``y`` is (2/3) / (13/6) = 4/13 and around ``z``
    (1/3) / (11/6) = 2/11, and COI_c = 4/13 · 0.5 + 2/11 · 2 = 0.5175. Adding the complex
    ``z`` would raise c's outlook more than adding ``y``:

    >>> import pandas as pd
    >>> from chainatlas.analytics.relatedness import proximity
    >>> M = pd.DataFrame(
    ...     {"x": [1, 1, 1], "y": [1, 1, 0], "z": [1, 0, 0]}, index=["a", "b", "c"]
    ... )
    >>> pci = pd.Series({"x": -1.0, "y": 0.5, "z": 2.0})
    >>> opp = opportunity(M, proximity(M), pci, scale="raw")
    >>> opp.coi.round(4).tolist()
    [0.0, 0.9091, 0.5175]
    >>> opp.cog.loc["c"].round(4).tolist()
    [0.0, 0.7762, 1.2063]
    """
    if scale not in ("ecomplexity", "raw"):
        raise InvalidData(f"scale must be 'ecomplexity' or 'raw', got {scale!r}")
    table = as_table(M, "M")
    check_binary(table, "M")
    m = table.data
    phi_arr = product_square(phi, "phi", table.cols, m.shape[1])
    values, known = _align_pci(pci, table)
    if scale == "ecomplexity":
        values = _ecomplexity_scale(m, values, known, table.cols)
    absent = 1.0 - m
    omega = density_values(m, phi_arr)
    coi = (omega * absent) @ values
    if scale == "ecomplexity":
        sd = float(coi.std())
        if not sd > 0:
            raise AnalysisError(
                "every location has the same complexity outlook, so it cannot be "
                "standardised; use scale='raw'"
            )
        coi = (coi - coi.mean()) / sd
    row = phi_arr.sum(axis=1)
    # Row p' of phi, scaled by PCI_p' / sum_p'' phi_p'p'' (0 for a product with no links).
    weighted = phi_arr * (values / np.where(row > 0, row, 1.0))[:, np.newaxis]
    cog = absent * (absent @ weighted)
    return Opportunity(
        coi=wrap_vector(coi, table.rows, "coi"),
        cog=wrap_matrix(cog, table.rows, table.cols),
        scale=scale,
    )
