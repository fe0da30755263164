"""Disruption scenarios and ESRI rankings on the hand-made network and on a small demo.

The hand-made network is the one of tests/services/test_chain_network.py. Its chain
``tc`` has the segment edges ore -> material (essential), material -> cell (essential),
part -> cell (non-essential), cell -> pack (essential) and pack -> recycle (irrelevant).
Every expected figure below is worked out by hand from the equations of Diem et al.
(2022), Methods (docs/math.md, "Firm-level cascades"), or with ``propagate`` on a ``W``
read independently from the supply_links table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.analytics.cascade import propagate
from chainatlas.errors import (
    AnalysisError,
    ChainNotFound,
    EmptyNetworkError,
    EnterpriseNotFound,
    InvalidData,
    RegionNotFound,
)
from chainatlas.services.demo import build_demo
from chainatlas.services.simulate import (
    Scenario,
    SimulationResult,
    enterprise_refs_from_file,
    simulate,
    systemic_risk,
)
from chainatlas.store.tx import tx
from tests.services.test_chain_network import LINKS, build_network

# Sales between firms (out-strength) in the hand-made network, from LINKS:
# Japan Materials 100 + 60, 苏州材料 40, 宁波材料 50, Deutsche Teile 30, 安徽零件 30,
# 杭州零件 40, 杭州电芯一号 500, 杭州电芯二号 300, 宁波电芯 200, 苏州矿业 20, 杭州电池包 100.
TOTAL_SALES = 160 + 40 + 50 + 30 + 30 + 40 + 500 + 300 + 200 + 20 + 100


@pytest.fixture
def net(conn: sa.Connection) -> sa.Connection:
    build_network(conn)
    return conn


def _by(rows: list[dict[str, object]], key: str) -> dict[object, dict[str, object]]:
    return {r[key]: r for r in rows}


def _firm(res: SimulationResult, name: str) -> dict[str, object]:
    return next(r for r in res.enterprises if r["name"] == name)


def _shocked(res: SimulationResult) -> set[object]:
    return {r["name"] for r in res.shocked}


def test_removing_a_foreign_supplier_matches_the_hand_computed_cascade(
    net: sa.Connection,
) -> None:
    res = simulate(net, Scenario(enterprises=("Japan Materials",)), top=None)
    # downstream: 电芯一号 gets all its essential material from Japan -> 0; 电芯二号 60 of
    # 100 -> 0.4; 电池包 (all cells essential): (500*0 + 300*0.4 + 200*1) / 1000 = 0.32;
    # 安徽回收 buys the pack as an irrelevant input -> 1. Japan buys nothing: no upstream.
    h = {r["name"]: r["combined"] for r in res.enterprises}
    assert h == pytest.approx(
        {"Japan Materials": 0.0, "杭州电芯一号": 0.0, "杭州电芯二号": 0.4, "杭州电池包": 0.32}
    )
    # loss = out-strength * (1 - h): 160 + 500 + 300 * 0.6 + 100 * 0.68
    loss = 160 + 500 + 180 + 68
    assert res.totals["loss"] == pytest.approx(loss)
    assert res.totals["out_strength"] == pytest.approx(TOTAL_SALES)
    assert res.totals["loss_share"] == pytest.approx(loss / TOTAL_SALES)
    assert res.totals["affected"] == 4
    assert [r["name"] for r in res.enterprises] == [
        "杭州电芯一号",
        "杭州电芯二号",
        "Japan Materials",
        "杭州电池包",
    ]
    seg = {r["segment"]: r["loss"] for r in res.segments if r["loss"] > 0}
    assert seg == pytest.approx({"material": 160, "cell": 680, "pack": 68})
    reg = {r["region"]: r["loss"] for r in res.regions if r["loss"] > 0}
    assert reg == pytest.approx({"JP": 160, "ZJ": 748})
    assert _by(res.regions, "region")["JP"]["foreign"] is True
    assert [(r["chain"], r["loss"]) for r in res.chains] == [("tc", pytest.approx(loss))]
    assert _shocked(res) == {"Japan Materials"}
    assert res.shock["sales_lost"] == pytest.approx(160)


def test_a_partial_removal_scales_the_linear_parts_of_the_cascade(net: sa.Connection) -> None:
    res = simulate(net, Scenario(enterprises=("Japan Materials",), severity=0.5), top=None)
    h = {r["name"]: r["combined"] for r in res.enterprises}
    # 电芯一号: material ratio 0.5; 电芯二号: (60*0.5 + 40) / 100; pack: (250 + 210 + 200) / 1000
    assert h == pytest.approx(
        {"Japan Materials": 0.5, "杭州电芯一号": 0.5, "杭州电芯二号": 0.7, "杭州电池包": 0.66}
    )
    assert _firm(res, "Japan Materials")["psi"] == pytest.approx(0.5)
    assert res.totals["loss"] == pytest.approx(80 + 250 + 90 + 34)


def test_a_product_shock_hits_only_that_product_and_its_share_of_inputs(
    conn: sa.Connection,
) -> None:
    # 电芯一号 also sells 500 of cell scrap to 安徽回收 (no segment edge cell -> recycle:
    # non-essential by default), so the scrap is half of its sales.
    build_network(conn, links=[*LINKS, ("杭州电芯一号", "安徽回收", "电芯废料", "cell", 500)])
    res = simulate(conn, Scenario(products=("电芯废料",)), top=None)
    # split: the scrap part (500 of sales, half of every input) fails; the cell part not.
    # downstream: 安徽回收 loses 500 of its 600 inputs (non-essential) -> 1/6; the pack
    # maker is untouched. upstream: the failed part bought 50 from Japan Materials (of
    # its 160 sales), 15 from Deutsche Teile and 安徽零件 (of 30), 20 from 杭州零件 (of 40).
    one = _firm(res, "杭州电芯一号")
    assert (one["combined"], one["downstream"], one["upstream"]) == pytest.approx((0.5, 0.5, 0.5))
    assert one["psi"] == pytest.approx(0.5)
    assert one["loss"] == pytest.approx(500)
    assert _firm(res, "Japan Materials")["combined"] == pytest.approx(110 / 160)
    for name in ("Deutsche Teile", "安徽零件", "杭州零件"):
        assert _firm(res, name)["combined"] == pytest.approx(0.5)
    recycler = _firm(res, "安徽回收")
    assert recycler["downstream"] == pytest.approx(1 / 6)
    assert recycler["loss"] == pytest.approx(0.0)  # no sales to firms
    assert recycler["output_loss"] == pytest.approx(100 * 5 / 6)  # output 100 in 2023
    assert "杭州电池包" not in {r["name"] for r in res.enterprises}
    assert res.totals["loss"] == pytest.approx(500 + 50 + 15 + 15 + 20)
    assert res.shock == {
        "enterprises": 1,
        "links": 1,
        "link_value": pytest.approx(500),
        "sales_lost": pytest.approx(500),
    }


def test_a_product_shock_on_whole_suppliers_matches_hand_computation(net: sa.Connection) -> None:
    res = simulate(net, Scenario(products=("电机零件",)), top=None)
    # the three part makers sell only 电机零件 (100 in all, non-essential for cells):
    # 电芯一号 keeps 1 - 100/200; the pack maker (500*0.5 + 300 + 200) / 1000
    assert _shocked(res) == {"Deutsche Teile", "安徽零件", "杭州零件"}
    assert _firm(res, "杭州电芯一号")["combined"] == pytest.approx(0.5)
    assert _firm(res, "杭州电池包")["combined"] == pytest.approx(0.75)
    assert res.totals["loss"] == pytest.approx(100 + 250 + 25)


def test_the_cascade_equals_propagate_on_a_network_read_independently(net: sa.Connection) -> None:
    rows = net.execute(
        sa.text(
            "select s.name, b.name, l.annual_value from supply_links l "
            "join enterprises s on s.id = l.supplier_id join enterprises b on b.id = l.buyer_id"
        )
    ).all()
    names = sorted({r[0] for r in rows} | {r[1] for r in rows})
    pos = {n: i for i, n in enumerate(names)}
    W = np.zeros((len(names), len(names)))
    for a, b, v in rows:
        W[pos[a], pos[b]] += v
    sector = {
        "Japan Materials": "material",
        "苏州材料": "material",
        "宁波材料": "material",
        "Deutsche Teile": "part",
        "安徽零件": "part",
        "杭州零件": "part",
        "杭州电芯一号": "cell",
        "杭州电芯二号": "cell",
        "宁波电芯": "cell",
        "杭州电池包": "pack",
        "苏州矿业": "ore",
        "安徽回收": "recycle",
    }
    classes = {
        ("ore", "material"): 2,
        ("material", "cell"): 2,
        ("part", "cell"): 1,
        ("cell", "pack"): 2,
        ("pack", "recycle"): 0,
    }
    psi = [0.7 if n in {"苏州材料", "苏州矿业"} else 0.0 for n in names]
    want = propagate(W, [sector[n] for n in names], classes, psi)
    res = simulate(net, Scenario(regions=("JS",), severity=0.7), top=None)
    got = {r["name"]: r["combined"] for r in res.enterprises}
    for name, h in zip(names, np.asarray(want.combined), strict=True):
        assert got.get(name, 1.0) == pytest.approx(h, abs=1e-7), name
    s_out = W.sum(axis=1)
    assert res.totals["loss"] == pytest.approx(float(s_out @ (1 - np.asarray(want.combined))))


def test_a_region_selects_every_firm_located_in_it_or_below(net: sa.Connection) -> None:
    res = simulate(net, Scenario(regions=("浙江",)))
    # 浙江其他 is in 浙江 but has no supply link, so it is not in the network
    assert _shocked(res) == {
        "杭州电芯一号",
        "杭州电芯二号",
        "宁波电芯",
        "杭州电池包",
        "宁波材料",
        "杭州零件",
    }
    hz = simulate(net, Scenario(regions=("HZ",)))
    assert _shocked(hz) == {
        "杭州电芯一号",
        "杭州电芯二号",
        "杭州电池包",
        "杭州零件",
    }  # 西湖区 below
    assert all(r["selectors"] == ["region:HZ"] for r in hz.shocked)


def test_foreign_product_selects_only_suppliers_abroad(net: sa.Connection) -> None:
    assert _shocked(simulate(net, Scenario(foreign_products=("电机零件",)))) == {"Deutsche Teile"}
    assert _shocked(simulate(net, Scenario(foreign_products=("高纯材料",)))) == {"Japan Materials"}
    both = simulate(net, Scenario(enterprises=("宁波材料",), foreign_products=("高纯材料",)))
    assert _shocked(both) == {"Japan Materials", "宁波材料"}


def test_an_enterprise_set_from_a_file_or_csv(net: sa.Connection, tmp_path: Path) -> None:
    plain = tmp_path / "list.txt"
    plain.write_text("# firms to remove\n苏州材料\n\n宁波材料\n", encoding="utf-8")
    table = tmp_path / "list.csv"
    table.write_text("名称,note\n苏州材料,x\n宁波材料,y\n", encoding="gb18030")
    assert enterprise_refs_from_file(plain) == ["苏州材料", "宁波材料"]
    assert enterprise_refs_from_file(table) == ["苏州材料", "宁波材料"]
    res = simulate(net, Scenario(enterprises=tuple(enterprise_refs_from_file(table))))
    assert _shocked(res) == {"苏州材料", "宁波材料"}
    bad = tmp_path / "bad.csv"
    bad.write_text("firm,value\nx,1\n", encoding="utf-8")
    with pytest.raises(InvalidData, match="no code column"):
        enterprise_refs_from_file(bad)


def test_a_region_scope_limits_the_lists_and_adds_its_totals(net: sa.Connection) -> None:
    res = simulate(net, Scenario(enterprises=("Japan Materials",)), region_scope="HZ", top=None)
    assert {r["name"] for r in res.enterprises} == {"杭州电芯一号", "杭州电芯二号", "杭州电池包"}
    assert res.scope_totals is not None
    assert res.scope_totals["loss"] == pytest.approx(500 + 180 + 68)
    assert sum(r["loss"] for r in res.segments) == pytest.approx(res.scope_totals["loss"])
    assert res.totals["loss"] == pytest.approx(908)  # the cascade still runs everywhere


def test_a_link_without_value_takes_the_median_of_the_buyers_links(conn: sa.Connection) -> None:
    links = [(*link[:4], None) if link[0] == "苏州材料" else link for link in LINKS]
    build_network(conn, links=links)
    res = simulate(conn, Scenario(enterprises=("Japan Materials",)), top=None)
    assert res.network["value_fallback"] == {"buyer_median": 1, "network_median": 0, "unit": 0}
    assert "value_fallback" in [n.code for n in res.notes]
    # 电芯二号 now buys 60 from Japan and 60 (its median) from 苏州材料
    assert _firm(res, "杭州电芯二号")["combined"] == pytest.approx(0.5)


def test_a_chain_scope_keeps_only_the_chains_links(net: sa.Connection) -> None:
    res = simulate(net, Scenario(enterprises=("Japan Materials",)), chain="tc")
    assert res.network["chain"]["code"] == "tc"
    assert res.network["links"] == len(LINKS)
    assert res.network["enterprises"] == 12


def test_esri_ranks_firms_and_equals_the_loss_share_of_removing_them(net: sa.Connection) -> None:
    rank = systemic_risk(net, chain="tc", top=None)
    assert rank.candidates == 12
    by_name = {r["name"]: r for r in rank.rows}
    assert by_name["Japan Materials"]["esri"] == pytest.approx(908 / TOTAL_SALES)
    esris = [r["esri"] for r in rank.rows]
    assert esris == sorted(esris, reverse=True)
    for r in rank.rows:  # a firm's own sales count: ESRI >= its share of all sales
        assert r["esri"] >= r["out_strength"] / TOTAL_SALES - 1e-12
        assert r["esri_loss"] == pytest.approx(r["esri"] * TOTAL_SALES)
    zj = systemic_risk(net, region="ZJ", top=3)
    assert len(zj.rows) == 3 and zj.candidates == 6
    assert all(r["region"] in {"HZ", "HZX", "NB"} for r in zj.rows)


def test_pruned_esri_is_a_lower_bound_and_says_so(net: sa.Connection) -> None:
    exact = {r["name"]: r["esri"] for r in systemic_risk(net, chain="tc", top=None).rows}
    rank = systemic_risk(net, chain="tc", top=None, prune=1e-6)
    pruned = {r["name"]: r["esri"] for r in rank.rows}
    assert pruned.keys() == exact.keys()
    for name, value in pruned.items():
        assert value <= exact[name] + 1e-12
        assert value == pytest.approx(exact[name], abs=1e-5)
    assert any(n.code == "esri_pruned" and "lower bound" in n.en for n in rank.notes)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"scenario": Scenario(enterprises=("Nobody Ltd",))}, EnterpriseNotFound, "Nobody Ltd"),
        ({"scenario": Scenario(regions=("Atlantis",))}, RegionNotFound, "Atlantis"),
        (
            {"scenario": Scenario(products=("锂电池",))},
            AnalysisError,
            "no firm in the network matches --product 锂电池",
        ),
        (
            {"scenario": Scenario(foreign_products=("电芯",))},
            AnalysisError,
            "--foreign-product 电芯",
        ),
        ({"scenario": Scenario(enterprises=("浙江其他",))}, AnalysisError, "浙江其他"),
        ({"scenario": Scenario(regions=("EMPTY",))}, AnalysisError, "--region EMPTY"),
        ({"scenario": Scenario(regions=("JP",)), "chain": "nope"}, ChainNotFound, "nope"),
    ],
)
def test_bad_input_names_what_is_wrong(
    net: sa.Connection, kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        simulate(net, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("severity", [0.0, -0.2, 1.5, float("nan")])
def test_a_severity_outside_zero_to_one_is_refused(severity: float) -> None:
    with pytest.raises(InvalidData, match="severity"):
        Scenario(regions=("JP",), severity=severity)


def test_a_scenario_needs_a_selector_and_a_ranking_needs_a_scope(net: sa.Connection) -> None:
    with pytest.raises(InvalidData, match="at least one selector"):
        Scenario()
    with pytest.raises(InvalidData, match="chain or a region"):
        systemic_risk(net)


def test_an_empty_network_is_a_clear_error(conn: sa.Connection) -> None:
    with pytest.raises(EmptyNetworkError, match="empty"):
        simulate(conn, Scenario(regions=("JP",)))


@pytest.fixture(scope="module")
def demo_engine(db_backend: str, _databases: Any) -> Engine:
    engine: Engine = _databases.make(db_backend)
    build_demo(engine, scale=300, seed=7)
    return engine


def test_on_the_demo_every_breakdown_adds_up_to_the_total(demo_engine: Engine) -> None:
    with tx(demo_engine) as conn:
        res = simulate(conn, Scenario(regions=("JP",), severity=0.8), top=None)
        scoped = simulate(
            conn, Scenario(foreign_products=("磷酸铁锂电芯",)), region_scope="330000", top=None
        )
    total = res.totals["loss"]
    assert total > 0
    for rows in (res.segments, res.chains, res.regions, res.enterprises):
        assert sum(r["loss"] for r in rows) == pytest.approx(total)
    assert sum(r["enterprises"] for r in res.segments) == res.totals["enterprises"]
    assert all(0 <= r["combined"] <= 1 for r in res.enterprises)
    assert {r["region"] for r in res.shocked} <= {"JP"}
    assert all(r["psi"] == pytest.approx(0.8) for r in res.shocked)
    assert res.convergence["converged"]
    assert scoped.scope_totals is not None
    assert sum(r["loss"] for r in scoped.segments) == pytest.approx(scoped.scope_totals["loss"])
    assert all(r["region"].startswith("33") for r in scoped.enterprises)


def test_on_the_demo_the_top_esri_firm_loses_its_esri_when_removed(demo_engine: Engine) -> None:
    with tx(demo_engine) as conn:
        rank = systemic_risk(conn, chain="nev", top=5)
        first = rank.rows[0]
        ref = first["credit_code"] or first["name"]
        res = simulate(conn, Scenario(enterprises=(ref,)), chain="nev")
    assert len(rank.rows) == 5
    assert res.totals["loss_share"] == pytest.approx(first["esri"], abs=1e-6)
