"""``chainatlas serve``: run the web app and the REST API with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from chainatlas.cli._app import app, no_tables_message, settings_for
from chainatlas.errors import InvalidData
from chainatlas.services.database import database_status
from chainatlas.settings import Settings
from chainatlas.store.engine import make_engine

__all__ = ["check_ready", "run_server", "serve"]

HostOpt = Annotated[
    str,
    typer.Option("--host", envvar="CHAINATLAS_HOST", help="Address to listen on."),
]
PortOpt = Annotated[
    int,
    typer.Option("--port", min=1, max=65535, envvar="CHAINATLAS_PORT", help="Port to listen on."),
]


def check_ready(settings: Settings) -> None:
    """Refuse to serve a database without the ChainAtlas tables or at an older revision.

    Raises
    ------
    InvalidData
        Naming the database and the command that prepares it.
    """
    engine = make_engine(settings.database_url)
    try:
        status = database_status(engine)
    finally:
        engine.dispose()
    if status.revision is None:
        raise InvalidData(no_tables_message(status.url))
    if not status.up_to_date:
        raise InvalidData(
            f"{status.url} is at schema revision {status.revision}, this version needs "
            f"{status.head}: run `chainatlas db upgrade` first"
        )


def run_server(settings: Settings, host: str, port: int) -> None:
    """Serve the app for ``settings`` until interrupted (uvicorn, one process)."""
    import uvicorn

    from chainatlas.api.app import create_app

    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


@app.command("serve")
def serve(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    db: Annotated[
        str | None, typer.Option("--db", help="Database URL or SQLite file path.")
    ] = None,
) -> None:
    """Serve the web app (pages and /api/v1) on http://HOST:PORT until Ctrl+C."""
    settings = settings_for(db)
    check_ready(settings)
    typer.echo(f"Serving ChainAtlas on http://{host}:{port}/ (database {settings.database_url})")
    run_server(settings, host, port)
