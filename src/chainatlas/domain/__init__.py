"""Domain types: frozen dataclasses and enums; imports nothing else from the project."""

from chainatlas.domain.chain import Chain, InputClass, Position, Segment, SegmentEdge
from chainatlas.domain.credit_code import check_credit_code, is_valid_credit_code
from chainatlas.domain.enterprise import Enterprise, Ownership, SizeClass, SrdiLevel
from chainatlas.domain.link import SupplyLink
from chainatlas.domain.names import normalise_name
from chainatlas.domain.region import Region, RegionLevel

__all__ = [
    "Chain",
    "Enterprise",
    "InputClass",
    "Ownership",
    "Position",
    "Region",
    "RegionLevel",
    "Segment",
    "SegmentEdge",
    "SizeClass",
    "SrdiLevel",
    "SupplyLink",
    "check_credit_code",
    "is_valid_credit_code",
    "normalise_name",
]
