"""Docking leads: matches an officer follows up, with a status.

A lead joins a post and one counterpart, with the match score and reasons at the time it
was saved. Its status moves along :data:`LEAD_TRANSITIONS`:

    proposed → contacted → deal
    proposed → declined, contacted → declined, declined → proposed (reopened)

``deal`` is final; a lead becoming a deal marks its post ``matched``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from chainatlas.errors import InvalidData, NotFound
from chainatlas.services.docking_match import MatchResult, match
from chainatlas.services.docking_needs import get_need
from chainatlas.services.match_index import MatchIndex
from chainatlas.store import schema as s
from chainatlas.store import schema_activity as sa_
from chainatlas.store.records import fetch_rows, insert_rows, update_rows

__all__ = [
    "LEAD_STATUSES",
    "LEAD_TRANSITIONS",
    "Lead",
    "SavedLeads",
    "list_leads",
    "save_leads",
    "update_lead",
]

LEAD_STATUSES = ("proposed", "contacted", "deal", "declined")
"""Lead statuses."""

LEAD_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "proposed": ("contacted", "declined"),
    "contacted": ("deal", "declined"),
    "declined": ("proposed",),
    "deal": (),
}
"""The statuses a lead may move to from each status."""


@dataclass(frozen=True, slots=True)
class Lead:
    """One lead: the post, the counterpart (name and region only), score, reasons, status."""

    id: int
    need: str
    counterpart: dict[str, Any]
    score: float
    reasons: list[dict[str, str]]
    status: str
    note: str
    created_at: str
    updated_at: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape (see docs/docking.md)."""
        return {
            "id": self.id,
            "need": self.need,
            "counterpart": self.counterpart,
            "score": round(self.score, 2),
            "reasons": self.reasons,
            "status": self.status,
            "note": self.note,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class SavedLeads:
    """Leads created from a match, and how many counterparts already had one."""

    need: str
    created: list[Lead]
    existing: int

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape."""
        return {
            "need": self.need,
            "created": [lead.to_dict() for lead in self.created],
            "existing": self.existing,
        }


def _iso(v: Any) -> str:
    return v.isoformat(timespec="seconds") if isinstance(v, datetime) else str(v)


def _leads(conn: sa.Connection, rows: list[dict[str, Any]]) -> list[Lead]:
    need_codes = {
        int(r["id"]): str(r["code"])
        for r in fetch_rows(
            conn, sa_.docking_needs, ["id", "code"], where="id", values=[r["need_id"] for r in rows]
        )
    }
    e, reg = s.enterprises, s.regions
    ids = sorted({int(r["counterpart_id"]) for r in rows})
    people: dict[int, dict[str, Any]] = {}
    for i in range(0, len(ids), 500):
        stmt = (
            sa.select(e.c.id, e.c.name, e.c.name_en, reg.c.code)
            .select_from(e.outerjoin(reg, reg.c.id == e.c.region_id))
            .where(e.c.id.in_(ids[i : i + 500]))
        )
        for row in conn.execute(stmt):
            people[int(row[0])] = {
                "id": int(row[0]),
                "name": row[1],
                "name_en": row[2] or "",
                "region": row[3],
            }
    return [
        Lead(
            id=int(r["id"]),
            need=need_codes.get(int(r["need_id"]), ""),
            counterpart=people.get(int(r["counterpart_id"]), {"id": int(r["counterpart_id"])}),
            score=float(r["score"]),
            reasons=list(r["reasons"] or []),
            status=str(r["status"]),
            note=str(r["note"] or ""),
            created_at=_iso(r["created_at"]),
            updated_at=_iso(r["updated_at"]),
        )
        for r in rows
    ]


def save_leads(
    conn: sa.Connection,
    need: str,
    *,
    result: MatchResult | None = None,
    top: int = 20,
    as_enterprise: int | None = None,
    index: MatchIndex | None = None,
) -> SavedLeads:
    """Save the counterparts of a match of post ``need`` as proposed leads.

    ``result`` is a match of that post (run now with ``top`` when None). Counterparts that
    already have a lead for the post keep it unchanged. All leads are written in one
    SAVEPOINT.

    Raises
    ------
    InvalidData
        When ``result`` is not a match of post ``need``.
    NotFound
        When the post does not exist (or is another enterprise's).
    """
    post = get_need(conn, need, enterprise_id=as_enterprise)
    if result is None:
        result = match(conn, post.code, top=top, as_enterprise=as_enterprise, index=index)
    elif result.query.get("need") != post.code:
        raise InvalidData(f"need: the match given is not a match of post {post.code}")
    d = sa_.docking_leads
    have = {
        int(r["counterpart_id"])
        for r in fetch_rows(
            conn, d, ["need_id", "counterpart_id"], where="need_id", values=[post.id]
        )
    }
    now = datetime.now(UTC)
    rows = [
        {
            "need_id": post.id,
            "counterpart_id": int(c.profile["id"]),
            "score": round(c.score, 4),
            "reasons": [r.to_dict() for r in c.reasons],
            "status": "proposed",
            "note": "",
            "created_at": now,
            "updated_at": now,
            "source": "match",
            "imported_at": now,
        }
        for c in result.counterparts
        if int(c.profile["id"]) not in have
    ]
    with conn.begin_nested():
        ids = insert_rows(conn, d, rows)
    created = _leads(conn, fetch_rows(conn, d, where="id", values=ids)) if ids else []
    created.sort(key=lambda lead: (-lead.score, lead.id))
    return SavedLeads(post.code, created, len(result.counterparts) - len(rows))


def _lead_row(conn: sa.Connection, lead_id: int, enterprise_id: int | None) -> dict[str, Any]:
    rows = fetch_rows(conn, sa_.docking_leads, where="id", values=[lead_id])
    if rows and enterprise_id is not None:
        owner = fetch_rows(
            conn, sa_.docking_needs, ["enterprise_id"], where="id", values=[rows[0]["need_id"]]
        )
        if not owner or int(owner[0]["enterprise_id"]) != enterprise_id:
            rows = []
    if not rows:
        raise NotFound(f"lead: no lead {lead_id} (list them with `chainatlas match leads`)")
    return rows[0]


def update_lead(
    conn: sa.Connection,
    lead_id: int,
    status: str,
    note: str | None = None,
    *,
    enterprise_id: int | None = None,
) -> Lead:
    """Move a lead to ``status`` (see :data:`LEAD_TRANSITIONS`), optionally with a note.

    Keeping the same status only changes the note. A deal marks the post ``matched``.

    Raises
    ------
    InvalidData
        On an unknown status or a transition that is not allowed (the message lists
        the allowed ones).
    NotFound
        When the lead does not exist (or belongs to another enterprise's post).
    """
    if status not in LEAD_STATUSES:
        raise InvalidData(f"status: must be one of {', '.join(LEAD_STATUSES)}, not {status!r}")
    row = _lead_row(conn, lead_id, enterprise_id)
    old = str(row["status"])
    if status != old and status not in LEAD_TRANSITIONS[old]:
        allowed = ", ".join(LEAD_TRANSITIONS[old]) or "none (a deal is final)"
        raise InvalidData(
            f"status: lead {lead_id} cannot go from {old} to {status}; allowed: {allowed}"
        )
    change: dict[str, Any] = {"id": lead_id, "status": status, "updated_at": datetime.now(UTC)}
    if note is not None:
        change["note"] = note
    with conn.begin_nested():
        update_rows(conn, sa_.docking_leads, [change])
        if status == "deal":
            update_rows(conn, sa_.docking_needs, [{"id": row["need_id"], "status": "matched"}])
    return _leads(conn, fetch_rows(conn, sa_.docking_leads, where="id", values=[lead_id]))[0]


def list_leads(
    conn: sa.Connection,
    *,
    status: str | None = None,
    need: str | None = None,
    enterprise_id: int | None = None,
) -> list[Lead]:
    """Return leads, best score first; ``enterprise_id`` limits them to that enterprise's posts.

    Raises
    ------
    InvalidData
        On an unknown status.
    NotFound
        When ``need`` does not exist (or is another enterprise's).
    """
    if status is not None and status not in LEAD_STATUSES:
        raise InvalidData(f"status: must be one of {', '.join(LEAD_STATUSES)}, not {status!r}")
    d, n = sa_.docking_leads, sa_.docking_needs
    stmt = sa.select(d).join(n, n.c.id == d.c.need_id)
    if status is not None:
        stmt = stmt.where(d.c.status == status)
    if need is not None:
        stmt = stmt.where(d.c.need_id == get_need(conn, need, enterprise_id=enterprise_id).id)
    if enterprise_id is not None:
        stmt = stmt.where(n.c.enterprise_id == enterprise_id)
    rows = [dict(r._mapping) for r in conn.execute(stmt.order_by(d.c.score.desc(), d.c.id))]
    return _leads(conn, rows)
