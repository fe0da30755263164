"""``chainatlas report``, ``risk`` and ``events`` through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

import chainatlas.cli.report  # noqa: F401  (registers the commands)
from chainatlas.cli import app
from chainatlas.errors import ChainNotFound, InvalidData, RegionNotFound
from chainatlas.store.tx import tx
from tests.services.test_chain_network import build_network

runner = CliRunner()


@pytest.fixture
def db(sqlite_engine: Engine) -> str:
    with tx(sqlite_engine) as conn:
        build_network(conn)
    return str(sqlite_engine.url.database)


def test_report_prints_a_readable_summary(db: str) -> None:
    res = runner.invoke(app, ["report", "tc", "--region", "浙江", "--db", db])
    assert res.exit_code == 0, res.output
    for text in (
        "测试链",
        "Completeness 80%",
        "Segments 环节",
        "Gaps",
        "Risk points",
        "Single source",
        "杭州电芯一号",
        "[high]",
    ):
        assert text in res.output
    zh = runner.invoke(app, ["report", "tc", "-r", "ZJ", "--lang", "zh", "--db", db])
    assert "单一来源" in zh.output


def test_report_json_and_xlsx(db: str, tmp_path: Path) -> None:
    res = runner.invoke(app, ["report", "tc", "-r", "ZJ", "-f", "json", "--db", db])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert [s["status"] for s in d["segments"]] == [
        "missing",
        "weak",
        "weak",
        "strong",
        "present",
        "missing",
    ]
    assert d["risks"][0]["measures"]["suppliers"] == 1
    out = tmp_path / "tc.xlsx"
    res = runner.invoke(app, ["report", "tc", "-r", "ZJ", "-f", "xlsx", "-o", str(out), "--db", db])
    assert res.exit_code == 0, res.output
    assert "segments 环节" in openpyxl.load_workbook(out, read_only=True).sheetnames


def test_risk_lists_points_and_filters_by_level(db: str) -> None:
    res = runner.invoke(
        app, ["risk", "tc", "-r", "ZJ", "-f", "json", "--level", "high", "--db", db]
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert {r["level"] for r in d["risks"]} == {"high"}
    assert d["summary"]["points"] == 7
    table = runner.invoke(app, ["risk", "tc", "-r", "ZJ", "--db", db])
    assert "Risk points" in table.output and "ore" in table.output


def test_rules_can_be_set_on_the_command_line_and_from_a_file(db: str, tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        [
            "report",
            "tc",
            "-r",
            "ZJ",
            "-f",
            "json",
            "--set",
            "strong_min_enterprises=2",
            "--set",
            "high_at=20",
            "--db",
            db,
        ],
    )
    d = json.loads(res.output)
    assert d["segments"][4]["status"] == "strong"
    assert all(r["level"] != "high" for r in d["risks"])
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"strength": {"strong_lq": 5}}), encoding="utf-8")
    d = json.loads(
        runner.invoke(
            app, ["report", "tc", "-r", "ZJ", "-f", "json", "--rules", str(rules), "--db", db]
        ).output
    )
    assert d["rules"]["strength"]["strong_lq"] == 5
    assert "strong" not in [s["status"] for s in d["segments"]]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["report", "nope", "-r", "ZJ"], ChainNotFound),
        (["report", "tc", "-r", "Atlantis"], RegionNotFound),
        (["report", "tc", "-f", "xlsx"], InvalidData),
        (["report", "tc", "--set", "bogus=1"], InvalidData),
        (["report", "tc", "--set", "strong_lq=abc"], InvalidData),
        (["risk", "tc", "--level", "severe"], InvalidData),
        (
            [
                "events",
                "add",
                "x",
                "--kind",
                "region",
                "--severity",
                "2",
                "--date",
                "2024-01-01",
                "--region",
                "AH",
            ],
            InvalidData,
        ),
        (
            [
                "events",
                "add",
                "x",
                "--kind",
                "region",
                "--severity",
                "1",
                "--date",
                "yesterday",
                "--region",
                "AH",
            ],
            InvalidData,
        ),
    ],
)
def test_bad_input_is_a_clear_error(db: str, args: list[str], error: type[Exception]) -> None:
    res = runner.invoke(app, [*args, "--db", db])
    assert res.exit_code != 0
    assert isinstance(res.exception, error)


def test_events_add_list_and_impact(db: str) -> None:
    add = runner.invoke(
        app,
        [
            "events",
            "add",
            "jp",
            "--kind",
            "foreign_source",
            "--severity",
            "0.8",
            "--date",
            "2024-03-01",
            "--region",
            "JP",
            "--db",
            db,
        ],
    )
    assert add.exit_code == 0, add.output
    listed = runner.invoke(app, ["events", "list", "--db", db])
    assert "jp" in listed.output and "foreign_source" in listed.output
    res = runner.invoke(app, ["events", "impact", "jp", "-r", "ZJ", "-f", "json", "--db", db])
    d = json.loads(res.output)
    assert max(a["hop"] for a in d["affected"]) == 3
    table = runner.invoke(app, ["events", "impact", "jp", "--db", db])
    assert "安徽回收" in table.output and "Whole downstream chain" in table.output


def test_the_installed_entry_point_prints_one_line_errors(db: str) -> None:
    code = (
        "import sys; import chainatlas.cli.report; from chainatlas.cli import main; "
        "sys.argv = ['chainatlas', 'report', 'nope', '--db', sys.argv[1]]; main()"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, db], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("Error: no chain 'nope'")
    assert "Traceback" not in proc.stderr


def test_report_and_risk_work_on_the_demo_database(tmp_path: Path) -> None:
    from chainatlas.services.demo import build_demo
    from chainatlas.store.engine import make_engine

    db = str(tmp_path / "demo.db")
    build_demo(make_engine(f"sqlite:///{db}"), scale=1200)
    res = runner.invoke(app, ["report", "nev", "--region", "330000", "--db", db])
    assert res.exit_code == 0, res.output
    assert "新能源汽车" in res.output and "Risk points" in res.output
    risk = runner.invoke(app, ["risk", "lithium_battery", "-r", "浙江", "-f", "json", "--db", db])
    d = json.loads(risk.output)
    assert d["summary"]["points"] > 0 and d["summary"]["single_source"] > 0
    assert all(r["reasons"] for r in d["risks"])
