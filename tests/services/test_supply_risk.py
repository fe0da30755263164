"""Risk points on the hand-made network, against hand computation and direct SQL counts."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from chainatlas.analytics.chainmap import RiskRule
from chainatlas.services.chain_context import AnalysisOptions
from chainatlas.services.supply_risk import RiskPoint, supply_risks
from tests.services.test_chain_network import LINKS, build_network, ids


@pytest.fixture
def net(conn: sa.Connection) -> sa.Connection:
    build_network(conn)
    return conn


def _point(items: list[RiskPoint], segment: str, buyer: str | None) -> RiskPoint:
    for r in items:
        if r.segment == segment and (r.buyer or {}).get("name") == buyer:
            return r
    raise AssertionError(f"no risk point {segment} / {buyer}")


def test_measures_of_each_input_match_hand_computation(net: sa.Connection) -> None:
    items = supply_risks(net, "tc", "ZJ").items
    # 杭州电芯二号 buys 高纯材料: 60 from Japan, 40 from 苏州 -> HHI .36 + .16
    two = _point(items, "material", "杭州电芯二号")
    m = two.measures
    assert (m["suppliers"], m["single_source"]) == (2, False)
    assert m["hhi"] == pytest.approx(0.52)
    assert (m["outside_share"], m["foreign_share"]) == (pytest.approx(1.0), pytest.approx(0.6))
    assert m["geo_hhi"] == pytest.approx(0.52)  # JP and 江苏
    # alternatives: 宁波材料 is local; 苏州材料 (area) already supplies
    assert m["alternatives"] == {"region": 1, "cooperation_area": 1, "country": 1}
    # 2 (concentrated) + 2 (foreign) + 1 (outside) + 1 (regions) + 2 (choke) + 1 (essential)
    assert (two.score, two.level) == (9.0, "high")
    # 杭州电芯一号's parts: 30 DE, 30 安徽, 40 local -> HHI .09 + .09 + .16
    parts = _point(items, "part", "杭州电芯一号")
    assert parts.measures["hhi"] == pytest.approx(0.34)
    assert parts.measures["foreign_share"] == pytest.approx(0.3)
    assert parts.measures["alternatives"]["country"] == 0
    assert (parts.score, parts.level) == (4.0, "medium")  # 1 + 1 + 2; parts are non-essential


def test_every_single_source_input_is_flagged_with_its_reason(net: sa.Connection) -> None:
    risks = supply_risks(net, "tc", "ZJ")
    names = {v: k for k, v in ids(net).items()}
    local = {"杭州电芯一号", "杭州电芯二号", "宁波电芯", "杭州电池包", "宁波材料", "杭州零件"}
    # independent count straight from the links table: local buyer, segment, product with
    # exactly one supplier
    rows = net.execute(
        sa.text(
            "select l.buyer_id, s.code, l.product from supply_links l join segments s "
            "on s.id = l.segment_id group by l.buyer_id, s.code, l.product having count(*) = 1"
        )
    ).all()
    expected = {(names[b], seg, prod) for b, seg, prod in rows if names[b] in local}
    flagged = {
        (r.buyer["name"], r.segment, r.product)
        for r in risks.items
        if r.buyer and r.measures["single_source"]
    }
    assert flagged == expected
    assert len(expected) == 3
    for r in risks.items:
        if r.measures["single_source"]:
            assert "single_source" in [x.code for x in r.reasons]
            assert r.level in {"high", "medium"}


def test_every_segment_without_local_supply_is_flagged(net: sa.Connection) -> None:
    risks = supply_risks(net, "tc", "ZJ")
    seg_points = [r for r in risks.items if r.scope == "segment"]
    # ore has no local firm and feeds local material makers; recycle feeds nothing
    assert [r.segment for r in seg_points] == ["ore"]
    ore = seg_points[0]
    assert [x.code for x in ore.reasons][0] == "no_local_supply"
    assert ore.measures["outside_share"] == 1.0
    assert ore.level == "high"
    assert risks.summary["no_local_supply"] == 1


def test_a_single_foreign_source_of_a_choke_point_is_high_with_reasons(
    net: sa.Connection,
) -> None:
    one = _point(supply_risks(net, "tc", "ZJ").items, "material", "杭州电芯一号")
    codes = [x.code for x in one.reasons]
    assert codes == [
        "single_source",
        "foreign_dependent",
        "outside_dependent",
        "choke_point",
        "essential_input",
    ]
    assert (one.score, one.level) == (9.0, "high")
    assert all(x.zh and x.en for x in one.reasons)
    assert "100%" in one.reasons[1].en


def test_countermeasures_rank_alternatives_and_propose_rnd(net: sa.Connection) -> None:
    one = _point(supply_risks(net, "tc", "ZJ").items, "material", "杭州电芯一号")
    kinds = [c.kind for c in one.countermeasures]
    assert kinds == ["alternative_suppliers", "diversify", "localise", "joint_rnd"]
    alts = one.countermeasures[0].targets
    # local first, then the cooperation area
    assert [(t["name"], t["tier"], t["rank"]) for t in alts] == [
        ("宁波材料", "region", 1),
        ("苏州材料", "cooperation_area", 2),
    ]
    ore = next(r for r in supply_risks(net, "tc", "ZJ").items if r.scope == "segment")
    attract = next(c for c in ore.countermeasures if c.kind == "attract_investment")
    assert [t["name"] for t in attract.targets] == ["安徽矿业"]


def test_every_figure_traces_to_links_and_enterprises(net: sa.Connection) -> None:
    names = ids(net)
    link_ids = {
        (a, b, p): i
        for a, b, p, i in net.execute(
            sa.text(
                "select s.name, b.name, l.product, l.id from supply_links l join enterprises s "
                "on s.id = l.supplier_id join enterprises b on b.id = l.buyer_id"
            )
        ).all()
    }
    two = _point(supply_risks(net, "tc", "ZJ").items, "material", "杭州电芯二号")
    assert two.trace["link_ids"] == sorted(
        [
            link_ids[("Japan Materials", "杭州电芯二号", "高纯材料")],
            link_ids[("苏州材料", "杭州电芯二号", "高纯材料")],
        ]
    )
    assert two.trace["supplier_ids"] == sorted([names["Japan Materials"], names["苏州材料"]])


def test_exposure_counts_downstream_local_output(net: sa.Connection) -> None:
    items = supply_risks(net, "tc", "ZJ").items
    # 杭州电芯一号 (1000) supplies half of 杭州电池包's inputs (2000): 1000 + 0.5 * 2000
    assert _point(items, "material", "杭州电芯一号").measures["exposure"] == pytest.approx(2000)
    # 宁波材料 (100) -> 宁波电芯 (300, all its material) -> 20 % of 杭州电池包
    assert _point(items, "ore", "宁波材料").measures["exposure"] == pytest.approx(
        100 + 300 + 0.2 * 2000
    )


def test_the_rule_is_configurable(net: sa.Connection) -> None:
    strict = AnalysisOptions(rule=RiskRule(high_at=20.0, medium_at=10.0))
    risks = supply_risks(net, "tc", "ZJ", strict)
    assert risks.summary["high"] == 0
    assert risks.rule["high_at"] == 20.0


def test_without_values_shares_fall_back_to_counts_and_say_so(conn: sa.Connection) -> None:
    build_network(conn, links=[(a, b, p, s, None) for a, b, p, s, _v in LINKS])
    two = _point(supply_risks(conn, "tc", "ZJ").items, "material", "杭州电芯二号")
    assert two.measures["hhi"] == pytest.approx(0.5)
    assert two.quality["hhi"] == "count_basis"


def test_links_outside_their_validity_do_not_count(net: sa.Connection) -> None:
    net.execute(
        sa.text("update supply_links set valid_to = :d where product = '电机零件'"),
        {"d": date(2020, 1, 1)},
    )
    risks = supply_risks(net, "tc", "ZJ", AnalysisOptions(as_of=date(2024, 1, 1)))
    assert not [r for r in risks.items if r.segment == "part"]
    assert [r for r in supply_risks(net, "tc", "ZJ").items if r.segment == "part"]


def test_limit_lists_the_top_points_but_counts_all(net: sa.Connection) -> None:
    risks = supply_risks(net, "tc", "ZJ", limit=2)
    assert len(risks.items) == 2 and risks.summary["points"] == 7
    assert [r.level for r in risks.items] == ["high", "high"]
    assert risks.items[0].score >= risks.items[1].score


def test_traces_stay_aligned_when_a_supplier_has_several_links_in_a_segment(
    conn: sa.Connection,
) -> None:
    # 苏州矿业 sells two products of the ore segment to 宁波材料: two links, one supplier of
    # the segment-level point "ore has no local supply"
    build_network(conn, links=[*LINKS, ("苏州矿业", "宁波材料", "精矿", "ore", 30)])
    names = ids(conn)
    ore_links = sorted(
        int(r[0])
        for r in conn.execute(
            sa.text("select id from supply_links where supplier_id = :s"),
            {"s": names["苏州矿业"]},
        )
    )
    risks = supply_risks(conn, "tc", "ZJ")
    ore = next(r for r in risks.items if r.scope == "segment" and r.segment == "ore")
    assert ore.trace["link_ids"] == ore_links and len(ore_links) == 2
    assert ore.trace["supplier_ids"] == [names["苏州矿业"]]
    assert ore.measures["suppliers"] == 1
    # every point's links are its own: its buyer's, in its segment, of its product
    link_rows = {
        int(r[0]): (int(r[1]), str(r[2]), str(r[3]))
        for r in conn.execute(
            sa.text(
                "select l.id, l.buyer_id, s.code, l.product from supply_links l "
                "join segments s on s.id = l.segment_id"
            )
        )
    }
    for r in risks.items:
        rows = [link_rows[i] for i in r.trace["link_ids"]]
        assert {seg for _b, seg, _p in rows} == {r.segment}
        if r.scope == "input":
            assert r.buyer is not None
            assert {(b, p) for b, _s, p in rows} == {(r.buyer["id"], r.product)}
            assert len(rows) == r.measures["suppliers"]


def test_points_beyond_the_listed_ones_are_made_on_demand(net: sa.Connection) -> None:
    everything = supply_risks(net, "tc", "ZJ")
    few = supply_risks(net, "tc", "ZJ", limit=2)
    assert len(few.items) == 2 and len(everything.items) == 7
    made = few.select(net, [6, 3, 0])
    assert [p.to_dict() for p in made] == [everything.items[i].to_dict() for i in (6, 3, 0)]
    assert [p.to_dict() for p in few.select(net)] == [p.to_dict() for p in everything.items]
    assert [p.to_dict() for p in few.select(net, offset=5, limit=5)] == [
        p.to_dict() for p in everything.items[5:]
    ]


def test_positions_filter_by_level_segment_buyer_and_scope(net: sa.Connection) -> None:
    risks = supply_risks(net, "tc", "ZJ")
    names = ids(net)
    items = risks.items
    for level in ("high", "medium", "low"):
        pos = risks.positions(level=level).tolist()
        assert pos == [i for i, r in enumerate(items) if r.level == level]
    assert risks.positions(segment="material").tolist() == [
        i for i, r in enumerate(items) if r.segment == "material"
    ]
    assert risks.positions(segment="no-such-segment").tolist() == []
    buyer = names["杭州电芯一号"]
    assert risks.positions(buyer=buyer).tolist() == [
        i for i, r in enumerate(items) if r.buyer and r.buyer["id"] == buyer
    ]
    assert risks.positions(scope="segment").tolist() == [
        i for i, r in enumerate(items) if r.scope == "segment"
    ]
