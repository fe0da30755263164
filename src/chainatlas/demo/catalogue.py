"""The chains of the demo: every bundled template as rows and as arrays for sampling.

Segment ids follow the templates' order (chains in :func:`list_templates` order, segments
as listed); ``sort_order`` is the segment's place in a topological order of its chain, so
suppliers come before buyers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainatlas.demo.industries import industry_name
from chainatlas.domain.chain import Chain, InputClass, Position, check_acyclic
from chainatlas.store.chains import segment_row
from chainatlas.templates import FORMAT_VERSION, list_templates, load_template

__all__ = ["POSITIONS", "Catalogue", "build_catalogue"]

POSITIONS = (Position.UPSTREAM, Position.MIDSTREAM, Position.DOWNSTREAM)
_CLASS_CODE = {InputClass.IRRELEVANT: 0, InputClass.NON_ESSENTIAL: 1, InputClass.ESSENTIAL: 2}

Row = dict[str, object]


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Chains, segments and segment edges with ids, plus per-segment arrays.

    Arrays are indexed by segment index ``s`` (segment id ``s + 1``) or edge index ``e``
    (edge id ``e + 1``). ``seg_position`` holds 0/1/2 for up/mid/downstream and
    ``edge_class`` 0/1/2 for irrelevant/non-essential/essential. ``in_ptr`` and ``in_edges``
    list each segment's incoming edges (CSR); ``nb_ptr`` and ``nb_segs`` its neighbours.
    ``product_offset[s]`` numbers the products of all segments one after another.
    """

    chains: tuple[Chain, ...]
    seg_chain: np.ndarray
    seg_position: np.ndarray
    seg_importance: np.ndarray
    seg_choke: np.ndarray
    seg_names: tuple[tuple[str, str], ...]
    seg_products: tuple[tuple[str, ...], ...]
    seg_products_en: tuple[tuple[str, ...], ...]
    seg_industry: tuple[str | None, ...]
    edge_supplier: np.ndarray
    edge_buyer: np.ndarray
    edge_class: np.ndarray
    in_ptr: np.ndarray
    in_edges: np.ndarray
    nb_ptr: np.ndarray
    nb_segs: np.ndarray
    product_offset: np.ndarray
    industry_codes: tuple[str, ...]
    chain_rows: tuple[Row, ...]
    segment_rows: tuple[Row, ...]
    edge_rows: tuple[Row, ...]
    industry_rows: tuple[Row, ...]

    @property
    def n_segments(self) -> int:
        """Number of segments over all chains."""
        return len(self.seg_chain)

    def chain_segments(self, chain_index: int) -> np.ndarray:
        """Return the segment indices of chain ``chain_index``."""
        return np.flatnonzero(self.seg_chain == chain_index)

    def industry_id(self, code: str) -> int:
        """Return the id of the industry row with ``code``."""
        return self.industry_codes.index(code) + 1


def build_catalogue(provenance: Row) -> Catalogue:
    """Load every bundled template and number chains, segments, edges and industries.

    ``provenance`` (``source``, ``imported_at``, ``confidence``) is added to every row.
    """
    chains = tuple(load_template(code) for code in list_templates())
    seg_chain: list[int] = []
    seg_position: list[int] = []
    seg_importance: list[float] = []
    seg_choke: list[bool] = []
    seg_names: list[tuple[str, str]] = []
    products: list[tuple[str, ...]] = []
    products_en: list[tuple[str, ...]] = []
    seg_industry: list[str | None] = []
    edges: list[tuple[int, int, int, int]] = []
    chain_rows: list[Row] = []
    segment_rows: list[Row] = []
    edge_rows: list[Row] = []
    codes: set[str] = set()
    for c, chain in enumerate(chains):
        chain_rows.append(
            {
                "id": c + 1,
                "code": chain.code,
                "name_zh": chain.name_zh,
                "name_en": chain.name_en,
                "description_zh": chain.description_zh,
                "description_en": chain.description_en,
                "template_code": chain.code,
                "template_version": FORMAT_VERSION,
                **provenance,
            }
        )
        base = len(seg_chain)
        index = {seg.code: base + i for i, seg in enumerate(chain.segments)}
        order = check_acyclic(
            [s.code for s in chain.segments], [(e.supplier, e.buyer) for e in chain.edges]
        )
        rank = {code: i for i, code in enumerate(order)}
        for seg in chain.segments:
            seg_chain.append(c)
            seg_position.append(POSITIONS.index(seg.position))
            seg_importance.append(seg.importance)
            seg_choke.append(seg.choke_point)
            seg_names.append((seg.name_zh, seg.name_en))
            products.append(seg.products or (seg.name_zh,))
            products_en.append(
                seg.products_en if len(seg.products_en) == len(seg.products or (1,)) else ()
            )
            seg_industry.append(seg.industry_codes[0] if seg.industry_codes else None)
            codes.update(seg.industry_codes)
            segment_rows.append(
                {
                    "id": index[seg.code] + 1,
                    **segment_row(seg, c + 1, rank[seg.code]),
                    "parent_id": index[seg.parent] + 1 if seg.parent else None,
                    **provenance,
                }
            )
        for edge in chain.edges:
            e = len(edges)
            edges.append(
                (index[edge.supplier], index[edge.buyer], _CLASS_CODE[edge.input_class], c)
            )
            edge_rows.append(
                {
                    "id": e + 1,
                    "chain_id": c + 1,
                    "supplier_segment_id": index[edge.supplier] + 1,
                    "buyer_segment_id": index[edge.buyer] + 1,
                    "input_class": edge.input_class.value,
                    "note": edge.note,
                    **provenance,
                }
            )
    n_seg = len(seg_chain)
    sup = np.array([e[0] for e in edges], dtype=np.int32)
    buy = np.array([e[1] for e in edges], dtype=np.int32)
    in_order = np.argsort(buy, kind="stable")
    in_ptr = np.zeros(n_seg + 1, dtype=np.int64)
    np.add.at(in_ptr, buy + 1, 1)
    pairs = sorted(
        {(int(a), int(b)) for a, b in zip(sup, buy, strict=True)}
        | {(int(b), int(a)) for a, b in zip(sup, buy, strict=True)}
    )
    nb_ptr = np.zeros(n_seg + 1, dtype=np.int64)
    np.add.at(nb_ptr, np.array([p[0] for p in pairs], dtype=np.int64) + 1, 1)
    industry_codes = tuple(sorted(_with_divisions(codes)))
    industry_rows = tuple(_industry_rows(industry_codes, provenance))
    return Catalogue(
        chains=chains,
        seg_chain=np.array(seg_chain, dtype=np.int32),
        seg_position=np.array(seg_position, dtype=np.int8),
        seg_importance=np.array(seg_importance, dtype=np.float64),
        seg_choke=np.array(seg_choke, dtype=bool),
        seg_names=tuple(seg_names),
        seg_products=tuple(products),
        seg_products_en=tuple(products_en),
        seg_industry=tuple(seg_industry),
        edge_supplier=sup,
        edge_buyer=buy,
        edge_class=np.array([e[2] for e in edges], dtype=np.int8),
        in_ptr=np.cumsum(in_ptr),
        in_edges=in_order.astype(np.int32),
        nb_ptr=np.cumsum(nb_ptr),
        nb_segs=np.array([p[1] for p in pairs], dtype=np.int32),
        product_offset=np.concatenate([[0], np.cumsum([len(p) for p in products])]).astype(
            np.int64
        ),
        industry_codes=industry_codes,
        chain_rows=tuple(chain_rows),
        segment_rows=tuple(_parents_first(segment_rows)),
        edge_rows=tuple(edge_rows),
        industry_rows=industry_rows,
    )


def _parents_first(rows: list[Row]) -> list[Row]:
    """Order segment rows so that a parent is inserted before its children."""
    parent = {row["id"]: row["parent_id"] for row in rows}

    def depth(row: Row) -> int:
        d, node = 0, row["parent_id"]
        while node is not None and d < len(rows):
            d, node = d + 1, parent.get(node)
        return d

    return sorted(rows, key=depth)


def _with_divisions(codes: set[str]) -> set[str]:
    """Return ``codes`` plus the two-digit division of each longer code."""
    return codes | {code[:3] for code in codes if len(code) > 3}


def _industry_rows(codes: tuple[str, ...], provenance: Row) -> list[Row]:
    ids = {code: i + 1 for i, code in enumerate(codes)}
    rows: list[Row] = []
    for code in codes:
        name_zh, name_en = industry_name(code)
        parent = ids.get(code[:3]) if len(code) > 3 else None
        rows.append(
            {
                "id": ids[code],
                "scheme": "gbt4754",
                "code": code,
                "name_zh": name_zh,
                "name_en": name_en,
                "parent_id": parent,
                **provenance,
            }
        )
    return rows
