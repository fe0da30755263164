"""Large SQLite reads in child processes, as Arrow columns.

Python's ``sqlite3`` driver builds a tuple and an object per value, which at ten million
supply links is most of a whole-database analysis. The ADBC SQLite driver reads straight
into Arrow columns, about four times faster, but it links its own copy of SQLite: two
copies in one process do not see each other's POSIX file locks (SQLite's "multiple
copies of SQLite in the same application" hazard). So it runs only in child processes
(:mod:`chainatlas.store._sqlite_child`), several in parallel (for instance one per range
of a table's key); each sends its results back as Arrow IPC streams, text columns
dictionary-encoded.

A child has its own connection, so it sees what is committed, not the caller's
transaction. It is used only when that is the same thing: the database is a file and
the caller's transaction has written nothing (the engine notes the driver's
``total_changes`` when it begins the transaction). A commit by another process between
the caller's first read and the children's is the one difference that remains; it is
the same as reading in autocommit mode. :func:`start` returns None when children do
not apply (or the driver is not installed), and :meth:`PendingRead.result` None when
anything failed (a child that exits with an error); the caller then reads through its
own connection.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from chainatlas.store.arrow_reads import PendingRead, Query
from chainatlas.store.tx import has_uncommitted_writes

__all__ = ["available", "start"]

_CHILD = Path(__file__).with_name("_sqlite_child.py")


def available() -> bool:
    """Return whether the ADBC SQLite driver and pyarrow are installed."""
    try:
        import adbc_driver_sqlite  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def _database_file(conn: sa.Connection) -> Path | None:
    """Return the caller's database file when children may read it, else None."""
    if has_uncommitted_writes(conn):
        return None
    raw: Any = conn.connection.driver_connection
    path = next((r[2] for r in raw.execute("PRAGMA database_list") if r[1] == "main"), "")
    return Path(path) if path and Path(path).is_file() else None


def start(conn: sa.Connection, children: Sequence[Sequence[Query]]) -> PendingRead | None:
    """Start one child process per list of queries; None when children cannot be used.

    Each child runs its queries in order on one read-only connection.
    """
    path = _database_file(conn)
    if path is None or not children or not available():
        return None
    uri = path.resolve().as_uri() + "?mode=ro"
    return PendingRead(lambda queries: _run(uri, queries), children)


def _run(uri: str, queries: Sequence[Query]) -> list[Any] | None:
    """Run one child and read its Arrow streams, one table per query (None: it failed)."""
    import pyarrow as pa

    job = {
        "uri": uri,
        "queries": [
            {"sql": q.sql, "params": list(q.params), "dictionary": list(q.dictionary)}
            for q in queries
        ],
    }
    proc = subprocess.Popen(
        [sys.executable, "-I", str(_CHILD)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write(json.dumps(job).encode())
    proc.stdin.close()
    out: list[Any] | None = []
    try:
        for _ in queries:
            out.append(pa.ipc.open_stream(proc.stdout).read_all())  # type: ignore[union-attr]
    except pa.ArrowInvalid:  # the child failed: its stream ended early
        out = None
    finally:
        proc.stdout.close()
        proc.stderr.read()
        proc.stderr.close()
        proc.wait()
    return out if proc.returncode == 0 else None
