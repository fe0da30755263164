"""Frames for chain analysis, built from the store: enterprises, links, chains.

Regions and the analysed scope are in :mod:`chainatlas.services._scope`. Everything here
is columnar. Arrays "by id" are indexed directly by database id and
have one extra last element that holds the default, so that the id -1 (no region, no
park) reads the default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa

from chainatlas.analytics.chainmap import (
    Text,
    acyclic_order,
)
from chainatlas.analytics.chainmap._sorting import sorted_unique
from chainatlas.errors import AnalysisError, ChainNotFound
from chainatlas.services._scope import by_id
from chainatlas.store import analysis_reads as ar
from chainatlas.store import link_reads, whole_database
from chainatlas.store.chains import list_chains

__all__ = [
    "ChainData",
    "Enterprises",
    "LinkTable",
    "drop_unknown_enterprises",
    "load_chain",
    "load_enterprises",
    "load_link_table",
    "load_whole_database",
]

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
ObjArray = npt.NDArray[np.object_]


@dataclass(frozen=True, slots=True)
class Enterprises:
    """Enterprise attributes as arrays by enterprise id (last element: the default).

    ``known`` marks ids that exist; ``output`` and ``output_prev`` are NaN when unknown.
    """

    known: BoolArray
    region: IntArray
    park: IntArray
    output: FloatArray
    output_prev: FloatArray
    year: int | None

    @property
    def size(self) -> int:
        """Length of the arrays without the default element."""
        return len(self.known) - 1


def load_enterprises(
    conn: sa.Connection, year: int | None, ids: IntArray | None = None
) -> Enterprises:
    """Read region, park and output (``year`` and the year before) of enterprises.

    ``ids`` limits the read to those enterprises (None: all of them).
    """
    years = [] if year is None else [year, year - 1]
    return _enterprises(
        ar.enterprise_attributes(conn, ids), {y: ar.outputs(conn, y, ids) for y in years}, year, ids
    )


def _enterprises(
    attrs: ar.Columns, outputs: dict[int, ar.Columns], year: int | None, ids: IntArray | None
) -> Enterprises:
    size = int(max(attrs["id"].max(initial=0), 0 if ids is None else ids.max(initial=0))) + 1
    known = by_id(size, False, bool)
    region = by_id(size, -1, np.int64)
    park = by_id(size, -1, np.int64)
    known[attrs["id"]] = True
    region[attrs["id"]] = attrs["region_id"]
    park[attrs["id"]] = attrs["park_id"]
    output = by_id(size, np.nan, np.float64)
    output_prev = by_id(size, np.nan, np.float64)
    if year is not None:
        for target, y in ((output, year), (output_prev, year - 1)):
            got = outputs[y]
            keep = got["enterprise_id"] < size
            target[got["enterprise_id"][keep]] = got["output_value"][keep]
    return Enterprises(known, region, park, output, output_prev, year)


def load_whole_database(
    conn: sa.Connection, year: int | None, *, as_of: date | None = None
) -> tuple[int | None, Enterprises, ar.Columns, LinkTable]:
    """Read every enterprise, membership and link once, for analyses of many chains.

    ``year`` None means the latest year with any output. Returns that year and what
    :func:`load_enterprises`, ``chain_memberships`` and :func:`load_link_table` return
    (see :func:`~chainatlas.store.whole_database.read_whole_database`).
    """
    got = whole_database.read_whole_database(conn, year, as_of=as_of)
    ents = _enterprises(got.attributes, got.outputs, got.year, None)
    return got.year, ents, got.memberships, _link_table([got.links])


@dataclass(slots=True)
class LinkTable:
    """Supply links as columns; ``product`` holds codes into ``products``."""

    id: IntArray
    supplier: IntArray
    buyer: IntArray
    product: IntArray
    segment: IntArray
    value: FloatArray
    share: FloatArray
    products: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.id)

    def take(self, at: npt.NDArray[Any]) -> LinkTable:
        """Return the links at positions (or mask) ``at``, sharing the product list."""
        return LinkTable(
            self.id[at],
            self.supplier[at],
            self.buyer[at],
            self.product[at],
            self.segment[at],
            self.value[at],
            self.share[at],
            self.products,
        )

    def of_segments(self, segment_ids: Sequence[int]) -> npt.NDArray[np.int64]:
        """Return the positions of the links of ``segment_ids`` (-1: without a segment).

        One pass over the links with a lookup table by segment id (linear, no sort), so
        many chains can be cut from one table cheaply. Positions are in input order.
        """
        wanted = np.asarray(sorted(set(segment_ids)), dtype=np.int64)
        if len(self.segment) == 0 or len(wanted) == 0:
            return np.zeros(0, dtype=np.int64)
        lo = min(int(self.segment.min()), int(wanted.min()))
        hi = max(int(self.segment.max()), int(wanted.max()))
        lookup = np.zeros(hi - lo + 1, dtype=bool)
        lookup[wanted - lo] = True
        out: npt.NDArray[np.int64] = np.flatnonzero(lookup[self.segment - lo]).astype(np.int64)
        return out


class _ProductCodes:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.names: list[str] = []

    def encode(self, codes: IntArray, uniques: Sequence[Any]) -> IntArray:
        mapping = np.empty(len(uniques), dtype=np.int64)
        for i, name in enumerate(uniques):
            key = "" if name is None else str(name)
            if key not in self.index:
                self.index[key] = len(self.names)
                self.names.append(key)
            mapping[i] = self.index[key]
        return mapping[codes] if len(codes) else np.zeros(0, dtype=np.int64)


def _factorised(part: ar.Columns) -> ar.Columns:
    """Replace the product strings of a part by codes and the list of distinct names."""
    if "product" not in part:
        return part
    codes, uniques = pd.factorize(part["product"], use_na_sentinel=False)
    out = {k: v for k, v in part.items() if k != "product"}
    out["product_code"] = codes.astype(np.int64)
    names = np.empty(len(uniques), dtype=object)
    names[:] = list(uniques)
    out["product_names"] = names
    return out


def _link_table(parts: Sequence[ar.Columns]) -> LinkTable:
    codes = _ProductCodes()
    cols: dict[str, list[npt.NDArray[Any]]] = {
        k: [] for k in ("id", "supplier_id", "buyer_id", "segment_id", "annual_value", "share")
    }
    prods: list[IntArray] = []
    for raw in parts:
        p = _factorised(raw)
        for k in cols:
            cols[k].append(p[k])
        prods.append(codes.encode(p["product_code"], list(p["product_names"])))

    def cat(k: str, dtype: Any) -> npt.NDArray[Any]:
        if not cols[k]:
            return np.zeros(0, dtype=dtype)
        if len(cols[k]) == 1:
            return cols[k][0].astype(dtype, copy=False)
        return np.concatenate(cols[k]).astype(dtype, copy=False)

    # product codes in the order of the names, whatever order the reads met them in, so
    # that ties broken by product come out the same on every backend and read path
    names = sorted(codes.names)
    rank = np.empty(len(names), dtype=np.int64)
    rank[[codes.index[n] for n in names]] = np.arange(len(names))
    product = rank[np.concatenate(prods)] if prods else np.zeros(0, dtype=np.int64)
    return LinkTable(
        cat("id", np.int64),
        cat("supplier_id", np.int64),
        cat("buyer_id", np.int64),
        product,
        cat("segment_id", np.int64),
        cat("annual_value", np.float64),
        cat("share", np.float64),
        names,
    )


def load_link_table(
    conn: sa.Connection, *, chain_id: int | None = None, as_of: date | None = None
) -> LinkTable:
    """Read the links of one chain (or every link) valid on ``as_of`` into a LinkTable."""
    return _link_table([link_reads.link_columns(conn, chain_id=chain_id, as_of=as_of)])


@dataclass(slots=True)
class ChainData:
    """One chain: its segments and edges, memberships and links, as position arrays.

    Segment positions follow the map order. ``m_*`` arrays are memberships, ``links`` the
    chain's supply links with ``links.segment`` as positions. ``warnings`` collects what
    the analysis must say about the data (cycles, dangling links).
    """

    chain: dict[str, Any]
    segments: list[dict[str, Any]]
    edges: list[tuple[int, int, str]]
    order: list[str]
    cycle: list[str] | None
    m_ent: IntArray
    m_seg: IntArray
    m_share: FloatArray
    links: LinkTable
    inferred: BoolArray
    warnings: list[Text] = field(default_factory=list)
    _primary: tuple[IntArray, IntArray] | None = field(default=None, repr=False)

    @property
    def n_segments(self) -> int:
        """Number of segments."""
        return len(self.segments)

    def primary_segment(self, size: int) -> IntArray:
        """Return each enterprise's primary segment position by id (-1: not a member).

        The primary segment is the membership with the largest revenue share (unknown
        shares count as 0); ties go to the segment earlier in the map.
        """
        prim = np.full(size + 1, -1, dtype=np.int64)
        if len(self.m_ent) == 0:
            return prim
        if self._primary is None:
            share = np.nan_to_num(self.m_share, nan=0.0)
            order = np.lexsort((-self.m_seg, share, self.m_ent))
            # the last row of each enterprise in this order is its primary segment
            ent = self.m_ent[order]
            last = np.r_[ent[1:] != ent[:-1], True]
            self._primary = (ent[last], self.m_seg[order][last])
        ent, seg = self._primary
        fits = ent <= size
        prim[ent[fits]] = seg[fits]
        return prim


def load_chain(
    conn: sa.Connection,
    code: str,
    *,
    links: LinkTable | None = None,
    memberships: ar.Columns | None = None,
    as_of: date | None = None,
) -> ChainData:
    """Read a chain with its memberships and links.

    ``links`` and ``memberships`` may hold those of the whole database (read once for
    many chains); the chain's are then taken from them. Links without a segment are
    placed in their supplier's primary segment, with a warning.

    Raises
    ------
    ChainNotFound
        When no chain has ``code``.
    AnalysisError
        When the chain has no segments.
    """
    head = ar.find_chain(conn, code)
    if head is None:
        known_codes = ", ".join(r["code"] for r in list_chains(conn)) or "none"
        raise ChainNotFound(f"no chain {code!r} (chains: {known_codes})")
    segs = ar.segment_rows(conn, int(head["id"]))
    if not segs:
        raise AnalysisError(
            f"chain {code!r} has no segments; install a template (chainatlas chains install) "
            "or import segments first"
        )
    pos = {int(r["id"]): i for i, r in enumerate(segs)}
    raw_edges = ar.segment_edge_rows(conn, int(head["id"]))
    edges = [
        (pos[int(e["supplier_segment_id"])], pos[int(e["buyer_segment_id"])], e["input_class"])
        for e in raw_edges
    ]
    codes = [str(r["code"]) for r in segs]
    order, cycle = acyclic_order(codes, [(codes[a], codes[b]) for a, b, _ in edges])
    warnings: list[Text] = []
    if cycle:
        path = " -> ".join(cycle)
        warnings.append(
            Text(
                "segment_cycle",
                f"环节供给关系存在循环：{path}；图谱按导入顺序排列这些环节，其余分析不受影响。",
                f"The segment edges form a cycle: {path}. The map orders these segments as "
                "imported; the other figures are not affected.",
            )
        )
    seg_lookup = np.full(max(pos, default=0) + 2, -1, dtype=np.int64)
    for sid, p in pos.items():
        seg_lookup[sid] = p
    if memberships is None:
        mem = ar.chain_memberships(conn, int(head["id"]))
    else:
        m_sid: IntArray = memberships["segment_id"]
        inside: BoolArray = (m_sid >= 0) & (m_sid < len(seg_lookup) - 1)
        inside[inside] = seg_lookup[m_sid[inside]] >= 0
        mem = {k: v[inside] for k, v in memberships.items()}
    m_seg = seg_lookup[mem["segment_id"]]
    data = ChainData(
        chain=head,
        segments=segs,
        edges=edges,
        order=order,
        cycle=cycle,
        m_ent=mem["enterprise_id"],
        m_seg=m_seg,
        m_share=mem["revenue_share"],
        links=_link_table([]),
        inferred=np.zeros(0, dtype=bool),
        warnings=warnings,
    )
    if links is None:
        table = load_link_table(conn, chain_id=int(head["id"]), as_of=as_of)
    else:
        at = links.of_segments(list(pos))
        orphans = links.of_segments([-1])
        if len(orphans):
            orphans = orphans[np.isin(links.supplier[orphans], sorted_unique(data.m_ent))]
            at = np.sort(np.concatenate([at, orphans]))
        table = links.take(at)
    _place_links(data, table, seg_lookup)
    return data


def _place_links(data: ChainData, table: LinkTable, seg_lookup: IntArray) -> None:
    inferred = table.segment < 0
    size = (
        int(
            max(
                table.supplier.max(initial=0), table.buyer.max(initial=0), data.m_ent.max(initial=0)
            )
        )
        + 1
    )
    prim = data.primary_segment(size)
    seg = np.where(
        inferred,
        prim[np.where(inferred, table.supplier, -1)],
        seg_lookup[np.where(inferred, -1, table.segment)],
    )
    keep = seg >= 0
    if inferred.any():
        n = int((inferred & keep).sum())
        if n:
            data.warnings.append(
                Text(
                    "segment_inferred",
                    f"{n}条供应关系未标注环节，按供应商的主环节归入。",
                    f"{n} supply links have no segment; they are placed in the supplier's "
                    "primary segment.",
                )
            )
    t = table.take(keep)
    t.segment = seg[keep]
    data.links = t
    data.inferred = inferred[keep]


def drop_unknown_enterprises(data: ChainData, known: BoolArray) -> None:
    """Drop links and memberships naming enterprises that do not exist, with a warning.

    ``known`` is a mask by enterprise id (last element False). Foreign keys normally
    prevent such rows; a database loaded with the checks off may still hold them.
    """
    n_known = len(known) - 1

    def ok(ids: IntArray) -> BoolArray:
        inside = (ids >= 0) & (ids < n_known)
        out = np.zeros(len(ids), dtype=bool)
        out[inside] = known[ids[inside]]
        return out

    good = ok(data.links.supplier) & ok(data.links.buyer)
    bad = int((~good).sum())
    if bad:
        data.warnings.append(
            Text(
                "unknown_enterprise",
                f"{bad}条供应关系指向不存在的企业，已从分析中剔除。",
                f"{bad} supply links name enterprises that do not exist; they are left out of "
                "the analysis.",
            )
        )
        data.links = data.links.take(good)
        data.inferred = data.inferred[good]
    mgood = ok(data.m_ent)
    if not mgood.all():
        data.m_ent, data.m_seg = data.m_ent[mgood], data.m_seg[mgood]
        data.m_share = data.m_share[mgood]
        data._primary = None  # computed from the memberships just changed
