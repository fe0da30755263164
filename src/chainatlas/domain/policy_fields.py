"""The fields and operators of the policy rule language (see ``docs/policies.md``).

Each field has a kind (number, flag, choice, text or set) that decides the operators it
takes, a unit for formatting and, for yearly figures, whether a ``year`` may be given.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "FIELDS",
    "LIFECYCLE_STAGES",
    "NEGATED",
    "OPS",
    "FieldDef",
    "FieldKind",
    "column_key",
]


class FieldKind(StrEnum):
    """What a field holds, which decides the operators it takes."""

    NUMBER = "number"
    BOOL = "bool"
    CHOICE = "choice"
    TEXT = "text"
    SET = "set"


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field a rule may test.

    ``unit`` drives formatting (``yuan``, ``ratio``, ``count``, ``years``, ``tce``);
    ``yearly`` fields take a ``year`` (default: the latest year on record); ``minimum``
    is the least value the field can take (None: unbounded), used to reject impossible
    bounds; ``choices`` lists the allowed values of choice fields.
    """

    name: str
    kind: FieldKind
    label_en: str
    label_zh: str
    unit: str = ""
    yearly: bool = False
    minimum: float | None = None
    choices: tuple[str, ...] = ()


def _f(name: str, kind: FieldKind, en: str, zh: str, **kw: Any) -> FieldDef:
    return FieldDef(name, kind, en, zh, **kw)


_N, _B, _C, _T, _S = (
    FieldKind.NUMBER,
    FieldKind.BOOL,
    FieldKind.CHOICE,
    FieldKind.TEXT,
    FieldKind.SET,
)

LIFECYCLE_STAGES = ("seed", "startup", "growth", "expansion", "mature", "decline")

FIELDS: dict[str, FieldDef] = {
    f.name: f
    for f in (
        _f("srdi_level", _C, "SRDI level", "专精特新等级",
           choices=("none", "seedling", "provincial", "national")),
        _f("size_class", _C, "size class", "企业规模",
           choices=("large", "medium", "small", "micro")),
        _f("lifecycle_stage", _C, "life-cycle stage", "生命周期阶段", choices=LIFECYCLE_STAGES),
        _f("ownership", _T, "ownership", "所有制"),
        _f("high_tech", _B, "high-tech status", "高新技术企业"),
        _f("listed", _B, "listing", "上市"),
        _f("tags", _S, "tags", "标签"),
        _f("region", _S, "region", "地区"),
        _f("chain", _S, "chain", "产业链"),
        _f("segment", _S, "segment", "产业链环节"),
        _f("segment_position", _S, "segment position", "环节位置",
           choices=("upstream", "midstream", "downstream")),
        _f("industry", _S, "industry", "行业"),
        _f("age_years", _N, "age", "成立年限", unit="years", minimum=0.0),
        _f("revenue", _N, "revenue", "营业收入", unit="yuan", yearly=True, minimum=0.0),
        _f("output_value", _N, "output value", "产值", unit="yuan", yearly=True, minimum=0.0),
        _f("rd_spend", _N, "R&D spend", "研发投入", unit="yuan", yearly=True, minimum=0.0),
        _f("tax", _N, "tax paid", "纳税额", unit="yuan", yearly=True, minimum=0.0),
        _f("employees", _N, "employees", "从业人员", unit="count", yearly=True, minimum=0.0),
        _f("patents", _N, "patents", "专利数", unit="count", yearly=True, minimum=0.0),
        _f("energy_use", _N, "energy use", "综合能耗", unit="tce", yearly=True, minimum=0.0),
        _f("rd_intensity", _N, "R&D intensity", "研发强度", unit="ratio", yearly=True,
           minimum=0.0),
        _f("revenue_growth", _N, "revenue growth", "营业收入增速", unit="ratio", yearly=True,
           minimum=-1.0),
        _f("output_growth", _N, "output growth", "产值增速", unit="ratio", yearly=True,
           minimum=-1.0),
        _f("employees_growth", _N, "employee growth", "从业人员增速", unit="ratio",
           yearly=True, minimum=-1.0),
        _f("revenue_cagr_3y", _N, "3-year revenue growth (CAGR)", "近三年营业收入年均增速",
           unit="ratio", yearly=True, minimum=-1.0),
    )
}  # fmt: skip
"""Every field a rule may test, by name."""

OPS: dict[FieldKind, tuple[str, ...]] = {
    _N: ("==", "!=", ">", ">=", "<", "<=", "between", "not_between"),
    _B: ("==", "!="),
    _C: ("==", "!=", "in", "not_in"),
    _T: ("==", "!=", "in", "not_in"),
    _S: ("==", "!=", "in", "not_in", "contains", "not_contains"),
}
"""The operators each kind of field takes."""

NEGATED = {
    "==": "!=",
    "!=": "==",
    "in": "not_in",
    "not_in": "in",
    ">": "<=",
    "<=": ">",
    ">=": "<",
    "<": ">=",
    "contains": "not_contains",
    "not_contains": "contains",
    "between": "not_between",
    "not_between": "between",
}
"""The operator that holds exactly when the given one does not."""


def column_key(field_name: str, year: int | None = None) -> str:
    """Return the attribute key of a field: the latest value, or the value of ``year``.

    >>> column_key("revenue"), column_key("revenue", 2023)
    ('revenue', 'revenue@2023')
    """
    return field_name if year is None else f"{field_name}@{year}"
