"""Life-cycle stages at the boundaries of every threshold, one firm and many at once."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from chainatlas.domain.lifecycle import (
    STAGES,
    LifecycleThresholds,
    lifecycle_stage,
    lifecycle_stages,
)

NAN = math.nan


@pytest.mark.parametrize(
    ("age", "revenue", "employees", "growth", "stage"),
    [
        # seed: under 2 years, revenue under 300万, under 20 people
        (1.99, 2.99e6, 19, None, "seed"),
        (2.0, 2.99e6, 19, None, "startup"),  # age reaches 2 -> start-up
        (1.5, 3e6, 19, None, "startup"),  # revenue reaches 300万
        (1.5, None, 20, None, "startup"),  # 20 people
        (1.5, None, None, None, "seed"),  # nothing but age on record
        # start-up: under 5 years and under 2,000万 revenue, whatever the growth
        (4.99, 1.99e7, 100, 0.9, "startup"),
        (4.99, 2e7, 100, None, "growth"),  # young and past the 规上 threshold
        (5.0, 1.99e7, 100, None, "mature"),  # 5 years and no growth on record
        # growth bands
        (8.0, 1e8, 300, 0.20, "growth"),
        (8.0, 4e8, 300, 0.20, "expansion"),  # at 4亿 fast growth is expansion
        (8.0, 1e8, 300, 0.1999, "expansion"),
        (8.0, 1e8, 300, 0.10, "expansion"),
        (8.0, 1e8, 300, 0.0999, "mature"),
        (8.0, 1e8, 300, -0.0499, "mature"),
        (8.0, 1e8, 300, -0.05, "decline"),
        (None, 1e8, 300, 0.3, "growth"),  # no founding date, growth decides
        (None, None, 300, 0.3, None),  # neither age nor revenue
    ],
)
def test_each_threshold_boundary_gives_the_documented_stage(
    age: float | None,
    revenue: float | None,
    employees: float | None,
    growth: float | None,
    stage: str | None,
) -> None:
    assert lifecycle_stage(age, revenue, employees, growth).stage == stage


def test_the_reason_states_the_numbers_that_decided() -> None:
    res = lifecycle_stage(12.0, 5e8, 2000, -0.08)
    assert res.stage == "decline" and res.name_zh == "衰退期"
    assert res.reason == "revenue shrinks 8% a year (growth ≤ -5%)"
    seed = lifecycle_stage(1.0, 1e6, 5, None)
    assert "founded 1.0 years ago" in seed.reason and "100万" in seed.reason
    assert lifecycle_stage(None, None, None, None).to_dict()["stage_zh"] == "未知"


def test_custom_thresholds_move_the_boundaries() -> None:
    t = LifecycleThresholds(fast_growth=0.3)
    assert lifecycle_stage(8.0, 1e8, 300, 0.25, t).stage == "expansion"
    assert lifecycle_stage(8.0, 1e8, 300, 0.30, t).stage == "growth"


def test_the_vectorised_rule_agrees_with_the_one_firm_rule_on_a_grid() -> None:
    ages = [None, 0.5, 1.99, 2.0, 4.99, 5.0, 20.0]
    revenues = [None, 1e6, 3e6, 1.99e7, 2e7, 3.99e8, 4e8, 1e9]
    employees = [None, 5, 20, 500]
    growths = [None, -0.2, -0.05, -0.01, 0.0999, 0.1, 0.2, 0.5]
    combos = list(itertools.product(ages, revenues, employees, growths))

    def arr(i: int) -> np.ndarray:
        return np.array([NAN if c[i] is None else c[i] for c in combos], dtype=float)

    fast = lifecycle_stages(arr(0), arr(1), arr(2), arr(3))
    slow = [lifecycle_stage(*c).stage for c in combos]
    assert fast.tolist() == slow
    assert set(slow) == {*STAGES, None}
