"""The weighted rule combining match components, distance levels and scale."""

from __future__ import annotations

import numpy as np
import pytest

from chainatlas.analytics.matching import (
    DISTANCE_LEVELS,
    MatchWeights,
    combine_scores,
    distance_levels,
    scale_scores,
)


def test_combine_scores_is_the_weighted_mean_on_a_hundred_point_scale() -> None:
    # 0.45*0.8 + 0.15*0.5 + 0.15*0.6 + 0.10*0.4 + 0.10*1 + 0.05*1 = 0.715
    assert combine_scores(0.8, 0.5, 0.6, 0.4, 1.0, 1.0) == pytest.approx(71.5)


def test_custom_weights_are_normalised() -> None:
    only_text = MatchWeights(text=2, adjacency=0, distance=0, scale=0, ties=0, risk=0)
    assert combine_scores(0.3, 1, 1, 1, 1, 1, only_text) == pytest.approx(30.0)


def test_components_outside_zero_to_one_are_clipped() -> None:
    assert combine_scores(2.0, -1.0, 0, 0, 0, 0) == pytest.approx(45.0)


def test_negative_or_zero_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        combine_scores(1, 1, 1, 1, 1, 1, MatchWeights(text=-1))
    zero = MatchWeights(0, 0, 0, 0, 0, 0)
    with pytest.raises(ValueError, match="not all zero"):
        combine_scores(1, 1, 1, 1, 1, 1, zero)


def test_each_factor_alone_orders_equal_candidates() -> None:
    base = {"text": 0.9, "adjacency": 0.5, "distance": 0.6, "scale": 0.5, "ties": 0.0, "risk": 1.0}
    for name in base:
        better = {**base, name: min(base[name] + 0.1, 1.0)}
        if better == base:
            better, base2 = base, {**base, name: base[name] - 0.1}
        else:
            base2 = base
        assert combine_scores(**better) > combine_scores(**base2), name


def test_distance_levels_take_the_nearest_shared_level() -> None:
    home = (10, 20, 30, "CN")
    district = np.array([10, 11, -1, -1, -1, -1, -1])
    city = np.array([20, 20, 21, -1, 22, -1, -1])
    province = np.array([30, 30, 30, 31, 32, -1, 40])
    country = np.array(["CN", "CN", "CN", "CN", "CN", "", "DE"], dtype=object)
    area = np.array([False, False, False, True, False, False, False])
    got = [
        DISTANCE_LEVELS[i] for i in distance_levels(home, district, city, province, country, area)
    ]
    assert got == ["district", "city", "province", "area", "country", "unknown", "abroad"]


def test_scale_mixes_size_class_and_output_rank() -> None:
    got = scale_scores(
        np.array(["medium", "small", None], dtype=object), np.array([1.0, np.nan, 0.2])
    )
    np.testing.assert_allclose(got, [(0.75 + 1.0) / 2, 0.5, (0.4 + 0.2) / 2])
