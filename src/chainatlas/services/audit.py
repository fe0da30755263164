"""The audit log: who changed what, when, and from where.

Every change to shared data or accounts, through the API, the web app or the CLI, writes
one ``audit_log`` row in the same transaction as the change, so a rolled-back change
leaves no record and a committed one always has its record. Actions are short dotted
names (``user.add``, ``token.issue``, ``import.enterprises``). Secrets never reach the
log: detail keys such as ``password`` or ``token`` are replaced by ``"***"``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from chainatlas.errors import InvalidData
from chainatlas.services.principals import Principal, as_utc
from chainatlas.store.schema_access import audit_log

__all__ = ["CLI_USERNAME", "MAX_LIST", "list_audit", "record"]

CLI_USERNAME = "cli"
"""The name recorded for changes made without a signed-in user (the command line)."""

MAX_LIST = 10_000
"""The most audit records :func:`list_audit` returns at once."""

_SECRET_KEYS = frozenset(
    {"password", "password_hash", "token", "secret", "csrf_token", "session", "api_token"}
)
_LIMITS = {"action": 40, "entity": 40, "entity_id": 100, "ip": 64, "username": 80}


def _redacted(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            str(k): "***" if str(k).lower() in _SECRET_KEYS else _redacted(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redacted(v) for v in value]
    return value


def record(
    conn: sa.Connection,
    principal: Principal | None,
    action: str,
    *,
    entity: str = "",
    entity_id: str = "",
    detail: dict[str, Any] | None = None,
    ip: str = "",
    username: str | None = None,
) -> None:
    """Write one audit record in the caller's transaction.

    Parameters
    ----------
    conn
        Connection in the transaction that makes the change.
    principal
        Who made the change; None for the command line (recorded as ``"cli"``) or, with
        ``username``, for a request without a signed-in user (e.g. a failed login).
    action
        What was done, e.g. ``"user.add"`` (1-40 characters).
    entity, entity_id
        What it was done to, e.g. ``"user"`` and ``"alice"``.
    detail
        JSON-ready facts about the change; dates and other values become strings, and
        secret-looking keys are masked.
    ip
        The client address, when there is one.
    username
        The name to record when ``principal`` is None (default ``"cli"``).

    Raises
    ------
    InvalidData
        When ``action`` is empty or a field is longer than its column.
    """
    who = principal.username if principal is not None else (username or CLI_USERNAME)
    fields = {
        "action": action.strip(),
        "entity": entity,
        "entity_id": str(entity_id),
        "ip": ip,
        "username": who,
    }
    if not fields["action"]:
        raise InvalidData("an audit record needs an action")
    for name, limit in _LIMITS.items():
        if len(fields[name]) > limit:
            raise InvalidData(
                f"audit {name} {fields[name][:50]!r} is longer than {limit} characters"
            )
    stored = None
    if detail is not None:
        stored = json.loads(json.dumps(_redacted(detail), ensure_ascii=False, default=str))
    conn.execute(
        audit_log.insert().values(
            at=datetime.now(UTC),
            user_id=principal.user_id if principal is not None else None,
            detail=stored,
            **fields,
        )
    )


def list_audit(
    conn: sa.Connection, *, limit: int = 100, username: str | None = None
) -> list[dict[str, Any]]:
    """Return the newest audit records first, optionally only those of ``username``.

    Each dict has ``id``, ``at`` (aware UTC datetime), ``user_id``, ``username``,
    ``action``, ``entity``, ``entity_id``, ``detail`` and ``ip``.

    Raises
    ------
    InvalidData
        When ``limit`` is not between 1 and :data:`MAX_LIST`.
    """
    if not 1 <= limit <= MAX_LIST:
        raise InvalidData(f"limit must be between 1 and {MAX_LIST}, not {limit}")
    t = audit_log
    stmt = sa.select(t).order_by(t.c.at.desc(), t.c.id.desc()).limit(limit)
    if username is not None:
        stmt = stmt.where(sa.func.lower(t.c.username) == username.lower())
    out = []
    for r in conn.execute(stmt).mappings():
        row = dict(r)
        row["at"] = as_utc(row["at"])
        out.append(row)
    return out
