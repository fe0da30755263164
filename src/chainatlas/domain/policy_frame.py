"""Many enterprises' attributes as NumPy columns, and rules evaluated on all at once.

:func:`evaluate_frame` gives, row by row, the verdict :func:`~chainatlas.domain.
policy_eval.evaluate` gives for the row's :meth:`AttributeFrame.record`: one vectorised
pass per condition (set fields through integer-coded (row, value) pairs), so a rule of a
few conditions over a million enterprises takes a fraction of a second.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from chainatlas.domain.policy_fields import FIELDS, FieldKind
from chainatlas.domain.policy_rules import AllOf, Condition, Node, Rule

__all__ = ["AttributeFrame", "SetColumn", "evaluate_frame", "frame_from_records"]

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class SetColumn:
    """A set-valued attribute of many enterprises as (row, value code) pairs.

    ``rows`` is sorted and each (row, code) pair occurs once; ``known`` is False for
    rows whose set is unknown (None), as opposed to empty.
    """

    rows: IntArray
    codes: IntArray
    vocab: dict[str, int]
    known: BoolArray
    names: tuple[str, ...] = ()

    @classmethod
    def from_pairs(
        cls, n: int, rows: npt.ArrayLike, values: Sequence[str], known: BoolArray | None = None
    ) -> SetColumn:
        """Build a column of ``n`` rows from (row, value) pairs (duplicates are dropped)."""
        r = np.asarray(rows, dtype=np.int64)
        codes, uniq = pd.factorize(pd.Series(values, dtype=object).astype(str), sort=True)
        vocab = {str(v): i for i, v in enumerate(uniq)}
        width = max(len(uniq), 1)
        pairs = np.unique(r * width + codes.astype(np.int64))
        return cls(
            pairs // width,
            pairs % width,
            vocab,
            np.ones(n, dtype=bool) if known is None else known,
            tuple(str(v) for v in uniq),
        )

    @classmethod
    def from_codes(
        cls,
        n: int,
        rows: npt.ArrayLike,
        codes: npt.ArrayLike,
        names: Sequence[str],
        known: BoolArray | None = None,
    ) -> SetColumn:
        """Build a column from (row, index into ``names``) pairs, all in integers.

        Gives the same column as :meth:`from_pairs` with the values ``names[codes]``
        (names may repeat), without handling a string per pair. Pairs that arrive
        sorted by row and then by name, without repeats, are not sorted again.
        """
        r = np.asarray(rows, dtype=np.int64)
        c = np.asarray(codes, dtype=np.int64)
        used = np.flatnonzero(np.bincount(c, minlength=len(names)) > 0) if len(c) else c
        rank, uniq = pd.factorize(
            pd.Series([str(names[i]) for i in used.tolist()], dtype=object), sort=True
        )
        remap = np.zeros(max(len(names), 1), dtype=np.int64)
        remap[used] = rank
        width = max(len(uniq), 1)
        key = r * width + remap[c]
        if len(key) > 1 and not bool((key[1:] > key[:-1]).all()):
            key = np.unique(key)
        return cls(
            key // width,
            key % width,
            {str(v): i for i, v in enumerate(uniq)},
            np.ones(n, dtype=bool) if known is None else known,
            tuple(str(v) for v in uniq),
        )

    @classmethod
    def from_sets(cls, sets: Sequence[Iterable[str] | None]) -> SetColumn:
        """Build a column from one iterable (or None, unknown) per row."""
        rows: list[int] = []
        values: list[str] = []
        known = np.ones(len(sets), dtype=bool)
        for i, s in enumerate(sets):
            if s is None:
                known[i] = False
                continue
            for v in s:
                rows.append(i)
                values.append(str(v))
        return cls.from_pairs(len(sets), rows, values, known)

    def values_of(self, i: int) -> frozenset[str] | None:
        """Return the set of row ``i`` (None when unknown)."""
        if not self.known[i]:
            return None
        lo, hi = np.searchsorted(self.rows, [i, i + 1])
        return frozenset(self.names[int(c)] for c in self.codes[lo:hi])

    def has_any(self, values: Sequence[str], n: int) -> BoolArray:
        """Return, per row, whether its set holds one of ``values``."""
        wanted = [self.vocab[v] for v in values if v in self.vocab]
        mask = np.zeros(n, dtype=bool)
        if wanted:
            mask[self.rows[np.isin(self.codes, wanted)]] = True
        return mask

    def has_all(self, values: Sequence[str], n: int) -> BoolArray:
        """Return, per row, whether its set holds every one of ``values``."""
        distinct = set(values)
        if any(v not in self.vocab for v in distinct):
            return np.zeros(n, dtype=bool)
        wanted = [self.vocab[v] for v in distinct]
        hits = np.bincount(self.rows[np.isin(self.codes, wanted)], minlength=n)
        return np.asarray(hits[:n] == len(wanted))


@dataclass(frozen=True, slots=True)
class AttributeFrame:
    """Attributes of many enterprises, one row each, as NumPy columns by attribute key.

    Number and flag columns are float64 (flags 1.0/0.0; NaN is missing); choice and text
    columns are object arrays (None is missing); set fields are :class:`SetColumn`.
    """

    ids: IntArray
    columns: dict[str, npt.NDArray[Any]]
    sets: dict[str, SetColumn]

    def __len__(self) -> int:
        return len(self.ids)

    def record(self, i: int) -> dict[str, Any]:
        """Return row ``i`` as a flat attribute mapping (see the module docstring)."""
        out: dict[str, Any] = {}
        for key, col in self.columns.items():
            name = key.split("@")[0].split("#")[0]
            v = col[i]
            if v is None or (isinstance(v, float) and math.isnan(v)):
                out[key] = None
            elif key.endswith("#year"):
                out[key] = int(v)
            elif FIELDS[name].kind is FieldKind.BOOL:
                out[key] = bool(v)
            elif FIELDS[name].kind is FieldKind.NUMBER:
                out[key] = float(v)
            else:
                out[key] = str(v)
        for key, sc in self.sets.items():
            out[key] = sc.values_of(i)
        return out


def frame_from_records(
    ids: Sequence[int], records: Sequence[Mapping[str, Any]], keys: Iterable[str]
) -> AttributeFrame:
    """Build an :class:`AttributeFrame` from flat attribute mappings (small inputs, tests)."""
    columns: dict[str, npt.NDArray[Any]] = {}
    sets: dict[str, SetColumn] = {}
    for key in sorted(set(keys)):
        name = key.split("@")[0].split("#")[0]
        f = FIELDS[name]
        vals = [r.get(key) for r in records]
        if f.kind is FieldKind.SET:
            sets[key] = SetColumn.from_sets(vals)
        elif f.kind in {FieldKind.NUMBER, FieldKind.BOOL} or key.endswith("#year"):
            columns[key] = np.array(
                [np.nan if v is None else float(v) for v in vals], dtype=np.float64
            )
        else:
            columns[key] = np.array([None if v is None else str(v) for v in vals], dtype=object)
    return AttributeFrame(np.asarray(ids, dtype=np.int64), columns, sets)


def _mask(cond: Condition, frame: AttributeFrame) -> BoolArray:
    f = FIELDS[cond.field]
    n, v, op = len(frame), cond.value, cond.op
    if f.kind is FieldKind.SET:
        sc = frame.sets.get(cond.key)
        if sc is None:
            raise KeyError(f"the attribute frame has no column {cond.key!r}")
        vals = v if isinstance(v, list) else [v]
        if op in {"in", "not_in"}:
            hit = sc.has_any(vals, n)
        else:
            hit = sc.has_all(vals, n)
        return (hit if op in {"in", "contains", "=="} else ~hit) & sc.known
    col = frame.columns.get(cond.key)
    if col is None:
        raise KeyError(f"the attribute frame has no column {cond.key!r}")
    if f.kind in {FieldKind.CHOICE, FieldKind.TEXT}:
        ser = pd.Series(col, copy=False)
        known = ser.notna().to_numpy()
        vals = v if isinstance(v, list) else [v]
        hit = ser.isin(vals).to_numpy()
        return (hit if op in {"==", "in"} else ~hit) & known
    a = np.asarray(col, dtype=np.float64)
    known = ~np.isnan(a)
    if f.kind is FieldKind.BOOL:
        v = 1.0 if v else 0.0
    with np.errstate(invalid="ignore"):
        if op == "between":
            m = (a >= v[0]) & (a <= v[1])
        elif op == "not_between":
            m = (a < v[0]) | (a > v[1])
        else:
            m = {
                "==": lambda: a == v,
                "!=": lambda: a != v,
                ">": lambda: a > v,
                ">=": lambda: a >= v,
                "<": lambda: a < v,
                "<=": lambda: a <= v,
            }[op]()
    return np.asarray(m & known)


def evaluate_frame(rule: Rule, frame: AttributeFrame) -> BoolArray:
    """Return, per row of ``frame``, whether the enterprise meets ``rule``.

    Gives the same verdict as :func:`evaluate` on each row's :meth:`AttributeFrame.record`,
    with one vectorised pass per condition.

    Raises
    ------
    KeyError
        When the frame lacks a column the rule reads (build it with ``rule.keys()``).
    """

    def walk(node: Node) -> BoolArray:
        if isinstance(node, Condition):
            return _mask(node, frame)
        if not node.items:
            return np.full(len(frame), isinstance(node, AllOf))
        masks = [walk(n) for n in node.items]
        if isinstance(node, AllOf):
            return np.asarray(np.logical_and.reduce(masks), dtype=bool)
        return np.asarray(np.logical_or.reduce(masks), dtype=bool)

    return np.asarray(walk(rule.root), dtype=bool)
