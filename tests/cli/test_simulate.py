"""``chainatlas simulate run`` and ``simulate esri`` through the CLI.

Expected figures come from the hand computation in tests/services/test_simulate.py:
removing Japan Materials from the hand-made network costs 908 yuan of the 1,470 yuan
of sales between firms (61.8 %).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from chainatlas.cli import app, main
from chainatlas.errors import (
    AnalysisError,
    ChainNotFound,
    EnterpriseNotFound,
    InvalidData,
    RegionNotFound,
)
from chainatlas.services.demo import build_demo
from chainatlas.store.tx import tx
from tests.services.test_chain_network import build_network

runner = CliRunner()


@pytest.fixture
def db(sqlite_engine: Engine) -> str:
    with tx(sqlite_engine) as conn:
        build_network(conn)
    return str(sqlite_engine.url.database)


def test_run_prints_the_loss_and_the_breakdowns(db: str) -> None:
    res = runner.invoke(app, ["simulate", "run", "-e", "Japan Materials", "--db", db])
    assert res.exit_code == 0, res.output
    for text in ("Production loss", "61.8%", "杭州电芯一号", "Segments", "Chains", "Regions"):
        assert text in res.output


def test_run_json_holds_the_totals_and_the_shocked_firms(db: str) -> None:
    res = runner.invoke(
        app,
        ["simulate", "run", "--foreign-product", "高纯材料", "--region-scope", "ZJ", "-f", "json"]
        + ["--db", db],
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    # the product part of Japan Materials is all its sales: the same cascade as removing it
    assert d["totals"]["loss"] == pytest.approx(908)
    assert d["scope_totals"]["loss"] == pytest.approx(748)  # 500 + 180 + 68 in 浙江
    assert [s["name"] for s in d["shocked"]] == ["Japan Materials"]
    assert d["shocked"][0]["selectors"] == ["foreign_product:高纯材料"]
    assert d["scenario"]["foreign_products"] == ["高纯材料"]


def test_run_writes_one_sheet_per_breakdown(db: str, tmp_path: Path) -> None:
    out = tmp_path / "sim.xlsx"
    res = runner.invoke(
        app, ["simulate", "run", "-e", "Japan Materials", "-f", "xlsx", "-o", str(out), "--db", db]
    )
    assert res.exit_code == 0, res.output
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == [
        "summary 摘要",
        "enterprises 企业",
        "segments 环节",
        "chains 产业链",
        "regions 地区",
        "shocked 冲击",
        "notes 说明",
    ]
    summary = {row[0]: row[1] for row in book["summary 摘要"].iter_rows(values_only=True)}
    assert summary["totals.loss"] == pytest.approx(908)
    rows = list(book["enterprises 企业"].iter_rows(values_only=True))
    head = rows[0]
    assert rows[1][head.index("name")] == "杭州电芯一号"
    assert rows[1][head.index("loss")] == pytest.approx(500)


def test_run_reads_an_enterprise_list_file(db: str, tmp_path: Path) -> None:
    plain = tmp_path / "firms.txt"
    plain.write_text("苏州材料\n宁波材料\n", encoding="utf-8")
    res = runner.invoke(
        app, ["simulate", "run", "--enterprises-file", str(plain), "-f", "json", "--db", db]
    )
    assert res.exit_code == 0, res.output
    assert {s["name"] for s in json.loads(res.output)["shocked"]} == {"苏州材料", "宁波材料"}
    # a CSV takes its first known column, here "code", which is empty: refused
    listed = tmp_path / "firms.csv"
    listed.write_text("code,name\n,苏州材料\n,宁波材料\n", encoding="utf-8")
    empty = runner.invoke(app, ["simulate", "run", "--enterprises-file", str(listed), "--db", db])
    assert empty.exit_code == 1
    assert isinstance(empty.exception, InvalidData)


def test_esri_ranks_the_chains_firms_in_every_format(db: str, tmp_path: Path) -> None:
    res = runner.invoke(app, ["simulate", "esri", "--chain", "tc", "-f", "json", "--db", db])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    esri = {r["name"]: r["esri"] for r in d["ranking"]}
    assert esri["Japan Materials"] == pytest.approx(908 / 1470)
    assert d["candidates"] == 12
    table = runner.invoke(app, ["simulate", "esri", "-c", "tc", "-r", "HZ", "-n", "2", "--db", db])
    assert table.exit_code == 0, table.output
    assert "Systemic risk" in table.output and "Ranking" in table.output
    out = tmp_path / "esri.xlsx"
    x = runner.invoke(
        app, ["simulate", "esri", "-c", "tc", "-f", "xlsx", "-o", str(out), "--db", db]
    )
    assert x.exit_code == 0, x.output
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["summary 摘要", "ranking 排名", "notes 说明"]
    rows = list(book["ranking 排名"].iter_rows(values_only=True))
    assert len(rows) == 1 + 12
    assert rows[1][rows[0].index("esri")] == pytest.approx(max(esri.values()))
    pruned = runner.invoke(
        app, ["simulate", "esri", "-c", "tc", "--prune", "1e-6", "-f", "json", "--db", db]
    )
    assert pruned.exit_code == 0, pruned.output
    d = json.loads(pruned.output)
    assert d["ranking"][0]["esri"] <= max(esri.values()) + 1e-12
    assert any(n["code"] == "esri_pruned" for n in d["notes"])
    bad = runner.invoke(app, ["simulate", "esri", "-c", "tc", "--prune", "2", "--db", db])
    assert bad.exit_code == 2 and "--prune" in bad.output


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["run", "-e", "Nobody Ltd"], EnterpriseNotFound),
        (["run", "-r", "Atlantis"], RegionNotFound),
        (["run", "-r", "JP", "--chain", "nope"], ChainNotFound),
        (["run", "--product", "锂电池"], AnalysisError),
        (["run", "-r", "JP", "--severity", "1.5"], InvalidData),
        (["run", "-r", "JP", "--severity", "0"], InvalidData),
        (["run", "-r", "JP", "-f", "xlsx"], InvalidData),
        (["run", "-r", "JP", "--as-of", "yesterday"], InvalidData),
        (["run"], InvalidData),
        (["esri"], InvalidData),
        (["esri", "-r", "EMPTY"], AnalysisError),
    ],
)
def test_bad_input_is_a_clear_error(db: str, args: list[str], error: type[Exception]) -> None:
    res = runner.invoke(app, ["simulate", *args, "--db", db])
    assert res.exit_code == 1
    assert isinstance(res.exception, error)


def test_the_entry_point_prints_one_line_for_a_selector_that_hits_nothing(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["chainatlas", "simulate", "run", "--product", "锂电池", "--db", db]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 1
    err = capsys.readouterr().err
    assert err == "Error: no firm in the network matches --product 锂电池\n"


def test_run_and_esri_on_a_demo_database(sqlite_engine: Engine) -> None:
    build_demo(sqlite_engine, scale=300, seed=7)
    db = str(sqlite_engine.url.database)
    run = runner.invoke(
        app, ["simulate", "run", "-r", "JP", "-c", "nev", "-s", "0.5", "-f", "json", "--db", db]
    )
    assert run.exit_code == 0, run.output
    d = json.loads(run.output)
    assert d["totals"]["loss"] > 0
    assert sum(s["loss"] for s in d["segments"]) == pytest.approx(d["totals"]["loss"])
    assert sum(r["loss"] for r in d["regions"]) == pytest.approx(d["totals"]["loss"])
    ranking = runner.invoke(
        app, ["simulate", "esri", "-c", "nev", "-r", "330000", "-n", "5", "-f", "json", "--db", db]
    )
    assert ranking.exit_code == 0, ranking.output
    rows = json.loads(ranking.output)["ranking"]
    assert len(rows) == 5
    assert all(r["region"].startswith("33") for r in rows)
    assert [r["esri"] for r in rows] == sorted((r["esri"] for r in rows), reverse=True)
