"""HHI, grouped shares and location quotients against hand-computed and naive answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from chainatlas.analytics.chainmap import (
    grouped_hhi,
    grouped_share,
    grouped_sum,
    hhi,
    location_quotient,
    nested_hhi,
)
from chainatlas.errors import InvalidData


def test_hhi_of_one_source_is_one_and_of_n_equal_sources_is_one_over_n() -> None:
    assert hhi([42.0]) == 1.0
    assert hhi([5, 5, 5, 5, 5]) == pytest.approx(0.2)
    # 60/30/10: .36 + .09 + .01
    assert hhi([60, 30, 10]) == pytest.approx(0.46)


def test_hhi_of_zero_total_is_undefined_not_zero() -> None:
    assert math.isnan(hhi([0.0, 0.0]))


@pytest.mark.parametrize("bad", [[-1.0, 2.0], [float("nan"), 1.0]])
def test_hhi_rejects_negative_or_missing_values(bad: list[float]) -> None:
    with pytest.raises(InvalidData):
        hhi(bad)


def test_grouped_measures_match_a_loop_over_groups() -> None:
    rng = np.random.default_rng(7)
    group = rng.integers(0, 40, 600)
    values = rng.lognormal(size=600)
    mask = rng.random(600) < 0.3
    cat = rng.integers(0, 5, 600)
    got_h = grouped_hhi(group, values, 42)
    got_s = grouped_share(group, values, mask, 42)
    got_n = nested_hhi(group, cat, values, 42)
    got_t = grouped_sum(group, values, 42)
    for g in range(42):
        v = values[group == g]
        if len(v) == 0:
            assert math.isnan(got_h[g]) and math.isnan(got_s[g]) and math.isnan(got_n[g])
            assert got_t[g] == 0
            continue
        s = v / v.sum()
        assert got_h[g] == pytest.approx((s**2).sum())
        assert got_s[g] == pytest.approx(v[mask[group == g]].sum() / v.sum())
        pooled = [v[cat[group == g] == k].sum() / v.sum() for k in range(5)]
        assert got_n[g] == pytest.approx(sum(p * p for p in pooled))
        assert got_t[g] == pytest.approx(v.sum())


def test_nested_hhi_pools_sources_of_the_same_region() -> None:
    # two suppliers in one province (25 + 25) and one elsewhere (50): 0.5² + 0.5²
    assert nested_hhi([0, 0, 0], [11, 11, 12], [25, 25, 50]).tolist() == [0.5]


def test_location_quotient_uses_the_stated_totals() -> None:
    # region: 30 of 100 in the segment; reference: 300 of 2000
    lq = location_quotient([30.0, 0.0, 1.0], 100.0, [300.0, 50.0, 0.0], 2000.0)
    assert lq[0] == pytest.approx((30 / 100) / (300 / 2000))
    assert lq[1] == 0.0
    assert math.isnan(lq[2])  # the reference has none: undefined
    assert np.isnan(location_quotient([1.0], 0.0, [1.0], 10.0)).all()


def test_group_labels_must_line_up_with_values() -> None:
    with pytest.raises(InvalidData):
        grouped_hhi([0, 1], [1.0, 2.0, 3.0])
    with pytest.raises(InvalidData):
        grouped_hhi([0, -1], [1.0, 2.0])
