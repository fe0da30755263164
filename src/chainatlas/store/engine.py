"""Engines: one place that knows how to connect to SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.settings import normalise_database_url
from chainatlas.store.tx import CHANGES_AT_BEGIN

__all__ = ["is_postgres", "is_sqlite", "make_engine"]


def make_engine(url: str, *, schema: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` (a SQLAlchemy URL or a SQLite file path).

    SQLite connections get ``PRAGMA foreign_keys=ON``, WAL journaling for files and a busy
    timeout. For PostgreSQL, ``schema`` sets the ``search_path`` (used to isolate tests).
    """
    url = normalise_database_url(url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, **kwargs)
        in_memory = url in {"sqlite://", "sqlite:///:memory:"}

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, open transactions (emitting BEGIN below), so
            # that SAVEPOINTs nest inside the caller's transaction instead of replacing it.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            if not in_memory:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN")
            # lets large reads tell whether this transaction has written anything
            raw: Any = conn.connection.driver_connection
            conn.info[CHANGES_AT_BEGIN] = raw.total_changes

        return engine
    if schema is not None:
        kwargs.setdefault("connect_args", {})["options"] = f"-csearch_path={schema}"
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


def is_sqlite(bind: Engine | sa.Connection) -> bool:
    """Return whether ``bind`` talks to SQLite."""
    return bind.dialect.name == "sqlite"


def is_postgres(bind: Engine | sa.Connection) -> bool:
    """Return whether ``bind`` talks to PostgreSQL."""
    return bind.dialect.name == "postgresql"
