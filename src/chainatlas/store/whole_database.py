"""Whole-database reads for analyses of every chain: enterprises, memberships, links.

A whole-database analysis (every chain of a region, the web app's warm-up) first reads
every enterprise's attributes and output, every membership and every supply link. With
many links these reads go through ADBC drivers into Arrow columns: on a SQLite file in
child processes (:mod:`~chainatlas.store.sqlite_reader`), on PostgreSQL on connections
that share the caller's snapshot (:mod:`~chainatlas.store.postgres_reader`). Otherwise,
and whenever those cannot be used, the columnar reads of
:mod:`~chainatlas.store.analysis_reads` run on the caller's connection. Both give the
same columns.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import sqlalchemy as sa

from chainatlas.store import analysis_reads as ar
from chainatlas.store import link_reads as lr
from chainatlas.store import postgres_reader as pr
from chainatlas.store import sqlite_reader as sr
from chainatlas.store.arrow_reads import Query, columns

__all__ = ["CHILDREN_FROM_LINKS", "WholeDatabase", "read_on_connection", "read_whole_database"]


@dataclass(slots=True)
class WholeDatabase:
    """Every enterprise's attributes, output, memberships and links.

    ``year`` is the analysis year (given, or the latest with any output; None when no
    enterprise has output) and ``outputs`` holds that year and the one before, as
    :func:`~chainatlas.store.analysis_reads.outputs` gives them; the other fields are as
    :func:`~chainatlas.store.analysis_reads.enterprise_attributes`,
    :func:`~chainatlas.store.analysis_reads.chain_memberships` and
    :func:`~chainatlas.store.link_reads.link_columns` give them.
    """

    year: int | None
    attributes: ar.Columns
    outputs: dict[int, ar.Columns]
    memberships: ar.Columns
    links: ar.Columns


_CHILDREN_MAX = 4
CHILDREN_FROM_LINKS = 250_000
"""Below this many link ids the reads run on the caller's connection."""

_LATEST = "(SELECT max(year) FROM enterprise_years WHERE output_value IS NOT NULL)"


def read_on_connection(
    conn: sa.Connection, year: int | None = None, *, as_of: date | None = None
) -> WholeDatabase:
    """Read the whole database through the caller's cursor (what the readers replace)."""
    y = year if year is not None else ar.latest_output_year(conn)
    return WholeDatabase(
        y,
        ar.enterprise_attributes(conn),
        {} if y is None else {k: ar.outputs(conn, k) for k in (y, y - 1)},
        ar.chain_memberships(conn),
        lr.link_columns(conn, as_of=as_of),
    )


def read_whole_database(
    conn: sa.Connection, year: int | None = None, *, as_of: date | None = None
) -> WholeDatabase:
    """Read the whole database for an analysis.

    ``year`` None means the latest year with any output. With at least
    :data:`CHILDREN_FROM_LINKS` link ids, ADBC readers do the reading: on SQLite one child
    process per CPU (at most 4), each a range of the links, the smaller tables shared
    among them; on PostgreSQL one connection for the links and one for the rest.
    Otherwise, and whenever the readers cannot be used, :func:`read_on_connection`.
    """
    lo, hi = lr.link_id_bounds(conn)
    if hi - lo < CHILDREN_FROM_LINKS:
        return read_on_connection(conn, year, as_of=as_of)
    sqlite = conn.dialect.name == "sqlite"
    # SQLite: one child process per CPU, each a range of the links; PostgreSQL: the
    # server does the work, one connection for the links and one for the rest
    n = max(1, min(os.cpu_count() or 1, _CHILDREN_MAX)) if sqlite else 1
    step = (hi - lo) // n + 1
    valid, vparams = lr.valid_clause(conn, as_of)
    links = [
        Query(
            "SELECT l.id AS id, l.supplier_id AS a, l.buyer_id AS b, "
            "COALESCE(l.segment_id, -1) AS g, COALESCE(l.annual_value, -1.0) AS v, "
            "COALESCE(l.share, -1.0) AS s, l.product AS p FROM supply_links l "
            f"WHERE l.id >= ? AND l.id < ?{valid}",
            (lo + i * step, lo + (i + 1) * step, *vparams),
            ("p",),
        )
        for i in range(n)
    ]
    attributes = Query(
        "SELECT id AS id, COALESCE(region_id, -1) AS r, COALESCE(park_id, -1) AS p FROM enterprises"
    )
    # both years in one scan, the latest year found by the reader rather than asked for
    # first (later years without output come along and are left out below)
    outputs = Query(
        "SELECT enterprise_id AS e, year AS y, COALESCE(output_value, -1.0) AS x "
        "FROM enterprise_years WHERE year >= "
        + ("? - 1 AND year <= ?" if year is not None else f"{_LATEST} - 1"),
        (year, year) if year is not None else (),
    )
    memberships = Query(
        "SELECT enterprise_id AS e, segment_id AS s, COALESCE(revenue_share, -1.0) AS r "
        "FROM enterprise_segments ORDER BY enterprise_id, segment_id"
    )
    # each child reads its share of the links first, then some of the small tables
    # (about 2, 1 and 1.5 million rows); on PostgreSQL one more connection reads those
    children: list[list[Query]] = [[q] for q in links]
    if sqlite:
        for i, q in enumerate([outputs, attributes, memberships]):
            children[(n - 1 - min(i, 1)) % n].append(q)
    else:
        children.append([outputs, attributes, memberships])
    pending = sr.start(conn, children) if sqlite else pr.start(conn, children)
    got = pending.result() if pending is not None else None
    if got is None:
        return read_on_connection(conn, year, as_of=as_of)
    tables = {
        id(q): t for qs, ts in zip(children, got, strict=True) for q, t in zip(qs, ts, strict=True)
    }
    try:
        return _assemble(
            year,
            tables[id(attributes)],
            tables[id(outputs)],
            tables[id(memberships)],
            [tables[id(q)] for q in links],
        )
    except ValueError:  # a NULL where the SQL promised none: the cursor read says where
        return read_on_connection(conn, year, as_of=as_of)


def _assemble(
    year: int | None, attributes: Any, outputs: Any, memberships: Any, links: list[Any]
) -> WholeDatabase:
    """Turn the readers' Arrow tables into a WholeDatabase.

    Raises ValueError when a column holds a NULL where the SQL promised none.
    """
    ents = _typed(columns([attributes]), {"id": _I, "r": _I, "p": _I})
    out = _typed(columns([outputs]), {"e": _I, "y": _I, "x": _F})
    mem = _typed(columns([memberships]), {"e": _I, "s": _I, "r": _F})
    link = _typed(
        columns(links, ["p"], order_by="id"),
        {"id": _I, "a": _I, "b": _I, "g": _I, "v": _F, "s": _F, "p": _I},
    )
    y = year
    if y is None and bool((out["x"] >= 0).any()):
        y = int(out["y"][out["x"] >= 0].max())
    by_year = {}
    if y is not None:
        for k in (y, y - 1):
            rows = out["y"] == k
            by_year[k] = {
                "enterprise_id": out["e"][rows],
                "output_value": ar.sentinel_to_nan(out["x"][rows]),
            }
    return WholeDatabase(
        y,
        {"id": ents["id"], "region_id": ents["r"], "park_id": ents["p"]},
        by_year,
        {
            "enterprise_id": mem["e"],
            "segment_id": mem["s"],
            "revenue_share": ar.sentinel_to_nan(mem["r"]),
        },
        {
            "id": link["id"],
            "supplier_id": link["a"],
            "buyer_id": link["b"],
            "segment_id": link["g"],
            "annual_value": ar.sentinel_to_nan(link["v"]),
            "share": ar.sentinel_to_nan(link["s"]),
            "product_code": link["p"],
            "product_names": link.get("p_names", np.zeros(0, dtype=object)),
        },
    )


_I, _F = np.int64, np.float64


def _typed(cols: ar.Columns, dtypes: dict[str, Any]) -> ar.Columns:
    """Give each column its dtype (an empty result has no columns at all)."""
    return {
        k: cols[k].astype(dt, copy=False) if k in cols else np.zeros(0, dtype=dt)
        for k, dt in dtypes.items()
    } | {k: v for k, v in cols.items() if k.endswith("_names")}
