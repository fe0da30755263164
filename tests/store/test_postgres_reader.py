"""PostgreSQL reads through the ADBC driver, in the caller's snapshot, give what COPY gives.

The readers are used for large databases only; these tests lower the threshold so a small
demo schema goes through them, and check the columns against the caller's own reads, the
snapshot (rows committed by others after the caller's snapshot stay invisible), the
fallbacks (a transaction that wrote, a SAVEPOINT, a failing reader) and the literals.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.services.chain_report import chain_reports
from chainatlas.services.demo import build_demo
from chainatlas.store import analysis_reads as ar
from chainatlas.store import arrow_reads
from chainatlas.store import postgres_reader as pr
from chainatlas.store import whole_database as wd
from tests.conftest import _FreshDatabases
from tests.store.whole_reads import assert_same

pytestmark = pytest.mark.skipif(not pr.available(), reason="ADBC PostgreSQL driver missing")


@pytest.fixture(scope="module")
def demo(_databases: _FreshDatabases) -> Engine:
    engine = _databases.make("postgresql")
    build_demo(engine, scale=1500)
    with engine.begin() as conn:  # empty values too, so the NULL sentinels are exercised
        conn.execute(sa.text("UPDATE supply_links SET share = NULL WHERE id % 7 = 0"))
        conn.execute(sa.text("UPDATE supply_links SET segment_id = NULL WHERE id % 13 = 0"))
    return engine


@pytest.fixture
def readers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Send every whole-database read to the ADBC readers; count the readers started."""
    started: list[int] = []
    run = pr._run

    def counted(uri: str, setup: Any, queries: Any) -> Any:
        started.append(len(queries))
        return run(uri, setup, queries)

    monkeypatch.setattr(wd, "CHILDREN_FROM_LINKS", 0)
    monkeypatch.setattr(pr, "_run", counted)
    return started


def test_readers_read_what_copy_reads(demo: Engine, readers: list[int]) -> None:
    with demo.connect() as conn:
        year = ar.latest_output_year(conn)
        assert year is not None
        years = [year, year - 1]
        far = wd.read_whole_database(conn)
        assert far.year == years[0]
        assert readers == [1, 3]  # the links; outputs, enterprises and memberships
        near = wd.read_on_connection(conn, years[0])
    assert_same(far, near)
    assert np.isnan(far.links["share"]).sum() == (far.links["id"] % 7 == 0).sum() > 0


def test_reports_are_the_same_through_readers(
    demo: Engine, readers: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    with demo.connect() as conn:
        far = [r.to_dict() for r in chain_reports(conn, region="330000", workers=1)]
    assert readers
    monkeypatch.setattr(wd, "CHILDREN_FROM_LINKS", 10**12)
    with demo.connect() as conn:
        near = [r.to_dict() for r in chain_reports(conn, region="330000", workers=1)]
    assert far == near


def test_readers_see_the_callers_snapshot(demo: Engine) -> None:
    with demo.begin() as setup:
        setup.execute(sa.text("DROP TABLE IF EXISTS snap"))
        setup.execute(sa.text("CREATE TABLE snap (id BIGINT PRIMARY KEY)"))
        setup.execute(sa.text("INSERT INTO snap SELECT generate_series(1, 100)"))
    with demo.connect() as conn:
        conn.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        assert conn.execute(sa.text("SELECT count(*) FROM snap")).scalar_one() == 100
        with demo.begin() as other:  # committed after the caller's snapshot was taken
            other.execute(sa.text("INSERT INTO snap SELECT generate_series(101, 150)"))
        pending = pr.start(conn, [[arrow_reads.Query("SELECT id AS id FROM snap")]])
        assert pending is not None
        got = pending.result()
        conn.rollback()
    assert got is not None
    assert sorted(arrow_reads.columns(got[0])["id"].tolist()) == list(range(1, 101))
    with demo.begin() as drop:
        drop.execute(sa.text("DROP TABLE snap"))


def test_a_transaction_that_wrote_is_read_on_its_connection(
    demo: Engine, readers: list[int]
) -> None:
    with demo.connect() as conn:
        trans = conn.begin()
        top = int(conn.execute(sa.text("SELECT max(id) FROM supply_links")).scalar_one())
        conn.execute(sa.text("DELETE FROM supply_links WHERE id = :i"), {"i": top})
        got = wd.read_whole_database(conn)
        trans.rollback()
    assert not readers
    assert int(got.links["id"].max()) < top


def test_a_savepoint_is_read_on_its_connection(demo: Engine) -> None:
    with demo.connect() as conn:
        with conn.begin_nested():
            assert pr.start(conn, [[arrow_reads.Query("SELECT 1 AS id")]]) is None
        assert pr.start(conn, [[arrow_reads.Query("SELECT 1 AS id")]]) is not None


def test_a_failing_reader_gives_none(demo: Engine) -> None:
    with demo.connect() as conn:
        pending = pr.start(conn, [[arrow_reads.Query("SELECT no_such_column FROM enterprises")]])
        assert pending is not None
        assert pending.result() is None
        # the caller's transaction is untouched
        assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1


def test_literals() -> None:
    assert pr._literal(3) == "3"
    assert pr._literal(0.1) == "0.1"
    assert pr._literal(date(2024, 2, 29)) == "DATE '2024-02-29'"
    assert pr._literal("it's") == "'it''s'"
    with pytest.raises(TypeError):
        pr._literal(True)
    with pytest.raises(ValueError):
        pr._literal(float("nan"))
