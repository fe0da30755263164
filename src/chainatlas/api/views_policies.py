"""The data of the policy pages, built once for the page and its JSON twin.

- :func:`policies_data`: every policy with its validity on a day;
- :func:`policy_data`: one policy, its conditions and its push list (免申即享) as the
  user may see it;
- :func:`policy_check_data`: one enterprise's policy check (what it qualifies for, and
  each failed condition with its gap).

Who sees what (docs/web.md): policies themselves are public documents, every signed-in
user sees them. Push lists name enterprises: analysts see the enterprises located in
their regions, enterprise users see none (only whether their own enterprise is on the
list), admins and viewers all. A policy check is shown to whoever may see the enterprise.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import sqlalchemy as sa

from chainatlas.errors import InvalidData
from chainatlas.services import policies
from chainatlas.services.access import check_enterprise
from chainatlas.services.build_view import (
    check_not_enterprise,
    rule_conditions,
    visible_region_codes,
)
from chainatlas.services.policy_catalogue import PolicyRecord, get_policy, list_policies
from chainatlas.services.principals import Principal

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "PUSH_SHOWN",
    "check_day",
    "plain",
    "policies_data",
    "policy_check_data",
    "policy_data",
    "push_rows",
]

PUSH_SHOWN = 500
"""The most enterprises of a push list a page shows (the workbook has them all)."""


FIRST_DAY = date(1900, 1, 1)
"""Earliest day a check may be made on (the years rules may name start in 1900)."""

LAST_DAY = date(2100, 12, 31)
"""Latest day a check may be made on."""


def check_day(on: date | None) -> date:
    """Return ``on`` (default today) when it lies between :data:`FIRST_DAY` and :data:`LAST_DAY`.

    Raises
    ------
    InvalidData
        When the day is outside that span.
    """
    day = on or date.today()
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidData(f"on: the day must lie between {FIRST_DAY} and {LAST_DAY}, not {day}")
    return day


def plain(value: Any) -> Any:
    """Return ``value`` with NumPy scalars made Python numbers (JSON-ready), recursively."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [plain(v) for v in items]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _policy_summary(p: PolicyRecord, day: date) -> dict[str, Any]:
    active = p.active_on(day)
    return {
        **plain(p.summary()),
        "active": active,
        "inactive_reason": None if active else p.inactive_reason(day),
        "conditions": len(rule_conditions(p.rule)),
    }


def policies_data(
    conn: sa.Connection, principal: Principal, *, on: date | None = None
) -> dict[str, Any]:
    """Return every policy, ordered by code, with whether it is valid on ``on`` (today).

    Raises
    ------
    InvalidData
        When ``on`` is before 1900 or after 2100.
    """
    day = check_day(on)
    rows = [_policy_summary(p, day) for p in list_policies(conn)]
    return {
        "on": day.isoformat(),
        "count": len(rows),
        "active": sum(1 for r in rows if r["active"]),
        "data": rows,
    }


def push_rows(
    conn: sa.Connection,
    principal: Principal,
    record: PolicyRecord,
    *,
    region: str | None,
    on: date,
) -> tuple[policies.PushList, list[dict[str, Any]]]:
    """Return the push list and the rows of it ``principal`` may see.

    Raises
    ------
    PermissionDenied
        For enterprise users (a push list names other firms).
    RuleError, RegionNotFound
        As :func:`~chainatlas.services.policies.push_list`.
    """
    check_not_enterprise(principal, f"the push list of policy {record.code}")
    push = policies.push_list(conn, record, region=region, on=on)
    codes = visible_region_codes(conn, principal)
    rows = [plain(r) for r in push.enterprises if codes is None or r.get("region") in codes]
    return push, rows


def policy_data(
    conn: sa.Connection,
    principal: Principal,
    code: str,
    *,
    region: str | None = None,
    on: date | None = None,
    limit: int = PUSH_SHOWN,
) -> dict[str, Any]:
    """Return one policy: summary, conditions and the push list as the user may see it.

    Enterprise users get ``push: null`` and ``redacted: true`` with ``own_qualified``,
    whether their own enterprise qualifies. A policy whose rule is invalid has no push
    list (its ``rule_error`` says why).

    Raises
    ------
    PolicyNotFound
        When no policy has ``code``.
    RegionNotFound
        When ``region`` does not exist.
    InvalidData
        When ``on`` is before 1900 or after 2100.
    """
    day = check_day(on)
    record = get_policy(conn, code)
    out: dict[str, Any] = {
        "policy": _policy_summary(record, day),
        "on": day.isoformat(),
        "conditions": plain(rule_conditions(record.rule)),
        "push": None,
        "redacted": principal.role == "enterprise",
        "own_qualified": None,
    }
    if record.effective_rule() is None:
        return out
    if principal.role == "enterprise":
        own = principal.enterprise_id
        push = policies.push_list(conn, record, on=day)
        out["own_qualified"] = own is not None and any(r["id"] == own for r in push.enterprises)
        return out
    push, rows = push_rows(conn, principal, record, region=region, on=day)
    out["push"] = {
        "region": push.region,
        "evaluated": push.evaluated,
        "count": len(rows),
        "shown": min(len(rows), limit),
        "fields": list(push.columns),
        "enterprises": rows[:limit],
    }
    return out


def policy_check_data(
    conn: sa.Connection, principal: Principal, enterprise_id: int, *, on: date | None = None
) -> dict[str, Any]:
    """Return the policy check of an enterprise the user may see.

    Raises
    ------
    PermissionDenied
        When the enterprise is outside the user's scope (enterprise users: not their own).
    EnterpriseNotFound
        When the enterprise does not exist.
    InvalidData
        When ``on`` is before 1900 or after 2100.
    """
    day = check_day(on)
    check_enterprise(conn, principal, enterprise_id)
    result = policies.check_enterprise(conn, enterprise_id, on=day)
    data: dict[str, Any] = plain(result.to_dict())
    return data
