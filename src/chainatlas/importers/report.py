"""The import report: counts, row-level problems and probable duplicates; CSV/XLSX output."""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from chainatlas.errors import ImportFormatError, ImportProblem

__all__ = ["ImportReport", "ProbableDuplicate", "write_problems"]


@dataclass(frozen=True, slots=True)
class ProbableDuplicate:
    """Two enterprises whose names are close enough to be the same firm; for review."""

    name: str
    other_name: str
    other_id: int
    score: float
    row: int | None


@dataclass
class ImportReport:
    """What an import did: rows read, inserted, updated, unchanged, skipped, and why."""

    file: str
    kind: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    encoding: str | None = None
    sheet: str | None = None
    problems: list[ImportProblem] = field(default_factory=list)
    duplicates: list[ProbableDuplicate] = field(default_factory=list)
    committed: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the report as plain JSON-ready data."""
        data = asdict(self)
        data["problems"] = [asdict(p) for p in self.problems]
        data["duplicates"] = [asdict(d) for d in self.duplicates]
        return data


_HEADERS = ["file", "row", "column", "value", "reason"]


def write_problems(problems: list[ImportProblem], path: str | Path) -> Path:
    """Write problems to ``path`` as CSV (UTF-8 with BOM, opens in Excel) or XLSX."""
    out = Path(path)
    rows = [[p.file, p.row, p.column, p.value, p.reason] for p in problems]
    if out.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "problems"
        ws.append(_HEADERS)
        for r in rows:
            ws.append(r)
        wb.save(out)
    elif out.suffix.lower() in {".csv", ".txt"}:
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(_HEADERS)
            writer.writerows(rows)
    else:
        raise ImportFormatError(f"{out.name}: the problem report must be .csv or .xlsx")
    return out
