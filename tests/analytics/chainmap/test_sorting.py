"""The hash-based grouping helpers give exactly what their NumPy counterparts give."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from chainatlas.analytics.chainmap._sorting import (
    group_codes,
    member_of,
    sorted_unique,
    unique_first,
)

keys = st.lists(st.integers(min_value=-(2**40), max_value=2**40), max_size=200)
small = st.lists(st.integers(min_value=-5, max_value=5), max_size=60)


@given(st.one_of(keys, small))
def test_sorted_unique_matches_np_unique(a: list[int]) -> None:
    np.testing.assert_array_equal(sorted_unique(a), np.unique(np.asarray(a, dtype=np.int64)))


@given(st.one_of(keys, small))
def test_group_codes_match_np_unique_with_inverse(a: list[int]) -> None:
    arr = np.asarray(a, dtype=np.int64)
    u, inv = group_codes(arr)
    eu, einv = np.unique(arr, return_inverse=True)
    np.testing.assert_array_equal(u, eu)
    np.testing.assert_array_equal(inv, einv.reshape(-1))
    assert u.dtype == np.int64 and inv.dtype == np.int64


@given(st.one_of(keys, small))
def test_unique_first_matches_np_unique_with_index(a: list[int]) -> None:
    arr = np.asarray(a, dtype=np.int64)
    u, first = unique_first(arr)
    eu, efirst = np.unique(arr, return_index=True)
    np.testing.assert_array_equal(u, eu)
    np.testing.assert_array_equal(first, efirst)


@given(small, small)
def test_member_of_matches_np_isin(values: list[int], k: list[int]) -> None:
    np.testing.assert_array_equal(
        member_of(values, k),
        np.isin(np.asarray(values, dtype=np.int64), np.asarray(k, dtype=np.int64)),
    )
