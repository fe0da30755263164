"""The stored policies with their checked eligibility rules.

A policy's region (``policies.region_id``) limits who it is for: when its rule tests no
``region`` itself, the rule evaluated is the stored rule *and* ``region in [the policy's
region code]`` (path ``policy.region``), so a Hangzhou policy never qualifies a Ningbo
firm. A rule that does test ``region`` is taken as it is (cooperation-area policies list
their member regions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from chainatlas.domain.policy_rules import Condition, Rule, parse_rule
from chainatlas.errors import PolicyNotFound, RuleError
from chainatlas.store import schema as s
from chainatlas.store import schema_activity as sa_
from chainatlas.store.records import fetch_rows

__all__ = ["PolicyRecord", "get_policy", "list_policies"]


def _day(v: Any) -> date | None:
    if v is None or isinstance(v, date):
        return v
    return date.fromisoformat(str(v)[:10])


@dataclass(frozen=True, slots=True)
class PolicyRecord:
    """One stored policy; ``rule`` is None and ``error`` says why when its rule is invalid."""

    id: int
    code: str
    title: str
    title_en: str
    issuer: str
    region: str | None
    valid_from: date | None
    valid_to: date | None
    benefits: str
    benefits_en: str
    url: str
    eligibility: dict[str, Any]
    rule: Rule | None
    error: str | None

    def active_on(self, day: date) -> bool:
        """Return whether the policy is valid on ``day`` (open ends are unbounded)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def inactive_reason(self, day: date) -> str:
        """Return why the policy is not valid on ``day`` ('' when it is)."""
        if self.valid_from is not None and day < self.valid_from:
            return f"not valid before {self.valid_from.isoformat()}"
        if self.valid_to is not None and day > self.valid_to:
            return f"expired on {self.valid_to.isoformat()}"
        return ""

    def effective_rule(self) -> Rule | None:
        """Return the rule evaluated: the stored one, limited to the policy's region."""
        if self.rule is None:
            return None
        if self.region is None or self.rule.mentions("region"):
            return self.rule
        return self.rule.with_condition(Condition("policy.region", "region", "in", [self.region]))

    def summary(self) -> dict[str, Any]:
        """Return the policy's JSON shape without the evaluation."""
        return {
            "code": self.code,
            "title": self.title,
            "title_en": self.title_en,
            "issuer": self.issuer,
            "region": self.region,
            "valid_from": None if self.valid_from is None else self.valid_from.isoformat(),
            "valid_to": None if self.valid_to is None else self.valid_to.isoformat(),
            "benefits": self.benefits,
            "benefits_en": self.benefits_en,
            "url": self.url,
            "eligibility": self.eligibility,
            "rule_error": self.error,
        }


def _record(row: dict[str, Any], regions: dict[int, str]) -> PolicyRecord:
    rule: Rule | None = None
    error: str | None = None
    elig = row["eligibility"] if isinstance(row["eligibility"], dict) else {}
    try:
        rule = parse_rule(row["eligibility"])
    except RuleError as err:
        error = err.message
    return PolicyRecord(
        id=int(row["id"]),
        code=str(row["code"]),
        title=str(row["title"]),
        title_en=str(row["title_en"] or ""),
        issuer=str(row["issuer"] or ""),
        region=None if row["region_id"] is None else regions.get(int(row["region_id"])),
        valid_from=_day(row["valid_from"]),
        valid_to=_day(row["valid_to"]),
        benefits=str(row["benefits"] or ""),
        benefits_en=str(row["benefits_en"] or ""),
        url=str(row["url"] or ""),
        eligibility=elig,
        rule=rule,
        error=error,
    )


def list_policies(conn: sa.Connection) -> list[PolicyRecord]:
    """Return every stored policy, ordered by code, with its rule checked."""
    rows = fetch_rows(conn, sa_.policies, order_by="code")
    region_ids = {int(r["region_id"]) for r in rows if r["region_id"] is not None}
    regions = {
        int(r["id"]): str(r["code"])
        for r in fetch_rows(conn, s.regions, ["id", "code"], where="id", values=region_ids)
    }
    return [_record(r, regions) for r in rows]


def get_policy(conn: sa.Connection, code: str) -> PolicyRecord:
    """Return the policy with ``code``.

    Raises
    ------
    PolicyNotFound
        When no policy has that code (the message lists some that do).
    """
    rows = fetch_rows(conn, sa_.policies, where="code", values=[code])
    if not rows:
        known = [r["code"] for r in fetch_rows(conn, sa_.policies, ["code"], order_by="code")]
        shown = ", ".join(known[:10]) + (" …" if len(known) > 10 else "")
        raise PolicyNotFound(f"no policy has the code {code!r} (policies: {shown or 'none'})")
    row = rows[0]
    regions: dict[int, str] = {}
    if row["region_id"] is not None:
        got = fetch_rows(conn, s.regions, ["id", "code"], where="id", values=[row["region_id"]])
        regions = {int(r["id"]): str(r["code"]) for r in got}
    return _record(row, regions)
