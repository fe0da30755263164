"""Growth opportunities on the real A-share data (provinces × Shenwan industries) and the demo.

Independent facts come from the raw files: ``stock_basic.csv`` gives each listed firm's
province (``area``), ``company_industry.json`` its Shenwan level-3 industry (first row per
firm); firms whose industry is missing from ``industry.json`` are not imported, so they are
left out here too.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.analytics.chainbuild import OpportunityWeights
from chainatlas.errors import AnalysisError, InvalidData, RegionNotFound
from chainatlas.services.demo import build_demo
from chainatlas.services.kg_chains import KgOptions, build_kg_chains, load_ashare
from chainatlas.services.opportunities import growth_opportunities
from chainatlas.store.engine import make_engine
from chainatlas.store.migrate import upgrade
from chainatlas.store.tx import tx
from tests.conftest import shared_data
from tests.services.test_chain_network import build_network

# stock_basic reports 深圳 apart from 广东 and abbreviates 内蒙古
_AREA = {"深圳": "广东", "内蒙": "内蒙古"}


def raw_pairs() -> list[tuple[str, str]]:
    """Return (province, Shenwan industry) of every listed firm, from the raw files."""
    kg = shared_data("chain_kg_ashare")
    stock = shared_data("ashare_stock_basic", "stock_basic.csv")
    with stock.open(encoding="utf-8") as fh:
        area = {r["symbol"]: r["area"] for r in csv.DictReader(fh)}
    with (kg / "industry.json").open(encoding="utf-8") as fh:
        known = {json.loads(line)["code"] for line in fh if line.strip()}
    industry: dict[str, str] = {}
    with (kg / "company_industry.json").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                r = json.loads(line)
                industry.setdefault(r["company_code"].split(".")[0], r["industry_code"])
    return [
        (_AREA.get(area[c], area[c]), i) for c, i in industry.items() if area.get(c) and i in known
    ]


@pytest.fixture(scope="module")
def ashare(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    kg = shared_data("chain_kg_ashare")
    stock = shared_data("ashare_stock_basic", "stock_basic.csv")
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('ashare') / 'a.db'}")
    upgrade(engine)
    with tx(engine) as conn:
        load_ashare(conn, kg, stock)
        build_kg_chains(conn, kg, KgOptions(families=("280000",)))
    return {"engine": engine, "pairs": raw_pairs()}


def _rca(pairs: list[tuple[str, str]], area: str, industry: str) -> float:
    n = Counter(pairs)
    by_area = Counter(a for a, _ in pairs)
    by_ind = Counter(i for _, i in pairs)
    return (n[(area, industry)] / by_area[area]) / (by_ind[industry] / len(pairs))


def test_opportunities_are_the_industries_zhejiang_lacks(ashare: dict[str, Any]) -> None:
    engine: Engine = ashare["engine"]
    pairs = ashare["pairs"]
    industries = {i for _, i in pairs}
    lacking = {i for i in industries if _rca(pairs, "浙江", i) < 1}
    absent = sorted(i for i in industries if ("浙江", i) not in set(pairs))
    with engine.connect() as conn:
        rep = growth_opportunities(conn, "浙江", top=None)
    codes = {it["code"] for it in rep.items}
    assert rep.scheme == "shenwan" and rep.basis == "count"
    assert codes == lacking
    assert absent and absent[0] in codes  # an industry with no listed firm in 浙江
    # 厨房电器 (330401): 5 of 浙江's 525 classified firms, 6 of 4,079 nationally: RCA 6.47
    assert _rca(pairs, "浙江", "330401") == pytest.approx(6.4746, abs=1e-4)
    assert "330401" not in codes
    seed = next(it for it in rep.items if it["measures"]["local"] > 0)
    assert seed["measures"]["rca"] == pytest.approx(_rca(pairs, "浙江", seed["code"]))
    assert seed["measures"]["local"] == Counter(pairs)[("浙江", seed["code"])]
    assert rep.matrix["locations"] == len({a for a, _ in pairs})
    assert {r["code"] for r in rep.items[0]["reasons"]} >= {"feasible", "complex", "market"}


def test_strategy_weights_change_the_order(ashare: dict[str, Any]) -> None:
    engine: Engine = ashare["engine"]
    with engine.connect() as conn:
        dens = growth_opportunities(conn, "330000", weights=OpportunityWeights(feasibility=1.0))
        amb = growth_opportunities(conn, "330000", strategy="ambitious", top=None)
    d = [it["measures"]["density"] for it in dens.items]
    assert d == sorted(d, reverse=True)
    assert dens.strategy == "custom" and amb.strategy == "ambitious"
    scores = [it["score"] for it in amb.items]
    assert scores == sorted(scores, reverse=True)
    scatter = amb.to_dict()["scatter"]
    assert len(scatter["points"]) == amb.candidates
    assert scatter["points"][0]["feasibility"] == amb.items[0]["measures"]["density"]


def test_bad_input_gives_clear_errors(ashare: dict[str, Any], conn: sa.Connection) -> None:
    engine: Engine = ashare["engine"]
    with engine.connect() as c:
        with pytest.raises(RegionNotFound):
            growth_opportunities(c, "Atlantis")
        with pytest.raises(InvalidData, match="strategy"):
            growth_opportunities(c, "浙江", strategy="bold")
        empty = c.execute(
            sa.text(
                "select r.code from regions r where r.level = 'province' and not exists "
                "(select 1 from enterprises e where e.region_id = r.id)"
            )
        ).scalar()
        assert empty is not None
        with pytest.raises(AnalysisError, match="no enterprises"):
            growth_opportunities(c, empty)
    # the hand-made network has no industries at all
    build_network(conn)
    with pytest.raises(AnalysisError, match="no enterprise has an industry"):
        growth_opportunities(conn, "ZJ")
    # the whole country is a single location: nothing to compare it with
    with pytest.raises(AnalysisError, match="only CN"):
        growth_opportunities(conn, "CN", by="segment")
    # by segment, ZJ is compared with JS and AH: it lacks ore and recycling
    by_seg = growth_opportunities(conn, "ZJ", by="segment", top=None)
    assert {"tc/ore", "tc/recycle"} <= {it["code"] for it in by_seg.items}
    assert by_seg.matrix["locations"] == 3


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    build_demo(engine, scale=600, seed=11)
    return engine


def test_demo_segment_opportunities_skip_segments_the_region_has(
    demo: Engine, tmp_path: Path
) -> None:
    with tx(demo) as conn:
        rep = growth_opportunities(conn, "330000", by="segment", top=None)
    assert rep.basis == "output" and rep.by == "segment"
    assert rep.items and all(it["measures"]["rca"] < 1 for it in rep.items)
    assert rep.candidates + rep.matrix["region_has"] == rep.matrix["columns"]
    import openpyxl

    wb = openpyxl.load_workbook(rep.write_xlsx(tmp_path / "o.xlsx"))
    ws = wb["opportunities 延链机会"]
    assert len(ws._charts) == 1
    assert ws.cell(2, 2).value == rep.items[0]["code"]
