"""``chainatlas init`` and ``chainatlas db upgrade|status``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from chainatlas.cli._app import app, settings_for
from chainatlas.services.database import database_status, init_database
from chainatlas.services.reference import load_reference
from chainatlas.store.engine import make_engine
from chainatlas.store.tx import tx

__all__ = ["db_app"]

db_app = typer.Typer(help="Create, upgrade and inspect the database.", no_args_is_help=True)
app.add_typer(db_app, name="db")

_DB = typer.Option("--db", help="Database URL or SQLite file path.", show_default=False)


@app.command("init")
def init(
    db: Annotated[str | None, _DB] = None,
    reference: Annotated[
        list[str] | None,
        typer.Option(
            "--reference",
            help="Also load bundled reference data, e.g. 'cn-regions' (provinces, major cities).",
        ),
    ] = None,
) -> None:
    """Create the database (or bring it up to date) with every table."""
    engine = make_engine(settings_for(db).database_url)
    status = init_database(engine)
    console = Console()
    console.print(f"Database ready at {status.url} (revision {status.revision}).")
    for name in reference or []:
        with tx(engine) as conn:
            rep = load_reference(conn, name)
        console.print(f"Reference {name}: {rep.inserted} inserted, {rep.unchanged} unchanged.")


@db_app.command("upgrade")
def upgrade(db: Annotated[str | None, _DB] = None) -> None:
    """Apply pending migrations."""
    engine = make_engine(settings_for(db).database_url)
    before = database_status(engine).revision
    status = init_database(engine)
    Console().print(f"Upgraded {status.url} from {before or 'empty'} to {status.revision}.")


@db_app.command("status")
def status(db: Annotated[str | None, _DB] = None) -> None:
    """Show the database revision and whether it is up to date."""
    engine = make_engine(settings_for(db).database_url)
    st = database_status(engine)
    state = "up to date" if st.up_to_date else f"needs upgrade to {st.head}"
    Console().print(f"{st.url}: revision {st.revision or 'none'} ({state})")
