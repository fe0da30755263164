"""The build-the-chain scoring rules, checked against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from chainatlas.analytics.chainbuild import (
    STRATEGIES,
    ChampionRule,
    LeadWeights,
    OpportunityWeights,
    SeedlingCriteria,
    TargetWeights,
    check_seedlings,
    contested_segments,
    grouped_percentile,
    hidden_champion_mask,
    lead_scores,
    opportunity_scores,
    owner_scores,
    parse_weights,
    seedling_reasons,
    target_reasons,
    target_scores,
)
from chainatlas.errors import InvalidData


def _candidates(**over: list[object]) -> pd.DataFrame:
    base: dict[str, list[object]] = {
        "segment": [0, 0, 0],
        "enterprise": [10, 11, 12],
        "fit": [1.0, 0.5, 1.0],
        "output": [100.0, 300.0, float("nan")],
        "growth": [0.1, 0.3, 0.2],
        "partners": [0, 3, 1],
        "relatedness": [0.4, 0.2, float("nan")],
        "present": [False, True, False],
    }
    base.update(over)
    return pd.DataFrame(base)


def test_percentile_ranks_average_ties_and_put_missing_values_last() -> None:
    # ranks 1, 2.5, 2.5, 4 of four known values: (r - 1) / 3
    got = grouped_percentile([5.0, 7.0, 7.0, 9.0, float("nan")])
    assert got.tolist() == pytest.approx([0.0, 0.5, 0.5, 1.0, 0.0])


def test_target_score_is_the_weighted_sum_of_its_components() -> None:
    out = target_scores(_candidates()).set_index("enterprise")
    w = TargetWeights().normalised()
    # enterprise 11: fit 0.5; largest output of two known (scale 1); highest growth
    # (growth 1); 3 partners -> 3/4; relatedness 0.2; present -> absence 0
    expect = 100 * (
        w["fit"] * 0.5
        + w["scale"] * 1
        + w["growth"] * 1
        + w["ties"] * 0.75
        + w["relatedness"] * 0.2
        + w["absence"] * 0
    )
    assert out.loc[11, "score"] == pytest.approx(expect)
    # enterprise 12: unknown output and relatedness count 0; growth middle (0.5); 1 partner
    expect12 = 100 * (w["fit"] * 1 + w["growth"] * 0.5 + w["ties"] * 0.5 + w["absence"] * 1)
    assert out.loc[12, "score"] == pytest.approx(expect12)
    assert out["rank"].tolist() == [1, 2, 3]


def test_an_existing_tie_breaks_an_otherwise_equal_pair() -> None:
    c = _candidates(
        output=[50.0, 50.0, 50.0],
        growth=[0.1, 0.1, 0.1],
        partners=[0, 2, 0],
        relatedness=[0.3, 0.3, 0.3],
        present=[False, False, False],
        fit=[0.8, 0.8, 0.8],
    )
    out = target_scores(c)
    assert out["enterprise"].iloc[0] == 11
    # the two without ties score the same; the lower id comes first
    assert out["enterprise"].tolist()[1:] == [10, 12]
    assert out["score"].iloc[1] == out["score"].iloc[2]


def test_target_weights_reject_negatives_and_all_zero() -> None:
    with pytest.raises(InvalidData, match="negative"):
        TargetWeights(ties=-1)
    with pytest.raises(InvalidData, match="positive"):
        TargetWeights(0, 0, 0, 0, 0, 0)
    with pytest.raises(InvalidData, match="partners"):
        target_scores(_candidates().drop(columns=["partners"]))


def test_target_reasons_name_the_ties_and_the_local_establishment() -> None:
    texts = target_reasons(
        {"fit": 0.5, "sells_to": 1, "buys_from": 2, "tie_value": 3e7, "present_as": "甲（杭州）"},
        segment=("电芯", "cells"),
    )
    codes = [t.code for t in texts]
    assert codes == ["makes_products", "existing_ties", "already_present"]
    assert "sells to 1 local enterprise(s) and buys from 2, 30.0 million yuan" in texts[1].en
    assert "甲（杭州）" in texts[2].zh


def _firm(**over: object) -> dict[str, object]:
    # a firm meeting every default criterion (MIIT 2022 provincial 专精特新 rules)
    base: dict[str, object] = {
        "size_class": "small",
        "employees": 120.0,
        "years": 6.0,
        "revenue": 5e7,
        "revenue_prev": 4e7,
        "rd_spend": 2.5e6,
        "focus": 0.9,
        "patents": 3.0,
    }
    base.update(over)
    return base


def test_seedling_check_lists_what_each_firm_lacks_and_by_how_much() -> None:
    firms = pd.DataFrame(
        [
            _firm(),
            _firm(rd_spend=1.2e6),  # 1.2/50 = 2.4 % < 3 %: 0.6 points short
            _firm(revenue_prev=5e7, patents=0.0),  # no growth, no patent
            _firm(size_class="large"),  # not an SME: never "near"
            _firm(rd_spend=None, focus=0.4),  # unknown R&D: both R&D criteria unknown
        ]
    )
    r = check_seedlings(firms)
    assert r["status"].tolist() == ["meets", "near", "near", "far", "far"]
    assert r.loc[1, "gap_rd_intensity"] == pytest.approx(0.03 - 1.2e6 / 5e7)
    assert r.loc[1, "gap_rd_spend"] == 0.0
    assert r.loc[2, "gap_growth"] == pytest.approx(0.05)
    assert r.loc[2, "gap_patents"] == 1.0
    assert not r.loc[4, "met_rd_spend"] and math.isnan(r.loc[4, "gap_rd_spend"])
    assert r.loc[4, "gap_focus"] == pytest.approx(0.3)
    assert int(r.loc[4, "missing"]) == 3
    reasons = seedling_reasons({str(k): v for k, v in r.loc[1].items()})
    assert [t.code for t in reasons] == ["meets_criteria", "lacks_rd_intensity"]
    assert "0.6 percentage points short" in reasons[1].en


def test_large_revenue_with_any_growth_meets_the_growth_criterion() -> None:
    firms = pd.DataFrame([_firm(revenue=2e8, revenue_prev=1.99e8, rd_spend=7e6)])
    r = check_seedlings(firms, SeedlingCriteria(max_sme_revenue=4e8))
    assert bool(r.loc[0, "met_growth"]) and r.loc[0, "status"] == "meets"


def test_hidden_champions_need_share_focus_and_modest_revenue() -> None:
    rule = ChampionRule(min_share=0.1, min_focus=0.5, max_revenue=4e9)
    got = hidden_champion_mask(
        [0.1, 0.09, 0.5, 0.5, float("nan")],
        [0.5, 0.9, 0.49, 0.9, 0.9],
        [1e8, 1e8, 1e8, 4e9, 1e8],
        rule,
    )
    assert got.tolist() == [True, False, False, False, False]


def test_owner_score_mixes_span_and_output_share() -> None:
    # 0.5 * 6/12 + 0.5 * 0.3 = 0.4
    assert owner_scores([6], 12, [0.3]).tolist() == pytest.approx([40.0])
    assert owner_scores([6], 12, [float("nan")]).tolist() == pytest.approx([25.0])


def test_opportunity_strategy_moves_feasible_and_ambitious_picks_apart() -> None:
    c = pd.DataFrame(
        {
            "density": [0.9, 0.1, 0.5, 0.3],
            "pci": [-2.0, 2.0, 0.0, 1.0],
            "cog": [-1.0, 1.0, 0.0, 0.5],
            "market": [1.0, 4.0, 2.0, 3.0],
        },
        index=["near", "far", "mid", "mid2"],
    )
    assert opportunity_scores(c, STRATEGIES["feasible"]).index[0] == "near"
    assert opportunity_scores(c, STRATEGIES["ambitious"]).index[0] == "far"
    only_density = opportunity_scores(c, OpportunityWeights(feasibility=1.0))
    assert only_density.index.tolist() == ["near", "mid", "mid2", "far"]
    # balanced: mid has p_feasibility 2/3 and attractiveness (0.4*1/3+0.4*1/3+0.2*1/3)
    bal = opportunity_scores(c, STRATEGIES["balanced"])
    assert bal.loc["mid", "score"] == pytest.approx(100 * (0.5 * 2 / 3 + 0.5 / 3))


def test_opportunity_weights_parse_and_reject_bad_keys() -> None:
    w = parse_weights("feasibility=0.6,pci=0.2,cog=0.2,market=0")
    assert (w.feasibility, w.pci, w.cog, w.market) == (0.6, 0.2, 0.2, 0.0)
    with pytest.raises(InvalidData, match="KEY=VALUE"):
        parse_weights("density=1")
    with pytest.raises(InvalidData, match="not a number"):
        parse_weights("pci=high")
    with pytest.raises(InvalidData, match="fraction"):
        OpportunityWeights(feasibility=2.0)


def test_contested_segments_need_two_specialised_regions() -> None:
    status = pd.DataFrame(
        {
            "A": ["strong", "present", "weak"],
            "B": ["present", "strong", "strong"],
            "C": ["strong", "missing", "present"],
        },
        index=["s1", "s2", "s3"],
    )
    lq = pd.DataFrame(
        {"A": [1.5, 0.9, 2.0], "B": [1.1, 1.3, 3.0], "C": [np.nan, 0.0, 1.0]},
        index=["s1", "s2", "s3"],
    )
    out = contested_segments(status, lq, LeadWeights(specialised_lq=1.0))
    # s1: A and B (C's LQ is undefined); s2: B only; s3: B and C (A is weak)
    assert out["specialised"].tolist() == [("A", "B"), ("B",), ("B", "C")]
    assert out["contested"].tolist() == [True, False, True]


def test_lead_region_has_the_highest_lead_score() -> None:
    f = pd.DataFrame(
        {"size": [10.0, 30.0, 0.0], "score": [90.0, 40.0, np.nan], "owners": [1, 4, 0]},
        index=["A", "B", "C"],
    )
    out = lead_scores(f)
    # A: 0.5*0.25 + 0.3*0.9 + 0.2*0.25 = 0.445; B: 0.5*0.75 + 0.3*0.4 + 0.2*1 = 0.695
    assert out.index.tolist() == ["B", "A", "C"]
    assert out.loc["A", "lead_score"] == pytest.approx(44.5)
    assert out.loc["C", "lead_score"] == 0.0
