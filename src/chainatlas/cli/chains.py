"""``chainatlas chains templates|install|list``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from chainatlas.cli._app import app, settings_for
from chainatlas.services.chains import install_template
from chainatlas.services.database import init_database
from chainatlas.store.chains import list_chains
from chainatlas.store.engine import make_engine
from chainatlas.store.tx import tx
from chainatlas.templates import list_templates, load_template

__all__ = ["chains_app"]

chains_app = typer.Typer(
    help="Chain templates and the chains in the database.", no_args_is_help=True
)
app.add_typer(chains_app, name="chains")

_DB = typer.Option("--db", help="Database URL or SQLite file path.", show_default=False)


@chains_app.command("templates")
def templates() -> None:
    """List the bundled chain templates."""
    table = Table(title="Chain templates")
    table.add_column("code", no_wrap=True)
    for col in ("名称", "name", "segments", "edges"):
        table.add_column(col)
    for code in list_templates():
        chain = load_template(code)
        table.add_row(
            code, chain.name_zh, chain.name_en, str(len(chain.segments)), str(len(chain.edges))
        )
    Console().print(table)


@chains_app.command("install")
def install(
    names: Annotated[list[str], typer.Argument(help="Template codes or template JSON files.")],
    db: Annotated[str | None, _DB] = None,
) -> None:
    """Install chain templates into the database (re-installing changes nothing)."""
    engine = make_engine(settings_for(db).database_url)
    init_database(engine)
    console = Console()
    with tx(engine) as conn:
        for name in names:
            res = install_template(conn, name)
            what = "created" if res.created else ("updated" if res.updated else "unchanged")
            console.print(
                f"{name}: chain {what}; segments +{res.segments_inserted} "
                f"~{res.segments_updated}; edges +{res.edges_inserted} ~{res.edges_updated}"
            )


@chains_app.command("list")
def list_(db: Annotated[str | None, _DB] = None) -> None:
    """List the chains in the database."""
    engine = make_engine(settings_for(db).database_url)
    with tx(engine) as conn:
        rows = list_chains(conn)
    table = Table(title="Chains")
    table.add_column("code", no_wrap=True)
    for col in ("名称", "name", "segments"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["code"], r["name_zh"], r["name_en"], str(r["segments"]))
    Console().print(table)
