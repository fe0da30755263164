"""``chainatlas user``: accounts and API tokens; ``chainatlas audit``: the audit log.

Every command that changes something writes an audit record (user ``cli``) in the same
transaction as the change (docs/accounts.md).
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.engine import Engine

from chainatlas.cli._app import app as root_app
from chainatlas.cli._app import settings_for
from chainatlas.errors import InvalidData
from chainatlas.services.accounts import (
    create_user,
    issue_token,
    list_tokens,
    list_users,
    revoke_token,
    set_disabled,
    set_password,
)
from chainatlas.services.audit import list_audit, record
from chainatlas.services.database import database_status
from chainatlas.store.engine import make_engine
from chainatlas.store.tx import tx

__all__ = ["app", "audit"]

app = typer.Typer(
    help="Accounts and API tokens: add, list, disable, enable, password, tokens.",
    no_args_is_help=True,
    add_completion=False,
)


class ListFormat(StrEnum):
    """Output formats of the listings."""

    TABLE = "table"
    JSON = "json"


_DB = typer.Option("--db", help="Database URL or SQLite file path.", show_default=False)
DbOpt = Annotated[str | None, _DB]
UserArg = Annotated[str, typer.Argument(help="Username.")]
FormatOpt = Annotated[ListFormat, typer.Option("--format", "-f", help="table or json.")]
StdinOpt = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of standard input instead of prompting.",
    ),
]


def _engine(db: str | None) -> Engine:
    engine = make_engine(settings_for(db).database_url)
    status = database_status(engine)
    if not status.up_to_date:
        raise InvalidData(
            f"the database {status.url} is at revision {status.revision or 'none'}, not "
            f"{status.head}; run `chainatlas db upgrade` first"
        )
    return engine


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = typer.get_text_stream("stdin").readline()
        password = line.rstrip("\r\n")
        if not password:
            raise InvalidData("--password-stdin: standard input gave no password")
        return password
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_plain))


def _when(value: Any) -> str:
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M")


@app.command("add")
def add(
    username: UserArg,
    role: Annotated[
        str,
        typer.Option("--role", help="admin, analyst, enterprise or viewer."),
    ],
    enterprise: Annotated[
        str | None,
        typer.Option(
            "--enterprise", help="Credit code of the user's enterprise (role enterprise only)."
        ),
    ] = None,
    region: Annotated[
        list[str] | None,
        typer.Option(
            "--region", help="Region code an analyst works on (repeatable; none: all regions)."
        ),
    ] = None,
    display_name: Annotated[str, typer.Option("--display-name", help="Name shown.")] = "",
    locale: Annotated[str, typer.Option("--locale", help="Interface language: zh or en.")] = "zh",
    password_stdin: StdinOpt = False,
    db: DbOpt = None,
) -> None:
    """Add an account (prompts twice for the password unless --password-stdin)."""
    password = _read_password(password_stdin)
    regions = list(region or [])
    with tx(_engine(db)) as conn:
        user_id = create_user(
            conn,
            username,
            password,
            role,
            display_name=display_name,
            enterprise=enterprise,
            regions=regions,
            locale=locale,
        )
        detail: dict[str, Any] = {"role": role, "locale": locale}
        if enterprise:
            detail["enterprise"] = enterprise
        if regions:
            detail["regions"] = regions
        record(conn, None, "user.add", entity="user", entity_id=username, detail=detail)
    typer.echo(f"Added user {username} ({role}), id {user_id}.")


@app.command("list")
def list_(output: FormatOpt = ListFormat.TABLE, db: DbOpt = None) -> None:
    """List the accounts."""
    with tx(_engine(db)) as conn:
        users = list_users(conn)
    if output is ListFormat.JSON:
        _json([u.to_dict() for u in users])
        return
    grid = Table(title=f"Users ({len(users)})", title_justify="left")
    for col in ("id", "username", "name", "role", "scope", "locale", "status", "last login"):
        grid.add_column(col, overflow="fold")
    for u in users:
        scope = u.enterprise or ", ".join(u.regions) or "all"
        grid.add_row(
            str(u.id),
            u.username,
            escape(u.display_name),
            u.role,
            escape(scope),
            u.locale,
            "disabled" if u.disabled else "active",
            _when(u.last_login_at),
        )
    Console(width=160).print(grid)


def _toggle(username: str, disabled: bool, db: str | None) -> None:
    with tx(_engine(db)) as conn:
        set_disabled(conn, username, disabled)
        action = "user.disable" if disabled else "user.enable"
        record(conn, None, action, entity="user", entity_id=username)


@app.command("disable")
def disable(username: UserArg, db: DbOpt = None) -> None:
    """Disable an account: it can no longer log in; its sessions end, its tokens stop."""
    _toggle(username, True, db)
    typer.echo(f"Disabled user {username}; its sessions were ended.")


@app.command("enable")
def enable(username: UserArg, db: DbOpt = None) -> None:
    """Enable a disabled account again."""
    _toggle(username, False, db)
    typer.echo(f"Enabled user {username}.")


@app.command("password")
def password(username: UserArg, password_stdin: StdinOpt = False, db: DbOpt = None) -> None:
    """Set a new password (prompts twice unless --password-stdin); ends the user's sessions."""
    new = _read_password(password_stdin)
    with tx(_engine(db)) as conn:
        set_password(conn, username, new, end_sessions=True)
        record(conn, None, "user.password", entity="user", entity_id=username)
    typer.echo(f"Set a new password for {username}; its sessions were ended.")


@app.command("token")
def token(
    username: UserArg,
    name: Annotated[str, typer.Option("--name", help="What the token is for.", show_default=False)],
    db: DbOpt = None,
) -> None:
    """Issue an API token for a user and print it (it is shown only once)."""
    with tx(_engine(db)) as conn:
        secret = issue_token(conn, username, name)
        record(
            conn,
            None,
            "token.issue",
            entity="user",
            entity_id=username,
            detail={"name": name.strip(), "prefix": secret[:8]},
        )
    typer.echo(secret)
    typer.echo(
        "This token is shown only once; store it now.",
        err=True,
    )


@app.command("tokens")
def tokens(username: UserArg, output: FormatOpt = ListFormat.TABLE, db: DbOpt = None) -> None:
    """List a user's API tokens (prefix only, never the token)."""
    with tx(_engine(db)) as conn:
        rows = list_tokens(conn, username)
    if output is ListFormat.JSON:
        _json(rows)
        return
    grid = Table(title=f"API tokens of {username} ({len(rows)})", title_justify="left")
    for col in ("id", "name", "prefix", "created", "last used", "status"):
        grid.add_column(col, overflow="fold")
    for r in rows:
        grid.add_row(
            str(r["id"]),
            escape(r["name"]),
            escape(r["prefix"]) + "…",
            _when(r["created_at"]),
            _when(r["last_used_at"]),
            "revoked" if r["revoked"] else "active",
        )
    Console(width=160).print(grid)


@app.command("revoke-token")
def revoke(
    token_id: Annotated[int, typer.Argument(help="Token id (see `chainatlas user tokens`).")],
    db: DbOpt = None,
) -> None:
    """Revoke an API token for good."""
    with tx(_engine(db)) as conn:
        revoke_token(conn, token_id)
        record(conn, None, "token.revoke", entity="api_token", entity_id=str(token_id))
    typer.echo(f"Revoked API token {token_id}.")


@root_app.command("audit")
def audit(
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=10_000, help="Records shown, newest first.")
    ] = 50,
    user: Annotated[str | None, typer.Option("--user", help="Only this user's records.")] = None,
    output: FormatOpt = ListFormat.TABLE,
    db: DbOpt = None,
) -> None:
    """Show the audit log: who changed what, when and from where."""
    with tx(_engine(db)) as conn:
        rows = list_audit(conn, limit=limit, username=user)
    if output is ListFormat.JSON:
        _json(rows)
        return
    grid = Table(title=f"Audit log ({len(rows)} newest)", title_justify="left")
    for col in ("at (UTC)", "user", "action", "entity", "id", "detail", "ip"):
        grid.add_column(col, overflow="fold")
    for r in rows:
        detail = "" if r["detail"] is None else json.dumps(r["detail"], ensure_ascii=False)
        grid.add_row(
            r["at"].strftime("%Y-%m-%d %H:%M:%S"),
            *(escape(str(r[k])) for k in ("username", "action", "entity", "entity_id")),
            escape(detail),
            escape(r["ip"]),
        )
    Console(width=160).print(grid)
