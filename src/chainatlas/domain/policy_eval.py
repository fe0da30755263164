"""Evaluate eligibility rules: one enterprise with explanations, or a whole frame at once.

An enterprise's attributes are a flat mapping from attribute keys to values:
``revenue`` (the latest value on record) with ``revenue#year`` (its year),
``revenue@2023`` (a given year), ``size_class``, ``region`` (a set of region codes) …
Numbers are floats, flags booleans, choices strings and set fields frozensets; ``None``
means no data. A condition on missing data fails ("no 2023 revenue on record"), whatever
its operator; rules are in negation normal form, so that is never turned into a pass.

:func:`evaluate` explains every condition (actual value, required value, the gap in words:
"revenue (2024) is 8,200万 — 1,800万 short of 1亿");
:func:`chainatlas.domain.policy_frame.evaluate_frame` gives the same verdicts for many
enterprises at once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from chainatlas.domain.policy_rules import (
    FIELDS,
    AllOf,
    Condition,
    FieldDef,
    FieldKind,
    Node,
    Rule,
)

__all__ = [
    "ConditionResult",
    "Evaluation",
    "evaluate",
    "fmt_value",
    "holds",
    "year_key",
]

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def year_key(field_name: str) -> str:
    """Return the key of the year of a yearly field's latest value.

    >>> year_key("revenue")
    'revenue#year'
    """
    return f"{field_name}#year"


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _money(x: float) -> str:
    if abs(x) >= 1e8:
        return _trim(f"{x / 1e8:,.2f}") + "亿"
    if abs(x) >= 1e4:
        return _trim(f"{x / 1e4:,.2f}") + "万"
    return _trim(f"{x:,.2f}") + "元"


def fmt_value(f: FieldDef, x: Any, lang: str = "en") -> str:
    """Format a value of field ``f`` for people (money in 万/亿, ratios in %).

    >>> r, i = FIELDS["revenue"], FIELDS["rd_intensity"]
    >>> fmt_value(r, 8.2e7), fmt_value(r, 1e8), fmt_value(i, 0.025), fmt_value(r, None)
    ('8,200万', '1亿', '2.5%', 'n/a')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a" if lang == "en" else "无"
    if isinstance(x, bool):
        return ("yes" if x else "no") if lang == "en" else ("是" if x else "否")
    if isinstance(x, list | tuple | set | frozenset):
        items = sorted(str(v) for v in x)
        shown = ", ".join(items[:8]) + (" …" if len(items) > 8 else "")
        return shown or ("none" if lang == "en" else "无")
    if not isinstance(x, int | float):
        return str(x)
    unit = f.unit
    if unit == "yuan":
        return _money(float(x))
    if unit == "ratio":
        return _trim(f"{x * 100:.2f}") + "%"
    if unit == "years":
        return _trim(f"{x:.1f}") + (" years" if lang == "en" else "年")
    if unit == "tce":
        return _trim(f"{x:,.1f}") + (" tce" if lang == "en" else "吨标准煤")
    return _trim(f"{x:,.2f}")


def _fmt_gap(f: FieldDef, gap: float, lang: str) -> str:
    if f.unit == "ratio":
        pts = _trim(f"{gap * 100:.2f}")
        return f"{pts} percentage points" if lang == "en" else f"{pts}个百分点"
    return fmt_value(f, gap, lang)


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """The verdict on one condition for one enterprise, with the numbers and the reason.

    ``gap`` is how far a failed numeric condition is from holding, in the field's unit
    (yuan, people, a ratio), None when not numeric or when data is missing.
    """

    path: str
    field: str
    op: str
    required: Any
    year: int | None
    year_used: int | None
    actual: Any
    passed: bool
    missing: bool
    gap: float | None
    reason: str
    reason_zh: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape of the result."""
        actual = sorted(self.actual) if isinstance(self.actual, frozenset) else self.actual
        return {
            "path": self.path,
            "field": self.field,
            "op": self.op,
            "required": self.required,
            "year": self.year,
            "year_used": self.year_used,
            "actual": actual,
            "passed": self.passed,
            "missing": self.missing,
            "gap": self.gap,
            "reason": self.reason,
            "reason_zh": self.reason_zh,
        }


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The verdict on a whole rule: every condition, and the ones that made it fail."""

    passed: bool
    conditions: tuple[ConditionResult, ...]
    failed: tuple[ConditionResult, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape of the evaluation."""
        return {
            "passed": self.passed,
            "conditions": [c.to_dict() for c in self.conditions],
            "failed": [c.to_dict() for c in self.failed],
        }


def _clean(f: FieldDef, v: Any) -> Any:
    """Return a value in its canonical type (None for missing)."""
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if f.kind is FieldKind.NUMBER:
        return float(v)
    if f.kind is FieldKind.BOOL:
        return bool(v)
    if f.kind is FieldKind.SET:
        return frozenset(str(x) for x in v)
    return str(v)


def holds(cond: Condition, actual: Any) -> bool:
    """Return whether ``cond`` holds for the value ``actual`` (False when it is None).

    >>> from chainatlas.domain.policy_rules import Condition
    >>> holds(Condition("", "revenue", "between", [1.0, 5.0]), 5.0)
    True
    >>> holds(Condition("", "tags", "contains", ["a", "b"]), frozenset({"a"}))
    False
    """
    f = FIELDS[cond.field]
    a = _clean(f, actual)
    if a is None:
        return False
    v, op = cond.value, cond.op
    if f.kind is FieldKind.SET:
        wanted = set(v) if isinstance(v, list) else {v}
        has_all = bool(wanted <= a)
        has_any = bool(wanted & a)
        return {
            "==": has_all,
            "contains": has_all,
            "!=": not has_all,
            "not_contains": not has_all,
            "in": has_any,
            "not_in": not has_any,
        }[op]
    if op == "in":
        return bool(a in v)
    if op == "not_in":
        return bool(a not in v)
    if op == "between":
        return bool(v[0] <= a <= v[1])
    if op == "not_between":
        return bool(a < v[0] or a > v[1])
    return bool(
        {
            "==": a == v,
            "!=": a != v,
            ">": a > v,
            ">=": a >= v,
            "<": a < v,
            "<=": a <= v,
        }[op]
    )


_OP_EN = {
    "==": "=",
    "!=": "≠",
    ">": ">",
    ">=": "≥",
    "<": "<",
    "<=": "≤",
    "in": "one of",
    "not_in": "none of",
    "contains": "includes",
    "not_contains": "does not include",
    "between": "between",
    "not_between": "outside",
}
_OP_ZH = {
    "==": "等于",
    "!=": "不等于",
    ">": "大于",
    ">=": "不低于",
    "<": "小于",
    "<=": "不高于",
    "in": "属于",
    "not_in": "不属于",
    "contains": "包含",
    "not_contains": "不包含",
    "between": "介于",
    "not_between": "不介于",
}


def _required(f: FieldDef, v: Any, lang: str) -> str:
    if isinstance(v, list) and f.kind is FieldKind.NUMBER:
        return f"{fmt_value(f, v[0], lang)}–{fmt_value(f, v[1], lang)}"
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    return fmt_value(f, v, lang)


def _gap(cond: Condition, a: float) -> tuple[float | None, str]:
    """Return (gap, direction) of a failed numeric condition: 'short', 'over' or ''."""
    v, op = cond.value, cond.op
    if op in {">=", ">"}:
        return float(v) - a, "short"
    if op in {"<=", "<"}:
        return a - float(v), "over"
    if op == "between":
        return (v[0] - a, "short") if a < v[0] else (a - v[1], "over")
    if op == "==":
        return abs(a - float(v)), "short" if a < v else "over"
    return None, ""


def _explain(cond: Condition, record: Mapping[str, Any]) -> ConditionResult:
    f = FIELDS[cond.field]
    raw = record.get(cond.key)
    actual = _clean(f, raw)
    year_used = cond.year
    if cond.year is None and f.yearly:
        y = record.get(year_key(cond.field))
        year_used = None if y is None or (isinstance(y, float) and math.isnan(y)) else int(y)
    label_en = f.label_en + (f" ({year_used})" if year_used is not None else "")
    label_zh = f.label_zh + (f"（{year_used}年）" if year_used is not None else "")
    req_en, req_zh = _required(f, cond.value, "en"), _required(f, cond.value, "zh")
    base = {
        "path": cond.path,
        "field": cond.field,
        "op": cond.op,
        "required": cond.value,
        "year": cond.year,
        "year_used": year_used,
        "actual": actual,
    }
    if actual is None:
        when_en = f"{cond.year} " if cond.year is not None else ""
        when_zh = f"{cond.year}年" if cond.year is not None else ""
        return ConditionResult(
            **base,
            passed=False,
            missing=True,
            gap=None,
            reason=f"no {when_en}{f.label_en} on record",
            reason_zh=f"无{when_zh}{f.label_zh}数据",
        )
    ok = holds(cond, actual)
    a_en, a_zh = fmt_value(f, actual, "en"), fmt_value(f, actual, "zh")
    if ok:
        if cond.op == "==" and f.kind is not FieldKind.SET:
            en, zh = f"{label_en} is {a_en}", f"{label_zh}为{a_zh}"
        else:
            en = f"{label_en} is {a_en} ({_OP_EN[cond.op]} {req_en})"
            zh = f"{label_zh}为{a_zh}，{_OP_ZH[cond.op]}{req_zh}"
        return ConditionResult(
            **base, passed=True, missing=False, gap=None, reason=en, reason_zh=zh
        )
    gap: float | None = None
    if f.kind is FieldKind.NUMBER:
        gap, way = _gap(cond, float(actual))
        if gap is not None and gap > 0:
            g_en, g_zh = _fmt_gap(f, gap, "en"), _fmt_gap(f, gap, "zh")
            bound = cond.value
            if cond.op == "between":
                bound = cond.value[0] if way == "short" else cond.value[1]
            b_en, b_zh = fmt_value(f, bound, "en"), fmt_value(f, bound, "zh")
            if way == "short":
                en = f"{label_en} is {a_en} — {g_en} short of {b_en}"
                zh = f"{label_zh}为{a_zh}，距{b_zh}还差{g_zh}"
            else:
                en = f"{label_en} is {a_en} — {g_en} over {b_en}"
                zh = f"{label_zh}为{a_zh}，超过上限{b_zh}（多{g_zh}）"
            return ConditionResult(
                **base, passed=False, missing=False, gap=gap, reason=en, reason_zh=zh
            )
    must = {"==": "", "!=": "not "}.get(cond.op, _OP_EN[cond.op] + " ")
    if f.kind is FieldKind.SET and cond.op in {"==", "contains"}:
        must = "including "
    elif f.kind is FieldKind.SET and cond.op in {"!=", "not_contains"}:
        must = "without "
    en = f"{label_en} is {a_en}; must be {must}{req_en}"
    zh = f"{label_zh}为{a_zh}，要求{_OP_ZH[cond.op]}{req_zh}"
    return ConditionResult(**base, passed=False, missing=False, gap=gap, reason=en, reason_zh=zh)


def _walk(
    node: Node, record: Mapping[str, Any], out: list[ConditionResult]
) -> tuple[bool, list[ConditionResult]]:
    if isinstance(node, Condition):
        res = _explain(node, record)
        out.append(res)
        return res.passed, [] if res.passed else [res]
    results = [_walk(n, record, out) for n in node.items]
    if isinstance(node, AllOf):
        return all(r[0] for r in results), [c for r in results if not r[0] for c in r[1]]
    passed = any(r[0] for r in results)
    return passed, [] if passed else [c for r in results for c in r[1]]


def evaluate(rule: Rule, record: Mapping[str, Any]) -> Evaluation:
    """Evaluate ``rule`` for one enterprise and explain every condition.

    ``failed`` holds the conditions that made the rule fail: every failed condition of a
    failed ``all``, and every branch of a failed ``any`` (any one of them would do).

    Examples
    --------
    >>> from chainatlas.domain.policy_rules import parse_rule
    >>> rule = parse_rule({"all": [{"field": "revenue", "op": ">=", "value": 1e8}]})
    >>> ev = evaluate(rule, {"revenue": 8.2e7, "revenue#year": 2024})
    >>> ev.passed, ev.failed[0].reason
    (False, 'revenue (2024) is 8,200万 — 1,800万 short of 1亿')
    """
    out: list[ConditionResult] = []
    passed, failed = _walk(rule.root, record, out)
    return Evaluation(passed, tuple(out), tuple(failed))
