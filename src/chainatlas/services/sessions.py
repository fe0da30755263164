"""Browser sessions (with their CSRF token) and API tokens for scripts.

Neither kind of secret is stored in clear. A session token is 32 random bytes
(``secrets.token_urlsafe(32)``); ``user_sessions.id`` holds its SHA-256 in hex, next to a
CSRF token the web forms echo back. An API token is ``"ca_" + secrets.token_urlsafe(32)``;
``api_tokens`` keeps its SHA-256 and its first 8 characters (the prefix shown in
listings). A stolen database therefore gives no usable session or token. Because the
tokens carry 256 bits of randomness, a plain SHA-256 (no salt, no slow hash) is enough:
there is nothing to guess.

A session or token works only while the user is enabled; a session also only until it
expires, a token until it is revoked. Disabling a user deletes its sessions
(:func:`chainatlas.services.accounts.set_disabled`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from chainatlas.errors import InvalidData, NotFound
from chainatlas.services.principals import Principal, as_utc, principal_from_row, user_row
from chainatlas.store.schema_access import api_tokens, user_sessions, users

__all__ = [
    "TOKEN_PREFIX",
    "TOKEN_TOUCH_INTERVAL",
    "close_session",
    "issue_token",
    "list_tokens",
    "open_session",
    "revoke_token",
    "session_principal",
    "token_principal",
]

TOKEN_PREFIX = "ca_"
"""Every API token starts with this, so that secret scanners and people can spot one."""

TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)
"""``api_tokens.last_used_at`` is refreshed at most this often."""

_MAX_TOKEN_CHARS = 200
_TOKEN_NAME_CHARS = 100


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _plausible(token: object) -> bool:
    return isinstance(token, str) and 0 < len(token) <= _MAX_TOKEN_CHARS


def open_session(
    conn: sa.Connection,
    user_id: int,
    *,
    lifetime: timedelta = timedelta(hours=12),
    now: datetime | None = None,
) -> tuple[str, str]:
    """Open a session for ``user_id`` and return ``(session token, CSRF token)``.

    The session token goes into the cookie and is stored only as its SHA-256; the CSRF
    token is stored as is and must come back with every form. Expired sessions of the
    same user are deleted on the way.

    Raises
    ------
    NotFound
        When no user has that id.
    InvalidData
        When ``lifetime`` is not positive or the user is disabled.
    """
    if lifetime <= timedelta(0):
        raise InvalidData(f"a session lifetime must be positive, not {lifetime}")
    row = conn.execute(
        sa.select(users.c.id, users.c.username, users.c.disabled).where(users.c.id == user_id)
    ).first()
    if row is None:
        raise NotFound(f"no user with id {user_id}")
    if row.disabled:
        raise InvalidData(f"user {row.username!r} is disabled; no session opened")
    at = now or datetime.now(UTC)
    _delete_expired(conn, user_id, at)
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    conn.execute(
        user_sessions.insert().values(
            id=_digest(token),
            user_id=user_id,
            csrf_token=csrf,
            created_at=at,
            expires_at=at + lifetime,
        )
    )
    return token, csrf


def _delete_expired(conn: sa.Connection, user_id: int, now: datetime) -> None:
    rows = conn.execute(
        sa.select(user_sessions.c.id, user_sessions.c.expires_at).where(
            user_sessions.c.user_id == user_id
        )
    ).all()
    gone = [r.id for r in rows if (as_utc(r.expires_at) or now) <= now]
    if gone:
        conn.execute(user_sessions.delete().where(user_sessions.c.id.in_(gone)))


def session_principal(
    conn: sa.Connection, token: str, *, now: datetime | None = None
) -> tuple[Principal, str] | None:
    """Return ``(principal, CSRF token)`` for a valid session token, else None.

    None when the token is unknown, the session has expired or the user is disabled.
    """
    if not _plausible(token):
        return None
    digest = _digest(token)
    row = conn.execute(
        sa.select(user_sessions.c.id, user_sessions.c.csrf_token, user_sessions.c.expires_at)
        .add_columns(users)
        .join(users, users.c.id == user_sessions.c.user_id)
        .where(user_sessions.c.id == digest)
    ).first()
    if row is None or not hmac.compare_digest(str(row._mapping[user_sessions.c.id]), digest):
        return None
    expires = as_utc(row._mapping[user_sessions.c.expires_at])
    if expires is None or expires <= (now or datetime.now(UTC)):
        return None
    user = {c.name: row._mapping[c] for c in users.c}
    if user["disabled"]:
        return None
    return principal_from_row(conn, user), str(row._mapping[user_sessions.c.csrf_token])


def close_session(conn: sa.Connection, token: str) -> None:
    """Delete the session of ``token`` (log out); an unknown token is ignored."""
    if _plausible(token):
        conn.execute(user_sessions.delete().where(user_sessions.c.id == _digest(token)))


def issue_token(conn: sa.Connection, username: str, name: str) -> str:
    """Create an API token for ``username`` and return it; it is never shown again.

    Parameters
    ----------
    conn
        Connection in the caller's transaction.
    username
        The account the token acts as (with that account's role and scope).
    name
        What the token is for, 1-100 characters (e.g. ``"nightly import"``).

    Raises
    ------
    NotFound
        When the user does not exist.
    InvalidData
        When ``name`` is empty or too long, or the user is disabled.
    """
    label = name.strip()
    if not label or len(label) > _TOKEN_NAME_CHARS:
        raise InvalidData(f"a token name must have 1-{_TOKEN_NAME_CHARS} characters, not {name!r}")
    user = user_row(conn, username)
    if user["disabled"]:
        raise InvalidData(f"user {user['username']!r} is disabled; enable it to issue a token")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    conn.execute(
        api_tokens.insert().values(
            user_id=user["id"],
            name=label,
            prefix=token[:8],
            token_hash=_digest(token),
            created_at=datetime.now(UTC),
        )
    )
    return token


def token_principal(conn: sa.Connection, token: str) -> Principal | None:
    """Return the principal of a valid API token and note its use, else None.

    None when the token is unknown or revoked, or its user is disabled.
    """
    if not _plausible(token) or not token.startswith(TOKEN_PREFIX):
        return None
    digest = _digest(token)
    row = conn.execute(
        sa.select(
            api_tokens.c.id,
            api_tokens.c.token_hash,
            api_tokens.c.revoked,
            api_tokens.c.last_used_at,
        )
        .add_columns(users)
        .join(users, users.c.id == api_tokens.c.user_id)
        .where(api_tokens.c.token_hash == digest)
    ).first()
    if row is None or not hmac.compare_digest(str(row._mapping[api_tokens.c.token_hash]), digest):
        return None
    user = {c.name: row._mapping[c] for c in users.c}
    if row._mapping[api_tokens.c.revoked] or user["disabled"]:
        return None
    _note_use(conn, int(row._mapping[api_tokens.c.id]), row._mapping[api_tokens.c.last_used_at])
    return principal_from_row(conn, user)


def _note_use(conn: sa.Connection, token_id: int, last_used: datetime | None) -> None:
    """Record when a token was used, at most once per :data:`TOKEN_TOUCH_INTERVAL`.

    Writing on every request would turn each read into a write: on SQLite concurrent
    requests would then collide on the database lock. The note is bookkeeping, so a
    collision (another request holds the lock) skips it instead of failing the request.
    """
    now = datetime.now(UTC)
    previous = as_utc(last_used)
    if previous is not None and now - previous < TOKEN_TOUCH_INTERVAL:
        return
    try:
        with conn.begin_nested():
            conn.execute(
                api_tokens.update().where(api_tokens.c.id == token_id).values(last_used_at=now)
            )
    except sa.exc.OperationalError:
        return


def list_tokens(conn: sa.Connection, username: str) -> list[dict[str, Any]]:
    """Return the API tokens of ``username``, oldest first, without their secrets.

    Each dict has ``id``, ``name``, ``prefix``, ``created_at``, ``last_used_at`` (aware
    UTC datetimes or None) and ``revoked``.

    Raises
    ------
    NotFound
        When the user does not exist.
    """
    user = user_row(conn, username)
    t = api_tokens
    rows = conn.execute(
        sa.select(t.c.id, t.c.name, t.c.prefix, t.c.created_at, t.c.last_used_at, t.c.revoked)
        .where(t.c.user_id == user["id"])
        .order_by(t.c.id)
    ).mappings()
    return [
        {
            "id": int(r["id"]),
            "name": r["name"],
            "prefix": r["prefix"],
            "created_at": as_utc(r["created_at"]),
            "last_used_at": as_utc(r["last_used_at"]),
            "revoked": bool(r["revoked"]),
        }
        for r in rows
    ]


def revoke_token(conn: sa.Connection, token_id: int) -> None:
    """Revoke API token ``token_id`` for good (revoking it again does nothing).

    Raises
    ------
    NotFound
        When no token has that id.
    """
    found = conn.execute(
        api_tokens.update().where(api_tokens.c.id == token_id).values(revoked=True)
    )
    if found.rowcount == 0:
        raise NotFound(f"no API token with id {token_id}")
