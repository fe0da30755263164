"""Transactions: the caller owns them; store functions never commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

__all__ = ["CHANGES_AT_BEGIN", "has_uncommitted_writes", "tx"]

CHANGES_AT_BEGIN = "chainatlas_sqlite_changes_at_begin"
"""``Connection.info`` key: SQLite's ``total_changes`` when the transaction began (set by
the engines of :func:`~chainatlas.store.engine.make_engine`)."""


@contextmanager
def tx(engine: Engine) -> Iterator[sa.Connection]:
    """Open a connection in a transaction; commit on success, roll back on any error."""
    with engine.begin() as conn:
        yield conn


def has_uncommitted_writes(conn: sa.Connection) -> bool:
    """Return whether the current transaction has written anything not yet committed.

    PostgreSQL assigns a transaction id at the first write. On SQLite the engine notes the
    driver's ``total_changes`` when it begins a transaction; a connection whose start was
    not noted counts as having written.
    """
    if conn.dialect.name == "postgresql":
        return conn.execute(sa.text("SELECT txid_current_if_assigned()")).scalar() is not None
    raw: Any = conn.connection.driver_connection
    began = conn.info.get(CHANGES_AT_BEGIN)
    return began is None or raw.total_changes != began
