"""Firm-level shock cascades and the economic systemic risk index (ESRI).

The generalized Leontief shock-propagation model of Diem et al. (2022) on a firm-level
supply network ``W`` (``W[j, i]`` = value firm ``j`` supplies to firm ``i``; row =
supplier, column = customer): :func:`propagate` runs one shock down- and upstream to its
fixed point, :func:`esri` computes the systemic risk index of every firm by failing each
one in turn, many at a time. Pure functions over NumPy/SciPy arrays or labelled pandas
objects; a labelled ``W`` gives labelled results.

Reference: Diem, C., Borsos, A., Reisch, T., Kertész, J. & Thurner, S. (2022).
Quantifying firm-level economic systemic risk from nation-wide supply networks.
*Scientific Reports* 12, 7719. https://doi.org/10.1038/s41598-022-11522-z
"""

from chainatlas.analytics.cascade.esri import esri
from chainatlas.analytics.cascade.model import (
    DEFAULT_MAX_ITER,
    DEFAULT_TOL,
    PropagationResult,
    propagate,
)

__all__ = ["DEFAULT_MAX_ITER", "DEFAULT_TOL", "PropagationResult", "esri", "propagate"]
