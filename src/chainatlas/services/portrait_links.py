"""An enterprise's partners, supply risk points, chain-owner span and events, for portraits.

Risk points (a documented simple list, firm-level):

- ``single_source`` — an input (product, or segment when the product is blank) the firm
  buys from exactly one supplier: one failure stops that input.
- ``concentrated`` — an input with two or more suppliers where the largest supplies 80%
  or more of the known value.
- ``sole_supplier`` — the firm is the only supplier of a product to a buyer: its own
  disruption would break that buyer's input (the risk the firm poses to the chain).
- ``event`` — a recorded disruption that hit the firm, one of its suppliers, or a region
  they are in (see ``chainatlas events``).

Chain owner (链主) span: per chain, the distinct segments of the links it buys through
plus the primary segments of its buyers, as in
:func:`chainatlas.analytics.chainmap.chain_owner_spans`; a span of at least
``StrengthThresholds.owner_min_segments`` (3) marks a chain owner.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from chainatlas.analytics.chainmap import StrengthThresholds
from chainatlas.store import analysis_reads as ar
from chainatlas.store import schema as s
from chainatlas.store import schema_activity as sa_
from chainatlas.store.records import fetch_rows

__all__ = ["CONCENTRATED_SHARE", "chain_spans", "event_hits", "partners", "risk_points"]

CONCENTRATED_SHARE = 0.8
"""Share of an input's value from its largest supplier that makes the input concentrated."""

_LINK_COLUMNS = ["supplier_id", "buyer_id", "product", "segment_id", "annual_value", "share"]


def _links(conn: sa.Connection, eid: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    t = s.supply_links
    ins = fetch_rows(conn, t, _LINK_COLUMNS, where="buyer_id", values=[eid])
    outs = fetch_rows(conn, t, _LINK_COLUMNS, where="supplier_id", values=[eid])
    return ins, outs


def _side(
    links: list[dict[str, Any]], key: str, labels: dict[int, dict[str, Any]], top: int
) -> dict[str, Any]:
    per: dict[int, dict[str, Any]] = {}
    for link in links:
        other = int(link[key])
        row = per.setdefault(other, {"value": 0.0, "valued": False, "products": []})
        if link["annual_value"] is not None:
            row["value"] += float(link["annual_value"])
            row["valued"] = True
        if link["product"]:
            row["products"].append(str(link["product"]))
    total = sum(r["value"] for r in per.values() if r["valued"])
    items: list[dict[str, Any]] = []
    for other, r in per.items():
        lab = labels.get(other, {})
        items.append(
            {
                "id": other,
                "name": lab.get("name"),
                "region": lab.get("region_code"),
                "region_name": lab.get("region_name"),
                "products": sorted(set(r["products"])),
                "annual_value": r["value"] if r["valued"] else None,
                "share_of_value": (r["value"] / total) if r["valued"] and total > 0 else None,
            }
        )
    items.sort(key=lambda x: (x["annual_value"] is None, -float(x["annual_value"] or 0.0), x["id"]))
    return {
        "count": len(per),
        "links": len(links),
        "total_value": total if any(r["valued"] for r in per.values()) else None,
        "top": items[:top],
    }


def partners(conn: sa.Connection, eid: int, *, top: int = 10) -> dict[str, dict[str, Any]]:
    """Return suppliers and customers: counts, total value and the top ``top`` by value."""
    ins, outs = _links(conn, eid)
    ids = {int(r["supplier_id"]) for r in ins} | {int(r["buyer_id"]) for r in outs}
    labels = ar.enterprise_labels(conn, sorted(ids)) if ids else {}
    return {
        "suppliers": _side(ins, "supplier_id", labels, top),
        "customers": _side(outs, "buyer_id", labels, top),
    }


def _input_name(link: dict[str, Any], segments: dict[int, dict[str, Any]]) -> str:
    if link["product"]:
        return str(link["product"])
    seg = segments.get(int(link["segment_id"])) if link["segment_id"] is not None else None
    return f"segment {seg['code']}" if seg else "unspecified input"


def risk_points(conn: sa.Connection, eid: int) -> list[dict[str, Any]]:
    """Return the firm's single-source and concentrated inputs and sole-supplier roles."""
    ins, outs = _links(conn, eid)
    segments = {int(r["id"]): r for r in ar.segment_index(conn)}
    ids = {int(r["supplier_id"]) for r in ins} | {int(r["buyer_id"]) for r in outs}
    labels = ar.enterprise_labels(conn, sorted(ids)) if ids else {}
    by_input: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for link in ins:
        by_input[_input_name(link, segments)].append(link)
    points: list[dict[str, Any]] = []
    for name, links in sorted(by_input.items()):
        sups = {int(x["supplier_id"]) for x in links}
        if len(sups) == 1:
            sup = next(iter(sups))
            who = labels.get(sup, {}).get("name") or str(sup)
            points.append(
                {
                    "kind": "single_source",
                    "input": name,
                    "counterpart": {"id": sup, "name": labels.get(sup, {}).get("name")},
                    "reason": f"{name}: bought from one supplier only ({who})",
                    "reason_zh": f"{name}：仅有一家供应商（{who}）",
                }
            )
            continue
        values: dict[int, float] = defaultdict(float)
        for x in links:
            if x["annual_value"] is not None:
                values[int(x["supplier_id"])] += float(x["annual_value"])
        total = sum(values.values())
        if total > 0:
            sup, big = max(values.items(), key=lambda kv: (kv[1], -kv[0]))
            share = big / total
            if share >= CONCENTRATED_SHARE:
                who = labels.get(sup, {}).get("name") or str(sup)
                points.append(
                    {
                        "kind": "concentrated",
                        "input": name,
                        "counterpart": {"id": sup, "name": labels.get(sup, {}).get("name")},
                        "share": share,
                        "reason": f"{name}: {share:.0%} of the value from one of "
                        f"{len(sups)} suppliers ({who})",
                        "reason_zh": f"{name}：{share:.0%}采购额来自{who}（共{len(sups)}家供应商）",
                    }
                )
    points.extend(_sole_supplier(conn, eid, outs, segments, labels))
    return points


def _sole_supplier(
    conn: sa.Connection,
    eid: int,
    outs: list[dict[str, Any]],
    segments: dict[int, dict[str, Any]],
    labels: dict[int, dict[str, Any]],
) -> list[dict[str, Any]]:
    buyers = sorted({int(x["buyer_id"]) for x in outs})
    if not buyers:
        return []
    theirs = fetch_rows(conn, s.supply_links, _LINK_COLUMNS, where="buyer_id", values=buyers)
    suppliers: dict[tuple[int, str], set[int]] = defaultdict(set)
    for x in theirs:
        suppliers[(int(x["buyer_id"]), _input_name(x, segments))].add(int(x["supplier_id"]))
    sole: dict[str, list[int]] = defaultdict(list)
    for (buyer, name), sups in suppliers.items():
        if sups == {eid}:
            sole[name].append(buyer)
    out = []
    for name, who in sorted(sole.items()):
        names = [labels.get(b, {}).get("name") or str(b) for b in sorted(who)]
        out.append(
            {
                "kind": "sole_supplier",
                "input": name,
                "buyers": [{"id": b, "name": labels.get(b, {}).get("name")} for b in sorted(who)],
                "reason": f"only supplier of {name} to {len(who)} buyer(s): {', '.join(names[:5])}",
                "reason_zh": f"是{len(who)}家客户{name}的唯一供应商",
            }
        )
    return out


def event_hits(conn: sa.Connection, eid: int, region_ids: set[int]) -> list[dict[str, Any]]:
    """Return recorded events that hit the firm, a supplier, or a region either is in.

    ``region_ids`` are the firm's region and its ancestors.
    """
    ins, _ = _links(conn, eid)
    sups = {int(x["supplier_id"]) for x in ins}
    events = fetch_rows(conn, sa_.events, order_by="occurred_on")
    if not events:
        return []
    ent = s.enterprises
    sup_regions: dict[int, int] = {
        int(r["id"]): int(r["region_id"])
        for r in fetch_rows(conn, ent, ["id", "region_id"], where="id", values=sorted(sups))
        if r["region_id"] is not None
    }
    parents = {int(r["id"]): r["parent_id"] for r in ar.region_rows(conn)}

    def up(rid: int) -> set[int]:
        out: set[int] = set()
        cur: int | None = rid
        while cur is not None and cur not in out:
            out.add(cur)
            nxt = parents.get(cur)
            cur = None if nxt is None else int(nxt)
        return out

    sup_up = {sid: up(rid) for sid, rid in sup_regions.items()}
    hits = []
    for ev in events:
        why = ""
        if ev["enterprise_id"] == eid:
            why = "the enterprise itself"
        elif ev["enterprise_id"] in sups:
            why = "a supplier"
        elif ev["region_id"] is not None and int(ev["region_id"]) in region_ids:
            why = "the enterprise's region"
        elif ev["region_id"] is not None and any(
            int(ev["region_id"]) in u for u in sup_up.values()
        ):
            why = "a supplier's region"
        if why:
            hits.append(
                {
                    "kind": "event",
                    "code": ev["code"],
                    "event_kind": ev["kind"],
                    "severity": ev["severity"],
                    "occurred_on": str(ev["occurred_on"]),
                    "reason": f"event {ev['code']} hit {why}",
                    "reason_zh": f"事件{ev['code']}影响{_WHY_ZH[why]}",
                }
            )
    return hits


_WHY_ZH = {
    "the enterprise itself": "本企业",
    "a supplier": "其供应商",
    "the enterprise's region": "本企业所在地区",
    "a supplier's region": "其供应商所在地区",
}


def chain_spans(conn: sa.Connection, eid: int) -> dict[str, int]:
    """Return, per chain code, the distinct segments the firm's inputs and buyers work in."""
    ins, outs = _links(conn, eid)
    segs = {int(r["id"]): r for r in ar.segment_index(conn)}
    chains = {int(r["id"]): str(r["code"]) for r in ar.chain_rows(conn)}
    spans: dict[str, set[int]] = defaultdict(set)
    for x in ins:
        if x["segment_id"] is not None and int(x["segment_id"]) in segs:
            seg = segs[int(x["segment_id"])]
            spans[chains[int(seg["chain_id"])]].add(int(seg["id"]))
    buyers = sorted({int(x["buyer_id"]) for x in outs})
    mem = fetch_rows(
        conn,
        s.enterprise_segments,
        ["enterprise_id", "segment_id", "revenue_share"],
        where="enterprise_id",
        values=buyers,
    )
    primary: dict[tuple[int, str], tuple[float, int]] = {}
    for m in mem:
        found = segs.get(int(m["segment_id"]))
        if found is None:
            continue
        seg = found
        key = (int(m["enterprise_id"]), chains[int(seg["chain_id"])])
        share = -1.0 if m["revenue_share"] is None else float(m["revenue_share"])
        best = primary.get(key)
        if best is None or (share, -int(seg["id"])) > (best[0], -best[1]):
            primary[key] = (share, int(seg["id"]))
    for (_buyer, chain), (_share, seg_id) in primary.items():
        spans[chain].add(seg_id)
    return {chain: len(v) for chain, v in sorted(spans.items())}


def owner_min_segments() -> int:
    """Return the span that marks a chain owner (``StrengthThresholds.owner_min_segments``)."""
    return StrengthThresholds().owner_min_segments
