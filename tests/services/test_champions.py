"""Chain owners, hidden champions and 专精特新 seedlings.

Hand-made network (tests/services/test_chain_network.py), 浙江 (ZJ), 2023. Local members of
chain ``tc``: 杭州电芯一号 1000, 杭州电芯二号 500, 宁波电芯 300, 杭州电池包 2000, 宁波材料 100,
杭州零件 200 (output), 4100 in all. National (CN) segment output, Japan and Germany left out:
cell 1800; material 宁波材料 100 + 苏州材料 400 = 500; part 0.6·200 + 150 = 270;
pack 2000 + 0.4·200 = 2080.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.analytics.chainbuild import ChampionRule
from chainatlas.errors import AnalysisError, InvalidData
from chainatlas.services.champions import chain_champions
from chainatlas.services.demo import build_demo
from chainatlas.store.engine import make_engine
from chainatlas.store.tx import tx
from tests.services.test_chain_network import build_network


@pytest.fixture
def net(conn: sa.Connection) -> sa.Connection:
    build_network(conn)
    return conn


def test_chain_owner_spans_segments_and_carries_local_output(net: sa.Connection) -> None:
    rep = chain_champions(net, "tc", "ZJ", kind="owners")
    assert [o["name"] for o in rep.owners] == ["杭州电芯一号"]
    m = rep.owners[0]["measures"]
    # buys material and parts, sells cells to a pack maker: 3 of 6 segments
    assert (m["segments_spanned"], m["segments"]) == (3, 6)
    assert m["output_share"] == pytest.approx(1000 / 4100)
    # local partners: 杭州零件 (L7) and 杭州电池包 (L8)
    assert m["local_partners"] == 2
    assert rep.owners[0]["score"] == pytest.approx(100 * (0.5 * 3 / 6 + 0.5 * 1000 / 4100))
    assert rep.to_dict().keys() >= {"chain_owners"} and "seedlings" not in rep.to_dict()


def test_hidden_champions_follow_the_share_focus_and_size_rule(net: sa.Connection) -> None:
    rep = chain_champions(net, "tc", "ZJ", kind="hidden")
    got = {(h["name"], h["segment"]): h["measures"]["share"] for h in rep.hidden}
    assert got == pytest.approx(
        {
            ("杭州电池包", "pack"): 2000 / 2080,
            ("杭州电芯一号", "cell"): 1000 / 1800,
            ("杭州电芯二号", "cell"): 500 / 1800,
            ("杭州零件", "part"): 120 / 270,
            ("宁波材料", "material"): 100 / 500,
            ("宁波电芯", "cell"): 300 / 1800,
        }
    )
    # 杭州零件 has 40 % of its revenue in packs: below the 50 % focus, so not a pack champion
    assert ("杭州零件", "pack") not in got
    # a stricter share threshold keeps only the shares of at least 40 %
    strict = chain_champions(net, "tc", "ZJ", kind="hidden", rule=ChampionRule(min_share=0.4))
    assert {h["name"] for h in strict.hidden} == {"杭州电池包", "杭州电芯一号", "杭州零件"}


def test_bad_input_gives_clear_errors(net: sa.Connection) -> None:
    with pytest.raises(InvalidData, match="kind"):
        chain_champions(net, "tc", "ZJ", kind="giants")
    with pytest.raises(AnalysisError, match="no enterprises"):
        chain_champions(net, "tc", "EMPTY")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    build_demo(engine, scale=600, seed=11)
    return engine


def test_demo_seedlings_say_what_they_lack(demo: Engine, tmp_path: Path) -> None:
    with tx(demo) as conn:
        rep = chain_champions(conn, "nev", "330000", kind="seedlings", top=200)
        year = conn.execute(sa.text("select max(year) from enterprise_years")).scalar_one()
        raw = {
            r[0]: r[1:]
            for r in conn.execute(
                sa.text(
                    "select e.id, e.size_class, e.srdi_level, y.revenue, y.rd_spend "
                    "from enterprises e join enterprise_years y on y.enterprise_id = e.id "
                    "where y.year = :y"
                ),
                {"y": year},
            )
        }
    assert rep.seedlings
    for s in rep.seedlings:
        size, srdi, revenue, rd = raw[s["id"]]
        assert size in {"medium", "small", "micro"}
        assert srdi in {"none", "seedling"}
        lacks = {x["criterion"] for x in s["lacks"]}
        # the MIIT rule: R&D at least 3 % of revenue and at least 1 million yuan
        assert ("rd_intensity" in lacks) == (rd / revenue < 0.03)
        assert ("rd_spend" in lacks) == (rd < 1e6)
        assert ("revenue" in lacks) == (revenue < 1e7)
        assert s["missing"] == len(lacks) <= 2
        assert s["status"] == ("meets" if not lacks else "near")
        assert [r["code"] for r in s["reasons"][1:]] == [
            f"lacks_{c}" for c in [x["criterion"] for x in s["lacks"]]
        ]
    statuses = [s["status"] for s in rep.seedlings]
    assert statuses == sorted(statuses, key=lambda x: x != "meets")
    wb = openpyxl.load_workbook(rep.write_xlsx(tmp_path / "c.xlsx"))
    assert wb.sheetnames == ["专精特新 seedlings"]


def test_demo_lists_owners_and_hidden_champions_with_reasons(demo: Engine) -> None:
    with tx(demo) as conn:
        rep = chain_champions(conn, "nev", "330000", top=5)
    assert rep.owners and rep.hidden
    spans = [o["measures"]["segments_spanned"] for o in rep.owners]
    assert min(spans) >= 3
    assert [o["score"] for o in rep.owners] == sorted(
        (o["score"] for o in rep.owners), reverse=True
    )
    for h in rep.hidden:
        m = h["measures"]
        assert m["share"] >= 0.1 and m["focus"] >= 0.5 and m["revenue"] < 4e9
        assert [r["code"] for r in h["reasons"]] == ["niche_share", "focused", "modest_size"]
