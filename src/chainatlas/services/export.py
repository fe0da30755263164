"""Export the store as XLSX (one sheet per kind) or CSV files that import back unchanged.

References are written as codes: regions, chains, indicators and resources by code;
segments as chain code + segment code; industries as scheme + code; enterprises by credit
code, else stock code, else name.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from chainatlas.importers.fields import EntitySpec, FieldSpec, ValueKind
from chainatlas.importers.specs import IMPORT_ORDER, get_spec
from chainatlas.store import schema as s
from chainatlas.store import schema_activity as sa_
from chainatlas.store.records import fetch_rows

__all__ = ["export_data", "export_rows"]


class _Names:
    """id -> code maps for every kind of reference."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self._maps: dict[str, dict[int, Any]] = {}

    def _load(self, key: str) -> dict[int, Any]:
        if key in self._maps:
            return self._maps[key]
        c = self.conn
        m: dict[int, Any]
        if key == "region":
            m = {r["id"]: r["code"] for r in fetch_rows(c, s.regions, ["id", "code"])}
        elif key == "region_group":
            m = {r["id"]: r["code"] for r in fetch_rows(c, s.region_groups, ["id", "code"])}
        elif key == "chain":
            m = {r["id"]: r["code"] for r in fetch_rows(c, s.chains, ["id", "code"])}
        elif key == "indicator":
            m = {r["id"]: r["code"] for r in fetch_rows(c, sa_.indicators, ["id", "code"])}
        elif key == "resource":
            rows = fetch_rows(c, sa_.innovation_resources, ["id", "code"])
            m = {r["id"]: r["code"] for r in rows}
        elif key == "industry":
            rows = fetch_rows(c, s.industries, ["id", "scheme", "code"])
            m = {r["id"]: (r["scheme"], r["code"]) for r in rows}
        elif key == "segment":
            chains = self._load("chain")
            rows = fetch_rows(c, s.segments, ["id", "chain_id", "code"])
            m = {r["id"]: (chains[r["chain_id"]], r["code"]) for r in rows}
        elif key == "enterprise":
            cols = ["id", "credit_code", "stock_code", "name"]
            m = {
                r["id"]: r["credit_code"] or r["stock_code"] or r["name"]
                for r in fetch_rows(c, s.enterprises, cols)
            }
        else:  # pragma: no cover
            raise KeyError(key)
        self._maps[key] = m
        return m

    def get(self, key: str, ident: int | None) -> Any:
        return None if ident is None else self._load(key).get(ident)


def _cell(f: FieldSpec, value: Any) -> Any:
    if value is None:
        return ""
    if f.kind in (ValueKind.LIST, ValueKind.JSON):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def export_rows(conn: sa.Connection, spec: EntitySpec) -> Iterator[list[Any]]:
    """Yield the header row, then one row of cells per record of ``spec``."""
    names = _Names(conn)
    yield [f.name for f in spec.fields]
    order = "id" if "id" in spec.table.c else None
    for row in fetch_rows(conn, spec.table, order_by=order):
        out: dict[str, Any] = {}
        for f in spec.fields:
            if f.kind is ValueKind.REF and f.ref == "segment":
                ref = names.get("segment", row.get(f.target or ""))
                out[f.name] = ref[1] if ref else None
                if ref and "chain" in spec.field_names and out.get("chain") is None:
                    out["chain"] = ref[0]
            elif f.kind is ValueKind.REF and f.ref == "industry":
                ref = names.get("industry", row.get(f.target or ""))
                out[f.name] = ref[1] if ref else None
                if ref and f.ref_context:
                    out[f.ref_context] = ref[0]
            elif f.kind is ValueKind.REF:
                if f.target:
                    out[f.name] = names.get(f.ref or "", row.get(f.target))
                else:
                    out.setdefault(f.name, None)
            elif f.target:
                out[f.name] = row.get(f.target)
            else:
                out.setdefault(f.name, None)
        yield [_cell(f, out.get(f.name)) for f in spec.fields]


def export_data(
    conn: sa.Connection, out: str | Path, *, kinds: Iterable[str] | None = None
) -> dict[str, int]:
    """Write every kind (or ``kinds``) to an XLSX workbook or a folder of CSV files.

    Returns the number of rows written per kind. Empty kinds are skipped.
    """
    specs = [get_spec(k) for k in kinds] if kinds else list(IMPORT_ORDER)
    specs = [spec for spec in IMPORT_ORDER if spec in specs]
    target = Path(out)
    counts: dict[str, int] = {}
    if target.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        for spec in specs:
            rows = export_rows(conn, spec)
            header = next(rows)
            ws = None
            n = 0
            for row in rows:
                if ws is None:
                    ws = wb.create_sheet(spec.kind)
                    ws.append(header)
                ws.append(row)
                n += 1
            if n:
                counts[spec.kind] = n
        if not counts:
            wb.create_sheet("empty")
        target.parent.mkdir(parents=True, exist_ok=True)
        wb.save(target)
        return counts
    target.mkdir(parents=True, exist_ok=True)
    for spec in specs:
        rows = export_rows(conn, spec)
        header = next(rows)
        first = next(rows, None)
        if first is None:
            continue
        path = target / f"{spec.kind}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerow(first)
            n = 1
            for row in rows:
                writer.writerow(row)
                n += 1
        counts[spec.kind] = n
    return counts
