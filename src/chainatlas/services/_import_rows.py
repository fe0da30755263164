"""Row-by-row upsert of one import: resolve references, match existing records, write.

Used by :mod:`chainatlas.services.import_run`, which reads the file and owns the SAVEPOINT.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rapidfuzz import fuzz, process

from chainatlas.domain.names import normalise_name
from chainatlas.errors import ImportProblem
from chainatlas.importers.columns import ColumnMap
from chainatlas.importers.fields import EntitySpec, FieldSpec, ValueKind
from chainatlas.importers.report import ImportReport, ProbableDuplicate
from chainatlas.importers.values import ValueProblem
from chainatlas.services._refs import RefResolver
from chainatlas.store.records import fetch_rows, insert_rows, update_rows

__all__ = ["ImportOptions", "RowUpsert"]

_SELF_REFERENCING = {"regions", "industries", "segments"}
_BATCH = 2000


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """How to import: skip invalid rows, a column map, constant fields, a source label."""

    skip_invalid: bool = False
    mapping: Mapping[str, str] | None = None
    constants: Mapping[str, str] | None = None
    source: str | None = None
    sheet: str | None = None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, int | float) and not isinstance(b, bool):
        return math.isclose(a, float(b), rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, datetime) and isinstance(b, date) and not isinstance(b, datetime):
        return a.date() == b
    return bool(a == b)


class RowUpsert:
    """The state of one import: resolved rows, existing rows, pending writes."""

    def __init__(
        self,
        conn: sa.Connection,
        spec: EntitySpec,
        cmap: ColumnMap,
        label: str,
        options: ImportOptions,
        report: ImportReport,
    ) -> None:
        self.conn, self.spec, self.cmap, self.label = conn, spec, cmap, label
        self.options, self.report = options, report
        self.refs = RefResolver(conn)
        self.now = datetime.now(UTC)
        self.source = options.source or Path(label.split(" [sheet")[0]).name
        self.key_fields = spec.identity[0]
        self.key_cols = [c for c in (spec.field(f).target for f in self.key_fields) if c]
        self.inserts: list[tuple[int, dict[str, Any]]] = []
        self.updates: list[dict[str, Any]] = []
        self.seen: dict[tuple[Any, ...], int] = {}
        self.skipped = 0
        self.new_names: list[tuple[int, str, str, int | None]] = []
        self.pending_names: dict[tuple[Any, Any], tuple[int, bool]] = {}

    # -- resolution ----------------------------------------------------------------
    def _resolve(self, rowno: int, fields: dict[str, Any]) -> dict[str, Any] | None:
        cols: dict[str, Any] = {}
        ok = True
        for name, value in fields.items():
            f = self.spec.field(name)
            target = f.target
            if f.kind is ValueKind.REF and value is not None:
                try:
                    value = self._ref(f, value, fields)
                except ValueProblem as err:
                    self._problem(rowno, name, fields.get(name), str(err))
                    ok = False
                    continue
            if target:
                cols[target] = value
        for name in self.key_fields:
            f = self.spec.field(name)
            if f.target and f.target not in cols and f.default is not None:
                cols[f.target] = f.default
        return cols if ok else None

    def _ref(self, f: FieldSpec, value: str, fields: dict[str, Any]) -> int:
        ctx = fields.get(f.ref_context) if f.ref_context else None
        r = self.refs
        match f.ref:
            case "region":
                return r.region(value)
            case "enterprise":
                return r.enterprise(value)
            case "chain":
                return r.chain(value)
            case "segment":
                return r.segment(value, ctx)
            case "industry":
                return r.industry(value, ctx)
            case "indicator":
                return r.indicator(value)
            case "resource":
                return r.resource(value)
            case "region_group":
                return r.region_group(value)
        raise ValueProblem(f"unsupported reference {f.ref}")  # pragma: no cover

    def _problem(self, rowno: int, field: str | None, value: Any, reason: str) -> None:
        header = None
        if field:
            header = self.cmap.header.get(field) or (
                f"--set {field}" if field in self.cmap.constants else field
            )
        shown = None if value is None else str(value)
        self.report.problems.append(ImportProblem(self.label, rowno, header, shown, reason))

    # -- processing ----------------------------------------------------------------
    def process(self, parsed: list[tuple[int, dict[str, Any]]]) -> None:
        if self.spec.kind in _SELF_REFERENCING:
            existing = self._existing_all()
            for rowno, fields in _parents_first(parsed):
                cols = self._resolve(rowno, fields)
                if cols is None:
                    self.skipped += 1
                else:
                    self._upsert(rowno, fields, cols, existing, immediate=True)
            return
        resolved: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
        for rowno, fields in parsed:
            cols = self._resolve(rowno, fields)
            if cols is None:
                self.skipped += 1
            else:
                resolved.append((rowno, fields, cols))
        existing = self._existing_for(resolved)
        for rowno, fields, cols in resolved:
            self._upsert(rowno, fields, cols, existing, immediate=False)

    def _key(self, cols: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(cols.get(c) for c in self.key_cols)

    def _existing_all(self) -> dict[tuple[Any, ...], dict[str, Any]]:
        rows = fetch_rows(self.conn, self.spec.table)
        return {self._key(r): r for r in rows}

    def _existing_for(
        self, resolved: list[tuple[int, dict[str, Any], dict[str, Any]]]
    ) -> dict[Any, dict[str, Any]]:
        table = self.spec.table
        if self.spec.kind == "enterprises":
            ids = [self._match_enterprise(c) for _, _, c in resolved]
            rows = fetch_rows(self.conn, table, where="id", values=[i for i in ids if i])
            return {("id", r["id"]): r for r in rows}
        first = self.key_cols[0]
        values = [c.get(first) for _, _, c in resolved]
        rows = fetch_rows(self.conn, table, where=first, values=values)
        return {self._key(r): r for r in rows}

    def _match_enterprise(self, cols: dict[str, Any]) -> int | None:
        name = cols.get("name")
        return self.refs.match_enterprise(
            cols.get("credit_code"),
            cols.get("stock_code"),
            normalise_name(name) if name else None,
            cols.get("region_id"),
        )

    def _upsert(
        self,
        rowno: int,
        fields: dict[str, Any],
        cols: dict[str, Any],
        existing: dict[Any, dict[str, Any]],
        *,
        immediate: bool,
    ) -> None:
        kind = self.spec.kind
        if kind == "enterprises":
            if cols.get("name"):
                cols["name_norm"] = normalise_name(cols["name"])
            eid = self._match_enterprise(cols)
            key: tuple[Any, ...] = (
                ("id", eid)
                if eid
                else (
                    "new",
                    cols.get("credit_code")
                    or cols.get("stock_code")
                    or (cols.get("name_norm"), cols.get("region_id")),
                )
            )
        else:
            key = self._key(cols)
        if kind == "enterprises" and key[0] == "new":
            earlier = self._pending_enterprise(rowno, cols)
            if earlier is not None:
                self._problem(
                    rowno,
                    "name",
                    fields.get("name"),
                    f"the same enterprise as row {earlier} (same name and region); "
                    "give each firm one row",
                )
                self.skipped += 1
                return
        if key in self.seen:
            label = self.key_fields
            if kind == "enterprises":
                label = next(
                    (f,)
                    for f in ("credit_code", "stock_code", "name")
                    if cols.get(f) and f in fields
                )
            self._problem(
                rowno,
                label[0],
                fields.get(label[0]),
                f"duplicate of row {self.seen[key]} (same {'+'.join(label)})",
            )
            self.skipped += 1
            return
        self.seen[key] = rowno
        if not self._check_row(rowno, fields, cols):
            self.skipped += 1
            return
        if "source" not in cols and "source" in self.spec.table.c:
            cols["source"] = self.source
        old = existing.get(key)
        if old is None:
            self._insert(rowno, fields, cols, immediate)
        else:
            self._update(old, cols, immediate)

    def _pending_enterprise(self, rowno: int, cols: dict[str, Any]) -> int | None:
        """Return the row of an earlier new firm in this file that this row also describes."""
        name_key = (cols.get("name_norm"), cols.get("region_id"))
        has_code = bool(cols.get("credit_code"))
        if name_key[0] is None:
            return None
        earlier = self.pending_names.get(name_key)
        if earlier is not None and not (has_code and earlier[1]):
            return earlier[0]
        self.pending_names.setdefault(name_key, (rowno, has_code))
        return None

    def _check_row(self, rowno: int, fields: dict[str, Any], cols: dict[str, Any]) -> bool:
        kind = self.spec.kind
        if kind == "supply_links" and cols.get("supplier_id") == cols.get("buyer_id"):
            self._problem(rowno, "buyer", fields.get("buyer"), "an enterprise cannot supply itself")
            return False
        for a, b in (
            ("valid_from", "valid_to"),
            ("started_on", "expected_completion"),
            ("occurred_on", "ended_on"),
        ):
            if cols.get(a) and cols.get(b) and cols[b] < cols[a]:
                self._problem(rowno, b, fields.get(b), f"{b} is before {a}")
                return False
        if kind == "segment_edges" and cols.get("supplier_segment_id") == cols.get(
            "buyer_segment_id"
        ):
            self._problem(
                rowno,
                "buyer_segment",
                fields.get("buyer_segment"),
                "a segment cannot supply itself",
            )
            return False
        return True

    def _insert(
        self, rowno: int, fields: dict[str, Any], cols: dict[str, Any], immediate: bool
    ) -> None:
        missing = [f for f in self.spec.create_required if fields.get(f) in (None, "")]
        if missing:
            what = ", ".join(missing)
            self._problem(
                rowno,
                missing[0],
                None,
                f"no existing {self.spec.kind.rstrip('s')} matches this row, and "
                f"{what} {'is' if len(missing) == 1 else 'are'} needed to create one",
            )
            self.skipped += 1
            return
        row = {k: v for k, v in cols.items() if v is not None or self._nullable(k)}
        for f in self.spec.fields:
            if f.target and f.target not in row and f.default is not None:
                row[f.target] = f.default
        for c in self.spec.table.c:
            if isinstance(c.type, sa.JSON) and row.get(c.name) is None:
                row[c.name] = {} if c.name == "eligibility" else []
        if "imported_at" in self.spec.table.c:
            row["imported_at"] = self.now
        if self.spec.kind == "enterprises" and row.get("stock_code") and "listed" not in row:
            row["listed"] = True
        if self.spec.kind == "segments" and row.get("importance") is None:
            row.pop("importance", None)
        if immediate:
            new_id = insert_rows(self.conn, self.spec.table, [row])[0]
            self.refs.remember(self.spec.kind, row, new_id)
        else:
            self.inserts.append((rowno, row))
        self.report.inserted += 1

    def _update(self, old: dict[str, Any], cols: dict[str, Any], immediate: bool) -> None:
        changes: dict[str, Any] = {}
        for col, value in cols.items():
            if col == "aliases":
                merged = list(dict.fromkeys([*(old.get("aliases") or []), *(value or [])]))
                if merged != (old.get("aliases") or []):
                    changes[col] = merged
                continue
            if value is None:
                continue  # an empty cell leaves the stored value as it is
            if not _same(value, old.get(col)):
                changes[col] = value
        if self.spec.kind == "enterprises" and "name" in changes and old.get("name"):
            aliases = changes.get("aliases", list(old.get("aliases") or []))
            if old["name"] not in aliases:
                changes["aliases"] = [*aliases, old["name"]]
        if set(changes) <= {"source", "name_norm"}:
            self.report.unchanged += 1
            return
        if "id" not in old:
            self.report.unchanged += 1
            return
        changes["id"] = old["id"]
        if "imported_at" in self.spec.table.c:
            changes["imported_at"] = self.now
        if immediate:
            update_rows(self.conn, self.spec.table, [changes])
        else:
            self.updates.append(changes)
        self.report.updated += 1

    def _nullable(self, col: str) -> bool:
        column = self.spec.table.c.get(col)
        return column is None or bool(column.nullable)

    # -- writing -------------------------------------------------------------------
    def flush(self) -> None:
        table = self.spec.table
        for i in range(0, len(self.inserts), _BATCH):
            chunk = self.inserts[i : i + _BATCH]
            ids = insert_rows(self.conn, table, [r for _, r in chunk])
            for (rowno, row), new_id in zip(chunk, ids, strict=True):
                self.refs.remember(self.spec.kind, row, new_id)
                if self.spec.kind == "enterprises":
                    self.new_names.append(
                        (rowno, row["name"], row["name_norm"], row.get("region_id"))
                    )
        for i in range(0, len(self.updates), _BATCH):
            update_rows(self.conn, table, self.updates[i : i + _BATCH])

    def probable_duplicates(self, cutoff: float = 90.0) -> list[ProbableDuplicate]:
        """Enterprises just created whose names are close to another firm in the region."""
        if not self.new_names:
            return []
        by_region: dict[int | None, dict[int, str]] = {}
        for norm, ids in self.refs.enterprise_names().items():
            for eid, (rid, _has_code) in ids.items():
                by_region.setdefault(rid, {})[eid] = norm
        new_norms = {n for _, _, n, _ in self.new_names}
        blocks = {rid: _BigramBlocks(pool) for rid, pool in by_region.items()}
        out: list[ProbableDuplicate] = []
        for rowno, name, norm, rid in self.new_names:
            block = blocks.get(rid)
            if block is None:
                continue
            pool = {eid: n for eid, n in block.candidates(norm).items() if n != norm}
            for match_norm, score, eid in process.extract(
                norm, pool, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3
            ):
                if match_norm in new_norms and match_norm < norm:
                    continue  # report each new-new pair once
                other = self.refs.display_names.get(int(eid), match_norm)
                out.append(ProbableDuplicate(name, other, int(eid), float(score), rowno))
        return out


class _BigramBlocks:
    """Candidate pairs for fuzzy name matching: names sharing an uncommon character bigram.

    Comparing every new name with every name in its region costs O(n^2); two names with a
    similarity of 90 or more share most of their bigrams, so candidates are drawn from the
    names that share at least half of the query's uncommon bigrams (bigrams found in more
    than 2% of the region's names, such as 科技 or 有限, are not used for blocking).
    """

    def __init__(self, pool: dict[int, str]) -> None:
        self.pool = pool
        index: dict[str, list[int]] = {}
        for eid, norm in pool.items():
            for gram in {norm[i : i + 2] for i in range(len(norm) - 1)}:
                index.setdefault(gram, []).append(eid)
        limit = max(50, len(pool) // 50)
        self.index = {g: ids for g, ids in index.items() if len(ids) <= limit}

    def candidates(self, norm: str) -> dict[int, str]:
        grams = {norm[i : i + 2] for i in range(len(norm) - 1)} & self.index.keys()
        if not grams:
            return {}
        counts: dict[int, int] = {}
        for gram in grams:
            for eid in self.index[gram]:
                counts[eid] = counts.get(eid, 0) + 1
        need = max(1, len(grams) // 2)
        return {eid: self.pool[eid] for eid, n in counts.items() if n >= need}


def _parents_first(parsed: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, dict[str, Any]]]:
    """Order rows so that a row whose parent is in the same file comes after it."""
    by_code = {f.get("code"): i for i, (_, f) in enumerate(parsed) if f.get("code")}
    order: list[int] = []
    state: dict[int, int] = {}

    def visit(i: int) -> None:
        if state.get(i) == 2:
            return
        if state.get(i) == 1:
            return  # a cycle; leave it to reference resolution to report
        state[i] = 1
        parent = parsed[i][1].get("parent")
        if parent in by_code and by_code[parent] != i:
            visit(by_code[parent])
        state[i] = 2
        order.append(i)

    for i in range(len(parsed)):
        visit(i)
    return [parsed[i] for i in order]
