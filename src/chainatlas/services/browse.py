"""Reads behind the web app's home page, region selector and search, scoped per user.

Every function takes the signed-in :class:`~chainatlas.services.accounts.Principal` and
returns only what it may see (:mod:`chainatlas.services.access`): analysts the regions
in their scope and the enterprises located there, enterprise users their own
enterprise's region and only their own enterprise, admins and viewers everything.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from chainatlas.errors import InvalidData, PermissionDenied, RegionNotFound
from chainatlas.services.access import check_region, visible_region_ids
from chainatlas.services.principals import Principal, region_subtree
from chainatlas.store import analysis_reads as ar
from chainatlas.store.schema import (
    chains,
    enterprise_segments,
    enterprise_years,
    enterprises,
    region_groups,
    regions,
    segments,
    supply_links,
)

__all__ = [
    "SEARCH_LIMIT",
    "dashboard",
    "default_region",
    "region_options",
    "resolve_region",
    "search",
]

SEARCH_LIMIT = 50
"""The most results of each kind a search returns."""

_LEVEL_RANK = {"country": 0, "province": 1, "city": 2, "district": 3, "park": 4}


def _region_dict(row: Any) -> dict[str, Any]:
    m = row._mapping if hasattr(row, "_mapping") else row
    return {
        "id": int(m["id"]),
        "code": str(m["code"]),
        "name_zh": str(m["name_zh"]),
        "name_en": str(m["name_en"] or ""),
        "level": str(m["level"]),
        "parent_id": None if m["parent_id"] is None else int(m["parent_id"]),
    }


def region_options(conn: sa.Connection, principal: Principal) -> list[dict[str, Any]]:
    """Return the regions ``principal`` may choose, by level and then code.

    Foreign countries (supplier origins, not places a chain office works on) are left out.
    """
    t = regions
    stmt = sa.select(t.c.id, t.c.code, t.c.name_zh, t.c.name_en, t.c.level, t.c.parent_id).where(
        t.c.country == "CN"
    )
    visible = visible_region_ids(conn, principal)
    if visible is not None:
        stmt = stmt.where(t.c.id.in_(sorted(visible)))
    rows = [_region_dict(r) for r in conn.execute(stmt)]
    rows.sort(key=lambda r: (_LEVEL_RANK.get(r["level"], 9), r["code"]))
    return rows


def default_region(conn: sa.Connection, principal: Principal) -> dict[str, Any]:
    """Return the region a page shows when none is chosen.

    The highest-level region in the principal's scope; for unscoped users the province
    with the most enterprises located in it (the region the database is about), else
    the country.

    Raises
    ------
    PermissionDenied
        When the principal may see no region at all (an enterprise account whose
        enterprise was deleted).
    """
    options = region_options(conn, principal)
    if not options:
        raise PermissionDenied(f"user {principal.username!r} may see no region")
    if visible_region_ids(conn, principal) is not None:
        return options[0]
    provinces = [r for r in options if r["level"] == "province"]
    if provinces:
        counts = _enterprises_per_province(conn, [r["id"] for r in provinces])
        best = max(provinces, key=lambda r: (counts.get(r["id"], 0), -r["id"]))
        if counts.get(best["id"], 0) > 0:
            return best
    return options[0]


def _enterprises_per_province(conn: sa.Connection, province_ids: list[int]) -> dict[int, int]:
    parent = {
        int(r.id): (None if r.parent_id is None else int(r.parent_id))
        for r in conn.execute(sa.select(regions.c.id, regions.c.parent_id))
    }
    wanted = set(province_ids)

    def province_of(rid: int | None) -> int | None:
        seen: set[int] = set()
        while rid is not None and rid not in wanted and rid not in seen:
            seen.add(rid)
            rid = parent.get(rid)
        return rid if rid in wanted else None

    out: dict[int, int] = {}
    stmt = sa.select(enterprises.c.region_id, sa.func.count()).group_by(enterprises.c.region_id)
    for rid, n in conn.execute(stmt):
        p = province_of(None if rid is None else int(rid))
        if p is not None:
            out[p] = out.get(p, 0) + int(n)
    return out


def resolve_region(conn: sa.Connection, principal: Principal, ref: str | None) -> dict[str, Any]:
    """Return the region ``ref`` (code or name; None: :func:`default_region`) if visible.

    A cooperation-area code (a region group such as ``YRD``) is accepted from users who
    see every region; its ``level`` is ``"group"``.

    Raises
    ------
    RegionNotFound
        When no region or group matches ``ref``.
    PermissionDenied
        When the region is outside the principal's scope.
    InvalidData
        When ``ref`` is empty or longer than a region code can be.
    """
    if ref is None:
        return default_region(conn, principal)
    ref = ref.strip()
    if not ref or len(ref) > 200:
        raise InvalidData("region must be a region code or name")
    found = ar.find_region(conn, ref)
    if found:
        row = conn.execute(
            sa.select(
                regions.c.id,
                regions.c.code,
                regions.c.name_zh,
                regions.c.name_en,
                regions.c.level,
                regions.c.parent_id,
            ).where(regions.c.id == found[0]["id"])
        ).one()
        region = _region_dict(row)
        check_region(conn, principal, region["id"])
        return region
    group = conn.execute(
        sa.select(region_groups.c.id, region_groups.c.code, region_groups.c.name_zh).where(
            sa.or_(region_groups.c.code == ref, region_groups.c.name_zh == ref)
        )
    ).first()
    if group is None:
        raise RegionNotFound(f"no region or cooperation area {ref!r}")
    if visible_region_ids(conn, principal) is not None:
        raise PermissionDenied(
            f"user {principal.username!r} ({principal.role}) may not see cooperation area "
            f"{group.code}: it reaches beyond the regions of the account"
        )
    full = conn.execute(sa.select(region_groups).where(region_groups.c.id == group.id)).one()
    return {
        "id": -int(full.id),
        "code": str(full.code),
        "name_zh": str(full.name_zh),
        "name_en": str(full.name_en or ""),
        "level": "group",
        "parent_id": None,
    }


def _located_in(ids: frozenset[int]) -> sa.ColumnElement[bool]:
    wanted = sorted(ids)
    return sa.or_(enterprises.c.region_id.in_(wanted), enterprises.c.park_id.in_(wanted))


def _area_ids(conn: sa.Connection, region: dict[str, Any]) -> frozenset[int]:
    if region["level"] == "group":
        members = ar.find_region_group(conn, region["code"])
        return region_subtree(conn, members["members"] if members else [])
    return region_subtree(conn, [region["id"]])


def dashboard(conn: sa.Connection, principal: Principal, region: dict[str, Any]) -> dict[str, Any]:
    """Return the home page figures of ``region`` (a dict from :func:`resolve_region`).

    ``headline``: enterprises located in the region (with its sub-regions and parks),
    their output in the latest year with output data, high-tech, 专精特新 (provincial
    and national) and listed enterprises, and supply links whose buyer is located there.
    ``chains``: every chain with its segments and the local enterprises working in it.
    ``areas``: the region's direct sub-regions with their enterprise counts.
    """
    area = _area_ids(conn, region)
    where = _located_in(area)
    e = enterprises
    year = ar.latest_output_year(conn)
    head = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.sum(sa.case((e.c.high_tech, 1), else_=0)),
            sa.func.sum(sa.case((e.c.srdi_level.in_(("provincial", "national")), 1), else_=0)),
            sa.func.sum(sa.case((e.c.listed, 1), else_=0)),
        ).where(where)
    ).one()
    output = None
    if year is not None:
        output = conn.execute(
            sa.select(sa.func.sum(enterprise_years.c.output_value))
            .join(e, e.c.id == enterprise_years.c.enterprise_id)
            .where(where)
            .where(enterprise_years.c.year == year)
        ).scalar_one_or_none()
    local_ids = sa.select(e.c.id).where(where).scalar_subquery()
    links = conn.execute(
        sa.select(sa.func.count()).where(supply_links.c.buyer_id.in_(local_ids))
    ).scalar_one()
    chain_rows = _chain_rows(conn, where)
    return {
        "region": region,
        "year": year,
        "headline": {
            "enterprises": int(head[0] or 0),
            "output": None if output is None else float(output),
            "high_tech": int(head[1] or 0),
            "srdi": int(head[2] or 0),
            "listed": int(head[3] or 0),
            "supply_links": int(links or 0),
            "chains": len(chain_rows),
        },
        "chains": chain_rows,
        "areas": _areas(conn, principal, region, area),
    }


def _chain_rows(conn: sa.Connection, where: sa.ColumnElement[bool]) -> list[dict[str, Any]]:
    seg_counts = dict(
        conn.execute(sa.select(segments.c.chain_id, sa.func.count()).group_by(segments.c.chain_id))
        .tuples()
        .all()
    )
    es, e = enterprise_segments, enterprises
    local = dict(
        conn.execute(
            sa.select(segments.c.chain_id, sa.func.count(sa.distinct(es.c.enterprise_id)))
            .select_from(es.join(segments, segments.c.id == es.c.segment_id))
            .join(e, e.c.id == es.c.enterprise_id)
            .where(where)
            .group_by(segments.c.chain_id)
        )
        .tuples()
        .all()
    )
    out = []
    for r in conn.execute(
        sa.select(chains.c.id, chains.c.code, chains.c.name_zh, chains.c.name_en).order_by(
            chains.c.code
        )
    ):
        out.append(
            {
                "code": str(r.code),
                "name_zh": str(r.name_zh),
                "name_en": str(r.name_en or ""),
                "segments": int(seg_counts.get(r.id, 0)),
                "local_enterprises": int(local.get(r.id, 0)),
            }
        )
    return out


def _areas(
    conn: sa.Connection, principal: Principal, region: dict[str, Any], area: frozenset[int]
) -> list[dict[str, Any]]:
    if region["level"] == "group":
        members = ar.find_region_group(conn, region["code"])
        child_ids = list(members["members"]) if members else []
        stmt = sa.select(regions).where(regions.c.id.in_(child_ids))
    else:
        stmt = sa.select(regions).where(regions.c.parent_id == region["id"])
    visible = visible_region_ids(conn, principal)
    out = []
    for row in conn.execute(stmt.order_by(regions.c.code)):
        if visible is not None and int(row.id) not in visible:
            continue
        sub = region_subtree(conn, [int(row.id)])
        n = conn.execute(sa.select(sa.func.count()).where(_located_in(sub))).scalar_one()
        out.append({**_region_dict(row), "enterprises": int(n)})
    return out


def _like(column: sa.ColumnElement[Any], q: str) -> sa.ColumnElement[bool]:
    return sa.func.lower(column).contains(q.lower(), autoescape=True)


def search(conn: sa.Connection, principal: Principal, q: str, *, limit: int = 20) -> dict[str, Any]:
    """Find enterprises (name, alias, credit or stock code), chains and regions.

    Enterprises match by name, English name, alias, credit code or stock code; chains
    and regions by code or name. Enterprise users find only their own enterprise;
    analysts only enterprises located in their regions. Matching ignores case; credit
    and stock codes match exactly.

    Raises
    ------
    InvalidData
        When ``q`` is empty after trimming, longer than 100 characters, or ``limit`` is
        not between 1 and :data:`SEARCH_LIMIT`.
    """
    text = q.strip()
    if not text:
        raise InvalidData("search needs a name, alias or credit code")
    if len(text) > 100:
        raise InvalidData("a search may have at most 100 characters")
    if not 1 <= limit <= SEARCH_LIMIT:
        raise InvalidData(f"limit must be between 1 and {SEARCH_LIMIT}, not {limit}")
    e = enterprises
    escaped = json.dumps(text)[1:-1]
    alias_text = sa.cast(e.c.aliases, sa.Text)
    match = sa.or_(
        _like(e.c.name, text),
        _like(e.c.name_en, text),
        _like(alias_text, text),
        _like(alias_text, escaped),
        e.c.credit_code == text.upper(),
        e.c.stock_code == text.upper(),
    )
    stmt = (
        sa.select(
            e.c.id,
            e.c.name,
            e.c.name_en,
            e.c.credit_code,
            e.c.aliases,
            regions.c.code.label("region_code"),
            regions.c.name_zh.label("region_name"),
            regions.c.name_en.label("region_name_en"),
        )
        .select_from(e.outerjoin(regions, regions.c.id == e.c.region_id))
        .where(match)
    )
    visible = visible_region_ids(conn, principal)
    if principal.role == "enterprise":
        stmt = stmt.where(e.c.id == (principal.enterprise_id or -1))
    elif visible is not None:
        stmt = stmt.where(_located_in(visible))
    found = [
        {
            "id": int(r.id),
            "name": str(r.name),
            "name_en": str(r.name_en or ""),
            "credit_code": r.credit_code,
            "aliases": [str(a) for a in (r.aliases or [])],
            "region_code": r.region_code,
            "region_name": r.region_name,
            "region_name_en": r.region_name_en,
        }
        for r in conn.execute(stmt.order_by(sa.func.length(e.c.name), e.c.id).limit(limit))
    ]
    chain_hits = [
        {"code": str(r.code), "name_zh": str(r.name_zh), "name_en": str(r.name_en or "")}
        for r in conn.execute(
            sa.select(chains.c.code, chains.c.name_zh, chains.c.name_en)
            .where(
                sa.or_(
                    _like(chains.c.code, text),
                    _like(chains.c.name_zh, text),
                    _like(chains.c.name_en, text),
                )
            )
            .order_by(chains.c.code)
            .limit(limit)
        )
    ]
    region_stmt = sa.select(
        regions.c.id,
        regions.c.code,
        regions.c.name_zh,
        regions.c.name_en,
        regions.c.level,
        regions.c.parent_id,
    ).where(
        sa.or_(
            regions.c.code == text,
            _like(regions.c.name_zh, text),
            _like(regions.c.name_en, text),
        )
    )
    if visible is not None:
        region_stmt = region_stmt.where(regions.c.id.in_(sorted(visible)))
    region_hits = [
        _region_dict(r) for r in conn.execute(region_stmt.order_by(regions.c.code).limit(limit))
    ]
    return {"q": text, "enterprises": found, "chains": chain_hits, "regions": region_hits}
