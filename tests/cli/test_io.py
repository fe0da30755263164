"""``chainatlas io``: the load and linkages commands, invoked through CliRunner."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chainatlas.cli.io import app
from chainatlas.errors import ImportFormatError, InvalidData, UnbalancedTableError

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"

TABLE = """sector,agri,manu,serv,households,exports,total_output
agri,150,500,50,250,50,1000
manu,200,100,400,800,500,2000
serv,100,300,100,400,100,1000
wages,300,500,300,,,
other_va,250,600,150,,,
"""

runner = CliRunner()


def _data(*parts: str) -> Path:
    path = DATA.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"shared data missing in CI: {path}")
        pytest.skip(f"shared data not available: {path}")
    return path


@pytest.fixture
def table_csv(tmp_path: Path) -> Path:
    path = tmp_path / "region.csv"
    path.write_text(TABLE, encoding="utf-8")
    return path


def test_load_prints_sectors_output_and_a_passing_balance_check(table_csv: Path) -> None:
    result = runner.invoke(app, ["load", str(table_csv)])
    assert result.exit_code == 0, result.output
    assert "Sectors:        3" in result.output
    assert "Total output:   4,000" in result.output
    assert "Balance:        OK" in result.output


def test_load_reports_an_unbalanced_table_and_strict_fails(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(TABLE.replace("400,100,1000", "400,100,1100"), encoding="utf-8")
    result = runner.invoke(app, ["load", str(path)])
    assert result.exit_code == 0
    assert "NOT balanced" in result.output and "serv -100" in result.output
    strict = runner.invoke(app, ["load", str(path), "--strict"])
    assert strict.exit_code == 1
    assert isinstance(strict.exception, UnbalancedTableError)


def test_load_of_a_bad_file_raises_an_import_format_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(TABLE.replace("200,100,400", "200,x,400"), encoding="utf-8")
    result = runner.invoke(app, ["load", str(path)])
    assert result.exit_code == 1
    assert isinstance(result.exception, ImportFormatError)
    assert "broken.csv, row 3, column 'manu'" in result.exception.message


def test_linkages_prints_a_key_sector_table(table_csv: Path) -> None:
    result = runner.invoke(app, ["linkages", str(table_csv), "--top", "2"])
    assert result.exit_code == 0, result.output
    assert "Backward" in result.output and "Forward" in result.output
    assert "3 sectors:" in result.output


def test_linkages_json_lists_top_sectors_with_their_class(table_csv: Path) -> None:
    result = runner.invoke(app, ["linkages", str(table_csv), "--format", "json", "--top", "0"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["sectors"] == 3 and len(report["rows"]) == 3
    assert sum(report["counts"].values()) == 3
    backward = [row["backward"] for row in report["rows"]]
    assert sum(backward) == pytest.approx(3.0)
    classes = [row["sector_class"] for row in report["rows"]]
    assert classes == sorted(classes, key=lambda c: c != "key")


def test_linkages_on_negative_flows_needs_clip_negative(tmp_path: Path) -> None:
    path = tmp_path / "neg.csv"
    path.write_text(TABLE.replace("agri,150,500,50", "agri,150,500,-50"), encoding="utf-8")
    result = runner.invoke(app, ["linkages", str(path)])
    assert isinstance(result.exception, InvalidData)
    assert "('agri', 'serv')" in result.exception.message
    clipped = runner.invoke(app, ["linkages", str(path), "--clip-negative"])
    assert clipped.exit_code == 0, clipped.output
    assert "1 negative flows were set to 0" in clipped.output


def test_load_reads_a_bea_year_sheet() -> None:
    path = _data("bea_io", "IOUse_Before_Redefinitions_PRO_1997-2015_Summary.xlsx")
    result = runner.invoke(app, ["load", str(path), "--layout", "bea", "--year", "2015"])
    assert result.exit_code == 0, result.output
    assert "Sectors:        71" in result.output


def test_linkages_on_the_nbs_2020_table_finds_key_sectors() -> None:
    path = _data("china_io", "china_2020_42.csv")
    result = runner.invoke(app, ["linkages", str(path), "-l", "nbs", "-f", "json", "-n", "3"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [row["sector_class"] for row in report["rows"]] == ["key"] * 3
