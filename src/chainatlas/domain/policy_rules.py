"""The eligibility rule language of policies (政策包): fields, operators, parsing, checks.

A rule is JSON, never code. It is a tree of groups and conditions::

    {"all": [rule, ...], "any": [rule, ...]}     every rule of "all" and one of "any"
    {"not": rule}                                the rule must not hold
    {"field": "revenue", "op": ">=", "value": 1e8, "year": 2023}   a condition

A node may have both ``all`` and ``any`` (the demo's policies do): both must hold. The
empty rule ``{}`` holds for every enterprise. :func:`parse_rule` checks a rule completely
(unknown fields and keys with a suggestion, operators that do not fit the field, values
of the wrong type, impossible conditions such as ``between`` with min > max, ``revenue <
0`` or contradictory bounds inside one ``all``) and returns a typed tree in negation
normal form: ``not`` is pushed down to the conditions (De Morgan), so evaluation needs no
three-valued logic. The fields and operators are listed in ``docs/policies.md``.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chainatlas.domain.policy_fields import (
    FIELDS,
    NEGATED,
    OPS,
    FieldDef,
    FieldKind,
    column_key,
)
from chainatlas.errors import RuleError

__all__ = [
    "FIELDS",
    "AllOf",
    "AnyOf",
    "Condition",
    "FieldDef",
    "FieldKind",
    "Node",
    "Rule",
    "column_key",
    "parse_rule",
    "parse_rule_text",
]

_N, _B, _C, _T, _S = (
    FieldKind.NUMBER,
    FieldKind.BOOL,
    FieldKind.CHOICE,
    FieldKind.TEXT,
    FieldKind.SET,
)


_ALL_OPS = tuple(NEGATED)
_LEAF_KEYS = {"field", "op", "value", "year"}
_GROUP_KEYS = {"all", "any", "not"}
_YEARS = (1900, 2100)


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition: ``field op value`` (of ``year`` for yearly fields).

    ``path`` names where it stands in the rule as written (``all[2]``, ``not.any[0]``);
    ``negated`` is True when a ``not`` above it was pushed into ``op``.
    """

    path: str
    field: str
    op: str
    value: Any
    year: int | None = None
    negated: bool = False

    @property
    def definition(self) -> FieldDef:
        """Return the field's definition."""
        return FIELDS[self.field]

    @property
    def key(self) -> str:
        """Return the attribute key the condition reads."""
        return column_key(self.field, self.year)

    def negate(self) -> Condition:
        """Return the condition that holds exactly when this one does not."""
        return Condition(
            self.path, self.field, NEGATED[self.op], self.value, self.year, not self.negated
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape of the condition (as evaluated)."""
        out: dict[str, Any] = {"field": self.field, "op": self.op, "value": self.value}
        if self.year is not None:
            out["year"] = self.year
        return out


@dataclass(frozen=True, slots=True)
class AllOf:
    """Every item must hold (an empty ``AllOf`` always holds)."""

    items: tuple[Node, ...]
    path: str = ""


@dataclass(frozen=True, slots=True)
class AnyOf:
    """At least one item must hold."""

    items: tuple[Node, ...]
    path: str = ""


Node = Condition | AllOf | AnyOf


@dataclass(frozen=True, slots=True)
class Rule:
    """A checked eligibility rule: the tree in negation normal form and the JSON it came from."""

    root: Node
    source: Mapping[str, Any] = field(default_factory=dict)

    def conditions(self) -> Iterator[Condition]:
        """Yield every condition, in the order written."""
        stack: list[Node] = [self.root]
        while stack:
            node = stack.pop()
            if isinstance(node, Condition):
                yield node
            else:
                stack.extend(reversed(node.items))

    def keys(self) -> set[str]:
        """Return the attribute keys the rule reads (``revenue``, ``revenue@2023`` …)."""
        return {c.key for c in self.conditions()}

    def mentions(self, field_name: str) -> bool:
        """Return whether some condition tests ``field_name``."""
        return any(c.field == field_name for c in self.conditions())

    def with_condition(self, cond: Condition) -> Rule:
        """Return the rule with ``cond`` required as well."""
        return Rule(AllOf((self.root, cond), self.root.path), self.source)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _err(path: str, msg: str) -> RuleError:
    return RuleError(f"{path}: {msg}" if path else msg)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _suggest(word: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _texts(path: str, f: FieldDef, value: Any, op: str) -> tuple[str, ...]:
    """Check a list of strings (or one string for set fields' contains)."""
    if isinstance(value, str) and (f.kind is _S and op in {"contains", "not_contains"}):
        value = [value]
    if isinstance(value, str) and f.kind is _S and op in {"in", "not_in"}:
        value = [value]
    if not isinstance(value, list):
        raise _err(
            f"{path}.value",
            f"{op!r} needs a list of values for {f.name!r}, got {_dump(value)}",
        )
    if not value:
        raise _err(f"{path}.value", f"{op!r} with an empty list can never hold")
    for i, v in enumerate(value):
        if not isinstance(v, str) or not v.strip():
            raise _err(f"{path}.value[{i}]", f"expected a text value, got {_dump(v)}")
        _check_choice(f"{path}.value[{i}]", f, v)
    return tuple(dict.fromkeys(value))


def _check_choice(path: str, f: FieldDef, v: str) -> None:
    if f.choices and v not in f.choices:
        raise _err(
            path,
            f"{v!r} is not a {f.name} value{_suggest(v, f.choices)}; "
            f"use one of {', '.join(f.choices)}",
        )


def _value(path: str, f: FieldDef, op: str, value: Any) -> Any:
    """Return the checked (normalised) value of a condition."""
    vpath = f"{path}.value"
    if op in {"between", "not_between"}:
        if not (isinstance(value, list) and len(value) == 2 and all(map(_is_number, value))):
            raise _err(vpath, f"{op!r} needs [min, max], two numbers, got {_dump(value)}")
        lo, hi = float(value[0]), float(value[1])
        if lo > hi:
            raise _err(vpath, f"{op!r} with min {lo:g} > max {hi:g} can never hold")
        return [lo, hi]
    if f.kind is _N:
        if not _is_number(value):
            raise _err(vpath, f"{f.name!r} is a number; got {_dump(value)}")
        return float(value)
    if f.kind is _B:
        if not isinstance(value, bool):
            raise _err(vpath, f"{f.name!r} is true or false; got {_dump(value)}")
        return value
    if op in {"in", "not_in", "contains", "not_contains"}:
        return list(_texts(path, f, value, op))
    if not isinstance(value, str) or not value.strip():
        raise _err(vpath, f"{f.name!r} needs a text value for {op!r}, got {_dump(value)}")
    _check_choice(vpath, f, value)
    return value


def _condition(path: str, node: Mapping[str, Any]) -> Condition:
    extra = set(node) - _LEAF_KEYS
    if extra:
        key = sorted(extra)[0]
        raise _err(
            _join(path, key),
            f"unknown key {key!r}{_suggest(key, sorted(_LEAF_KEYS | _GROUP_KEYS))}; "
            "a condition has field, op, value and optionally year",
        )
    for key in ("field", "op", "value"):
        if key not in node:
            raise _err(path, f"a condition needs {key!r} (it has {', '.join(sorted(node))})")
    name = node["field"]
    if not isinstance(name, str) or name not in FIELDS:
        shown = _dump(name)
        hint = _suggest(name, list(FIELDS)) if isinstance(name, str) else ""
        raise _err(_join(path, "field"), f"unknown field {shown}{hint}".replace('"', "'"))
    f = FIELDS[name]
    op = node["op"]
    if not isinstance(op, str) or op not in _ALL_OPS:
        shown = _dump(op).replace('"', "'")
        raise _err(
            _join(path, "op"),
            f"unknown operator {shown}{_suggest(str(op), _ALL_OPS)}; "
            f"use one of {' '.join(_ALL_OPS)}",
        )
    if op not in OPS[f.kind]:
        what = {_N: "a number", _B: "true/false", _C: "a choice", _T: "text", _S: "a set"}
        extra_hint = f" (one of {', '.join(f.choices)})" if f.choices and f.kind is _C else ""
        raise _err(
            _join(path, "op"),
            f"operator {op!r} does not apply to {name!r}, which is {what[f.kind]}{extra_hint}; "
            f"use one of {' '.join(OPS[f.kind])}",
        )
    year = node.get("year")
    if year is not None:
        if not f.yearly:
            raise _err(_join(path, "year"), f"{name!r} is not a yearly figure; remove 'year'")
        if (
            isinstance(year, bool)
            or not isinstance(year, int)
            or not (_YEARS[0] <= year <= _YEARS[1])
        ):
            raise _err(_join(path, "year"), f"expected a year such as 2023, got {year!r}")
    value = _value(path, f, op, node["value"])
    cond = Condition(path, name, op, value, year)
    _check_possible(cond)
    return cond


def _bounds(c: Condition) -> tuple[float, bool, float, bool] | None:
    """Return (low, low strict, high, high strict) of a numeric condition, or None."""
    inf = math.inf
    v = c.value
    return {
        ">": (v, True, inf, False),
        ">=": (v, False, inf, False),
        "<": (-inf, False, v, True),
        "<=": (-inf, False, v, False),
        "==": (v, False, v, False),
        "between": (v[0], False, v[1], False) if isinstance(v, list) else None,
    }.get(c.op)


def _check_possible(c: Condition) -> None:
    f = c.definition
    b = _bounds(c) if f.kind is _N else None
    if b is None or f.minimum is None:
        return
    _lo, _ls, hi, hs = b
    if hi < f.minimum or (hi == f.minimum and hs):
        raise _err(
            c.path,
            f"{c.field} {c.op} {_show(c.value)} can never hold: "
            f"{f.label_en} is never below {f.minimum:g}",
        )


def _check_consistent(items: Sequence[Node]) -> None:
    """Reject an ``all`` whose conditions on one field and year cannot hold together."""
    groups: dict[str, list[Condition]] = {}
    for it in items:
        if isinstance(it, Condition):
            groups.setdefault(it.key, []).append(it)
    for conds in groups.values():
        kind = conds[0].definition.kind
        if len(conds) < 2:
            continue
        if kind is _N:
            lo, ls, lo_c = -math.inf, False, conds[0]
            hi, hs, hi_c = math.inf, False, conds[0]
            for c in conds:
                b = _bounds(c)
                if b is None:
                    continue
                if b[0] > lo or (b[0] == lo and b[1]):
                    lo, ls, lo_c = b[0], b[1], c
                if b[2] < hi or (b[2] == hi and b[3]):
                    hi, hs, hi_c = b[2], b[3], c
            if lo > hi or (lo == hi and (ls or hs)):
                raise _contradiction(lo_c, hi_c)
        elif kind in {_C, _T, _B}:
            allowed: set[Any] | None = None
            banned: set[Any] = set()
            first: Condition | None = None
            for c in conds:
                vals = set(c.value) if isinstance(c.value, list) else {c.value}
                if c.op in {"==", "in"}:
                    allowed = vals if allowed is None else allowed & vals
                    first = first or c
                else:
                    banned |= vals
            if allowed is not None and not (allowed - banned):
                other = next(c for c in conds if c is not first)
                assert first is not None
                raise _contradiction(first, other)


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _contradiction(a: Condition, b: Condition) -> RuleError:
    return RuleError(
        f"{a.path} and {b.path} contradict each other: {a.field} {a.op} {_show(a.value)} "
        f"and {b.field} {b.op} {_show(b.value)} can never both hold",
    )


def _negate(node: Node) -> Node:
    if isinstance(node, Condition):
        return node.negate()
    if isinstance(node, AllOf):
        return AnyOf(tuple(_negate(n) for n in node.items), node.path)
    return AllOf(tuple(_negate(n) for n in node.items), node.path)


def _items(path: str, value: Any, key: str) -> list[Node]:
    kpath = _join(path, key)
    if not isinstance(value, list):
        raise _err(kpath, f"{key!r} must be a list of rules, got {type(value).__name__}")
    if key == "any" and not value:
        raise _err(kpath, "'any' with no rules can never hold")
    return [_node(f"{kpath}[{i}]", v) for i, v in enumerate(value)]


def _node(path: str, data: Any) -> Node:
    if not isinstance(data, Mapping):
        raise _err(path or "rule", f"expected a JSON object, got {_dump(data)}")
    keys = set(data)
    if "field" in keys or "op" in keys:
        return _condition(path, data)
    unknown = keys - _GROUP_KEYS
    if unknown:
        key = sorted(unknown)[0]
        hint = _suggest(key, sorted(_GROUP_KEYS | _LEAF_KEYS))
        raise _err(
            _join(path, key),
            f"unknown key {key!r}{hint}; a rule has 'all', 'any' or 'not', "
            "or is a condition with 'field', 'op' and 'value'",
        )
    if "not" in keys and len(keys) > 1:
        raise _err(_join(path, "not"), "'not' must stand alone in its object")
    if "not" in keys:
        return _negate(_node(_join(path, "not"), data["not"]))
    parts: list[Node] = []
    if "all" in keys:
        parts.extend(_items(path, data["all"], "all"))
    if "any" in keys:
        parts.append(AnyOf(tuple(_items(path, data["any"], "any")), _join(path, "any")))
    if len(parts) == 1 and isinstance(parts[0], AnyOf) and "all" not in keys:
        return parts[0]
    return AllOf(tuple(parts), path)


def _check_tree(node: Node) -> None:
    """Check every ``all`` of the normal form (a ``not`` may have made new ones)."""
    if isinstance(node, Condition):
        return
    if isinstance(node, AllOf):
        _check_consistent(node.items)
    for it in node.items:
        _check_tree(it)


def parse_rule(data: Any, *, where: str | None = None) -> Rule:
    """Check a rule given as parsed JSON and return it as a typed tree.

    Parameters
    ----------
    data
        The rule: a mapping (``{}`` holds for everyone) or a JSON string of one.
    where
        Prefix of error messages, e.g. the policy code or the file name.

    Raises
    ------
    RuleError
        Naming the path of the problem, e.g. ``all[2].field: unknown field 'revenu' (did
        you mean 'revenue'?)``.

    Examples
    --------
    >>> r = parse_rule({"all": [{"field": "revenue", "op": ">=", "value": 1e8}]})
    >>> sorted(r.keys())
    ['revenue']
    >>> parse_rule({"all": [{"field": "revenu", "op": ">=", "value": 1}]})
    Traceback (most recent call last):
    ...
    chainatlas.errors.RuleError: all[0].field: unknown field 'revenu' (did you mean 'revenue'?)
    """
    if isinstance(data, str):
        return parse_rule_text(data, where=where)
    try:
        root = _node("", {} if data is None else data)
        _check_tree(root)
    except RuleError as err:
        if where:
            raise RuleError(f"{where}: {err.message}") from None
        raise
    src = dict(data) if isinstance(data, Mapping) else {}
    return Rule(root, src)


def parse_rule_text(text: str, *, where: str | None = None) -> Rule:
    """Parse a rule from JSON text; a syntax error names its line and column.

    >>> parse_rule_text('{"all": [}', where="rule.json")
    Traceback (most recent call last):
    ...
    chainatlas.errors.RuleError: rule.json: not valid JSON: Expecting value at line 1, column 10
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        prefix = f"{where}: " if where else ""
        raise RuleError(
            f"{prefix}not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}"
        ) from None
    return parse_rule(data, where=where)
