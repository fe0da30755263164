"""The enterprise portrait (企业画像): one page and one JSON per enterprise.

``portrait(conn, "91330106...")`` returns a :class:`Portrait`: profile, yearly trends,
life-cycle stage with its reason (:mod:`chainatlas.domain.lifecycle`), tags (high-tech,
专精特新 level, listed, chain owner, hidden champion), chain positions, suppliers and
customers, risk points (:mod:`chainatlas.services.portrait_links`), matched policies
(:func:`chainatlas.services.policies.check_enterprise`) and docking needs and leads.

Hidden champion (隐形冠军) rule: the tag ``hidden_champion``, or all of: not listed,
national 专精特新 "little giant" (``srdi_level`` national) and an R&D intensity of 5% or
more in the latest year. The JSON shape is documented in ``docs/portrait.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from chainatlas.domain.lifecycle import lifecycle_stage
from chainatlas.domain.policy_eval import fmt_value
from chainatlas.domain.policy_rules import FIELDS
from chainatlas.services.enterprise_attrs import load_attributes, resolve_enterprise
from chainatlas.services.policies import check_enterprise
from chainatlas.services.portrait_links import (
    chain_spans,
    event_hits,
    owner_min_segments,
    partners,
    risk_points,
)
from chainatlas.store import analysis_reads as ar
from chainatlas.store import schema as s
from chainatlas.store import schema_activity as sa_
from chainatlas.store.records import fetch_rows

__all__ = ["HIDDEN_CHAMPION_RD", "Portrait", "portrait"]

HIDDEN_CHAMPION_RD = 0.05
"""Least latest-year R&D intensity of a hidden champion."""

_YEAR_FIELDS = ("output_value", "revenue", "employees", "rd_spend", "patents", "tax", "energy_use")


def _num(x: Any) -> float | None:
    if x is None:
        return None
    f = float(x)
    return None if math.isnan(f) or math.isinf(f) else f


@dataclass(slots=True)
class Portrait:
    """Everything ChainAtlas knows about one enterprise, ready for a page or JSON."""

    profile: dict[str, Any]
    trends: list[dict[str, Any]]
    lifecycle: dict[str, Any]
    tags: dict[str, Any]
    chain_positions: list[dict[str, Any]]
    suppliers: dict[str, Any]
    customers: dict[str, Any]
    risks: list[dict[str, Any]]
    policies: dict[str, Any]
    docking: dict[str, Any]
    on: date

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape (see docs/portrait.md)."""
        return {
            "on": self.on.isoformat(),
            "profile": self.profile,
            "trends": self.trends,
            "lifecycle": self.lifecycle,
            "tags": self.tags,
            "chain_positions": self.chain_positions,
            "suppliers": self.suppliers,
            "customers": self.customers,
            "risks": self.risks,
            "policies": self.policies,
            "docking": self.docking,
        }


def _profile(conn: sa.Connection, eid: int, age: float | None) -> tuple[dict[str, Any], set[int]]:
    row = fetch_rows(conn, s.enterprises, where="id", values=[eid])[0]
    regions = {int(r["id"]): r for r in ar.region_rows(conn)}
    path: list[dict[str, Any]] = []
    seen: set[int] = set()
    cur = row["region_id"]
    while cur is not None and int(cur) in regions and int(cur) not in seen:
        seen.add(int(cur))
        r = regions[int(cur)]
        path.append({"code": r["code"], "name": r["name_zh"], "level": r["level"]})
        cur = r["parent_id"]
    park = regions.get(int(row["park_id"])) if row["park_id"] is not None else None
    industry = None
    if row["industry_id"] is not None:
        got = fetch_rows(
            conn,
            s.industries,
            ["scheme", "code", "name_zh"],
            where="id",
            values=[row["industry_id"]],
        )
        industry = got[0] if got else None
    founded = row["founded_on"]
    profile = {
        "id": eid,
        "name": row["name"],
        "name_en": row["name_en"],
        "credit_code": row["credit_code"],
        "aliases": list(row["aliases"] or []),
        "region": path[0] if path else None,
        "region_path": list(reversed(path)),
        "park": None if park is None else {"code": park["code"], "name": park["name_zh"]},
        "industry": industry,
        "size_class": row["size_class"],
        "ownership": row["ownership"],
        "founded_on": None if founded is None else str(founded),
        "age_years": None if age is None else round(age, 2),
        "listed": bool(row["listed"]),
        "stock_code": row["stock_code"],
        "exchange": row["exchange"],
        "listed_on": None if row["listed_on"] is None else str(row["listed_on"]),
        "high_tech": bool(row["high_tech"]),
        "srdi_level": row["srdi_level"],
        "tags": list(row["tags"] or []),
        "description": row["description"],
        "source": row.get("source"),
    }
    return profile, seen


def _trends(conn: sa.Connection, eid: int) -> list[dict[str, Any]]:
    rows = fetch_rows(
        conn, s.enterprise_years, ["year", *_YEAR_FIELDS], where="enterprise_id", values=[eid]
    )
    rows.sort(key=lambda r: int(r["year"]))
    out: list[dict[str, Any]] = []
    by_year = {int(r["year"]): r for r in rows}
    for r in rows:
        y = int(r["year"])
        item = {"year": y, **{k: _num(r[k]) for k in _YEAR_FIELDS}}
        rev, rd = item["revenue"], item["rd_spend"]
        item["rd_intensity"] = rd / rev if rev and rd is not None and rev > 0 else None
        prev = by_year.get(y - 1)
        prev_rev = None if prev is None else _num(prev["revenue"])
        item["revenue_growth"] = rev / prev_rev - 1 if rev is not None and prev_rev else None
        out.append(item)
    return out


def _tags(profile: dict[str, Any], record: dict[str, Any], spans: dict[str, int]) -> dict[str, Any]:
    tags = set(profile["tags"])
    need = owner_min_segments()
    wide = {c: n for c, n in spans.items() if n >= need}
    if "chain_owner" in tags:
        owner_reason = "tagged chain_owner (链主) in the data"
    elif wide:
        owner_reason = "its suppliers and buyers span " + ", ".join(
            f"{n} segments of {c}" for c, n in wide.items()
        )
        owner_reason += f" (≥ {need})"
    else:
        owner_reason = ""
    rd = record.get("rd_intensity")
    if "hidden_champion" in tags:
        champ_reason = "tagged hidden_champion (隐形冠军) in the data"
    elif (
        not profile["listed"]
        and profile["srdi_level"] == "national"
        and rd is not None
        and rd >= HIDDEN_CHAMPION_RD
    ):
        champ_reason = (
            f"unlisted national 专精特新 'little giant' with R&D intensity "
            f"{fmt_value(FIELDS['rd_intensity'], rd)} (≥ {HIDDEN_CHAMPION_RD:.0%})"
        )
    else:
        champ_reason = ""
    return {
        "high_tech": profile["high_tech"],
        "srdi_level": profile["srdi_level"],
        "listed": profile["listed"],
        "chain_owner": {"value": bool(owner_reason), "reason": owner_reason, "spans": spans},
        "hidden_champion": {"value": bool(champ_reason), "reason": champ_reason},
        "tags": sorted(tags),
    }


def _positions(conn: sa.Connection, eid: int) -> list[dict[str, Any]]:
    mem = fetch_rows(
        conn,
        s.enterprise_segments,
        ["segment_id", "main_product", "revenue_share"],
        where="enterprise_id",
        values=[eid],
    )
    segs = {int(r["id"]): r for r in ar.segment_index(conn)}
    pos = {
        int(r["id"]): r["position"]
        for r in fetch_rows(
            conn, s.segments, ["id", "position"], where="id", values=[m["segment_id"] for m in mem]
        )
    }
    chains = {int(r["id"]): r for r in ar.chain_rows(conn)}
    out = []
    for m in mem:
        seg = segs[int(m["segment_id"])]
        ch = chains[int(seg["chain_id"])]
        out.append(
            {
                "chain": ch["code"],
                "chain_name": ch["name_zh"],
                "chain_name_en": ch["name_en"],
                "segment": seg["code"],
                "segment_name": seg["name_zh"],
                "segment_name_en": seg["name_en"],
                "position": pos.get(int(m["segment_id"])),
                "main_product": m["main_product"],
                "revenue_share": _num(m["revenue_share"]),
            }
        )
    out.sort(key=lambda x: (-(x["revenue_share"] or 0.0), x["chain"], x["segment"]))
    return out


def _docking(conn: sa.Connection, eid: int) -> dict[str, Any]:
    needs = fetch_rows(
        conn,
        sa_.docking_needs,
        ["id", "code", "kind", "product", "quantity", "unit", "status", "posted_on"],
        where="enterprise_id",
        values=[eid],
    )
    leads = fetch_rows(
        conn,
        sa_.docking_leads,
        ["need_id", "counterpart_id", "score", "reasons", "status"],
        where="need_id",
        values=[n["id"] for n in needs],
    )
    offered = fetch_rows(
        conn,
        sa_.docking_leads,
        ["need_id", "counterpart_id", "score", "reasons", "status"],
        where="counterpart_id",
        values=[eid],
    )
    other_needs = {
        int(n["id"]): n
        for n in fetch_rows(
            conn,
            sa_.docking_needs,
            ["id", "code", "kind", "product", "enterprise_id"],
            where="id",
            values=[x["need_id"] for x in offered],
        )
    }
    ids = {int(x["counterpart_id"]) for x in leads}
    ids |= {int(n["enterprise_id"]) for n in other_needs.values()}
    labels = ar.enterprise_labels(conn, sorted(ids)) if ids else {}

    def name(i: int) -> str | None:
        return labels.get(i, {}).get("name")

    by_need: dict[int, list[dict[str, Any]]] = {}
    for x in sorted(leads, key=lambda x: -float(x["score"])):
        by_need.setdefault(int(x["need_id"]), []).append(
            {
                "counterpart": {
                    "id": int(x["counterpart_id"]),
                    "name": name(int(x["counterpart_id"])),
                },
                "score": float(x["score"]),
                "status": x["status"],
                "reasons": x["reasons"],
            }
        )
    return {
        "needs": [
            {
                **{k: (str(v) if k == "posted_on" and v is not None else v) for k, v in n.items()},
                "leads": by_need.get(int(n["id"]), []),
            }
            for n in sorted(needs, key=lambda n: str(n["code"]))
        ],
        "proposed_to_others": [
            {
                "need": other_needs[int(x["need_id"])]["code"],
                "kind": other_needs[int(x["need_id"])]["kind"],
                "product": other_needs[int(x["need_id"])]["product"],
                "enterprise": {
                    "id": int(other_needs[int(x["need_id"])]["enterprise_id"]),
                    "name": name(int(other_needs[int(x["need_id"])]["enterprise_id"])),
                },
                "score": float(x["score"]),
                "status": x["status"],
            }
            for x in sorted(offered, key=lambda x: -float(x["score"]))
            if int(x["need_id"]) in other_needs
        ],
    }


def portrait(
    conn: sa.Connection, enterprise: str | int, *, on: date | None = None, top: int = 10
) -> Portrait:
    """Return the portrait of one enterprise (id, credit code, stock code or exact name).

    ``on`` is the day of the age and of the policy check (default today); ``top`` is the
    number of suppliers and customers listed by value.

    Raises
    ------
    EnterpriseNotFound
        When the enterprise does not exist or a name is ambiguous.
    """
    day = on or date.today()
    eid = resolve_enterprise(conn, enterprise)
    keys = {"age_years", "revenue", "employees", "revenue_growth", "revenue_cagr_3y"}
    record = load_attributes(conn, keys | {"rd_intensity"}, ids=[eid], on=day).record(0)
    growth = record["revenue_cagr_3y"]
    growth = record["revenue_growth"] if growth is None else growth
    stage = lifecycle_stage(record["age_years"], record["revenue"], record["employees"], growth)
    profile, region_ids = _profile(conn, eid, record["age_years"])
    links = partners(conn, eid, top=top)
    check = check_enterprise(conn, eid, on=day)
    closest = [
        {
            "code": r.policy.code,
            "title": r.policy.title,
            "failed": [
                {"field": c.field, "reason": c.reason, "reason_zh": c.reason_zh}
                for c in r.evaluation.failed
            ],
        }
        for r in check.failed[:5]
    ]
    return Portrait(
        profile=profile,
        trends=_trends(conn, eid),
        lifecycle={
            **stage.to_dict(),
            "inputs": {
                "age_years": record["age_years"],
                "revenue": record["revenue"],
                "revenue_year": record["revenue#year"],
                "employees": record["employees"],
                "growth": growth,
                "growth_basis": "3-year CAGR"
                if record["revenue_cagr_3y"] is not None
                else ("year-on-year" if growth is not None else None),
            },
        },
        tags=_tags(profile, record, chain_spans(conn, eid)),
        chain_positions=_positions(conn, eid),
        suppliers=links["suppliers"],
        customers=links["customers"],
        risks=risk_points(conn, eid) + event_hits(conn, eid, region_ids),
        policies={
            "qualified": [
                {
                    "code": r.policy.code,
                    "title": r.policy.title,
                    "title_en": r.policy.title_en,
                    "benefits": r.policy.benefits,
                    "benefits_en": r.policy.benefits_en,
                    "valid_to": None
                    if r.policy.valid_to is None
                    else r.policy.valid_to.isoformat(),
                }
                for r in check.qualified
            ],
            "closest": closest,
        },
        docking=_docking(conn, eid),
        on=day,
    )
