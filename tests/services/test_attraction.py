"""Attraction targets on the hand-made network (both backends) and on the demo database.

Hand-made network (tests/services/test_chain_network.py), region 浙江 (ZJ), chain ``tc``:
ore and recycle are missing, material and part weak (test_chain_profile.py). Two extra ore
miners in 安徽 are equal in every figure but one: 乙矿业 already sells ore to 宁波材料.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.errors import AnalysisError, InvalidData, RegionNotFound
from chainatlas.services.attraction import attraction_targets
from chainatlas.services.demo import build_demo
from chainatlas.store.engine import make_engine
from chainatlas.store.tx import tx
from tests.services.test_chain_network import build_network, ids, import_rows

TWINS = [("甲矿业", "AH"), ("乙矿业", "AH")]


@pytest.fixture
def net(conn: sa.Connection) -> sa.Connection:
    build_network(conn)
    import_rows(conn, "enterprises", ["name", "region"], TWINS)
    import_rows(
        conn,
        "enterprise_years",
        ["enterprise", "year", "output_value"],
        [(n, y, v) for n, _r in TWINS for y, v in ((2023, 70), (2022, 60))],
    )
    import_rows(
        conn,
        "enterprise_segments",
        ["enterprise", "chain", "segment"],
        [(n, "tc", "ore") for n, _r in TWINS],
    )
    import_rows(
        conn,
        "supply_links",
        ["supplier", "buyer", "product", "chain", "segment", "annual_value"],
        [("乙矿业", "宁波材料", "矿石", "tc", "ore", 5)],
    )
    return conn


def test_targets_cover_the_weak_and_missing_segments(net: sa.Connection) -> None:
    rep = attraction_targets(net, "tc", "ZJ")
    got = {s.segment: s.status for s in rep.segments}
    assert got == {"ore": "missing", "material": "weak", "part": "weak", "recycle": "missing"}


def test_targets_are_outside_the_region_and_work_in_the_segment(net: sa.Connection) -> None:
    rep = attraction_targets(net, "tc", "ZJ")
    names = ids(net)
    members = {
        (e, s)
        for e, s in net.execute(
            sa.text(
                "select es.enterprise_id, s.code from enterprise_segments es "
                "join segments s on s.id = es.segment_id"
            )
        )
    }
    zj = {
        names[n]
        for n in (
            "杭州电芯一号",
            "杭州电芯二号",
            "宁波电芯",
            "杭州电池包",
            "宁波材料",
            "杭州零件",
            "浙江其他",
        )
    }
    for seg in rep.segments:
        for t in seg.targets:
            assert t.id not in zj
            assert (t.id, seg.segment) in members
    ore = {t.name for t in next(s for s in rep.segments if s.segment == "ore").targets}
    assert ore == {"苏州矿业", "安徽矿业", "甲矿业", "乙矿业"}
    part = {t.name: t.tier for t in next(s for s in rep.segments if s.segment == "part").targets}
    assert part == {"安徽零件": "country", "Deutsche Teile": "abroad"}


def test_an_existing_tie_ranks_the_otherwise_equal_twin_first(net: sa.Connection) -> None:
    ore = attraction_targets(net, "tc", "ZJ", segment="ore").segments[0]
    order = [t.name for t in ore.targets]
    assert order.index("乙矿业") < order.index("甲矿业")
    yi = next(t for t in ore.targets if t.name == "乙矿业")
    jia = next(t for t in ore.targets if t.name == "甲矿业")
    assert (yi.measures["sells_to"], jia.measures["sells_to"]) == (1, 0)
    assert yi.measures["tie_value"] == 5.0
    assert yi.components["ties"] == 0.5 and jia.components["ties"] == 0.0
    assert {k: v for k, v in yi.components.items() if k != "ties"} == {
        k: v for k, v in jia.components.items() if k != "ties"
    }
    assert "existing_ties" in [r.code for r in yi.reasons]
    assert "existing_ties" not in [r.code for r in jia.reasons]
    # 苏州矿业 (output 300, sells to 宁波材料) leads the ore list
    assert ore.targets[0].name == "苏州矿业"
    assert ore.targets[0].measures["growth"] is None  # no 2022 output


def test_top_limits_the_list_but_counts_every_candidate(net: sa.Connection) -> None:
    ore = attraction_targets(net, "tc", "ZJ", segment="ore", top=2).segments[0]
    assert ore.candidates == 4 and [t.rank for t in ore.targets] == [1, 2]


def test_bad_input_gives_clear_errors(net: sa.Connection) -> None:
    with pytest.raises(RegionNotFound, match="Atlantis"):
        attraction_targets(net, "tc", "Atlantis")
    with pytest.raises(AnalysisError, match="no enterprises"):
        attraction_targets(net, "tc", "EMPTY")
    with pytest.raises(InvalidData, match="no segment 'wheels'"):
        attraction_targets(net, "tc", "ZJ", segment="wheels")
    with pytest.raises(InvalidData, match="top"):
        attraction_targets(net, "tc", "ZJ", top=0)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    build_demo(engine, scale=600, seed=11)
    return engine


def _zhejiang(conn: sa.Connection) -> set[int]:
    """Ids of every region under 浙江 (330000), walked from the parent column."""
    rows = conn.execute(sa.text("select id, parent_id, code from regions")).all()
    parent = {r[0]: r[1] for r in rows}
    root = next(r[0] for r in rows if r[2] == "330000")
    out = set()
    for rid in parent:
        x: Any = rid
        while x is not None:
            if x == root:
                out.add(rid)
                break
            x = parent[x]
    return out


def test_demo_targets_are_outside_zhejiang_and_in_the_segment(demo: Engine, tmp_path: Path) -> None:
    with tx(demo) as conn:
        rep = attraction_targets(conn, None, "330000", top=5)
        zj = _zhejiang(conn)
        where = dict(conn.execute(sa.text("select id, region_id from enterprises")).all())
        park = dict(conn.execute(sa.text("select id, park_id from enterprises")).all())
        members = set(
            conn.execute(
                sa.text(
                    "select es.enterprise_id, c.code, s.code from enterprise_segments es "
                    "join segments s on s.id = es.segment_id join chains c on c.id = s.chain_id"
                )
            ).all()
        )
    assert {s.chain for s in rep.segments} == {
        "artificial_intelligence",
        "biomedicine",
        "industrial_robot",
        "integrated_circuit",
        "lithium_battery",
        "nev",
        "new_display",
        "photovoltaic",
    }
    assert all(s.status in {"weak", "missing"} for s in rep.segments)
    listed = [(s, t) for s in rep.segments for t in s.targets]
    assert listed
    for s, t in listed:
        assert where[t.id] not in zj and park[t.id] not in zj
        assert (t.id, s.chain, s.segment) in members
        assert t.reasons[0].code == "makes_products" and t.reasons[-1].code in {
            "not_present",
            "already_present",
        }
        assert 0 <= t.score <= 100
    out = rep.write_xlsx(tmp_path / "targets.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["targets 招商目标", "segments 环节", "rules 规则"]
    head = [c.value for c in wb["targets 招商目标"][1]]
    first = dict(zip(head, [c.value for c in wb["targets 招商目标"][2]], strict=True))
    assert first["enterprise"] == listed[0][1].name and first["score"] == listed[0][1].score
