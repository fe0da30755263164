"""Parse cell values: numbers with units (元/万元/亿元), shares, dates, booleans, lists.

Every parser takes the raw cell (str, number, bool, date or None) and returns the Python
value or raises :class:`ValueProblem` with a reason in words. Empty cells ("", "-", "N/A",
"null" …) parse to ``None``.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

__all__ = [
    "MONEY_UNITS",
    "ValueProblem",
    "is_empty",
    "money_unit",
    "parse_bool",
    "parse_choice",
    "parse_date",
    "parse_float",
    "parse_int",
    "parse_json",
    "parse_list",
    "parse_money",
    "parse_share",
    "parse_text",
]

_EMPTY = {"", "-", "--", "—", "——", "n/a", "na", "null", "none", "nan", "#n/a"}

#: Money units accepted in a value ("12.5亿") or in a header ("产值（万元）"), in yuan.
MONEY_UNITS: Mapping[str, float] = {
    "元": 1.0,
    "人民币元": 1.0,
    "yuan": 1.0,
    "rmb": 1.0,
    "cny": 1.0,
    "千元": 1e3,
    "thousand yuan": 1e3,
    "万": 1e4,
    "万元": 1e4,
    "10k yuan": 1e4,
    "ten thousand yuan": 1e4,
    "百万": 1e6,
    "百万元": 1e6,
    "million yuan": 1e6,
    "mn yuan": 1e6,
    "million": 1e6,
    "千万元": 1e7,
    "亿": 1e8,
    "亿元": 1e8,
    "100 million yuan": 1e8,
    "100m yuan": 1e8,
    "billion yuan": 1e9,
    "bn yuan": 1e9,
    "billion": 1e9,
}
_NUMBER = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*(.*)$", re.I)


class ValueProblem(ValueError):
    """A cell value that cannot be used; the message says why."""


def _text(raw: object) -> str:
    return unicodedata.normalize("NFKC", str(raw)).strip()


def is_empty(raw: object) -> bool:
    """Return whether a cell counts as empty.

    >>> is_empty(" - "), is_empty("0"), is_empty(None)
    (True, False, True)
    """
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return isinstance(raw, str) and _text(raw).lower() in _EMPTY


def parse_text(raw: object) -> str | None:
    """Return the cell as stripped text (NFKC-normalised), or None when empty."""
    if is_empty(raw):
        return None
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _number(raw: object) -> tuple[float, str]:
    if isinstance(raw, bool):
        raise ValueProblem("expected a number, got a true/false value")
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            raise ValueProblem("expected a finite number")
        return float(raw), ""
    text = _text(raw).replace(",", "").replace("，", "").strip()
    m = _NUMBER.match(text)
    if not m:
        raise ValueProblem("not a number")
    return float(m.group(1)), " ".join(m.group(2).lower().split())


def parse_float(raw: object) -> float | None:
    """Parse a plain number ("1,234.5" is fine; units are not).

    >>> parse_float("1,234.5")
    1234.5
    """
    if is_empty(raw):
        return None
    value, rest = _number(raw)
    if rest:
        raise ValueProblem(f"not a number (unexpected {rest!r})")
    return value


def parse_int(raw: object) -> int | None:
    """Parse a whole number ("12", "12.0", "1,200").

    >>> parse_int("1,200")
    1200
    """
    value = parse_float(raw)
    if value is None:
        return None
    if not value.is_integer():
        raise ValueProblem("expected a whole number")
    return int(value)


def money_unit(label: str) -> float | None:
    """Return the multiplier of a money unit name, or None if it is not one.

    >>> money_unit("万元"), money_unit("million yuan"), money_unit("kg")
    (10000.0, 1000000.0, None)
    """
    return MONEY_UNITS.get(_text(label).lower())


def parse_money(raw: object, unit: float = 1.0) -> float | None:
    """Parse an amount of money and return yuan.

    A unit in the value wins over ``unit`` (the multiplier from the column header).

    >>> parse_money("12.5亿")
    1250000000.0
    >>> parse_money("300", unit=1e4)
    3000000.0
    >>> parse_money("3 apples")
    Traceback (most recent call last):
    ...
    chainatlas.importers.values.ValueProblem: unknown money unit 'apples' (use 元, 万元 or 亿元)
    """
    if is_empty(raw):
        return None
    value, rest = _number(raw)
    if rest:
        mult = money_unit(rest)
        if mult is None:
            raise ValueProblem(f"unknown money unit {rest!r} (use 元, 万元 or 亿元)")
        return value * mult
    return value * unit


def parse_share(raw: object) -> float | None:
    """Parse a share as a fraction in [0, 1]; "35%" is 0.35, and 0.35 stays 0.35.

    >>> parse_share("35%"), parse_share(0.2)
    (0.35, 0.2)
    >>> parse_share(35)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    chainatlas.importers.values.ValueProblem: share must be between 0 and 1 ..., got 35
    """
    if is_empty(raw):
        return None
    value, rest = _number(raw)
    if rest in {"%", "％"}:
        value = value / 100.0
    elif rest:
        raise ValueProblem(f"not a share (unexpected {rest!r})")
    if not 0.0 <= value <= 1.0:
        raise ValueProblem(
            f"share must be between 0 and 1 (or a percentage such as 35%), got {value:g}"
        )
    return round(value, 12)


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
_MONTH_FORMATS = ("%Y-%m", "%Y/%m", "%Y年%m月")


def parse_date(raw: object) -> date | None:
    """Parse a date: ISO, 2024/5/1, 20240501, 2024年5月1日; a month means its first day.

    >>> parse_date("2024年5月1日"), parse_date("20240501")
    (datetime.date(2024, 5, 1), datetime.date(2024, 5, 1))
    """
    if is_empty(raw):
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = _text(raw)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        text = str(int(raw))
    for fmt in _DATE_FORMATS + _MONTH_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if re.fullmatch(r"\d{4}", text):
        return date(int(text), 1, 1)
    raise ValueProblem("not a date (use YYYY-MM-DD)")


_TRUE = {"1", "true", "yes", "y", "t", "是", "有", "√", "✓"}
_FALSE = {"0", "false", "no", "n", "f", "否", "无", "×"}


def parse_bool(raw: object) -> bool | None:
    """Parse yes/no in English or Chinese (是/否, Y/N, true/false, 1/0).

    >>> parse_bool("是"), parse_bool("N")
    (True, False)
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    text = _text(raw).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text in _EMPTY:
        return None
    raise ValueProblem("expected yes or no (是/否, true/false, 1/0)")


def parse_choice(raw: object, choices: Mapping[str, str]) -> str | None:
    """Map a label (either language, any case) to its stored value.

    >>> parse_choice("中型", {"medium": "medium", "中型": "medium"})
    'medium'
    """
    if is_empty(raw):
        return None
    text = _text(raw)
    for candidate in (text, text.lower()):
        if candidate in choices:
            return choices[candidate]
    allowed = sorted(set(choices.values()))
    raise ValueProblem(f"not one of {', '.join(allowed)}")


_LIST_SPLIT = re.compile(r"\s*[;；、|\n]\s*")


def parse_list(raw: object) -> list[str] | None:
    """Parse a list: a JSON array, or items separated by ; ； 、 | or new lines.

    >>> parse_list("磷酸铁锂；三元材料")
    ['磷酸铁锂', '三元材料']
    """
    if raw is None:
        return None
    if isinstance(raw, list | tuple):
        return [str(v).strip() for v in raw if str(v).strip()]
    if is_empty(raw):
        return []
    text = str(raw).strip()
    if text.startswith("["):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as err:
            raise ValueProblem(f"not a valid JSON list: {err.msg}") from err
        if not isinstance(value, list):
            raise ValueProblem("expected a list")
        return [str(v).strip() for v in value if str(v).strip()]
    return [p for p in _LIST_SPLIT.split(text) if p]


def parse_json(raw: object) -> Any:
    """Parse a JSON value (objects and lists pass through unchanged)."""
    if raw is None:
        return None
    if isinstance(raw, dict | list):
        return raw
    if is_empty(raw):
        return None
    try:
        return json.loads(str(raw))
    except json.JSONDecodeError as err:
        raise ValueProblem(f"not valid JSON: {err.msg} at character {err.pos}") from err
