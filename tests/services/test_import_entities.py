"""Entity resolution on import: credit code, stock code, normalised name plus region.

Probable duplicates (close names) are listed for review and never merged.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from chainatlas.errors import ImportRejected
from chainatlas.importers.report import ImportReport
from chainatlas.services.import_run import import_file
from chainatlas.store import schema as s
from tests.importers._helpers import BYD, HUAWEI, TENCENT, seed, write_text

HEADER = "统一社会信用代码,企业名称,地区,股票代码\n"


def _import(conn: sa.Connection, folder: Path, name: str, body: str) -> ImportReport:
    return import_file(conn, "enterprises", write_text(folder / name, HEADER + body))


def _firms(conn: sa.Connection) -> dict[int, tuple[object, ...]]:
    t, r = s.enterprises, s.regions
    rows = conn.execute(
        sa.select(t.c.id, t.c.name, t.c.credit_code, r.c.code, t.c.aliases).join_from(
            t, r, t.c.region_id == r.c.id, isouter=True
        )
    ).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def _id_of(firms: dict[int, tuple[object, ...]], name: str) -> int:
    (ident,) = [i for i, f in firms.items() if f[0] == name]
    return ident


@pytest.fixture
def firms_before(conn: sa.Connection, tmp_path: Path) -> dict[int, tuple[object, ...]]:
    seed(conn, tmp_path / "seed")  # 华为 (credit code, 深圳) and 杭州星海电池科技 (no code, 杭州)
    _import(conn, tmp_path, "listed.csv", f"{BYD},比亚迪股份有限公司,440300,002594.SZ\n")
    return _firms(conn)


def test_the_same_credit_code_under_a_new_name_is_the_same_firm_and_keeps_the_old_name(
    conn: sa.Connection, tmp_path: Path, firms_before: dict[int, tuple[object, ...]]
) -> None:
    report = _import(conn, tmp_path, "renamed.csv", f"{HUAWEI},华为技术股份有限公司,440300,\n")
    assert (report.inserted, report.updated) == (0, 1)
    firms = _firms(conn)
    assert firms.keys() == firms_before.keys()
    ident = _id_of(firms_before, "华为技术有限公司")
    assert firms[ident][:3] == ("华为技术股份有限公司", HUAWEI, "440300")
    assert firms[ident][3] == ["华为技术有限公司"]


def test_without_a_credit_code_the_same_normalised_name_in_the_same_region_is_the_same_firm(
    conn: sa.Connection, tmp_path: Path, firms_before: dict[int, tuple[object, ...]]
) -> None:
    report = _import(conn, tmp_path, "again.csv", ",杭州星海电池科技 股份有限公司,杭州市,\n")
    assert (report.inserted, report.updated) == (0, 1)
    firms = _firms(conn)
    assert firms.keys() == firms_before.keys()
    ident = _id_of(firms_before, "杭州星海电池科技有限公司")
    assert firms[ident][0] == "杭州星海电池科技 股份有限公司"
    assert firms[ident][3] == ["杭州星海电池科技有限公司"]


def test_the_same_name_in_another_region_is_a_different_firm(
    conn: sa.Connection, tmp_path: Path, firms_before: dict[int, tuple[object, ...]]
) -> None:
    report = _import(conn, tmp_path, "shenzhen.csv", ",杭州星海电池科技有限公司,440300,\n")
    assert (report.inserted, report.updated) == (1, 0)
    firms = _firms(conn)
    assert len(firms) == len(firms_before) + 1
    regions = sorted(str(f[2]) for f in firms.values() if f[0] == "杭州星海电池科技有限公司")
    assert regions == ["330100", "440300"]


def test_a_credit_code_fills_in_the_firm_of_the_same_name_that_had_none(
    conn: sa.Connection, tmp_path: Path, firms_before: dict[int, tuple[object, ...]]
) -> None:
    report = _import(conn, tmp_path, "coded.csv", f"{TENCENT},杭州星海电池科技有限公司,330100,\n")
    assert (report.inserted, report.updated) == (0, 1)
    ident = _id_of(firms_before, "杭州星海电池科技有限公司")
    assert _firms(conn)[ident][1] == TENCENT


def test_a_different_credit_code_under_a_known_name_is_a_different_firm(
    conn: sa.Connection, tmp_path: Path, firms_before: dict[int, tuple[object, ...]]
) -> None:
    report = _import(conn, tmp_path, "other.csv", f"{TENCENT},华为技术有限公司,440300,\n")
    assert (report.inserted, report.updated) == (1, 0)
    codes = sorted(str(f[1]) for f in _firms(conn).values() if f[0] == "华为技术有限公司")
    assert codes == sorted([HUAWEI, TENCENT])


def test_a_stock_code_with_or_without_exchange_finds_the_listed_firm(
    conn: sa.Connection, tmp_path: Path, firms_before: dict[int, tuple[object, ...]]
) -> None:
    path = write_text(
        tmp_path / "ticker.csv", "企业名称,地区,股票代码\nBYD Company Limited,440300,SZ002594\n"
    )
    report = import_file(conn, "enterprises", path)
    assert (report.inserted, report.updated) == (0, 1)
    ident = _id_of(firms_before, "比亚迪股份有限公司")
    firm = _firms(conn)[ident]
    assert firm[:2] == ("BYD Company Limited", BYD)
    assert firm[3] == ["比亚迪股份有限公司"]


def test_close_names_are_listed_as_probable_duplicates_and_not_merged(
    conn: sa.Connection, tmp_path: Path, firms_before: dict[int, tuple[object, ...]]
) -> None:
    report = _import(
        conn,
        tmp_path,
        "close.csv",
        ",杭州星海电科技有限公司,330100,\n"  # one character missing: 电池 -> 电
        ",杭州星海新能源材料科技有限公司,330100,\n"
        ",杭州星海新能源材科技有限公司,330100,\n"  # one character missing
        ",杭州云帆数据服务有限公司,330100,\n",
    )
    assert (report.inserted, report.updated) == (4, 0)
    assert len(_firms(conn)) == len(firms_before) + 4
    known = _id_of(firms_before, "杭州星海电池科技有限公司")
    pairs = {(d.row, d.name, d.other_name, d.other_id) for d in report.duplicates}
    new_id = _id_of(_firms(conn), "杭州星海新能源材科技有限公司")
    assert pairs == {
        (2, "杭州星海电科技有限公司", "杭州星海电池科技有限公司", known),
        (3, "杭州星海新能源材料科技有限公司", "杭州星海新能源材科技有限公司", new_id),
    }
    assert all(90 <= d.score < 100 for d in report.duplicates)


def test_close_names_in_different_regions_are_not_probable_duplicates(
    conn: sa.Connection, tmp_path: Path, firms_before: dict[int, tuple[object, ...]]
) -> None:
    report = _import(conn, tmp_path, "far.csv", ",杭州星海电科技有限公司,440300,\n")
    assert report.inserted == 1
    assert report.duplicates == []


def test_enterprises_are_referenced_by_credit_code_stock_code_or_name(
    conn: sa.Connection, tmp_path: Path, firms_before: dict[int, tuple[object, ...]]
) -> None:
    path = write_text(
        tmp_path / "links.csv",
        "供应商,采购方,产品\n"
        f"{HUAWEI},002594.SZ,车机芯片\n"
        f"杭州星海电池科技股份有限公司,{BYD.lower()},电芯\n",
    )
    assert import_file(conn, "supply_links", path).inserted == 2
    t = s.supply_links
    pairs = conn.execute(sa.select(t.c.supplier_id, t.c.buyer_id, t.c.product)).all()
    byd = _id_of(firms_before, "比亚迪股份有限公司")
    assert sorted(tuple(p) for p in pairs) == sorted(
        [
            (_id_of(firms_before, "华为技术有限公司"), byd, "车机芯片"),
            (_id_of(firms_before, "杭州星海电池科技有限公司"), byd, "电芯"),
        ]
    )


def test_a_name_shared_by_two_firms_is_refused_as_a_reference(
    conn: sa.Connection, tmp_path: Path, firms_before: dict[int, tuple[object, ...]]
) -> None:
    _import(conn, tmp_path, "twin.csv", ",杭州星海电池科技有限公司,440300,\n")
    path = write_text(
        tmp_path / "links.csv", f"供应商,采购方,产品\n杭州星海电池科技有限公司,{BYD},电芯\n"
    )
    with pytest.raises(ImportRejected) as err:
        import_file(conn, "supply_links", path)
    (problem,) = err.value.problems
    assert (problem.row, problem.column) == (2, "供应商")
    assert "2 enterprises are called '杭州星海电池科技有限公司'; give the credit code" in (
        problem.reason
    )


@pytest.mark.parametrize(
    "row",
    [",华为技术有限公司,440300,", ",BYD Company Limited,440300,002594.SZ"],
    ids=["matched by name", "matched by stock code"],
)
def test_an_empty_credit_code_cell_does_not_erase_the_code_of_the_matched_firm(
    conn: sa.Connection, tmp_path: Path, firms_before: dict[int, tuple[object, ...]], row: str
) -> None:
    assert _import(conn, tmp_path, "blank.csv", row + "\n").inserted == 0
    codes = {f[1] for f in _firms(conn).values()}
    assert {HUAWEI, BYD} <= codes
    again = _import(
        conn,
        tmp_path,
        "coded.csv",
        f"{HUAWEI},华为技术有限公司,440300,\n{BYD},比亚迪股份有限公司,440300,002594\n",
    )
    assert again.inserted == 0


def test_supply_links_without_a_product_column_are_imported_with_an_empty_product(
    conn: sa.Connection, tmp_path: Path, firms_before: dict[int, tuple[object, ...]]
) -> None:
    path = write_text(tmp_path / "links.csv", f"供应商,采购方\n{HUAWEI},{BYD}\n")
    assert import_file(conn, "supply_links", path).inserted == 1
    product = conn.execute(sa.select(s.supply_links.c.product)).scalar_one()
    assert product == ""


def test_a_file_naming_a_firm_with_and_without_its_code_imports_the_same_way_twice(
    conn: sa.Connection, tmp_path: Path
) -> None:
    seed(conn, tmp_path / "seed")
    path = write_text(
        tmp_path / "mixed.csv",
        HEADER + f"{TENCENT},杭州云帆科技有限公司,330100,\n,杭州云帆科技有限公司,330100,\n",
    )
    outcomes = []
    for _ in range(2):
        try:
            report = import_file(conn, "enterprises", path)
        except ImportRejected as err:
            outcomes.append(("rejected", [(p.row, p.reason) for p in err.problems]))
        else:
            outcomes.append(("imported", report.inserted + report.updated))
    if outcomes[0][0] == "imported":
        assert outcomes[1] == ("imported", 0)
    else:
        assert outcomes[1] == outcomes[0]
