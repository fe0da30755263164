"""The chain report: JSON shape, graph, lists, XLSX, and the demo database."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.services.chain_report import chain_report, chain_reports
from chainatlas.services.demo import build_demo
from chainatlas.store.tx import tx
from tests.services.test_chain_network import build_network


@pytest.fixture
def net(conn: sa.Connection) -> sa.Connection:
    build_network(conn)
    return conn


def test_report_json_has_the_required_shape(net: sa.Connection) -> None:
    d = chain_report(net, "tc", "ZJ").to_dict()
    assert d["chain"]["code"] == "tc" and d["region"]["code"] == "ZJ"
    for seg in d["segments"]:
        assert {"id", "name", "position", "enterprises", "output", "lq", "status"} <= set(seg)
    for r in d["risks"]:
        assert {
            "segment",
            "product",
            "buyer",
            "level",
            "reasons",
            "measures",
            "countermeasures",
        } <= set(r)
        assert {"suppliers", "hhi", "outside_share", "foreign_share"} <= set(r["measures"])
        assert all({"code", "zh", "en"} == set(x) for x in r["reasons"])
    assert {"graph", "key_enterprises", "gaps", "countermeasures", "scorecard"} <= set(d)


def test_graph_nodes_carry_status_and_worst_risk_and_edges_local_flows(
    net: sa.Connection,
) -> None:
    g = chain_report(net, "tc", "ZJ").graph
    nodes = {n["id"]: n for n in g["nodes"]}
    assert nodes["cell"]["status"] == "strong" and nodes["cell"]["risk"] == "medium"
    assert nodes["material"]["risk"] == "high" and nodes["recycle"]["risk"] == "none"
    assert nodes["ore"]["order"] < nodes["material"]["order"] < nodes["cell"]["order"]
    edges = {(e["source"], e["target"]): e for e in g["edges"]}
    # local to local: 杭州电芯一号/二号/宁波电芯 -> 杭州电池包 = 500 + 300 + 200
    assert edges[("cell", "pack")]["local_value"] == pytest.approx(1000.0)
    assert edges[("material", "cell")]["input_class"] == "essential"
    assert g["cycle"] is None


def test_gap_list_key_enterprises_and_countermeasures(net: sa.Connection) -> None:
    rep = chain_report(net, "tc", "ZJ")
    assert [(g["segment"], g["status"]) for g in rep.gaps] == [
        ("ore", "missing"),
        ("recycle", "missing"),
        ("material", "weak"),
        ("part", "weak"),
    ]
    assert "安徽矿业" in rep.gaps[0]["en"]
    roles = {k["name"]: k["role"] for k in rep.key_enterprises}
    assert roles["杭州电芯一号"] == "chain_owner+leader" and roles["宁波材料"] == "leader"
    top = rep.countermeasures[0]
    assert top["rank"] == 1 and top["level"] == "high" and top["risk_points"] >= 1
    assert [c["rank"] for c in rep.countermeasures] == list(range(1, len(rep.countermeasures) + 1))


def test_xlsx_has_one_sheet_per_list(net: sa.Connection, tmp_path: Path) -> None:
    path = chain_report(net, "tc", "ZJ").write_xlsx(tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames == [
        "overview 概览",
        "graph nodes 图谱节点",
        "graph edges 图谱连线",
        "segments 环节",
        "key enterprises 重点企业",
        "gaps 缺链",
        "risks 风险点",
        "countermeasures 对策",
    ]
    rows = list(wb["risks 风险点"].iter_rows(values_only=True))
    assert rows[0][:3] == ("risk", "level", "score") and len(rows) == 1 + 7


def test_chain_reports_reads_once_and_gives_the_same_figures(fresh_engine: Engine) -> None:
    with tx(fresh_engine) as conn:
        build_network(conn)
    with fresh_engine.connect() as conn:
        one = chain_report(conn, "tc", "ZJ", limit=100).to_dict()
        many = [r.to_dict() for r in chain_reports(conn, region="ZJ")]
    assert len(many) == 1
    assert many[0]["segments"] == one["segments"]
    assert many[0]["risks"] == one["risks"]


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    from chainatlas.store.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    build_demo(engine, scale=1500)
    return engine


def test_chain_reports_in_threads_equal_one_at_a_time(demo_engine: Engine) -> None:
    with demo_engine.connect() as conn:
        serial = [r.to_dict() for r in chain_reports(conn, region="330000", workers=1)]
        threaded = [r.to_dict() for r in chain_reports(conn, region="330000", workers=3)]
    assert len(serial) == 8
    assert [r["chain"]["code"] for r in threaded] == [r["chain"]["code"] for r in serial]
    assert threaded == serial


def test_demo_report_flags_every_single_source_input(demo_engine: Engine) -> None:
    with demo_engine.connect() as conn:
        rep = chain_report(conn, "nev", "330000")
        local = {
            int(r[0])
            for r in conn.execute(
                sa.text(
                    "select e.id from enterprises e join regions r on r.id = e.region_id "
                    "where r.code like '33%'"
                )
            )
        }
        rows = conn.execute(
            sa.text(
                "select l.buyer_id, s.code, l.product from supply_links l join segments s on "
                "s.id = l.segment_id join chains c on c.id = s.chain_id where c.code = 'nev' "
                "group by l.buyer_id, s.code, l.product having count(*) = 1"
            )
        ).all()
    expected = {(b, seg, p) for b, seg, p in rows if b in local}
    flagged = {
        (r.buyer["id"], r.segment, r.product)
        for r in rep.risk.items
        if r.buyer and r.measures["single_source"]
    }
    assert expected and flagged == expected
    assert rep.risk.summary["single_source"] == len(expected)
    missing = [s.id for s in rep.profile.segments if s.status == "missing"]
    seg_points = {r.segment for r in rep.risk.items if r.scope == "segment"}
    fed = {
        e["source"]
        for e in rep.graph["edges"]
        if e["input_class"] != "irrelevant"
        and next(n for n in rep.graph["nodes"] if n["id"] == e["target"])["status"] != "missing"
    }
    assert {m for m in missing if m in fed} <= seg_points
    assert rep.profile.scorecard["chain_owners"] >= 1


def test_gaps_and_countermeasures_cover_every_point_whatever_the_limit(
    demo_engine: Engine,
) -> None:
    with demo_engine.connect() as conn:
        full = chain_report(conn, "nev", "330000")
        few = chain_report(conn, "nev", "330000", limit=3)
    assert len(few.risk.items) == 3 and len(full.risk.items) == full.risk.summary["points"]
    assert few.gaps == full.gaps
    assert few.countermeasures == full.countermeasures
    # each merged countermeasure counts the points that carry it, worst level first
    carried = Counter((c.kind, c.segment) for r in full.risk.items for c in r.countermeasures)
    merged = {(c["kind"], c["segment"]): c["risk_points"] for c in full.countermeasures}
    assert merged == dict(carried)
    for c in full.countermeasures:
        mine = [r for r in full.risk.items if any(x.kind == c["kind"] for x in r.countermeasures)]
        mine = [r for r in mine if r.segment == c["segment"]]
        assert c["risk_ids"] == [r.id for r in mine[:50]]
        assert c["level"] == mine[0].level
