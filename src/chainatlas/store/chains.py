"""Store functions for chains: write a :class:`~chainatlas.domain.chain.Chain`, read it back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from chainatlas.domain.chain import Chain, InputClass, Position, Segment, SegmentEdge, check_acyclic
from chainatlas.errors import ChainNotFound
from chainatlas.store import schema as s
from chainatlas.store.records import fetch_rows, insert_rows, update_rows

__all__ = ["ChainWrite", "get_chain", "list_chains", "segment_row", "upsert_chain"]


@dataclass(frozen=True, slots=True)
class ChainWrite:
    """What :func:`upsert_chain` did."""

    chain_id: int
    created: bool
    updated: bool
    segments_inserted: int
    segments_updated: int
    edges_inserted: int
    edges_updated: int


def segment_row(seg: Segment, chain_id: int, order: int) -> dict[str, Any]:
    """Return the ``segments`` columns of ``seg`` (without id, parent and provenance)."""
    return {
        "chain_id": chain_id,
        "code": seg.code,
        "name_zh": seg.name_zh,
        "name_en": seg.name_en,
        "position": seg.position.value,
        "products": list(seg.products),
        "products_en": list(seg.products_en),
        "technologies": list(seg.technologies),
        "choke_point": seg.choke_point,
        "choke_technologies": list(seg.choke_technologies),
        "importance": seg.importance,
        "industry_codes": list(seg.industry_codes),
        "sort_order": order,
    }


def _changed(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in new.items() if old.get(k) != v}


def upsert_chain(conn: sa.Connection, chain: Chain, *, source: str | None = None) -> ChainWrite:
    """Insert or update a chain with its segments and edges (matched by code; idempotent).

    Segments and edges that are not in ``chain`` are left in place (they may carry
    enterprise memberships); the caller owns the transaction.
    """
    now = datetime.now(UTC)
    head = {
        "code": chain.code,
        "name_zh": chain.name_zh,
        "name_en": chain.name_en,
        "description_zh": chain.description_zh,
        "description_en": chain.description_en,
        "template_code": chain.code,
        "source": source or "template",
    }
    old = conn.execute(sa.select(s.chains).where(s.chains.c.code == chain.code)).mappings().first()
    if old is None:
        chain_id = insert_rows(conn, s.chains, [{**head, "imported_at": now}])[0]
        created = True
        updated = False
    else:
        chain_id = int(old["id"])
        created = False
        diff = _changed(head, dict(old))
        updated = bool(diff)
        if diff:
            update_rows(conn, s.chains, [{"id": chain_id, **diff, "imported_at": now}])
    order = check_acyclic(
        [seg.code for seg in chain.segments],
        [(e.supplier, e.buyer) for e in chain.edges],
        what=chain.code,
    )
    rank = {code: i for i, code in enumerate(order)}
    existing = {
        r["code"]: r for r in fetch_rows(conn, s.segments, where="chain_id", values=[chain_id])
    }
    seg_ins = seg_upd = 0
    for seg in chain.segments:
        row = segment_row(seg, chain_id, rank[seg.code])
        if seg.code in existing:
            diff = _changed(row, existing[seg.code])
            if diff:
                update_rows(conn, s.segments, [{"id": existing[seg.code]["id"], **diff}])
                seg_upd += 1
        else:
            new_id = insert_rows(
                conn, s.segments, [{**row, "source": source or "template", "imported_at": now}]
            )[0]
            existing[seg.code] = {**row, "id": new_id}
            seg_ins += 1
    ids = {code: r["id"] for code, r in existing.items()}
    for seg in chain.segments:
        parent = ids.get(seg.parent) if seg.parent else None
        if existing[seg.code].get("parent_id") != parent:
            update_rows(conn, s.segments, [{"id": ids[seg.code], "parent_id": parent}])
    old_edges = {
        (r["supplier_segment_id"], r["buyer_segment_id"]): r
        for r in fetch_rows(conn, s.segment_edges, where="chain_id", values=[chain_id])
    }
    e_ins = e_upd = 0
    for edge in chain.edges:
        key = (ids[edge.supplier], ids[edge.buyer])
        row = {"input_class": edge.input_class.value, "note": edge.note}
        if key in old_edges:
            diff = _changed(row, old_edges[key])
            if diff:
                update_rows(conn, s.segment_edges, [{"id": old_edges[key]["id"], **diff}])
                e_upd += 1
        else:
            insert_rows(
                conn,
                s.segment_edges,
                [
                    {
                        "chain_id": chain_id,
                        "supplier_segment_id": key[0],
                        "buyer_segment_id": key[1],
                        **row,
                        "source": source or "template",
                        "imported_at": now,
                    }
                ],
            )
            e_ins += 1
    return ChainWrite(
        chain_id,
        created,
        updated or bool(seg_ins or seg_upd or e_ins or e_upd),
        seg_ins,
        seg_upd,
        e_ins,
        e_upd,
    )


def list_chains(conn: sa.Connection) -> list[dict[str, Any]]:
    """Return every chain with its number of segments, ordered by code."""
    n_seg = (
        sa.select(sa.func.count())
        .where(s.segments.c.chain_id == s.chains.c.id)
        .scalar_subquery()
        .label("segments")
    )
    stmt = sa.select(s.chains.c.code, s.chains.c.name_zh, s.chains.c.name_en, n_seg).order_by(
        s.chains.c.code
    )
    return [dict(r._mapping) for r in conn.execute(stmt)]


def get_chain(conn: sa.Connection, code: str) -> Chain:
    """Read a chain with its segments and edges back as a domain object.

    Raises
    ------
    ChainNotFound
        When no chain has ``code``.
    """
    head = conn.execute(sa.select(s.chains).where(s.chains.c.code == code)).mappings().first()
    if head is None:
        known = ", ".join(r["code"] for r in list_chains(conn)) or "none"
        raise ChainNotFound(f"no chain {code!r} (chains: {known})")
    segs = fetch_rows(conn, s.segments, where="chain_id", values=[head["id"]])
    segs.sort(key=lambda r: (r["sort_order"], r["id"]))
    by_id = {r["id"]: r["code"] for r in segs}
    edges = fetch_rows(conn, s.segment_edges, where="chain_id", values=[head["id"]])
    return Chain(
        code=head["code"],
        name_zh=head["name_zh"],
        name_en=head["name_en"],
        description_zh=head["description_zh"],
        description_en=head["description_en"],
        segments=tuple(
            Segment(
                code=r["code"],
                name_zh=r["name_zh"],
                name_en=r["name_en"],
                position=Position(r["position"]),
                products=tuple(r["products"]),
                products_en=tuple(r["products_en"]),
                technologies=tuple(r["technologies"]),
                choke_point=bool(r["choke_point"]),
                choke_technologies=tuple(r["choke_technologies"]),
                importance=float(r["importance"]),
                parent=by_id.get(r["parent_id"]) if r["parent_id"] else None,
                industry_codes=tuple(r["industry_codes"]),
            )
            for r in segs
        ),
        edges=tuple(
            SegmentEdge(
                by_id[e["supplier_segment_id"]],
                by_id[e["buyer_segment_id"]],
                InputClass(e["input_class"]),
                e["note"],
            )
            for e in sorted(edges, key=lambda e: e["id"])
        ),
    )
