"""Regions: a hierarchy country > province > city > district > park."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chainatlas.errors import InvalidData

__all__ = ["LEVEL_RANK", "Region", "RegionLevel"]


class RegionLevel(StrEnum):
    """Administrative level of a region (parks sit under districts or cities)."""

    COUNTRY = "country"
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"
    PARK = "park"


LEVEL_RANK = {
    RegionLevel.COUNTRY: 0,
    RegionLevel.PROVINCE: 1,
    RegionLevel.CITY: 2,
    RegionLevel.DISTRICT: 3,
    RegionLevel.PARK: 4,
}


@dataclass(frozen=True, slots=True)
class Region:
    """A region with its code (GB/T 2260 for China, ISO 3166 alpha-2 for countries)."""

    code: str
    name_zh: str
    level: RegionLevel
    name_en: str = ""
    parent: str | None = None
    country: str = "CN"

    def __post_init__(self) -> None:
        if not self.code.strip():
            raise InvalidData("a region needs a code")
        if self.parent == self.code:
            raise InvalidData(f"region {self.code!r} cannot be its own parent")
        if self.level is RegionLevel.COUNTRY and self.parent is not None:
            raise InvalidData(f"country {self.code!r} cannot have a parent region")
