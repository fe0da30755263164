"""The ``chainatlas`` command line (Typer).

A single :func:`main` wrapper turns a :class:`~chainatlas.errors.ChainatlasError` into a
one-line message on stderr and exit code 1; usage errors exit with 2; ``--debug`` shows
tracebacks.
"""

from __future__ import annotations

import sys

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from chainatlas.cli import build as _build
from chainatlas.cli import chains as _chains  # noqa: F401  (registers commands)
from chainatlas.cli import db as _db  # noqa: F401
from chainatlas.cli import demo as _demo  # noqa: F401
from chainatlas.cli import imports as _imports  # noqa: F401
from chainatlas.cli import io as _io
from chainatlas.cli import kg as _kg  # noqa: F401
from chainatlas.cli import match as _match
from chainatlas.cli import policy as _policy
from chainatlas.cli import portrait as _portrait  # noqa: F401
from chainatlas.cli import report as _report  # noqa: F401
from chainatlas.cli import serve as _serve  # noqa: F401
from chainatlas.cli import simulate as _simulate
from chainatlas.cli import users as _users
from chainatlas.cli._app import app, no_tables_message, settings_for, state
from chainatlas.errors import ChainatlasError

__all__ = ["app", "main"]

app.add_typer(_io.app, name="io", help="Input-output tables: load, check, key sectors.")
app.add_typer(_match.app, name="match", help="Supply-demand docking: match, post, leads.")
app.add_typer(_policy.app, name="policy", help="Policies: eligibility, push lists, coverage.")
app.add_typer(_build.regions_app, name="regions")
app.add_typer(_simulate.app, name="simulate", help="Disruption scenarios and systemic risk.")
app.add_typer(_users.app, name="user", help="Accounts and API tokens.")


_MISSING_TABLE = ("no such table", "undefinedtable", "does not exist")


def database_problem(err: DBAPIError) -> str:
    """Say in one line why the database could not be used (no traceback for a user)."""
    try:
        url = state.used_url or settings_for().database_url
        where = make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: say what the driver said only
        where = "the database"
    reason = str(err.orig).strip().splitlines()[0] if err.orig is not None else str(err)
    if any(k in f"{type(err.orig).__name__} {reason}".lower() for k in _MISSING_TABLE):
        return no_tables_message(where, reason)
    return f"cannot use {where}: {reason} (run with --debug for the details)"


def main() -> None:
    """Run the CLI; map ChainAtlas errors to a one-line message and exit code 1.

    Database errors (no tables yet, a server that does not answer) are one line too.
    Usage errors are reported by Typer with exit code 2.
    """
    try:
        app(prog_name="chainatlas")
    except ChainatlasError as err:
        if state.debug:
            raise
        typer.echo(f"Error: {err.message}", err=True)
        sys.exit(1)
    except DBAPIError as err:
        if state.debug:
            raise
        typer.echo(f"Error: {database_problem(err)}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        sys.exit(130)
