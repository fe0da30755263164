"""Set operations and grouping on integer keys.

Hash-based (pandas' hash tables) where that beats sorting: for millions of keys with
far fewer distinct values, hashing is linear and only the distinct values are sorted.
Each function returns exactly what its NumPy counterpart returns (stated per function).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["group_codes", "member_of", "sorted_unique", "unique_first"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def sorted_unique(a: npt.ArrayLike) -> IntArray:
    """Return the distinct values of an integer array, sorted (as ``np.unique(a)``).

    >>> sorted_unique([3, 1, 3, 2]).tolist()
    [1, 2, 3]
    """
    arr = np.asarray(a, dtype=np.int64)
    out: IntArray = np.sort(pd.unique(arr)) if len(arr) else arr.copy()
    return out


def group_codes(keys: npt.ArrayLike) -> tuple[IntArray, IntArray]:
    """Return the sorted distinct keys and each key's position among them.

    The same as ``np.unique(keys, return_inverse=True)`` (inverse flattened).

    >>> u, inv = group_codes([30, 10, 30, 20])
    >>> u.tolist(), inv.tolist()
    ([10, 20, 30], [2, 0, 2, 1])
    """
    arr = np.asarray(keys, dtype=np.int64)
    if len(arr) == 0:
        return arr.copy(), np.zeros(0, dtype=np.int64)
    codes, uniq = pd.factorize(arr, sort=True)
    return np.asarray(uniq, dtype=np.int64), codes.astype(np.int64, copy=False)


def unique_first(keys: npt.ArrayLike) -> tuple[IntArray, IntArray]:
    """Return the sorted distinct keys and the position of each one's first occurrence.

    The same as ``np.unique(keys, return_index=True)``.

    >>> u, first = unique_first([30, 10, 30, 20, 10])
    >>> u.tolist(), first.tolist()
    ([10, 20, 30], [1, 3, 0])
    """
    arr = np.asarray(keys, dtype=np.int64)
    firsts = np.flatnonzero(~pd.Series(arr).duplicated(keep="first").to_numpy())
    order = np.argsort(arr[firsts], kind="stable")
    return arr[firsts][order], firsts[order].astype(np.int64)


def member_of(values: npt.ArrayLike, keys: npt.ArrayLike) -> BoolArray:
    """Return whether each value is one of ``keys`` (as ``np.isin(values, keys)``).

    >>> member_of([1, 5, 3], [3, 4, 1]).tolist()
    [True, False, True]
    """
    v = np.asarray(values, dtype=np.int64)
    k = np.asarray(keys, dtype=np.int64)
    if len(v) == 0 or len(k) == 0:
        return np.zeros(len(v), dtype=bool)
    out: BoolArray = pd.Series(v, copy=False).isin(k).to_numpy()
    return out
