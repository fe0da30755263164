"""``chainatlas import`` and ``chainatlas export`` through the command line."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from typer.testing import CliRunner, Result

from chainatlas.cli import app, main
from chainatlas.errors import ImportFormatError, ImportRejected
from chainatlas.store.tx import tx
from tests.importers._helpers import (
    BAD_CODE,
    BYD,
    FULL_DATA,
    TENCENT,
    cli_db_url,
    import_full_data,
    natural_dump,
    seed,
    snapshot,
    write_text,
)

REASON = "invalid credit code: check character is 7, expected 6 (GB 32100-2015)"
FIRMS = (
    "统一社会信用代码,企业名称,地区\n"
    f"{TENCENT},腾讯科技（深圳）有限公司,440300\n"
    f"{BAD_CODE},华为技术有限公司,440300\n"
)


def invoke(*args: object) -> Result:
    # A wide terminal keeps Rich from wrapping long paths and URLs.
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "400"})


def _seed(engine: Engine, folder: Path) -> Engine:
    with tx(engine) as conn:
        seed(conn, folder)
    return engine


@pytest.fixture
def seeded(fresh_engine: Engine, tmp_path: Path) -> Engine:
    """A seeded database on each backend."""
    return _seed(fresh_engine, tmp_path / "seed")


@pytest.fixture
def seeded_file(sqlite_engine: Engine, tmp_path: Path) -> Engine:
    """A seeded SQLite file, for options that do not depend on the backend."""
    return _seed(sqlite_engine, tmp_path / "seed")


def _snapshot(engine: Engine) -> dict[str, object]:
    with engine.connect() as conn:
        return snapshot(conn)


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error:")]


def test_a_bad_credit_code_exits_1_writes_the_csv_report_and_changes_nothing(
    seeded: Engine, tmp_path: Path
) -> None:
    before = _snapshot(seeded)
    path = write_text(tmp_path / "firms.csv", FIRMS)
    report = tmp_path / "problems.csv"
    result = invoke("import", "enterprises", path, "--db", cli_db_url(seeded), "--report", report)
    assert result.exit_code == 1
    assert isinstance(result.exception, ImportRejected)
    assert "Problem report written to" in result.stderr
    assert report.read_bytes().startswith(b"\xef\xbb\xbf")
    with report.open(encoding="utf-8-sig", newline="") as fh:
        assert list(csv.reader(fh)) == [
            ["file", "row", "column", "value", "reason"],
            ["firms.csv", "3", "统一社会信用代码", BAD_CODE, REASON],
        ]
    assert _snapshot(seeded) == before


def test_the_problem_report_can_be_an_xlsx_workbook(seeded_file: Engine, tmp_path: Path) -> None:
    path = write_text(tmp_path / "firms.csv", FIRMS)
    report = tmp_path / "problems.xlsx"
    result = invoke(
        "import", "enterprises", path, "--db", cli_db_url(seeded_file), "--report", report
    )
    assert result.exit_code == 1
    rows = list(load_workbook(report).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows == [
        ("file", "row", "column", "value", "reason"),
        ("firms.csv", 3, "统一社会信用代码", BAD_CODE, REASON),
    ]


def test_main_prints_one_error_line_naming_file_row_and_column(
    seeded: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = _snapshot(seeded)
    path = write_text(tmp_path / "firms.csv", FIRMS)
    argv = ["chainatlas", "import", "enterprises", str(path), "--db", cli_db_url(seeded)]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 1
    (line,) = _error_lines(capsys.readouterr().err)
    assert line.startswith("Error: import rejected: 1 problem(s) in 1 row(s) of firms.csv")
    assert "firms.csv, row 3, column '统一社会信用代码'" in line
    assert _snapshot(seeded) == before


def test_the_installed_command_exits_1_with_one_error_line(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("chainatlas")
    assert script.exists(), "the chainatlas console script is installed next to python"
    db = tmp_path / "cli.db"
    regions = write_text(tmp_path / "regions.csv", "code,name_zh,level\n440300,深圳市,city\n")
    firms = write_text(tmp_path / "firms.csv", FIRMS)
    ok = subprocess.run(
        [script, "import", "regions", regions, "--db", db],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(
        [script, "import", "enterprises", firms, "--db", db],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    (line,) = _error_lines(bad.stderr)
    assert "row 3, column '统一社会信用代码'" in line
    assert "Traceback" not in bad.stderr


def test_skip_invalid_exits_0_imports_the_valid_rows_and_reports_the_rest(
    seeded_file: Engine, tmp_path: Path
) -> None:
    path = write_text(tmp_path / "firms.csv", FIRMS)
    report = tmp_path / "problems.csv"
    url = cli_db_url(seeded_file)
    result = invoke(
        "import", "enterprises", path, "--skip-invalid", "--db", url, "--report", report
    )
    assert result.exit_code == 0, result.output
    assert "1 inserted" in result.stdout
    assert "1 skipped" in result.stdout
    with report.open(encoding="utf-8-sig", newline="") as fh:
        assert [r[:3] for r in csv.reader(fh)] == [
            ["file", "row", "column"],
            ["firms.csv", "3", "统一社会信用代码"],
        ]
    assert _snapshot(seeded_file)["counts"]["enterprises"] == 3  # type: ignore[index]


def test_json_output_is_parseable_and_holds_the_report(seeded_file: Engine, tmp_path: Path) -> None:
    path = write_text(tmp_path / "firms.csv", FIRMS)
    url = cli_db_url(seeded_file)
    result = invoke("import", "enterprises", path, "--skip-invalid", "--json", "--db", url)
    assert result.exit_code == 0
    (report,) = json.loads(result.stdout)
    assert (report["kind"], report["rows"], report["inserted"], report["skipped"]) == (
        "enterprises",
        2,
        1,
        1,
    )
    assert report["encoding"] == "utf-8"
    assert report["committed"] is True
    assert report["problems"] == [
        {
            "file": "firms.csv",
            "row": 3,
            "column": "统一社会信用代码",
            "value": BAD_CODE,
            "reason": REASON,
        }
    ]


def test_map_and_set_options_reach_the_importer(seeded_file: Engine, tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "list.csv", "公司,统一代码,备注\n比亚迪股份有限公司,91440300192317458F,x\n"
    )
    result = invoke(
        "import",
        "enterprises",
        path,
        "--db",
        cli_db_url(seeded_file),
        "--json",
        "--map",
        "公司=name",
        "--map",
        "统一代码=credit_code",
        "--map",
        "备注=-",
        "--set",
        "region=深圳市",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["inserted"] == 1
    assert BYD in str(_snapshot(seeded_file)["rows"])


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["import"],
        ["import", "enterprises"],
        ["import", "enterprises", "{file}", "--map", "公司"],
        ["import", "enterprises", "{file}", "--set", "region"],
        ["import", "enterprises", "{file}", "--bogus"],
        ["export", "--out"],
    ],
    ids=[
        "nothing",
        "no kind",
        "no file",
        "map without =",
        "set without =",
        "unknown option",
        "out without value",
    ],
)
def test_bad_usage_exits_2_and_touches_no_database(tmp_path: Path, args: list[str]) -> None:
    db = tmp_path / "never.db"
    path = write_text(tmp_path / "firms.csv", FIRMS)
    result = invoke(*[a.replace("{file}", str(path)) for a in args], "--db", db)
    assert result.exit_code == 2
    assert not db.exists()


def test_an_unknown_kind_exits_1_listing_the_kinds(tmp_path: Path) -> None:
    path = write_text(tmp_path / "firms.csv", FIRMS)
    result = invoke("import", "firms", path, "--db", tmp_path / "a.db")
    assert result.exit_code == 1
    assert isinstance(result.exception, ImportFormatError)
    assert "unknown kind 'firms'; choose one of: regions," in result.exception.message


def test_export_writes_a_workbook_that_import_workbook_reads_back(
    fresh_engine: Engine,
    db_backend: str,
    _databases,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    with tx(fresh_engine) as conn:
        import_full_data(conn, tmp_path / "data")
    out = tmp_path / "export" / "all.xlsx"
    exported = invoke("export", "-o", out, "--db", cli_db_url(fresh_engine))
    assert exported.exit_code == 0, exported.output
    assert f"of {len(FULL_DATA)} kinds" in exported.stdout
    target = _databases.make(db_backend)
    imported = invoke("import", "workbook", out, "--db", cli_db_url(target), "--json")
    assert imported.exit_code == 0, imported.output
    reports = json.loads(imported.stdout)
    assert [r["kind"] for r in reports] == list(FULL_DATA)
    with fresh_engine.connect() as a, target.connect() as b:
        assert natural_dump(b) == natural_dump(a)


def test_export_to_a_file_that_is_not_xlsx_exits_1(tmp_path: Path) -> None:
    result = invoke("export", "-o", tmp_path / "out.txt", "--db", tmp_path / "a.db")
    assert result.exit_code == 1
    assert isinstance(result.exception, ImportFormatError)
    assert "give an .xlsx file or a folder" in result.exception.message
