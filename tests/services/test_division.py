"""Regional division of labour on the demo's cooperation area and the real A-share data."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.errors import AnalysisError, InvalidData, RegionNotFound
from chainatlas.services.chain_profile import chain_profile
from chainatlas.services.demo import build_demo
from chainatlas.services.division import division_of_labour
from chainatlas.store.engine import make_engine
from chainatlas.store.tx import tx
from tests.services.test_chain_network import build_network
from tests.services.test_opportunities import ashare  # noqa: F401 - module fixture

YRD = ["330000", "320000", "310000", "340000"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    build_demo(engine, scale=600, seed=11)
    return engine


def test_demo_cooperation_area_is_compared_member_by_member(demo: Engine, tmp_path: Path) -> None:
    with tx(demo) as conn:
        rep = division_of_labour(conn, group="YRD", chains=["nev", "photovoltaic"])
        profiles = {r: chain_profile(conn, "nev", r) for r in YRD}
    assert sorted(r["code"] for r in rep.regions) == sorted(YRD)
    codes = [r["code"] for r in rep.regions]
    for a in codes:
        assert rep.similarity[a][a] == pytest.approx(1.0)
        for b in codes:
            assert rep.similarity[a][b] == pytest.approx(rep.similarity[b][a])
            assert 0 <= rep.similarity[a][b] <= 1 + 1e-12
    nev = next(c for c in rep.chains if c["chain"] == "nev")
    # contested segments: at least two members strong or present with LQ >= 1
    for seg in nev["contested"]:
        spec = [
            r
            for r, p in profiles.items()
            if p.segment(seg["segment"]).status in {"strong", "present"}
            and (p.segment(seg["segment"]).lq or 0) >= 1
        ]
        assert sorted(seg["regions"]) == sorted(spec) and len(spec) >= 2
    # lead share: the region's local chain output over the members' sum
    total = sum(p.scorecard["local_output"] or 0 for p in profiles.values())
    for row in nev["ranking"]:
        assert row["share"] == pytest.approx(
            (profiles[row["region"]].scorecard["local_output"] or 0) / total
        )
    assert nev["lead"]["region"] == nev["ranking"][0]["region"]
    assert [r["code"] for r in nev["lead"]["reasons"]] == [
        "lead_share",
        "lead_score",
        "lead_owners",
    ]
    wb = openpyxl.load_workbook(rep.write_xlsx(tmp_path / "d.xlsx"))
    assert wb.sheetnames == ["specialisation 专业化", "similarity 相似系数", "chains 分工"]


def test_real_data_location_quotient_similarity_and_krugman_match_the_raw_files(
    ashare: dict[str, Any],  # noqa: F811
) -> None:
    pairs = ashare["pairs"]
    with ashare["engine"].connect() as conn:
        rep = division_of_labour(conn, ["浙江", "江苏"], chains=["sw280000"])
    n = Counter(pairs)
    nat = Counter(i for _, i in pairs)
    inds = sorted(nat)
    zj = {i: n[("浙江", i)] for i in inds}
    js = {i: n[("江苏", i)] for i in inds}
    zt, nt = sum(zj.values()), len(pairs)
    spec = {s["region"]: s for s in rep.specialisation}
    top = spec["330000"]["top_industries"][0]
    assert top["lq"] == pytest.approx((zj[top["code"]] / zt) / (nat[top["code"]] / nt))
    # Krugman index against the country: sum_i |s_zj,i - s_cn,i|
    k = sum(abs(zj[i] / zt - nat[i] / nt) for i in inds)
    assert spec["330000"]["krugman_vs_country"] == pytest.approx(k)
    # structural similarity coefficient: cosine of the two share vectors
    dot = sum(zj[i] * js[i] for i in inds)
    cos = dot / math.sqrt(sum(v * v for v in zj.values()) * sum(v * v for v in js.values()))
    assert rep.similarity["330000"]["320000"] == pytest.approx(cos)
    assert spec["330000"]["specialised_industries"] == sum(
        1 for i in inds if zj[i] and (zj[i] / zt) / (nat[i] / nt) >= 1
    )
    chain = rep.chains[0]
    assert chain["basis"] == "count" and chain["lead"]["region"] in {"330000", "320000"}


def test_bad_input_gives_clear_errors(conn: sa.Connection) -> None:
    build_network(conn)
    with pytest.raises(InvalidData, match="at least two regions"):
        division_of_labour(conn, ["ZJ"])
    with pytest.raises(RegionNotFound, match="NOPE"):
        division_of_labour(conn, group="NOPE")
    with pytest.raises(RegionNotFound):
        division_of_labour(conn, ["ZJ", "Atlantis"])
    with pytest.raises(InvalidData, match="overlap"):
        division_of_labour(conn, ["ZJ", "HZ"])
    with pytest.raises(AnalysisError, match="industry"):
        division_of_labour(conn, ["ZJ", "JS"])


def test_a_region_without_enterprises_is_named(ashare: dict[str, Any]) -> None:  # noqa: F811
    with ashare["engine"].connect() as conn:
        empty = conn.execute(
            sa.text(
                "select r.code from regions r where r.level = 'province' and not exists "
                "(select 1 from enterprises e where e.region_id = r.id)"
            )
        ).scalar()
        assert empty is not None
        with pytest.raises(AnalysisError, match=empty):
            division_of_labour(conn, ["浙江", empty], chains=[])
