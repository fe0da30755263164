"""``chainatlas init``, ``db upgrade`` and ``db status`` on real databases."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner, Result

from chainatlas.cli import app
from chainatlas.services.database import table_counts
from chainatlas.store.engine import make_engine
from chainatlas.store.migrate import head_revision
from chainatlas.store.schema import metadata
from tests.importers._helpers import cli_db_url


def invoke(*args: object) -> Result:
    # A wide terminal keeps Rich from wrapping long paths and URLs.
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "400"})


def _one_line(result: Result) -> str:
    return result.stdout.strip()


def test_status_of_a_new_file_says_it_needs_an_upgrade(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    result = invoke("db", "status", "--db", db)
    assert result.exit_code == 0, result.output
    assert (
        _one_line(result) == f"sqlite:///{db}: revision none (needs upgrade to {head_revision()})"
    )


def test_init_creates_every_table_and_status_then_says_up_to_date(tmp_path: Path) -> None:
    db = tmp_path / "atlas.db"
    result = invoke("init", "--db", db)
    assert result.exit_code == 0, result.output
    assert _one_line(result) == f"Database ready at sqlite:///{db} (revision {head_revision()})."
    engine = make_engine(str(db))
    with engine.connect() as conn:
        counts = table_counts(conn)
    engine.dispose()
    assert set(counts) == set(metadata.tables)
    assert set(counts.values()) == {0}
    status = invoke("db", "status", "--db", db)
    assert _one_line(status) == f"sqlite:///{db}: revision {head_revision()} (up to date)"


def test_init_twice_is_harmless_and_keeps_the_data(tmp_path: Path) -> None:
    db = tmp_path / "atlas.db"
    assert invoke("init", "--db", db, "--reference", "cn-regions").exit_code == 0
    again = invoke("init", "--db", db, "--reference", "cn-regions")
    assert again.exit_code == 0, again.output
    assert "Reference cn-regions: 0 inserted" in _one_line(again)
    engine = make_engine(str(db))
    with engine.connect() as conn:
        provinces = conn.execute(
            sa.text("select count(*) from regions where level = 'province'")
        ).scalar_one()
    engine.dispose()
    assert provinces >= 31


def test_an_unknown_reference_data_set_exits_1(tmp_path: Path) -> None:
    result = invoke("init", "--db", tmp_path / "atlas.db", "--reference", "mars-regions")
    assert result.exit_code == 1
    assert "no reference data 'mars-regions'" in str(result.exception)


def test_db_upgrade_says_from_which_revision_to_which(tmp_path: Path) -> None:
    db = tmp_path / "atlas.db"
    first = invoke("db", "upgrade", "--db", db)
    assert first.exit_code == 0, first.output
    assert _one_line(first) == f"Upgraded sqlite:///{db} from empty to {head_revision()}."
    second = invoke("db", "upgrade", "--db", db)
    head = head_revision()
    assert _one_line(second) == f"Upgraded sqlite:///{db} from {head} to {head}."


def test_status_reads_a_migrated_database_on_each_backend(fresh_engine: Engine) -> None:
    result = invoke("db", "status", "--db", cli_db_url(fresh_engine))
    assert result.exit_code == 0, result.output
    assert _one_line(result).endswith(f": revision {head_revision()} (up to date)")


def test_the_root_db_option_is_used_by_commands(tmp_path: Path) -> None:
    db = tmp_path / "root.db"
    result = invoke("--db", db, "init")
    assert result.exit_code == 0, result.output
    assert db.exists()


def test_a_database_without_tables_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    empty = tmp_path / "empty.db"
    for args in (["chains", "list", "--db", str(empty)], ["--db", str(empty), "report", "nev"]):
        done = subprocess.run(
            [sys.executable, "-m", "chainatlas", *args], capture_output=True, text=True
        )
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        assert done.stderr.startswith(f"Error: sqlite:///{empty} has no ChainAtlas tables")
        assert "chainatlas init" in done.stderr
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "chainatlas",
            "chains",
            "list",
            "--db",
            "postgresql://nobody:secret@127.0.0.1:1/x",
        ],
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("Error: cannot use postgresql+psycopg://nobody:***@")
    assert "secret" not in refused.stderr


def test_serve_refuses_a_database_without_tables(tmp_path: Path) -> None:
    from chainatlas.errors import InvalidData

    res = CliRunner().invoke(app, ["serve", "--db", str(tmp_path / "none.db")])
    assert res.exit_code == 1 and isinstance(res.exception, InvalidData)
    assert "has no ChainAtlas tables" in str(res.exception) and "chainatlas init" in str(
        res.exception
    )
