"""``chainatlas demo`` builds the demo and its logins and serves it; ``chainatlas serve``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

import chainatlas.cli.demo  # noqa: F401 - registers the command
import chainatlas.cli.serve
from chainatlas.cli._app import app
from chainatlas.errors import Conflict
from chainatlas.settings import Settings
from chainatlas.store.engine import make_engine
from chainatlas.store.schema_access import users


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
    second = invoke("demo", "--no-serve", "--db", db, "--scale", 300)
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
    assert "--port" in result.stdout


def test_demo_creates_the_demo_logins_prints_them_and_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[tuple[str, str, int]] = []

    def fake_server(settings: Settings, host: str, port: int) -> None:
        served.append((settings.database_url, host, port))

    monkeypatch.setattr(chainatlas.cli.serve, "run_server", fake_server)
    db = tmp_path / "demo.db"
    result = invoke("demo", "--db", db, "--scale", 300, "--port", 8123)
    assert result.exit_code == 0, result.output
    assert served == [(f"sqlite:///{db}", "127.0.0.1", 8123)]
    assert "http://127.0.0.1:8123/" in result.stdout
    for user in ("admin", "analyst", "viewer", "enterprise"):
        assert user in result.stdout
    assert "chainatlas-demo" in result.stdout
    with make_engine(f"sqlite:///{db}").connect() as conn:
        names = set(conn.execute(sa.select(users.c.username)).scalars())
    assert names == {"admin", "analyst", "viewer", "enterprise"}


def test_serve_runs_the_app_on_the_host_and_port_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[tuple[str, str, int]] = []
    monkeypatch.setattr(
        chainatlas.cli.serve,
        "run_server",
        lambda settings, host, port: served.append((settings.database_url, host, port)),
    )
    assert invoke("init", "--db", tmp_path / "x.db").exit_code == 0
    result = invoke("serve", "--host", "0.0.0.0", "--port", 9001, "--db", tmp_path / "x.db")
    assert result.exit_code == 0, result.output
    assert served == [(f"sqlite:///{tmp_path / 'x.db'}", "0.0.0.0", 9001)]
