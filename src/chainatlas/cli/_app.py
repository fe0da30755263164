"""The root Typer app and the options shared by every command."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from chainatlas.settings import Settings, get_settings

__all__ = ["app", "settings_for", "state"]


@dataclass
class _State:
    debug: bool = False
    db: str | None = None
    used_url: str | None = None  # the database the command chose (named in errors)


state = _State()

app = typer.Typer(
    name="chainatlas",
    help="ChainAtlas: map, measure and strengthen industrial chains.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="CHAINATLAS_DATABASE_URL",
            help="Database URL or SQLite file path (default: chainatlas.db).",
            show_envvar=True,
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    state.debug = debug
    state.db = db


def settings_for(db: str | Path | None = None) -> Settings:
    """Return settings with the database chosen by ``--db`` (command or root option)."""
    chosen = db if db is not None else state.db
    base = get_settings()
    if chosen is not None:
        base = base.model_copy(
            update={"database_url": Settings(database_url=str(chosen)).database_url}
        )
    state.used_url = base.database_url
    return base


def no_tables_message(where: str, detail: str = "") -> str:
    """Say that ``where`` has no ChainAtlas tables yet, and what creates them."""
    found = f" ({detail})" if detail else ""
    return (
        f"{where} has no ChainAtlas tables{found}; create them with `chainatlas init` "
        "(or build the demo with `chainatlas demo`) first"
    )
