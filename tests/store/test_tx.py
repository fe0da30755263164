"""Whether a transaction has written: the condition for reading on other connections."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.store.tx import has_uncommitted_writes


def test_a_transaction_has_written_after_its_first_write(fresh_engine: Engine) -> None:
    with fresh_engine.connect() as conn:
        conn.execute(sa.text("SELECT count(*) FROM regions"))
        assert not has_uncommitted_writes(conn)
        conn.execute(
            sa.text(
                "INSERT INTO regions (code, name_zh, name_en, level, country) "
                "VALUES ('T1', '测试', 'Test', 'province', 'CN')"
            )
        )
        assert has_uncommitted_writes(conn)
        conn.rollback()
        conn.execute(sa.text("SELECT 1"))
        assert not has_uncommitted_writes(conn)


def test_a_sqlite_transaction_whose_start_is_unknown_counts_as_written(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'plain.db'}")  # not make_engine
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
        assert has_uncommitted_writes(conn)
    engine.dispose()
