"""``chainatlas demo`` builds the demo database and reports its counts."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner, Result

import chainatlas.cli.demo  # noqa: F401 - registers the command
from chainatlas.cli._app import app
from chainatlas.errors import Conflict


def invoke(*args: object) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def test_demo_json_prints_one_object_with_the_counts(tmp_path: Path) -> None:
    result = invoke("demo", "--json", "--no-serve", "--db", tmp_path / "demo.db", "--scale", 300)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("regions", "chains", "segments", "enterprises", "supply_links"):
        assert data[key] > 0
    assert data["enterprises"] == 300 and data["built"] is True


def test_running_demo_twice_shows_the_demo_already_there(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    first = invoke("demo", "--json", "--db", db, "--scale", 300)
    second = invoke("demo", "--db", db, "--scale", 300)
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert "already holds the demo" in second.stdout
    assert "supply_links" in second.stdout
    again = json.loads(invoke("demo", "--json", "--db", db, "--scale", 300).stdout)
    assert again["built"] is False
    assert again["supply_links"] == json.loads(first.stdout)["supply_links"]


def test_demo_refuses_a_database_with_other_data_unless_replace(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert invoke("demo", "--json", "--db", db, "--scale", 300).exit_code == 0
    refused = invoke("demo", "--json", "--db", db, "--scale", 200)
    assert refused.exit_code == 1
    assert isinstance(refused.exception, Conflict)
    replaced = invoke("demo", "--json", "--db", db, "--scale", 200, "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert json.loads(replaced.stdout)["enterprises"] == 200


def test_demo_uses_the_root_db_option(tmp_path: Path) -> None:
    db = tmp_path / "root.db"
    result = invoke("--db", db, "demo", "--json", "--scale", 300)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["database"] == f"sqlite:///{db}"


def test_demo_help_explains_no_serve() -> None:
    result = invoke("demo", "--help")
    assert result.exit_code == 0
    assert "--no-serve" in result.stdout and "--scale" in result.stdout
