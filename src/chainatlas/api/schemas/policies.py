"""Models of the policy pages: the list, one policy with its push list, an enterprise's check.

The verdict models read :mod:`chainatlas.services.policies`; like the enterprise portrait's
models they drop fields the engine adds later (``extra="ignore"``) rather than refuse
them, so a new field never breaks the API before it is described here.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from .common import Model

__all__ = [
    "ConditionOut",
    "ConditionResultOut",
    "PolicyCheckOut",
    "PolicyList",
    "PolicyPageOut",
    "PolicySummaryOut",
    "PolicyVerdictOut",
    "PushOut",
]


class _Engine(Model):
    model_config = ConfigDict(strict=True, extra="ignore")


class PolicySummaryOut(_Engine):
    """A policy: who issued it, where and when it applies, what it gives."""

    code: str
    title: str
    title_en: str
    issuer: str
    region: str | None = Field(description="Region code the policy is limited to.")
    valid_from: str | None
    valid_to: str | None
    benefits: str
    benefits_en: str
    url: str
    eligibility: dict[str, Any] = Field(description="The rule as written (docs/policies.md).")
    rule_error: str | None
    active: bool = Field(description="Valid on the day of the page.")
    inactive_reason: str | None
    conditions: int = Field(description="Number of conditions in the rule.")


class PolicyList(Model):
    """Every policy."""

    on: str = Field(description="Day validity is judged on (ISO date).")
    count: int
    active: int
    data: list[PolicySummaryOut]


class ConditionOut(Model):
    """One condition of a rule, in the order written."""

    path: str
    group: str = Field(description="all: every condition must hold; any: one is enough.")
    depth: int
    field: str
    label: str
    label_zh: str
    op: str
    value: Any
    year: int | None
    unit: str
    negated: bool


class PushOut(Model):
    """The enterprises that qualify (免申即享), as the user may see them."""

    region: str | None
    evaluated: int = Field(description="Enterprises checked.")
    count: int = Field(description="Qualifying enterprises the user may see.")
    shown: int
    fields: list[str] = Field(description="The figures tested, one column each.")
    enterprises: list[dict[str, Any]]


class PolicyPageOut(Model):
    """One policy: summary, conditions, push list (null for enterprise users)."""

    policy: PolicySummaryOut
    on: str
    conditions: list[ConditionOut]
    push: PushOut | None
    redacted: bool
    own_qualified: bool | None = Field(
        description="Enterprise users: whether their own enterprise qualifies."
    )


class ConditionResultOut(_Engine):
    """One condition checked against an enterprise, with the gap when it fails."""

    path: str
    field: str
    op: str
    required: Any
    year: int | None
    year_used: int | None
    actual: Any
    passed: bool
    missing: bool
    gap: Any
    reason: str
    reason_zh: str


class PolicyVerdictOut(_Engine):
    """A policy's verdict for the enterprise, condition by condition."""

    code: str
    title: str
    title_en: str
    issuer: str
    region: str | None
    valid_from: str | None
    valid_to: str | None
    benefits: str
    benefits_en: str
    qualified: bool
    failed_count: int
    conditions: list[ConditionResultOut]
    failed: list[ConditionResultOut]


class PolicyCheckOut(_Engine):
    """An enterprise's policy check (docs/policies.md)."""

    enterprise: dict[str, Any]
    on: str
    summary: dict[str, int]
    qualified: list[PolicyVerdictOut]
    failed: list[PolicyVerdictOut]
    inactive: list[dict[str, Any]]
    invalid: list[dict[str, Any]]
