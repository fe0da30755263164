"""Shared API models: the strict base, the error shape, texts, the signed-in user, regions."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ChainRef",
    "ErrorOut",
    "MeOut",
    "Model",
    "RegionList",
    "RegionOut",
    "TextOut",
]


class Model(BaseModel):
    """Base of every API model: strict types, unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid")


class ErrorOut(Model):
    """The one error shape of every failed request."""

    ok: Literal[False] = Field(description="Always false.")
    error: str = Field(description="One-line message naming what is wrong.")
    errors: list[dict[str, Any]] = Field(
        description="Details: validation problems (loc, msg, type) or rejected import rows "
        "(file, row, column, value, reason)."
    )
    status: int = Field(description="The HTTP status, repeated.")


class TextOut(Model):
    """A reason or message in both languages, with a machine-readable code."""

    code: str
    zh: str
    en: str


class MeOut(Model):
    """The signed-in user, its role and data scope."""

    user_id: int
    username: str
    display_name: str
    role: Literal["admin", "analyst", "enterprise", "viewer"]
    enterprise_id: int | None
    region_ids: list[int] | None = Field(description="Visible regions; null means all.")
    locale: Literal["zh", "en"]
    is_admin: bool
    can_write: bool


class RegionOut(Model):
    """A region (or, with level ``group``, a cooperation area)."""

    id: int
    code: str
    name_zh: str
    name_en: str
    level: str
    parent_id: int | None


class RegionList(Model):
    """The regions the user may choose."""

    data: list[RegionOut]
    count: int


class ChainRef(Model):
    """A chain's code and names."""

    code: str
    name_zh: str
    name_en: str
