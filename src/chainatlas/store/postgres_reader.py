"""Large PostgreSQL reads as Arrow columns, on connections sharing the caller's snapshot.

The ADBC PostgreSQL driver reads a query through binary ``COPY`` straight into Arrow
columns, with no Python object per row. It opens connections of its own; each one
imports the caller's snapshot (``pg_export_snapshot`` / ``SET TRANSACTION SNAPSHOT``,
in a REPEATABLE READ, READ ONLY transaction) and the caller's ``search_path``, so it
sees exactly the committed data the caller's transaction sees. A snapshot does not carry
uncommitted changes, so the readers are used only when the caller's transaction has
written nothing (``txid_current_if_assigned()`` is NULL) and is not inside a SAVEPOINT
(a snapshot cannot be exported from one). :func:`start` returns None when that is not
the case or the driver is missing; :meth:`~chainatlas.store.arrow_reads.PendingRead.result`
returns None when a reader failed. The caller then reads on its own connection.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from chainatlas.store.arrow_reads import PendingRead, Query
from chainatlas.store.tx import has_uncommitted_writes

__all__ = ["available", "start"]


def available() -> bool:
    """Return whether the ADBC PostgreSQL driver and pyarrow are installed."""
    try:
        import adbc_driver_postgresql  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def start(conn: sa.Connection, workers: Sequence[Sequence[Query]]) -> PendingRead | None:
    """Run each list of queries on its own connection; None when they cannot be used.

    Query parameters are written as ``?`` and may be integers, floats, dates or text.
    The caller's transaction must stay open until
    :meth:`~chainatlas.store.arrow_reads.PendingRead.result` returns (the snapshot lives
    as long as it does).
    """
    if not workers or not available() or conn.in_nested_transaction():
        return None
    if has_uncommitted_writes(conn):
        return None  # other connections cannot see what it wrote
    search_path = conn.execute(sa.text("SELECT current_setting('search_path')")).scalar_one()
    snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
    uri = conn.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    setup = (str(snapshot), str(search_path))
    return PendingRead(lambda queries: _run(uri, setup, queries), workers)


def _run(uri: str, setup: tuple[str, str], queries: Sequence[Query]) -> list[Any]:
    """Read ``queries`` on a new connection in the caller's snapshot."""
    import adbc_driver_postgresql.dbapi as adbc
    import pyarrow.compute as pc

    snapshot, search_path = setup
    con = adbc.connect(uri, autocommit=True)
    try:
        cur = con.cursor()
        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cur.execute(f"SET TRANSACTION SNAPSHOT {_literal(snapshot)}")
        cur.execute(f"SELECT set_config('search_path', {_literal(search_path)}, true)")
        cur.fetchall()
        out = []
        for q in queries:
            # parameters go in as literals: with bound parameters the driver does not
            # read through COPY and is about twice as slow
            parts = q.sql.split("?")
            if len(parts) != len(q.params) + 1:
                raise ValueError(f"{len(q.params)} parameters for {len(parts) - 1} placeholders")
            sql = parts[0] + "".join(
                _literal(v) + rest for v, rest in zip(q.params, parts[1:], strict=True)
            )
            cur.execute(sql)
            table = cur.fetch_arrow_table()
            for name in q.dictionary:
                i = table.schema.get_field_index(name)
                table = table.set_column(i, name, pc.dictionary_encode(table.column(name)))
            out.append(table)
        cur.execute("COMMIT")
        return out
    finally:  # a failure propagates: PendingRead.result() then returns None
        con.close()


def _literal(value: Any) -> str:
    """Return ``value`` as a SQL literal (integers, floats, dates and text only)."""
    if isinstance(value, bool) or not isinstance(value, int | float | date | str):
        raise TypeError(f"no literal for {type(value).__name__}")
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"no literal for {value!r}")
        return repr(value)
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return "'" + value.replace("'", "''") + "'"
