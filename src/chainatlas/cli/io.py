"""``chainatlas io``: load input-output tables, check their balance, rank key sectors."""

from __future__ import annotations

import json
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from chainatlas.errors import UnbalancedTableError
from chainatlas.services.io_report import linkage_report, load_table, summarize_table

__all__ = ["app"]

app = typer.Typer(
    help="Input-output tables: load and check a table, rank its key sectors.",
    no_args_is_help=True,
    add_completion=False,
)


class LayoutChoice(StrEnum):
    """File layouts the loader understands (see docs/io-tables.md)."""

    GENERIC = "generic"
    NBS = "nbs"
    OECD = "oecd"
    BEA = "bea"


class OutputFormat(StrEnum):
    """How ``linkages`` prints its result."""

    TABLE = "table"
    JSON = "json"


TableArg = Annotated[Path, typer.Argument(help="Table file (.csv or .xlsx).", show_default=False)]
LayoutOpt = Annotated[
    LayoutChoice,
    typer.Option(
        "--layout",
        "-l",
        help="File layout: generic, nbs (China NBS), oecd or bea (US BEA use table).",
        envvar="CHAINATLAS_IO_LAYOUT",
    ),
]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="Worksheet of an XLSX file.")]
YearOpt = Annotated[
    int | None, typer.Option("--year", help="Year of a multi-year file (BEA sheet, OECD rows).")
]


@app.command("load")
def load(
    table: TableArg,
    layout: LayoutOpt = LayoutChoice.GENERIC,
    sheet: SheetOpt = None,
    year: YearOpt = None,
    rtol: Annotated[
        float, typer.Option("--rtol", help="Balance tolerance as a share of output.")
    ] = 1e-3,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail (exit 1) when the table does not balance.")
    ] = False,
) -> None:
    """Load a table and print its size, total output and balance check."""
    loaded = load_table(table, layout.value, sheet=sheet, year=year)
    summary = summarize_table(loaded, rtol=rtol)
    typer.echo(f"Table:          {summary.name}")
    typer.echo(f"Source:         {summary.source}")
    typer.echo(f"Sectors:        {summary.sectors}")
    typer.echo(
        f"Total output:   {summary.total_output:,.0f} ({summary.units or 'units not given'})"
    )
    typer.echo(f"Final demand:   {', '.join(summary.final_demand)}")
    if summary.primary_inputs:
        typer.echo(f"Primary inputs: {', '.join(summary.primary_inputs)}")
    typer.echo(f"Imports:        {'non-competitive' if summary.non_competitive else 'competitive'}")
    col = (
        "not checked (no value added)"
        if summary.max_column_gap_share is None
        else f"{summary.max_column_gap_share:.2e}"
    )
    typer.echo(
        f"Largest gap:    rows {summary.max_row_gap_share:.2e}, columns {col} (share of output)"
    )
    if summary.balanced:
        typer.echo(f"Balance:        OK within {rtol:g} of output")
        return
    if strict:
        raise UnbalancedTableError(summary.balance_message)
    typer.echo(f"Balance:        NOT balanced: {summary.balance_message}")


@app.command("linkages")
def linkages(
    table: TableArg,
    layout: LayoutOpt = LayoutChoice.GENERIC,
    sheet: SheetOpt = None,
    year: YearOpt = None,
    top: Annotated[
        int, typer.Option("--top", "-n", min=0, help="Sectors to show (0 shows all).")
    ] = 10,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table or json.")
    ] = OutputFormat.TABLE,
    clip_negative: Annotated[
        bool,
        typer.Option("--clip-negative", help="Treat negative intermediate flows as 0."),
    ] = False,
) -> None:
    """Rank key sectors by Rasmussen backward and Ghosh forward linkages (key sectors first)."""
    loaded = load_table(table, layout.value, sheet=sheet, year=year)
    report = linkage_report(loaded, top=top, clip_negative=clip_negative)
    if output is OutputFormat.JSON:
        typer.echo(json.dumps(asdict(report), ensure_ascii=False, indent=2))
        return
    console = Console()
    grid = Table(title=f"Key sectors: {report.table}", title_justify="left")
    grid.add_column("Sector")
    grid.add_column("Name", overflow="fold")
    grid.add_column("Backward", justify="right")
    grid.add_column("Forward", justify="right")
    grid.add_column("Class")
    for row in report.rows:
        grid.add_row(
            row.sector, row.name, f"{row.backward:.3f}", f"{row.forward:.3f}", row.sector_class
        )
    console.print(grid)
    counts = ", ".join(f"{name} {n}" for name, n in report.counts.items())
    console.print(f"{report.sectors} sectors: {counts}. Linkages are normalised (average 1).")
    if report.clipped_cells:
        console.print(f"{report.clipped_cells} negative flows were set to 0.")
