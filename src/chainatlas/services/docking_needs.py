"""Docking posts: what enterprises want to buy (needs) or can supply (capabilities).

:func:`post_need` checks every field before it writes anything and writes the post in
one SAVEPOINT, so a bad post leaves nothing behind. :func:`list_needs` with an
``enterprise_id`` lists only that enterprise's posts (the enterprise self-service view).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from chainatlas.errors import Conflict, EnterpriseNotFound, InvalidData, NotFound, RegionNotFound
from chainatlas.importers.parse import normalise_stock_code
from chainatlas.store import analysis_reads as ar
from chainatlas.store import schema as s
from chainatlas.store import schema_activity as sa_
from chainatlas.store.records import fetch_rows, insert_rows

__all__ = [
    "NEED_KINDS",
    "NEED_STATUSES",
    "Need",
    "get_need",
    "list_needs",
    "post_need",
    "resolve_enterprise",
]

NEED_KINDS = ("need", "capability")
"""A need is something to buy; a capability something the enterprise can supply."""

NEED_STATUSES = ("open", "matched", "closed")
"""Status of a post: open, matched (a lead became a deal) or closed."""


@dataclass(frozen=True, slots=True)
class Need:
    """One docking post with its enterprise's name and its preferred regions' codes."""

    id: int
    code: str
    enterprise_id: int
    enterprise: str
    kind: str
    product: str
    quantity: float | None
    unit: str
    specification: str
    preferred_regions: tuple[str, ...]
    status: str
    posted_on: date | None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape (see docs/docking.md)."""
        return {
            "id": self.id,
            "code": self.code,
            "enterprise": {"id": self.enterprise_id, "name": self.enterprise},
            "kind": self.kind,
            "product": self.product,
            "quantity": self.quantity,
            "unit": self.unit,
            "specification": self.specification,
            "preferred_regions": list(self.preferred_regions),
            "status": self.status,
            "posted_on": None if self.posted_on is None else self.posted_on.isoformat(),
        }


def resolve_enterprise(conn: sa.Connection, ref: int | str) -> dict[str, Any]:
    """Return id, name and region of the enterprise ``ref`` (id, credit or stock code, name).

    Raises
    ------
    EnterpriseNotFound
        When no enterprise matches, or a name matches several.
    """
    if isinstance(ref, int):
        rows = fetch_rows(
            conn, s.enterprises, ["id", "name", "region_id"], where="id", values=[ref]
        )
    else:
        rows = ar.find_enterprises(conn, ref.strip()) or ar.find_enterprises(
            conn, normalise_stock_code(ref)[0]
        )
    if not rows:
        raise EnterpriseNotFound(
            f"enterprise: no enterprise {ref!r} (give its id, credit code, stock code or name)"
        )
    if len(rows) > 1:
        raise EnterpriseNotFound(
            f"enterprise: {ref!r} names {len(rows)} enterprises; give the credit or stock code"
        )
    return rows[0]


def _regions(conn: sa.Connection, refs: list[str]) -> list[str]:
    codes = []
    for ref in refs:
        found = ar.find_region(conn, ref.strip())
        if not found and ar.find_region_group(conn, ref.strip()) is not None:
            codes.append(ref.strip())
            continue
        if not found:
            raise RegionNotFound(
                f"preferred_regions: no region {ref!r} (give a region code or name, or a "
                "cooperation-area code)"
            )
        if len(found) > 1:
            raise RegionNotFound(f"preferred_regions: region {ref!r} is ambiguous; give its code")
        codes.append(str(found[0]["code"]))
    return list(dict.fromkeys(codes))


def _next_code(conn: sa.Connection) -> str:
    d = sa_.docking_needs
    top = conn.execute(sa.select(sa.func.max(d.c.id))).scalar()
    n = (0 if top is None else int(top)) + 1
    while True:
        code = f"DN{n:08d}"
        if not fetch_rows(conn, d, ["id"], where="code", values=[code]):
            return code
        n += 1


def post_need(
    conn: sa.Connection,
    enterprise: int | str,
    kind: str,
    product: str,
    *,
    quantity: float | None = None,
    unit: str = "",
    specification: str = "",
    preferred_regions: list[str] | tuple[str, ...] = (),
    code: str | None = None,
    posted_on: date | None = None,
    source: str = "manual",
) -> Need:
    """Post a need or a capability for ``enterprise`` and return it.

    Every field is checked before anything is written, and the row is written inside a
    SAVEPOINT: a failing post leaves the database as it was. The caller owns the
    transaction.

    Raises
    ------
    InvalidData
        When ``product`` is empty, ``kind`` is not need or capability, or ``quantity`` is
        negative or not a number (the message names the field).
    EnterpriseNotFound
        When the enterprise does not exist.
    RegionNotFound
        When a preferred region does not exist.
    Conflict
        When ``code`` is taken.
    """
    product = (product or "").strip()
    if not product:
        raise InvalidData("product: a need or capability needs product text (it is empty)")
    if len(product) > 300:
        raise InvalidData(f"product: at most 300 characters, not {len(product)}")
    if kind not in NEED_KINDS:
        raise InvalidData(f"kind: must be need or capability, not {kind!r}")
    if quantity is not None and (math.isnan(quantity) or quantity < 0):
        raise InvalidData(f"quantity: must be a non-negative number, not {quantity}")
    ent = resolve_enterprise(conn, enterprise)
    regions = _regions(conn, list(preferred_regions))
    d = sa_.docking_needs
    if code is not None:
        code = code.strip()
        if not code:
            raise InvalidData("code: empty")
        if fetch_rows(conn, d, ["id"], where="code", values=[code]):
            raise Conflict(f"code: a docking post {code!r} exists already")
    row = {
        "code": code or _next_code(conn),
        "enterprise_id": int(ent["id"]),
        "kind": kind,
        "product": product,
        "quantity": quantity,
        "unit": unit.strip(),
        "specification": specification.strip(),
        "preferred_regions": regions,
        "status": "open",
        "posted_on": posted_on or date.today(),
        "source": source,
        "imported_at": datetime.now(UTC),
    }
    with conn.begin_nested():
        insert_rows(conn, d, [row])
    return get_need(conn, str(row["code"]))


def _need(row: dict[str, Any], names: dict[int, str]) -> Need:
    posted = row["posted_on"]
    if posted is not None and not isinstance(posted, date):
        posted = date.fromisoformat(str(posted))
    return Need(
        id=int(row["id"]),
        code=str(row["code"]),
        enterprise_id=int(row["enterprise_id"]),
        enterprise=names.get(int(row["enterprise_id"]), ""),
        kind=str(row["kind"]),
        product=str(row["product"]),
        quantity=None if row["quantity"] is None else float(row["quantity"]),
        unit=str(row["unit"] or ""),
        specification=str(row["specification"] or ""),
        preferred_regions=tuple(row["preferred_regions"] or ()),
        status=str(row["status"]),
        posted_on=posted,
    )


def _names(conn: sa.Connection, ids: list[int]) -> dict[int, str]:
    rows = fetch_rows(conn, s.enterprises, ["id", "name"], where="id", values=ids)
    return {int(r["id"]): str(r["name"]) for r in rows}


def get_need(conn: sa.Connection, code: str, *, enterprise_id: int | None = None) -> Need:
    """Return the post ``code``; with ``enterprise_id``, only when it is that enterprise's.

    Raises
    ------
    NotFound
        When there is no such post, or it belongs to another enterprise than
        ``enterprise_id`` (an enterprise never learns of others' posts).
    """
    rows = fetch_rows(conn, sa_.docking_needs, where="code", values=[code.strip()])
    if not rows or (enterprise_id is not None and int(rows[0]["enterprise_id"]) != enterprise_id):
        raise NotFound(f"need: no docking post {code!r} (list them with `chainatlas match needs`)")
    return _need(rows[0], _names(conn, [int(rows[0]["enterprise_id"])]))


def list_needs(
    conn: sa.Connection,
    *,
    enterprise_id: int | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> list[Need]:
    """Return docking posts, newest first; an enterprise-scoped caller passes its id.

    Raises
    ------
    InvalidData
        On an unknown kind or status.
    """
    if kind is not None and kind not in NEED_KINDS:
        raise InvalidData(f"kind: must be need or capability, not {kind!r}")
    if status is not None and status not in NEED_STATUSES:
        raise InvalidData(f"status: must be one of {', '.join(NEED_STATUSES)}, not {status!r}")
    d = sa_.docking_needs
    stmt = sa.select(d)
    if enterprise_id is not None:
        stmt = stmt.where(d.c.enterprise_id == enterprise_id)
    if kind is not None:
        stmt = stmt.where(d.c.kind == kind)
    if status is not None:
        stmt = stmt.where(d.c.status == status)
    rows = [dict(r._mapping) for r in conn.execute(stmt.order_by(d.c.id.desc()))]
    names = _names(conn, sorted({int(r["enterprise_id"]) for r in rows}))
    return [_need(r, names) for r in rows]
