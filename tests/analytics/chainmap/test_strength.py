"""Segment status, completeness, score, strength table and chain owners."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from chainatlas.analytics.chainmap import (
    StrengthThresholds,
    chain_completeness,
    chain_owner_spans,
    chain_strength_score,
    segment_status,
    segment_strength,
    top_per_group,
)
from chainatlas.errors import InvalidData


def test_status_rule_at_its_boundaries() -> None:
    t = StrengthThresholds()  # strong: LQ >= 1.25 and n >= 3; weak: n < 2 or LQ < 0.5
    n = [0, 1, 2, 3, 3, 3, 10]
    lq = [5.0, 5.0, 2.0, 1.25, 1.2499, 0.4999, float("nan")]
    assert segment_status(n, lq, t).tolist() == [
        "missing",
        "weak",
        "present",
        "strong",
        "present",
        "weak",
        "present",
    ]


def test_thresholds_are_configurable_and_validated() -> None:
    strict = StrengthThresholds(strong_lq=2.0, present_min_enterprises=1)
    assert segment_status([1, 3], [1.5, 2.5], strict).tolist() == ["present", "strong"]
    with pytest.raises(InvalidData):
        StrengthThresholds(weak_lq=2.0, strong_lq=1.0)
    with pytest.raises(InvalidData):
        StrengthThresholds(leaders=0)
    with pytest.raises(InvalidData):
        StrengthThresholds(points_weak=0.9, points_present=0.5)


def test_completeness_weights_present_segments_by_importance() -> None:
    # importance 1, 2, 1, 3, 2, 1: ore and recycle missing -> (2 + 1 + 3 + 2) / 10
    status = ["missing", "weak", "weak", "strong", "present", "missing"]
    assert chain_completeness([1, 2, 1, 3, 2, 1], status) == pytest.approx(0.8)
    assert chain_strength_score([1, 2, 1, 3, 2, 1], status) == pytest.approx(
        100 * (2 * 0.35 + 1 * 0.35 + 3 * 1 + 2 * 0.7) / 10
    )


def test_segment_strength_matches_a_pandas_recomputation() -> None:
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame(
        {
            "segment": rng.integers(0, 9, n),
            "local": rng.random(n) < 0.4,
            "weight": rng.uniform(0.2, 1.0, n),
            "x": np.where(rng.random(n) < 0.9, rng.lognormal(3, 1, n), np.nan),
            "x0": np.where(rng.random(n) < 0.8, rng.lognormal(3, 1, n), np.nan),
        }
    )
    frame["ref"] = frame["local"] | (rng.random(n) < 0.7)
    x_r, x_n = 5000.0, 40000.0
    got = segment_strength(
        frame["segment"],
        frame["local"],
        frame["ref"],
        frame["weight"],
        frame["x"],
        frame["x0"],
        n_segments=10,
        region_total=x_r,
        reference_total=x_n,
    )
    for s in range(10):
        part = frame[frame["segment"] == s]
        loc = part[part["local"]]
        ref = part[part["ref"]]
        assert got.loc[s, "enterprises"] == len(loc)
        if len(loc) == 0:
            assert got.loc[s, "status"] == "missing"
            continue
        out = (loc["weight"] * loc["x"]).sum()
        ref_out = (ref["weight"] * ref["x"]).sum()
        assert got.loc[s, "output"] == pytest.approx(out)
        assert got.loc[s, "lq"] == pytest.approx((out / x_r) / (ref_out / x_n))
        assert got.loc[s, "share"] == pytest.approx(out / ref_out)
        panel = loc.dropna(subset=["x", "x0"])
        growth = (panel["weight"] * panel["x"]).sum() / (panel["weight"] * panel["x0"]).sum() - 1
        assert got.loc[s, "growth"] == pytest.approx(growth)
        assert got.loc[s, "coverage"] == pytest.approx(loc["x"].notna().mean())


def test_segment_strength_on_the_count_basis_uses_enterprise_counts() -> None:
    got = segment_strength(
        [0, 0, 1],
        [True, False, True],
        [True] * 3,
        [1.0] * 3,
        [np.nan] * 3,
        [np.nan] * 3,
        n_segments=2,
        region_total=10,
        reference_total=100,
        basis="count",
    )
    # segment 0: (1 / 10) / (2 / 100) = 5; segment 1: (1 / 10) / (1 / 100) = 10
    assert got["lq"].tolist() == pytest.approx([5.0, 10.0])
    assert math.isnan(got.loc[0, "output"])  # no output data: not a confident zero
    with pytest.raises(InvalidData):
        segment_strength(
            [0],
            [True],
            [True],
            [1.0],
            [1.0],
            [1.0],
            n_segments=1,
            region_total=1,
            reference_total=1,
            basis="value",
        )


def test_top_per_group_orders_by_score_and_keeps_k() -> None:
    got = top_per_group([2, 2, 2, 0, 0], [1.0, np.nan, 3.0, 5.0, 6.0], 2)
    assert got.tolist() == [4, 3, 2, 0]


def test_chain_owner_span_counts_distinct_partner_segments() -> None:
    # firm 0 buys segments 0 and 1 and sells to firm 2 (primary segment 3) -> span 3
    spans = chain_owner_spans([1, 3, 0], [0, 0, 2], [0, 1, 2], [2, 0, 3, 1], 4)
    assert spans.tolist() == [3, 1, 1, 1]
