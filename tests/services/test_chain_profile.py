"""Segment strength on the hand-made network, figures computed by hand.

Zhejiang (ZJ) in 2023: local output x_R = 1000 + 500 + 300 + 2000 + 100 + 200 + 5000 = 9100
(every enterprise located in ZJ, all industries). Reference (the country, CN):
x_N = 9100 + 400 + 300 + 150 + 50 + 100 + 5000 = 15100 (JP and DE firms are abroad).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from chainatlas.analytics.chainmap import StrengthThresholds
from chainatlas.errors import AnalysisError, ChainNotFound, RegionNotFound
from chainatlas.services.chain_context import AnalysisOptions
from chainatlas.services.chain_profile import chain_profile
from tests.services.test_chain_network import build_network, ids, import_rows

X_R, X_N = 9100.0, 15100.0


@pytest.fixture
def net(conn: sa.Connection) -> sa.Connection:
    build_network(conn)
    return conn


def test_strength_figures_match_hand_computation(net: sa.Connection) -> None:
    p = chain_profile(net, "tc", "ZJ")
    cell, material, part, pack = (p.segment(c) for c in ("cell", "material", "part", "pack"))
    # cell: 杭州电芯一号 1000 + 杭州电芯二号 500 + 宁波电芯 300, all of the country's cells
    assert (cell.enterprises, cell.output) == (3, 1800.0)
    assert cell.lq == pytest.approx((1800 / X_R) / (1800 / X_N))
    assert cell.growth == pytest.approx(1800 / 1500 - 1)
    assert cell.status == "strong"
    # material: 宁波材料 100 of 100 + 苏州材料 400 (Japan Materials is abroad)
    assert material.share == pytest.approx(100 / 500)
    assert material.lq == pytest.approx((100 / X_R) / (500 / X_N))  # 0.33 < 0.5: weak
    assert material.status == "weak"
    # part: 杭州零件 gives 60 % of 200 to parts; 安徽零件 150 in the reference
    assert part.output == pytest.approx(120.0)
    assert part.lq == pytest.approx((120 / X_R) / (270 / X_N))
    assert part.status == "weak"  # one local firm
    # pack: 杭州电池包 2000 + 40 % of 杭州零件: two firms, so present although LQ > 1.25
    assert pack.output == pytest.approx(2080.0)
    assert pack.growth == pytest.approx(2080 / 1540 - 1)
    assert pack.status == "present"
    assert [p.segment(c).status for c in ("ore", "recycle")] == ["missing", "missing"]


def test_scorecard_completeness_and_score(net: sa.Connection) -> None:
    sc = chain_profile(net, "tc", "ZJ").scorecard
    # importance ore 1, material 2, part 1, cell 3, pack 2, recycle 1
    assert sc["completeness"] == pytest.approx(8 / 10)
    assert sc["score"] == pytest.approx(100 * (3 * 1 + 2 * 0.7 + 2 * 0.35 + 1 * 0.35) / 10)
    assert (sc["strong"], sc["present"], sc["weak"], sc["missing"]) == (1, 1, 2, 2)
    assert sc["local_enterprises"] == 6
    assert sc["choke_points"] == 1


def test_leaders_and_chain_owners_with_traces(net: sa.Connection) -> None:
    p = chain_profile(net, "tc", "ZJ")
    names = ids(net)
    assert [x["name"] for x in p.segment("cell").leaders] == [
        "杭州电芯一号",
        "杭州电芯二号",
        "宁波电芯",
    ]
    # 杭州电芯一号 buys material and parts and sells to a pack maker: 3 segments
    assert [(o["name"], o["segments_spanned"]) for o in p.owners] == [("杭州电芯一号", 3)]
    assert set(p.segment("cell").enterprise_ids) == {
        names["杭州电芯一号"],
        names["杭州电芯二号"],
        names["宁波电芯"],
    }
    assert p.segment("pack").to_dict()["trace"]["enterprise_ids"] == sorted(
        [names["杭州电池包"], names["杭州零件"]]
    )


def test_region_names_districts_and_cooperation_areas(net: sa.Connection) -> None:
    # a district alone: only 杭州电芯二号
    assert chain_profile(net, "tc", "HZX").segment("cell").enterprises == 1
    # by Chinese name or short name
    assert chain_profile(net, "tc", "浙江").segment("cell").enterprises == 3
    # the cooperation area (ZJ + JS) as the region
    yrd = chain_profile(net, "tc", "YRD")
    assert yrd.region["kind"] == "group"
    assert yrd.segment("material").enterprises == 2
    assert yrd.segment("ore").enterprises == 1
    # ZJ's cooperation area is YRD
    assert chain_profile(net, "tc", "ZJ").region["cooperation_areas"] == ["YRD"]


def test_reference_all_data_includes_firms_abroad(net: sa.Connection) -> None:
    p = chain_profile(net, "tc", "ZJ", AnalysisOptions(reference="all"))
    x_all = X_N + 800 + 600
    assert p.segment("material").lq == pytest.approx((100 / X_R) / (1300 / x_all))


def test_thresholds_change_the_status(net: sa.Connection) -> None:
    lenient = AnalysisOptions(thresholds=StrengthThresholds(strong_min_enterprises=2, weak_lq=0.3))
    p = chain_profile(net, "tc", "ZJ", lenient)
    assert p.segment("pack").status == "strong"
    assert p.thresholds["strong_min_enterprises"] == 2


def test_thin_figures_are_flagged(net: sa.Connection) -> None:
    p = chain_profile(net, "tc", "ZJ")
    assert p.segment("material").quality["output"] == "thin"
    assert p.segment("cell").quality == {
        "enterprises": "ok",
        "output": "ok",
        "share": "ok",
        "lq": "ok",
        "growth": "ok",
        "status": "ok",
    }


def test_a_region_with_no_data_says_so_instead_of_a_confident_zero(net: sa.Connection) -> None:
    p = chain_profile(net, "tc", "EMPTY")
    assert {w.code for w in p.warnings} >= {"region_no_data"}
    assert all(s.quality["output"] == "no_data" and s.output is None for s in p.segments)
    assert p.scorecard["completeness"] is None and p.scorecard["score"] is None


def test_a_chain_with_no_enterprises_warns(net: sa.Connection) -> None:
    import_rows(net, "chains", ["code", "name_zh"], [("empty", "空链")])
    import_rows(
        net,
        "segments",
        ["chain", "code", "name_zh", "position"],
        [("empty", "a", "甲", "upstream"), ("empty", "b", "乙", "downstream")],
    )
    p = chain_profile(net, "empty", "ZJ")
    assert "chain_no_enterprises" in {w.code for w in p.warnings}
    assert all(s.quality["enterprises"] == "no_data" for s in p.segments)


def test_a_cycle_in_the_segments_is_reported_not_a_crash(net: sa.Connection) -> None:
    import_rows(
        net,
        "segment_edges",
        ["chain", "supplier_segment", "buyer_segment"],
        [("tc", "recycle", "ore")],
    )
    p = chain_profile(net, "tc", "ZJ")
    cycle = next(w for w in p.warnings if w.code == "segment_cycle")
    assert "ore" in cycle.en and "recycle" in cycle.en and "循环" in cycle.zh
    assert p.segment("cell").status == "strong"  # the figures are unaffected


def test_unknown_chain_region_and_a_chain_without_segments_give_clear_errors(
    net: sa.Connection,
) -> None:
    with pytest.raises(ChainNotFound, match="tc"):
        chain_profile(net, "nope", "ZJ")
    with pytest.raises(RegionNotFound, match="ZJ"):
        chain_profile(net, "tc", "Atlantis")
    import_rows(net, "chains", ["code", "name_zh"], [("bare", "空")])
    with pytest.raises(AnalysisError, match="no segments"):
        chain_profile(net, "bare", "ZJ")


def test_the_json_shape_has_the_documented_keys(net: sa.Connection) -> None:
    d = chain_profile(net, "tc", "ZJ").to_dict()
    assert {"chain", "region", "segments", "scorecard", "warnings"} <= set(d)
    seg = d["segments"][0]
    assert {
        "id",
        "name",
        "position",
        "enterprises",
        "output",
        "lq",
        "status",
        "quality",
        "trace",
    } <= set(seg)
    assert seg["reason"]["zh"] and seg["reason"]["en"]
