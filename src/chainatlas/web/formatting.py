"""How numbers look on a page: money in 万元/亿元 or millions, shares, counts.

Money is stored in yuan (元). Chinese pages show it in 万元 (10^4 yuan) below one 亿元
(10^8 yuan) and in 亿元 from there, as Chinese statistical yearbooks do; English pages
show millions of yuan ("CNY 12.3 m"), the unit of English-language reporting on Chinese
firms. Missing values show as an em dash.
"""

from __future__ import annotations

import math

__all__ = ["fmt_count", "fmt_money", "fmt_number", "fmt_share"]

_DASH = "—"


def _missing(x: float | int | None) -> bool:
    return x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x)))


def fmt_money(x: float | int | None, lang: str) -> str:
    """Format an amount of yuan for ``lang`` ("zh": 万元/亿元; "en": millions of yuan).

    >>> fmt_money(123_456_789, "zh"), fmt_money(5_000_000, "zh")
    ('1.23亿元', '500.0万元')
    >>> fmt_money(123_456_789, "en"), fmt_money(5_000_000, "en")
    ('CNY 123.5 m', 'CNY 5.0 m')
    >>> fmt_money(12_345_678_901, "en"), fmt_money(None, "en")
    ('CNY 12,345.7 m', '—')
    """
    if _missing(x):
        return _DASH
    assert x is not None
    v = float(x)
    if lang == "zh":
        if abs(v) >= 1e8:
            return f"{v / 1e8:,.2f}亿元"
        return f"{v / 1e4:,.1f}万元"
    return f"CNY {v / 1e6:,.1f} m"


def fmt_share(x: float | None, digits: int = 1) -> str:
    """Format a fraction as a percentage.

    >>> fmt_share(0.1234), fmt_share(1.0, 0), fmt_share(None)
    ('12.3%', '100%', '—')
    """
    if _missing(x):
        return _DASH
    assert x is not None
    return f"{float(x) * 100:.{digits}f}%"


def fmt_number(x: float | int | None, digits: int = 2) -> str:
    """Format a plain number (a location quotient, an HHI) with ``digits`` decimals.

    >>> fmt_number(1.8312), fmt_number(None)
    ('1.83', '—')
    """
    if _missing(x):
        return _DASH
    assert x is not None
    return f"{float(x):,.{digits}f}"


def fmt_count(x: float | int | None) -> str:
    """Format a count with thousands separators.

    >>> fmt_count(22201), fmt_count(None)
    ('22,201', '—')
    """
    if _missing(x):
        return _DASH
    assert x is not None
    return f"{int(x):,}"
