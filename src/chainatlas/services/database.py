"""Create and upgrade a ChainAtlas database."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.store.migrate import current_revision, head_revision, upgrade
from chainatlas.store.schema import metadata

__all__ = ["DatabaseStatus", "database_status", "init_database", "table_counts"]


@dataclass(frozen=True, slots=True)
class DatabaseStatus:
    """Where a database stands: its URL (without password), revision and the newest one."""

    url: str
    revision: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        """Whether the database is at the newest revision."""
        return self.revision == self.head


def init_database(engine: Engine) -> DatabaseStatus:
    """Create or upgrade the schema of ``engine`` to the newest revision (idempotent)."""
    upgrade(engine, "head")
    return database_status(engine)


def database_status(engine: Engine) -> DatabaseStatus:
    """Return the revision of the database behind ``engine``."""
    return DatabaseStatus(
        url=engine.url.render_as_string(hide_password=True),
        revision=current_revision(engine),
        head=head_revision(),
    )


def table_counts(conn: sa.Connection) -> dict[str, int]:
    """Return the number of rows in every ChainAtlas table."""
    out: dict[str, int] = {}
    for name, table in sorted(metadata.tables.items()):
        out[name] = int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
    return out
