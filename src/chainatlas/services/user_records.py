"""Account records: list users, disable or enable them, set their interface language.

Re-exported by :mod:`chainatlas.services.accounts`, the module to import from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from chainatlas.errors import InvalidData, NotFound
from chainatlas.services.principals import LOCALES, as_utc, user_row
from chainatlas.store.schema import enterprises
from chainatlas.store.schema import regions as region_table
from chainatlas.store.schema_access import user_regions, user_sessions, users

__all__ = ["UserInfo", "check_locale", "list_users", "set_disabled", "set_locale"]


@dataclass(frozen=True, slots=True)
class UserInfo:
    """One account as listings show it (never the password hash).

    ``enterprise`` is the credit code of the user's enterprise (its name when it has no
    credit code), ``regions`` the codes of the analyst's regions as given (descendants not
    expanded; empty means every region). Datetimes are timezone-aware UTC.
    """

    id: int
    username: str
    display_name: str
    role: str
    enterprise: str | None
    regions: tuple[str, ...]
    locale: str
    disabled: bool
    created_at: datetime
    last_login_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape (datetimes as ISO 8601 strings)."""
        return {
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "enterprise": self.enterprise,
            "regions": list(self.regions),
            "locale": self.locale,
            "disabled": self.disabled,
            "created_at": self.created_at.isoformat(),
            "last_login_at": None if self.last_login_at is None else self.last_login_at.isoformat(),
        }


def check_locale(locale: str) -> None:
    """Refuse a locale other than ``"zh"`` and ``"en"`` with :class:`InvalidData`."""
    if locale not in LOCALES:
        raise InvalidData(f"locale must be one of {', '.join(LOCALES)}, not {locale!r}")


def list_users(conn: sa.Connection) -> list[UserInfo]:
    """Return every account, ordered by username."""
    region_codes: dict[int, list[str]] = {}
    for user_id, code in conn.execute(
        sa.select(user_regions.c.user_id, region_table.c.code)
        .join(region_table, region_table.c.id == user_regions.c.region_id)
        .order_by(region_table.c.code)
    ):
        region_codes.setdefault(int(user_id), []).append(str(code))
    stmt = (
        sa.select(users, enterprises.c.credit_code, enterprises.c.name.label("enterprise_name"))
        .outerjoin(enterprises, enterprises.c.id == users.c.enterprise_id)
        .order_by(users.c.username)
    )
    out: list[UserInfo] = []
    for r in conn.execute(stmt).mappings():
        created = as_utc(r["created_at"])
        assert created is not None  # NOT NULL column
        out.append(
            UserInfo(
                id=int(r["id"]),
                username=str(r["username"]),
                display_name=str(r["display_name"] or ""),
                role=str(r["role"]),
                enterprise=r["credit_code"] or r["enterprise_name"],
                regions=tuple(region_codes.get(int(r["id"]), ())),
                locale=str(r["locale"]),
                disabled=bool(r["disabled"]),
                created_at=created,
                last_login_at=as_utc(r["last_login_at"]),
            )
        )
    return out


def set_disabled(conn: sa.Connection, username: str, disabled: bool = True) -> None:
    """Disable (or enable again) an account; disabling also ends all its sessions.

    A disabled user cannot log in, and its sessions and API tokens stop working; enabling
    it again brings its (unrevoked) tokens back.

    Raises
    ------
    NotFound
        When the user does not exist.
    """
    user = user_row(conn, username)
    conn.execute(users.update().where(users.c.id == user["id"]).values(disabled=disabled))
    if disabled:
        conn.execute(user_sessions.delete().where(user_sessions.c.user_id == user["id"]))


def set_locale(conn: sa.Connection, user_id: int, locale: str) -> None:
    """Set the interface language of user ``user_id`` (``"zh"`` or ``"en"``).

    Raises
    ------
    InvalidData
        On another locale.
    NotFound
        When no user has that id.
    """
    check_locale(locale)
    done = conn.execute(users.update().where(users.c.id == user_id).values(locale=locale))
    if done.rowcount == 0:
        raise NotFound(f"no user with id {user_id}")
