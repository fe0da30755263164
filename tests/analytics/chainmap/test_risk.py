"""Risk measures against a naive per-point loop, and the documented scoring rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from chainatlas.analytics.chainmap import (
    REASON_CODES,
    TIER_OUTSIDE,
    TIER_REGION,
    TIER_UNKNOWN,
    RiskRule,
    input_risk_measures,
    score_risks,
)
from chainatlas.errors import InvalidData


def test_measures_match_a_loop_over_risk_points() -> None:
    rng = np.random.default_rng(11)
    n, g = 500, 60
    group = rng.integers(0, g, n)
    value = np.where(rng.random(n) < 0.95, rng.lognormal(2, 1, n), np.nan)
    tier = rng.integers(0, 5, n)
    area = rng.integers(0, 6, n)
    capable = rng.random(n) < 0.6
    gseg = rng.integers(0, 4, g)
    bcap = rng.random(g) < 0.3
    cap = rng.integers(5, 20, (4, 3)).cumsum(axis=1)
    m = input_risk_measures(group, value, tier, area, capable, gseg, bcap, cap, n_groups=g)
    for k in range(g):
        at = group == k
        v = value[at]
        if not at.any():
            assert m.loc[k, "suppliers"] == 0
            continue
        w = np.ones(at.sum()) if np.isnan(v).any() else v
        s = w / w.sum()
        assert m.loc[k, "suppliers"] == at.sum()
        assert m.loc[k, "value_basis"] == ("count" if np.isnan(v).any() else "value")
        assert m.loc[k, "hhi"] == pytest.approx((s**2).sum())
        assert m.loc[k, "outside_share"] == pytest.approx(s[tier[at] != TIER_REGION].sum())
        assert m.loc[k, "foreign_share"] == pytest.approx(s[tier[at] == TIER_OUTSIDE].sum())
        by_area = pd.Series(s).groupby(area[at]).sum()
        assert m.loc[k, "geo_hhi"] == pytest.approx((by_area**2).sum())
        for t, name in enumerate(("alt_region", "alt_area", "alt_country")):
            taken = (capable[at] & (tier[at] <= t)).sum()
            assert m.loc[k, name] == max(cap[gseg[k], t] - taken - int(bcap[k]), 0)


def test_unknown_locations_count_as_outside_but_not_foreign() -> None:
    m = input_risk_measures(
        [0, 0],
        [50.0, 50.0],
        [TIER_REGION, TIER_UNKNOWN],
        [1, -1],
        [False, False],
        [0],
        [False],
        [[0, 0, 0]],
    )
    assert m.loc[0, "outside_share"] == 0.5
    assert m.loc[0, "foreign_share"] == 0.0


def _points(**over: object) -> pd.DataFrame:
    base = {
        "suppliers": 4,
        "hhi": 0.25,
        "foreign_share": 0.0,
        "outside_share": 0.0,
        "geo_hhi": 0.25,
        "choke_point": False,
        "essential": False,
        "alt_region": 2,
        "alt_area": 3,
        "alt_country": 5,
    }
    base.update(over)
    return pd.DataFrame([base])


@pytest.mark.parametrize(
    ("over", "fired", "score"),
    [
        ({}, {"moderately_concentrated"}, 1),
        ({"suppliers": 1, "hhi": 1.0, "geo_hhi": 1.0}, {"single_source"}, 3),
        ({"hhi": 0.6}, {"concentrated"}, 2),
        (
            {"foreign_share": 0.5, "outside_share": 0.5},
            {"moderately_concentrated", "foreign_dependent"},
            3,
        ),
        ({"foreign_share": 0.2, "hhi": 0.1}, {"foreign_exposed"}, 1),
        ({"outside_share": 0.8, "hhi": 0.1}, {"outside_dependent"}, 1),
        ({"geo_hhi": 0.5, "hhi": 0.1}, {"geo_concentrated"}, 1),
        (
            {"choke_point": True, "essential": True, "hhi": 0.1},
            {"choke_point", "essential_input"},
            3,
        ),
        (
            {"alt_country": 0, "alt_area": 0, "alt_region": 0, "hhi": 0.1},
            {"no_domestic_alternative"},
            2,
        ),
        ({"alt_area": 0, "alt_region": 0, "hhi": 0.1}, {"no_nearby_alternative"}, 1),
    ],
)
def test_each_finding_scores_its_documented_points(
    over: dict[str, object], fired: set[str], score: float
) -> None:
    s = score_risks(_points(**over))
    assert {c for c in REASON_CODES if s.loc[0, c]} == fired
    assert s.loc[0, "score"] == score


def test_levels_follow_the_cut_offs_and_single_sources_are_at_least_medium() -> None:
    single_foreign = _points(
        suppliers=1, hhi=1.0, geo_hhi=1.0, foreign_share=1.0, outside_share=1.0, essential=True
    )
    assert score_risks(single_foreign).loc[0, ["score", "level"]].tolist() == [7.0, "high"]
    assert score_risks(_points(suppliers=1, hhi=1.0, geo_hhi=1.0)).loc[0, "level"] == "medium"
    assert score_risks(_points(hhi=0.1)).loc[0, "level"] == "low"
    custom = RiskRule(single_source=6.0)
    assert score_risks(_points(suppliers=1, hhi=1.0), custom).loc[0, "level"] == "high"


def test_segment_points_without_local_supply_score_four() -> None:
    p = _points(hhi=0.1)
    p["no_local_supply"] = True
    s = score_risks(p)
    assert bool(s.loc[0, "no_local_supply"]) and s.loc[0, "score"] == 4.0
    assert s.loc[0, "level"] == "medium"


def test_undefined_measures_fire_nothing() -> None:
    s = score_risks(
        _points(
            suppliers=0,
            hhi=math.nan,
            foreign_share=math.nan,
            outside_share=math.nan,
            geo_hhi=math.nan,
        )
    )
    assert s.loc[0, "score"] == 0


@pytest.mark.parametrize(
    "bad",
    [
        {"high_at": 2.0, "medium_at": 3.0},
        {"hhi_high": 1.5},
        {"single_source": -1.0},
        {"foreign_some": 0.9},
    ],
)
def test_rule_rejects_inconsistent_settings(bad: dict[str, float]) -> None:
    with pytest.raises(InvalidData):
        RiskRule(**bad)  # type: ignore[arg-type]
