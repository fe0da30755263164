"""Reads in child processes (ADBC SQLite driver, Arrow) give what the caller's cursor gives.

The children are used for large SQLite files only; these tests lower the threshold so a
small demo database goes through them, and check every column against the in-process
reads, the fallbacks (uncommitted writes, in-memory databases, a failing child, a NULL
where a value is promised) and that text and floats arrive exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.services.chain_report import chain_reports
from chainatlas.services.demo import build_demo
from chainatlas.store import analysis_reads as ar
from chainatlas.store import arrow_reads, link_reads
from chainatlas.store import sqlite_reader as sr
from chainatlas.store import whole_database as wd
from chainatlas.store.engine import make_engine
from tests.store.whole_reads import assert_same

pytestmark = pytest.mark.skipif(not sr.available(), reason="ADBC SQLite driver not installed")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('reader') / 'demo.db'}")
    build_demo(engine, scale=1500)
    with engine.begin() as conn:  # empty values too, so the NULL sentinels are exercised
        conn.execute(sa.text("UPDATE supply_links SET share = NULL WHERE id % 7 = 0"))
        conn.execute(sa.text("UPDATE supply_links SET annual_value = NULL WHERE id % 11 = 0"))
        conn.execute(sa.text("UPDATE supply_links SET segment_id = NULL WHERE id % 13 = 0"))
    yield engine
    engine.dispose()


@pytest.fixture
def children(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Send every whole-database read to children; count the children started."""
    started: list[int] = []
    run = sr._run

    def counted(uri: str, queries: Any) -> Any:
        started.append(len(queries))
        return run(uri, queries)

    monkeypatch.setattr(wd, "CHILDREN_FROM_LINKS", 0)
    monkeypatch.setattr(sr, "_run", counted)
    return started


def _years(conn: sa.Connection) -> list[int]:
    year = ar.latest_output_year(conn)
    assert year is not None
    return [year, year - 1]


def test_children_read_what_the_cursor_reads(demo: Engine, children: list[int]) -> None:
    with demo.connect() as conn:
        years = _years(conn)
        far = wd.read_whole_database(conn)
        assert far.year == years[0]
        assert children, "the children were not used"
        near = wd.read_on_connection(conn, years[0])
    assert_same(far, near)
    assert "product" in near.links  # the cursor read on SQLite: strings, not codes
    links = far.links
    assert len(links["id"]) > 10_000
    assert np.isnan(links["share"]).sum() == (links["id"] % 7 == 0).sum()
    assert (links["segment_id"] == -1).sum() == (links["id"] % 13 == 0).sum()


def test_reports_are_the_same_through_children(
    demo: Engine, children: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    with demo.connect() as conn:
        far = [r.to_dict() for r in chain_reports(conn, region="330000", workers=1)]
    used = len(children)
    monkeypatch.setattr(wd, "CHILDREN_FROM_LINKS", 10**12)
    with demo.connect() as conn:
        near = [r.to_dict() for r in chain_reports(conn, region="330000", workers=1)]
    assert used and len(children) == used
    assert far == near


def test_a_transaction_that_wrote_reads_on_its_own_connection(
    demo: Engine, children: list[int]
) -> None:
    with demo.connect() as conn:
        trans = conn.begin()
        lo, hi = link_reads.link_id_bounds(conn)
        conn.execute(sa.text("DELETE FROM supply_links WHERE id = :i"), {"i": hi})
        got = wd.read_whole_database(conn)
        trans.rollback()
    assert not children
    assert int(got.links["id"].max()) < hi


def test_memory_database_is_never_read_by_children() -> None:
    engine = make_engine("sqlite://")
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        assert sr.start(conn, [[arrow_reads.Query("SELECT id FROM t")]]) is None
    engine.dispose()


def test_a_failing_child_falls_back_to_the_cursor(
    demo: Engine, children: list[int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "child.py"
    broken.write_text("import sys\nsys.stderr.write('boom')\nsys.exit(3)\n")
    monkeypatch.setattr(sr, "_CHILD", broken)
    with demo.connect() as conn:
        years = _years(conn)
        got = wd.read_whole_database(conn, years[0])
        near = wd.read_on_connection(conn, years[0])
    assert children
    assert_same(got, near)


@pytest.fixture
def odd_file(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'odd.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, x REAL, s TEXT, n INT)"))
        rows = [
            (1, 0.1, "电池\x1f正极", 1),
            (2, 1 / 3, "", 2),
            (3, 5e-324, '🔋 cell, "quoted"', 3),
            (4, 1.7976931348623157e308, "電池", 4),
            (5, -0.0, "a\nb", None),
            (6, 123456789.123456789, "电池\x1f正极", 6),
            (7, 2.5, None, 7),
        ]
        conn.execute(
            sa.text("INSERT INTO t VALUES (:i, :x, :s, :n)"),
            [dict(zip("ixsn", r, strict=True)) for r in rows],
        )
    yield engine
    engine.dispose()


def test_text_and_floats_arrive_exactly(odd_file: Engine) -> None:
    with odd_file.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
        select = "SELECT id AS id, x AS x, s AS s FROM t"
        pending = sr.start(
            conn,
            [
                [arrow_reads.Query(f"{select} WHERE id <= 3", (), ("s",))],
                [arrow_reads.Query(f"{select} WHERE id > ?", (3,), ("s",))],
            ],
        )
        assert pending is not None
        got = pending.result()
        expected = conn.execute(sa.text("SELECT id, x, s FROM t ORDER BY id")).all()
    assert got is not None
    cols = arrow_reads.columns([got[1][0], got[0][0]], ["s"], order_by="id")
    assert cols["id"].tolist() == [r[0] for r in expected]
    assert cols["x"].tobytes() == np.array([r[1] for r in expected]).tobytes()
    assert cols["s_names"][cols["s"]].tolist() == [r[2] or "" for r in expected]
    assert sorted(cols["s_names"]) == sorted({r[2] or "" for r in expected})


def test_a_null_where_a_value_is_promised_is_refused(odd_file: Engine) -> None:
    with odd_file.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
        pending = sr.start(conn, [[arrow_reads.Query("SELECT id AS id, n AS n FROM t")]])
        assert pending is not None
        got = pending.result()
    assert got is not None
    with pytest.raises(ValueError, match="'n': NULL"):
        arrow_reads.columns(got[0])
