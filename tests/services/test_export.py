"""Export to XLSX or CSV files and import back: the same facts in a fresh database."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from chainatlas.errors import ImportFormatError
from chainatlas.importers.specs import IMPORT_ORDER, SPECS
from chainatlas.services.database import table_counts
from chainatlas.services.export import export_data
from chainatlas.services.import_run import import_file, import_workbook
from chainatlas.store.tx import tx
from tests.importers._helpers import BYD, FULL_DATA, HUAWEI, import_full_data, natural_dump


@pytest.fixture(scope="module")
def source(db_backend: str, _databases, tmp_path_factory: pytest.TempPathFactory) -> Engine:  # type: ignore[no-untyped-def]
    """A database filled through the importers with every kind of record (read only)."""
    engine: Engine = _databases.make(db_backend)
    with tx(engine) as conn:
        import_full_data(conn, tmp_path_factory.mktemp("data"))
    return engine


@pytest.fixture
def target(db_backend: str, _databases) -> Engine:  # type: ignore[no-untyped-def]
    """A second fresh, empty database on the same backend."""
    return _databases.make(db_backend)


def _dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return natural_dump(conn)


def test_an_xlsx_export_imports_into_a_fresh_database_with_identical_content(
    source: Engine, target: Engine, tmp_path: Path
) -> None:
    with tx(source) as conn:
        counts = export_data(conn, tmp_path / "out.xlsx")
        stored = table_counts(conn)
    assert counts == {kind: stored[SPECS[kind].table.name] for kind in FULL_DATA}
    with tx(target) as conn:
        reports = import_workbook(conn, tmp_path / "out.xlsx")
    assert [r.kind for r in reports] == list(FULL_DATA)
    assert all(r.inserted == r.rows and not r.problems for r in reports)
    expected = _dump(source)
    assert all(expected[name] for name in expected)  # every table holds rows
    assert _dump(target) == expected


def test_a_csv_export_imports_into_a_fresh_database_with_identical_content(
    source: Engine, target: Engine, tmp_path: Path
) -> None:
    with tx(source) as conn:
        counts = export_data(conn, tmp_path / "csv")
    files = sorted(p.name for p in (tmp_path / "csv").iterdir())
    assert files == sorted(f"{kind}.csv" for kind in FULL_DATA)
    with tx(target) as conn:
        for spec in IMPORT_ORDER:
            report = import_file(conn, spec.kind, tmp_path / "csv" / f"{spec.kind}.csv")
            assert report.inserted == counts[spec.kind]
    assert _dump(target) == _dump(source)


def test_re_importing_an_export_into_its_own_database_changes_nothing(
    source: Engine, tmp_path: Path
) -> None:
    before = _dump(source)
    with tx(source) as conn:
        export_data(conn, tmp_path / "out.xlsx")
    with tx(source) as conn:
        reports = import_workbook(conn, tmp_path / "out.xlsx")
    assert [(r.kind, r.inserted, r.updated) for r in reports] == [
        (kind, 0, 0) for kind in FULL_DATA
    ]
    assert _dump(source) == before


def test_the_workbook_has_one_sheet_per_kind_with_field_headers_and_codes_for_references(
    source: Engine, tmp_path: Path
) -> None:
    with tx(source) as conn:
        export_data(conn, tmp_path / "out.xlsx")
    wb = load_workbook(tmp_path / "out.xlsx", read_only=True)
    assert wb.sheetnames == list(FULL_DATA)
    for kind in FULL_DATA:
        header = next(wb[kind].iter_rows(max_row=1, values_only=True))
        assert list(header) == SPECS[kind].field_names, kind
    firms = [
        dict(zip(SPECS["enterprises"].field_names, r, strict=True))
        for r in wb["enterprises"].iter_rows(min_row=2, values_only=True)
    ]
    byd = next(f for f in firms if f["credit_code"] == BYD)
    assert (byd["region"], byd["industry_scheme"], byd["industry_code"]) == (
        "440300",
        "gbt4754",
        "C384",
    )
    assert (byd["stock_code"], byd["listed"], byd["founded_on"]) == ("002594", "true", "1995-02-10")
    huawei = next(f for f in firms if f["credit_code"] == HUAWEI)
    assert json.loads(str(huawei["tags"])) == ["通信", "终端"]
    links = list(wb["supply_links"].iter_rows(min_row=2, values_only=True))
    assert ("杭州星海电池科技有限公司", BYD, "电芯", "NEV", "CELL") in [r[:5] for r in links]


def test_the_csv_export_is_utf8_with_a_bom_for_excel(source: Engine, tmp_path: Path) -> None:
    with tx(source) as conn:
        export_data(conn, tmp_path / "csv", kinds=["regions"])
    raw = (tmp_path / "csv" / "regions.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with (tmp_path / "csv" / "regions.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == SPECS["regions"].field_names
    assert ["330100", "杭州市", "Hangzhou", "city", "330000"] in [r[:5] for r in rows]


def test_exporting_some_kinds_writes_only_those_in_import_order(
    source: Engine, tmp_path: Path
) -> None:
    with tx(source) as conn:
        counts = export_data(conn, tmp_path / "some.xlsx", kinds=["enterprises", "regions"])
    assert list(counts) == ["regions", "enterprises"]
    assert load_workbook(tmp_path / "some.xlsx", read_only=True).sheetnames == list(counts)


def test_an_empty_database_exports_a_workbook_that_imports_as_nothing_to_do(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    with tx(fresh_engine) as conn:
        assert export_data(conn, tmp_path / "empty.xlsx") == {}
        assert export_data(conn, tmp_path / "empty_csv") == {}
    assert load_workbook(tmp_path / "empty.xlsx", read_only=True).sheetnames == ["empty"]
    assert list((tmp_path / "empty_csv").iterdir()) == []
    with tx(fresh_engine) as conn, pytest.raises(ImportFormatError, match="no sheet is named"):
        import_workbook(conn, tmp_path / "empty.xlsx")
    with fresh_engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from regions")).scalar() == 0
