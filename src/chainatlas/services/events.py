"""Events and early warning: record a disruption, list who it reaches downstream.

An event disrupts a region (every enterprise located there), a foreign source (a region
abroad, optionally one product from it), an enterprise, or a product (every supply link
carrying it). :func:`event_impact` follows the supply links from the disrupted
enterprises or links to their buyers, and on through the whole downstream chain, and
lists the chains, segments, buyers and output affected, hop by hop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from chainatlas.analytics.chainmap import (
    TIER_REGION,
    Text,
    dependence_weights,
    downstream_reach,
)
from chainatlas.errors import ChainNotFound, Conflict, InvalidData, NotFound, RegionNotFound
from chainatlas.importers.parse import normalise_stock_code
from chainatlas.services._frames import LinkTable, load_enterprises, load_link_table
from chainatlas.services._scope import RegionIndex, _match_regions, resolve_scope
from chainatlas.store import analysis_reads as ar

__all__ = ["EVENT_KINDS", "EventImpact", "event_impact", "list_events", "record_event"]

EVENT_KINDS = ("region", "product", "enterprise", "foreign_source")
"""What an event can disrupt."""


def _num(x: Any) -> float | None:
    if x is None:
        return None
    f = float(x)
    return None if math.isnan(f) else f


def _region_id(conn: sa.Connection, ref: str) -> tuple[int, dict[str, Any]]:
    found = ar.find_region(conn, ref)
    if not found:
        found = _match_regions(RegionIndex.load(conn), ref)
    if not found:
        raise RegionNotFound(f"no region {ref!r} (give a region code or name)")
    if len(found) > 1:
        raise RegionNotFound(f"region {ref!r} is ambiguous; give its code")
    return int(found[0]["id"]), found[0]


def _enterprise_id(conn: sa.Connection, ref: str) -> int:
    found = ar.find_enterprises(conn, ref) or ar.find_enterprises(
        conn, normalise_stock_code(ref)[0]
    )
    if not found:
        raise NotFound(f"no enterprise {ref!r} (give its credit code, stock code or name)")
    if len(found) > 1:
        raise NotFound(f"enterprise {ref!r} is ambiguous; give its credit or stock code")
    return int(found[0]["id"])


def record_event(
    conn: sa.Connection,
    code: str,
    kind: str,
    *,
    severity: float,
    occurred_on: date,
    region: str | None = None,
    enterprise: str | None = None,
    product: str | None = None,
    ended_on: date | None = None,
    description: str = "",
    source: str = "manual",
) -> int:
    """Record a disruption and return its id (the caller owns the transaction).

    ``region`` events need a region, ``foreign_source`` events a region abroad (and
    optionally a product), ``enterprise`` events an enterprise (credit code, stock code
    or name), ``product`` events a product.

    Raises
    ------
    InvalidData
        On an unknown kind, a severity outside [0, 1] or a missing field.
    Conflict
        When an event with ``code`` exists.
    NotFound
        When the region or enterprise does not exist.
    """
    if kind not in EVENT_KINDS:
        raise InvalidData(f"event kind must be one of {', '.join(EVENT_KINDS)}, not {kind!r}")
    if not 0 <= severity <= 1:
        raise InvalidData(f"severity must be between 0 and 1, not {severity}")
    if not code.strip():
        raise InvalidData("an event needs a code")
    if ar.find_event(conn, code) is not None:
        raise Conflict(f"event {code!r} exists already")
    need = {
        "region": region,
        "foreign_source": region,
        "enterprise": enterprise,
        "product": product,
    }[kind]
    if not need:
        what = {
            "region": "--region",
            "foreign_source": "--region (abroad)",
            "enterprise": "--enterprise",
            "product": "--product",
        }[kind]
        raise InvalidData(f"a {kind} event needs {what}")
    row: dict[str, Any] = {
        "code": code,
        "kind": kind,
        "severity": float(severity),
        "occurred_on": occurred_on,
        "ended_on": ended_on,
        "description": description,
        "product": product or None,
        "source": source,
    }
    if region:
        rid, info = _region_id(conn, region)
        row["region_id"] = rid
        if kind == "foreign_source":
            regions = RegionIndex.load(conn)
            if regions.country[rid] == "CN":
                raise InvalidData(
                    f"a foreign_source event needs a region abroad; {info['code']} is in CN"
                )
    if enterprise:
        row["enterprise_id"] = _enterprise_id(conn, enterprise)
    return ar.insert_event(conn, row)


def list_events(conn: sa.Connection) -> list[dict[str, Any]]:
    """Return every recorded event, newest first."""
    return ar.events_list(conn)


@dataclass(slots=True)
class EventImpact:
    """Who an event reaches: disrupted enterprises and links, and everyone downstream."""

    event: dict[str, Any]
    region: dict[str, Any] | None
    disrupted: dict[str, int]
    totals: dict[str, dict[str, Any] | None]
    by_hop: list[dict[str, Any]]
    chains: list[dict[str, Any]]
    segments: list[dict[str, Any]]
    affected: list[dict[str, Any]]
    warnings: list[Text]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape (see docs/chain-analysis.md)."""
        return {
            "event": self.event,
            "region": self.region,
            "disrupted": self.disrupted,
            **self.totals,
            "by_hop": self.by_hop,
            "chains": self.chains,
            "segments": self.segments,
            "affected": self.affected,
            "warnings": [w.to_dict() for w in self.warnings],
        }


def _seeds(
    conn: sa.Connection,
    ev: dict[str, Any],
    links: LinkTable,
    region_of: npt.NDArray[np.int64],
    park_of: npt.NDArray[np.int64],
    regions: RegionIndex,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    n = len(region_of)
    sev = float(ev["severity"])
    node = np.zeros(n)
    link = np.zeros(len(links))
    product = (ev.get("product") or "").strip()
    match = np.zeros(len(links), dtype=bool)
    if product:
        key = product.casefold()
        codes = [i for i, p in enumerate(links.products) if p.strip().casefold() == key]
        match = np.isin(links.product, codes)
        seg_ids = [
            sid
            for sid, _c, zh, en in ar.segment_products(conn)
            if key in {p.casefold() for p in (*zh, *en)}
        ]
        if seg_ids:
            match |= np.isin(links.segment, seg_ids)
    if ev["kind"] in {"region", "foreign_source"} and ev.get("region_id") is not None:
        inside = regions.subtree([int(ev["region_id"])])
        hit = inside[region_of] | inside[park_of]
        if product:
            link = np.where(hit[links.supplier] & match, sev, 0.0)
        else:
            node = np.where(hit, sev, 0.0)
    elif ev["kind"] == "enterprise" and ev.get("enterprise_id") is not None:
        eid = int(ev["enterprise_id"])
        if product:
            link = np.where((links.supplier == eid) & match, sev, 0.0)
        elif eid < n:
            node[eid] = sev
    elif ev["kind"] == "product":
        link = np.where(match, sev, 0.0)
    node[-1] = 0.0
    return node, link


def event_impact(
    conn: sa.Connection,
    code: str,
    *,
    region: str | None = None,
    chain: str | None = None,
    max_hops: int | None = None,
    limit: int | None = None,
) -> EventImpact:
    """List the chains, segments, buyers and output an event reaches, hop by hop.

    The disruption follows the supply links valid on the event date from the disrupted
    enterprises (hop 0) to their buyers (hop 1) and on downstream (see
    :func:`~chainatlas.analytics.chainmap.downstream_reach`). ``region`` marks the local
    buyers; ``chain`` limits the links to one chain; ``max_hops`` stops early (default:
    the whole downstream chain); ``limit`` caps the listed enterprises (totals count all).

    Raises
    ------
    NotFound
        When there is no event ``code`` (or no such chain / region).
    """
    ev = ar.find_event(conn, code)
    if ev is None:
        known = ", ".join(e["code"] for e in ar.events_list(conn)[:8]) or "none"
        raise NotFound(f"no event {code!r} (events: {known})")
    chain_id = None
    if chain is not None:
        head = ar.find_chain(conn, chain)
        if head is None:
            raise ChainNotFound(f"no chain {chain!r}")
        chain_id = int(head["id"])
    regions = RegionIndex.load(conn)
    scope = resolve_scope(conn, regions, region) if region is not None else None
    on = ev["occurred_on"]
    day = on if isinstance(on, date) else date.fromisoformat(str(on))
    links = load_link_table(conn, chain_id=chain_id, as_of=day)
    year = ar.latest_output_year(conn)
    ents = load_enterprises(conn, year)
    keep = (links.supplier < ents.size) & (links.buyer < ents.size)
    links = links.take(keep)
    node, link = _seeds(conn, ev, links, ents.region, ents.park, regions)
    n = ents.size + 1
    w = dependence_weights(links.buyer, links.value, links.share, n)
    reach = downstream_reach(links.supplier, links.buyer, w, node, link, max_hops=max_hops)
    warnings: list[Text] = []
    hit_links = int(((link > 0) | (node[links.supplier] > 0)).sum())
    disrupted = {"enterprises": int((reach.hop == 0).sum()), "links": hit_links}
    if disrupted["enterprises"] == 0 and hit_links == 0:
        warnings.append(
            Text(
                "event_no_match",
                "该事件没有命中数据中的任何企业或供应关系。",
                "The event matches no enterprise or supply link in the data.",
            )
        )
    aff = np.flatnonzero(reach.hop >= 1)
    tiers = (
        scope.tiers(ents.region[aff], ents.park[aff])
        if scope is not None
        else np.full(len(aff), -1)
    )
    out = np.nan_to_num(ents.output[aff], nan=0.0)
    order = np.lexsort((aff, -out, reach.hop[aff]))
    aff, tiers, out = aff[order], tiers[order], out[order]
    # memberships of affected enterprises, for chains and segments
    mem = ar.chain_memberships(conn)
    seg_rows = {r["id"]: r for r in ar.segment_index(conn)}
    chain_rows = {r["id"]: r for r in ar.chain_rows(conn)}
    is_aff = np.zeros(n, dtype=bool)
    is_aff[aff] = True
    m_keep = (mem["enterprise_id"] < n - 1) & is_aff[np.minimum(mem["enterprise_id"], n - 1)]
    m_ent, m_seg = mem["enterprise_id"][m_keep], mem["segment_id"][m_keep]
    if chain_id is not None:
        in_chain = np.array([seg_rows[int(s)]["chain_id"] == chain_id for s in m_seg], dtype=bool)
        m_ent, m_seg = m_ent[in_chain], m_seg[in_chain]
    segs_of: dict[int, list[str]] = {}
    seg_agg: dict[int, dict[str, Any]] = {}
    chain_agg: dict[int, dict[str, Any]] = {}
    local_of = dict(zip(aff.tolist(), (tiers == TIER_REGION).tolist(), strict=True))
    for e, sid in zip(m_ent.tolist(), m_seg.tolist(), strict=True):
        srow = seg_rows[sid]
        crow = chain_rows[srow["chain_id"]]
        segs_of.setdefault(e, []).append(f"{crow['code']}/{srow['code']}")
        for agg, key, base in (
            (
                seg_agg,
                sid,
                {
                    "chain": crow["code"],
                    "segment": srow["code"],
                    "name": srow["name_zh"],
                    "name_en": srow["name_en"],
                },
            ),
            (
                chain_agg,
                srow["chain_id"],
                {"chain": crow["code"], "name": crow["name_zh"], "name_en": crow["name_en"]},
            ),
        ):
            a = agg.setdefault(
                key,
                {**base, "enterprises": set(), "local": set(), "first_hop": 10**9, "output": 0.0},
            )
            if e not in a["enterprises"]:
                a["enterprises"].add(e)
                a["output"] += float(np.nan_to_num(ents.output[e]))
                if local_of.get(e):
                    a["local"].add(e)
            a["first_hop"] = min(a["first_hop"], int(reach.hop[e]))

    def finish(agg: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
        rows = []
        for a in agg.values():
            rows.append(
                {
                    **{k: v for k, v in a.items() if k not in {"enterprises", "local"}},
                    "enterprises": len(a["enterprises"]),
                    "local_enterprises": len(a["local"]) if scope is not None else None,
                }
            )
        rows.sort(key=lambda r: (r["first_hop"], -r["output"], r["chain"]))
        return rows

    by_hop = []
    for h in range(1, int(reach.hop.max(initial=0)) + 1):
        at = reach.hop[aff] == h
        by_hop.append(
            {
                "hop": h,
                "enterprises": int(at.sum()),
                "local_enterprises": int((at & (tiers == TIER_REGION)).sum())
                if scope is not None
                else None,
                "output": float(out[at].sum()),
                "output_at_risk": float((out * reach.loss[aff])[at].sum()),
            }
        )

    def total(mask: npt.NDArray[np.bool_]) -> dict[str, Any]:
        return {
            "enterprises": int(mask.sum()),
            "output": float(out[mask].sum()),
            "output_at_risk": float((out * reach.loss[aff])[mask].sum()),
        }

    first = reach.hop[aff] == 1
    is_local = tiers == TIER_REGION
    totals: dict[str, dict[str, Any] | None] = {
        "one_hop": total(first),
        "downstream": total(np.ones(len(aff), dtype=bool)),
        "local_one_hop": total(first & is_local) if scope is not None else None,
        "local_downstream": total(is_local) if scope is not None else None,
    }
    shown = aff if limit is None else aff[:limit]
    labels = ar.enterprise_labels(conn, shown)
    via_sup = {int(e): int(links.supplier[reach.via[e]]) for e in shown if reach.via[e] >= 0}
    affected = []
    for i, e in enumerate(shown.tolist()):
        lab = labels.get(e, {})
        v = int(reach.via[e])
        affected.append(
            {
                "id": e,
                "name": lab.get("name", f"#{e}"),
                "region": lab.get("region_code"),
                "hop": int(reach.hop[e]),
                "loss": _num(reach.loss[e]),
                "output": _num(ents.output[e]),
                "output_at_risk": _num(ents.output[e] * reach.loss[e]),
                "local": bool(tiers[i] == TIER_REGION) if scope is not None else False,
                "segments": sorted(segs_of.get(e, [])),
                "via": {"link_id": int(links.id[v]), "supplier_id": via_sup[e]} if v >= 0 else None,
            }
        )
    event = {
        k: (v.isoformat() if isinstance(v, date) else v)
        for k, v in ev.items()
        if k not in {"imported_at"}
    }
    return EventImpact(
        event=event,
        region=scope.to_dict() if scope is not None else None,
        disrupted=disrupted,
        totals=totals,
        by_hop=by_hop,
        chains=finish(chain_agg),
        segments=finish(seg_agg),
        affected=affected,
        warnings=warnings,
    )
