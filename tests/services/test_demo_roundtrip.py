"""The demo database survives export and re-import unchanged, in both file forms."""

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from chainatlas.services.demo import build_demo
from chainatlas.services.export import export_data
from chainatlas.services.import_run import import_workbook
from chainatlas.store.tx import tx
from tests.importers._helpers import natural_dump


@pytest.mark.parametrize("form", ["demo.xlsx", "folder"])
def test_exported_demo_imports_back_to_the_same_content(
    sqlite_engine: Engine, fresh_engine: Engine, tmp_path: Path, form: str
) -> None:
    build_demo(sqlite_engine, scale=300, seed=7)
    target = tmp_path / form
    with tx(sqlite_engine) as conn:
        export_data(conn, target)
        original = natural_dump(conn)
    with tx(fresh_engine) as conn:
        reports = import_workbook(conn, target)
        assert all(r.skipped == 0 for r in reports)
    with fresh_engine.connect() as conn:
        copy = natural_dump(conn)
    assert copy.keys() == original.keys()
    for table in original:
        assert copy[table] == original[table], table
    with tx(fresh_engine) as conn:
        again = import_workbook(conn, target)
    assert sum(r.inserted + r.updated for r in again) == 0
