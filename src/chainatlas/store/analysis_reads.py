"""Reads for chain analysis: columnar, aggregated in the database where possible.

Large reads (supply links, memberships, yearly output) go straight through the DBAPI
cursor of the caller's connection, in chunks, into NumPy arrays: no ORM rows, no pandas
on the way. Totals per region are aggregated in SQL. Nothing here commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from chainatlas.store import schema as s
from chainatlas.store import schema_activity as sa_

__all__ = [
    "Columns",
    "chain_rows",
    "chain_memberships",
    "enterprise_attributes",
    "enterprise_labels",
    "events_list",
    "find_chain",
    "find_enterprises",
    "find_event",
    "find_region",
    "find_region_group",
    "industry_members",
    "insert_event",
    "latest_output_year",
    "outputs",
    "region_group_members",
    "region_rows",
    "region_totals",
    "segment_edge_rows",
    "segment_index",
    "segment_products",
    "segment_rows",
    "sentinel_to_nan",
]

Columns = dict[str, npt.NDArray[Any]]
"""Named columns of equal length."""

_CHUNK = 250_000
_IN_CHUNK = 900


def _sql(conn: sa.Connection, text: str) -> str:
    """Turn ``?`` placeholders into the driver's style."""
    if conn.dialect.paramstyle in {"format", "pyformat"}:
        return text.replace("%", "%%").replace("?", "%s")
    return text


def _cursor(conn: sa.Connection, size: int) -> Any:
    raw: Any = conn.connection.driver_connection
    if conn.dialect.name == "postgresql" and size > _CHUNK:
        # a server-side cursor streams big results instead of buffering them client-side
        cur = raw.cursor(name=f"chainatlas_{uuid.uuid4().hex[:12]}")
        cur.itersize = _CHUNK
        return cur
    return raw.cursor()


def _records(
    conn: sa.Connection,
    text: str,
    params: Sequence[Any],
    dtype: npt.DTypeLike,
    size_hint: int = 0,
) -> npt.NDArray[Any]:
    """Run ``text`` and read its rows straight into a structured array of ``dtype``.

    No per-row Python lists are kept: on PostgreSQL the rows arrive as one binary
    ``COPY`` stream that NumPy reads in place; elsewhere the cursor is consumed by
    ``np.fromiter``. Fields must be 8-byte integers or floats and never NULL (use
    COALESCE with a sentinel).
    """
    dt = np.dtype(dtype)
    if conn.dialect.name == "postgresql":
        return _copy_records(conn, text, params, dt)
    cur = _cursor(conn, size_hint)
    try:
        cur.execute(_sql(conn, text), tuple(params))
        return np.fromiter(cur, dtype=dt)
    finally:
        cur.close()


_PG_TYPES = {"i": "BIGINT", "f": "DOUBLE PRECISION"}
_COPY_HEADER = 19  # signature (11), flags (4), header extension length (4)


def _copy_records(
    conn: sa.Connection, text: str, params: Sequence[Any], dt: np.dtype[Any]
) -> npt.NDArray[Any]:
    """Read a query through ``COPY (...) TO STDOUT (FORMAT BINARY)`` into ``dt``.

    Every column is cast to BIGINT or DOUBLE PRECISION, so each row has the same size:
    a field count, then per field a 4-byte length and 8 bytes of big-endian data; NumPy
    reads the stream with a matching structured dtype.
    """
    names = dt.names or ()
    for n in names:
        if dt[n].kind not in _PG_TYPES or dt[n].itemsize != 8:
            raise TypeError(f"field {n!r}: binary COPY reads 8-byte integers or floats only")
    cols = ", ".join(f"CAST(q.c{i} AS {_PG_TYPES[dt[n].kind]})" for i, n in enumerate(names))
    alias = ", ".join(f"c{i}" for i in range(len(names)))
    stmt = f"COPY (SELECT {cols} FROM ({_sql(conn, text)}) AS q({alias})) TO STDOUT (FORMAT BINARY)"
    wire = [("count", ">i2")]
    for n in names:
        wire += [(f"len_{n}", ">i4"), (n, ">i8" if dt[n].kind == "i" else ">f8")]
    wdt = np.dtype(wire)
    raw: Any = conn.connection.driver_connection
    buf = bytearray()
    with raw.cursor() as cur, cur.copy(stmt, tuple(params)) as copy:
        while block := copy.read():
            buf += block
    ext = int.from_bytes(buf[15:19], "big") if len(buf) >= _COPY_HEADER else 0
    start = _COPY_HEADER + ext
    n_rows = max(len(buf) - start - 2, 0) // wdt.itemsize
    rows = np.frombuffer(buf, dtype=wdt, count=n_rows, offset=start)
    if n_rows and not all((rows[f"len_{n}"] == 8).all() for n in names):
        raise ValueError("binary COPY returned a NULL or a field of unexpected width")
    out = np.empty(n_rows, dtype=dt)
    for n in names:
        out[n] = rows[n]
    return out


def _scalars(
    conn: sa.Connection, text: str, params: Sequence[Any], size_hint: int = 0
) -> npt.NDArray[np.object_]:
    """Run a one-column query and return its values as an object array."""
    cur = _cursor(conn, size_hint)
    try:
        cur.execute(_sql(conn, text), tuple(params))
        return np.fromiter(map(itemgetter(0), cur), dtype=object)
    finally:
        cur.close()


def sentinel_to_nan(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Turn the sentinel -1 (NULL of a non-negative column) into NaN."""
    out = values.astype(np.float64)
    out[out < 0] = np.nan
    return out


def region_rows(conn: sa.Connection) -> list[dict[str, Any]]:
    """Return every region: id, code, names, level, parent_id and country."""
    t = s.regions
    stmt = sa.select(
        t.c.id, t.c.code, t.c.name_zh, t.c.name_en, t.c.level, t.c.parent_id, t.c.country
    ).order_by(t.c.id)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def find_region(conn: sa.Connection, ref: str) -> list[dict[str, Any]]:
    """Return the regions whose code, Chinese name or English name equals ``ref``."""
    t = s.regions
    stmt = sa.select(t.c.id, t.c.code, t.c.name_zh, t.c.name_en, t.c.level).where(
        sa.or_(t.c.code == ref, t.c.name_zh == ref, sa.func.lower(t.c.name_en) == ref.lower())
    )
    return [dict(r._mapping) for r in conn.execute(stmt.order_by(t.c.id))]


def find_region_group(conn: sa.Connection, ref: str) -> dict[str, Any] | None:
    """Return the region group with code or name ``ref`` and its member region ids."""
    t = s.region_groups
    row = conn.execute(
        sa.select(t.c.id, t.c.code, t.c.name_zh, t.c.name_en).where(
            sa.or_(t.c.code == ref, t.c.name_zh == ref)
        )
    ).first()
    if row is None:
        return None
    out = dict(row._mapping)
    m = s.region_group_members
    out["members"] = [
        int(r[0]) for r in conn.execute(sa.select(m.c.region_id).where(m.c.group_id == out["id"]))
    ]
    return out


def region_group_members(conn: sa.Connection) -> list[tuple[int, str, int]]:
    """Return (group id, group code, member region id) for every group membership."""
    g, m = s.region_groups, s.region_group_members
    stmt = sa.select(g.c.id, g.c.code, m.c.region_id).join(m, m.c.group_id == g.c.id)
    return [(int(a), str(b), int(c)) for a, b, c in conn.execute(stmt)]


def find_chain(conn: sa.Connection, code: str) -> dict[str, Any] | None:
    """Return the chain row with ``code`` (None when there is none)."""
    t = s.chains
    row = conn.execute(
        sa.select(t.c.id, t.c.code, t.c.name_zh, t.c.name_en).where(t.c.code == code)
    ).first()
    return None if row is None else dict(row._mapping)


def segment_rows(conn: sa.Connection, chain_id: int) -> list[dict[str, Any]]:
    """Return the segments of a chain in map order (sort_order, then id)."""
    t = s.segments
    stmt = (
        sa.select(
            t.c.id,
            t.c.code,
            t.c.name_zh,
            t.c.name_en,
            t.c.position,
            t.c.products,
            t.c.products_en,
            t.c.choke_point,
            t.c.choke_technologies,
            t.c.importance,
            t.c.sort_order,
        )
        .where(t.c.chain_id == chain_id)
        .order_by(t.c.sort_order, t.c.id)
    )
    return [dict(r._mapping) for r in conn.execute(stmt)]


def segment_edge_rows(conn: sa.Connection, chain_id: int) -> list[dict[str, Any]]:
    """Return the segment edges of a chain (supplier and buyer segment ids, input class)."""
    t = s.segment_edges
    stmt = (
        sa.select(t.c.id, t.c.supplier_segment_id, t.c.buyer_segment_id, t.c.input_class)
        .where(t.c.chain_id == chain_id)
        .order_by(t.c.id)
    )
    return [dict(r._mapping) for r in conn.execute(stmt)]


def chain_memberships(conn: sa.Connection, chain_id: int | None = None) -> Columns:
    """Return enterprise-segment memberships (of one chain, or all), ordered.

    Columns: ``enterprise_id``, ``segment_id`` (int64) and ``revenue_share`` (float, NaN
    when not given).
    """
    text = (
        "SELECT es.enterprise_id, es.segment_id, COALESCE(es.revenue_share, -1.0) "
        "FROM enterprise_segments es"
    )
    params: list[Any] = []
    if chain_id is not None:
        text += " JOIN segments sg ON sg.id = es.segment_id WHERE sg.chain_id = ?"
        params.append(chain_id)
    text += " ORDER BY es.enterprise_id, es.segment_id"
    rec = _records(conn, text, params, [("e", "i8"), ("s", "i8"), ("r", "f8")], _CHUNK + 1)
    return {
        "enterprise_id": rec["e"],
        "segment_id": rec["s"],
        "revenue_share": sentinel_to_nan(rec["r"]),
    }


def _in_list(ids: npt.NDArray[np.int64] | None) -> Iterator[tuple[str, list[Any]]]:
    if ids is None:
        yield "", []
        return
    uniq = np.unique(ids)
    for i in range(0, len(uniq), _IN_CHUNK):
        part = [int(v) for v in uniq[i : i + _IN_CHUNK]]
        yield f" IN ({','.join('?' * len(part))})", part


def enterprise_attributes(conn: sa.Connection, ids: npt.NDArray[np.int64] | None = None) -> Columns:
    """Return ``id``, ``region_id`` and ``park_id`` (-1 when empty) of enterprises.

    All enterprises when ``ids`` is None, else those ids (ids that do not exist are
    simply absent from the result).
    """
    parts = []
    dt = [("id", "i8"), ("r", "i8"), ("p", "i8")]
    for clause, params in _in_list(ids):
        where = f" WHERE id{clause}" if clause else ""
        parts.append(
            _records(
                conn,
                "SELECT id, COALESCE(region_id, -1), COALESCE(park_id, -1) FROM enterprises"
                + where,
                params,
                dt,
                _CHUNK + 1 if ids is None else 0,
            )
        )
    rec = np.concatenate(parts) if parts else np.zeros(0, dtype=dt)
    return {"id": rec["id"], "region_id": rec["r"], "park_id": rec["p"]}


def outputs(conn: sa.Connection, year: int, ids: npt.NDArray[np.int64] | None = None) -> Columns:
    """Return ``enterprise_id`` and ``output_value`` (NaN when empty) for ``year``."""
    parts = []
    dt = [("e", "i8"), ("x", "f8")]
    for clause, params in _in_list(ids):
        where = f" AND enterprise_id{clause}" if clause else ""
        parts.append(
            _records(
                conn,
                "SELECT enterprise_id, COALESCE(output_value, -1.0) FROM enterprise_years "
                "WHERE year = ?" + where,
                [year, *params],
                dt,
                _CHUNK + 1 if ids is None else 0,
            )
        )
    rec = np.concatenate(parts) if parts else np.zeros(0, dtype=dt)
    return {"enterprise_id": rec["e"], "output_value": sentinel_to_nan(rec["x"])}


def latest_output_year(conn: sa.Connection) -> int | None:
    """Return the latest year with any output value (None when there is no output data)."""
    t = s.enterprise_years
    got = conn.execute(
        sa.select(sa.func.max(t.c.year)).where(t.c.output_value.is_not(None))
    ).scalar()
    return None if got is None else int(got)


def region_totals(conn: sa.Connection, year: int | None) -> Columns:
    """Return enterprise counts and output totals per (region, park), aggregated in SQL.

    Columns ``region_id``, ``park_id`` (-1 when empty), ``enterprises`` (all
    enterprises), ``output`` (Σ output_value in ``year``; 0 when none) and
    ``with_output`` (enterprises with an output value in ``year``).
    """
    counts = _records(
        conn,
        "SELECT COALESCE(region_id, -1), COALESCE(park_id, -1), COUNT(*) FROM enterprises "
        "GROUP BY COALESCE(region_id, -1), COALESCE(park_id, -1)",
        [],
        [("r", "i8"), ("p", "i8"), ("n", "i8")],
    )
    out_v = np.zeros(len(counts))
    with_v = np.zeros(len(counts), dtype=np.int64)
    if year is not None:
        sums = _records(
            conn,
            "SELECT COALESCE(e.region_id, -1), COALESCE(e.park_id, -1), SUM(y.output_value), "
            "COUNT(y.output_value) FROM enterprise_years y JOIN enterprises e "
            "ON e.id = y.enterprise_id WHERE y.year = ? AND y.output_value IS NOT NULL "
            "GROUP BY COALESCE(e.region_id, -1), COALESCE(e.park_id, -1)",
            [year],
            [("r", "i8"), ("p", "i8"), ("x", "f8"), ("n", "i8")],
        )
        pos = {
            (int(r), int(p)): i
            for i, (r, p) in enumerate(zip(counts["r"], counts["p"], strict=True))
        }
        for r, p, x, n in sums.tolist():
            out_v[pos[(r, p)]] = x
            with_v[pos[(r, p)]] = n
    return {
        "region_id": counts["r"],
        "park_id": counts["p"],
        "enterprises": counts["n"],
        "output": out_v,
        "with_output": with_v,
    }


_LABELS = (
    "id",
    "name",
    "name_en",
    "credit_code",
    "stock_code",
    "region_code",
    "region_name",
)


def enterprise_labels(
    conn: sa.Connection, ids: Sequence[int] | npt.NDArray[np.int64]
) -> dict[int, dict[str, Any]]:
    """Return name, English name, credit and stock code, and region code of enterprises.

    Read through the driver's cursor: reports label thousands of enterprises.
    """
    out: dict[int, dict[str, Any]] = {}
    wanted = sorted({int(i) for i in ids})
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        for i in range(0, len(wanted), _IN_CHUNK):
            part = wanted[i : i + _IN_CHUNK]
            cur.execute(
                _sql(
                    conn,
                    "SELECT e.id, e.name, e.name_en, e.credit_code, e.stock_code, r.code, "
                    "r.name_zh FROM enterprises e LEFT JOIN regions r ON r.id = e.region_id "
                    f"WHERE e.id IN ({','.join('?' * len(part))})",
                ),
                part,
            )
            for row in cur.fetchall():
                out[int(row[0])] = dict(zip(_LABELS, row, strict=True))
    finally:
        cur.close()
    return out


def find_event(conn: sa.Connection, code: str) -> dict[str, Any] | None:
    """Return the event with ``code`` (None when there is none)."""
    t = sa_.events
    row = conn.execute(sa.select(t).where(t.c.code == code)).first()
    return None if row is None else dict(row._mapping)


def events_list(conn: sa.Connection) -> list[dict[str, Any]]:
    """Return every event, newest first, with its region code and enterprise name."""
    t, r, e = sa_.events, s.regions, s.enterprises
    stmt = (
        sa.select(
            t.c.code,
            t.c.kind,
            t.c.product,
            t.c.severity,
            t.c.occurred_on,
            t.c.ended_on,
            t.c.description,
            r.c.code.label("region"),
            e.c.name.label("enterprise"),
        )
        .select_from(
            t.outerjoin(r, r.c.id == t.c.region_id).outerjoin(e, e.c.id == t.c.enterprise_id)
        )
        .order_by(t.c.occurred_on.desc(), t.c.code)
    )
    return [dict(row._mapping) for row in conn.execute(stmt)]


def industry_members(conn: sa.Connection, scheme: str) -> list[dict[str, Any]]:
    """Return enterprises classified in ``scheme`` with their industry code and stock code."""
    e, i = s.enterprises, s.industries
    stmt = (
        sa.select(e.c.id, e.c.stock_code, e.c.credit_code, e.c.name, i.c.code.label("industry"))
        .join(i, i.c.id == e.c.industry_id)
        .where(i.c.scheme == scheme)
        .order_by(e.c.id)
    )
    return [dict(r._mapping) for r in conn.execute(stmt)]


def find_enterprises(conn: sa.Connection, ref: str) -> list[dict[str, Any]]:
    """Return enterprises whose credit code, stock code or exact name equals ``ref``."""
    e = s.enterprises
    stmt = sa.select(e.c.id, e.c.name, e.c.region_id).where(
        sa.or_(e.c.credit_code == ref.upper(), e.c.stock_code == ref.upper(), e.c.name == ref)
    )
    return [dict(r._mapping) for r in conn.execute(stmt.order_by(e.c.id))]


def insert_event(conn: sa.Connection, row: dict[str, Any]) -> int:
    """Insert one event row and return its id (the caller owns the transaction)."""
    return int(
        conn.execute(sa_.events.insert().values(**row).returning(sa_.events.c.id)).scalar_one()
    )


def segment_products(conn: sa.Connection) -> list[tuple[int, int, list[str], list[str]]]:
    """Return (segment id, chain id, products, English products) of every segment."""
    t = s.segments
    return [
        (int(r[0]), int(r[1]), list(r[2] or []), list(r[3] or []))
        for r in conn.execute(sa.select(t.c.id, t.c.chain_id, t.c.products, t.c.products_en))
    ]


def chain_rows(conn: sa.Connection) -> list[dict[str, Any]]:
    """Return id, code and names of every chain."""
    t = s.chains
    stmt = sa.select(t.c.id, t.c.code, t.c.name_zh, t.c.name_en).order_by(t.c.code)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def segment_index(conn: sa.Connection) -> list[dict[str, Any]]:
    """Return id, chain id, code and names of every segment."""
    t = s.segments
    stmt = sa.select(t.c.id, t.c.chain_id, t.c.code, t.c.name_zh, t.c.name_en)
    return [dict(r._mapping) for r in conn.execute(stmt.order_by(t.c.id))]
