"""Location × industry (or × chain segment) matrices built from the store.

The rows of :func:`partition_matrix` split the home country's enterprises into the
analysed region and every other province (or country-level area): each enterprise counts
in exactly one row. :func:`group_matrix` has one row per region of a comparison. Values are
output in the analysis year (``basis="output"``) or enterprise counts (``"count"``);
``"auto"`` takes output when any enterprise has output that year. Enterprises abroad or
without a region are left out; industries (columns) that no location has are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa

from chainatlas.errors import AnalysisError, InvalidData
from chainatlas.services._build_reads import industry_table, region_industry_totals, scheme_sizes
from chainatlas.services._frames import load_enterprises
from chainatlas.services._scope import RegionIndex, Scope
from chainatlas.store import analysis_reads as ar

__all__ = ["LocationMatrix", "choose_scheme", "group_matrix", "partition_matrix"]

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
_BASES = ("auto", "output", "count")


@dataclass(slots=True)
class LocationMatrix:
    """A labelled locations × industries matrix with what went into it."""

    X: pd.DataFrame
    basis: str
    by: str
    scheme: str | None
    local: str
    row_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    col_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    col_ids: dict[str, int] = field(default_factory=dict)
    dropped_columns: int = 0


def choose_scheme(conn: sa.Connection, scheme: str | None) -> str:
    """Return ``scheme``, or the industry scheme that classifies the most enterprises.

    Raises
    ------
    AnalysisError
        When no enterprise has an industry (in ``scheme``, when given).
    InvalidData
        When ``scheme`` is not one of the schemes.
    """
    sizes = scheme_sizes(conn)
    if scheme is not None:
        if scheme not in {"gbt4754", "shenwan", "custom"}:
            raise InvalidData(f"industry scheme {scheme!r}: use gbt4754, shenwan or custom")
        if not sizes.get(scheme):
            raise AnalysisError(
                f"no enterprise is classified in industry scheme {scheme!r} (classified: "
                f"{', '.join(f'{k} {v}' for k, v in sorted(sizes.items())) or 'none'})"
            )
        return scheme
    if not sizes:
        raise AnalysisError(
            "no enterprise has an industry: import enterprises with their industry code "
            "(column industry) first"
        )
    return max(sorted(sizes), key=lambda k: sizes[k])


def _basis(basis: str, year: int | None, values: npt.NDArray[np.float64]) -> str:
    if basis not in _BASES:
        raise InvalidData(f"basis {basis!r}: use auto, output or count")
    if basis == "auto":
        return "output" if year is not None and float(values.sum()) > 0 else "count"
    if basis == "output" and (year is None or float(values.sum()) <= 0):
        raise AnalysisError("basis 'output' needs output data for the year; none is loaded")
    return basis


def _pivot(
    row: IntArray, col: IntArray, value: npt.NDArray[np.float64], n_rows: int, n_cols: int
) -> npt.NDArray[np.float64]:
    out = np.zeros((n_rows, n_cols))
    keep = (row >= 0) & (col >= 0)
    np.add.at(out, (row[keep], col[keep]), value[keep])
    return out


def _partition_rows(
    regions: RegionIndex, scope: Scope, region_id: IntArray, park_id: IntArray
) -> tuple[IntArray, list[str], dict[str, tuple[str, str]]]:
    """Return the row of each (region, park): 0 the analysed region, then other areas."""
    size = regions.size
    rid = np.where((region_id >= 0) & (region_id < size), region_id, size)
    pid = np.where((park_id >= 0) & (park_id < size), park_id, size)
    local = scope.local[rid] | scope.local[pid]
    domestic = scope.domestic[rid]
    area = regions.area[rid]
    labels = [scope.code]
    names = {scope.code: (scope.name_zh, scope.name_en or scope.code)}
    row = np.full(len(rid), -1, dtype=np.int64)
    row[local] = 0
    other = ~local & domestic & (area >= 0)
    uniq, inv = np.unique(area[other], return_inverse=True)
    for a in uniq.tolist():
        r = regions.rows[int(a)]
        labels.append(str(r["code"]))
        names[str(r["code"])] = (str(r["name_zh"]), str(r["name_en"] or r["code"]))
    row[other] = inv.reshape(-1) + 1
    return row, labels, names


def _finish(
    values: npt.NDArray[np.float64],
    labels: list[str],
    cols: list[str],
    **kw: Any,
) -> LocationMatrix:
    keep = values.sum(axis=0) > 0
    frame = pd.DataFrame(
        values[:, keep], index=labels, columns=[c for c, k in zip(cols, keep, strict=True) if k]
    )
    return LocationMatrix(X=frame, dropped_columns=int((~keep).sum()), **kw)


def partition_matrix(
    conn: sa.Connection,
    regions: RegionIndex,
    scope: Scope,
    *,
    by: str = "industry",
    scheme: str | None = None,
    basis: str = "auto",
    year: int | None = None,
) -> LocationMatrix:
    """Build the matrix whose rows are the analysed region and every other domestic area.

    ``by`` is ``industry`` (columns: the industries of ``scheme``) or ``segment``
    (columns: ``chain/segment`` of every chain; an enterprise's output is attributed by
    its revenue share in each segment, evenly when unknown).

    Raises
    ------
    AnalysisError
        When no enterprise has an industry in the scheme, or output is asked for and none
        is loaded.
    InvalidData
        On an unknown ``by``, scheme or basis.
    """
    if by == "industry":
        scheme = choose_scheme(conn, scheme)
        t = region_industry_totals(conn, year)
        inds = {k: v for k, v in industry_table(conn).items() if v["scheme"] == scheme}
        codes = sorted(inds, key=lambda k: str(inds[k]["code"]))
        col_of = {iid: j for j, iid in enumerate(codes)}
        col = np.array([col_of.get(int(i), -1) for i in t["industry_id"]], dtype=np.int64)
        b = _basis(basis, year, t["output"][col >= 0])
        value = t["output"] if b == "output" else t["enterprises"].astype(np.float64)
        row, labels, names = _partition_rows(regions, scope, t["region_id"], t["park_id"])
        cols = [str(inds[i]["code"]) for i in codes]
        return _finish(
            _pivot(row, col, value, len(labels), len(cols)),
            labels,
            cols,
            basis=b,
            by=by,
            scheme=scheme,
            local=scope.code,
            row_names=names,
            col_names={
                str(inds[i]["code"]): (
                    str(inds[i]["name_zh"]),
                    str(inds[i]["name_en"] or inds[i]["code"]),
                )
                for i in codes
            },
            col_ids={str(inds[i]["code"]): int(i) for i in codes},
        )
    if by != "segment":
        raise InvalidData(f"by {by!r}: use industry or segment")
    ents = load_enterprises(conn, year)
    mem = ar.chain_memberships(conn)
    segs = ar.segment_index(conn)
    chains = {int(r["id"]): str(r["code"]) for r in ar.chain_rows(conn)}
    if not segs or len(mem["enterprise_id"]) == 0:
        raise AnalysisError("no enterprise belongs to a chain segment: import enterprise_segments")
    seg_col = np.full(max(int(r["id"]) for r in segs) + 1, -1, dtype=np.int64)
    cols, col_names, col_ids = [], {}, {}
    for j, r in enumerate(segs):
        seg_col[int(r["id"])] = j
        label = f"{chains[int(r['chain_id'])]}/{r['code']}"
        cols.append(label)
        col_names[label] = (str(r["name_zh"]), str(r["name_en"] or r["code"]))
        col_ids[label] = int(r["id"])
    e = mem["enterprise_id"]
    inside = e < ents.size
    e = e[inside]
    sid = mem["segment_id"][inside]
    share = mem["revenue_share"][inside]
    runs = np.bincount(e, minlength=ents.size + 1)[e]
    w = np.where(np.isnan(share), 1.0 / np.maximum(runs, 1), share)
    x = ents.output[e]
    b = _basis(basis, year, np.nan_to_num(x))
    value = w * np.nan_to_num(x) if b == "output" else np.ones(len(e))
    row_by_ent, labels, names = _partition_rows(regions, scope, ents.region, ents.park)
    return _finish(
        _pivot(row_by_ent[e], seg_col[sid], value, len(labels), len(cols)),
        labels,
        cols,
        basis=b,
        by=by,
        scheme=None,
        local=scope.code,
        row_names=names,
        col_names=col_names,
        col_ids=col_ids,
    )


def group_matrix(
    conn: sa.Connection,
    regions: RegionIndex,
    scopes: Sequence[Scope],
    *,
    scheme: str | None = None,
    basis: str = "auto",
    year: int | None = None,
) -> tuple[LocationMatrix, pd.Series]:
    """Build the regions × industries matrix of a comparison and the national row.

    Returns the matrix (one row per scope, in order) and the reference: every domestic
    enterprise of the first scope's country, by industry.
    """
    scheme = choose_scheme(conn, scheme)
    t = region_industry_totals(conn, year)
    inds = {k: v for k, v in industry_table(conn).items() if v["scheme"] == scheme}
    codes = sorted(inds, key=lambda k: str(inds[k]["code"]))
    col_of = {iid: j for j, iid in enumerate(codes)}
    col = np.array([col_of.get(int(i), -1) for i in t["industry_id"]], dtype=np.int64)
    b = _basis(basis, year, t["output"][col >= 0])
    value = t["output"] if b == "output" else t["enterprises"].astype(np.float64)
    size = regions.size
    rid = np.where((t["region_id"] >= 0) & (t["region_id"] < size), t["region_id"], size)
    pid = np.where((t["park_id"] >= 0) & (t["park_id"] < size), t["park_id"], size)
    n_cols = len(codes)
    rows = np.zeros((len(scopes), n_cols))
    for k, sc in enumerate(scopes):
        mask = sc.local[rid] | sc.local[pid]
        rows[k] = _pivot(
            np.zeros(int(mask.sum()), dtype=np.int64), col[mask], value[mask], 1, n_cols
        )[0]
    dom = scopes[0].domestic[rid]
    ref = _pivot(np.zeros(int(dom.sum()), dtype=np.int64), col[dom], value[dom], 1, n_cols)[0]
    cols = [str(inds[i]["code"]) for i in codes]
    labels = [sc.code for sc in scopes]
    keep = (rows.sum(axis=0) > 0) | (ref > 0)
    frame = pd.DataFrame(
        rows[:, keep], index=labels, columns=[c for c, k in zip(cols, keep, strict=True) if k]
    )
    reference = pd.Series(ref[keep], index=frame.columns, name=scopes[0].country)
    m = LocationMatrix(
        X=frame,
        basis=b,
        by="industry",
        scheme=scheme,
        local=labels[0],
        row_names={sc.code: (sc.name_zh, sc.name_en or sc.code) for sc in scopes},
        col_names={
            str(inds[i]["code"]): (
                str(inds[i]["name_zh"]),
                str(inds[i]["name_en"] or inds[i]["code"]),
            )
            for i in codes
        },
        col_ids={str(inds[i]["code"]): int(i) for i in codes},
        dropped_columns=int((~keep).sum()),
    )
    return m, reference
