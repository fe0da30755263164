"""``chainatlas demo``: build the demo database, create the demo accounts and serve it.

After the build, the demo accounts (admin, analyst, viewer, enterprise; password
``chainatlas-demo``) are created if missing, the address and the logins are printed, and
the web app is served until Ctrl+C. ``--no-serve`` (or ``--json``) stops after the build.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table
from sqlalchemy.engine import Engine

from chainatlas.cli import serve as _serve
from chainatlas.cli._app import app, settings_for
from chainatlas.services.accounts import ensure_demo_users
from chainatlas.services.demo import DemoSummary, build_demo, existing_demo, planned_rows
from chainatlas.store.engine import make_engine
from chainatlas.store.tx import tx

__all__ = ["demo"]

_SHOWN_FIRST = ("regions", "chains", "segments", "enterprises", "supply_links")


@app.command("demo")
def demo(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database URL or SQLite file path (default: the root --db, then chainatlas.db).",
        ),
    ] = None,
    scale: Annotated[
        int | None,
        typer.Option(
            "--scale", min=1, help="Number of enterprises (default: CHAINATLAS_DEMO_SCALE, 3000)."
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Seed of the generator (default: CHAINATLAS_DEMO_SEED)."),
    ] = None,
    links: Annotated[
        float,
        typer.Option(
            "--links-per-enterprise", min=0.0, help="Average supply links per enterprise."
        ),
    ] = 8.0,
    replace: Annotated[
        bool, typer.Option("--replace", help="Empty a database that holds other data first.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object with the row counts.")
    ] = False,
    no_serve: Annotated[
        bool,
        typer.Option("--no-serve", help="Only build the database and the demo accounts."),
    ] = False,
    host: _serve.HostOpt = "127.0.0.1",
    port: _serve.PortOpt = 8000,
) -> None:
    """Build a demo database and serve it: a Zhejiang-like region, eight chains, firms, links.

    The data is generated (deterministic for a seed and scale) and loaded in one
    transaction. If the database already holds the same demo, its summary is shown and
    nothing changes; if it holds other data, demo refuses unless --replace is given.
    The demo accounts are created (password chainatlas-demo) and the web app is served
    on http://HOST:PORT/ unless --no-serve or --json is given.
    """
    settings = settings_for(db)
    n = scale if scale is not None else settings.demo_scale
    chosen_seed = seed if seed is not None else settings.demo_seed
    engine = make_engine(settings.database_url)
    try:
        summary = None
        if not replace:
            summary = existing_demo(engine, scale=n, links_per_enterprise=links, seed=chosen_seed)
        if summary is None:
            summary = _build(engine, n, links, chosen_seed, replace, settings.batch_size)
        with tx(engine) as conn:
            logins = ensure_demo_users(conn)
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(summary.to_dict(), ensure_ascii=False))
        return
    _print_summary(summary)
    _print_logins(logins)
    if not no_serve:
        Console().print(f"Serving the demo on [bold]http://{host}:{port}/[/] (Ctrl+C stops it).")
        _serve.run_server(settings, host, port)


def _print_logins(logins: list[tuple[str, str, str]]) -> None:
    if not logins:
        return
    table = Table(title="Demo logins")
    for col in ("username", "password", "role"):
        table.add_column(col)
    for user, password, role in logins:
        table.add_row(user, password, role)
    Console().print(table)


def _build(
    engine: Engine, scale: int, links: float, seed: int, replace: bool, batch_size: int
) -> DemoSummary:
    """Build the demo with one progress bar per table on stderr (when it is a terminal)."""
    err = Console(stderr=True)
    planned = planned_rows(scale=scale, links_per_enterprise=links)
    with Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bars:
        tasks: dict[str, TaskID] = {}

        def progress(table: str, done: int) -> None:
            if table not in tasks:
                tasks[table] = bars.add_task(table, total=max(planned.get(table, done), done))
            task = tasks[table]
            total = bars.tasks[task].total or done
            bars.update(task, completed=done, total=max(total, done))

        return build_demo(
            engine,
            scale=scale,
            links_per_enterprise=links,
            seed=seed,
            replace=replace,
            progress=progress,
            batch_size=batch_size,
        )


def _print_summary(summary: DemoSummary) -> None:
    console = Console()
    if summary.built:
        console.print(
            f"Built the demo in [bold]{summary.database}[/] in {summary.elapsed_s:.1f} s "
            f"(seed {summary.seed}, {summary.scale:,} enterprises)."
        )
    else:
        console.print(
            f"[bold]{summary.database}[/] already holds the demo "
            f"(seed {summary.seed}, {summary.scale:,} enterprises); nothing changed."
        )
    table = Table(title="Rows per table")
    table.add_column("table")
    table.add_column("rows", justify="right")
    names = [n for n in _SHOWN_FIRST if n in summary.counts]
    names += sorted(n for n in summary.counts if n not in _SHOWN_FIRST)
    for name in names:
        table.add_row(name, f"{summary.counts[name]:,}")
    console.print(table)
