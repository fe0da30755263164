"""``chainatlas serve``: run the web app and the REST API with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from chainatlas.cli._app import app, settings_for
from chainatlas.settings import Settings

__all__ = ["run_server", "serve"]

HostOpt = Annotated[
    str,
    typer.Option("--host", envvar="CHAINATLAS_HOST", help="Address to listen on."),
]
PortOpt = Annotated[
    int,
    typer.Option("--port", min=1, max=65535, envvar="CHAINATLAS_PORT", help="Port to listen on."),
]


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
    typer.echo(f"Serving ChainAtlas on http://{host}:{port}/ (database {settings.database_url})")
    run_server(settings, host, port)
