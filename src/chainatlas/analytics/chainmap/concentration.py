"""Concentration and specialisation measures: HHI, grouped shares, location quotients.

All functions are vectorised over *groups*: a group is a non-negative integer label per
item (a risk point per supply link, a segment per enterprise), and the result has one
entry per group. Groups whose total is zero get NaN, never a confident zero.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from chainatlas.analytics.chainmap._sorting import group_codes
from chainatlas.errors import InvalidData

__all__ = [
    "grouped_hhi",
    "grouped_share",
    "grouped_sum",
    "hhi",
    "location_quotient",
    "nested_hhi",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _as_values(values: npt.ArrayLike) -> FloatArray:
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 1:
        raise InvalidData("values must be one-dimensional")
    if np.isnan(v).any():
        raise InvalidData("values must not be missing (NaN)")
    if (v < 0).any():
        raise InvalidData("values must not be negative")
    return v


def _as_groups(group: npt.ArrayLike, n: int, n_groups: int | None) -> tuple[IntArray, int]:
    g = np.asarray(group, dtype=np.int64)
    if g.shape != (n,):
        raise InvalidData(f"group labels must have one entry per value ({n}), got {g.shape}")
    if n and g.min() < 0:
        raise InvalidData("group labels must not be negative")
    size = int(g.max()) + 1 if n else 0
    if n_groups is None:
        n_groups = size
    elif n_groups < size:
        raise InvalidData(f"n_groups={n_groups} but a label is {size - 1}")
    return g, n_groups


def hhi(values: npt.ArrayLike) -> float:
    """Compute the Herfindahl-Hirschman index HHI = Σ s_i², s_i = v_i / Σ_j v_j.

    Parameters
    ----------
    values
        Non-negative values (e.g. yuan supplied by each supplier).

    Returns
    -------
    float
        The index in [1/n, 1]: 1 for a single source, 1/n for n equal sources; NaN when
        the values sum to zero (shares are undefined).

    Raises
    ------
    InvalidData
        When a value is negative or missing.

    References
    ----------
    Rhoades, S. A. (1993). The Herfindahl-Hirschman index. Federal Reserve Bulletin 79,
    188-189. U.S. DOJ/FTC (2023) Merger Guidelines use 0.18 (1,800 points) as the threshold
    of a highly concentrated market; 0.25 in the 2010 guidelines.

    Examples
    --------
    >>> hhi([100.0])
    1.0
    >>> hhi([1, 1, 1, 1])
    0.25
    >>> round(hhi([60, 30, 10]), 4)
    0.46
    """
    v = _as_values(values)
    total = v.sum()
    if total <= 0:
        return float("nan")
    s = v / total
    return float(np.dot(s, s))


def grouped_sum(
    group: npt.ArrayLike, values: npt.ArrayLike, n_groups: int | None = None
) -> FloatArray:
    """Sum ``values`` per group label: out_g = Σ_{i: group_i = g} v_i.

    Examples
    --------
    >>> grouped_sum([0, 0, 2], [1.0, 2.0, 5.0]).tolist()
    [3.0, 0.0, 5.0]
    """
    v = np.asarray(values, dtype=np.float64)
    g, n = _as_groups(group, len(v), n_groups)
    return np.bincount(g, weights=v, minlength=n).astype(np.float64)


def grouped_hhi(
    group: npt.ArrayLike, values: npt.ArrayLike, n_groups: int | None = None
) -> FloatArray:
    """Compute the HHI of value shares within each group.

    ``HHI_g = Σ_{i ∈ g} v_i² / (Σ_{i ∈ g} v_i)²``, which equals ``Σ s_i²`` with
    ``s_i = v_i / Σ_{j ∈ g} v_j``; NaN for a group whose values sum to zero or that has
    no items.

    Parameters
    ----------
    group
        Group label (0..n_groups-1) of each item.
    values
        Non-negative value of each item.
    n_groups
        Number of groups (default: largest label + 1).

    Returns
    -------
    numpy.ndarray
        One HHI per group.

    Raises
    ------
    InvalidData
        On a negative or missing value or a negative label.

    Examples
    --------
    >>> grouped_hhi([0, 0, 1, 2, 2], [50, 50, 7, 90, 10]).round(3).tolist()
    [0.5, 1.0, 0.82]
    """
    v = _as_values(values)
    g, n = _as_groups(group, len(v), n_groups)
    total = np.bincount(g, weights=v, minlength=n)
    squares = np.bincount(g, weights=v * v, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = squares / (total * total)
    out[total <= 0] = np.nan
    return out.astype(np.float64)


def grouped_share(
    group: npt.ArrayLike,
    values: npt.ArrayLike,
    mask: npt.ArrayLike,
    n_groups: int | None = None,
) -> FloatArray:
    """Compute the share of each group's value held by the masked items.

    ``share_g = Σ_{i ∈ g, mask_i} v_i / Σ_{i ∈ g} v_i`` (NaN where the group total is 0).

    Examples
    --------
    >>> grouped_share([0, 0, 1], [30, 70, 5], [True, False, False]).tolist()
    [0.3, 0.0]
    """
    v = _as_values(values)
    g, n = _as_groups(group, len(v), n_groups)
    m = np.asarray(mask, dtype=bool)
    total = np.bincount(g, weights=v, minlength=n)
    part = np.bincount(g, weights=np.where(m, v, 0.0), minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = part / total
    out[total <= 0] = np.nan
    return out.astype(np.float64)


def nested_hhi(
    group: npt.ArrayLike,
    category: npt.ArrayLike,
    values: npt.ArrayLike,
    n_groups: int | None = None,
) -> FloatArray:
    """Compute the HHI over categories within each group (e.g. over supplier regions).

    ``HHI_g = Σ_k (Σ_{i ∈ g, cat_i = k} v_i / Σ_{i ∈ g} v_i)²``: items of the same category
    are pooled first, so two suppliers in one province count as one source region.

    Examples
    --------
    >>> nested_hhi([0, 0, 0], [7, 7, 9], [25, 25, 50]).tolist()
    [0.5]
    """
    v = _as_values(values)
    g, n = _as_groups(group, len(v), n_groups)
    c = np.asarray(category, dtype=np.int64)
    if c.shape != g.shape:
        raise InvalidData("category must have one entry per value")
    if len(v) == 0:
        return np.full(n, np.nan)
    _, cat_code = group_codes(c)
    n_cat = int(cat_code.max()) + 1
    pair = g * n_cat + cat_code
    uniq, inv = group_codes(pair)
    pooled = np.bincount(inv, weights=v)
    pair_group = uniq // n_cat
    return grouped_hhi(pair_group, pooled, n)


def location_quotient(
    x_rs: npt.ArrayLike, x_r: float, x_ns: npt.ArrayLike, x_n: float
) -> FloatArray:
    """Compute location quotients LQ_s = (x_rs / x_r) / (x_ns / x_n).

    Parameters
    ----------
    x_rs
        The region's activity in each segment (output in yuan, or enterprise counts).
    x_r
        The region's total activity (all enterprises located in the region, every industry).
    x_ns
        The reference region's activity in each segment.
    x_n
        The reference region's total activity.

    Returns
    -------
    numpy.ndarray
        LQ per segment: above 1 the region is more specialised in the segment than the
        reference. NaN where a share is undefined (a zero total or ``x_ns = 0``).

    References
    ----------
    Isard, W. (1960). *Methods of Regional Analysis*. MIT Press; Miller & Blair (2009),
    *Input-Output Analysis*, 2nd ed., §8.2.1, https://doi.org/10.1017/CBO9780511626982.

    Examples
    --------
    >>> location_quotient([30.0, 5.0], 100.0, [300.0, 200.0], 2000.0).tolist()
    [2.0, 0.5]
    """
    rs = np.asarray(x_rs, dtype=np.float64)
    ns = np.asarray(x_ns, dtype=np.float64)
    if rs.shape != ns.shape:
        raise InvalidData("x_rs and x_ns must have the same shape")
    if x_r <= 0 or x_n <= 0:
        return np.full(rs.shape, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (rs / x_r) / (ns / x_n)
    out[~(ns > 0)] = np.nan
    return out.astype(np.float64)
