"""Loading input-output tables: generic CSV/XLSX, China NBS, OECD and US BEA layouts."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from chainatlas.domain.iotable import IOTable
from chainatlas.errors import ImportFormatError, InvalidData, UnbalancedTableError
from chainatlas.importers.io_tables import (
    balance_gaps,
    check_balance,
    load_io_table,
    read_bea_matrix,
)

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"

# Miller & Blair (2009) Table 2.3 in the generic layout.
GENERIC = """sector,agri,manu,households,exports,total_output
agri,150,500,300,50,1000
manu,200,100,1200,500,2000
wages,300,500,,,
other_va,350,900,,,
"""


def _data(*parts: str) -> Path:
    path = DATA.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"shared data missing in CI: {path}")
        pytest.skip(f"shared data not available: {path}")
    return path


def _write(tmp_path: Path, text: str, name: str = "table.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_generic_csv_loads_flows_final_demand_output_and_value_added(tmp_path: Path) -> None:
    table = load_io_table(_write(tmp_path, GENERIC))
    sectors = pd.Index(["agri", "manu"])
    pd.testing.assert_frame_equal(
        table.Z, pd.DataFrame([[150.0, 500.0], [200.0, 100.0]], sectors, sectors)
    )
    assert list(table.final_demand.columns) == ["households", "exports"]
    np.testing.assert_allclose(table.f, [350.0, 1700.0])
    np.testing.assert_allclose(table.x, [1000.0, 2000.0])
    assert table.value_added is not None
    assert list(table.value_added.index) == ["wages", "other_va"]
    gaps = check_balance(table, rtol=1e-12)
    np.testing.assert_allclose(gaps[["row_gap", "column_gap"]].to_numpy(), 0.0)


def test_generic_layout_accepts_a_total_output_row_instead_of_a_column(tmp_path: Path) -> None:
    text = "code,a,b,fd\na,1,2,7\nb,3,4,3\nva,6,4,\ntotal_output,10,10,\n"
    table = load_io_table(_write(tmp_path, text))
    np.testing.assert_allclose(table.x, [10.0, 10.0])
    check_balance(table)


def test_generic_xlsx_is_read_from_the_named_sheet(tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "notes"
    sheet = book.create_sheet("2020")
    for row in GENERIC.strip().splitlines():
        sheet.append(
            [float(c) if c.replace(".", "").isdigit() else (c or None) for c in row.split(",")]
        )
    path = tmp_path / "table.xlsx"
    book.save(path)
    table = load_io_table(path, sheet="2020")
    np.testing.assert_allclose(table.Z.to_numpy(), [[150.0, 500.0], [200.0, 100.0]])
    with pytest.raises(
        ImportFormatError, match=r"table.xlsx: no sheet 'Sheet9' \(sheets: notes, 2020\)"
    ):
        load_io_table(path, sheet="Sheet9")


def test_non_numeric_cell_names_file_row_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, GENERIC.replace("200,100", "200,n/a"))
    with pytest.raises(
        ImportFormatError,
        match=r"table.csv, row 3, column 'manu': expected a number \(value 'n/a'\)",
    ):
        load_io_table(path)


def test_non_square_block_is_rejected(tmp_path: Path) -> None:
    text = "sector,agri,manu,total_output\nmanu,1,2,3\nagri,1,2,3\n"
    with pytest.raises(ImportFormatError, match="no square sector block"):
        load_io_table(_write(tmp_path, text))
    text = "sector,agri,fd,manu,total_output\nagri,1,2,3,4\nmanu,1,2,3,4\n"
    with pytest.raises(
        ImportFormatError, match="row 1, column 'manu': sector columns must come first"
    ):
        load_io_table(_write(tmp_path, text))


def test_missing_total_output_and_missing_file_are_format_errors(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="no total-output column or row"):
        load_io_table(_write(tmp_path, "s,a,b,fd\na,1,2,3\nb,1,2,3\n"))
    with pytest.raises(ImportFormatError, match="no such file"):
        load_io_table(tmp_path / "absent.csv")
    with pytest.raises(ImportFormatError, match="unknown layout"):
        load_io_table(_write(tmp_path, GENERIC), "wiod")  # type: ignore[arg-type]


def test_unbalanced_table_names_the_worst_sector_and_the_gap(tmp_path: Path) -> None:
    table = load_io_table(_write(tmp_path, GENERIC.replace("1200,500,2000", "1200,500,2100")))
    with pytest.raises(
        UnbalancedTableError, match=r"rows .* off in 1 sectors; worst: manu -100 \(-4\.76%\)"
    ):
        check_balance(table)
    gaps = balance_gaps(table)
    assert gaps.loc["manu", "row_gap"] == pytest.approx(-100.0)


def test_iotable_rejects_mismatched_labels_and_missing_values() -> None:
    s = pd.Index(["a", "b"])
    Z = pd.DataFrame(np.ones((2, 2)), s, s)
    fd = pd.DataFrame({"hh": [1.0, 1.0]}, index=s)
    with pytest.raises(InvalidData, match="total output must be indexed"):
        IOTable(Z=Z, final_demand=fd, x=pd.Series([3.0, 3.0], index=["a", "c"]))
    with pytest.raises(InvalidData, match=r"Z has a missing value at \('b', 'a'\)"):
        IOTable(
            Z=Z.mask(Z.index.to_series() == "b", axis=0),
            final_demand=fd,
            x=pd.Series([3.0, 3.0], s),
        )


def test_nbs_2012_competitive_table_loads_and_balances() -> None:
    table = load_io_table(_data("china_io", "china_2012_139.csv"), "nbs")
    assert len(table.sectors) == 139 and table.sectors[0] == "001"
    assert table.imports is None
    # total gross output 1.602e10 (10,000 CNY) per the data notes
    assert table.x.sum() == pytest.approx(1.602e10, rel=1e-3)
    assert list(table.final_demand.columns)[-2:] == ["IM", "ERR"]
    assert (table.final_demand["IM"] <= 0).all()
    assert table.sector_names is not None and table.sector_names["001"] == "Agriculture"
    check_balance(table, rtol=1e-9)


def test_nbs_2017_non_competitive_table_keeps_imports_apart() -> None:
    table = load_io_table(_data("china_io", "china_2017_42.csv"), "nbs", names="zh")
    assert table.imports is not None and table.imports.shape == (42, 42)
    assert list(table.final_demand.columns) == ["TC", "FU201", "FU202", "EX"]
    assert table.sector_names is not None and table.sector_names["01"] == "农林牧渔产品和服务"
    check_balance(table, rtol=1e-9)


def test_oecd_file_needs_a_year_and_balances_to_rounding() -> None:
    path = _data("china_io", "OECD21ed_CHN_1995to2018.csv")
    with pytest.raises(ImportFormatError, match="choose --year"):
        load_io_table(path, "oecd")
    table = load_io_table(path, "oecd", year=2018)
    assert len(table.sectors) == 45
    assert table.value_added is not None and "VALU" in table.value_added.index
    check_balance(table, rtol=1e-3)


def test_bea_summary_use_table_is_read_from_the_year_sheet() -> None:
    path = _data("bea_io", "IOUse_Before_Redefinitions_PRO_1997-2015_Summary.xlsx")
    with pytest.raises(ImportFormatError, match="choose one with --sheet or --year"):
        load_io_table(path, "bea")
    table = load_io_table(path, "bea", year=2015)
    assert len(table.sectors) == 71 and table.sectors[0] == "111CA"
    assert table.value_added is not None
    assert list(table.value_added.index) == ["Used", "Other", "V001", "V002", "V003"]
    # inputs balance industry output; rows balance commodity output, not industry output
    assert balance_gaps(table)["column_gap_share"].abs().max() < 2e-4
    with pytest.raises(UnbalancedTableError, match=r"^table .* rows \("):
        check_balance(table)


def test_bea_detail_use_table_has_389_industries() -> None:
    table = load_io_table(_data("bea_io", "IOUse_Before_Redefinitions_PRO_2007_Detail.xlsx"), "bea")
    assert len(table.sectors) == 389
    assert "111200" in table.sectors  # numeric codes lose Excel's '.0'


def test_bea_requirements_matrix_totals_row_matches_its_column_sums() -> None:
    tr = read_bea_matrix(_data("bea_io", "IxC_TR_2007_Detail.xlsx"))
    body = tr.drop(index="T010")
    np.testing.assert_allclose(body.sum().to_numpy(), tr.loc["T010"].to_numpy(), atol=1e-3)


def test_bea_missing_sheet_is_a_format_error() -> None:
    path = _data("bea_io", "IxC_TR_1997-2015_Summary.xlsx")
    with pytest.raises(ImportFormatError, match="no sheet '1990'"):
        read_bea_matrix(path, year=1990)
    with pytest.raises(ImportFormatError, match="not a BEA use table"):
        load_io_table(path, "bea", year=2015)


def test_total_output_row_must_agree_with_the_column(tmp_path: Path) -> None:
    text = GENERIC + "total_output,1000,2001,,,\n"
    with pytest.raises(ImportFormatError, match="row 6, column 'manu': total-output row disagrees"):
        load_io_table(_write(tmp_path, text))
    load_io_table(_write(tmp_path, GENERIC + "total_output,1000,2000,,,\n"))


def test_xlsx_errors_give_the_spreadsheet_row_even_below_empty_rows(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    rows = [r.split(",") for r in GENERIC.strip().splitlines()]
    rows[2][2] = "oops"
    for i, row in enumerate(rows, start=4):
        for j, value in enumerate(row, start=2):
            sheet.cell(row=i, column=j, value=value or None)
    path = tmp_path / "offset.xlsx"
    book.save(path)
    with pytest.raises(ImportFormatError, match=r"offset.xlsx \[Sheet\], row 6, column 'manu'"):
        load_io_table(path)


NBS_TINY = (
    "Code,Description,DescriptionInChinese,01,02,TIU,FU101,FU102,FU103,FU201,FU202,EX,TFU,IM,GO\n"
    """01,Farming,农业,10,20,30,5,5,5,5,0,10,30,10,50
02,Industry,工业,15,40,55,10,10,5,20,0,15,60,15,100

VA001,Wages,劳动者报酬,15,30,,,,,,,,,,
VA004,Surplus,营业盈余,10,10,,,,,,,,,,
"""
)


def test_nbs_layout_loads_a_small_competitive_table(tmp_path: Path) -> None:
    table = load_io_table(_write(tmp_path, NBS_TINY), "nbs")
    np.testing.assert_allclose(table.final_demand["IM"], [-10.0, -15.0])
    assert table.value_added is not None and list(table.value_added.index) == ["VA001", "VA004"]
    check_balance(table, rtol=1e-12)


def test_nbs_layout_without_gross_output_is_a_format_error(tmp_path: Path) -> None:
    text = NBS_TINY.replace(",IM,GO", ",IM,XX")
    with pytest.raises(ImportFormatError, match="row 1, column 'GO': required column is missing"):
        load_io_table(_write(tmp_path, text), "nbs")


def test_nbs_layout_names_a_non_numeric_cell(tmp_path: Path) -> None:
    text = NBS_TINY.replace("02,Industry,工业,15,", "02,Industry,工业,1 5,")
    with pytest.raises(
        ImportFormatError, match=r"row 3, column '01': expected a number \(value '1 5'\)"
    ):
        load_io_table(_write(tmp_path, text), "nbs")
