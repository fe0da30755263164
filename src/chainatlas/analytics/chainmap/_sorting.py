"""Sort-based set operations on integer keys (faster than hashing for large arrays)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["sorted_unique"]

IntArray = npt.NDArray[np.int64]


def sorted_unique(a: npt.ArrayLike) -> IntArray:
    """Return the distinct values of an integer array, sorted.

    >>> sorted_unique([3, 1, 3, 2]).tolist()
    [1, 2, 3]
    """
    s = np.sort(np.asarray(a, dtype=np.int64))
    if len(s) == 0:
        return s
    out: IntArray = s[np.r_[True, s[1:] != s[:-1]]]
    return out
