"""Events: record disruptions, follow them downstream hop by hop."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from chainatlas.errors import ChainNotFound, Conflict, InvalidData, NotFound, RegionNotFound
from chainatlas.services.events import event_impact, list_events, record_event
from tests.services.test_chain_network import build_network, import_rows

DAY = date(2024, 3, 1)


@pytest.fixture
def net(conn: sa.Connection) -> sa.Connection:
    build_network(conn)
    return conn


def test_an_event_on_a_supplier_region_reaches_buyers_several_hops_down(
    net: sa.Connection,
) -> None:
    record_event(net, "jp", "foreign_source", severity=0.8, occurred_on=DAY, region="JP")
    imp = event_impact(net, "jp", region="ZJ")
    hops = {a["name"]: a["hop"] for a in imp.affected}
    # Japan Materials -> 杭州电芯一号/二号 -> 杭州电池包 -> 安徽回收
    assert hops == {"杭州电芯一号": 1, "杭州电芯二号": 1, "杭州电池包": 2, "安徽回收": 3}
    loss = {a["name"]: a["loss"] for a in imp.affected}
    # shares of inputs: 100 of 200, 60 of 100; the pack maker buys 50 % and 30 % from them
    assert loss["杭州电芯一号"] == pytest.approx(0.8 * 0.5)
    assert loss["杭州电芯二号"] == pytest.approx(0.8 * 0.6)
    assert loss["杭州电池包"] == pytest.approx(0.5 * 0.4 + 0.3 * 0.48)
    assert imp.totals["one_hop"]["enterprises"] == 2
    assert imp.totals["downstream"]["enterprises"] == 4
    assert imp.totals["local_downstream"]["enterprises"] == 3
    assert [h["hop"] for h in imp.by_hop] == [1, 2, 3]
    assert [(c["chain"], c["enterprises"]) for c in imp.chains] == [("tc", 4)]
    assert {s["segment"]: s["first_hop"] for s in imp.segments} == {
        "cell": 1,
        "pack": 2,
        "recycle": 3,
    }
    # each affected buyer traces back to one incoming link on a shortest path
    pack = next(a for a in imp.affected if a["name"] == "杭州电池包")
    first_cell_link = net.execute(
        sa.text(
            "select l.id from supply_links l join enterprises s on s.id = l.supplier_id "
            "join enterprises b on b.id = l.buyer_id where s.name = '杭州电芯一号' "
            "and b.name = '杭州电池包'"
        )
    ).scalar_one()
    assert pack["via"]["link_id"] == first_cell_link


def test_max_hops_stops_early(net: sa.Connection) -> None:
    record_event(net, "jp", "foreign_source", severity=1.0, occurred_on=DAY, region="JP")
    imp = event_impact(net, "jp", max_hops=1)
    assert {a["hop"] for a in imp.affected} == {1}


def test_a_domestic_region_event_disrupts_every_firm_located_there(net: sa.Connection) -> None:
    record_event(net, "sz", "region", severity=1.0, occurred_on=DAY, region="苏州市")
    imp = event_impact(net, "sz", region="ZJ")
    assert imp.disrupted["enterprises"] == 2  # 苏州材料, 苏州矿业
    hops = {a["name"]: a["hop"] for a in imp.affected}
    assert hops["宁波材料"] == 1 and hops["宁波电芯"] == 2 and hops["安徽回收"] == 3


def test_a_product_event_hits_the_links_carrying_it(net: sa.Connection) -> None:
    record_event(net, "p", "product", severity=0.5, occurred_on=DAY, product="电机零件")
    imp = event_impact(net, "p")
    assert imp.disrupted == {"enterprises": 0, "links": 3}
    first = next(a for a in imp.affected if a["hop"] == 1)
    assert (first["name"], first["loss"]) == ("杭州电芯一号", pytest.approx(0.25))


def test_an_enterprise_event_and_the_chain_filter(net: sa.Connection) -> None:
    record_event(net, "e", "enterprise", severity=1.0, occurred_on=DAY, enterprise="宁波材料")
    imp = event_impact(net, "e", chain="tc")
    assert [a["name"] for a in imp.affected][:1] == ["宁波电芯"]
    with pytest.raises(ChainNotFound):
        event_impact(net, "e", chain="nope")


def test_an_event_that_matches_nothing_says_so(net: sa.Connection) -> None:
    record_event(net, "x", "product", severity=0.5, occurred_on=DAY, product="不存在的产品")
    imp = event_impact(net, "x")
    assert imp.affected == [] and [w.code for w in imp.warnings] == ["event_no_match"]


def test_events_are_listed_newest_first(net: sa.Connection) -> None:
    record_event(net, "a", "region", severity=0.2, occurred_on=date(2023, 1, 1), region="AH")
    record_event(net, "b", "region", severity=0.3, occurred_on=DAY, region="AH")
    assert [e["code"] for e in list_events(net)] == ["b", "a"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"kind": "flood", "region": "AH"}, InvalidData, "kind"),
        ({"kind": "region", "region": "AH", "severity": 1.5}, InvalidData, "severity"),
        ({"kind": "region"}, InvalidData, "--region"),
        ({"kind": "enterprise"}, InvalidData, "--enterprise"),
        ({"kind": "region", "region": "Atlantis"}, RegionNotFound, "Atlantis"),
        ({"kind": "enterprise", "enterprise": "无此企业"}, NotFound, "无此企业"),
        ({"kind": "foreign_source", "region": "ZJ"}, InvalidData, "abroad"),
    ],
)
def test_bad_events_are_refused_with_a_clear_message(
    net: sa.Connection, kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    args = {"severity": 0.5, **kwargs}
    with pytest.raises(error, match=match):
        record_event(net, "bad", occurred_on=DAY, **args)  # type: ignore[arg-type]


def test_duplicate_and_unknown_event_codes(net: sa.Connection) -> None:
    record_event(net, "dup", "region", severity=0.5, occurred_on=DAY, region="AH")
    with pytest.raises(Conflict):
        record_event(net, "dup", "region", severity=0.5, occurred_on=DAY, region="AH")
    with pytest.raises(NotFound, match="dup"):
        event_impact(net, "missing")


def test_events_imported_from_a_file_work_too(net: sa.Connection) -> None:
    import_rows(
        net,
        "events",
        ["code", "kind", "region", "severity", "occurred_on"],
        [("imp", "region", "JP", "0.5", "2024-01-01")],
    )
    assert event_impact(net, "imp").totals["downstream"]["enterprises"] == 4
