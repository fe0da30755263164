"""Models of the build-the-chain pages: attraction targets, opportunities, regions compare."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .common import ChainRef, Model, TextOut

__all__ = [
    "AreaOut",
    "ChainDivisionOut",
    "ContestedOut",
    "DivisionPageOut",
    "LeadOut",
    "LqOut",
    "OpportunitiesPageOut",
    "OpportunityOut",
    "ScopeOut",
    "SegmentTargetsOut",
    "SpecialisationOut",
    "TargetOut",
    "TargetsPageOut",
]


class ScopeOut(Model):
    """The analysed region (or cooperation area) as the analyses describe it."""

    code: str
    name: str
    name_en: str
    kind: str
    country: str | None
    cooperation_areas: list[str]


class AreaOut(Model):
    """A cooperation area (region group)."""

    code: str
    name_zh: str
    name_en: str


class TargetOut(Model):
    """One ranked attraction target."""

    rank: int
    id: int
    name: str
    region: str | None
    region_name: str | None
    tier: str = Field(description="region, cooperation_area, country, abroad or unknown.")
    score: float = Field(description="0-100.")
    components: dict[str, float] = Field(description="fit, scale, growth, ties, ... in [0, 1].")
    measures: dict[str, Any]
    reasons: list[TextOut]


class SegmentTargetsOut(Model):
    """A weak or missing segment and its targets."""

    chain: str
    segment: str
    name: str
    name_en: str
    status: str
    status_reason: TextOut
    local_enterprises: int
    candidates: int
    targets: list[TargetOut]


class TargetsPageOut(Model):
    """The attraction-target page (docs/build-the-chain.md, "Attraction targets")."""

    chain: ChainRef
    region: ScopeOut
    year: int | None
    top: int = Field(description="Targets listed per segment.")
    rules: dict[str, Any]
    relatedness: dict[str, Any]
    segments: list[SegmentTargetsOut]
    warnings: list[TextOut]


class OpportunityOut(Model):
    """One growth opportunity (an industry or segment the region does not have yet)."""

    rank: int
    code: str
    name: str
    name_en: str
    score: float
    attractiveness: float
    measures: dict[str, float | None]
    quality: dict[str, str]
    reasons: list[TextOut]


class OpportunitiesPageOut(Model):
    """The growth-opportunity page (docs/build-the-chain.md, "Growth opportunities")."""

    region: ScopeOut
    by: str
    scheme: str | None
    basis: str
    year: int | None
    strategy: str
    rules: dict[str, Any]
    matrix: dict[str, Any]
    complexity: dict[str, Any]
    candidates: int
    opportunities: list[OpportunityOut]
    scatter: dict[str, Any] = Field(description="Feasibility × attractiveness points.")
    warnings: list[TextOut]


class LqOut(Model):
    """An industry and its location quotient."""

    code: str
    name: str
    lq: float


class SpecialisationOut(Model):
    """How one region's industry structure differs from the group's and the country's."""

    region: str
    name: str
    total: float | None
    krugman_vs_group: float | None
    krugman_vs_country: float | None
    specialised_industries: int
    top_industries: list[LqOut]


class LeadOut(Model):
    """A region's lead score for a chain."""

    region: str
    name: str
    rank: int
    lead_score: float
    share: float | None
    score: float | None
    owners: int
    size: float | None
    reasons: list[TextOut]


class ContestedOut(Model):
    """A segment two or more of the regions specialise in."""

    segment: str
    name: str
    regions: list[str]


class ChainDivisionOut(Model):
    """One chain across the compared regions: the suggested lead and contested segments."""

    chain: str
    name: str
    name_en: str
    basis: str
    lead: LeadOut | None
    ranking: list[LeadOut]
    contested: list[ContestedOut]
    segments: int
    specialised: dict[str, list[str]]


class DivisionPageOut(Model):
    """The regions-compare page (docs/build-the-chain.md, "Division of labour")."""

    group: AreaOut | None
    regions: list[ScopeOut]
    scheme: str
    basis: str
    year: int | None
    specialisation: list[SpecialisationOut]
    similarity: dict[str, dict[str, float]]
    chains: list[ChainDivisionOut]
    rules: dict[str, Any]
    warnings: list[TextOut]
    areas: list[AreaOut] = Field(description="Cooperation areas the user may compare.")
