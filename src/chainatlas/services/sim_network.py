"""The firm-level supply network of a disruption scenario, built from the store.

Nodes are the enterprises that take part in at least one supply link of the scope (one
chain, or every link). ``W[j, i]`` is the annual value firm ``j`` supplies to firm ``i``
in yuan, summed over products. Each firm's sector is its primary chain segment, and the
input class of every (supplier sector, buyer sector) pair comes from the chain
template's segment edges; the rules for values, sectors and classes that the data leave
open are in docs/simulation.md ("Building the network").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
import sqlalchemy as sa

from chainatlas.analytics.chainmap import Text
from chainatlas.errors import ChainNotFound, EmptyNetworkError
from chainatlas.services._frames import Enterprises, LinkTable, load_enterprises, load_link_table
from chainatlas.store import analysis_reads as ar

__all__ = ["CLASS_CODES", "DEFAULT_CLASS", "UNASSIGNED", "SimNetwork", "build_network"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Input class codes of the cascade model, by the ``segment_edges.input_class`` value.
CLASS_CODES = {"irrelevant": 0, "non_essential": 1, "essential": 2}
#: Class of a (supplier sector, buyer sector) pair that no segment edge describes.
DEFAULT_CLASS = 1
#: Segment id standing for "no chain segment" (the sector of unplaced firms).
UNASSIGNED = -1


@dataclass(slots=True)
class SimNetwork:
    """A supply network ready for the cascade model, with what is needed to report on it.

    Node arrays (``firm``, ``sector``, ``region``, ``park``, ``output``) run over the
    ``n`` firms, sorted by enterprise id; link arrays (``l_*``) over the links kept, with
    node positions for supplier and buyer. ``sector_segment[k]`` is the segment id of
    sector ``k`` (:data:`UNASSIGNED` for firms without a segment) and ``classes[k, l]``
    the input class of inputs from sector ``k`` to sector ``l``.
    """

    chain: dict[str, Any] | None
    as_of: date | None
    firm: IntArray
    sector: IntArray
    region: IntArray
    park: IntArray
    output: FloatArray
    output_year: int | None
    l_id: IntArray
    l_sup: IntArray
    l_buy: IntArray
    l_value: FloatArray
    l_product: IntArray
    l_segment: IntArray
    products: list[str]
    sector_segment: IntArray
    classes: npt.NDArray[np.int8]
    segments: dict[int, dict[str, Any]]
    value_fallback: dict[str, int]
    notes: list[Text] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Number of firms."""
        return len(self.firm)

    def matrix(self) -> sp.csr_matrix:
        """Return ``W`` (CSR, yuan; row = supplier, column = buyer)."""
        return link_matrix(self.l_sup, self.l_buy, self.l_value, self.n)

    def out_strength(self) -> FloatArray:
        """Return ``s_out`` of every firm: its sales to firms of the network, in yuan."""
        out = np.bincount(self.l_sup, weights=self.l_value, minlength=self.n)
        return out.astype(np.float64)

    def position(self, ids: IntArray) -> IntArray:
        """Return the node position of enterprise ``ids`` (-1 where not in the network)."""
        ids = np.asarray(ids, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.firm, ids), self.n - 1)
        found = self.firm[at] == ids
        return np.where(found, at, -1).astype(np.int64)


def link_matrix(sup: IntArray, buy: IntArray, value: FloatArray, n: int) -> sp.csr_matrix:
    """Return the ``n x n`` CSR matrix with ``value`` summed at (``sup``, ``buy``)."""
    w = sp.coo_matrix((value, (sup, buy)), shape=(n, n)).tocsr()
    w.sum_duplicates()
    w.eliminate_zeros()
    return w


def _segments(
    conn: sa.Connection, chains: list[dict[str, Any]]
) -> tuple[dict[int, dict[str, Any]], list[tuple[int, int, str]]]:
    """Return every segment of ``chains`` (with its rank in map order) and their edges."""
    segs: dict[int, dict[str, Any]] = {}
    edges: list[tuple[int, int, str]] = []
    for c in chains:
        for r in ar.segment_rows(conn, int(c["id"])):
            segs[int(r["id"])] = {
                "chain": c["code"],
                "chain_name": c["name_zh"],
                "chain_name_en": c["name_en"] or "",
                "segment": r["code"],
                "name": r["name_zh"],
                "name_en": r["name_en"] or "",
                "rank": len(segs),
            }
        edges += [
            (int(e["supplier_segment_id"]), int(e["buyer_segment_id"]), str(e["input_class"]))
            for e in ar.segment_edge_rows(conn, int(c["id"]))
        ]
    return segs, edges


def _fill_values(links: LinkTable) -> tuple[FloatArray, dict[str, int]]:
    """Return link values with the documented fallbacks, and how often each was used.

    A missing value becomes the median of the buyer's known link values, else the
    median of every known value, else 1 (when no link has a value, all count alike).
    """
    v = links.value.copy()
    missing = np.isnan(v)
    counts = {"buyer_median": 0, "network_median": 0, "unit": 0}
    if not missing.any():
        return v, counts
    known = ~missing
    if known.any():
        med = pd.Series(v[known]).groupby(links.buyer[known]).median()
        by_buyer = med.reindex(links.buyer[missing]).to_numpy(dtype=np.float64)
        have = ~np.isnan(by_buyer)
        fill = np.where(have, by_buyer, float(np.median(v[known])))
        counts["buyer_median"] = int(have.sum())
        counts["network_median"] = int((~have).sum())
    else:
        fill = np.ones(int(missing.sum()))
        counts["unit"] = int(missing.sum())
    v[missing] = fill
    return v, counts


def _primary_segments(
    firms: IntArray,
    memberships: ar.Columns,
    segs: dict[int, dict[str, Any]],
    sup: IntArray,
    link_seg: IntArray,
    value: FloatArray,
) -> IntArray:
    """Return each firm's sector segment id (:data:`UNASSIGNED` when it has none).

    The membership with the largest revenue share (unknown shares count as 0; ties go to
    the segment first in map order); a firm without a membership in scope takes the
    segment of its most valuable sale that names a segment.
    """
    out = np.full(len(firms), UNASSIGNED, dtype=np.int64)
    top = max(
        [*segs, 0, int(memberships["segment_id"].max(initial=0)), int(link_seg.max(initial=0))]
    )
    rank_of = np.full(top + 2, -1, dtype=np.int64)  # by segment id; the last reads -1
    for sid, s in segs.items():
        rank_of[sid] = int(s["rank"])
    m_ent, m_seg = memberships["enterprise_id"], memberships["segment_id"]
    in_scope = rank_of[m_seg] >= 0
    m_ent, m_seg = m_ent[in_scope], m_seg[in_scope]
    share = np.nan_to_num(memberships["revenue_share"][in_scope], nan=0.0)
    if len(m_ent):
        order = np.lexsort((rank_of[m_seg], -share, m_ent))
        ent = m_ent[order]
        first = np.r_[True, ent[1:] != ent[:-1]]
        at = np.searchsorted(firms, ent[first])
        ok = (at < len(firms)) & (firms[np.minimum(at, len(firms) - 1)] == ent[first])
        out[at[ok]] = m_seg[order][first][ok]
    placed = rank_of[link_seg] >= 0
    if placed.any():
        order = np.lexsort((-value[placed], sup[placed]))
        s_sorted = sup[placed][order]
        first = np.r_[True, s_sorted[1:] != s_sorted[:-1]]
        pos, seg = s_sorted[first], link_seg[placed][order][first]
        free = out[pos] == UNASSIGNED
        out[pos[free]] = seg[free]
    return out


def build_network(
    conn: sa.Connection, *, chain: str | None = None, as_of: date | None = None
) -> SimNetwork:
    """Read the supply network of one chain (or of every link) into a :class:`SimNetwork`.

    Parameters
    ----------
    conn
        Connection; nothing is written.
    chain
        Chain code: only the chain's links (links of its segments, and links without a
        segment whose supplier is a member) and their firms. None: every link.
    as_of
        Only links valid on this date (default: every link).

    Raises
    ------
    ChainNotFound
        When no chain has the code ``chain``.
    EmptyNetworkError
        When the scope holds no supply link with a positive value.
    """
    chains = ar.chain_rows(conn)
    head: dict[str, Any] | None = None
    if chain is not None:
        head = next((c for c in chains if c["code"] == chain), None)
        if head is None:
            known = ", ".join(c["code"] for c in chains) or "none"
            raise ChainNotFound(f"no chain {chain!r} (chains: {known})")
    segs, edges = _segments(conn, chains if head is None else [head])
    chain_id = None if head is None else int(head["id"])
    links = load_link_table(conn, chain_id=chain_id, as_of=as_of)
    notes: list[Text] = []
    ends = np.unique(np.concatenate([links.supplier, links.buyer]))
    year = ar.latest_output_year(conn)
    ents: Enterprises = load_enterprises(conn, year, None if head is None else ends)
    inside = (links.supplier < ents.size) & (links.buyer < ents.size)
    ok = np.zeros(len(links), dtype=bool)
    ok[inside] = ents.known[links.supplier[inside]] & ents.known[links.buyer[inside]]
    if not ok.all():
        bad = int((~ok).sum())
        notes.append(
            Text(
                "unknown_enterprise",
                f"{bad}条供应关系指向不存在的企业，已剔除。",
                f"{bad} supply links name enterprises that do not exist; they are left out.",
            )
        )
        links = links.take(ok)
    value, fallback = _fill_values(links)
    _note_fallback(notes, fallback)
    zero = value <= 0
    if zero.any():
        notes.append(
            Text(
                "zero_value",
                f"{int(zero.sum())}条供应关系的金额为0，不传递冲击。",
                f"{int(zero.sum())} supply links have the value 0 and carry no shock.",
            )
        )
        links, value = links.take(~zero), value[~zero]
    where = f"chain {chain}" if chain is not None else "the store"
    if len(links) == 0:
        raise EmptyNetworkError(
            f"no supply link with a value in {where}: the network to simulate is empty"
        )
    firms = np.unique(np.concatenate([links.supplier, links.buyer]))
    sup = np.searchsorted(firms, links.supplier).astype(np.int64)
    buy = np.searchsorted(firms, links.buyer).astype(np.int64)
    mem = ar.chain_memberships(conn, chain_id)
    seg_of = _primary_segments(firms, mem, segs, sup, links.segment, value)
    sector_segment, sector = np.unique(seg_of, return_inverse=True)
    unplaced = int((seg_of == UNASSIGNED).sum())
    if unplaced:
        notes.append(
            Text(
                "unassigned_sector",
                f"{unplaced}家企业没有产业链环节，归入“未归类”部门，其投入按非必需处理。",
                f"{unplaced} firms have no chain segment; they form the 'unassigned' sector, "
                "whose inputs and sales count as non-essential.",
            )
        )
    code = {int(s): k for k, s in enumerate(sector_segment.tolist())}
    classes = np.full((len(code), len(code)), DEFAULT_CLASS, dtype=np.int8)
    for a, b, cls in edges:
        if a in code and b in code:
            classes[code[a], code[b]] = CLASS_CODES[cls]
    return SimNetwork(
        chain=None if head is None else dict(head),
        as_of=as_of,
        firm=firms.astype(np.int64),
        sector=sector.astype(np.int64).ravel(),
        region=ents.region[firms],
        park=ents.park[firms],
        output=ents.output[firms],
        output_year=year,
        l_id=links.id,
        l_sup=sup,
        l_buy=buy,
        l_value=value,
        l_product=links.product,
        l_segment=links.segment,
        products=links.products,
        sector_segment=sector_segment.astype(np.int64),
        classes=classes,
        segments=segs,
        value_fallback=fallback,
        notes=notes,
    )


def _note_fallback(notes: list[Text], counts: dict[str, int]) -> None:
    b, m, u = counts["buyer_median"], counts["network_median"], counts["unit"]
    if b or m:
        notes.append(
            Text(
                "value_fallback",
                f"{b + m}条供应关系缺少金额：{b}条取买方已知供应关系金额的中位数，"
                f"{m}条取全网中位数。",
                f"{b + m} supply links have no value: {b} take the median of the buyer's "
                f"known link values, {m} the median of all known values.",
            )
        )
    if u:
        notes.append(
            Text(
                "count_basis",
                f"没有任何供应关系有金额：{u}条供应关系均按1元计（计数口径）。",
                f"No supply link has a value: all {u} links count as 1 yuan (count basis).",
            )
        )
