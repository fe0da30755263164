"""Enterprise portraits on the hand-made store of test_policies (both backends) and a demo."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.errors import EnterpriseNotFound
from chainatlas.services.demo import build_demo
from chainatlas.services.portrait import portrait
from chainatlas.store import schema as s
from chainatlas.store.tx import tx
from tests.services.test_policies import build_store

ON = date(2025, 1, 1)


@pytest.fixture
def store(conn: sa.Connection) -> tuple[sa.Connection, dict[str, int]]:
    return conn, build_store(conn)


def test_profile_trends_and_stage_of_a_growing_firm(store: Any) -> None:
    conn, ids = store
    p = portrait(conn, ids["A"], on=ON).to_dict()
    assert p["profile"]["name"] == "甲科技"
    assert [r["code"] for r in p["profile"]["region_path"]] == ["CN", "330000", "330100", "330106"]
    assert [t["year"] for t in p["trends"]] == [2021, 2022, 2023, 2024]
    t24 = p["trends"][-1]
    assert t24["rd_intensity"] == pytest.approx(2.05e6 / 8.2e7)
    assert t24["revenue_growth"] == pytest.approx(8.2e7 / 6e7 - 1)
    lc = p["lifecycle"]
    # (8.2e7 / 4e7)^(1/3) - 1 = 27.0% a year at 8,200万 < 4亿
    assert lc["stage"] == "growth" and lc["inputs"]["growth"] == pytest.approx(2.05 ** (1 / 3) - 1)
    assert lc["inputs"]["growth_basis"] == "3-year CAGR"


def test_customers_are_counted_and_ranked_by_value(store: Any) -> None:
    conn, ids = store
    p = portrait(conn, ids["A"], on=ON)
    assert p.suppliers["count"] == 0 and p.suppliers["total_value"] is None
    c = p.customers
    assert (c["count"], c["links"], c["total_value"]) == (2, 2, pytest.approx(3.1e7))
    assert [x["name"] for x in c["top"]] == ["乙制造", "丙新创"]
    assert c["top"][0]["share_of_value"] == pytest.approx(3e7 / 3.1e7)


def test_single_source_inputs_and_sole_supplier_roles_are_risk_points(store: Any) -> None:
    conn, ids = store
    b = portrait(conn, ids["B"], on=ON)
    single = {
        (r["input"], r["counterpart"]["name"]) for r in b.risks if r["kind"] == "single_source"
    }
    assert single == {("电芯", "甲科技"), ("电池包", "丙新创")}
    a = portrait(conn, ids["A"], on=ON)
    (sole,) = [r for r in a.risks if r["kind"] == "sole_supplier"]
    assert sole["input"] == "电芯" and {x["name"] for x in sole["buyers"]} == {"乙制造", "丙新创"}


def test_tags_mark_chain_owners_and_hidden_champions_with_reasons(store: Any) -> None:
    conn, ids = store
    b = portrait(conn, ids["B"], on=ON).tags
    assert b["chain_owner"]["value"] and "tagged chain_owner" in b["chain_owner"]["reason"]
    # B buys through cell and pack links: a span of 2 segments of ev
    assert b["chain_owner"]["spans"] == {"ev": 2}
    e = portrait(conn, ids["E"], on=ON).tags
    # E: unlisted, national SRDI, R&D 6e6 / 1e8 = 6% ≥ 5%
    assert e["hidden_champion"]["value"] and "6%" in e["hidden_champion"]["reason"]
    assert not portrait(conn, ids["A"], on=ON).tags["hidden_champion"]["value"]


def test_chain_positions_policies_and_docking_are_included(store: Any) -> None:
    conn, ids = store
    b = portrait(conn, ids["B"], on=ON).to_dict()
    assert [(x["chain"], x["segment"], x["position"]) for x in b["chain_positions"]] == [
        ("ev", "car", "downstream")
    ]
    assert {q["code"] for q in b["policies"]["qualified"]} == {"P-REV", "P-ANY", "P-2023"}
    (need,) = b["docking"]["needs"]
    assert need["code"] == "N-1" and need["leads"][0]["counterpart"]["name"] == "戊精工"
    e = portrait(conn, ids["E"], on=ON).to_dict()
    (offer,) = e["docking"]["proposed_to_others"]
    assert offer["need"] == "N-1" and offer["enterprise"]["name"] == "乙制造"
    json.dumps(e, ensure_ascii=False)  # the JSON shape serialises as it is


def test_a_firm_with_no_data_gets_an_unknown_stage_and_an_unknown_name_fails(store: Any) -> None:
    conn, ids = store
    d = portrait(conn, "丁国际", on=ON)
    assert d.lifecycle["stage"] is None and d.profile["region"] is None
    with pytest.raises(EnterpriseNotFound):
        portrait(conn, "无此企业", on=ON)


def test_every_demo_enterprise_gets_a_portrait(sqlite_engine: Engine) -> None:
    build_demo(sqlite_engine, scale=120, seed=3)
    with tx(sqlite_engine) as conn:
        ids = [int(r[0]) for r in conn.execute(sa.select(s.enterprises.c.id))]
        links = conn.execute(
            sa.select(s.supply_links.c.supplier_id, s.supply_links.c.buyer_id)
        ).all()
        for eid in ids[:40]:
            p = portrait(conn, eid, on=ON)
            assert p.suppliers["links"] == sum(1 for _s, b in links if b == eid)
            assert p.customers["links"] == sum(1 for s_, _b in links if s_ == eid)
            json.dumps(p.to_dict(), ensure_ascii=False, default=str)
