"""Columnar reads for the policy engine: enterprise attributes for a million firms in bulk.

Every read returns NumPy columns and moves as few values per row as it can, because on
SQLite the cost of a read is mostly the cost per value handed to Python:

- small integer attributes of an enterprise (region, park and industry ids, size class,
  SRDI level, ownership, flags, founding day) are coded as small non-negative integers
  in SQL and packed, several to one 64-bit integer, together with the id
  (:func:`enterprise_codes`);
- the latest yearly figure of each enterprise is chosen in SQL, one row per enterprise
  (:func:`yearly_figures`; SQLite's ``max()`` with bare columns, PostgreSQL's
  ``DISTINCT ON``), with the enterprise id and the year packed into one integer;
- memberships travel as one packed integer per row (:func:`membership_pairs`).

On PostgreSQL the rows arrive as one binary ``COPY`` stream
(:func:`chainatlas.store.analysis_reads._records`). Nothing here commits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from chainatlas.store import schema as s
from chainatlas.store.analysis_reads import Columns, _records, _sql

__all__ = [
    "CODED_COLUMNS",
    "FOUNDED_OFFSET",
    "data_version",
    "distinct_texts",
    "enterprise_codes",
    "industry_rows",
    "label_rows",
    "latest_rows",
    "membership_pairs",
    "segment_labels",
    "tag_pairs",
    "yearly_figures",
]

FOUNDED_OFFSET = 1 << 22
"""Founding days (since 1970-01-01) travel shifted by this much, so that they are positive."""

_FOUNDED_BITS = 24
_YEAR_BITS = 16
_WORD_BITS = 62

CODED_COLUMNS = (
    "region_id",
    "park_id",
    "industry_id",
    "size_class",
    "srdi_level",
    "ownership",
    "listed",
    "high_tech",
    "founded_on",
)
"""Enterprise columns :func:`enterprise_codes` reads."""


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    expr: str
    bits: int
    params: tuple[Any, ...] = ()


def _max_id(conn: sa.Connection, table: sa.Table) -> int:
    got = conn.execute(sa.select(sa.func.max(table.c.id))).scalar()
    return 0 if got is None else int(got)


def _founded_days(conn: sa.Connection) -> str:
    if conn.dialect.name == "postgresql":
        return "(e.founded_on - DATE '1970-01-01')"
    # SQLite keeps dates as ISO text; julianday counts from noon, 4714 BC
    return "CAST(julianday(e.founded_on) - 2440587.5 AS INTEGER)"


def _coded_field(
    conn: sa.Connection, name: str, vocab: Mapping[str, Sequence[str]], id_bits: dict[str, int]
) -> _Field:
    """Return the SQL that codes one column as a small integer >= 0 (0: NULL)."""
    col = f"e.{name}"
    if name in {"region_id", "park_id", "industry_id"}:
        return _Field(name, f"(COALESCE({col}, -1) + 1)", id_bits[name] + 1)
    if name in {"listed", "high_tech"}:
        return _Field(name, f"(COALESCE(CAST({col} AS INTEGER), -1) + 1)", 2)
    if name == "founded_on":
        days = _founded_days(conn)
        lo, hi = -FOUNDED_OFFSET, FOUNDED_OFFSET - 2
        expr = (
            f"(CASE WHEN {days} BETWEEN {lo} AND {hi} THEN {days} + {FOUNDED_OFFSET + 1} "
            "ELSE 0 END)"
        )
        return _Field(name, expr, _FOUNDED_BITS)
    words = list(vocab[name])
    cases = " ".join(f"WHEN {col} = ? THEN {i + 1}" for i in range(len(words)))
    # a value outside the vocabulary gets len + 1 (the caller reads the vocabulary again)
    expr = f"(CASE WHEN {col} IS NULL THEN 0 {cases} ELSE {len(words) + 1} END)"
    return _Field(name, expr, (len(words) + 1).bit_length(), tuple(words))


def _words(fields: Sequence[_Field]) -> list[list[_Field]]:
    """Pack fields greedily into words of at most 62 bits."""
    words: list[list[_Field]] = [[]]
    used = 0
    for f in fields:
        if used + f.bits > _WORD_BITS and words[-1]:
            words.append([])
            used = 0
        words[-1].append(f)
        used += f.bits
    return words


def enterprise_codes(
    conn: sa.Connection, columns: Sequence[str], vocab: Mapping[str, Sequence[str]]
) -> Columns:
    """Return ``id`` and the coded ``columns`` of every enterprise, in ascending id order.

    Codes (int64): ``region_id``, ``park_id``, ``industry_id`` are the id, -1 when empty;
    ``listed`` and ``high_tech`` are 1, 0 or -1 (NULL); ``founded_on`` is days since
    1970-01-01 plus :data:`FOUNDED_OFFSET` (0: none); ``size_class``, ``srdi_level`` and
    ``ownership`` are 1 + the position of the value in ``vocab[column]``, 0 for NULL and
    ``len(vocab[column]) + 1`` for a value not in it.
    """
    unknown = set(columns) - set(CODED_COLUMNS)
    if unknown:
        raise ValueError(f"enterprise_codes cannot read {sorted(unknown)}")
    id_bits = {
        "region_id": _max_id(conn, s.regions).bit_length(),
        "park_id": _max_id(conn, s.regions).bit_length(),
        "industry_id": _max_id(conn, s.industries).bit_length(),
    }
    fields = [_Field("id", "e.id", max(_max_id(conn, s.enterprises), 1).bit_length())]
    fields += [_coded_field(conn, c, vocab, id_bits) for c in columns]
    words = _words(fields)
    exprs = []
    params: list[Any] = []
    for word in words:
        shift = sum(f.bits for f in word)
        parts = []
        for f in word:
            shift -= f.bits
            parts.append(f"(CAST({f.expr} AS BIGINT) << {shift})" if shift else f.expr)
            params.extend(f.params)
        exprs.append(" | ".join(parts))
    order = "" if conn.dialect.name == "postgresql" else " ORDER BY e.id"
    rec = _records(
        conn,
        f"SELECT {', '.join(exprs)} FROM enterprises e{order}",
        params,
        [(f"w{i}", "i8") for i in range(len(words))],
        1 << 20,
    )
    out: Columns = {}
    for i, word in enumerate(words):
        w = rec[f"w{i}"]
        shift = 0
        for f in reversed(word):
            out[f.name] = (w >> shift) & ((1 << f.bits) - 1)
            shift += f.bits
    if len(out["id"]) > 1 and not bool((np.diff(out["id"]) > 0).all()):
        order_by = np.argsort(out["id"], kind="stable")
        out = {k: v[order_by] for k, v in out.items()}
    for name in ("region_id", "park_id", "industry_id", "listed", "high_tech"):
        if name in out:
            out[name] = out[name] - 1
    return out


def distinct_texts(conn: sa.Connection, column: str) -> list[str]:
    """Return the distinct non-NULL values of a text column of ``enterprises``, sorted."""
    col = s.enterprises.c[column]
    stmt = sa.select(col).where(col.is_not(None)).distinct()
    return sorted(str(v) for (v,) in conn.execute(stmt))


def _not_nan(conn: sa.Connection, col: str) -> str:
    # PostgreSQL can store NaN in double precision (and NaN > 0 holds there); SQLite cannot
    if conn.dialect.name == "postgresql":
        return f" AND {col} <> CAST('NaN' AS DOUBLE PRECISION)"
    return ""


def _id_list(conn: sa.Connection, col: str, ids: npt.NDArray[np.int64]) -> tuple[str, Any]:
    """Return a condition ``col`` in ``ids`` with one parameter, for any number of ids."""
    wanted = np.asarray(ids, dtype=np.int64).tolist()
    if conn.dialect.name == "postgresql":
        # an array literal as text: adapting a long Python list costs far more
        literal = "{" + ",".join(map(str, wanted)) + "}"
        return f"{col} = ANY(CAST(? AS BIGINT[]))", literal
    return f"{col} IN (SELECT value FROM json_each(?))", json.dumps(wanted)


def latest_rows(conn: sa.Connection, columns: Sequence[str]) -> Columns:
    """Return each enterprise's latest yearly row: its year and the ``columns`` of that row.

    One row per enterprise with yearly figures (whatever they hold), in one pass.
    Columns: ``enterprise_id``, ``year`` (int64) and each of ``columns`` (float64, NaN
    where NULL), ordered by enterprise id.
    """
    cols = list(columns)
    unknown = set(cols) - set(s.enterprise_years.c.keys())
    if unknown or len(cols) > 8:
        raise ValueError(f"latest_rows reads up to 8 yearly columns; got {cols}")
    m = len(cols)
    nulls = " | ".join(
        f"(CASE WHEN c.{c} IS NULL THEN {1 << j} ELSE 0 END)" for j, c in enumerate(cols)
    )
    values = ", ".join(f"COALESCE(c.{c}, 0.0)" for c in cols)
    head = f"(CAST(c.enterprise_id AS BIGINT) << {_YEAR_BITS + m})"
    if conn.dialect.name == "postgresql":
        text = (
            f"SELECT DISTINCT ON (c.enterprise_id) {head} | (CAST(c.year AS BIGINT) << {m}) "
            f"| {nulls}, {values} FROM enterprise_years c ORDER BY c.enterprise_id, c.year DESC"
        )
    else:
        # with exactly one max() the bare columns come from the row holding the max
        text = (
            f"SELECT {head} | (MAX(c.year) << {m}) | {nulls}, {values} "
            "FROM enterprise_years c GROUP BY c.enterprise_id"
        )
    dt = [("k", "i8"), *((f"v{j}", "f8") for j in range(m))]
    rec = _records(conn, text, [], dt, 1 << 20)
    k = rec["k"]
    if len(k) > 1 and not bool((np.diff(k) > 0).all()):
        rec = rec[np.argsort(k, kind="stable")]
        k = rec["k"]
    out: Columns = {
        "enterprise_id": k >> (_YEAR_BITS + m),
        "year": (k >> m) & ((1 << _YEAR_BITS) - 1),
    }
    for j, c in enumerate(cols):
        v = rec[f"v{j}"].astype(np.float64, copy=True)
        v[(k >> j) & 1 == 1] = np.nan
        out[c] = v
    return out


def yearly_figures(
    conn: sa.Connection,
    column: str,
    *,
    year: int | None = None,
    base: str | None = None,
    back: int = 0,
    ids: npt.NDArray[np.int64] | None = None,
) -> Columns:
    """Return, per enterprise, a yearly figure of the latest year it has one (or of ``year``).

    The figure of a year is ``column`` of that year, not NULL. With ``base``, the year
    also needs ``base`` > 0, taken from the same year (``back`` = 0) or ``back`` years
    earlier, and the figure is the ratio ``column / base`` (R&D intensity = R&D /
    revenue; growth factor = value / value ``back`` years before), divided in double
    precision by the database (IEEE 754, as NumPy would).

    ``ids`` limits the read to those enterprises. Columns: ``enterprise_id``, ``year``
    (int64) and ``value`` (float64), ordered by enterprise id. Years must lie in 0-65535.
    """
    cols = set(s.enterprise_years.c.keys())
    if column not in cols or (base is not None and base not in cols):
        raise ValueError(f"enterprise_years has no column {column!r} or {base!r}")
    pg = conn.dialect.name == "postgresql"
    src = "enterprise_years c"
    where = f"c.{column} IS NOT NULL{_not_nan(conn, f'c.{column}')}"
    value = f"c.{column}"
    real = "DOUBLE PRECISION" if pg else "REAL"
    if base is not None:
        b = "c"
        if back:
            b = "b"
            src += (
                " JOIN enterprise_years b ON b.enterprise_id = c.enterprise_id "
                f"AND b.year = c.year - {int(back)}"
            )
        base_col = f"{b}.{base}"
        where += f" AND {base_col} > 0{_not_nan(conn, base_col)}"
        value = f"CAST(c.{column} AS {real}) / CAST({base_col} AS {real})"
    params: list[Any] = []
    if ids is not None:
        cond, param = _id_list(conn, "c.enterprise_id", ids)
        where += f" AND {cond}"
        params.append(param)
    key = f"(CAST(c.enterprise_id AS BIGINT) << {_YEAR_BITS}) | "
    if year is not None:
        where += " AND c.year = ?"
        params.append(int(year))
        text = f"SELECT {key}c.year, {value} FROM {src} WHERE {where}"
    elif pg:
        text = (
            f"SELECT DISTINCT ON (c.enterprise_id) {key}c.year, {value} "
            f"FROM {src} WHERE {where} ORDER BY c.enterprise_id, c.year DESC"
        )
    else:
        # SQLite: with exactly one max() the bare columns come from the row holding the max
        text = f"SELECT {key}MAX(c.year), {value} FROM {src} WHERE {where} GROUP BY c.enterprise_id"
    rec = _records(conn, text, params, [("k", "i8"), ("v", "f8")], 1 << 20)
    k = rec["k"]
    if len(k) > 1 and not bool((np.diff(k) > 0).all()):
        rec = rec[np.argsort(k, kind="stable")]
        k = rec["k"]
    return {
        "enterprise_id": k >> _YEAR_BITS,
        "year": k & ((1 << _YEAR_BITS) - 1),
        "value": rec["v"],
    }


def membership_pairs(conn: sa.Connection) -> Columns:
    """Return every (``enterprise_id``, ``segment_id``) membership, ordered."""
    bits = max(_max_id(conn, s.segments), 1).bit_length()
    rec = _records(
        conn,
        f"SELECT (CAST(enterprise_id AS BIGINT) << {bits}) | segment_id FROM enterprise_segments",
        [],
        [("k", "i8")],
        1 << 20,
    )
    k = np.sort(rec["k"])
    return {"enterprise_id": k >> bits, "segment_id": k & ((1 << bits) - 1)}


def segment_labels(conn: sa.Connection) -> list[tuple[int, str, str, str]]:
    """Return (segment id, chain code, segment code, position) of every segment."""
    sg, ch = s.segments, s.chains
    stmt = sa.select(sg.c.id, ch.c.code, sg.c.code, sg.c.position).join(
        ch, ch.c.id == sg.c.chain_id
    )
    return [(int(a), str(b), str(c), str(d)) for a, b, c, d in conn.execute(stmt.order_by(sg.c.id))]


def industry_rows(conn: sa.Connection) -> list[tuple[int, str, int | None]]:
    """Return (id, code, parent id) of every industry."""
    i = s.industries
    stmt = sa.select(i.c.id, i.c.code, i.c.parent_id).order_by(i.c.id)
    return [(int(a), str(b), None if c is None else int(c)) for a, b, c in conn.execute(stmt)]


def tag_pairs(conn: sa.Connection) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Return (enterprise ids, tags): one pair per tag of every enterprise's tag list."""
    if conn.dialect.name == "postgresql":
        text = (
            "SELECT e.id, t.value FROM enterprises e CROSS JOIN LATERAL "
            "json_array_elements_text(CAST(e.tags AS JSON)) AS t(value) "
            "WHERE json_typeof(CAST(e.tags AS JSON)) = 'array'"
        )
    else:
        text = (
            "SELECT e.id, j.value FROM enterprises e, json_each(e.tags) j "
            "WHERE json_type(e.tags) = 'array'"
        )
    raw: Any = conn.connection.driver_connection
    cur = raw.cursor()
    try:
        cur.execute(text)
        rows = cur.fetchall()
    finally:
        cur.close()
    ids = np.fromiter(map(itemgetter(0), rows), dtype=np.int64, count=len(rows))
    return ids, [str(r[1]) for r in rows]


def label_rows(conn: sa.Connection, ids: npt.NDArray[np.int64]) -> list[tuple[Any, ...]]:
    """Return (id, name, credit code, stock code, region id) of enterprises ``ids``.

    One query for any number of ids (a JSON array on SQLite, an array on PostgreSQL);
    rows in ascending id order, ids that do not exist are absent.
    """
    arr = np.asarray(ids, dtype=np.int64)
    if len(arr) > 1 and not bool((arr[1:] > arr[:-1]).all()):
        arr = np.unique(arr)
    if not len(arr):
        return []
    cond, param = _id_list(conn, "e.id", arr)
    text = (
        "SELECT e.id, e.name, e.credit_code, e.stock_code, e.region_id "
        f"FROM enterprises e WHERE {cond} ORDER BY e.id"
    )
    raw: Any = conn.connection.driver_connection
    cur = raw.cursor()
    try:
        cur.execute(_sql(conn, text), (param,))
        return list(cur.fetchall())
    finally:
        cur.close()


_VERSION_TABLES = (s.regions, s.industries, s.chains, s.segments)
_GROWING_TABLES = (s.enterprises, s.enterprise_years, s.enterprise_segments)


def data_version(conn: sa.Connection) -> tuple[str, ...]:
    """Return what the cached attribute columns depend on, read with cheap indexed queries.

    The number, largest id and latest start of import runs; the largest id of
    enterprises, yearly figures and memberships; the number, largest id and latest
    ``imported_at`` of regions, industries, chains and segments; on PostgreSQL also the
    current schema. See ``docs/policies.md`` ("Performance") for what this misses.
    """
    r = s.import_runs
    parts: list[Any] = [
        sa.select(sa.func.count()).select_from(r).scalar_subquery(),
        sa.select(sa.func.max(r.c.id)).scalar_subquery(),
        sa.select(sa.func.max(r.c.started_at)).scalar_subquery(),
    ]
    parts += [sa.select(sa.func.max(t.c.id)).scalar_subquery() for t in _GROWING_TABLES]
    for t in _VERSION_TABLES:
        parts += [
            sa.select(sa.func.count()).select_from(t).scalar_subquery(),
            sa.select(sa.func.max(t.c.id)).scalar_subquery(),
            sa.select(sa.func.max(t.c.imported_at)).scalar_subquery(),
        ]
    if conn.dialect.name == "postgresql":
        parts.append(sa.func.current_schema())
    row = conn.execute(sa.select(*parts)).one()
    return tuple(str(v) for v in row)
