"""Models of the enterprise page (the portrait as the user may see it).

These models read the portrait (:mod:`chainatlas.services.portrait`); fields the
portrait adds later are dropped rather than refused (``extra="ignore"``), so that a new
portrait field never breaks the API before it is described here.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from .common import Model

__all__ = [
    "ChainPosition",
    "EnterpriseOut",
    "Lifecycle",
    "PartnerOut",
    "PartnerSide",
    "Policies",
    "PolicyMatch",
    "Profile",
    "RegionStep",
    "TrendYear",
]


class _Portrait(Model):
    model_config = ConfigDict(strict=True, extra="ignore")


class RegionStep(_Portrait):
    """One region on the path from the country down to the enterprise's district."""

    code: str
    name: str
    level: str


class Profile(_Portrait):
    """Who the enterprise is."""

    id: int
    name: str
    name_en: str
    credit_code: str | None
    aliases: list[str]
    region: RegionStep | None
    region_path: list[RegionStep]
    park: dict[str, Any] | None
    industry: dict[str, Any] | None
    size_class: str | None
    ownership: str | None
    founded_on: str | None
    age_years: float | None
    listed: bool
    stock_code: str | None
    exchange: str | None
    high_tech: bool
    srdi_level: str
    tags: list[str]
    description: str


class TrendYear(_Portrait):
    """Figures of one year (money in yuan)."""

    year: int
    output_value: float | None
    revenue: float | None
    employees: float | None
    rd_spend: float | None
    patents: float | None
    rd_intensity: float | None
    revenue_growth: float | None


class Lifecycle(_Portrait):
    """The life-cycle stage and why."""

    stage: str
    stage_zh: str
    reason: str
    reason_zh: str


class ChainPosition(_Portrait):
    """A segment the enterprise works in."""

    chain: str
    chain_name: str
    chain_name_en: str
    segment: str
    segment_name: str
    segment_name_en: str
    position: str | None
    main_product: str
    revenue_share: float | None


class PartnerOut(_Portrait):
    """A supplier or customer, with the value bought or sold."""

    id: int
    name: str | None
    region: str | None
    region_name: str | None
    products: list[str]
    annual_value: float | None
    share_of_value: float | None


class PartnerSide(_Portrait):
    """Suppliers or customers: counts, total value and the largest."""

    count: int
    links: int
    total_value: float | None
    top: list[PartnerOut]


class PolicyMatch(_Portrait):
    """A policy the enterprise qualifies for."""

    code: str
    title: str
    title_en: str
    benefits: str
    benefits_en: str
    valid_to: str | None


class Policies(_Portrait):
    """Matched policies and the closest misses."""

    qualified: list[PolicyMatch]
    closest: list[dict[str, Any]]


class EnterpriseOut(_Portrait):
    """The enterprise page."""

    on: str = Field(description="Day of the age and policy check (ISO date).")
    profile: Profile
    trends: list[TrendYear]
    lifecycle: Lifecycle
    tags: dict[str, Any]
    chain_positions: list[ChainPosition]
    suppliers: PartnerSide
    customers: PartnerSide
    risks: list[dict[str, Any]]
    policies: Policies
    links_visible: bool = Field(description="Whether suppliers and customers may be shown.")
