"""Import runs: skip-invalid, re-import idempotence, partial updates, workbooks, the run log."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from chainatlas.errors import ImportFormatError, ImportRejected
from chainatlas.services.import_run import ImportOptions, import_file, import_workbook
from chainatlas.store import schema as s
from chainatlas.store import schema_activity as sa_
from tests.importers._helpers import (
    BAD_CODE,
    BYD,
    FULL_DATA,
    HUAWEI,
    NOT_IMPORTED,
    TENCENT,
    import_full_data,
    seed,
    snapshot,
    write_full_data,
    write_text,
    write_xlsx,
)


def _enterprise(conn: sa.Connection, **where: object) -> dict[str, object]:
    t = s.enterprises
    stmt = sa.select(t).where(*(t.c[k] == v for k, v in where.items()))
    return dict(conn.execute(stmt).one()._mapping)


def _enterprises(conn: sa.Connection) -> list[dict[str, object]]:
    return [dict(r._mapping) for r in conn.execute(sa.select(s.enterprises))]


def test_skip_invalid_imports_the_valid_rows_and_lists_the_others(
    conn: sa.Connection, tmp_path: Path
) -> None:
    seed(conn, tmp_path / "seed")
    before = snapshot(conn)["counts"]
    path = write_text(
        tmp_path / "firms.csv",
        "统一社会信用代码,企业名称,地区,成立日期\n"
        f"{TENCENT},腾讯科技（深圳）有限公司,440300,1998-11-11\n"
        f"{BAD_CODE},坏代码公司,440300,\n"
        f"{BYD},比亚迪股份有限公司,440300,1995-02-10\n"
        ",火星新材料有限公司,火星,\n",
    )
    report = import_file(conn, "enterprises", path, ImportOptions(skip_invalid=True))
    assert (report.rows, report.inserted, report.updated, report.skipped) == (4, 2, 0, 2)
    assert report.committed
    assert [(p.row, p.column) for p in report.problems] == [(3, "统一社会信用代码"), (5, "地区")]
    after = snapshot(conn)["counts"]
    assert after["enterprises"] == before["enterprises"] + 2
    assert after["import_runs"] == before["import_runs"] + 1
    names = set(conn.execute(sa.select(s.enterprises.c.name)).scalars())
    assert {"腾讯科技（深圳）有限公司", "比亚迪股份有限公司"} <= names
    assert names.isdisjoint({"坏代码公司", "火星新材料有限公司"})


def test_every_kind_imports_and_a_second_import_changes_nothing(
    conn: sa.Connection, tmp_path: Path
) -> None:
    first = import_full_data(conn, tmp_path / "data")
    assert list(first) == list(FULL_DATA)
    for kind, report in first.items():
        assert report.inserted == report.rows > 0, kind
        assert not report.problems, kind
    before = snapshot(conn, skip=NOT_IMPORTED)
    assert all(n > 0 for n in before["counts"].values())
    runs = snapshot(conn)["counts"]["import_runs"]
    again = {kind: import_file(conn, kind, tmp_path / "data" / f"{kind}.csv") for kind in FULL_DATA}
    for kind, report in again.items():
        assert (report.inserted, report.updated, report.unchanged) == (0, 0, report.rows), kind
    # Not even imported_at moves; only the run log grows by one line per file.
    assert snapshot(conn, skip=NOT_IMPORTED) == before
    assert snapshot(conn)["counts"]["import_runs"] == runs + len(FULL_DATA)


def test_an_update_changes_only_the_rows_that_changed(conn: sa.Connection, tmp_path: Path) -> None:
    header = "credit_code,name,region,size_class,description\n"
    first = (
        f"{HUAWEI},华为技术有限公司,440300,large,通信\n"
        f"{TENCENT},腾讯科技（深圳）有限公司,440300,large,互联网\n"
        f"{BYD},比亚迪股份有限公司,440300,large,汽车\n"
    )
    seed(conn, tmp_path / "seed")
    import_file(conn, "enterprises", write_text(tmp_path / "v1.csv", header + first))
    old = {r["credit_code"]: r for r in _enterprises(conn)}
    second = first.replace("互联网", "互联网与云")
    report = import_file(conn, "enterprises", write_text(tmp_path / "v2.csv", header + second))
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 2)
    new = {r["credit_code"]: r for r in _enterprises(conn)}
    assert new[HUAWEI] == old[HUAWEI]
    assert new[BYD] == old[BYD]
    changed = {k for k in new[TENCENT] if new[TENCENT][k] != old[TENCENT][k]}
    assert changed == {"description", "source", "imported_at"}
    assert new[TENCENT]["description"] == "互联网与云"


def test_columns_missing_from_a_file_keep_their_values(conn: sa.Connection, tmp_path: Path) -> None:
    seed(conn, tmp_path / "seed")
    import_file(
        conn,
        "enterprises",
        write_text(
            tmp_path / "full.csv",
            f"credit_code,name,region,size_class\n{BYD},比亚迪,440300,large\n",
        ),
    )
    report = import_file(
        conn,
        "enterprises",
        write_text(tmp_path / "part.csv", f"credit_code,description\n{BYD},新能源汽车\n"),
    )
    assert report.updated == 1
    row = _enterprise(conn, credit_code=BYD)
    assert (row["size_class"], row["description"], row["name"]) == ("large", "新能源汽车", "比亚迪")


def test_the_same_amount_in_other_units_is_unchanged(conn: sa.Connection, tmp_path: Path) -> None:
    seed(conn, tmp_path / "seed")
    first = write_text(
        tmp_path / "wan.csv", f"企业,年份,营业收入（万元）\n{HUAWEI},2023,70420000\n"
    )
    second = write_text(tmp_path / "yi.csv", f"企业,年份,营业收入\n{HUAWEI},2023,7042亿\n")
    third = write_text(
        tmp_path / "yuan.csv", f"企业,年份,营业收入（元）\n{HUAWEI},2023,704200000000\n"
    )
    assert import_file(conn, "enterprise_years", first).inserted == 1
    for path in (second, third):
        report = import_file(conn, "enterprise_years", path)
        assert (report.inserted, report.updated, report.unchanged) == (0, 0, 1)
    revenue = conn.execute(sa.select(s.enterprise_years.c.revenue)).scalar_one()
    assert revenue == pytest.approx(7.042e11)


def test_each_import_is_logged_with_its_counts_and_file_hash(
    conn: sa.Connection, tmp_path: Path
) -> None:
    path = write_text(tmp_path / "regions.csv", "code,name_zh,level\n330000,浙江省,province\n")
    import_file(conn, "regions", path)
    import_file(conn, "regions", path)
    log = conn.execute(
        sa.select(s.import_runs)
        .where(s.import_runs.c.file == "regions.csv")
        .order_by(s.import_runs.c.id)
    ).all()
    assert [(r.kind, r.rows, r.inserted, r.unchanged) for r in log] == [
        ("regions", 1, 1, 0),
        ("regions", 1, 0, 1),
    ]
    assert len(log[0].sha256) == 64
    assert log[0].sha256 == log[1].sha256


def test_the_source_defaults_to_the_file_name_and_can_be_given(
    conn: sa.Connection, tmp_path: Path
) -> None:
    import_file(
        conn,
        "regions",
        write_text(tmp_path / "浙江.csv", "code,name_zh,level\n330000,浙江省,province\n"),
    )
    import_file(
        conn,
        "regions",
        write_text(tmp_path / "b.csv", "code,name_zh,level\n440000,广东省,province\n"),
        ImportOptions(source="国家统计局 2023"),
    )
    sources = dict(conn.execute(sa.select(s.regions.c.code, s.regions.c.source)).all())
    assert sources == {"330000": "浙江.csv", "440000": "国家统计局 2023"}


def test_a_json_file_keeps_nested_eligibility_rules(conn: sa.Connection, tmp_path: Path) -> None:
    rule = {
        "all": [
            {"field": "srdi_level", "in": ["provincial", "national"]},
            {"field": "revenue", "gte": 2e7},
        ]
    }
    path = write_text(
        tmp_path / "policies.json",
        '{"policies": [{"政策编号": "POL9", "政策名称": "专精特新奖励", "申报条件": '
        '{"all": [{"field": "srdi_level", "in": ["provincial", "national"]}, '
        '{"field": "revenue", "gte": 2e7}]}}]}',
    )
    assert import_file(conn, "policies", path).inserted == 1
    stored = conn.execute(
        sa.select(sa_.policies.c.eligibility).where(sa_.policies.c.code == "POL9")
    ).scalar_one()
    assert stored == rule


def test_rows_whose_parents_come_later_in_the_file_are_imported(
    conn: sa.Connection, tmp_path: Path
) -> None:
    path = write_text(
        tmp_path / "regions.csv",
        "code,name_zh,level,parent\n330106,西湖区,district,330100\n330100,杭州市,city,330000\n"
        "330000,浙江省,province,\n",
    )
    assert import_file(conn, "regions", path).inserted == 3
    r = s.regions.alias("r")
    p = s.regions.alias("p")
    pairs = conn.execute(
        sa.select(r.c.code, p.c.code).join(p, r.c.parent_id == p.c.id).order_by(r.c.code)
    ).all()
    assert [tuple(x) for x in pairs] == [("330100", "330000"), ("330106", "330100")]


def test_references_resolve_by_code_full_name_or_short_name(
    conn: sa.Connection, tmp_path: Path
) -> None:
    seed(conn, tmp_path / "seed")
    path = write_text(
        tmp_path / "firms.csv",
        "企业名称,地区\n杭州甲科技有限公司,330100\n杭州乙科技有限公司,杭州市\n杭州丙科技有限公司,杭州\n",
    )
    assert import_file(conn, "enterprises", path).inserted == 3
    hangzhou = conn.execute(sa.select(s.regions.c.id).where(s.regions.c.code == "330100")).scalar()
    regions = (
        conn.execute(
            sa.select(s.enterprises.c.region_id).where(
                s.enterprises.c.name.like("杭州_科技有限公司")
            )
        )
        .scalars()
        .all()
    )
    assert regions == [hangzhou] * 3


def _workbook_sheets() -> dict[str, list[list[object]]]:
    # Sheets in the "wrong" order: children first; import_workbook sorts them.
    return {
        "enterprises": [
            ["credit_code", "name", "region"],
            [TENCENT, "腾讯科技（深圳）有限公司", "440300"],
            [BYD, "比亚迪股份有限公司", "440300"],
        ],
        "regions": [
            ["code", "name_zh", "level", "parent"],
            ["440000", "广东省", "province", ""],
            ["440300", "深圳市", "city", "440000"],
        ],
        "说明": [["本工作簿用于测试"]],
    }


def test_a_workbook_imports_every_sheet_named_after_a_kind_parents_first(
    conn: sa.Connection, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "book.xlsx", _workbook_sheets())
    reports = import_workbook(conn, path)
    assert [(r.kind, r.inserted) for r in reports] == [("regions", 2), ("enterprises", 2)]
    assert reports[1].file == "book.xlsx [sheet enterprises]"


def test_a_workbook_with_one_bad_sheet_imports_nothing(conn: sa.Connection, tmp_path: Path) -> None:
    seed(conn, tmp_path / "seed")
    sheets = _workbook_sheets()
    sheets["regions"] = [["code", "name_zh", "level"], ["330200", "宁波市", "city"]]
    sheets["enterprises"][2][0] = BAD_CODE
    sheets["chains"] = [["code", "name_zh"], ["ICT", "信息通信"]]
    before = snapshot(conn)
    with pytest.raises(ImportRejected) as err:
        import_workbook(conn, write_xlsx(tmp_path / "book.xlsx", sheets))
    assert [(p.file, p.row, p.column) for p in err.value.problems] == [
        ("book.xlsx [sheet enterprises]", 3, "credit_code")
    ]
    assert "book.xlsx" in err.value.message
    assert snapshot(conn) == before


def test_a_workbook_with_an_unusable_sheet_imports_nothing(
    conn: sa.Connection, tmp_path: Path
) -> None:
    seed(conn, tmp_path / "seed")
    sheets = _workbook_sheets()
    sheets["enterprises"][0][2] = "regoin"
    before = snapshot(conn)
    with pytest.raises(
        ImportFormatError, match=r"book\.xlsx \[sheet enterprises\]: unknown column 'regoin'"
    ):
        import_workbook(conn, write_xlsx(tmp_path / "book.xlsx", sheets))
    assert snapshot(conn) == before


def test_a_workbook_with_no_sheet_named_after_a_kind_is_refused(
    conn: sa.Connection, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "book.xlsx", {"企业": [["name"], ["x"]]})
    with pytest.raises(ImportFormatError, match=r"no sheet is named after a kind .*found 企业"):
        import_workbook(conn, path)


def test_write_full_data_holds_one_file_per_kind(tmp_path: Path) -> None:
    from chainatlas.importers.specs import SPECS

    assert set(write_full_data(tmp_path)) == set(SPECS)


def test_an_import_in_a_transaction_that_is_rolled_back_leaves_nothing(
    fresh_engine: sa.Engine, tmp_path: Path
) -> None:
    path = write_text(tmp_path / "regions.csv", "code,name_zh,level\n330000,浙江省,province\n")
    with fresh_engine.connect() as connection:
        trans = connection.begin()
        assert import_file(connection, "regions", path).inserted == 1
        trans.rollback()
    with fresh_engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(s.regions)).scalar() == 0
