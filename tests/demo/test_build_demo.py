"""Building the demo database on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.demo.generator import TABLE_ORDER
from chainatlas.errors import Conflict
from chainatlas.services.demo import build_demo, existing_demo
from chainatlas.store.schema import enterprises, regions
from tests.demo.conftest import Rows


def test_build_demo_loads_every_table_as_generated(
    fresh_engine: Engine, small_demo_rows: Rows
) -> None:
    summary = build_demo(fresh_engine, scale=300)
    assert summary.built and summary.elapsed_s > 0
    for table in TABLE_ORDER:
        assert summary.counts[table] == len(small_demo_rows[table]), table
    assert summary.counts["import_runs"] == 1
    for key in ("regions", "chains", "segments", "enterprises", "supply_links"):
        assert summary.to_dict()[key] == summary.counts[key]


def test_the_loaded_demo_reads_back_with_types_intact(fresh_engine: Engine) -> None:
    build_demo(fresh_engine, scale=300)
    with fresh_engine.connect() as conn:
        park = conn.execute(
            sa.select(regions.c.name_zh, regions.c.level).where(regions.c.code == "330108P01")
        ).one()
        assert park == ("杭州高新技术产业开发区", "park")
        firm = conn.execute(sa.select(enterprises).where(enterprises.c.id == 1)).mappings().one()
        assert isinstance(firm["tags"], list)
        assert firm["founded_on"].year >= 1980
        # Ids continue after the loaded rows (PostgreSQL sequences were moved on).
        new = conn.execute(
            regions.insert().values(code="TEST", name_zh="测试", level="country")
        ).inserted_primary_key
        assert new is not None and new[0] > 56
        conn.rollback()


def test_build_demo_refuses_a_database_that_already_holds_data(
    fresh_engine: Engine,
) -> None:
    build_demo(fresh_engine, scale=300)
    with pytest.raises(Conflict, match="already holds data .*300 enterprises"):
        build_demo(fresh_engine, scale=300, seed=1)


def test_replace_empties_the_database_and_builds_again(fresh_engine: Engine) -> None:
    build_demo(fresh_engine, scale=300)
    summary = build_demo(fresh_engine, scale=200, seed=5, replace=True)
    assert summary.counts["enterprises"] == 200
    assert summary.counts["import_runs"] == 1


def test_existing_demo_recognises_only_the_same_seed_and_scale(sqlite_engine: Engine) -> None:
    assert existing_demo(sqlite_engine, scale=300) is None
    build_demo(sqlite_engine, scale=300)
    found = existing_demo(sqlite_engine, scale=300)
    assert found is not None and not found.built and found.counts["enterprises"] == 300
    assert existing_demo(sqlite_engine, scale=300, seed=1) is None
    assert existing_demo(sqlite_engine, scale=301) is None


def test_build_demo_reports_progress_per_table(sqlite_engine: Engine) -> None:
    seen: dict[str, int] = {}
    build_demo(sqlite_engine, scale=300, progress=lambda table, done: seen.__setitem__(table, done))
    assert list(seen) == list(TABLE_ORDER)
    assert seen["enterprises"] == 300


def test_the_database_keeps_every_index_after_a_build(fresh_engine: Engine) -> None:
    def indexes() -> list[tuple[str, str]]:
        with fresh_engine.connect() as conn:
            inspector = sa.inspect(conn)
            return sorted(
                (table, str(index["name"]))
                for table in inspector.get_table_names()
                for index in inspector.get_indexes(table)
            )

    before = indexes()
    build_demo(fresh_engine, scale=200)
    assert indexes() == before
