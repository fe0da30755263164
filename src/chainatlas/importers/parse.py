"""Turn one raw row into field values, collecting a problem per bad cell."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from chainatlas.domain.credit_code import check_credit_code
from chainatlas.errors import ImportProblem
from chainatlas.importers.columns import ColumnMap
from chainatlas.importers.fields import EntitySpec, FieldSpec, ValueKind
from chainatlas.importers.values import (
    ValueProblem,
    is_empty,
    parse_bool,
    parse_choice,
    parse_date,
    parse_float,
    parse_int,
    parse_json,
    parse_list,
    parse_money,
    parse_share,
    parse_text,
)

__all__ = ["normalise_stock_code", "parse_row", "parse_value"]


def normalise_stock_code(text: str) -> tuple[str, str | None]:
    """Return a stock code without exchange suffix, and the exchange the suffix named.

    >>> normalise_stock_code("600000.SH")
    ('600000', '上海证券交易所')
    >>> normalise_stock_code("688096")
    ('688096', None)
    """
    code = text.strip().upper()
    exchanges = {"SH": "上海证券交易所", "SZ": "深圳证券交易所", "BJ": "北京证券交易所"}
    for sep in (".", " "):
        if sep in code:
            head, tail = code.rsplit(sep, 1)
            if tail in exchanges:
                return head, exchanges[tail]
    for prefix in ("SH", "SZ", "BJ"):
        if code.startswith(prefix) and code[2:].isdigit():
            return code[2:], exchanges[prefix]
    return code, None


def parse_value(f: FieldSpec, raw: Any, unit: float = 1.0) -> Any:
    """Parse one cell for field ``f``; raise ValueProblem with the reason."""
    kind = f.kind
    value: Any
    if kind in (ValueKind.TEXT, ValueKind.REF):
        value = parse_text(raw)
    elif kind is ValueKind.INT:
        value = parse_int(raw)
    elif kind is ValueKind.FLOAT:
        value = parse_float(raw)
    elif kind is ValueKind.MONEY:
        value = parse_money(raw, unit)
    elif kind is ValueKind.SHARE:
        value = parse_share(raw)
    elif kind is ValueKind.DATE:
        value = parse_date(raw)
    elif kind is ValueKind.BOOL:
        value = parse_bool(raw)
    elif kind is ValueKind.LIST:
        value = parse_list(raw)
    elif kind is ValueKind.JSON:
        value = parse_json(raw)
    elif kind is ValueKind.CHOICE:
        assert f.choices is not None
        value = parse_choice(raw, f.choices)
    elif kind is ValueKind.CREDIT_CODE:
        text = parse_text(raw)
        if text is None:
            return None
        check = check_credit_code(text)
        if not check.ok:
            raise ValueProblem(f"invalid credit code: {check.reason}")
        value = check.code
    elif kind is ValueKind.STOCK_CODE:
        text = parse_text(raw)
        value = None if text is None else normalise_stock_code(text)[0]
    else:  # pragma: no cover - every kind is handled above
        raise ValueProblem(f"unsupported field kind {kind}")
    if f.minimum is not None and isinstance(value, int | float) and value < f.minimum:
        raise ValueProblem(f"must be at least {f.minimum:g}")
    return value


def parse_row(
    spec: EntitySpec,
    cmap: ColumnMap,
    file: str,
    rowno: int,
    values: Sequence[Any],
) -> tuple[dict[str, Any], list[ImportProblem]]:
    """Parse the mapped cells of one row; return field values and the problems found.

    Only fields the file provides appear in the result, so an update leaves the other
    columns as they are. Stock codes with an exchange suffix also fill ``exchange``.
    """
    out: dict[str, Any] = {}
    problems: list[ImportProblem] = []
    sources = [(name, cmap.header[name], _cell(values, idx)) for name, idx in cmap.index.items()]
    sources += [(name, f"--set {name}", raw) for name, raw in cmap.constants.items()]
    for name, header, raw in sources:
        f = spec.field(name)
        try:
            out[name] = parse_value(f, raw, cmap.unit.get(name, 1.0))
            _check_fits(spec, f, out[name])
        except ValueProblem as err:
            shown = "" if is_empty(raw) else str(raw)
            problems.append(ImportProblem(file, rowno, header, shown, str(err)))
            continue
        if (
            f.kind is ValueKind.STOCK_CODE
            and out[name] is not None
            and "exchange" not in cmap.index
        ):
            exchange = normalise_stock_code(str(raw))[1]
            if exchange and "exchange" in spec.field_names:
                out["exchange"] = exchange
    return out, problems


_INT_MAX = 2**31 - 1


def _check_fits(spec: EntitySpec, f: FieldSpec, value: Any) -> None:
    """Refuse a value the column cannot hold (text too long, whole number too large)."""
    if value is None or f.kind is ValueKind.REF or not f.target:
        return
    column = spec.table.c.get(f.target)
    if column is None:
        return
    length = getattr(column.type, "length", None)
    if isinstance(value, str) and length is not None and len(value) > length:
        raise ValueProblem(f"is {len(value)} characters long; at most {length} fit")
    if isinstance(column.type, sa.Integer) and isinstance(value, int) and abs(value) > _INT_MAX:
        raise ValueProblem(f"is too large (at most {_INT_MAX:,})")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueProblem("must be a finite number")


def _cell(values: Sequence[Any], idx: int) -> Any:
    return values[idx] if idx < len(values) else None
