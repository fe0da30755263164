"""Run an import: read, map headers, parse, resolve references, upsert — all or nothing.

The caller owns the transaction; the import runs inside a SAVEPOINT so that a rejected file
leaves the database exactly as it was, even inside a larger transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from chainatlas.errors import ImportFormatError, ImportProblem, ImportRejected
from chainatlas.importers.columns import match_headers
from chainatlas.importers.fields import EntitySpec
from chainatlas.importers.parse import parse_row
from chainatlas.importers.readers import RawTable, read_sheet, read_table, xlsx_sheet_names
from chainatlas.importers.report import ImportReport
from chainatlas.importers.specs import IMPORT_ORDER, SPECS, get_spec
from chainatlas.services._import_rows import ImportOptions, RowUpsert
from chainatlas.store import schema as s

__all__ = ["ImportOptions", "import_file", "import_table", "import_workbook"]


def import_file(
    conn: sa.Connection, kind: str, path: str | Path, options: ImportOptions | None = None
) -> ImportReport:
    """Import one CSV, XLSX or JSON file of ``kind`` records.

    Raises
    ------
    ImportFormatError
        The file cannot be used at all (encoding, wrong kind, missing columns …).
    ImportRejected
        Some rows are invalid and ``skip_invalid`` is off; nothing was written.
    """
    opts = options or ImportOptions()
    spec = get_spec(kind)
    table = read_table(path, sheet=opts.sheet, kind=spec.kind)
    return import_table(conn, spec, table, opts, sha256=_sha256(Path(path)))


def import_workbook(
    conn: sa.Connection, path: str | Path, options: ImportOptions | None = None
) -> list[ImportReport]:
    """Import every sheet of a workbook named after a kind, parents first, all or nothing.

    ``path`` may also be a folder of files named after kinds (``regions.csv``,
    ``enterprises.xlsx`` …), as ``chainatlas export -o FOLDER`` writes them.
    """
    opts = options or ImportOptions()
    p = Path(path)
    if p.is_dir():
        return _import_folder(conn, p, opts)
    names = xlsx_sheet_names(p)
    known = [spec for spec in IMPORT_ORDER if spec.kind in names]
    if not known:
        raise ImportFormatError(
            f"{p.name}: no sheet is named after a kind (expected sheets such as "
            f"{', '.join(list(SPECS)[:4])} …; found {', '.join(names)})"
        )
    digest = _sha256(p)
    parts = [(spec, partial(read_sheet, p, spec.kind), digest) for spec in known]
    return _import_parts(conn, p.name, parts, opts)


def _import_folder(conn: sa.Connection, folder: Path, opts: ImportOptions) -> list[ImportReport]:
    files: list[tuple[EntitySpec, Path]] = []
    for spec in IMPORT_ORDER:
        found = [folder / f"{spec.kind}{ext}" for ext in (".csv", ".xlsx", ".json", ".jsonl")]
        files += [(spec, f) for f in found if f.exists()]
    if not files:
        raise ImportFormatError(
            f"{folder}: no file is named after a kind (expected files such as regions.csv, "
            "enterprises.csv …)"
        )
    parts = [(spec, partial(read_table, f, kind=spec.kind), _sha256(f)) for spec, f in files]
    return _import_parts(conn, folder.name, parts, opts)


def _import_parts(
    conn: sa.Connection,
    name: str,
    parts: Sequence[tuple[EntitySpec, Callable[[], RawTable], str]],
    opts: ImportOptions,
) -> list[ImportReport]:
    """Import several tables, parents first, inside one SAVEPOINT: all or nothing."""
    part_opts = ImportOptions(opts.skip_invalid, None, None, opts.source)
    reports: list[ImportReport] = []
    problems: list[ImportProblem] = []
    outer = conn.begin_nested()
    try:
        for spec, read, digest in parts:
            try:
                reports.append(import_table(conn, spec, read(), part_opts, sha256=digest))
            except ImportRejected as err:
                problems.extend(err.problems)
        if problems:
            raise ImportRejected(_rejected_message(name, problems), problems)
    except BaseException:
        outer.rollback()
        raise
    outer.commit()
    return reports


def import_table(
    conn: sa.Connection,
    spec: EntitySpec,
    table: RawTable,
    options: ImportOptions,
    *,
    sha256: str = "",
) -> ImportReport:
    """Import rows already read from a file (see :func:`import_file`)."""
    label = f"{table.file} [sheet {table.sheet}]" if table.sheet else table.file
    cmap = match_headers(
        spec, table.headers, label, mapping=options.mapping, constants=options.constants
    )
    report = ImportReport(
        label, spec.kind, rows=len(table.rows), encoding=table.encoding, sheet=table.sheet
    )
    parsed: list[tuple[int, dict[str, Any]]] = []
    bad_rows: set[int] = set()
    for rowno, values in table.rows:
        fields, problems = parse_row(spec, cmap, label, rowno, values)
        if len(values) > len(table.headers) and any(
            str(v).strip() for v in values[len(table.headers) :] if v is not None
        ):
            problems.append(
                ImportProblem(
                    label,
                    rowno,
                    None,
                    None,
                    f"row has {len(values)} fields, the header has {len(table.headers)}",
                )
            )
        if problems:
            report.problems.extend(problems)
            bad_rows.add(rowno)
        else:
            parsed.append((rowno, fields))
    savepoint = conn.begin_nested()
    try:
        run = RowUpsert(conn, spec, cmap, label, options, report)
        try:
            run.process(parsed)
            report.skipped = len(bad_rows) + run.skipped
            if report.problems and not options.skip_invalid:
                raise ImportRejected(_rejected_message(label, report.problems), report.problems)
            run.flush()
        except sa.exc.IntegrityError as err:
            problem = ImportProblem(
                label, None, None, None, f"the database refused the data: {err.orig}"
            )
            raise ImportRejected(_rejected_message(label, [problem]), [problem]) from err
        report.duplicates = run.probable_duplicates()
        _record_run(conn, spec.kind, label, sha256, report)
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    report.committed = True
    return report


def _rejected_message(label: str, problems: list[ImportProblem]) -> str:
    rows = {p.row for p in problems}
    first = problems[0]
    return (
        f"import rejected: {len(problems)} problem(s) in {len(rows)} row(s) of {label}; "
        f"nothing was changed. First: {first}"
    )


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _record_run(conn: sa.Connection, kind: str, label: str, sha: str, rep: ImportReport) -> None:
    conn.execute(
        s.import_runs.insert().values(
            kind=kind,
            file=label[:500],
            sha256=sha or "-",
            started_at=datetime.now(UTC),
            rows=rep.rows,
            inserted=rep.inserted,
            updated=rep.updated,
            unchanged=rep.unchanged,
            skipped=rep.skipped,
        )
    )
