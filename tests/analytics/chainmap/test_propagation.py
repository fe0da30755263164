"""Dependence weights, downstream exposure and event reach on hand-made networks."""

from __future__ import annotations

import numpy as np
import pytest

from chainatlas.analytics.chainmap import (
    dependence_weights,
    downstream_exposure,
    downstream_reach,
)
from chainatlas.errors import InvalidData


def test_weights_prefer_recorded_shares_then_values_then_equal_splits() -> None:
    w = dependence_weights(
        [1, 1, 2, 2, 3],
        [10.0, 30.0, np.nan, np.nan, np.nan],
        [np.nan, np.nan, np.nan, np.nan, 0.4],
        4,
    )
    assert w.tolist() == pytest.approx([0.25, 0.75, 0.5, 0.5, 0.4])


def test_weights_are_scaled_down_when_shares_sum_above_one() -> None:
    w = dependence_weights([0, 0], [np.nan, np.nan], [0.9, 0.6], 1)
    assert w.sum() == pytest.approx(1.0)
    assert w[0] / w[1] == pytest.approx(1.5)


def test_exposure_equals_the_leontief_style_inverse_on_a_dag() -> None:
    # 0 -> 1 -> 3, 0 -> 2 -> 3, 3 buys half from 1 and half from 2
    sup, buy, w = [0, 0, 1, 2], [1, 2, 3, 3], [1.0, 1.0, 0.5, 0.5]
    x = np.array([1.0, 2.0, 3.0, 8.0])
    W = np.zeros((4, 4))
    for a, b, c in zip(sup, buy, w, strict=True):
        W[a, b] = c
    expected = np.linalg.solve(np.eye(4) - W, x)
    got = downstream_exposure(sup, buy, w, x, hops=10)
    np.testing.assert_allclose(got, expected)
    assert got[0] == pytest.approx(1 + 2 + 3 + 8)


def test_exposure_is_bounded_by_hops_on_a_cycle() -> None:
    got = downstream_exposure([0, 1], [1, 0], [1.0, 1.0], [1.0, 1.0], hops=3)
    assert got.tolist() == [4.0, 4.0]


def test_reach_finds_every_hop_of_a_long_chain_and_its_losses() -> None:
    # 0 -> 1 -> 2 -> 3 -> 4; 2 buys 25 % of its inputs from 1
    sup, buy = [0, 1, 2, 3], [1, 2, 3, 4]
    r = downstream_reach(sup, buy, [1.0, 0.25, 1.0, 1.0], [0.8, 0, 0, 0, 0])
    assert r.hop.tolist() == [0, 1, 2, 3, 4]
    assert r.loss.tolist() == pytest.approx([0.8, 0.8, 0.2, 0.2, 0.2])
    assert r.via.tolist() == [-1, 0, 1, 2, 3]
    short = downstream_reach(sup, buy, [1.0] * 4, [1.0, 0, 0, 0, 0], max_hops=2)
    assert short.hop.tolist() == [0, 1, 2, -1, -1]


def test_reach_from_disrupted_links_starts_at_their_buyers() -> None:
    r = downstream_reach([0, 1, 2], [2, 2, 3], [0.5, 0.5, 1.0], [0, 0, 0, 0], [1.0, 0.0, 0.0])
    assert r.hop.tolist() == [-1, -1, 1, 2]
    assert r.loss.tolist() == pytest.approx([0, 0, 0.5, 0.5])


def test_reach_terminates_on_cycles_and_caps_loss_at_one() -> None:
    r = downstream_reach([0, 1, 2], [1, 2, 1], [1.0, 1.0, 1.0], [1.0, 0, 0])
    assert r.hop.tolist() == [0, 1, 2]
    assert r.loss.max() <= 1.0


def test_bad_inputs_raise_invalid_data() -> None:
    with pytest.raises(InvalidData):
        downstream_reach([0], [5], [1.0], [1.0, 0.0])
    with pytest.raises(InvalidData):
        downstream_reach([0], [1], [1.0], [1.5, 0.0])
    with pytest.raises(InvalidData):
        downstream_exposure([0], [1], [1.0, 2.0], [1.0, 1.0])
