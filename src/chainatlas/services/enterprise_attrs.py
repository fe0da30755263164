"""Enterprise attributes for policy rules and portraits, as one columnar frame.

:func:`load_attributes` reads the enterprises (all, or some ids) and builds the attribute
keys a rule reads (``chainatlas.domain.policy_rules``): columns of the enterprise row,
yearly figures (the latest on record with its year, or a given year), derived figures
(R&D intensity = R&D spend / revenue of the same year; growth = value / previous year's
value - 1; 3-year CAGR = (value / value three years earlier)^(1/3) - 1; each only where
the base is positive), age on a given day, the life-cycle stage
(:mod:`chainatlas.domain.lifecycle`), and set fields: tags, region codes (the firm's
region and park with all their ancestors), industry codes (with ancestors), chains,
segments (``code`` and ``chain:code``) and segment positions. Policy checks, push lists,
coverage and portraits all read the same frame, so they always agree.

Two readers build it: for all enterprises, the bulk columnar reader with its cache
(:func:`chainatlas.services.attribute_columns.load_all_attributes`); for given ids (one
enterprise's check, a portrait), :func:`load_attributes_by_rows`, which reads rows and
derives figures with pandas. A test checks that both give the same frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa

from chainatlas.domain.lifecycle import lifecycle_stages
from chainatlas.domain.policy_eval import year_key
from chainatlas.domain.policy_frame import AttributeFrame, SetColumn
from chainatlas.domain.policy_rules import FIELDS, FieldKind, column_key
from chainatlas.errors import EnterpriseNotFound
from chainatlas.services.attribute_cache import attribute_cache
from chainatlas.services.attribute_columns import load_all_attributes
from chainatlas.store import analysis_reads as ar
from chainatlas.store import schema as s

__all__ = ["ALL_KEYS", "load_attributes", "load_attributes_by_rows", "resolve_enterprise"]

ALL_KEYS = frozenset(column_key(name) for name in FIELDS)
"""The latest value of every field: what a single enterprise's check reads."""

_YEAR_COLUMNS = ("revenue", "output_value", "rd_spend", "tax", "employees", "patents", "energy_use")
_DERIVED: dict[str, tuple[str, ...]] = {
    "rd_intensity": ("rd_spend", "revenue"),
    "revenue_growth": ("revenue",),
    "output_growth": ("output_value",),
    "employees_growth": ("employees",),
    "revenue_cagr_3y": ("revenue",),
}
_LIFECYCLE_NEEDS = ("age_years", "revenue", "employees", "revenue_growth", "revenue_cagr_3y")
_ROW_COLUMNS = {
    "size_class": "size_class",
    "ownership": "ownership",
    "srdi_level": "srdi_level",
    "listed": "listed",
    "high_tech": "high_tech",
    "age_years": "founded_on",
    "tags": "tags",
    "region": "region_id",
    "industry": "industry_id",
}
_IN_CHUNK = 900


def resolve_enterprise(conn: sa.Connection, ref: str | int) -> int:
    """Return the id of the enterprise with this id, credit code, stock code or name.

    Raises
    ------
    EnterpriseNotFound
        When none matches, or when a name matches several enterprises.
    """
    text = str(ref).strip()
    if isinstance(ref, int) or (text.isdigit() and len(text) < 10):
        got = ar.enterprise_labels(conn, [int(text)])
        if got:
            return int(text)
    found = ar.find_enterprises(conn, text)
    if not found:
        raise EnterpriseNotFound(
            f"no enterprise has the id, credit code, stock code or name {text!r}"
        )
    if len(found) > 1:
        listed = ", ".join(f"{r['id']} ({r['name']})" for r in found[:5])
        raise EnterpriseNotFound(
            f"{text!r} names {len(found)} enterprises ({listed}); give a credit code or id"
        )
    return int(found[0]["id"])


def _fetch(
    conn: sa.Connection, stmt: sa.Select[Any], col: Any, ids: Sequence[int] | None
) -> list[Any]:
    if ids is None:
        return list(conn.execute(stmt).all())
    rows: list[Any] = []
    for i in range(0, len(ids), _IN_CHUNK):
        rows.extend(conn.execute(stmt.where(col.in_(list(ids[i : i + _IN_CHUNK])))).all())
    return rows


def _base_fields(keys: Iterable[str]) -> set[str]:
    """Return the field names the keys need, with what derived fields are built from."""
    names = {k.split("@")[0].split("#")[0] for k in keys}
    if "lifecycle_stage" in names:
        names |= set(_LIFECYCLE_NEEDS)
    return names


def _ancestors(rows: Iterable[tuple[int, str, int | None]]) -> dict[int, list[str]]:
    """Return, per id, its own code and the codes of all its ancestors."""
    parent = {int(i): (code, p) for i, code, p in rows}
    out: dict[int, list[str]] = {}
    for i in parent:
        codes: list[str] = []
        seen: set[int] = set()
        cur: int | None = i
        while cur is not None and cur in parent and cur not in seen:
            seen.add(cur)
            code, nxt = parent[cur]
            codes.append(str(code))
            cur = None if nxt is None else int(nxt)
        out[i] = codes
    return out


def _tree_set(
    n: int, owner_ids: npt.NDArray[np.int64], anc: dict[int, list[str]]
) -> tuple[list[npt.NDArray[np.int64]], list[str]]:
    """Expand per-row ids (-1 none) into (row, code) pairs through their ancestors."""
    rows: list[npt.NDArray[np.int64]] = []
    vals: list[str] = []
    order = np.argsort(owner_ids, kind="stable")
    sorted_ids = owner_ids[order]
    uniq, starts = np.unique(sorted_ids, return_index=True)
    ends = np.append(starts[1:], len(sorted_ids))
    for rid, a, b in zip(uniq.tolist(), starts.tolist(), ends.tolist(), strict=True):
        codes = anc.get(int(rid), []) if rid >= 0 else []
        for code in codes:
            rows.append(order[a:b])
            vals.extend([code] * (b - a))
    return rows, vals


def _set_column(
    n: int, parts: list[npt.NDArray[np.int64]], vals: list[str], known: npt.NDArray[np.bool_]
) -> SetColumn:
    rows = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return SetColumn.from_pairs(n, rows, vals, known)


def _yearly(conn: sa.Connection, ids: Sequence[int] | None, needed: set[str]) -> pd.DataFrame:
    """Read the yearly figures needed and add derived figures, one row per (firm, year)."""
    base = sorted(
        {c for c in needed if c in _YEAR_COLUMNS}
        | {c for d in needed if d in _DERIVED for c in _DERIVED[d]}
    )
    y = s.enterprise_years
    cols = ["enterprise_id", "year", *base]
    stmt = sa.select(*(y.c[c] for c in cols))
    rows = _fetch(conn, stmt, y.c.enterprise_id, ids)
    # column-wise: NumPy turns None into NaN when building float arrays
    parts = list(zip(*rows, strict=True)) if rows else [()] * len(cols)
    df = pd.DataFrame(
        {
            c: np.asarray(parts[j], dtype=np.int64 if j < 2 else np.float64)
            for j, c in enumerate(cols)
        }
    )
    if df.empty:
        return df
    df = df.sort_values(["enterprise_id", "year"], kind="stable").reset_index(drop=True)
    if "rd_intensity" in needed:
        rev = df["revenue"].where(df["revenue"] > 0)
        df["rd_intensity"] = df["rd_spend"] / rev
    for name, src, back in (
        ("revenue_growth", "revenue", 1),
        ("output_growth", "output_value", 1),
        ("employees_growth", "employees", 1),
        ("revenue_cagr_3y", "revenue", 3),
    ):
        if name not in needed:
            continue
        prev = df[["enterprise_id", "year", src]].copy()
        prev["year"] = prev["year"] + back
        prev = prev.rename(columns={src: "_prev"})
        merged = df[["enterprise_id", "year"]].merge(prev, on=["enterprise_id", "year"], how="left")
        ratio = df[src].to_numpy() / merged["_prev"].where(merged["_prev"] > 0).to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            df[name] = ratio ** (1.0 / back) - 1.0
    return df


def load_attributes(
    conn: sa.Connection,
    keys: Iterable[str] = ALL_KEYS,
    *,
    ids: Sequence[int] | None = None,
    on: date | None = None,
    cache: bool = True,
) -> AttributeFrame:
    """Build the attribute frame of enterprises (all, or ``ids``) for the keys asked for.

    ``keys`` are attribute keys (``revenue``, ``revenue@2023``, ``region`` …, see
    :func:`~chainatlas.domain.policy_rules.column_key`); latest yearly keys come with
    their ``#year`` key. ``on`` is the day ages are counted to (default: today). Rows are
    in ascending id order. All enterprises are read in bulk, through the process-wide
    attribute cache unless ``cache`` is False; given ``ids`` are read row by row.
    """
    if ids is None:
        return load_all_attributes(conn, keys, on=on, cache=attribute_cache() if cache else None)
    return load_attributes_by_rows(conn, keys, ids=ids, on=on)


def load_attributes_by_rows(
    conn: sa.Connection,
    keys: Iterable[str] = ALL_KEYS,
    *,
    ids: Sequence[int] | None = None,
    on: date | None = None,
) -> AttributeFrame:
    """Build the attribute frame by reading rows (all enterprises, or ``ids``).

    The reference reader: rows through SQLAlchemy, latest figures and ratios with
    pandas. Right for a few enterprises; for all of them :func:`load_attributes` reads
    in bulk instead.
    """
    day = on or date.today()
    keys = set(keys)
    names = _base_fields(keys)
    e = s.enterprises
    wanted = sorted({_ROW_COLUMNS[n] for n in names if n in _ROW_COLUMNS})
    if "region" in names:
        wanted.append("park_id")
    cols = ["id", *wanted]
    stmt = sa.select(*(e.c[c] for c in cols)).order_by(e.c.id)
    rows = _fetch(conn, stmt, e.c.id, None if ids is None else sorted({int(i) for i in ids}))
    rows.sort(key=lambda r: int(r[0]))
    raw = {c: [r[j] for r in rows] for j, c in enumerate(cols)}
    id_arr = np.asarray(raw["id"], dtype=np.int64)
    n = len(id_arr)
    columns: dict[str, npt.NDArray[Any]] = {}
    sets: dict[str, SetColumn] = {}
    for name in ("size_class", "ownership", "srdi_level"):
        if name in names:
            columns[name] = np.asarray(raw[name], dtype=object)
    for name in ("listed", "high_tech"):
        if name in names:
            columns[name] = np.array(
                [np.nan if v is None else float(bool(v)) for v in raw[name]], dtype=np.float64
            )
    if "age_years" in names:
        founded = pd.to_datetime(pd.Series(raw["founded_on"], dtype=object), errors="coerce")
        days = (pd.Timestamp(day) - founded).dt.days.to_numpy(dtype=np.float64, na_value=np.nan)
        columns["age_years"] = days / 365.25
    if "tags" in names:
        sets["tags"] = SetColumn.from_sets([list(v) if v else [] for v in raw["tags"]])
    if "region" in names:
        anc = _ancestors((r["id"], r["code"], r["parent_id"]) for r in ar.region_rows(conn))
        reg = np.array([-1 if v is None else int(v) for v in raw["region_id"]], dtype=np.int64)
        park = np.array([-1 if v is None else int(v) for v in raw["park_id"]], dtype=np.int64)
        p1, v1 = _tree_set(n, reg, anc)
        p2, v2 = _tree_set(n, park, anc)
        sets["region"] = _set_column(n, p1 + p2, v1 + v2, (reg >= 0) | (park >= 0))
    if "industry" in names:
        i = s.industries
        irows = conn.execute(sa.select(i.c.id, i.c.code, i.c.parent_id)).all()
        anc = _ancestors((int(a), str(b), c) for a, b, c in irows)
        ind = np.array([-1 if v is None else int(v) for v in raw["industry_id"]], dtype=np.int64)
        p, v = _tree_set(n, ind, anc)
        sets["industry"] = _set_column(n, p, v, ind >= 0)
    if names & {"chain", "segment", "segment_position"}:
        _memberships(conn, id_arr, None if ids is None else id_arr.tolist(), names, sets)
    yearly_names = {k for k in names if FIELDS[k].yearly}
    if yearly_names:
        _yearly_columns(conn, id_arr, ids, keys, names, columns)
    if "lifecycle_stage" in names:
        growth = columns["revenue_cagr_3y"]
        growth = np.where(np.isnan(growth), columns["revenue_growth"], growth)
        columns["lifecycle_stage"] = lifecycle_stages(
            columns["age_years"], columns["revenue"], columns["employees"], growth
        )
    keep = {k for k in keys if FIELDS[k.split("@")[0]].kind is not FieldKind.SET}
    keep |= {year_key(k) for k in keep if "@" not in k and FIELDS[k].yearly}
    return AttributeFrame(
        id_arr,
        {k: v for k, v in columns.items() if k in keep},
        {k: v for k, v in sets.items() if k in keys},
    )


def _memberships(
    conn: sa.Connection,
    id_arr: npt.NDArray[np.int64],
    ids: Sequence[int] | None,
    names: set[str],
    sets: dict[str, SetColumn],
) -> None:
    n = len(id_arr)
    es, sg, ch = s.enterprise_segments, s.segments, s.chains
    stmt = sa.select(es.c.enterprise_id, sg.c.code, sg.c.position, ch.c.code).select_from(
        es.join(sg, sg.c.id == es.c.segment_id).join(ch, ch.c.id == sg.c.chain_id)
    )
    got = _fetch(conn, stmt, es.c.enterprise_id, ids)
    e_ids = np.array([r[0] for r in got], dtype=np.int64)
    at = np.searchsorted(id_arr, e_ids)
    ok = np.zeros(len(e_ids), dtype=bool)
    if n:
        inside = at < n
        ok[inside] = id_arr[at[inside]] == e_ids[inside]
    rows = at[ok]
    kept = [r for r, keep in zip(got, ok.tolist(), strict=True) if keep]
    if "chain" in names:
        sets["chain"] = SetColumn.from_pairs(n, rows, [str(r[3]) for r in kept])
    if "segment" in names:
        codes = [str(r[1]) for r in kept] + [f"{r[3]}:{r[1]}" for r in kept]
        sets["segment"] = SetColumn.from_pairs(n, np.concatenate([rows, rows]), codes)
    if "segment_position" in names:
        sets["segment_position"] = SetColumn.from_pairs(n, rows, [str(r[2]) for r in kept])


def _yearly_columns(
    conn: sa.Connection,
    id_arr: npt.NDArray[np.int64],
    ids: Sequence[int] | None,
    keys: set[str],
    names: set[str],
    columns: dict[str, npt.NDArray[Any]],
) -> None:
    n = len(id_arr)
    yearly = {k for k in names if FIELDS[k].yearly}
    df = _yearly(conn, None if ids is None else [int(i) for i in id_arr], yearly)
    want = {k for k in keys if "@" in k} | set(yearly)
    for key in sorted(want):
        name, _, y = key.partition("@")
        vals = np.full(n, np.nan)
        years = np.full(n, np.nan)
        if not df.empty and name in df:
            part = df if not y else df[df["year"] == int(y)]
            part = part[["enterprise_id", "year", name]].dropna(subset=[name])
            if not y:
                part = part.drop_duplicates("enterprise_id", keep="last")
            at = np.searchsorted(id_arr, part["enterprise_id"].to_numpy(dtype=np.int64))
            vals[at] = part[name].to_numpy(dtype=np.float64)
            years[at] = part["year"].to_numpy(dtype=np.float64)
        columns[key] = vals
        if not y:
            columns[year_key(name)] = years
