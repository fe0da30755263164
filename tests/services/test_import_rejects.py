"""A bad row refuses the whole file: the error names file, row and column; nothing changes.

Every case runs on both backends against a database that already holds rows (the seed),
and compares every table's full content before and after. Each file also holds valid new
rows; importing it again with ``skip_invalid`` proves those rows were writable, so
"nothing changed" really means the import held them back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from chainatlas.errors import ImportRejected
from chainatlas.services.import_run import ImportOptions, import_file
from tests.importers._helpers import (
    BAD_CODE,
    BYD,
    HUAWEI,
    TENCENT,
    seed,
    snapshot,
    write_text,
    write_xlsx,
)

Where = tuple[int | None, str | None]


@dataclass(frozen=True)
class Case:
    """One bad file: how to write it, and what the refusal must say."""

    id: str
    kind: str
    make: Callable[[Path], Path]
    #: (row, column header) of every problem.
    where: tuple[Where, ...]
    reason: str


def csv(name: str, text: str, encoding: str = "utf-8") -> Callable[[Path], Path]:
    return lambda folder: write_text(folder / name, text, encoding)


def rows(id: str, kind: str, name: str, text: str, where: tuple[Where, ...], reason: str) -> Case:
    return Case(id, kind, csv(name, text), where=where, reason=reason)


ROW_CASES = [
    rows(
        "bad credit code",
        "enterprises",
        "firms.csv",
        "统一社会信用代码,企业名称,地区\n"
        f"{TENCENT},腾讯科技（深圳）有限公司,440300\n"
        f"{BAD_CODE},华为技术有限公司,440300\n",
        ((3, "统一社会信用代码"),),
        "invalid credit code: check character is 7, expected 6 (GB 32100-2015)",
    ),
    rows(
        "bad number",
        "enterprise_years",
        "years.csv",
        f"企业,年份,从业人员\n{HUAWEI},2023,207000\n{HUAWEI},2022,约二十万\n",
        ((3, "从业人员"),),
        "not a number",
    ),
    rows(
        "bad money unit",
        "enterprise_years",
        "years.csv",
        f"企业,年份,营业收入\n{HUAWEI},2023,7042亿\n{HUAWEI},2022,990亿美元\n",
        ((3, "营业收入"),),
        "unknown money unit '亿美元'",
    ),
    rows(
        "negative money",
        "enterprise_years",
        "years.csv",
        f"企业,年份,营业收入（万元）\n{HUAWEI},2023,100\n{HUAWEI},2022,-5\n",
        ((3, "营业收入（万元）"),),
        "must be at least 0",
    ),
    rows(
        "share above one",
        "enterprise_segments",
        "shares.csv",
        f"企业,产业链,环节,收入占比\n杭州星海电池科技有限公司,NEV,BAT,35%\n{HUAWEI},NEV,VEH,35\n",
        ((3, "收入占比"),),
        "share must be between 0 and 1",
    ),
    rows(
        "bad date",
        "enterprises",
        "firms.csv",
        "企业名称,地区,成立日期\n宁波新材料有限公司,330100,2020-01-01\n"
        "杭州新材料有限公司,330100,2024-02-30\n",
        ((3, "成立日期"),),
        "not a date",
    ),
    rows(
        "unknown choice",
        "regions",
        "regions.csv",
        "code,name_zh,level\n330200,宁波市,city\n330300,温州市,大城市\n",
        ((3, "level"),),
        "not one of city, country, district, park, province",
    ),
    rows(
        "duplicate code in one file",
        "regions",
        "regions.csv",
        "code,name_zh,level\n330200,宁波市,city\n330200,宁波,city\n",
        ((3, "code"),),
        "duplicate of row 2 (same code)",
    ),
    rows(
        "duplicate credit code in one file",
        "enterprises",
        "firms.csv",
        "统一社会信用代码,企业名称,地区\n"
        f"{TENCENT},腾讯科技（深圳）有限公司,440300\n{TENCENT},腾讯科技,440300\n",
        ((3, "统一社会信用代码"),),
        "duplicate of row 2 (same credit_code)",
    ),
    rows(
        "unknown enterprise name",
        "supply_links",
        "links.csv",
        f"供应商,采购方,产品\n{HUAWEI},杭州星海电池科技有限公司,芯片\n{HUAWEI},不存在的公司,芯片\n",
        ((3, "采购方"),),
        "unknown enterprise '不存在的公司'",
    ),
    rows(
        "unknown enterprise credit code",
        "supply_links",
        "links.csv",
        f"供应商,采购方,产品\n{HUAWEI},杭州星海电池科技有限公司,芯片\n{HUAWEI},{BYD},芯片\n",
        ((3, "采购方"),),
        f"no enterprise has credit code {BYD}",
    ),
    rows(
        "unknown region",
        "enterprises",
        "firms.csv",
        "企业名称,地区\n宁波新材料有限公司,330100\n火星新材料有限公司,火星\n",
        ((3, "地区"),),
        "unknown region '火星'",
    ),
    rows(
        "unknown segment",
        "enterprise_segments",
        "shares.csv",
        f"企业,产业链,环节\n{HUAWEI},NEV,VEH\n{HUAWEI},NEV,XYZ\n",
        ((3, "环节"),),
        "chain 'NEV' has no segment 'XYZ'",
    ),
    rows(
        "self link",
        "supply_links",
        "links.csv",
        f"supplier,buyer,product\n{HUAWEI},杭州星海电池科技有限公司,芯片\n"
        f"{HUAWEI},华为技术有限公司,芯片\n",
        ((3, "buyer"),),
        "an enterprise cannot supply itself",
    ),
    rows(
        "segment supplying itself",
        "segment_edges",
        "edges.csv",
        "chain,supplier_segment,buyer_segment\nNEV,BAT,VEH\nNEV,VEH,VEH\n",
        ((3, "buyer_segment"),),
        "a segment cannot supply itself",
    ),
    rows(
        "end before start",
        "supply_links",
        "links.csv",
        "供应商,采购方,产品,开始日期,结束日期\n"
        f"{HUAWEI},杭州星海电池科技有限公司,芯片,2023-01-01,2024-01-01\n"
        f"杭州星海电池科技有限公司,{HUAWEI},电芯,2023-01-01,2022-12-31\n",
        ((3, "结束日期"),),
        "valid_to is before valid_from",
    ),
    rows(
        "too many fields",
        "regions",
        "regions.csv",
        "code,name_zh,level\n330200,宁波市,city\n330300,温州市,city,多余\n",
        ((3, None),),
        "row has 4 fields, the header has 3",
    ),
    rows(
        "missing field to create a record",
        "regions",
        "regions.csv",
        "code,name_zh,level\n330200,宁波市,city\n330300,温州市,\n",
        ((3, "level"),),
        "level is needed to create one",
    ),
    rows(
        "bad json",
        "policies",
        "policies.csv",
        "code,title,eligibility\nPOL1,扶持办法,{}\nPOL2,补贴办法,{all: 1}\n",
        ((3, "eligibility"),),
        "not valid JSON",
    ),
    rows(
        "parent cycle",
        "regions",
        "regions.csv",
        "code,name_zh,level,parent\n330200,宁波市,city,330000\n"
        "339901,甲园区,park,339902\n339902,乙园区,park,339901\n",
        ((3, "parent"), (4, "parent")),
        "unknown region",
    ),
    Case(
        "bad credit code in xlsx",
        "enterprises",
        lambda d: write_xlsx(
            d / "firms.xlsx",
            {
                "企业": [
                    ["统一社会信用代码", "企业名称", "地区"],
                    [TENCENT, "腾讯科技（深圳）有限公司", "440300"],
                    [],
                    [BAD_CODE, "华为技术有限公司", "440300"],
                ]
            },
        ),
        where=((4, "统一社会信用代码"),),
        reason="invalid credit code",
    ),
    Case(
        "share above one in json",
        "enterprise_segments",
        csv(
            "shares.json",
            '[{"enterprise": "杭州星海电池科技有限公司", "chain": "NEV", "segment": "BAT",'
            ' "revenue_share": 0.35},'
            f' {{"enterprise": "{HUAWEI}", "chain": "NEV", "segment": "VEH",'
            ' "revenue_share": 35}]',
        ),
        where=((2, "revenue_share"),),
        reason="share must be between 0 and 1",
    ),
]


@pytest.mark.parametrize("case", ROW_CASES, ids=lambda c: c.id)
def test_a_bad_row_refuses_the_file_naming_row_and_column_and_nothing_changes(
    conn: sa.Connection, tmp_path: Path, case: Case
) -> None:
    seed(conn, tmp_path / "seed")
    before = snapshot(conn)
    assert before["counts"]["enterprises"] == 2
    path = case.make(tmp_path)
    with pytest.raises(ImportRejected) as exc:
        import_file(conn, case.kind, path)
    assert snapshot(conn) == before
    err = exc.value
    assert err.message.startswith(f"import rejected: {len(err.problems)} problem(s)")
    assert f"of {path.name}" in err.message
    assert "nothing was changed" in err.message
    assert sorted(((p.row, p.column) for p in err.problems), key=repr) == sorted(
        case.where, key=repr
    )
    assert all(p.file.startswith(path.name) for p in err.problems)
    assert all(case.reason in p.reason for p in err.problems)
    first = err.problems[0]
    assert f"{first.file}, row {first.row}" in err.message
    if first.column is not None:
        assert f"column {first.column!r}" in err.message
    # The file's valid rows are writable: skipping the bad ones imports them.
    before = snapshot(conn)
    report = import_file(conn, case.kind, path, ImportOptions(skip_invalid=True))
    assert report.inserted >= 1
    assert report.skipped == len({r for r, _ in case.where})
    assert snapshot(conn) != before


def test_a_bad_set_value_is_reported_against_the_set_option(
    conn: sa.Connection, tmp_path: Path
) -> None:
    seed(conn, tmp_path / "seed")
    before = snapshot(conn)
    path = write_text(tmp_path / "firms.csv", "企业名称,地区\n宁波新材料有限公司,330100\n")
    with pytest.raises(ImportRejected) as err:
        import_file(conn, "enterprises", path, ImportOptions(constants={"founded_on": "去年"}))
    assert [(p.row, p.column, p.value) for p in err.value.problems] == [
        (2, "--set founded_on", "去年")
    ]
    assert snapshot(conn) == before


def test_an_unknown_reference_given_by_set_is_reported_against_the_set_option(
    conn: sa.Connection, tmp_path: Path
) -> None:
    seed(conn, tmp_path / "seed")
    path = write_text(tmp_path / "firms.csv", "企业名称\n宁波新材料有限公司\n")
    with pytest.raises(ImportRejected) as err:
        import_file(conn, "enterprises", path, ImportOptions(constants={"region": "火星"}))
    assert [(p.row, p.column, p.value) for p in err.value.problems] == [(2, "--set region", "火星")]


def test_a_text_longer_than_its_column_is_refused_naming_row_and_column(
    conn: sa.Connection, tmp_path: Path
) -> None:
    seed(conn, tmp_path / "seed")
    before = snapshot(conn)
    path = write_text(
        tmp_path / "regions.csv",
        f"code,name_zh,level\n330200,宁波市,city\n330300,{'温' * 201},city\n",
    )
    with pytest.raises(ImportRejected) as err:
        import_file(conn, "regions", path)
    assert [(p.row, p.column) for p in err.value.problems] == [(3, "name_zh")]
    assert snapshot(conn) == before


def test_a_whole_number_too_large_for_its_column_is_refused_naming_row_and_column(
    conn: sa.Connection, tmp_path: Path
) -> None:
    seed(conn, tmp_path / "seed")
    before = snapshot(conn)
    path = write_text(
        tmp_path / "years.csv", f"企业,年份,从业人员\n{HUAWEI},2023,207000\n{HUAWEI},2022,1e20\n"
    )
    with pytest.raises(ImportRejected) as err:
        import_file(conn, "enterprise_years", path)
    assert [(p.row, p.column) for p in err.value.problems] == [(3, "从业人员")]
    assert snapshot(conn) == before
