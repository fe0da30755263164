"""Models of the chain page, the segment page and the risk list."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import ChainRef, Model, TextOut

__all__ = [
    "ChainPageOut",
    "CountermeasureOut",
    "GapOut",
    "GraphEdge",
    "GraphNode",
    "GraphOut",
    "KeyEnterprise",
    "LeaderOut",
    "MemberOut",
    "NamedRef",
    "ReportRegion",
    "RiskAction",
    "RiskListOut",
    "RiskMeasures",
    "RiskOut",
    "RiskSummary",
    "Scorecard",
    "SegmentDetail",
    "SegmentOut",
    "SegmentPageOut",
    "SegmentRef",
    "SupplierOut",
    "SupplierSide",
    "Suppliers",
]

Level = Literal["high", "medium", "low"]


class NamedRef(Model):
    """An enterprise named in a list."""

    id: int
    name: str


class ReportRegion(Model):
    """The region a report is about."""

    code: str
    name: str
    name_en: str


class Scorecard(Model):
    """Segment counts by status, completeness and the strength score of a chain."""

    segments: int
    strong: int
    present: int
    weak: int
    missing: int
    completeness: float | None
    score: float | None
    local_enterprises: int
    chain_owners: int


class RiskSummary(Model):
    """Risk points by level (all of them, not only those listed)."""

    points: int
    high: int
    medium: int
    low: int


class GraphNode(Model):
    """A segment in the chain graph."""

    id: str
    name: str
    name_en: str
    position: Literal["upstream", "midstream", "downstream"]
    order: int
    status: str = Field(description="strong, present, weak or missing.")
    risk: str = Field(description="Worst risk level of the segment, or none.")
    enterprises: int
    output: float | None
    lq: float | None
    choke_point: bool


class GraphEdge(Model):
    """A supply edge between two segments, with the local links and value along it."""

    source: str
    target: str
    input_class: str
    links: int
    local_value: float


class GraphOut(Model):
    """The chain graph."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]


class LeaderOut(NamedRef):
    """A leading local enterprise of a segment."""

    output: float | None


class SegmentOut(Model):
    """One segment's strength figures."""

    id: str
    name: str
    name_en: str
    position: Literal["upstream", "midstream", "downstream"]
    importance: float
    choke_point: bool
    enterprises: int
    output: float | None
    share: float | None
    lq: float | None
    growth: float | None
    status: str
    reason: TextOut
    leaders: list[LeaderOut]


class KeyEnterprise(NamedRef):
    """A chain owner or segment leader."""

    role: str
    segment: str
    output: float | None


class GapOut(Model):
    """A missing or weak segment with what to do and whom to attract."""

    segment: str
    name: str
    name_en: str
    status: str
    importance: float
    choke_point: bool
    enterprises: int
    lq: float | None
    zh: str
    en: str
    targets: list[NamedRef]


class CountermeasureOut(Model):
    """A ranked countermeasure of the chain."""

    rank: int
    kind: str
    segment: str
    level: Level
    risk_points: int
    zh: str
    en: str


class RiskMeasures(Model):
    """The numbers behind a risk point."""

    suppliers: int
    hhi: float | None
    outside_share: float | None
    foreign_share: float | None
    geo_hhi: float | None
    exposure: float | None


class RiskAction(Model):
    """One proposed action of a risk point."""

    kind: str
    zh: str
    en: str
    targets: list[NamedRef]


class RiskOut(Model):
    """A broken-chain risk point."""

    id: str
    chain: str
    region: str
    level: Level
    score: float
    scope: str
    segment: str
    segment_name: str
    segment_name_en: str
    product: str
    buyer: NamedRef | None
    reasons: list[TextOut]
    measures: RiskMeasures
    countermeasures: list[RiskAction]


class ChainPageOut(Model):
    """The chain page: graph, scorecard, segments, lists and the worst risk points."""

    chain: ChainRef
    region: ReportRegion
    year: int | None
    basis: str
    reference: str
    redacted: bool = Field(description="True when other firms are left out (enterprise users).")
    scorecard: Scorecard
    risk_summary: RiskSummary
    graph: GraphOut
    segments: list[SegmentOut]
    key_enterprises: list[KeyEnterprise]
    gaps: list[GapOut]
    countermeasures: list[CountermeasureOut]
    risks: list[RiskOut]
    risks_visible: int
    warnings: list[TextOut]


class SegmentRef(Model):
    """A segment's code and names."""

    id: str
    name: str
    name_en: str


class SegmentDetail(SegmentOut):
    """A segment with its products, risk level and neighbours."""

    products: list[str]
    choke_technologies: list[str]
    risk: str
    upstream: list[SegmentRef] = Field(description="Segments supplying this one.")
    downstream: list[SegmentRef] = Field(description="Segments this one supplies.")


class MemberOut(NamedRef):
    """A local enterprise working in the segment."""

    region: str | None
    region_name: str | None
    output: float | None


class SupplierOut(NamedRef):
    """A supplier of the segment's products to local buyers."""

    region: str | None
    region_name: str | None
    region_name_en: str | None
    links: int
    value: float | None


class SupplierSide(Model):
    """Suppliers inside or outside the region."""

    count: int
    links: int
    value: float
    top: list[SupplierOut]


class Suppliers(Model):
    """Suppliers of the segment's products to buyers in the region."""

    inside: SupplierSide
    outside: SupplierSide


class SegmentPageOut(Model):
    """The segment page."""

    chain: ChainRef
    region: ReportRegion
    year: int | None
    basis: str
    reference: str
    redacted: bool
    segment: SegmentDetail
    enterprises: list[MemberOut] = Field(
        description="The segment's local enterprises, largest output first (at most 100; "
        "segment.enterprises counts them all)."
    )
    suppliers: Suppliers
    risks: list[RiskOut] = Field(description="The worst risk points of the segment (at most 200).")
    risks_visible: int = Field(description="Risk points of the segment the user may see.")


class RiskListOut(Model):
    """A page of risk points across chains."""

    region: ReportRegion
    chains: list[str]
    level: Level | None
    total: int
    offset: int
    limit: int
    data: list[RiskOut]
