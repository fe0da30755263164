"""What the build-the-chain, policy and docking pages need besides the analyses themselves.

Small reads and access rules shared by the pages and their JSON twins: the cooperation
areas a comparison may start from, the sub-regions of a region, the region codes a user
may see, the refusal of enterprise accounts on pages that name other firms, and who may
see and change a docking post. The analyses are those of
:mod:`~chainatlas.services.attraction`, :mod:`~chainatlas.services.opportunities`,
:mod:`~chainatlas.services.division`, :mod:`~chainatlas.services.policies` and
:mod:`~chainatlas.services.docking`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from chainatlas.domain.policy_rules import AllOf, AnyOf, Condition, Node, Rule
from chainatlas.errors import NotFound, PermissionDenied
from chainatlas.services.access import check_enterprise, visible_region_ids
from chainatlas.services.principals import Principal
from chainatlas.store.schema import enterprises, region_groups, regions
from chainatlas.store.schema_activity import docking_leads, docking_needs

__all__ = [
    "check_docking_write",
    "check_not_enterprise",
    "check_post_access",
    "cooperation_areas",
    "enterprises_in_scope",
    "lead_enterprise",
    "rule_conditions",
    "sub_regions",
    "visible_region_codes",
]


def cooperation_areas(conn: sa.Connection) -> list[dict[str, Any]]:
    """Return every region group (cooperation area): ``code``, ``name_zh``, ``name_en``."""
    t = region_groups
    rows = conn.execute(sa.select(t.c.code, t.c.name_zh, t.c.name_en).order_by(t.c.code))
    return [
        {"code": str(r.code), "name_zh": str(r.name_zh), "name_en": str(r.name_en or "")}
        for r in rows
    ]


def sub_regions(conn: sa.Connection, region_id: int) -> list[str]:
    """Return the codes of the regions directly below ``region_id``, parks left out."""
    t = regions
    rows = conn.execute(
        sa.select(t.c.code)
        .where(t.c.parent_id == region_id)
        .where(t.c.level != "park")
        .order_by(t.c.code)
    )
    return [str(c) for c in rows.scalars()]


def visible_region_codes(conn: sa.Connection, principal: Principal) -> frozenset[str] | None:
    """Return the codes of the regions ``principal`` may see; None means every region."""
    ids = visible_region_ids(conn, principal)
    if ids is None:
        return None
    rows = conn.execute(sa.select(regions.c.code).where(regions.c.id.in_(sorted(ids))))
    return frozenset(str(c) for c in rows.scalars())


def check_not_enterprise(principal: Principal, what: str) -> None:
    """Refuse enterprise accounts a page that names other firms or compares regions.

    Raises
    ------
    PermissionDenied
        When ``principal`` is an enterprise user; the message names ``what``.
    """
    if principal.role == "enterprise":
        raise PermissionDenied(
            f"user {principal.username!r} (enterprise) may not see {what}: it is a planning "
            "list of the chain office that names other firms"
        )


def check_post_access(conn: sa.Connection, principal: Principal, enterprise_id: int) -> None:
    """Refuse a docking post (or its matches and leads) of an enterprise out of reach.

    Enterprise users reach only their own enterprise's posts; analysts those of
    enterprises located in their regions; admins and viewers all.

    Raises
    ------
    PermissionDenied
        When the post's enterprise is outside the principal's scope.
    """
    check_enterprise(conn, principal, enterprise_id)


def check_docking_write(conn: sa.Connection, principal: Principal, enterprise_id: int) -> None:
    """Refuse a docking change (post, saved leads, lead status) the principal may not make.

    Enterprise users change only their own enterprise's posts and leads; admins and
    analysts those of enterprises they may see; viewers nothing.

    Raises
    ------
    PermissionDenied
        For viewers, and for an enterprise outside the principal's scope.
    """
    if principal.role == "viewer":
        raise PermissionDenied(
            f"user {principal.username!r} (viewer) may not post needs or change leads: "
            "the role is read-only"
        )
    check_enterprise(conn, principal, enterprise_id)


def rule_conditions(rule: Rule | None) -> list[dict[str, Any]]:
    """Return the conditions of a policy rule in the order written, each with its group.

    ``group`` is ``all`` (every condition of the group must hold) or ``any`` (one is
    enough) and ``depth`` how deep the group is nested; ``label`` and ``label_zh`` name
    the field, ``negated`` says a ``not`` was folded into ``op``.
    """
    out: list[dict[str, Any]] = []

    def walk(node: Node, group: str, depth: int) -> None:
        if isinstance(node, Condition):
            f = node.definition
            out.append(
                {
                    "path": node.path,
                    "group": group,
                    "depth": depth,
                    "field": node.field,
                    "label": f.label_en,
                    "label_zh": f.label_zh,
                    "op": node.op,
                    "value": node.value,
                    "year": node.year,
                    "unit": f.unit,
                    "negated": node.negated,
                }
            )
            return
        kind = "any" if isinstance(node, AnyOf) else "all"
        assert isinstance(node, AllOf | AnyOf)
        for item in node.items:
            walk(item, kind, depth + 1)

    if rule is not None:
        walk(rule.root, "all", 0)
    return out


def enterprises_in_scope(
    conn: sa.Connection, principal: Principal, ids: list[int]
) -> frozenset[int]:
    """Return those of ``ids`` located (region or park) in the principal's regions.

    Users who see every region get every id; enterprise users only their own.
    """
    if principal.role == "enterprise":
        own = principal.enterprise_id
        return frozenset({own}) if own is not None and own in ids else frozenset()
    visible = visible_region_ids(conn, principal)
    if visible is None:
        return frozenset(ids)
    e, found = enterprises, set()
    scope = sorted(visible)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        rows = conn.execute(
            sa.select(e.c.id)
            .where(e.c.id.in_(chunk))
            .where(sa.or_(e.c.region_id.in_(scope), e.c.park_id.in_(scope)))
        )
        found |= {int(x) for x in rows.scalars()}
    return frozenset(found)


def lead_enterprise(conn: sa.Connection, lead_id: int) -> int:
    """Return the id of the enterprise whose post the lead ``lead_id`` belongs to.

    Raises
    ------
    NotFound
        When there is no such lead.
    """
    d, n = docking_leads, docking_needs
    found = conn.execute(
        sa.select(n.c.enterprise_id).join(d, d.c.need_id == n.c.id).where(d.c.id == lead_id)
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"lead: no lead {lead_id}")
    return int(found)
