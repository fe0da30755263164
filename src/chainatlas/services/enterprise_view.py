"""The enterprise page: the portrait of one enterprise, as the signed-in user may see it.

Wraps :func:`chainatlas.services.portrait.portrait` with the access rules: the
enterprise must be visible to the principal (:func:`~chainatlas.services.access.check_enterprise`:
an enterprise user only its own, a scoped analyst only enterprises located in its
regions), and suppliers, customers and link-based risk points are shown only where
:func:`~chainatlas.services.access.can_see_links_of` allows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from chainatlas.errors import EnterpriseNotFound
from chainatlas.services.access import can_see_links_of, check_enterprise
from chainatlas.services.portrait import portrait
from chainatlas.services.principals import Principal
from chainatlas.store.schema import enterprises

__all__ = ["enterprise_view"]

_EMPTY_SIDE: dict[str, Any] = {"count": 0, "links": 0, "total_value": None, "top": []}


def enterprise_view(
    conn: sa.Connection, principal: Principal, enterprise_id: int, *, on: date | None = None
) -> dict[str, Any]:
    """Return the enterprise page of ``enterprise_id`` for ``principal``.

    The dict has the portrait's keys (profile, trends, lifecycle, tags, chain positions,
    suppliers, customers, risks, policies) plus ``links_visible``; docking needs are
    left to the docking pages.

    Raises
    ------
    PermissionDenied
        When the principal may not see this enterprise.
    EnterpriseNotFound
        When no enterprise has this id.
    """
    check_enterprise(conn, principal, enterprise_id)
    exists = conn.execute(
        sa.select(enterprises.c.id).where(enterprises.c.id == enterprise_id)
    ).first()
    if exists is None:
        raise EnterpriseNotFound(f"no enterprise with id {enterprise_id}")
    p = portrait(conn, enterprise_id, on=on).to_dict()
    links_visible = can_see_links_of(conn, principal, enterprise_id)
    if not links_visible:
        p["suppliers"] = dict(_EMPTY_SIDE)
        p["customers"] = dict(_EMPTY_SIDE)
        p["risks"] = [r for r in p["risks"] if "counterpart" not in r]
    return {
        "on": p["on"],
        "profile": p["profile"],
        "trends": p["trends"],
        "lifecycle": p["lifecycle"],
        "tags": p["tags"],
        "chain_positions": p["chain_positions"],
        "suppliers": p["suppliers"],
        "customers": p["customers"],
        "risks": p["risks"],
        "policies": p["policies"],
        "links_visible": links_visible,
    }
