"""Reads of supply links as columns, for chain analysis.

The links are the largest table: they come straight through the DBAPI cursor of the
caller's connection into NumPy arrays (see :mod:`~chainatlas.store.analysis_reads`), with
supplier, buyer and segment packed into one integer per row when the ids allow it, and
on PostgreSQL the product codes computed by the server. Nothing here commits.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import sqlalchemy as sa

from chainatlas.store import schema as s
from chainatlas.store.analysis_reads import _CHUNK, Columns, _records, _scalars, sentinel_to_nan

__all__ = ["link_columns", "link_id_bounds", "valid_clause"]


def _day(conn: sa.Connection, day: date) -> Any:
    # SQLite stores SQLAlchemy Date columns as ISO text; compare like with like.
    return day.isoformat() if conn.dialect.name == "sqlite" else day


def valid_clause(conn: sa.Connection, as_of: date | None) -> tuple[str, list[Any]]:
    """Return the `` AND …`` condition (and its parameters) for links valid on ``as_of``.

    Links are aliased ``l``; no condition when ``as_of`` is None.
    """
    if as_of is None:
        return "", []
    d = _day(conn, as_of)
    return (
        " AND (l.valid_from IS NULL OR l.valid_from <= ?) AND (l.valid_to IS NULL OR "
        "l.valid_to >= ?)",
        [d, d],
    )


def _max_id(conn: sa.Connection, table: sa.Table) -> int:
    got = conn.execute(sa.select(sa.func.max(table.c.id))).scalar()
    return 0 if got is None else int(got)


def link_columns(
    conn: sa.Connection,
    *,
    chain_id: int | None = None,
    as_of: date | None = None,
) -> Columns:
    """Return supply links as columns, valid on ``as_of`` (all links when None).

    With ``chain_id``, only the chain's links: those whose segment is one of the chain's
    segments, and those without a segment whose supplier is a member of the chain
    (``segment_id`` -1; the service places them).

    Columns: ``id``, ``supplier_id``, ``buyer_id``, ``segment_id`` (-1 when empty),
    ``annual_value`` and ``share`` (NaN when empty), ordered by id; and ``product``
    (object), or on PostgreSQL ``product_code`` with ``product_names`` (the codes are
    computed by the server, so no string travels per row).
    Supplier, buyer and segment travel packed into one integer per row when the ids
    allow it, which halves the cost of the read.
    """
    where = "1 = 1"
    params: list[Any] = []
    if chain_id is not None:
        where = (
            "(l.segment_id IN (SELECT id FROM segments WHERE chain_id = ?) OR "
            "(l.segment_id IS NULL AND l.supplier_id IN (SELECT es.enterprise_id FROM "
            "enterprise_segments es JOIN segments sg ON sg.id = es.segment_id "
            "WHERE sg.chain_id = ?)))"
        )
        params = [chain_id, chain_id]
    valid, vparams = valid_clause(conn, as_of)
    where += valid
    params += vparams
    be = max(_max_id(conn, s.enterprises), 1).bit_length()
    bs = (_max_id(conn, s.segments) + 1).bit_length()
    hint = _CHUNK + 1
    packed = 2 * be + bs <= 62
    pg = conn.dialect.name == "postgresql"
    names: list[str] = []
    join = ""
    if pg:
        # product codes come from the server, so only integers travel per row
        names = [
            str(r[0])
            for r in conn.execute(sa.text("SELECT DISTINCT product FROM supply_links ORDER BY 1"))
        ]
        join = (
            " LEFT JOIN unnest(CAST(? AS TEXT[])) WITH ORDINALITY AS pc(product, code) "
            "ON pc.product = l.product"
        )
        params = [names, *params]
    code = ", COALESCE(pc.code, 0) - 1" if pg else ""
    code_dt = [("p", "i8")] if pg else []
    # SQLite reads the products in a second pass, so both passes must run in id order;
    # PostgreSQL sends everything in one pass and the ids are sorted here instead
    order = "" if pg else " ORDER BY l.id"
    if packed:
        key = (
            f"(CAST(l.supplier_id AS BIGINT) << {be + bs}) | "
            f"(CAST(l.buyer_id AS BIGINT) << {bs}) | (COALESCE(l.segment_id, -1) + 1)"
        )
        rec = _records(
            conn,
            f"SELECT l.id, {key}, COALESCE(l.annual_value, -1.0), COALESCE(l.share, -1.0)"
            f"{code} FROM supply_links l{join} WHERE {where}{order}",
            params,
            [("id", "i8"), ("k", "i8"), ("v", "f8"), ("s", "f8"), *code_dt],
            hint,
        )
        k = rec["k"]
        sup = k >> (be + bs)
        buy = (k >> bs) & ((1 << be) - 1)
        seg = (k & ((1 << bs) - 1)) - 1
    else:
        rec = _records(
            conn,
            "SELECT l.id, l.supplier_id, l.buyer_id, COALESCE(l.segment_id, -1), "
            f"COALESCE(l.annual_value, -1.0), COALESCE(l.share, -1.0){code} "
            f"FROM supply_links l{join} WHERE {where}{order}",
            params,
            [
                ("id", "i8"),
                ("a", "i8"),
                ("b", "i8"),
                ("g", "i8"),
                ("v", "f8"),
                ("s", "f8"),
                *code_dt,
            ],
            hint,
        )
        sup, buy, seg = rec["a"], rec["b"], rec["g"]
    if pg and len(rec) > 1 and not bool((np.diff(rec["id"]) > 0).all()):
        by_id = np.argsort(rec["id"], kind="stable")
        rec, sup, buy, seg = rec[by_id], sup[by_id], buy[by_id], seg[by_id]
    out: Columns = {
        "id": rec["id"],
        "supplier_id": sup.astype(np.int64, copy=False),
        "buyer_id": buy.astype(np.int64, copy=False),
        "segment_id": seg.astype(np.int64, copy=False),
        "annual_value": sentinel_to_nan(rec["v"]),
        "share": sentinel_to_nan(rec["s"]),
    }
    if pg:
        codes = rec["p"].astype(np.int64, copy=True)
        if (codes < 0).any():  # a product added after the names were read
            codes[codes < 0] = len(names)
            names.append("")
        arr = np.empty(len(names), dtype=object)
        arr[:] = names
        out["product_code"], out["product_names"] = codes, arr
    else:
        out["product"] = _scalars(
            conn,
            f"SELECT l.product FROM supply_links l WHERE {where} ORDER BY l.id",
            params,
            hint,
        )
    return out


def link_id_bounds(conn: sa.Connection) -> tuple[int, int]:
    """Return the smallest and largest supply-link id (0, 0 when there are none)."""
    t = s.supply_links
    # two queries: SQLite answers min() or max() alone from the index, both at once by a scan
    lo = conn.execute(sa.select(sa.func.min(t.c.id))).scalar()
    hi = conn.execute(sa.select(sa.func.max(t.c.id))).scalar()
    return (0, 0) if lo is None or hi is None else (int(lo), int(hi))
