"""Accounts: create and manage users, check passwords, sessions, API tokens, demo users.

Passwords are hashed with argon2id (argon2-cffi's :class:`~argon2.PasswordHasher`, whose
defaults are the RFC 9106 low-memory profile: t=3, m=64 MiB, p=4); the module-level
``_hasher`` can be replaced, e.g. by tests, with cheaper parameters. A successful login
re-hashes a password stored with other parameters.

:func:`authenticate` answers unknown user, wrong password and disabled account with the
same message (and the same argon2 work), so a login form does not tell who has an account.
With a :class:`LoginThrottle` it refuses attempts after too many failures without looking
at the password.

The session, token, listing and throttle functions live in
:mod:`chainatlas.services.sessions`, :mod:`chainatlas.services.user_records` and
:mod:`chainatlas.services.login_throttle` and are re-exported here; roles and scopes are
described in :mod:`chainatlas.services.principals` and docs/accounts.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

from chainatlas.demo.regions import HOME_PROVINCE
from chainatlas.errors import (
    AuthenticationError,
    Conflict,
    EnterpriseNotFound,
    InvalidData,
    RegionNotFound,
)
from chainatlas.services.login_throttle import LoginThrottle
from chainatlas.services.principals import (
    ROLES,
    Principal,
    principal_for,
    principal_from_row,
    region_subtree,
    user_row,
)
from chainatlas.services.sessions import (
    close_session,
    issue_token,
    list_tokens,
    open_session,
    revoke_token,
    session_principal,
    token_principal,
)
from chainatlas.services.user_records import (
    UserInfo,
    check_locale,
    list_users,
    set_disabled,
    set_locale,
)
from chainatlas.store import analysis_reads as ar
from chainatlas.store.bulk import latest_import_run
from chainatlas.store.schema import enterprise_years, enterprises, import_runs
from chainatlas.store.schema import regions as region_table
from chainatlas.store.schema_access import user_regions, user_sessions, users

__all__ = [
    "DEMO_PASSWORD",
    "LOGIN_FAILED",
    "MIN_PASSWORD_CHARS",
    "ROLES",
    "LoginThrottle",
    "Principal",
    "UserInfo",
    "authenticate",
    "close_session",
    "create_user",
    "ensure_demo_users",
    "issue_token",
    "list_tokens",
    "list_users",
    "open_session",
    "principal_for",
    "revoke_token",
    "session_principal",
    "set_disabled",
    "set_locale",
    "set_password",
    "token_principal",
]

_hasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
"""The password hasher: argon2id, RFC 9106 low-memory profile (t=3, m=64 MiB, p=4)."""

MIN_PASSWORD_CHARS = 8
"""The shortest password accepted."""

_MAX_PASSWORD_CHARS = 1024
_USERNAME = re.compile(r"[A-Za-z0-9_.@-]{3,80}")

LOGIN_FAILED = "wrong username or password"
"""The one message for an unknown user, a wrong password and a disabled account."""

_dummy: tuple[PasswordHasher, str] | None = None


def _check_password(password: str, username: str = "") -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        raise InvalidData(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > _MAX_PASSWORD_CHARS:
        raise InvalidData(f"a password may have at most {_MAX_PASSWORD_CHARS} characters")
    if username and password.lower() == username.lower():
        raise InvalidData("a password must not be the username")


def _enterprise_id(conn: sa.Connection, ref: str) -> int:
    found = ar.find_enterprises(conn, ref.strip())
    if not found:
        raise EnterpriseNotFound(f"no enterprise {ref!r} (give its credit code or exact name)")
    if len(found) > 1:
        raise EnterpriseNotFound(f"enterprise {ref!r} is ambiguous; give its credit code")
    return int(found[0]["id"])


def _region_ids(conn: sa.Connection, codes: Iterable[str]) -> list[int]:
    wanted = list(dict.fromkeys(c.strip() for c in codes))
    rows = conn.execute(
        sa.select(region_table.c.id, region_table.c.code).where(region_table.c.code.in_(wanted))
    )
    by_code = {str(code): int(rid) for rid, code in rows}
    missing = [c for c in wanted if c not in by_code]
    if missing:
        raise RegionNotFound(f"no region with code {', '.join(repr(c) for c in missing)}")
    return [by_code[c] for c in wanted]


def create_user(
    conn: sa.Connection,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str = "",
    enterprise: str | None = None,
    regions: Sequence[str] = (),
    locale: str = "zh",
) -> int:
    """Create an account and return its id (the caller owns the transaction).

    Parameters
    ----------
    conn
        Connection in the caller's transaction.
    username
        3-80 characters of ``A-Z a-z 0-9 _ . @ -``; unique without regard to case.
    password
        At least 8 characters, not the username; stored as an argon2id hash.
    role
        One of :data:`ROLES`.
    display_name
        Name shown in the interface (at most 200 characters).
    enterprise
        Credit code (or exact name) of the user's enterprise: required for role
        ``enterprise``, refused for the others.
    regions
        Region codes an ``analyst`` works on (descendants included); empty means every
        region. Refused for the other roles.
    locale
        ``"zh"`` or ``"en"``.

    Raises
    ------
    InvalidData
        On a malformed username, short password, unknown role or locale, or an
        enterprise or regions given to a role that does not take them.
    Conflict
        When the username is taken.
    EnterpriseNotFound, RegionNotFound
        When the enterprise or a region does not exist.
    """
    if not isinstance(username, str) or not _USERNAME.fullmatch(username):
        raise InvalidData(
            f"username {username!r} must have 3-80 characters, letters, digits or _ . @ -"
        )
    if role not in ROLES:
        raise InvalidData(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    _check_password(password, username)
    check_locale(locale)
    if len(display_name) > 200:
        raise InvalidData("a display name may have at most 200 characters")
    if role == "enterprise" and not (enterprise or "").strip():
        raise InvalidData("an enterprise account needs an enterprise (credit code or name)")
    if role != "enterprise" and enterprise:
        raise InvalidData(f"only enterprise accounts are bound to an enterprise, not {role!r}")
    if role != "analyst" and regions:
        raise InvalidData(f"only analyst accounts are scoped to regions, not {role!r}")
    if _username_taken(conn, username):
        raise Conflict(f"username {username!r} is taken")
    enterprise_id = _enterprise_id(conn, enterprise) if enterprise else None
    region_ids = _region_ids(conn, regions)
    return _insert_user(
        conn,
        username,
        _hasher.hash(password),
        role,
        display_name,
        enterprise_id,
        region_ids,
        locale,
    )


def _username_taken(conn: sa.Connection, username: str) -> bool:
    stmt = sa.select(users.c.id).where(sa.func.lower(users.c.username) == username.lower())
    return conn.execute(stmt).first() is not None


def _insert_user(
    conn: sa.Connection,
    username: str,
    password_hash: str,
    role: str,
    display_name: str,
    enterprise_id: int | None,
    region_ids: Sequence[int],
    locale: str,
) -> int:
    try:
        with conn.begin_nested():
            user_id = int(
                conn.execute(
                    users.insert()
                    .values(
                        username=username,
                        display_name=display_name.strip(),
                        password_hash=password_hash,
                        role=role,
                        enterprise_id=enterprise_id,
                        locale=locale,
                        disabled=False,
                        created_at=datetime.now(UTC),
                    )
                    .returning(users.c.id)
                ).scalar_one()
            )
            if region_ids:
                conn.execute(
                    user_regions.insert(),
                    [{"user_id": user_id, "region_id": r} for r in region_ids],
                )
    except sa.exc.IntegrityError as err:
        # A concurrent insert of the same name: the unique constraint is the last word.
        if _username_taken(conn, username):
            raise Conflict(f"username {username!r} is taken") from err
        raise
    return user_id


def set_password(
    conn: sa.Connection, username: str, password: str, *, end_sessions: bool = False
) -> None:
    """Set a new password for ``username``.

    ``end_sessions=True`` also logs the user out everywhere (the CLI does this for an
    administrator's reset).

    Raises
    ------
    NotFound
        When the user does not exist.
    InvalidData
        When the password is too short or too long, or equals the username.
    """
    user = user_row(conn, username)
    _check_password(password, str(user["username"]))
    conn.execute(
        users.update().where(users.c.id == user["id"]).values(password_hash=_hasher.hash(password))
    )
    if end_sessions:
        conn.execute(user_sessions.delete().where(user_sessions.c.user_id == user["id"]))


def _verify(stored: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def _dummy_hash() -> str:
    # Unknown users still cost one argon2 verification, so timing does not tell them apart.
    global _dummy
    if _dummy is None or _dummy[0] is not _hasher:
        _dummy = (_hasher, _hasher.hash("chainatlas: no such user"))
    return _dummy[1]


def authenticate(
    conn: sa.Connection,
    username: str,
    password: str,
    *,
    throttle: LoginThrottle | None = None,
    client: str = "",
) -> Principal:
    """Check a username and password and return the user's principal.

    On success ``last_login_at`` is set, the password is re-hashed if the hasher's
    parameters changed, and the throttle forgets this user's failures from ``client``.

    Parameters
    ----------
    conn
        Connection in the caller's transaction.
    username, password
        What the user typed; the username is matched without regard to case.
    throttle
        Login rate limiter (one per process); None for no limit.
    client
        The client address the throttle keys on (e.g. the IP address).

    Raises
    ------
    AuthenticationError
        ``"wrong username or password"`` for an unknown user, a wrong password or a
        disabled account alike; ``"too many failed logins; try again in N seconds"`` when
        the throttle refuses the attempt (the password is then not checked at all).
    """
    if throttle is not None:
        wait = throttle.retry_after(username, client)
        if wait > 0:
            raise AuthenticationError(
                f"too many failed logins; try again in {math.ceil(wait)} seconds"
            )
    row = None
    if isinstance(username, str) and _USERNAME.fullmatch(username):
        row = (
            conn.execute(
                sa.select(users).where(sa.func.lower(users.c.username) == username.lower())
            )
            .mappings()
            .first()
        )
    given = password if isinstance(password, str) else ""
    if row is None:
        _verify(_dummy_hash(), given)
        ok = False
    else:
        ok = _verify(str(row["password_hash"]), given) and not row["disabled"]
    if not ok or row is None:
        if throttle is not None:
            throttle.failed(username, client)
        raise AuthenticationError(LOGIN_FAILED)
    if throttle is not None:
        throttle.succeeded(username, client)
    changes: dict[str, Any] = {"last_login_at": datetime.now(UTC)}
    if _hasher.check_needs_rehash(str(row["password_hash"])):
        changes["password_hash"] = _hasher.hash(given)
    conn.execute(users.update().where(users.c.id == row["id"]).values(**changes))
    return principal_from_row(conn, row)


# -- demo accounts ---------------------------------------------------------------------------

DEMO_PASSWORD = "chainatlas-demo"
"""The password of every demo account (demo databases only)."""


def _demo_enterprise(conn: sa.Connection, province_id: int) -> int:
    local = region_subtree(conn, [province_id])
    year = conn.execute(
        sa.select(sa.func.max(enterprise_years.c.year))
        .join(enterprises, enterprises.c.id == enterprise_years.c.enterprise_id)
        .where(enterprises.c.region_id.in_(sorted(local)))
        .where(enterprise_years.c.output_value.is_not(None))
    ).scalar_one_or_none()
    if year is None:
        raise InvalidData("the demo database has no enterprise output in its home province")
    found = conn.execute(
        sa.select(enterprises.c.id)
        .join(enterprise_years, enterprises.c.id == enterprise_years.c.enterprise_id)
        .where(enterprises.c.region_id.in_(sorted(local)))
        .where(enterprise_years.c.year == year)
        .where(enterprise_years.c.output_value.is_not(None))
        .order_by(enterprise_years.c.output_value.desc(), enterprises.c.id)
        .limit(1)
    ).scalar_one()
    return int(found)


def ensure_demo_users(conn: sa.Connection) -> list[tuple[str, str, str]]:
    """Create the demo accounts on a demo database and return ``(username, password, role)``.

    Idempotent: missing accounts are created, existing ones left alone. Every account has
    the password ``chainatlas-demo``:

    - ``admin`` (admin);
    - ``analyst`` (analyst scoped to the demo's home province 浙江省, code 330000, and so
      to its cities, districts and parks);
    - ``viewer`` (viewer);
    - ``enterprise`` (enterprise user bound to the enterprise in the home province with the
      largest output in the latest year; ties go to the lowest id).

    The list names the accounts that can log in with the demo password; an account whose
    password was changed is left out.

    Raises
    ------
    InvalidData
        When the database holds no demo (``chainatlas demo`` records an ``import_runs``
        row of kind ``demo``), so that known passwords never land in a real database.
    """
    if latest_import_run(conn, import_runs, "demo") is None:
        raise InvalidData("demo accounts are only created in a demo database (chainatlas demo)")
    province = conn.execute(
        sa.select(region_table.c.id).where(region_table.c.code == HOME_PROVINCE)
    ).first()
    if province is None:
        raise RegionNotFound(f"the demo's home province {HOME_PROVINCE} is not in the database")
    plan: list[tuple[str, str, str, list[int]]] = [
        ("admin", "admin", "Demo administrator", []),
        ("analyst", "analyst", "Demo analyst (浙江省)", [int(province[0])]),
        ("viewer", "viewer", "Demo viewer", []),
        ("enterprise", "enterprise", "Demo enterprise user", []),
    ]
    out: list[tuple[str, str, str]] = []
    for username, role, display, region_ids in plan:
        existing = (
            conn.execute(sa.select(users).where(sa.func.lower(users.c.username) == username))
            .mappings()
            .first()
        )
        if existing is None:
            ent = _demo_enterprise(conn, int(province[0])) if role == "enterprise" else None
            hashed = _hasher.hash(DEMO_PASSWORD)
            _insert_user(conn, username, hashed, role, display, ent, region_ids, "zh")
            out.append((username, DEMO_PASSWORD, role))
        elif _verify(str(existing["password_hash"]), DEMO_PASSWORD):
            out.append((username, DEMO_PASSWORD, str(existing["role"])))
    return out
