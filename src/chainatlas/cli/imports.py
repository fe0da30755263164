"""``chainatlas import KIND FILE`` and ``chainatlas export``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from chainatlas.cli._app import app, settings_for
from chainatlas.errors import ImportFormatError, ImportRejected
from chainatlas.importers.report import ImportReport, write_problems
from chainatlas.importers.specs import SPECS
from chainatlas.services.database import init_database
from chainatlas.services.export import export_data
from chainatlas.services.import_run import ImportOptions, import_file, import_workbook
from chainatlas.store.engine import make_engine
from chainatlas.store.tx import tx

__all__ = ["export", "import_"]

_KINDS = ", ".join(SPECS)


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values or []:
        if "=" not in item:
            raise typer.BadParameter(f"expected HEADER=FIELD, got {item!r}", param_hint=option)
        key, value = item.split("=", 1)
        out[key.strip()] = value.strip()
    return out


@app.command("import")
def import_(
    kind: Annotated[
        str,
        typer.Argument(
            help=f"What the file holds: {_KINDS}; or 'workbook' for an XLSX with one sheet "
            "per kind, or a folder with one file per kind."
        ),
    ],
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8/GBK/GB18030), XLSX or JSON file.")],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the valid rows; report the rest.")
    ] = False,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet (default: the first).")] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="Map a header to a field: 'HEADER=FIELD', or 'HEADER=-'."),
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Give a field one value: 'FIELD=VALUE'.")
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Provenance label (default: the file name).")
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="Write the problem report to this .csv or .xlsx file.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    db: Annotated[str | None, typer.Option("--db", help="Database URL or SQLite path.")] = None,
) -> None:
    """Import a file; all or nothing unless --skip-invalid. Re-importing changes nothing."""
    opts = ImportOptions(
        skip_invalid=skip_invalid,
        mapping=_pairs(map_, "--map"),
        constants=_pairs(set_, "--set"),
        source=source,
        sheet=sheet,
    )
    engine = make_engine(settings_for(db).database_url)
    init_database(engine)
    err_console = Console(stderr=True)
    try:
        with tx(engine) as conn:
            if kind.strip().lower() == "workbook":
                reports = import_workbook(conn, file, opts)
            else:
                reports = [import_file(conn, kind, file, opts)]
    except ImportRejected as err:
        _show_problems(err_console, err.problems)
        if report is not None:
            write_problems(err.problems, report)
            err_console.print(f"Problem report written to {report}")
        raise
    problems = [p for r in reports for p in r.problems]
    if report is not None and problems:
        write_problems(problems, report)
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, default=str))
        return
    console = Console()
    for rep in reports:
        _show_report(console, rep)
    if problems:
        _show_problems(err_console, problems)
        if report is not None:
            err_console.print(f"Problem report written to {report}")


def _show_report(console: Console, rep: ImportReport) -> None:
    enc = f", {rep.encoding}" if rep.encoding else ""
    console.print(
        f"[bold]{rep.kind}[/bold] from {rep.file}{enc}: {rep.rows} rows — "
        f"{rep.inserted} inserted, {rep.updated} updated, {rep.unchanged} unchanged, "
        f"{rep.skipped} skipped"
    )
    if rep.duplicates:
        table = Table(title="Probable duplicates (review; nothing was merged)")
        for col in ("row", "name", "similar to", "id", "score"):
            table.add_column(col)
        for d in rep.duplicates[:50]:
            table.add_row(str(d.row), d.name, d.other_name, str(d.other_id), f"{d.score:.0f}")
        console.print(table)


def _show_problems(console: Console, problems: list) -> None:  # type: ignore[type-arg]
    table = Table(title=f"{len(problems)} problem(s)")
    for col in ("file", "row", "column", "value", "reason"):
        table.add_column(col, overflow="fold")
    for p in problems[:30]:
        table.add_row(p.file, str(p.row or ""), p.column or "", p.value or "", p.reason)
    console.print(table)
    if len(problems) > 30:
        console.print(f"… and {len(problems) - 30} more (use --report FILE to get them all)")


@app.command("export")
def export(
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="An .xlsx workbook, or a folder for one CSV per kind."),
    ] = Path("chainatlas-export.xlsx"),
    kinds: Annotated[
        list[str] | None, typer.Option("--kind", help="Export only these kinds (repeatable).")
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="Database URL or SQLite path.")] = None,
) -> None:
    """Export data as XLSX (one sheet per kind) or CSV files that import back unchanged."""
    engine = make_engine(settings_for(db).database_url)
    if out.suffix.lower() not in {".xlsx", ""} and not out.is_dir():
        raise ImportFormatError(f"{out}: give an .xlsx file or a folder for CSV files")
    with tx(engine) as conn:
        counts = export_data(conn, out, kinds=kinds)
    Console().print(f"Exported {sum(counts.values())} rows of {len(counts)} kinds to {out}")
