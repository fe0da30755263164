"""Access checks: which regions, enterprises and supply links a principal may see or change.

Every API route and web page calls these before it reads or writes. The rules
(docs/accounts.md):

============  ==================  ===================================  =================
role          regions             enterprises                          supply links of
============  ==================  ===================================  =================
admin         all                 all                                  all
analyst       scope + below       located in scope (all if no scope)   those it may see
enterprise    its enterprise's    only its own                         only its own
viewer        all                 all                                  all
============  ==================  ===================================  =================

Only admins and analysts may import or change shared data (:func:`check_write`); only
admins manage accounts (:func:`check_admin`). A refusal raises
:class:`~chainatlas.errors.PermissionDenied` whose message names what was refused.
"""

from __future__ import annotations

import sqlalchemy as sa

from chainatlas.errors import EnterpriseNotFound, NotFound, PermissionDenied
from chainatlas.services.principals import Principal, enterprise_region_ids
from chainatlas.store.schema import enterprises, regions

__all__ = [
    "can_see_links_of",
    "check_admin",
    "check_enterprise",
    "check_region",
    "check_write",
    "visible_region_ids",
]


def _who(principal: Principal) -> str:
    return f"user {principal.username!r} ({principal.role})"


def visible_region_ids(conn: sa.Connection, principal: Principal) -> frozenset[int] | None:
    """Return the ids of the regions ``principal`` may see; None means every region.

    Analysts get their regions with every region below them (empty scope: None);
    enterprise users the region and park where their enterprise is located.
    """
    if principal.role == "enterprise":
        return enterprise_region_ids(conn, principal.enterprise_id)
    if principal.role == "analyst":
        return principal.region_ids
    return None


def _region_label(conn: sa.Connection, region_id: int) -> str:
    row = conn.execute(
        sa.select(regions.c.code, regions.c.name_zh).where(regions.c.id == region_id)
    ).first()
    return f"region {region_id}" if row is None else f"region {row.code} {row.name_zh}"


def check_region(conn: sa.Connection, principal: Principal, region_id: int) -> None:
    """Refuse a region outside the principal's scope.

    Raises
    ------
    PermissionDenied
        When an analyst's regions do not include ``region_id``, or an enterprise user asks
        for a region other than its enterprise's.
    """
    visible = visible_region_ids(conn, principal)
    if visible is None or region_id in visible:
        return
    raise PermissionDenied(
        f"{_who(principal)} may not see {_region_label(conn, region_id)}: it is outside "
        "the regions of the account"
    )


def check_enterprise(conn: sa.Connection, principal: Principal, enterprise_id: int) -> None:
    """Refuse an enterprise the principal may not see.

    Enterprise users see only their own enterprise; analysts with a region scope see the
    enterprises located (region or park) in it; admins, viewers and analysts without a
    scope see all.

    Raises
    ------
    PermissionDenied
        When the enterprise is outside the principal's scope.
    EnterpriseNotFound
        When a scoped analyst asks for an enterprise that does not exist.
    """
    if principal.role == "enterprise":
        if principal.enterprise_id is not None and principal.enterprise_id == enterprise_id:
            return
        # Say nothing about the other enterprise, not even whether it exists.
        raise PermissionDenied(
            f"{_who(principal)} may see only its own enterprise, not enterprise {enterprise_id}"
        )
    if principal.role != "analyst" or principal.region_ids is None:
        return
    row = conn.execute(
        sa.select(enterprises.c.name, enterprises.c.region_id, enterprises.c.park_id).where(
            enterprises.c.id == enterprise_id
        )
    ).first()
    if row is None:
        raise EnterpriseNotFound(f"no enterprise with id {enterprise_id}")
    if {row.region_id, row.park_id} & principal.region_ids:
        return
    where = "no region" if row.region_id is None else _region_label(conn, int(row.region_id))
    raise PermissionDenied(
        f"{_who(principal)} may not see enterprise {enterprise_id} {row.name}: it is located "
        f"in {where}, outside the regions of the account"
    )


def can_see_links_of(conn: sa.Connection, principal: Principal, enterprise_id: int) -> bool:
    """Return whether ``principal`` may see the suppliers and customers of an enterprise.

    Enterprise users: only of their own enterprise, never another's supply links.
    Others: of every enterprise :func:`check_enterprise` lets them see.
    """
    if principal.role == "enterprise":
        return principal.enterprise_id is not None and principal.enterprise_id == enterprise_id
    try:
        check_enterprise(conn, principal, enterprise_id)
    except (PermissionDenied, NotFound):
        return False
    return True


def check_write(principal: Principal, what: str = "import or change shared data") -> None:
    """Refuse viewers and enterprise users: only admins and analysts change shared data.

    Raises
    ------
    PermissionDenied
        Naming the user, its role and ``what`` was refused.
    """
    if not principal.can_write:
        raise PermissionDenied(f"{_who(principal)} may not {what}: the role is read-only")


def check_admin(principal: Principal, what: str = "manage accounts") -> None:
    """Refuse everyone but administrators.

    Raises
    ------
    PermissionDenied
        Naming the user, its role and ``what`` was refused.
    """
    if not principal.is_admin:
        raise PermissionDenied(f"{_who(principal)} may not {what}: only administrators may")
