"""The data of the docking pages (供需对接), built once for the page and its JSON twin.

Reads take the request's connection; writes (:func:`post_need_data`,
:func:`save_leads_data`, :func:`update_lead_data`) take the connection of the caller's
transaction and write their audit record in it, so a change and its record are committed
together or not at all.

Who sees what (docs/web.md): enterprise users see and change only their own enterprise's
posts and leads, and of their matches only the counterparts' public profiles; analysts
the posts of enterprises located in their regions; admins everything; viewers read
everything and change nothing.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from chainatlas.errors import InvalidData, NotFound, PermissionDenied
from chainatlas.services import audit, docking
from chainatlas.services.build_view import (
    check_docking_write,
    check_post_access,
    enterprises_in_scope,
    lead_enterprise,
)
from chainatlas.services.principals import Principal

__all__ = [
    "leads_data",
    "match_data",
    "needs_data",
    "own_enterprise",
    "post_need_data",
    "save_leads_data",
    "update_lead_data",
]


def own_enterprise(principal: Principal) -> int | None:
    """Return the enterprise an enterprise user acts for; None for other roles.

    Raises
    ------
    PermissionDenied
        For an enterprise user whose enterprise was deleted.
    """
    if principal.role != "enterprise":
        return None
    if principal.enterprise_id is None:
        raise PermissionDenied(
            f"user {principal.username!r} (enterprise) has no enterprise any more"
        )
    return principal.enterprise_id


def needs_data(
    conn: sa.Connection,
    principal: Principal,
    *,
    kind: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """Return the docking posts the user may see, newest first.

    Raises
    ------
    InvalidData
        On an unknown kind or status.
    """
    own = own_enterprise(principal)
    posts = docking.list_needs(conn, enterprise_id=own, kind=kind, status=status)
    seen = enterprises_in_scope(conn, principal, sorted({p.enterprise_id for p in posts}))
    rows = [p.to_dict() for p in posts if p.enterprise_id in seen]
    return {
        "kind": kind,
        "status": status,
        "own_enterprise": own,
        "count": len(rows),
        "data": rows,
    }


def post_need_data(
    conn: sa.Connection,
    principal: Principal,
    *,
    enterprise: int | str | None,
    kind: str,
    product: str,
    quantity: float | None = None,
    unit: str = "",
    specification: str = "",
    preferred_regions: list[str] | None = None,
    ip: str = "",
) -> dict[str, Any]:
    """Post a need or capability for an enterprise and audit it (``docking.post``).

    Enterprise users post for their own enterprise (``enterprise`` may be omitted);
    admins and analysts for an enterprise they may see (id, credit code or name).

    Raises
    ------
    PermissionDenied
        For viewers, and for an enterprise outside the user's scope.
    InvalidData
        When no enterprise is named, or a field is invalid (as
        :func:`~chainatlas.services.docking_needs.post_need`).
    EnterpriseNotFound, RegionNotFound
        When the enterprise or a preferred region does not exist.
    """
    own = own_enterprise(principal)
    ref: int | str | None = enterprise
    if isinstance(ref, str):
        ref = ref.strip()
        ref = int(ref) if ref.isascii() and ref.isdigit() and len(ref) < 10 else ref
    if own is not None and ref in (None, ""):
        ref = own
    if ref in (None, ""):
        raise InvalidData("enterprise: name the enterprise the post is for (id, code or name)")
    assert ref is not None
    eid = int(docking.resolve_enterprise(conn, ref)["id"])
    check_docking_write(conn, principal, eid)
    need = docking.post_need(
        conn,
        eid,
        kind,
        product,
        quantity=quantity,
        unit=unit,
        specification=specification,
        preferred_regions=preferred_regions or [],
    )
    audit.record(
        conn,
        principal,
        "docking.post",
        entity="docking_need",
        entity_id=need.code,
        detail={"enterprise": eid, "kind": kind, "product": need.product},
        ip=ip,
    )
    return need.to_dict()


def _post(conn: sa.Connection, principal: Principal, code: str) -> docking.Need:
    need = docking.get_need(conn, code, enterprise_id=own_enterprise(principal))
    check_post_access(conn, principal, need.enterprise_id)
    return need


def match_data(
    conn: sa.Connection, principal: Principal, code: str, *, top: int = 20
) -> dict[str, Any]:
    """Return the post ``code`` and its ranked counterparts (public profiles, reasons).

    Raises
    ------
    NotFound
        When there is no such post (or, for an enterprise user, it is another's).
    PermissionDenied
        When the post's enterprise is outside an analyst's regions.
    """
    need = _post(conn, principal, code)
    result = docking.match(conn, need.code, top=top, as_enterprise=own_enterprise(principal))
    return {"need": need.to_dict(), **result.to_dict()}


def save_leads_data(
    conn: sa.Connection, principal: Principal, code: str, *, top: int = 20, ip: str = ""
) -> dict[str, Any]:
    """Save the top counterparts of post ``code`` as proposed leads and audit it.

    Raises
    ------
    NotFound, PermissionDenied
        As :func:`match_data`; viewers may not save leads.
    """
    if principal.role == "viewer":
        check_docking_write(conn, principal, 0)
    need = _post(conn, principal, code)
    check_docking_write(conn, principal, need.enterprise_id)
    saved = docking.save_leads(conn, need.code, top=top, as_enterprise=own_enterprise(principal))
    audit.record(
        conn,
        principal,
        "docking.leads",
        entity="docking_need",
        entity_id=need.code,
        detail={"created": len(saved.created), "existing": saved.existing},
        ip=ip,
    )
    return saved.to_dict()


def leads_data(
    conn: sa.Connection,
    principal: Principal,
    *,
    status: str | None = None,
    need: str | None = None,
) -> dict[str, Any]:
    """Return the leads the user may see, best score first.

    Raises
    ------
    InvalidData
        On an unknown status.
    NotFound
        When ``need`` does not exist (or is another enterprise's).
    """
    own = own_enterprise(principal)
    if need is not None:
        _post(conn, principal, need)
    leads = docking.list_leads(conn, status=status, need=need, enterprise_id=own)
    owners = {n.code: n.enterprise_id for n in docking.list_needs(conn, enterprise_id=own)}
    seen = enterprises_in_scope(conn, principal, sorted(set(owners.values())))
    rows = [lead.to_dict() for lead in leads if owners.get(lead.need) in seen]
    return {
        "status": status,
        "need": need,
        "count": len(rows),
        "statuses": list(docking.LEAD_STATUSES),
        "transitions": {k: list(v) for k, v in docking.LEAD_TRANSITIONS.items()},
        "data": rows,
    }


def update_lead_data(
    conn: sa.Connection,
    principal: Principal,
    lead_id: int,
    status: str,
    note: str | None = None,
    *,
    ip: str = "",
) -> dict[str, Any]:
    """Move a lead to ``status`` (optionally with a note) and audit it (``docking.lead``).

    Raises
    ------
    PermissionDenied
        For viewers, and for a lead of an enterprise outside the user's scope.
    NotFound
        When there is no such lead (or, for an enterprise user, it is another's).
    InvalidData
        On an unknown status or a transition that is not allowed.
    """
    own = own_enterprise(principal)
    if principal.role == "viewer":
        check_docking_write(conn, principal, 0)
    owner = lead_enterprise(conn, lead_id)
    if own is not None and owner != own:
        # the same answer as for a lead that does not exist: nothing about others' leads
        raise NotFound(f"lead: no lead {lead_id}")
    check_docking_write(conn, principal, owner)
    mine = docking.list_leads(conn, enterprise_id=owner)
    before = next((x.status for x in mine if x.id == lead_id), "")
    lead = docking.update_lead(conn, lead_id, status, note, enterprise_id=own)
    audit.record(
        conn,
        principal,
        "docking.lead",
        entity="docking_lead",
        entity_id=str(lead_id),
        detail={"from": before, "to": lead.status, "note": note},
        ip=ip,
    )
    return lead.to_dict()
