"""Chains from the A-share knowledge graph, checked against counts from the raw files."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from chainatlas.analytics.chainmap import find_cycle
from chainatlas.services.chain_report import chain_report
from chainatlas.services.kg_chains import (
    KgGraph,
    KgOptions,
    build_kg_chains,
    family_chain,
    load_ashare,
    province_gaps,
)
from chainatlas.store.engine import make_engine
from chainatlas.store.migrate import upgrade
from chainatlas.store.tx import tx
from tests.conftest import shared_data

FAMILIES = ("280000", "270000")  # 汽车, 电子


def _graph(ups: dict[str, dict[str, float]], level3: list[str]) -> KgGraph:
    names = {c: f"行业{c}" for c in level3} | {"110000": "甲", "220000": "乙"}
    return KgGraph(names, level3, ups, {}, Counter(), {}, {})


def test_cycles_in_upstream_relations_are_broken_deterministically_and_reported() -> None:
    # ups[buyer][supplier]: 110101 -> 110102 (5) and back (3); 110102 -> 110103 (4) and
    # back (2). The heavier edge of each pair is kept.
    ups = {
        "110102": {"110101": 5.0, "110103": 2.0},
        "110101": {"110102": 3.0},
        "110103": {"110102": 4.0},
    }
    g = _graph(ups, ["110101", "110102", "110103"])
    chain, dropped = family_chain(g, "110000", KgOptions(min_weight=1))
    assert chain is not None
    edges = [(e.supplier, e.buyer) for e in chain.edges]
    assert find_cycle([s.code for s in chain.segments], edges) is None
    assert sorted(dropped) == [("110102", "110101", 3.0), ("110103", "110102", 2.0)]
    assert edges == [("sw110101", "sw110102"), ("sw110102", "sw110103")]
    assert family_chain(g, "110000", KgOptions(min_weight=1)) == (chain, dropped)


def test_a_family_without_level_three_industries_has_no_chain() -> None:
    assert family_chain(_graph({}, ["110101"]), "220000") == (None, [])


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def kg_db(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    kg = shared_data("chain_kg_ashare")
    stock = shared_data("ashare_stock_basic", "stock_basic.csv")
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('kg') / 'kg.db'}")
    upgrade(engine)
    with tx(engine) as conn:
        load_ashare(conn, kg, stock)
        build = build_kg_chains(conn, kg, KgOptions(families=FAMILIES))
    with stock.open(encoding="utf-8") as fh:
        area = {r["symbol"]: r["area"] for r in csv.DictReader(fh)}
    industry: dict[str, str] = {}
    for r in _jsonl(kg / "company_industry.json"):
        industry.setdefault(r["company_code"].split(".")[0], r["industry_code"])
    return {"engine": engine, "build": build, "kg": kg, "area": area, "industry": industry}


def _raw_count(kg_db: dict[str, Any], industry: str, areas: set[str]) -> int:
    return sum(
        1
        for code, ind in kg_db["industry"].items()
        if ind == industry and kg_db["area"].get(code) in areas
    )


def test_chains_are_built_per_family_with_acyclic_weighted_edges(kg_db: dict[str, Any]) -> None:
    build = kg_db["build"]
    assert build.chains == ["sw280000", "sw270000"]
    ups = {r["industry"]: r["ups"] for r in _jsonl(kg_db["kg"] / "industry_up.json")}
    names = {r["code"]: r["name"] for r in _jsonl(kg_db["kg"] / "industry.json")}
    engine: Engine = kg_db["engine"]
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "select c.code, s.code, b.code, e.note from segment_edges e "
                "join chains c on c.id = e.chain_id "
                "join segments s on s.id = e.supplier_segment_id "
                "join segments b on b.id = e.buyer_segment_id"
            )
        ).all()
    assert rows
    for chain, sup, buy, note in rows:
        up_w = ups.get(names[buy[2:]], {}).get(names[sup[2:]], 0)
        prod = float(note.split("product links ")[1])
        assert up_w >= 2 or prod >= 2, (chain, sup, buy, note)  # the documented rule
    family_segments = {s for c, s, _b, _n in rows if c == "sw280000" and s.startswith("sw28")}
    assert family_segments  # family industries also supply each other


def test_segment_firm_counts_per_province_match_the_raw_files(kg_db: dict[str, Any]) -> None:
    engine: Engine = kg_db["engine"]
    with engine.connect() as conn:
        zj = chain_report(conn, "sw280000", "浙江")
        gd = chain_report(conn, "sw280000", "440000")
    # 底盘与发动机系统 (280203) in 浙江, counted from company_industry.json + stock_basic.csv
    assert zj.profile.segment("sw280203").enterprises == _raw_count(kg_db, "280203", {"浙江"})
    assert zj.profile.segment("sw280203").enterprises > 0
    # 广东 includes 深圳, which stock_basic reports separately
    assert gd.profile.segment("sw280203").enterprises == _raw_count(
        kg_db, "280203", {"广东", "深圳"}
    )
    for seg in zj.profile.segments:
        assert seg.enterprises == _raw_count(kg_db, seg.id[2:], {"浙江"}), seg.id
        assert (seg.status == "missing") == (seg.enterprises == 0)
    assert zj.profile.basis == "count"  # listed-firm data has no output values


def test_every_missing_segment_feeding_the_province_is_a_risk_point(
    kg_db: dict[str, Any],
) -> None:
    engine: Engine = kg_db["engine"]
    with engine.connect() as conn:
        rep = chain_report(conn, "sw280000", "浙江")
    present = {s.id for s in rep.profile.segments if s.status != "missing"}
    feeding = {e["source"] for e in rep.graph["edges"] if e["target"] in present}
    missing_feeding = {
        s.id for s in rep.profile.segments if s.status == "missing" and s.id in feeding
    }
    points = {r.segment for r in rep.risk.items if r.scope == "segment"}
    assert points == missing_feeding
    for r in rep.risk.items:
        assert r.reasons[0].code == "no_local_supply"


def test_province_gaps_cover_every_province(kg_db: dict[str, Any]) -> None:
    engine: Engine = kg_db["engine"]
    with engine.connect() as conn:
        gaps = province_gaps(conn, "sw280000")
    by = {g["region"]: g for g in gaps}
    with engine.connect() as conn:
        provinces = conn.execute(
            sa.text("select count(*) from regions where level = 'province'")
        ).scalar_one()
    assert len(by) == provinces
    segs = set(by["330000"]["missing_segments"])
    zj_total = sum(
        1
        for code, ind in kg_db["industry"].items()
        if kg_db["area"].get(code) == "浙江" and f"sw{ind}" in _chain_segments(engine, "sw280000")
    )
    assert by["330000"]["local_enterprises"] == zj_total
    assert all(_raw_count(kg_db, s[2:], {"浙江"}) == 0 for s in segs)
    completeness = [g["completeness"] for g in gaps if g["completeness"] is not None]
    assert completeness == sorted(completeness, reverse=True)
    # provinces without any listed firm (e.g. 香港) say "no data", not 0 % complete
    empty = [g for g in gaps if g["completeness"] is None]
    assert empty and all(g["local_enterprises"] == 0 for g in empty)


def _chain_segments(engine: Engine, chain: str) -> set[str]:
    with engine.connect() as conn:
        return {
            r[0]
            for r in conn.execute(
                sa.text(
                    "select s.code from segments s join chains c on c.id = s.chain_id "
                    "where c.code = :c"
                ),
                {"c": chain},
            )
        }


def test_rebuilding_changes_nothing(kg_db: dict[str, Any]) -> None:
    engine: Engine = kg_db["engine"]
    with engine.connect() as conn:
        before = conn.execute(sa.text("select count(*) from enterprise_segments")).scalar_one()
    with tx(engine) as conn:
        again = build_kg_chains(conn, kg_db["kg"], KgOptions(families=FAMILIES))
    assert again.memberships == before


def test_the_cli_report_works_on_the_real_data(kg_db: dict[str, Any]) -> None:
    import chainatlas.cli.report  # noqa: F401
    from chainatlas.cli import app

    db = str(kg_db["engine"].url.database)
    res = CliRunner().invoke(app, ["report", "sw280000", "--region", "浙江", "--db", db])
    assert res.exit_code == 0, res.output
    assert "汽车产业链" in res.output and "basis count" in res.output
