"""Models of the docking pages (供需对接): posts, matches, leads (docs/docking.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from .common import Model, TextOut

__all__ = [
    "CounterpartOut",
    "LeadIn",
    "LeadList",
    "LeadOut",
    "MatchPageOut",
    "NeedIn",
    "NeedList",
    "NeedOut",
    "SavedLeadsOut",
]


class NeedIn(Model):
    """A need (to buy) or capability (to supply) to post for an enterprise."""

    enterprise: (
        Annotated[int, Field(ge=1, le=2_147_483_647)]
        | Annotated[str, Field(min_length=1, max_length=200)]
        | None
    ) = Field(
        default=None,
        description="Id, credit code or name; enterprise users may omit it (their own).",
    )
    kind: Literal["need", "capability"]
    product: str = Field(max_length=300, description="What is wanted or offered.")
    quantity: float | None = Field(default=None, ge=0, le=1e15)
    unit: str = Field(default="", max_length=40)
    specification: str = Field(default="", max_length=2000)
    preferred_regions: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=20
    )


class NeedOut(Model):
    """A docking post."""

    id: int
    code: str
    enterprise: dict[str, Any] = Field(description="id and name.")
    kind: str
    product: str
    quantity: float | None
    unit: str
    specification: str
    preferred_regions: list[str]
    status: str
    posted_on: str | None


class NeedList(Model):
    """The posts the user may see, newest first."""

    kind: str | None
    status: str | None
    own_enterprise: int | None
    count: int
    data: list[NeedOut]


class CounterpartOut(Model):
    """A ranked counterpart: its public profile, score, components and reasons."""

    rank: int
    id: int
    name: str
    name_en: str
    region: dict[str, Any] | None
    size_class: str | None
    segments: list[dict[str, Any]]
    score: float
    components: dict[str, float]
    matched_text: str
    distance_level: str
    reasons: list[TextOut]


class MatchPageOut(Model):
    """A post and its ranked counterparts."""

    need: NeedOut
    query: dict[str, Any]
    weights: dict[str, Any]
    candidates: int
    counterparts: list[CounterpartOut]
    index: dict[str, Any]
    warnings: list[TextOut]


class LeadOut(Model):
    """A saved lead and its status."""

    id: int
    need: str
    counterpart: dict[str, Any]
    score: float
    reasons: list[dict[str, Any]]
    status: str
    note: str
    created_at: str
    updated_at: str


class SavedLeadsOut(Model):
    """Leads created from a match, and how many counterparts had one already."""

    need: str
    created: list[LeadOut]
    existing: int


class LeadList(Model):
    """The leads the user may see, best score first."""

    status: str | None
    need: str | None
    count: int
    statuses: list[str]
    transitions: dict[str, list[str]]
    data: list[LeadOut]


class LeadIn(Model):
    """A lead's new status, and optionally a note."""

    status: Literal["proposed", "contacted", "deal", "declined"]
    note: str | None = Field(default=None, max_length=2000)
