"""``chainatlas kg build|gaps``: chains from the A-share industrial-chain knowledge graph."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from chainatlas.cli._app import app, settings_for
from chainatlas.errors import ImportFormatError
from chainatlas.services.database import init_database
from chainatlas.services.kg_chains import KgOptions, build_kg_chains, load_ashare, province_gaps
from chainatlas.store.engine import make_engine
from chainatlas.store.tx import tx

__all__ = ["kg_app"]

kg_app = typer.Typer(
    help="Chains cut from the A-share knowledge graph (see docs/real-data.md).",
    no_args_is_help=True,
)
app.add_typer(kg_app, name="kg")

_DB = typer.Option("--db", help="Database URL or SQLite file path.", show_default=False)


@kg_app.command("build")
def build(
    kg_dir: Annotated[Path, typer.Argument(help="The chain_kg_ashare folder.")],
    stock_basic: Annotated[Path, typer.Argument(help="stock_basic.csv (provinces of firms).")],
    family: Annotated[
        list[str] | None,
        typer.Option("--family", help="Shenwan level-1 code to build (repeatable; default all)."),
    ] = None,
    db: Annotated[str | None, _DB] = None,
) -> None:
    """Import the A-share firms and build one chain per Shenwan family."""
    for path in (kg_dir / "industry_up.json", stock_basic):
        if not path.exists():
            raise ImportFormatError(f"{path}: no such file")
    engine = make_engine(settings_for(db).database_url)
    init_database(engine)
    with tx(engine) as conn:
        load_ashare(conn, kg_dir, stock_basic)
        result = build_kg_chains(conn, kg_dir, KgOptions(families=family or None))
    console = Console()
    for code in result.chains:
        dropped = len(result.dropped.get(code, []))
        console.print(
            f"{code}: {result.segments.get(code, 0)} segments, {result.edges.get(code, 0)} "
            f"edges ({dropped} dropped to break cycles)"
        )
    console.print(f"{len(result.chains)} chains; {result.memberships} enterprise memberships.")


@kg_app.command("gaps")
def gaps(
    chain: Annotated[str, typer.Argument(help="Chain code, e.g. sw280000.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: Annotated[str | None, _DB] = None,
) -> None:
    """Show the gap analysis of a chain in every province."""
    engine = make_engine(settings_for(db).database_url)
    with engine.connect() as conn:
        rows = province_gaps(conn, chain)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, default=str))
        return
    table = Table(title=f"{chain}: gaps by province")
    keys = [k for k in rows[0] if not isinstance(rows[0][k], list | dict)] if rows else []
    for key in keys:
        table.add_column(key)
    for row in rows:
        table.add_row(*(str(row[k]) for k in keys))
    Console().print(table)
