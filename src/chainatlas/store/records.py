"""Generic row access used by importers and exporters: fetch, insert, update.

These functions know SQL so that services do not; none of them commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

__all__ = ["count_rows", "fetch_rows", "insert_rows", "update_rows"]

_CHUNK = 500


def fetch_rows(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[str] | None = None,
    *,
    where: str | None = None,
    values: Iterable[Any] | None = None,
    order_by: str | None = None,
) -> list[dict[str, Any]]:
    """Return rows of ``table`` as dicts, all of them or those with ``where`` in ``values``."""
    cols = [table.c[c] for c in columns] if columns else list(table.c)
    if where is None or values is None:
        stmt = sa.select(*cols)
        if order_by:
            stmt = stmt.order_by(table.c[order_by])
        return [dict(r._mapping) for r in conn.execute(stmt)]
    wanted = list(dict.fromkeys(v for v in values if v is not None))
    out: list[dict[str, Any]] = []
    for i in range(0, len(wanted), _CHUNK):
        stmt = sa.select(*cols).where(table.c[where].in_(wanted[i : i + _CHUNK]))
        out.extend(dict(r._mapping) for r in conn.execute(stmt))
    return out


def insert_rows(
    conn: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]
) -> list[int]:
    """Insert ``rows`` and return their new ids in the same order (tables with an ``id``)."""
    if not rows:
        return []
    if "id" not in table.c:
        conn.execute(table.insert(), list(rows))
        return [0] * len(rows)
    ids: list[int] = []
    # Group rows by column set so each executemany has uniform parameters.
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(tuple(sorted(row)), []).append(i)
    result_ids: dict[int, int] = {}
    for _cols, idxs in groups.items():
        stmt = table.insert().returning(table.c.id, sort_by_parameter_order=True)
        got = conn.execute(stmt, [dict(rows[i]) for i in idxs]).scalars().all()
        for i, new_id in zip(idxs, got, strict=True):
            result_ids[i] = int(new_id)
    ids = [result_ids[i] for i in range(len(rows))]
    return ids


def update_rows(conn: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Update rows by ``id``; each row gives its id and the columns to change."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        cols = tuple(sorted(k for k in row if k != "id"))
        if cols:
            groups.setdefault(cols, []).append({"_id": row["id"], **{c: row[c] for c in cols}})
    for cols, params in groups.items():
        stmt = (
            table.update()
            .where(table.c.id == sa.bindparam("_id"))
            .values({c: sa.bindparam(c) for c in cols})
        )
        conn.execute(stmt, params)


def count_rows(conn: sa.Connection, table: sa.Table) -> int:
    """Return the number of rows in ``table``."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
