"""What the chain, segment and risk pages show, cut from a chain report per user.

The chain report (:func:`chainatlas.services.chain_report.chain_report`) is computed
once per chain and region and cached by the web app; these functions cut from it what
one page shows and what the signed-in user may see.

What an enterprise user sees (the rule of docs/web.md): the chain graph, the scorecard,
segment figures (enterprise counts, output, LQ, status and its reason) and segment-level
risk points with their reasons — aggregates only. Other firms' names never appear:
segment leaders, key enterprises, risk points of other buyers, alternative suppliers,
attraction targets and supplier lists are left out; only its own enterprise is named
where it belongs. Admins, viewers and analysts (for regions in their scope) see the whole
report.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from chainatlas.errors import NotFound
from chainatlas.services.chain_report import ChainReport
from chainatlas.services.principals import Principal, region_subtree
from chainatlas.services.supply_risk import RiskPoint
from chainatlas.store import analysis_reads as ar
from chainatlas.store.schema import enterprises, regions, supply_links

__all__ = [
    "LEVELS",
    "chain_view",
    "redacted_for",
    "SEGMENT_RISKS",
    "risk_rows",
    "segment_view",
    "visible_positions",
]

LEVELS: tuple[str, ...] = ("high", "medium", "low")
"""Risk levels, worst first."""

_SUPPLIER_ROWS = 30
SEGMENT_RISKS = 200
"""The most risk points a segment page lists (worst first; the risk list has them all)."""
SEGMENT_MEMBERS = 100
"""The most local enterprises a segment page lists (largest output first)."""


def redacted_for(principal: Principal) -> bool:
    """Return whether ``principal`` sees only aggregates of other firms (enterprise users)."""
    return principal.role == "enterprise"


def _own(principal: Principal, enterprise_id: Any) -> bool:
    return principal.enterprise_id is not None and enterprise_id == principal.enterprise_id


def visible_positions(
    report: ChainReport,
    principal: Principal,
    *,
    level: str | None = None,
    segment: str | None = None,
) -> npt.NDArray[np.int64]:
    """Return the rank positions of the risk points ``principal`` may see, worst first.

    Enterprise users see segment-level points and their own enterprise's, no others.
    ``level`` and ``segment`` (a segment code) narrow the list.
    """
    risk = report.risk
    found = risk.positions(level=level, segment=segment)
    if not redacted_for(principal):
        return found
    own = risk.positions(level=level, segment=segment, scope="segment")
    if principal.enterprise_id is not None:
        mine = risk.positions(level=level, segment=segment, buyer=principal.enterprise_id)
        own = np.union1d(own, mine)
    return own.astype(np.int64)


def _risk_row(r: RiskPoint, report: ChainReport, principal: Principal) -> dict[str, Any]:
    hide = redacted_for(principal)
    m = r.measures
    return {
        "id": r.id,
        "chain": str(report.profile.chain["code"]),
        "region": str(report.profile.region["code"]),
        "level": r.level,
        "score": float(r.score),
        "scope": r.scope,
        "segment": r.segment,
        "segment_name": r.segment_name,
        "segment_name_en": r.segment_name_en,
        "product": r.product,
        "buyer": None
        if r.buyer is None
        else {"id": int(r.buyer["id"]), "name": str(r.buyer["name"])},
        "reasons": [t.to_dict() for t in r.reasons],
        "measures": {
            "suppliers": int(m["suppliers"]),
            "hhi": m["hhi"],
            "outside_share": m["outside_share"],
            "foreign_share": m["foreign_share"],
            "geo_hhi": m["geo_hhi"],
            "exposure": m["exposure"],
        },
        "countermeasures": [
            {
                "kind": c.kind,
                "zh": "" if hide else c.text.zh,
                "en": "" if hide else c.text.en,
                "targets": []
                if hide
                else [{"id": int(t["id"]), "name": str(t["name"])} for t in c.targets],
            }
            for c in r.countermeasures
        ],
    }


def risk_rows(
    conn: sa.Connection,
    report: ChainReport,
    principal: Principal,
    positions: npt.NDArray[np.int64] | None = None,
    *,
    level: str | None = None,
    segment: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Return the report's risk points that ``principal`` may see, worst first.

    ``positions`` (from :func:`visible_positions`) picks the points; otherwise ``level``
    (``high``, ``medium`` or ``low``) and ``segment`` filter them. ``offset`` and ``limit``
    cut one page; only the points of that page are made (see
    :meth:`~chainatlas.services.supply_risk.RiskAnalysis.select`).
    """
    if positions is None:
        positions = visible_positions(report, principal, level=level, segment=segment)
    points = report.risk.select(conn, positions, offset=offset, limit=limit)
    return [_risk_row(r, report, principal) for r in points]


def _segments(report: ChainReport, principal: Principal) -> list[dict[str, Any]]:
    hide = redacted_for(principal)
    out = []
    for s in report.profile.segments:
        leaders = [
            {"id": int(x["id"]), "name": str(x["name"]), "output": x["output"]}
            for x in s.leaders
            if not hide or _own(principal, x["id"])
        ]
        out.append(
            {
                "id": s.id,
                "name": s.name,
                "name_en": s.name_en,
                "position": s.position,
                "importance": float(s.importance),
                "choke_point": bool(s.choke_point),
                "enterprises": int(s.enterprises),
                "output": s.output,
                "share": s.share,
                "lq": s.lq,
                "growth": s.growth,
                "status": s.status,
                "reason": s.reason.to_dict(),
                "leaders": leaders,
            }
        )
    return out


def _head(report: ChainReport) -> dict[str, Any]:
    p = report.profile
    return {
        "chain": {
            "code": str(p.chain["code"]),
            "name_zh": str(p.chain["name_zh"]),
            "name_en": str(p.chain["name_en"] or ""),
        },
        "region": {
            "code": str(p.region["code"]),
            "name": str(p.region["name"]),
            "name_en": str(p.region.get("name_en") or ""),
        },
        "year": p.year,
        "basis": p.basis,
        "reference": str(p.reference),
    }


def chain_view(
    conn: sa.Connection, report: ChainReport, principal: Principal, *, risk_limit: int = 20
) -> dict[str, Any]:
    """Return the chain page: graph, scorecard, segments, lists and the worst risk points.

    ``risk_limit`` caps the risk points listed (the summary counts all of them).
    """
    hide = redacted_for(principal)
    sc = report.profile.scorecard
    scorecard = {
        "segments": int(sc["segments"]),
        "strong": int(sc["strong"]),
        "present": int(sc["present"]),
        "weak": int(sc["weak"]),
        "missing": int(sc["missing"]),
        "completeness": sc["completeness"],
        "score": sc["score"],
        "local_enterprises": int(sc["local_enterprises"]),
        "chain_owners": int(sc["chain_owners"]),
    }
    summary = report.risk.summary
    visible = visible_positions(report, principal)
    risks = risk_rows(conn, report, principal, visible, limit=risk_limit)
    by_segment = {s.id: s for s in report.profile.segments}
    gaps = [
        {
            "segment": g["segment"],
            "name": g["name"],
            "name_en": g["name_en"],
            "status": g["status"],
            "importance": float(g["importance"]),
            "choke_point": bool(g["choke_point"]),
            "enterprises": int(g["enterprises"]),
            "lq": g["lq"],
            "zh": by_segment[g["segment"]].reason.zh if hide else g["zh"],
            "en": by_segment[g["segment"]].reason.en if hide else g["en"],
            "targets": []
            if hide
            else [{"id": int(t["id"]), "name": str(t["name"])} for t in g["targets"]],
        }
        for g in report.gaps
    ]
    key = [
        {
            "id": int(k["id"]),
            "name": str(k["name"]),
            "role": str(k["role"]),
            "segment": str(k["segment"]),
            "output": k["output"],
        }
        for k in report.key_enterprises
        if not hide or _own(principal, k["id"])
    ]
    measures = [
        {
            "rank": int(c["rank"]),
            "kind": str(c["kind"]),
            "segment": str(c["segment"]),
            "level": str(c["level"]),
            "risk_points": int(c["risk_points"]),
            "zh": str(c["zh"]),
            "en": str(c["en"]),
        }
        for c in report.countermeasures[:15]
    ]
    return {
        **_head(report),
        "redacted": hide,
        "scorecard": scorecard,
        "risk_summary": {k: int(summary[k]) for k in ("points", "high", "medium", "low")},
        "graph": {
            "nodes": [
                {
                    "id": str(n["id"]),
                    "name": str(n["name"]),
                    "name_en": str(n["name_en"] or ""),
                    "position": str(n["position"]),
                    "order": int(n["order"]),
                    "status": str(n["status"]),
                    "risk": str(n["risk"]),
                    "enterprises": int(n["enterprises"]),
                    "output": n["output"],
                    "lq": n["lq"],
                    "choke_point": bool(n["choke_point"]),
                }
                for n in report.graph["nodes"]
            ],
            "edges": [
                {
                    "source": str(e["source"]),
                    "target": str(e["target"]),
                    "input_class": str(e["input_class"]),
                    "links": int(e["links"]),
                    "local_value": float(e["local_value"]),
                }
                for e in report.graph["edges"]
            ],
        },
        "segments": _segments(report, principal),
        "key_enterprises": key,
        "gaps": gaps,
        "countermeasures": [] if hide else measures,
        "risks": risks,
        "risks_visible": len(visible),
        "warnings": [w.to_dict() for w in report.profile.warnings],
    }


def _area(conn: sa.Connection, code: str) -> frozenset[int]:
    found = ar.find_region(conn, code)
    if found:
        return region_subtree(conn, [int(found[0]["id"])])
    group = ar.find_region_group(conn, code)
    return region_subtree(conn, group["members"] if group else [])


def _suppliers(conn: sa.Connection, segment_id: int, area: frozenset[int]) -> dict[str, Any]:
    """Suppliers of the segment's products to buyers located in the area, inside vs outside."""
    e_sup = enterprises.alias("sup")
    e_buy = enterprises.alias("buy")
    wanted = sorted(area)
    buyer_local = sa.or_(e_buy.c.region_id.in_(wanted), e_buy.c.park_id.in_(wanted))
    sup_local = sa.or_(e_sup.c.region_id.in_(wanted), e_sup.c.park_id.in_(wanted))
    sl = supply_links
    rows = conn.execute(
        sa.select(
            e_sup.c.id,
            e_sup.c.name,
            regions.c.code.label("region"),
            regions.c.name_zh.label("region_name"),
            regions.c.name_en.label("region_name_en"),
            sa.case((sup_local, 1), else_=0).label("local"),
            sa.func.count().label("links"),
            sa.func.sum(sl.c.annual_value).label("value"),
        )
        .select_from(
            sl.join(e_buy, e_buy.c.id == sl.c.buyer_id)
            .join(e_sup, e_sup.c.id == sl.c.supplier_id)
            .outerjoin(regions, regions.c.id == e_sup.c.region_id)
        )
        .where(sl.c.segment_id == segment_id)
        .where(buyer_local)
        .group_by(
            e_sup.c.id,
            e_sup.c.name,
            regions.c.code,
            regions.c.name_zh,
            regions.c.name_en,
            sup_local,
        )
    ).all()
    sides: dict[str, dict[str, Any]] = {}
    for side, flag in (("inside", 1), ("outside", 0)):
        mine = [r for r in rows if int(r.local) == flag]
        mine.sort(key=lambda r: (-(r.value or 0.0), int(r.id)))
        sides[side] = {
            "count": len(mine),
            "links": sum(int(r.links) for r in mine),
            "value": float(sum(float(r.value or 0.0) for r in mine)),
            "top": [
                {
                    "id": int(r.id),
                    "name": str(r.name),
                    "region": r.region,
                    "region_name": r.region_name,
                    "region_name_en": r.region_name_en,
                    "links": int(r.links),
                    "value": None if r.value is None else float(r.value),
                }
                for r in mine[:_SUPPLIER_ROWS]
            ],
        }
    return sides


def _members(
    conn: sa.Connection, report: ChainReport, ids: tuple[int, ...]
) -> list[dict[str, Any]]:
    """Return the largest :data:`SEGMENT_MEMBERS` of ``ids`` by output, named."""
    if not ids:
        return []
    arr = np.asarray(ids, dtype=np.int64)
    # the analysis holds every member's output of the report's year
    known = report.risk.source.ctx.ents.output
    out = np.where(arr < len(known), known[np.minimum(arr, len(known) - 1)], np.nan)
    order = np.lexsort((arr, -np.nan_to_num(out, nan=-np.inf)))[:SEGMENT_MEMBERS]
    top = [int(i) for i in arr[order]]
    labels = ar.enterprise_labels(conn, top)
    return [
        {
            "id": i,
            "name": str(labels.get(i, {}).get("name", i)),
            "region": labels.get(i, {}).get("region_code"),
            "region_name": labels.get(i, {}).get("region_name"),
            "output": None if np.isnan(out[k]) else float(out[k]),
        }
        for i, k in zip(top, order, strict=True)
    ]


def _refs(report: ChainReport, codes: set[str]) -> list[dict[str, str]]:
    return [
        {"id": s.id, "name": s.name, "name_en": s.name_en}
        for s in report.profile.segments
        if s.id in codes
    ]


def segment_view(
    conn: sa.Connection, report: ChainReport, principal: Principal, segment: str
) -> dict[str, Any]:
    """Return the segment page: figures, local enterprises, suppliers, risk points.

    Suppliers are the firms selling the segment's products to buyers located in the
    region, split into inside and outside the region (value and links summed per
    supplier). Enterprise users get the counts and values but no names but their own.

    Raises
    ------
    NotFound
        When the chain has no segment ``segment``.
    """
    found = [s for s in report.profile.segments if s.id == segment]
    if not found:
        codes = ", ".join(s.id for s in report.profile.segments[:8])
        raise NotFound(
            f"chain {report.profile.chain['code']} has no segment {segment!r} (e.g. {codes})"
        )
    seg = found[0]
    hide = redacted_for(principal)
    row = next(r for r in _segments(report, principal) if r["id"] == segment)
    area = _area(conn, str(report.profile.region["code"]))
    visible = visible_positions(report, principal, segment=segment)
    member_ids = seg.enterprise_ids
    if hide:
        member_ids = tuple(i for i in member_ids if _own(principal, i))
    members = _members(conn, report, member_ids)
    suppliers = _suppliers(conn, seg.segment_id, area)
    if hide:
        for side in suppliers.values():
            side["top"] = [t for t in side["top"] if _own(principal, t["id"])]
    node = next(n for n in report.graph["nodes"] if n["id"] == segment)
    edges = report.graph["edges"]
    return {
        **_head(report),
        "redacted": hide,
        "segment": {
            **row,
            "products": list(seg.products),
            "choke_technologies": list(seg.choke_technologies),
            "risk": str(node["risk"]),
            "upstream": _refs(report, {str(e["source"]) for e in edges if e["target"] == segment}),
            "downstream": _refs(
                report, {str(e["target"]) for e in edges if e["source"] == segment}
            ),
        },
        "enterprises": members,
        "suppliers": suppliers,
        "risks": risk_rows(conn, report, principal, visible, limit=SEGMENT_RISKS),
        "risks_visible": len(visible),
    }
