"""Bulk loading: many rows into one table fast, inside the caller's transaction.

On SQLite each batch goes in with one DBAPI ``executemany`` (values converted by the
columns' SQLAlchemy types, as Core would); on PostgreSQL rows stream through a binary
``COPY ... FROM STDIN`` (psycopg 3), many times faster than ``INSERT``. Neither path
commits: the caller owns the transaction (``with tx(engine) as conn:``). For large loads
into empty tables, :func:`deferred_indexes` drops secondary indexes and foreign keys and
rebuilds them at the end.

Rows are mappings from column name to value. Within one batch every row is given the same
columns (the union of the keys seen in the batch): a row that lacks a column gets the
column's server default (``''``, ``0``, ``1.0``, ``false``) or ``NULL``. A column that no
row of the batch names is left to the database.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from itertools import islice
from operator import itemgetter
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg.copy import QueuedLibpqWriter
from psycopg.types.json import set_json_dumps

from chainatlas.errors import InvalidData

__all__ = [
    "SQLITE_LOAD_CACHE_KIB",
    "bulk_insert",
    "clear_tables",
    "deferred_indexes",
    "latest_import_run",
    "reset_sequences",
]

SQLITE_LOAD_CACHE_KIB = 524_288
"""Most SQLite page cache (KiB) a bulk load may use; the previous size is restored after.

Large loads check foreign keys and unique keys against tables of hundreds of megabytes; a
cache that holds them saves reading the same pages again. Small loads never fill it.
"""

_MISSING = object()


def bulk_insert(
    conn: sa.Connection,
    table: sa.Table,
    rows: Iterable[Mapping[str, object]],
    *,
    batch_size: int = 20_000,
) -> int:
    """Insert ``rows`` into ``table`` in batches and return how many were written.

    Parameters
    ----------
    conn
        A connection inside a transaction owned by the caller; nothing is committed here.
    table
        The target table (from :mod:`chainatlas.store.schema`).
    rows
        Mappings from column name to value. JSON columns take Python lists or dicts, date
        columns :class:`datetime.date` objects. Rows may be a generator; only one batch is
        held at a time.
    batch_size
        Rows held in memory at a time: one ``executemany`` call (SQLite) or one chunk of
        a streamed ``COPY`` (PostgreSQL).

    Returns
    -------
    int
        The number of rows inserted.

    Raises
    ------
    InvalidData
        When a row names a column the table does not have, or leaves out a required column
        that has no server default while other rows of its batch give it.
    sqlalchemy.exc.IntegrityError
        When the database rejects a row (duplicate key, broken foreign key, failed CHECK).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    batches = (_normalise(table, batch) for batch in _batches(rows, batch_size))
    if conn.dialect.name == "postgresql":
        return _copy_batches(conn, table, batches)
    total = 0
    restore_cache = _grow_sqlite_cache(conn) if conn.dialect.name == "sqlite" else None
    try:
        for columns, values in batches:
            _executemany_batch(conn, table, columns, values)
            total += len(values)
    finally:
        if restore_cache is not None:
            conn.exec_driver_sql(f"PRAGMA cache_size={restore_cache}")
            conn.exec_driver_sql("PRAGMA shrink_memory")
    return total


@contextmanager
def deferred_indexes(conn: sa.Connection, tables: Sequence[sa.Table]) -> Iterator[None]:
    """Drop the secondary indexes of ``tables`` for a large load and rebuild them after.

    Maintaining indexes and checking foreign keys row by row costs far more than building
    them once from sorted data: on PostgreSQL a ``COPY`` into an indexed table with foreign
    keys runs several times slower. Inside the block, PostgreSQL tables lose their secondary
    indexes, unique constraints (unless a foreign key needs them) and foreign keys; SQLite tables
    lose their ``CREATE INDEX`` indexes (its unique constraints and foreign keys cannot be
    dropped and stay). On leaving the block every one is recreated from the definition the
    database itself reported, so the constraints are checked again over all rows. All of it
    happens in the caller's transaction: if anything fails, the rollback restores the schema.

    Use it for loads into empty or small tables; rebuilding the indexes of a large table
    for a small load costs more than it saves.

    Raises
    ------
    sqlalchemy.exc.IntegrityError
        On leaving the block, when the loaded rows break a unique or foreign-key constraint.
    """
    if conn.dialect.name == "postgresql":
        restore = _drop_postgres_indexes(conn, tables)
    elif conn.dialect.name == "sqlite":
        restore = _drop_sqlite_indexes(conn, tables)
    else:  # pragma: no cover - other databases keep their indexes
        restore = []
    yield
    for statement in restore:
        conn.exec_driver_sql(statement)


def reset_sequences(conn: sa.Connection, tables: Iterable[sa.Table]) -> None:
    """Move each table's id sequence past the largest id (PostgreSQL; a no-op on SQLite).

    Call this after :func:`bulk_insert` wrote explicit ids, so that later inserts without
    an id do not collide with them. Tables without an integer ``id`` column are skipped.
    """
    if conn.dialect.name != "postgresql":
        return
    prep = conn.dialect.identifier_preparer
    for table in tables:
        if "id" not in table.c or not isinstance(table.c.id.type, sa.Integer):
            continue
        name = prep.format_table(table)
        conn.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {name}), 1), "
                f"(SELECT MAX(id) FROM {name}) IS NOT NULL)"
            ),
            {"t": name},
        )


def clear_tables(conn: sa.Connection, tables: Sequence[sa.Table]) -> None:
    """Delete every row of ``tables`` (and, on PostgreSQL, restart their id sequences).

    ``tables`` must include every table that refers to one of them; pass them in any order.
    On PostgreSQL this is one ``TRUNCATE``; on SQLite a ``DELETE`` per table, children first.
    """
    if not tables:
        return
    if conn.dialect.name == "postgresql":
        prep = conn.dialect.identifier_preparer
        names = ", ".join(prep.format_table(t) for t in tables)
        conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY")
        return
    chosen = set(tables)
    for table in reversed(sa.sql.util.sort_tables(chosen)):
        # A self-reference with ON DELETE RESTRICT (regions.parent_id) is checked row by
        # row, so cut those references before deleting.
        for fk in table.foreign_keys:
            if fk.column.table is table and fk.parent.nullable:
                conn.execute(table.update().values({fk.parent.name: None}))
        conn.execute(table.delete())


def latest_import_run(conn: sa.Connection, table: sa.Table, kind: str) -> dict[str, Any] | None:
    """Return the newest row of the import-run ``table`` with ``kind``, or None."""
    row = (
        conn.execute(
            sa.select(table).where(table.c.kind == kind).order_by(table.c.id.desc()).limit(1)
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


# -- batching and row shapes -----------------------------------------------------------------


def _batches(
    rows: Iterable[Mapping[str, object]], size: int
) -> Iterator[list[Mapping[str, object]]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _normalise(
    table: sa.Table, batch: list[Mapping[str, object]]
) -> tuple[list[str], list[tuple[object, ...]]]:
    """Give every row of ``batch`` the same columns; return the names and value tuples."""
    columns = list(batch[0].keys())
    for name in columns:
        if name not in table.c:
            raise InvalidData(f"table {table.name!r} has no column {name!r}")
    # Fast path: every row has exactly these keys (in any order).
    width = len(columns)
    if all(len(row) == width for row in batch):
        pick = itemgetter(*columns)
        try:
            if width == 1:
                return columns, [(pick(row),) for row in batch]
            return columns, [pick(row) for row in batch]
        except KeyError:
            pass
    seen = dict.fromkeys(columns)
    for row in batch:
        for key in row:
            if key not in seen:
                if key not in table.c:
                    raise InvalidData(f"table {table.name!r} has no column {key!r}")
                seen[key] = None
    columns = list(seen)
    fills = {name: _fill_value(table.c[name]) for name in columns}
    values: list[tuple[object, ...]] = []
    for row in batch:
        out = []
        for name in columns:
            value = row.get(name, _MISSING)
            if value is _MISSING:
                value = fills[name]
                if value is _MISSING:
                    raise InvalidData(
                        f"table {table.name!r}: a row lacks column {name!r}, which has no "
                        "default, while other rows of its batch give it"
                    )
            out.append(value)
        values.append(tuple(out))
    return columns, values


def _fill_value(column: sa.Column[Any]) -> object:
    """Return the Python value equal to ``column``'s server default, NULL, or _MISSING."""
    default = column.server_default
    if default is None:
        return None if column.nullable else _MISSING
    arg = getattr(default, "arg", None)
    if isinstance(arg, str):
        return arg
    if isinstance(arg, sa.sql.elements.False_):
        return False
    if isinstance(arg, sa.sql.elements.True_):
        return True
    if isinstance(arg, sa.sql.elements.TextClause):
        text = arg.text.strip().strip("()")
        for cast in (int, float):
            try:
                return cast(text)
            except ValueError:
                continue
        if len(text) >= 2 and text[0] == text[-1] == "'":
            return text[1:-1].replace("''", "'")
    return _MISSING


# -- SQLite ----------------------------------------------------------------------------------


def _executemany_batch(
    conn: sa.Connection,
    table: sa.Table,
    columns: list[str],
    values: list[tuple[object, ...]],
) -> None:
    """Insert one batch with a single DBAPI ``executemany``.

    Values go through the same type processors as Core's ``conn.execute(table.insert(),
    rows)`` (ISO dates, 0/1 booleans), applied column by column, which is about twice as
    fast as Core's per-row parameter handling. JSON is written as UTF-8 text (not ASCII
    escapes), as on PostgreSQL; reading it back gives the same values.
    """
    dialect = conn.dialect
    processors: list[Callable[[Any], Any] | None] = [
        _dump_json
        if isinstance(table.c[name].type, sa.JSON)
        else table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        for name in columns
    ]
    if any(proc is not None for proc in processors):
        cols = list(zip(*values, strict=True))
        for i, proc in enumerate(processors):
            if proc is None:
                continue
            if proc is _dump_json:
                cols[i] = tuple([proc(v) for v in cols[i]])
                continue
            # Dates, timestamps and flags repeat a lot; convert each distinct value once.
            memo: dict[object, object] = {}
            get = memo.get
            out = []
            for v in cols[i]:
                done = get(v, _MISSING)
                if done is _MISSING:
                    done = memo[v] = proc(v)
                out.append(done)
            cols[i] = tuple(out)
        values = list(zip(*cols, strict=True))
    prep = dialect.identifier_preparer
    names = ", ".join(prep.quote(name) for name in columns)
    marks = ", ".join("?" * len(columns))
    conn.exec_driver_sql(
        f"INSERT INTO {prep.format_table(table)} ({names}) VALUES ({marks})", values
    )


def _grow_sqlite_cache(conn: sa.Connection) -> int | None:
    """Enlarge the page cache for the load; return the old setting to restore, or None."""
    old = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    if old is None:
        return None
    old = int(old)
    # Negative values are KiB, positive values pages; compare both as KiB (4 KiB pages).
    old_kib = -old if old < 0 else old * 4
    if old_kib >= SQLITE_LOAD_CACHE_KIB:
        return None
    conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_LOAD_CACHE_KIB}")
    return old


def _drop_sqlite_indexes(conn: sa.Connection, tables: Sequence[sa.Table]) -> list[str]:
    # Python's sqlite3 opens a transaction only before INSERT/UPDATE/DELETE; DDL run
    # before that would commit on its own, so open the transaction first.
    driver = conn.connection.driver_connection
    if driver is not None and not driver.in_transaction:
        driver.execute("BEGIN")
    restore: list[str] = []
    prep = conn.dialect.identifier_preparer
    for table in tables:
        found = conn.execute(
            sa.text(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL ORDER BY name"
            ),
            {"t": table.name},
        ).all()
        for name, sql in found:
            conn.exec_driver_sql(f"DROP INDEX {prep.quote(name)}")
            restore.append(sql)
    return restore


# -- PostgreSQL ------------------------------------------------------------------------------


_PG_CONSTRAINTS = """
SELECT c.conname, c.contype, pg_get_constraintdef(c.oid)
FROM pg_constraint c
WHERE c.conrelid = to_regclass(:t)
  AND (c.contype = 'f' OR (c.contype = 'u' AND NOT EXISTS (
        SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)))
ORDER BY c.contype DESC, c.conname
"""
_PG_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = to_regclass(:t) AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY 1
"""


def _drop_postgres_indexes(conn: sa.Connection, tables: Sequence[sa.Table]) -> list[str]:
    """Drop indexes and constraints; return the statements that recreate them in order."""
    prep = conn.dialect.identifier_preparer
    indexes: list[str] = []
    uniques: list[str] = []
    foreign: list[str] = []
    # Foreign keys first: a unique constraint cannot go while a foreign key uses it.
    found: list[tuple[str, str, str, str]] = []
    for table in tables:
        name = prep.format_table(table)
        for conname, contype, definition in conn.execute(sa.text(_PG_CONSTRAINTS), {"t": name}):
            found.append((name, conname, contype, definition))
    for name, conname, contype, definition in sorted(found, key=lambda f: f[2] != "f"):
        conn.exec_driver_sql(f"ALTER TABLE {name} DROP CONSTRAINT {prep.quote(conname)}")
        add = f"ALTER TABLE {name} ADD CONSTRAINT {prep.quote(conname)} {definition}"
        (foreign if contype == "f" else uniques).append(add)
    for table in tables:
        name = prep.format_table(table)
        for index, definition in conn.execute(sa.text(_PG_INDEXES), {"t": name}).all():
            conn.exec_driver_sql(f"DROP INDEX {index}")
            indexes.append(definition)
    if indexes or uniques:
        # Index builds sort in memory; the setting ends with the transaction.
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
    return [*uniques, *indexes, *foreign]


_PG_COLUMN_TYPES = """
SELECT a.attname, t.typname
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = to_regclass(:t) AND a.attnum > 0 AND NOT a.attisdropped
"""


def _copy_batches(
    conn: sa.Connection,
    table: sa.Table,
    batches: Iterator[tuple[list[str], list[tuple[object, ...]]]],
) -> int:
    """Stream batches through a binary ``COPY ... FROM STDIN`` on the caller's transaction.

    Values are sent in PostgreSQL's binary format, with each column's type as the database
    reports it, which spares both sides parsing text (about four times faster than a text
    ``COPY``). One ``COPY`` serves consecutive batches with the same columns, and a queued
    writer sends data from a second thread while Python prepares the next batch.
    """
    driver = conn.connection.driver_connection
    if driver is None:  # pragma: no cover - a live connection always has one
        raise RuntimeError("no database connection")
    prep = conn.dialect.identifier_preparer
    name = prep.format_table(table)
    types = dict(conn.execute(sa.text(_PG_COLUMN_TYPES), {"t": name}).tuples().all())
    total = 0
    pending = next(batches, None)
    with driver.cursor() as cur:
        set_json_dumps(_JSON.encode, context=cur)
        while pending is not None:
            columns = pending[0]
            names = ", ".join(prep.quote(column) for column in columns)
            statement = f"COPY {name} ({names}) FROM STDIN (FORMAT BINARY)"
            try:
                with cur.copy(statement, writer=QueuedLibpqWriter(cur)) as copy:
                    copy.set_types([types[column] for column in columns])
                    while pending is not None and pending[0] == columns:
                        values = pending[1]
                        write = copy.write_row
                        for row in values:
                            write(row)
                        total += len(values)
                        pending = next(batches, None)
            except psycopg.errors.IntegrityError as err:
                raise sa.exc.IntegrityError(statement, None, err) from err
            except psycopg.DataError as err:
                raise sa.exc.DataError(statement, None, err) from err
    return total


def _dump_json(value: object) -> object:
    if value is None:
        return None
    if not value and isinstance(value, list | dict):
        return "[]" if isinstance(value, list) else "{}"
    return _JSON.encode(value)


def _json_default(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


_JSON = json.JSONEncoder(ensure_ascii=False, default=_json_default)
