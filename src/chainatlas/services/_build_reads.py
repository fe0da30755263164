"""Reads for the build-the-chain services: industries, region × industry totals, profiles.

SQLAlchemy Core selects on the schema tables, as the other services do, returning NumPy
columns or small dicts. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from chainatlas.store import schema as s

__all__ = [
    "enterprise_details",
    "enterprise_industries",
    "enterprise_names",
    "industry_table",
    "local_names",
    "region_industry_totals",
    "scheme_sizes",
]

IntArray = npt.NDArray[np.int64]
_CHUNK = 900


def industry_table(conn: sa.Connection) -> dict[int, dict[str, Any]]:
    """Return every industry by id: scheme, code and names."""
    t = s.industries
    stmt = sa.select(t.c.id, t.c.scheme, t.c.code, t.c.name_zh, t.c.name_en)
    return {int(r.id): dict(r._mapping) for r in conn.execute(stmt)}


def scheme_sizes(conn: sa.Connection) -> dict[str, int]:
    """Return how many enterprises are classified in each industry scheme."""
    e, i = s.enterprises, s.industries
    stmt = (
        sa.select(i.c.scheme, sa.func.count())
        .select_from(e.join(i, i.c.id == e.c.industry_id))
        .group_by(i.c.scheme)
    )
    return {str(a): int(b) for a, b in conn.execute(stmt)}


def enterprise_industries(conn: sa.Connection, size: int) -> IntArray:
    """Return the industry id of every enterprise, by enterprise id (-1: none).

    The array has ``size + 1`` elements (the last one is the default); ids beyond
    ``size`` are left out.
    """
    e = s.enterprises
    out = np.full(size + 1, -1, dtype=np.int64)
    rows = conn.execute(sa.select(e.c.id, e.c.industry_id).where(e.c.industry_id.is_not(None)))
    # plain integers, not Row objects: NumPy probes each Row for the array protocol otherwise
    flat = np.fromiter((int(v) for r in rows for v in r), dtype=np.int64)
    got = flat.reshape(-1, 2)
    keep = got[:, 0] < size
    out[got[keep, 0]] = got[keep, 1]
    return out


def region_industry_totals(conn: sa.Connection, year: int | None) -> dict[str, npt.NDArray[Any]]:
    """Return enterprise counts and output per (region, park, industry), aggregated in SQL.

    Columns ``region_id``, ``park_id``, ``industry_id`` (-1 when empty), ``enterprises``
    and ``output`` (Σ output_value in ``year``; 0 when none or ``year`` is None).
    """
    e, y = s.enterprises, s.enterprise_years
    rid = sa.func.coalesce(e.c.region_id, -1)
    pid = sa.func.coalesce(e.c.park_id, -1)
    iid = sa.func.coalesce(e.c.industry_id, -1)
    if year is None:
        stmt = sa.select(rid, pid, iid, sa.func.count(), sa.literal(0.0)).group_by(rid, pid, iid)
    else:
        src = e.outerjoin(y, sa.and_(y.c.enterprise_id == e.c.id, y.c.year == year))
        stmt = (
            sa.select(
                rid, pid, iid, sa.func.count(), sa.func.coalesce(sa.func.sum(y.c.output_value), 0.0)
            )
            .select_from(src)
            .group_by(rid, pid, iid)
        )
    rows = [tuple(float(v) for v in r) for r in conn.execute(stmt)]
    arr = np.array(rows, dtype=np.float64).reshape(-1, 5)
    return {
        "region_id": arr[:, 0].astype(np.int64),
        "park_id": arr[:, 1].astype(np.int64),
        "industry_id": arr[:, 2].astype(np.int64),
        "enterprises": arr[:, 3].astype(np.int64),
        "output": arr[:, 4],
    }


def local_names(conn: sa.Connection, region_ids: Sequence[int]) -> list[tuple[str, str]]:
    """Return (normalised name, name) of every enterprise located in ``region_ids``."""
    e = s.enterprises
    out: list[tuple[str, str]] = []
    ids = sorted({int(r) for r in region_ids})
    for i in range(0, len(ids), _CHUNK):
        part = ids[i : i + _CHUNK]
        stmt = sa.select(e.c.name_norm, e.c.name).where(
            sa.or_(e.c.region_id.in_(part), e.c.park_id.in_(part))
        )
        out.extend((str(a), str(b)) for a, b in conn.execute(stmt))
    return out


def enterprise_details(
    conn: sa.Connection, ids: Sequence[int] | npt.NDArray[np.int64], year: int | None
) -> dict[int, dict[str, Any]]:
    """Return size, 专精特新 level, founding date and the yearly figures of enterprises.

    Keys per enterprise: ``size_class``, ``srdi_level``, ``founded_on``, ``high_tech``,
    ``listed``, ``industry_id``; for ``year`` and the year before: ``revenue``,
    ``revenue_prev``, ``output``, ``employees``, ``rd_spend``; ``patents`` is the sum of
    patents over every year up to ``year``. Figures are None when unknown.
    """
    e, y = s.enterprises, s.enterprise_years
    wanted = sorted({int(i) for i in ids})
    out: dict[int, dict[str, Any]] = {}
    for i in range(0, len(wanted), _CHUNK):
        part = wanted[i : i + _CHUNK]
        stmt = sa.select(
            e.c.id,
            e.c.size_class,
            e.c.srdi_level,
            e.c.founded_on,
            e.c.high_tech,
            e.c.listed,
            e.c.industry_id,
        ).where(e.c.id.in_(part))
        for r in conn.execute(stmt):
            out[int(r.id)] = {
                **{k: v for k, v in r._mapping.items() if k != "id"},
                "revenue": None,
                "revenue_prev": None,
                "output": None,
                "employees": None,
                "rd_spend": None,
                "patents": None,
            }
        if year is None:
            continue
        ys = sa.select(
            y.c.enterprise_id,
            y.c.year,
            y.c.revenue,
            y.c.output_value,
            y.c.employees,
            y.c.rd_spend,
            y.c.patents,
        ).where(y.c.enterprise_id.in_(part), y.c.year <= year)
        for r in conn.execute(ys):
            d = out.get(int(r.enterprise_id))
            if d is None:
                continue
            if r.patents is not None:
                d["patents"] = (d["patents"] or 0) + int(r.patents)
            if r.year == year:
                d.update(
                    revenue=r.revenue,
                    output=r.output_value,
                    employees=r.employees,
                    rd_spend=r.rd_spend,
                )
            elif r.year == year - 1:
                d["revenue_prev"] = r.revenue
    return out


def enterprise_names(conn: sa.Connection) -> tuple[IntArray, npt.NDArray[np.str_]]:
    """Return the ids and normalised names of every enterprise, ordered by id."""
    e = s.enterprises
    rows = conn.execute(sa.select(e.c.id, e.c.name_norm).order_by(e.c.id)).all()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    names = np.array([r[1] or "" for r in rows], dtype=np.str_)
    if len(names) == 0:
        names = np.zeros(0, dtype="<U1")
    return ids, names
