"""Models of the home dashboard, the chain list and search."""

from __future__ import annotations

from pydantic import Field

from .common import ChainRef, Model, RegionOut

__all__ = [
    "AreaOut",
    "ChainList",
    "ChainSummary",
    "DashboardOut",
    "EnterpriseHit",
    "Headline",
    "SearchOut",
]


class Headline(Model):
    """Headline figures of a region (enterprises located in it and in its sub-regions)."""

    enterprises: int
    output: float | None = Field(description="Output in yuan in the latest year with output.")
    high_tech: int
    srdi: int = Field(description="Provincial or national 专精特新 enterprises.")
    listed: int
    supply_links: int = Field(description="Supply links whose buyer is located in the region.")
    chains: int


class ChainSummary(ChainRef):
    """A chain with its segment count and the local enterprises working in it."""

    segments: int
    local_enterprises: int


class ChainList(Model):
    """Every chain."""

    data: list[ChainSummary]
    count: int


class AreaOut(RegionOut):
    """A sub-region with its enterprise count."""

    enterprises: int


class DashboardOut(Model):
    """The home dashboard of one region."""

    region: RegionOut
    year: int | None
    headline: Headline
    chains: list[ChainSummary]
    areas: list[AreaOut]


class EnterpriseHit(Model):
    """An enterprise found by search."""

    id: int
    name: str
    name_en: str
    credit_code: str | None
    aliases: list[str]
    region_code: str | None
    region_name: str | None
    region_name_en: str | None


class SearchOut(Model):
    """Search results: enterprises, chains and regions the user may see."""

    q: str
    enterprises: list[EnterpriseHit]
    chains: list[ChainRef]
    regions: list[RegionOut]
