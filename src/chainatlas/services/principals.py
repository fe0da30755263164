"""Who is signed in: the :class:`Principal` of a user, with its role and data scope.

A principal is built from the ``users`` row (see :mod:`chainatlas.store.schema_access`):

- ``admin``: every region and enterprise; may change anything, manage accounts.
- ``analyst``: the regions listed in ``user_regions`` *and all their descendants* (a
  province brings its cities, districts and parks); every region when none is listed.
  May import and change shared data.
- ``enterprise``: only its own enterprise (``users.enterprise_id``); its scope is the
  region (and park) where that enterprise is located. Read-only for shared data.
- ``viewer``: every region, read-only.

Use :mod:`chainatlas.services.accounts` for the public names; this module only holds the
types and the lookups that sessions, tokens and access checks share.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from chainatlas.errors import InvalidData, NotFound
from chainatlas.store.schema import enterprises, regions
from chainatlas.store.schema_access import user_regions, users

__all__ = [
    "LOCALES",
    "ROLES",
    "Principal",
    "as_utc",
    "enterprise_region_ids",
    "principal_for",
    "principal_from_row",
    "region_subtree",
    "user_row",
]

ROLES: tuple[str, ...] = ("admin", "analyst", "enterprise", "viewer")
"""The account roles, from most to least powerful (``enterprise`` and ``viewer`` are read-only)."""

LOCALES: tuple[str, ...] = ("zh", "en")
"""The interface languages a user can choose."""


def as_utc(value: datetime | None) -> datetime | None:
    """Return ``value`` as a timezone-aware UTC datetime (SQLite returns naive UTC values)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in user as access checks see it.

    Attributes
    ----------
    user_id, username, display_name
        The account.
    role
        One of :data:`ROLES`.
    enterprise_id
        The user's own enterprise (role ``enterprise`` only; None when that enterprise
        was deleted, which leaves the account seeing nothing).
    region_ids
        The regions the user may see, descendants included; None means every region.
        Analysts: their regions and all regions below them. Enterprise users: the region
        and park of their enterprise. Admins and viewers: None.
    locale
        ``"zh"`` or ``"en"``.
    """

    user_id: int
    username: str
    display_name: str
    role: str
    enterprise_id: int | None
    region_ids: frozenset[int] | None
    locale: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise InvalidData(f"role must be one of {', '.join(ROLES)}, not {self.role!r}")

    @property
    def is_admin(self) -> bool:
        """Whether the user is an administrator."""
        return self.role == "admin"

    @property
    def can_write(self) -> bool:
        """Whether the user may import or change shared data (admins and analysts)."""
        return self.role in ("admin", "analyst")

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape (region ids sorted; ``null`` for every region)."""
        return {
            "user_id": self.user_id,
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "enterprise_id": self.enterprise_id,
            "region_ids": None if self.region_ids is None else sorted(self.region_ids),
            "locale": self.locale,
            "is_admin": self.is_admin,
            "can_write": self.can_write,
        }


def region_subtree(conn: sa.Connection, roots: Iterable[int]) -> frozenset[int]:
    """Return ``roots`` and every region below them (cities, districts, parks).

    One recursive query (``WITH RECURSIVE``, on SQLite and PostgreSQL); ``UNION`` rather
    than ``UNION ALL`` so that a cycle in ``parent_id`` cannot loop forever.
    """
    wanted = sorted({int(r) for r in roots})
    if not wanted:
        return frozenset()
    top = sa.select(regions.c.id).where(regions.c.id.in_(wanted)).cte("scope", recursive=True)
    child = regions.alias("child")
    scope = top.union(sa.select(child.c.id).where(child.c.parent_id == top.c.id))
    return frozenset(int(i) for i in conn.execute(sa.select(scope.c.id)).scalars())


def enterprise_region_ids(conn: sa.Connection, enterprise_id: int | None) -> frozenset[int]:
    """Return the region and park of an enterprise (empty when unknown or unplaced)."""
    if enterprise_id is None:
        return frozenset()
    row = conn.execute(
        sa.select(enterprises.c.region_id, enterprises.c.park_id).where(
            enterprises.c.id == enterprise_id
        )
    ).first()
    if row is None:
        return frozenset()
    return frozenset(int(v) for v in row if v is not None)


def principal_from_row(conn: sa.Connection, row: sa.RowMapping | dict[str, Any]) -> Principal:
    """Build the principal of a ``users`` row, resolving its region scope."""
    role = str(row["role"])
    enterprise_id = None if row["enterprise_id"] is None else int(row["enterprise_id"])
    region_ids: frozenset[int] | None = None
    if role == "analyst":
        roots = conn.execute(
            sa.select(user_regions.c.region_id).where(user_regions.c.user_id == row["id"])
        ).scalars()
        listed = [int(r) for r in roots]
        region_ids = region_subtree(conn, listed) if listed else None
    elif role == "enterprise":
        region_ids = enterprise_region_ids(conn, enterprise_id)
    return Principal(
        user_id=int(row["id"]),
        username=str(row["username"]),
        display_name=str(row["display_name"] or ""),
        role=role,
        enterprise_id=enterprise_id if role == "enterprise" else None,
        region_ids=region_ids,
        locale=str(row["locale"]),
    )


def principal_for(conn: sa.Connection, user_id: int) -> Principal:
    """Return the principal of user ``user_id`` (whether or not the account is disabled).

    Raises
    ------
    NotFound
        When no user has that id.
    """
    row = conn.execute(sa.select(users).where(users.c.id == user_id)).mappings().first()
    if row is None:
        raise NotFound(f"no user with id {user_id}")
    return principal_from_row(conn, row)


def user_row(conn: sa.Connection, username: str) -> sa.RowMapping:
    """Return the ``users`` row of ``username`` (matched without regard to case).

    Raises
    ------
    NotFound
        When no user has that name.
    """
    row = (
        conn.execute(sa.select(users).where(sa.func.lower(users.c.username) == username.lower()))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no user {username!r}")
    return row
