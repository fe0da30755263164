"""``chainatlas targets``, ``champions``, ``opportunities`` and ``regions compare`` on the demo."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner, Result

from chainatlas.cli import app
from chainatlas.errors import ChainNotFound, InvalidData, RegionNotFound
from chainatlas.services.demo import build_demo
from chainatlas.store.engine import make_engine


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(make_engine(f"sqlite:///{path}"), scale=600, seed=11)
    return str(path)


def invoke(db: str, *args: object) -> Result:
    return CliRunner().invoke(app, ["--db", db, *(str(a) for a in args)], env={"COLUMNS": "200"})


def test_targets_json_lists_ranked_targets_with_reasons(db: str) -> None:
    res = invoke(db, "targets", "nev", "--region", "330000", "--top", 3, "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["region"]["code"] == "330000"
    segs = data["segments"]
    assert segs and all(s["status"] in {"weak", "missing"} for s in segs)
    for s in segs:
        assert [t["rank"] for t in s["targets"]] == list(range(1, len(s["targets"]) + 1))
        for t in s["targets"]:
            assert t["tier"] != "region" and t["reasons"][0]["zh"] and t["measures"]
    assert set(data["rules"]["weights"]) == {
        "fit",
        "scale",
        "growth",
        "ties",
        "relatedness",
        "absence",
    }


def test_targets_table_and_xlsx(db: str, tmp_path: Path) -> None:
    res = invoke(db, "targets", "nev", "-r", "浙江", "-n", 2, "--lang", "zh")
    assert res.exit_code == 0, res.output
    assert "Attraction targets" in res.output and "生产" in res.output
    out = tmp_path / "t.xlsx"
    res = invoke(db, "targets", "nev", "-r", "330000", "-f", "xlsx", "-o", out)
    assert res.exit_code == 0, res.output
    assert openpyxl.load_workbook(out).sheetnames[0] == "targets 招商目标"


def test_champions_kinds(db: str) -> None:
    res = invoke(db, "champions", "nev", "-r", "330000", "--kind", "seedlings", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert "seedlings" in data and "chain_owners" not in data
    assert all(s["status"] in {"meets", "near"} for s in data["seedlings"])
    table = invoke(db, "champions", "nev", "-r", "330000", "-n", 3)
    assert table.exit_code == 0, table.output
    assert "Chain owners" in table.output and "Hidden champions" in table.output


def test_opportunities_xlsx_has_the_scatter(db: str, tmp_path: Path) -> None:
    out = tmp_path / "o.xlsx"
    res = invoke(
        db, "opportunities", "-r", "330000", "--strategy", "feasible", "-f", "xlsx", "-o", out
    )
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(out)["opportunities 延链机会"]
    assert len(ws._charts) == 1
    res = invoke(db, "opportunities", "-r", "330000", "--weights", "feasibility=1", "-f", "json")
    assert res.exit_code == 0, res.output
    dens = [it["measures"]["density"] for it in json.loads(res.stdout)["opportunities"]]
    assert dens == sorted(dens, reverse=True)


def test_regions_compare_group_and_list(db: str) -> None:
    res = invoke(db, "regions", "compare", "--group", "YRD", "--chain", "nev", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["group"]["code"] == "YRD" and len(data["regions"]) == 4
    assert data["chains"][0]["chain"] == "nev"
    table = invoke(db, "regions", "compare", "330000", "320000", "--chain", "nev")
    assert table.exit_code == 0, table.output
    assert "Structural similarity" in table.output


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("regions", "compare", "330000"), InvalidData),
        (("targets", "nev", "--region", "Atlantis"), RegionNotFound),
        (("targets", "nev", "-r", "330000", "-f", "xlsx"), InvalidData),
        (("opportunities", "-r", "330000", "--weights", "speed=1"), InvalidData),
        (("champions", "nosuch", "-r", "330000"), ChainNotFound),
    ],
)
def test_bad_input_exits_1_with_the_error(db: str, args: tuple[str, ...], error: type) -> None:
    res = invoke(db, *args)
    assert res.exit_code == 1
    assert isinstance(res.exception, error)
