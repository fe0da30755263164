"""A small hand-made chain network, imported through the public importers.

Every figure the chain-analysis tests expect is computed by hand from the tables below
(see the comments in test_chain_profile.py and test_supply_risk.py).

Regions: CN > 浙江 (ZJ) > 杭州 (HZ) > 西湖区 (HZX); ZJ > 宁波 (NB); CN > 江苏 (JS) > 苏州 (SZ);
CN > 安徽 (AH); JP and DE abroad. The cooperation area YRD (长三角) holds ZJ and JS.

Chain ``tc`` (test chain): ore -> material -> cell -> pack -> recycle, part -> cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from chainatlas.importers.readers import RawTable
from chainatlas.importers.specs import get_spec
from chainatlas.services.import_run import ImportOptions, import_table

REGIONS = [
    ("CN", "中国", "China", "country", "", "CN"),
    ("ZJ", "浙江省", "Zhejiang", "province", "CN", "CN"),
    ("HZ", "杭州市", "Hangzhou", "city", "ZJ", "CN"),
    ("HZX", "西湖区", "Xihu", "district", "HZ", "CN"),
    ("NB", "宁波市", "Ningbo", "city", "ZJ", "CN"),
    ("JS", "江苏省", "Jiangsu", "province", "CN", "CN"),
    ("SZ", "苏州市", "Suzhou", "city", "JS", "CN"),
    ("AH", "安徽省", "Anhui", "province", "CN", "CN"),
    ("JP", "日本", "Japan", "country", "", "JP"),
    ("DE", "德国", "Germany", "country", "", "DE"),
    ("EMPTY", "空白省", "Emptyland", "province", "CN", "CN"),
]

SEGMENTS = [
    # code, name_zh, name_en, position, importance, choke, choke technologies
    ("ore", "矿石", "ore", "upstream", 1, "否", ""),
    ("material", "关键材料", "key material", "upstream", 2, "是", "高纯材料"),
    ("part", "零部件", "parts", "upstream", 1, "否", ""),
    ("cell", "电芯", "cells", "midstream", 3, "否", ""),
    ("pack", "电池包", "packs", "downstream", 2, "否", ""),
    ("recycle", "回收", "recycling", "downstream", 1, "否", ""),
]

EDGES = [
    ("ore", "material", "essential"),
    ("material", "cell", "essential"),
    ("part", "cell", "non_essential"),
    ("cell", "pack", "essential"),
    ("pack", "recycle", "irrelevant"),
]

# name, region, segments (code:revenue share or code), output 2023, output 2022
ENTERPRISES = [
    ("杭州电芯一号", "HZ", "cell", 1000, 800),
    ("杭州电芯二号", "HZX", "cell", 500, 500),
    ("宁波电芯", "NB", "cell", 300, 200),
    ("杭州电池包", "HZ", "pack", 2000, 1500),
    ("宁波材料", "NB", "material", 100, 100),
    ("杭州零件", "HZ", "part:0.6;pack:0.4", 200, 100),
    ("苏州材料", "SZ", "material", 400, 300),
    ("苏州矿业", "SZ", "ore", 300, None),
    ("安徽零件", "AH", "part", 150, None),
    ("安徽矿业", "AH", "ore", 50, None),
    ("安徽回收", "AH", "recycle", 100, None),
    ("Japan Materials", "JP", "material", 800, None),
    ("Deutsche Teile", "DE", "part", 600, None),
    ("浙江其他", "ZJ", "", 5000, None),
    ("江苏其他", "JS", "", 5000, None),
]

# supplier, buyer, product, segment, value
LINKS = [
    ("Japan Materials", "杭州电芯一号", "高纯材料", "material", 100),  # L1
    ("Japan Materials", "杭州电芯二号", "高纯材料", "material", 60),  # L2
    ("苏州材料", "杭州电芯二号", "高纯材料", "material", 40),  # L3
    ("宁波材料", "宁波电芯", "高纯材料", "material", 50),  # L4
    ("Deutsche Teile", "杭州电芯一号", "电机零件", "part", 30),  # L5
    ("安徽零件", "杭州电芯一号", "电机零件", "part", 30),  # L6
    ("杭州零件", "杭州电芯一号", "电机零件", "part", 40),  # L7
    ("杭州电芯一号", "杭州电池包", "电芯", "cell", 500),  # L8
    ("杭州电芯二号", "杭州电池包", "电芯", "cell", 300),  # L9
    ("宁波电芯", "杭州电池包", "电芯", "cell", 200),  # L10
    ("苏州矿业", "宁波材料", "矿石", "ore", 20),  # L11
    ("杭州电池包", "安徽回收", "电池包", "pack", 100),  # L12
]


def import_rows(
    conn: sa.Connection,
    kind: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    **options: Any,
) -> None:
    """Import ``rows`` of ``kind`` through the public importer (all or nothing)."""
    table = RawTable(
        file=f"{kind}.csv",
        headers=list(headers),
        rows=[(i + 2, ["" if v is None else str(v) for v in row]) for i, row in enumerate(rows)],
    )
    import_table(conn, get_spec(kind), table, ImportOptions(**options))


def build_network(conn: sa.Connection, *, links: Sequence[tuple[Any, ...]] = LINKS) -> None:
    """Load the test network into ``conn`` (the caller owns the transaction)."""
    import_rows(
        conn, "regions", ["code", "name_zh", "name_en", "level", "parent", "country"], REGIONS
    )
    import_rows(
        conn,
        "region_groups",
        ["code", "name_zh", "name_en"],
        [("YRD", "长三角", "Yangtze River Delta")],
    )
    import_rows(conn, "region_group_members", ["group", "region"], [("YRD", "ZJ"), ("YRD", "JS")])
    import_rows(conn, "chains", ["code", "name_zh", "name_en"], [("tc", "测试链", "Test chain")])
    import_rows(
        conn,
        "segments",
        [
            "chain",
            "code",
            "name_zh",
            "name_en",
            "position",
            "importance",
            "choke_point",
            "choke_technologies",
            "sort_order",
        ],
        [("tc", *s, i) for i, s in enumerate(SEGMENTS)],
    )
    import_rows(
        conn,
        "segment_edges",
        ["chain", "supplier_segment", "buyer_segment", "input_class"],
        [("tc", *e) for e in EDGES],
    )
    import_rows(conn, "enterprises", ["name", "region"], [(e[0], e[1]) for e in ENTERPRISES])
    years = []
    for name, _r, _s, out, prev in ENTERPRISES:
        years.append((name, 2023, out))
        if prev is not None:
            years.append((name, 2022, prev))
    import_rows(conn, "enterprise_years", ["enterprise", "year", "output_value"], years)
    members = []
    for name, _r, segs, _o, _p in ENTERPRISES:
        for part in filter(None, segs.split(";")):
            code, _, share = part.partition(":")
            members.append((name, "tc", code, share))
    import_rows(
        conn, "enterprise_segments", ["enterprise", "chain", "segment", "revenue_share"], members
    )
    import_rows(
        conn,
        "supply_links",
        ["supplier", "buyer", "product", "chain", "segment", "annual_value"],
        [(a, b, p, "tc", s, v) for a, b, p, s, v in links],
    )


def ids(conn: sa.Connection, table: str = "enterprises", key: str = "name") -> dict[str, int]:
    """Return ``{name: id}`` of a table."""
    return {r[0]: r[1] for r in conn.execute(sa.text(f"select {key}, id from {table}"))}


def test_the_network_imports_every_row(conn: sa.Connection) -> None:
    build_network(conn)
    count = conn.execute(sa.text("select count(*) from supply_links")).scalar_one()
    assert count == len(LINKS)
    n_members = conn.execute(sa.text("select count(*) from enterprise_segments")).scalar_one()
    assert n_members == 14
