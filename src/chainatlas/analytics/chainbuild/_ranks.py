"""Percentile ranks within groups: the scale every build-the-chain score is put on."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["grouped_percentile"]

FloatArray = npt.NDArray[np.float64]


def grouped_percentile(values: npt.ArrayLike, group: npt.ArrayLike | None = None) -> FloatArray:
    """Return the percentile rank p = (r - 1) / (n - 1) of each value within its group.

    ``r`` is the value's rank from the smallest (ties get their average rank) and ``n`` the
    number of known values in the group; a group with one known value gives it 1.0.
    Unknown values (NaN) rank 0.0: missing data never lifts a score.

    Examples
    --------
    >>> grouped_percentile([10.0, 30.0, 20.0, float("nan")]).tolist()
    [0.0, 1.0, 0.5, 0.0]
    >>> grouped_percentile([1.0, 1.0, 5.0, 2.0], [0, 0, 1, 1]).tolist()
    [0.5, 0.5, 1.0, 0.0]
    """
    v = pd.Series(np.asarray(values, dtype=np.float64))
    g = pd.Series(np.zeros(len(v), dtype=np.int64) if group is None else np.asarray(group))
    by = v.groupby(g.to_numpy())
    rank = by.rank(method="average")
    n = by.transform("count")
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 1, (rank - 1.0) / (n - 1.0), 1.0)
    out: FloatArray = np.where(v.isna().to_numpy(), 0.0, p).astype(np.float64)
    return out
