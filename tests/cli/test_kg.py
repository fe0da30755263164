import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chainatlas.cli import app
from tests.conftest import shared_data

runner = CliRunner()


@pytest.mark.slow
def test_kg_build_then_gaps_and_report_work_on_the_real_ashare_data(tmp_path: Path) -> None:
    kg = shared_data("chain_kg_ashare")
    stock = shared_data("ashare_stock_basic", "stock_basic.csv")
    db = str(tmp_path / "ashare.db")
    built = runner.invoke(
        app, ["kg", "build", str(kg), str(stock), "--family", "280000", "--db", db]
    )
    assert built.exit_code == 0, built.output
    assert "sw280000:" in built.output
    gaps = runner.invoke(app, ["kg", "gaps", "sw280000", "--json", "--db", db])
    rows = json.loads(gaps.output)
    zhejiang = next(r for r in rows if r["region"] == "330000")
    assert zhejiang["strong"] + zhejiang["present"] + zhejiang["weak"] + zhejiang["missing"] == 27
    report = runner.invoke(
        app, ["report", "sw280000", "--region", "浙江", "-f", "json", "--db", db]
    )
    assert report.exit_code == 0, report.output
    assert json.loads(report.output)["region"]["code"] == "330000"


def test_kg_build_names_a_missing_folder(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "kg",
            "build",
            str(tmp_path / "nope"),
            str(tmp_path / "x.csv"),
            "--db",
            str(tmp_path / "a.db"),
        ],
    )
    assert result.exit_code != 0
    assert "no such file" in str(result.exception)
