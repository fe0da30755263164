"""Supply links between enterprises."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from chainatlas.errors import InvalidData

__all__ = ["SupplyLink", "check_share"]


def check_share(value: float | None, what: str = "share") -> None:
    """Raise :class:`InvalidData` unless ``value`` is None or a fraction in [0, 1].

    >>> check_share(0.4)
    >>> check_share(1.5)
    Traceback (most recent call last):
    ...
    chainatlas.errors.InvalidData: share must be between 0 and 1, got 1.5
    """
    if value is None:
        return
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise InvalidData(f"{what} must be between 0 and 1, got {value:g}")


@dataclass(frozen=True, slots=True)
class SupplyLink:
    """``supplier`` sells ``product`` to ``buyer``.

    ``share`` is the fraction of the buyer's purchases of inputs that this link supplies;
    ``annual_value`` is in yuan per year.
    """

    supplier: str
    buyer: str
    product: str = ""
    annual_value: float | None = None
    share: float | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    source: str | None = None
    confidence: float = 1.0

    def __post_init__(self) -> None:
        if self.supplier == self.buyer:
            raise InvalidData(f"enterprise {self.supplier!r} cannot supply itself")
        check_share(self.share)
        check_share(self.confidence, "confidence")
        if self.annual_value is not None and not self.annual_value >= 0:
            raise InvalidData(f"annual value must be >= 0, got {self.annual_value:g}")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise InvalidData(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
