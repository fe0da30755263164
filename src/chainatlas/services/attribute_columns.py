"""Attribute columns of every enterprise, read in bulk: the fast path of push lists.

:func:`load_all_attributes` builds the same :class:`~chainatlas.domain.policy_frame.
AttributeFrame` as :func:`chainatlas.services.enterprise_attrs.load_attributes_by_rows`
for all enterprises, but reads only what the keys need, with bulk columnar reads
(:mod:`chainatlas.store.policy_reads`):

- enterprise columns as packed integer codes, one or two integers per enterprise;
- the latest yearly figure per enterprise chosen in SQL, one row per enterprise rather
  than one per enterprise and year: figures of the same year (revenue, R&D spend, R&D
  intensity …) from one pass over each enterprise's latest yearly row, and only the
  enterprises whose latest row lacks a figure read again for it; ratios in IEEE double
  precision, by the database or NumPy alike (R&D intensity = R&D spend / revenue of the
  same year; growth = (value / value ``back`` years earlier)^(1/back) - 1, the power
  taken here; the base must be > 0);
- region and industry codes with their ancestors through the region (industry) tree
  once per distinct (region, park), never per enterprise;
- memberships as packed integers.

Columns are kept in the process-wide :mod:`~chainatlas.services.attribute_cache`,
so a second push list on unchanged data reads no column again, only the data version.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from chainatlas.domain.lifecycle import lifecycle_stages
from chainatlas.domain.policy_eval import year_key
from chainatlas.domain.policy_frame import AttributeFrame, SetColumn
from chainatlas.domain.policy_rules import FIELDS, FieldKind
from chainatlas.services.attribute_cache import AttributeCache, attribute_cache, cache_slot
from chainatlas.store import analysis_reads as ar
from chainatlas.store import policy_reads as pr

__all__ = ["LIFECYCLE_NEEDS", "base_fields", "load_all_attributes"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

LIFECYCLE_NEEDS = ("age_years", "revenue", "employees", "revenue_growth", "revenue_cagr_3y")
"""The fields the life-cycle stage is derived from."""

_EPOCH = date(1970, 1, 1).toordinal()
# yearly field -> (column, base column, years back); base None: the column itself
_YEARLY: dict[str, tuple[str, str | None, int]] = {
    "revenue": ("revenue", None, 0),
    "output_value": ("output_value", None, 0),
    "rd_spend": ("rd_spend", None, 0),
    "tax": ("tax", None, 0),
    "employees": ("employees", None, 0),
    "patents": ("patents", None, 0),
    "energy_use": ("energy_use", None, 0),
    "rd_intensity": ("rd_spend", "revenue", 0),
    "revenue_growth": ("revenue", "revenue", 1),
    "output_growth": ("output_value", "output_value", 1),
    "employees_growth": ("employees", "employees", 1),
    "revenue_cagr_3y": ("revenue", "revenue", 3),
}
_TEXT = ("size_class", "srdi_level", "ownership")
_FLAGS = ("listed", "high_tech")


def base_fields(keys: Iterable[str]) -> set[str]:
    """Return the field names the keys need, with what the life-cycle stage is built from."""
    names = {k.split("@")[0].split("#")[0] for k in keys}
    if "lifecycle_stage" in names:
        names |= set(LIFECYCLE_NEEDS)
    return names


class _Loader:
    """Reads columns on demand, through a cache slot (a plain dict when not caching)."""

    def __init__(
        self, conn: sa.Connection, slot: dict[str, Any] | None, cache: AttributeCache
    ) -> None:
        self.conn = conn
        self.cache = cache
        self.cached = slot is not None
        self.slot: dict[str, Any] = {} if slot is None else slot

    def _get(self, key: str) -> Any:
        if self.cached:
            return self.cache.get(self.slot, key)
        return self.slot.get(key)

    def _put(self, key: str, value: Any) -> Any:
        if self.cached:
            return self.cache.put(self.slot, key, value)
        self.slot[key] = value
        return value

    @property
    def ids(self) -> IntArray:
        got: IntArray | None = self._get("_ids")
        if got is None:
            self.enterprise_columns([])
            got = self.slot["_ids"]
        return got

    def enterprise_columns(self, names: Sequence[str]) -> None:
        """Read the enterprise-row columns behind ``names`` that are not held yet."""
        wanted = [n for n in names if self._get(n) is None]
        if not wanted and self._get("_ids") is not None:
            return
        columns: list[str] = []
        for n in wanted:
            columns += {"region": ["region_id", "park_id"], "industry": ["industry_id"]}.get(
                n, ["founded_on" if n == "_founded" else n]
            )
        vocab = {n: list(FIELDS[n].choices) for n in ("size_class", "srdi_level")}
        for _attempt in range(3):
            if "ownership" in columns:
                vocab["ownership"] = pr.distinct_texts(self.conn, "ownership")
            got = pr.enterprise_codes(self.conn, columns, vocab)
            # a value written since the vocabulary was read: read it again
            if all((got[c] <= len(vocab[c])).all() for c in _TEXT if c in got):
                break
        else:  # pragma: no cover - needs a concurrent writer
            raise RuntimeError("enterprise texts kept changing while being read")
        ids = got["id"]
        held = self._get("_ids")
        if held is not None and not np.array_equal(held, ids):
            raise _Changed
        if held is None:
            self._put("_ids", ids)
        for n in wanted:
            self._put(n, self._column(n, got, vocab))

    def _column(self, name: str, got: dict[str, IntArray], vocab: dict[str, list[str]]) -> Any:
        n = len(got["id"])
        if name in _TEXT:
            table = np.empty(len(vocab[name]) + 1, dtype=object)
            table[1:] = vocab[name]
            return table[got[name]]
        if name in _FLAGS:
            v = got[name].astype(np.float64)
            v[got[name] < 0] = np.nan
            return v
        if name == "_founded":
            days = (got["founded_on"] - (pr.FOUNDED_OFFSET + 1)).astype(np.float64)
            days[got["founded_on"] == 0] = np.nan
            return days
        if name == "region":
            return self._tree_set(n, [got["region_id"], got["park_id"]], _region_tree(self.conn))
        return self._tree_set(n, [got["industry_id"]], _industry_tree(self.conn))

    @staticmethod
    def _tree_set(
        n: int, owners: list[IntArray], tree: tuple[list[str], dict[int, list[int]]]
    ) -> SetColumn:
        """Expand per-row owner ids (-1 none) into (row, code) pairs through their ancestors.

        The ancestors are looked up once per distinct combination of owners.
        """
        names, anc = tree
        # one integer per combination of owners (ids are small: regions, industries)
        key = np.zeros(n, dtype=np.int64)
        widths = [int(o.max(initial=-1)) + 2 for o in owners]
        for o, width in zip(owners, widths, strict=True):
            key = key * width + (o + 1)
        span = int(np.prod(widths))
        if span <= 1 << 24:
            seen = np.zeros(span, dtype=bool)
            seen[key] = True
            uniq = np.flatnonzero(seen)
            rank = np.zeros(span, dtype=np.int64)
            rank[uniq] = np.arange(len(uniq))
            inverse = rank[key]
        else:
            uniq, inverse = np.unique(key, return_inverse=True)
        combos = np.zeros((len(uniq), len(owners)), dtype=np.int64)
        rest = uniq.astype(np.int64)
        for j in range(len(owners) - 1, -1, -1):
            rest, combos[:, j] = np.divmod(rest, widths[j])
        combos -= 1
        flat: list[int] = []
        lens = np.zeros(len(combos), dtype=np.int64)
        for g, combo in enumerate(combos.tolist()):
            codes = sorted(
                {c for o in combo if o >= 0 for c in anc.get(int(o), [])},
                key=lambda c: names[c],
            )
            flat += codes
            lens[g] = len(codes)
        starts = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int64)
        per_row = lens[inverse]
        rows = np.repeat(np.arange(n, dtype=np.int64), per_row)
        first = np.repeat(starts[inverse] - (np.cumsum(per_row) - per_row), per_row)
        at = first + np.arange(len(rows), dtype=np.int64)
        codes_arr = np.asarray(flat, dtype=np.int64)[at] if len(rows) else rows
        known = np.zeros(n, dtype=bool)
        for o in owners:
            known |= o >= 0
        return SetColumn.from_codes(n, rows, codes_arr, names, known)

    def _store_yearly(
        self, key: str, parts: list[tuple[IntArray, IntArray, FloatArray]]
    ) -> tuple[FloatArray, FloatArray]:
        """Place (enterprise ids, years, values) parts on the rows; cache the key and its year."""
        ids = self.ids
        vals = np.full(len(ids), np.nan)
        years = np.full(len(ids), np.nan)
        for eid, year, value in parts:
            rows, ok = _rows_of(ids, eid)
            vals[rows] = value[ok]
            years[rows] = year[ok]
        self._put(f"{key}#year", years)
        return self._put(key, vals), years

    def yearly(self, key: str) -> tuple[FloatArray, FloatArray]:
        """Return a yearly key's values and years (NaN where none), by row."""
        got = self._get(key)
        if got is not None:
            return got, self._get(f"{key}#year")
        name, _, y = key.partition("@")
        column, base, back = _YEARLY[name]
        fig = pr.yearly_figures(self.conn, column, year=int(y) if y else None, base=base, back=back)
        value = fig["value"]
        if back:
            value = value ** (1.0 / back) - 1.0
        return self._store_yearly(key, [(fig["enterprise_id"], fig["year"], value)])

    def latest(self, keys: Sequence[str]) -> None:
        """Read the latest figures of several same-year keys from one pass over the years.

        Each enterprise's latest yearly row gives every key it holds (a value not NULL;
        for a ratio also a base > 0); only the enterprises whose latest row lacks a key
        are read again, for that key, by :meth:`yearly`'s query limited to them.
        """
        cols = sorted({c for k in keys for c in _YEARLY[k][:2] if c is not None})
        last = pr.latest_rows(self.conn, cols)
        eid, year = last["enterprise_id"], last["year"]
        for key in keys:
            column, base, _back = _YEARLY[key]
            value = last[column]
            with np.errstate(invalid="ignore", divide="ignore"):
                ok = ~np.isnan(value)
                if base is not None:
                    ok &= last[base] > 0
                    value = value / last[base]
            parts = [(eid[ok], year[ok], value[ok])]
            lacking = eid[~ok]
            if len(lacking):
                # most enterprises lacking: one pass over all is cheaper than a long id list
                limit = lacking if len(lacking) * 2 < len(eid) else None
                fig = pr.yearly_figures(self.conn, column, base=base, ids=limit)
                keep = np.isin(fig["enterprise_id"], lacking)
                parts.append((fig["enterprise_id"][keep], fig["year"][keep], fig["value"][keep]))
            self._store_yearly(key, parts)

    def memberships(self, name: str) -> SetColumn:
        """Return the chain, segment or segment-position set of every enterprise."""
        got: SetColumn | None = self._get(name)
        if got is not None:
            return got
        ids = self.ids
        n = len(ids)
        pairs = pr.membership_pairs(self.conn)
        rows, ok = _rows_of(ids, pairs["enterprise_id"])
        seg = pairs["segment_id"][ok]
        segs = pr.segment_labels(self.conn)
        size = max((r[0] for r in segs), default=0) + 1
        names: list[str] = []
        by_seg = {k: np.zeros(size, dtype=np.int64) for k in ("chain", "code", "full", "pos")}
        for sid, chain, code, position in segs:
            for k, v in (
                ("chain", chain),
                ("code", code),
                ("full", f"{chain}:{code}"),
                ("pos", position),
            ):
                by_seg[k][sid] = len(names)
                names.append(v)
        if name == "segment":
            rows = np.concatenate([rows, rows])
            codes = np.concatenate([by_seg["code"][seg], by_seg["full"][seg]])
        else:
            codes = by_seg["chain" if name == "chain" else "pos"][seg]
        col: SetColumn = self._put(name, SetColumn.from_codes(n, rows, codes, names))
        return col

    def tags(self) -> SetColumn:
        """Return the tag set of every enterprise."""
        got: SetColumn | None = self._get("tags")
        if got is not None:
            return got
        ids = self.ids
        e_ids, values = pr.tag_pairs(self.conn)
        rows, ok = _rows_of(ids, e_ids)
        kept = [v for v, k in zip(values, ok.tolist(), strict=True) if k]
        col: SetColumn = self._put("tags", SetColumn.from_pairs(len(ids), rows, kept))
        return col


class _Changed(Exception):
    """The enterprises changed between two reads of one load."""


def _rows_of(ids: IntArray, wanted: IntArray) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Return the rows of ``wanted`` ids in the sorted ``ids`` and which were found."""
    at = np.searchsorted(ids, wanted)
    ok = at < len(ids)
    ok[ok] = ids[at[ok]] == wanted[ok]
    return at[ok], ok


def _tree(rows: Iterable[tuple[int, str, int | None]]) -> tuple[list[str], dict[int, list[int]]]:
    """Return code names and, per id, the positions of its own and its ancestors' codes."""
    items = sorted((int(i), str(c), p) for i, c, p in rows)
    pos = {i: k for k, (i, _c, _p) in enumerate(items)}
    parent = {i: (None if p is None else int(p)) for i, _c, p in items}
    out: dict[int, list[int]] = {}
    for i, _c, _p in items:
        chain: list[int] = []
        seen: set[int] = set()
        cur: int | None = i
        while cur is not None and cur in pos and cur not in seen:
            seen.add(cur)
            chain.append(pos[cur])
            cur = parent[cur]
        out[i] = chain
    return [c for _i, c, _p in items], out


def _region_tree(conn: sa.Connection) -> tuple[list[str], dict[int, list[int]]]:
    return _tree((r["id"], r["code"], r["parent_id"]) for r in ar.region_rows(conn))


def _industry_tree(conn: sa.Connection) -> tuple[list[str], dict[int, list[int]]]:
    return _tree(pr.industry_rows(conn))


def _load(
    conn: sa.Connection, keys: set[str], day: date, cache: AttributeCache | None
) -> AttributeFrame:
    names = base_fields(keys)
    loader = _Loader(conn, cache_slot(conn, cache), cache or attribute_cache())
    row_names = [n for n in (*_TEXT, *_FLAGS, "region", "industry") if n in names]
    if "age_years" in names:
        row_names.append("_founded")
    loader.enterprise_columns(row_names)
    ids = loader.ids
    n = len(ids)
    columns: dict[str, npt.NDArray[Any]] = {}
    sets: dict[str, SetColumn] = {}
    for name in (*_TEXT, *_FLAGS):
        if name in names:
            columns[name] = loader.slot[name]
    if "age_years" in names:
        columns["age_years"] = (float(day.toordinal() - _EPOCH) - loader.slot["_founded"]) / 365.25
    for name in ("region", "industry"):
        if name in names:
            sets[name] = loader.slot[name]
    if "tags" in names:
        sets["tags"] = loader.tags()
    for name in ("chain", "segment", "segment_position"):
        if name in names:
            sets[name] = loader.memberships(name)
    yearly = {k for k in names if FIELDS[k].yearly} | {k for k in keys if "@" in k}
    same_year = [k for k in sorted(yearly) if k in _YEARLY and not _YEARLY[k][2]]
    if len([k for k in same_year if loader.slot.get(k) is None]) > 1:
        loader.latest([k for k in same_year if loader.slot.get(k) is None])
    for key in sorted(yearly):
        columns[key], years = loader.yearly(key)
        if "@" not in key:
            columns[year_key(key)] = years
    if "lifecycle_stage" in names:
        growth = columns["revenue_cagr_3y"]
        growth = np.where(np.isnan(growth), columns["revenue_growth"], growth)
        columns["lifecycle_stage"] = lifecycle_stages(
            columns["age_years"], columns["revenue"], columns["employees"], growth
        )
    keep = {k for k in keys if FIELDS[k.split("@")[0]].kind is not FieldKind.SET}
    keep |= {year_key(k) for k in keep if "@" not in k and FIELDS[k].yearly}
    assert all(len(c) == n for c in columns.values())
    return AttributeFrame(
        ids,
        {k: v for k, v in columns.items() if k in keep},
        {k: v for k, v in sets.items() if k in keys},
    )


def load_all_attributes(
    conn: sa.Connection,
    keys: Iterable[str],
    *,
    on: date | None = None,
    cache: AttributeCache | None = None,
) -> AttributeFrame:
    """Build the attribute frame of every enterprise for ``keys``, rows in ascending id order.

    The same frame as :func:`chainatlas.services.enterprise_attrs.load_attributes_by_rows`
    (a test checks it), read in bulk. ``cache`` keeps the columns between calls (see
    :mod:`chainatlas.services.attribute_cache`; None reads everything afresh); ``on``
    is the day ages are counted to (default: today).
    """
    day = on or date.today()
    wanted = set(keys)
    try:
        return _load(conn, wanted, day, cache)
    except _Changed:
        # the enterprises changed while cached columns were combined: start afresh
        if cache is not None:
            cache.clear()
        return _load(conn, wanted, day, None)
