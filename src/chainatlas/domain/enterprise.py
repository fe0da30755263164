"""Enterprises and their classifications."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chainatlas.domain.credit_code import check_credit_code
from chainatlas.errors import InvalidData

__all__ = ["Enterprise", "Ownership", "SizeClass", "SrdiLevel"]


class SizeClass(StrEnum):
    """Enterprise size class (国家统计局《统计上大中小微型企业划分办法》)."""

    LARGE = "large"
    MEDIUM = "medium"
    SMALL = "small"
    MICRO = "micro"


class Ownership(StrEnum):
    """Ownership type."""

    STATE = "state"
    PRIVATE = "private"
    FOREIGN = "foreign"
    JOINT = "joint_venture"
    COLLECTIVE = "collective"
    OTHER = "other"


class SrdiLevel(StrEnum):
    """专精特新 (specialised, refined, distinctive, innovative) recognition level.

    ``seedling`` is 创新型中小企业, ``provincial`` 省级专精特新中小企业 and ``national``
    国家级专精特新"小巨人"企业.
    """

    NONE = "none"
    SEEDLING = "seedling"
    PROVINCIAL = "provincial"
    NATIONAL = "national"


@dataclass(frozen=True, slots=True)
class Enterprise:
    """An enterprise as ChainAtlas knows it (yearly figures live elsewhere)."""

    name: str
    credit_code: str | None = None
    name_en: str = ""
    region: str | None = None
    size_class: SizeClass | None = None
    ownership: Ownership | None = None
    listed: bool = False
    stock_code: str | None = None
    high_tech: bool = False
    srdi_level: SrdiLevel = SrdiLevel.NONE
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidData("an enterprise needs a name")
        if self.credit_code is not None:
            check = check_credit_code(self.credit_code)
            if not check.ok:
                raise InvalidData(f"credit code {self.credit_code!r}: {check.reason}")
