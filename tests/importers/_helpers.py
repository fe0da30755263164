"""Helpers shared by the importer, import-service, export and CLI tests.

Files are written by the tests themselves into ``tmp_path``; nothing binary is committed.
``snapshot`` captures every table exactly (ids and timestamps included) so that a test can
prove an import wrote nothing; ``natural_dump`` compares databases by content, with every
foreign key replaced by the content of the row it points to.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.importers.report import ImportReport
from chainatlas.services.database import table_counts
from chainatlas.services.import_run import ImportOptions, import_file
from chainatlas.store.schema import metadata
from tests.conftest import pg_url

HUAWEI = "914403001922038216"  # 华为技术有限公司
TENCENT = "9144030071526726XG"  # 腾讯科技（深圳）有限公司
BYD = "91440300192317458F"  # 比亚迪股份有限公司
ALIBABA = "91330100799655058B"  # 阿里巴巴（中国）有限公司
#: HUAWEI with its last character changed: the GB 32100-2015 check character is 6, not 7.
BAD_CODE = "914403001922038217"


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` in ``encoding`` (no newline translation) and return it."""
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(
    path: Path,
    sheets: Mapping[str, Sequence[Sequence[Any]]],
    merge: Mapping[str, Sequence[str]] | None = None,
) -> Path:
    """Write a workbook with one sheet per entry (rows as lists), merging the given ranges."""
    from openpyxl import Workbook

    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
        for cells in (merge or {}).get(name, ()):
            ws.merge_cells(cells)
    wb.save(path)
    return path


def write_png(path: Path) -> Path:
    """Write a valid 1x1 white PNG image to ``path`` (whatever its suffix)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )
    path.write_bytes(png)
    return path


def _rows(conn: sa.Connection, table: sa.Table) -> list[tuple[Any, ...]]:
    return sorted((tuple(r) for r in conn.execute(sa.select(table))), key=repr)


def snapshot(conn: sa.Connection, *, skip: Sequence[str] = ()) -> dict[str, Any]:
    """Return the row count and the full sorted content of every ChainAtlas table."""
    counts = {k: v for k, v in table_counts(conn).items() if k not in skip}
    rows = {
        name: _rows(conn, table)
        for name, table in sorted(metadata.tables.items())
        if name not in skip
    }
    return {"counts": counts, "rows": rows}


NOT_IMPORTED = frozenset(
    {
        "import_runs",
        "docking_leads",
        "users",
        "user_regions",
        "user_sessions",
        "api_tokens",
        "audit_log",
    }
)


def natural_dump(conn: sa.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Return every table's rows without ids or ``imported_at``, foreign keys resolved.

    A foreign key is replaced by the (recursively resolved) content of the row it points
    to, so two databases filled in a different order compare equal when they hold the
    same facts. The import log, accounts and docking leads (work records, not imported
    facts) are left out.
    """
    tables = {n: t for n, t in metadata.tables.items() if n not in NOT_IMPORTED}
    raw = {n: [dict(r._mapping) for r in conn.execute(sa.select(t))] for n, t in tables.items()}
    by_id = {n: {r["id"]: r for r in rows} for n, rows in raw.items() if "id" in tables[n].c}
    memo: dict[tuple[str, int], tuple[Any, ...]] = {}

    def resolve(table: str, ident: int | None) -> tuple[Any, ...] | None:
        if ident is None:
            return None
        if (table, ident) not in memo:
            memo[(table, ident)] = content(table, by_id[table][ident])
        return memo[(table, ident)]

    def content(table: str, row: dict[str, Any]) -> tuple[Any, ...]:
        out: list[tuple[str, Any]] = []
        for col in tables[table].c:
            if col.name in ("id", "imported_at"):
                continue
            value = row[col.name]
            fks = list(col.foreign_keys)
            if fks:
                value = resolve(fks[0].column.table.name, value)
            out.append((col.name, value))
        return tuple(out)

    return {n: sorted((content(n, r) for r in rows), key=repr) for n, rows in raw.items()}


def cli_db_url(engine: Engine) -> str:
    """Return a ``--db`` value that reaches the same database as ``engine``."""
    if engine.dialect.name == "sqlite":
        return str(engine.url.database)
    with engine.connect() as conn:
        schema = conn.execute(sa.text("select current_schema()")).scalar_one()
    return f"{pg_url()}?options=-csearch_path%3D{schema}"


#: A small base every rejection test starts from: the database already holds these rows.
SEED: dict[str, str] = {
    "regions": (
        "code,name_zh,name_en,level,parent\n"
        "330000,浙江省,Zhejiang,province,\n"
        "330100,杭州市,Hangzhou,city,330000\n"
        "440000,广东省,Guangdong,province,\n"
        "440300,深圳市,Shenzhen,city,440000\n"
    ),
    "chains": "code,name_zh,name_en\nNEV,新能源汽车,New energy vehicles\n",
    "segments": (
        "chain,code,name_zh,position\nNEV,BAT,动力电池,midstream\nNEV,VEH,整车,downstream\n"
    ),
    "enterprises": (
        "统一社会信用代码,企业名称,地区\n"
        f"{HUAWEI},华为技术有限公司,440300\n"
        ",杭州星海电池科技有限公司,330100\n"
    ),
}


def seed(conn: sa.Connection, folder: Path) -> None:
    """Import :data:`SEED` into ``conn`` (files are written to ``folder``)."""
    folder.mkdir(parents=True, exist_ok=True)
    for kind, text in SEED.items():
        import_file(conn, kind, write_text(folder / f"seed_{kind}.csv", text))


#: One small file of every importable kind, in import order (parents first).
FULL_DATA: dict[str, str] = {
    "regions": (
        "code,name_zh,name_en,level,parent,lat,lon\n"
        "330000,浙江省,Zhejiang,province,,30.267,120.153\n"
        "330100,杭州市,Hangzhou,city,330000,30.274,120.155\n"
        "330106,西湖区,Xihu,district,330100,,\n"
        "440000,广东省,Guangdong,province,,,\n"
        "440300,深圳市,Shenzhen,city,440000,22.543,114.058\n"
    ),
    "region_groups": "code,name_zh,name_en\nYRD,长三角,Yangtze River Delta\n",
    "region_group_members": "group,region\nYRD,330000\nYRD,330100\n",
    "industries": (
        "scheme,code,name_zh,name_en,parent\n"
        "gbt4754,C,制造业,Manufacturing,\n"
        "gbt4754,C38,电气机械和器材制造业,,C\n"
        "gbt4754,C384,电池制造,Battery manufacturing,C38\n"
    ),
    "chains": (
        "code,name_zh,name_en,description_zh\nNEV,新能源汽车,New energy vehicles,整车及关键零部件\n"
    ),
    "segments": (
        "chain,code,name_zh,position,products,choke_point,importance,parent,"
        "industry_codes,sort_order\n"
        "NEV,BAT,动力电池,中游,电芯；模组,否,2.5,,C384,1\n"
        'NEV,CELL,电芯,midstream,"[""磷酸铁锂"", ""三元""]",是,,BAT,,2\n'
        "NEV,VEH,整车,downstream,,否,1,,,3\n"
    ),
    "segment_edges": (
        "chain,supplier_segment,buyer_segment,input_class,note\n"
        "NEV,BAT,VEH,关键,电池供整车\n"
        "NEV,CELL,BAT,non_essential,\n"
    ),
    "enterprises": (
        "credit_code,name,name_en,aliases,region,industry_code,size_class,ownership,"
        "founded_on,listed,stock_code,high_tech,srdi_level,tags,description\n"
        f"{HUAWEI},华为技术有限公司,Huawei Technologies,华为,440300,,大型,民营,1987-09-15,否,,"
        "是,,通信；终端,ICT\n"
        f"{BYD},比亚迪股份有限公司,BYD,,440300,C384,large,private,1995/2/10,是,002594.SZ,"
        "是,,,\n"
        ",杭州星海电池科技有限公司,,,330106,C384,小型,,2018年3月1日,,,否,专精特新,,\n"
    ),
    "enterprise_years": (
        "企业,年份,产值（万元）,营业收入,从业人员,研发投入（亿元）,专利数,税收,能耗\n"
        f"{HUAWEI},2023,12000,7042亿,207000,1.5,,3000万,\n"
        f'{BYD},2023,"5,000",6023亿元,703500,,32000,,12.5\n'
    ),
    "enterprise_segments": (
        "enterprise,chain,segment,main_product,revenue_share\n"
        f"{BYD},NEV,BAT,刀片电池,35%\n"
        "杭州星海电池科技有限公司,NEV,CELL,电芯,0.8\n"
    ),
    "supply_links": (
        "supplier,buyer,product,chain,segment,annual_value,share,valid_from,valid_to\n"
        f"杭州星海电池科技有限公司,{BYD},电芯,NEV,CELL,2亿,10%,2023-01-01,2025-12-31\n"
        f"{HUAWEI},{BYD},车机芯片,,,,,,\n"
    ),
    "innovation_resources": (
        "code,name,kind,level,region\n"
        "ZJU,浙江大学,高校,national,330100\n"
        "LAB1,电池重点实验室,lab,,330106\n"
    ),
    "innovation_resource_segments": "resource,chain,segment\nZJU,NEV,BAT\nLAB1,NEV,CELL\n",
    "talent_records": (
        "region,chain,segment,enterprise,year,category,headcount\n"
        "330100,NEV,BAT,,2023,研发人员,1200\n"
        f"440300,,,{BYD},2023,技工,5000\n"
    ),
    "capital_records": (
        "name,kind,region,chain,segment,enterprise,amount,occurred_on\n"
        "杭州新能源产业基金,fund,330100,NEV,BAT,,50亿,2023-06-01\n"
        "星海A轮,investment,330106,,,杭州星海电池科技有限公司,8000万元,2022-03-15\n"
    ),
    "projects": (
        "code,name,chain,segment,enterprise,region,investment,stage,started_on,"
        "expected_completion,milestones\n"
        f"P1,电池生产基地,NEV,BAT,{BYD},330100,100亿,在建,2023-01-01,2025-06-30,"
        '"[{""date"": ""2023-01-01"", ""what"": ""开工""}]"\n'
    ),
    "policies": (
        "code,title,issuer,region,valid_from,valid_to,benefits,eligibility,url\n"
        "POL1,新能源汽车产业扶持办法,杭州市经信局,330100,2023-01-01,2025-12-31,研发补贴,"
        '"{""all"": [{""field"": ""high_tech"", ""eq"": true}, '
        '{""field"": ""revenue"", ""gte"": 10000000}]}",https://example.org/pol1\n'
    ),
    "indicators": "code,name_zh,name_en,unit,definition\nOUT,产值,Output,亿元,工业总产值\n",
    "indicator_values": (
        "indicator,region,chain,year,value\nOUT,330100,NEV,2023,1234.5\nOUT,440300,,2023,800\n"
    ),
    "targets": "indicator,region,chain,year,target_value\nOUT,330100,NEV,2025,2000\n",
    "docking_needs": (
        "code,enterprise,kind,product,quantity,unit,specification,preferred_regions,status,"
        "posted_on\n"
        f"N1,{BYD},需求,电芯,10000,只,LFP 280Ah,330100；440300,开放,2024-03-01\n"
    ),
    "events": (
        "code,kind,region,enterprise,product,severity,occurred_on,ended_on,description\n"
        "EV1,region,440300,,,0.3,2024-01-10,2024-02-01,台风\n"
        f"EV2,enterprise,,{BYD},电芯,50%,2024-03-01,,停产检修\n"
    ),
}


def write_full_data(folder: Path) -> dict[str, Path]:
    """Write :data:`FULL_DATA` as one UTF-8 CSV per kind into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return {kind: write_text(folder / f"{kind}.csv", text) for kind, text in FULL_DATA.items()}


def import_full_data(conn: sa.Connection, folder: Path) -> dict[str, ImportReport]:
    """Import every file of :data:`FULL_DATA` in order; return the report of each kind."""
    files = write_full_data(folder)
    return {kind: import_file(conn, kind, path, ImportOptions()) for kind, path in files.items()}
