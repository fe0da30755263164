"""Docking: posts, matching with reasons, leads and local substitution on a tiny store.

Regions: CN > 浙江 (ZJ) > 杭州 (HZ) > 西湖区 (HZX), 滨江区 (HZB); ZJ > 宁波 (NB);
CN > 江苏 (JS) > 苏州 (SZ); CN > 四川 (SC) > 成都 (CD); JP abroad. YRD (长三角) = ZJ + JS.
Chain ``lb``: lithium -> cathode -> cell -> pack (all essential).

Every lithium maker below has the same main product (电池级碳酸锂), segment, size class
(unknown) and no output, so their product text, adjacency, scale and risk components are
equal and any difference in score comes from distance, ties or foreign location.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from chainatlas.analytics.matching import DISTANCE_SCORES, MatchWeights
from chainatlas.errors import InvalidData, NotFound, PermissionDenied, RegionNotFound
from chainatlas.services.docking import (
    build_match_index,
    list_leads,
    list_needs,
    local_substitution,
    match,
    post_need,
    save_leads,
    update_lead,
)
from chainatlas.services.match_index import FOREIGN_RISK, MatchIndex
from tests.services.test_chain_network import ids, import_rows

REGIONS = [
    ("CN", "中国", "China", "country", "", "CN"),
    ("ZJ", "浙江省", "Zhejiang", "province", "CN", "CN"),
    ("HZ", "杭州市", "Hangzhou", "city", "ZJ", "CN"),
    ("HZX", "西湖区", "Xihu", "district", "HZ", "CN"),
    ("HZB", "滨江区", "Binjiang", "district", "HZ", "CN"),
    ("NB", "宁波市", "Ningbo", "city", "ZJ", "CN"),
    ("JS", "江苏省", "Jiangsu", "province", "CN", "CN"),
    ("SZ", "苏州市", "Suzhou", "city", "JS", "CN"),
    ("SC", "四川省", "Sichuan", "province", "CN", "CN"),
    ("CD", "成都市", "Chengdu", "city", "SC", "CN"),
    ("JP", "日本", "Japan", "country", "", "JP"),
]
SEGMENTS = [
    ("lithium", "锂资源", "Lithium resources", "upstream", "碳酸锂;氢氧化锂", "Lithium carbonate"),
    ("cathode", "正极材料", "Cathode materials", "midstream", "磷酸铁锂;三元材料", ""),
    ("cell", "电芯", "Cells", "midstream", "锂电池;动力电池", "Lithium-ion batteries"),
    ("pack", "电池包", "Battery packs", "downstream", "电池包", ""),
]
EDGES = [("lithium", "cathode"), ("cathode", "cell"), ("cell", "pack")]
# name, region, segment, main product
ENTERPRISES = [
    ("杭州正极", "HZX", "cathode", "磷酸铁锂"),
    ("西湖锂业", "HZX", "lithium", "电池级碳酸锂"),
    ("滨江锂业", "HZB", "lithium", "电池级碳酸锂"),
    ("宁波锂业", "NB", "lithium", "电池级碳酸锂"),
    ("苏州锂业", "SZ", "lithium", "电池级碳酸锂"),
    ("成都锂业", "CD", "lithium", "电池级碳酸锂"),
    ("成都老供应", "CD", "lithium", "电池级碳酸锂"),
    ("Japan Lithium", "JP", "lithium", "电池级碳酸锂"),
    ("杭州电池", "HZX", "cell", "锂电池"),
]
LINKS = [
    ("成都老供应", "杭州正极", "碳酸锂", "lithium", 100.0),
    ("杭州正极", "杭州电池", "磷酸铁锂", "cathode", 300.0),
]


def build_store(conn: sa.Connection) -> dict[str, int]:
    """Load the tiny docking store through the public importers; return enterprise ids."""
    import_rows(
        conn, "regions", ["code", "name_zh", "name_en", "level", "parent", "country"], REGIONS
    )
    import_rows(conn, "region_groups", ["code", "name_zh", "name_en"], [("YRD", "长三角", "YRD")])
    import_rows(conn, "region_group_members", ["group", "region"], [("YRD", "ZJ"), ("YRD", "JS")])
    import_rows(conn, "chains", ["code", "name_zh", "name_en"], [("lb", "锂电池", "Li battery")])
    import_rows(
        conn,
        "segments",
        [
            "chain",
            "code",
            "name_zh",
            "name_en",
            "position",
            "products",
            "products_en",
            "sort_order",
        ],
        [("lb", *s, i) for i, s in enumerate(SEGMENTS)],
    )
    import_rows(
        conn,
        "segment_edges",
        ["chain", "supplier_segment", "buyer_segment", "input_class"],
        [("lb", a, b, "essential") for a, b in EDGES],
    )
    import_rows(conn, "enterprises", ["name", "region"], [(e[0], e[1]) for e in ENTERPRISES])
    import_rows(
        conn,
        "enterprise_segments",
        ["enterprise", "chain", "segment", "main_product"],
        [(e[0], "lb", e[2], e[3]) for e in ENTERPRISES],
    )
    import_rows(
        conn,
        "supply_links",
        ["supplier", "buyer", "product", "chain", "segment", "annual_value"],
        [(a, b, p, "lb", s, v) for a, b, p, s, v in LINKS],
    )
    return ids(conn)


@pytest.fixture
def store(conn: sa.Connection) -> tuple[sa.Connection, dict[str, int]]:
    return conn, build_store(conn)


def _index(conn: sa.Connection) -> MatchIndex:
    return build_match_index(conn)


def _scores(result: Any) -> dict[str, float]:
    return {c.profile["name"]: c.score for c in result.counterparts}


def test_a_need_for_lithium_carbonate_ranks_makers_by_distance_and_ties(
    store: tuple[sa.Connection, dict[str, int]],
) -> None:
    conn, ent = store
    need = post_need(conn, ent["杭州正极"], "need", "碳酸锂", quantity=50, unit="吨")
    res = match(conn, need.code, index=_index(conn))
    names = [c.profile["name"] for c in res.counterparts]
    # the battery maker (锂电池) shares no word with 碳酸锂 and is never offered
    assert "杭州电池" not in names and "杭州正极" not in names
    s = _scores(res)
    w = MatchWeights()
    step = 100 * w.distance / sum(w.to_dict().values())
    d = DISTANCE_SCORES
    # same district > same city > same province > cooperation area > elsewhere in China
    assert s["西湖锂业"] - s["滨江锂业"] == pytest.approx(step * (d["district"] - d["city"]))
    assert s["滨江锂业"] - s["宁波锂业"] == pytest.approx(step * (d["city"] - d["province"]))
    assert s["宁波锂业"] - s["苏州锂业"] == pytest.approx(step * (d["province"] - d["area"]))
    assert s["苏州锂业"] - s["成都锂业"] == pytest.approx(step * (d["area"] - d["country"]))
    # an existing supplier is worth the ties weight more than an identical stranger
    total = sum(w.to_dict().values())
    assert s["成都老供应"] - s["成都锂业"] == pytest.approx(100 * w.ties / total)
    # abroad: no distance credit and the foreign supply risk
    expected_gap = 100 * (w.distance * d["country"] + w.risk * FOREIGN_RISK) / total
    assert s["成都锂业"] - s["Japan Lithium"] == pytest.approx(expected_gap)
    assert names[0] == "西湖锂业"


def test_every_counterpart_says_why_in_both_languages(
    store: tuple[sa.Connection, dict[str, int]],
) -> None:
    conn, ent = store
    need = post_need(conn, ent["杭州正极"], "need", "碳酸锂")
    res = match(conn, need.code, index=_index(conn))
    by_name = {c.profile["name"]: c for c in res.counterparts}
    codes = {r.code for r in by_name["成都老供应"].reasons}
    assert {"adjacency", "distance", "scale", "ties"} <= codes
    assert codes & {"product", "product_segment"}
    assert any("已有供应关系" in r.zh for r in by_name["成都老供应"].reasons)
    assert any("same district" in r.en.lower() for r in by_name["西湖锂业"].reasons)
    assert any(r.code == "risk" for r in by_name["Japan Lithium"].reasons)
    adjacency = next(r for r in by_name["西湖锂业"].reasons if r.code == "adjacency")
    assert "锂资源" in adjacency.zh and "正极材料" in adjacency.zh
    assert all(r.zh and r.en for c in res.counterparts for r in c.reasons)


def test_match_results_show_only_the_public_profile(
    store: tuple[sa.Connection, dict[str, int]],
) -> None:
    conn, ent = store
    need = post_need(conn, ent["杭州正极"], "need", "碳酸锂")
    data = match(conn, need.code, index=_index(conn)).to_dict()
    for c in data["counterparts"]:
        assert set(c) == {
            "rank", "id", "name", "name_en", "region", "size_class", "segments", "score",
            "components", "matched_text", "distance_level", "reasons",
        }  # fmt: skip
    text = repr(data)
    # the other side of the existing link (杭州电池 buys from the poster) is not revealed
    assert "杭州电池" not in text and "supplier_id" not in text and "annual_value" not in text


def test_a_capability_finds_buyers_in_the_segments_downstream(
    store: tuple[sa.Connection, dict[str, int]],
) -> None:
    conn, ent = store
    cap = post_need(conn, ent["宁波锂业"], "capability", "电池级碳酸锂")
    res = match(conn, cap.code, index=_index(conn))
    # lithium supplies the cathode segment: its one member is the buyer
    assert [c.profile["name"] for c in res.counterparts][:1] == ["杭州正极"]


def test_a_region_filter_keeps_only_counterparts_there(
    store: tuple[sa.Connection, dict[str, int]],
) -> None:
    conn, _ent = store
    res = match(conn, product="碳酸锂", region="ZJ", index=_index(conn))
    assert {c.profile["name"] for c in res.counterparts} == {"西湖锂业", "滨江锂业", "宁波锂业"}
    assert res.query["enterprise"] is None


def test_a_preferred_region_lifts_the_distance_component(
    store: tuple[sa.Connection, dict[str, int]],
) -> None:
    conn, ent = store
    need = post_need(conn, ent["杭州正极"], "need", "碳酸锂", preferred_regions=["SC"])
    res = match(conn, need.code, index=_index(conn))
    comp = {c.profile["name"]: c.components["distance"] for c in res.counterparts}
    assert comp["成都锂业"] == pytest.approx(0.8) and comp["苏州锂业"] == pytest.approx(0.45)


def test_an_enterprise_sees_only_its_own_posts(
    store: tuple[sa.Connection, dict[str, int]],
) -> None:
    conn, ent = store
    a = post_need(conn, ent["杭州正极"], "need", "碳酸锂")
    b = post_need(conn, ent["杭州电池"], "need", "磷酸铁锂")
    assert [n.code for n in list_needs(conn, enterprise_id=ent["杭州正极"])] == [a.code]
    assert [n.code for n in list_needs(conn, enterprise_id=ent["杭州电池"])] == [b.code]
    assert {n.code for n in list_needs(conn)} == {a.code, b.code}
    with pytest.raises(NotFound):
        match(conn, a.code, as_enterprise=ent["杭州电池"], index=_index(conn))
    with pytest.raises(PermissionDenied):
        match(
            conn,
            product="碳酸锂",
            enterprise=ent["杭州正极"],
            as_enterprise=ent["杭州电池"],
            index=_index(conn),
        )


def _count(conn: sa.Connection, table: str) -> int:
    return int(conn.execute(sa.text(f"select count(*) from {table}")).scalar_one())


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"product": "  "}, InvalidData, "product"),
        ({"kind": "offer"}, InvalidData, "kind"),
        ({"quantity": -1.0}, InvalidData, "quantity"),
        ({"preferred_regions": ["ZJ", "Atlantis"]}, RegionNotFound, "Atlantis"),
    ],
)
def test_a_bad_post_names_the_field_and_saves_nothing(
    store: tuple[sa.Connection, dict[str, int]],
    kwargs: dict[str, Any],
    error: type[Exception],
    field: str,
) -> None:
    conn, ent = store
    before = _count(conn, "docking_needs")
    args: dict[str, Any] = {"kind": "need", "product": "碳酸锂", **kwargs}
    with pytest.raises(error, match=field):
        post_need(conn, ent["杭州正极"], args.pop("kind"), args.pop("product"), **args)
    assert _count(conn, "docking_needs") == before


def test_leads_are_saved_once_and_move_through_their_statuses(
    store: tuple[sa.Connection, dict[str, int]],
) -> None:
    conn, ent = store
    need = post_need(conn, ent["杭州正极"], "need", "碳酸锂")
    idx = _index(conn)
    first = save_leads(conn, need.code, top=3, index=idx)
    assert len(first.created) == 3 and first.existing == 0
    again = save_leads(conn, need.code, top=3, index=idx)
    assert again.created == [] and again.existing == 3
    lead = first.created[0]
    assert lead.status == "proposed" and lead.reasons and lead.counterpart["name"] == "西湖锂业"
    with pytest.raises(InvalidData, match="cannot go from proposed to deal; allowed: contacted"):
        update_lead(conn, lead.id, "deal")
    assert update_lead(conn, lead.id, "contacted", "called on Monday").note == "called on Monday"
    assert update_lead(conn, lead.id, "deal").status == "deal"
    with pytest.raises(InvalidData, match="a deal is final"):
        update_lead(conn, lead.id, "declined")
    assert [n.status for n in list_needs(conn, enterprise_id=ent["杭州正极"])] == ["matched"]
    assert [x.id for x in list_leads(conn, status="deal")] == [lead.id]
    assert list_leads(conn, enterprise_id=ent["杭州电池"]) == []
    with pytest.raises(InvalidData, match="status"):
        update_lead(conn, lead.id, "won")
    with pytest.raises(NotFound):
        update_lead(conn, 10**6, "contacted")


def test_local_substitution_finds_local_makers_of_an_input_bought_outside(
    store: tuple[sa.Connection, dict[str, int]],
) -> None:
    conn, _ent = store
    res = local_substitution(conn, "HZ", index=_index(conn))
    # one link brings 碳酸锂 from 成都 to 杭州正极; 杭州电池 buys from a local firm
    assert res.totals["links"] == 1 and res.totals["outside_value"] == pytest.approx(100.0)
    (item,) = res.items
    assert item["product"] == "碳酸锂" and item["segment"]["code"] == "lithium"
    assert {m["name"] for m in item["local_makers"]} == {"西湖锂业", "滨江锂业"}
    assert item["local_buyers"] == 1 and item["outside_suppliers"] == 1
    assert all("supplier" not in m for m in item["local_makers"])
