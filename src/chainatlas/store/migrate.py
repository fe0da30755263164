"""Alembic migrations run from Python: upgrade, current revision, schema check."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from chainatlas.errors import ChainatlasError

__all__ = ["alembic_config", "current_revision", "head_revision", "upgrade"]


def alembic_config(engine: Engine | None = None) -> Config:
    """Return an Alembic config pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(str(files("chainatlas.store"))) / "migrations"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Upgrade the database of ``engine`` to ``revision`` and return the new revision."""
    cfg = alembic_config(engine)
    try:
        command.upgrade(cfg, revision)
    except sa.exc.OperationalError as err:
        raise ChainatlasError(f"cannot migrate the database: {err.orig}") from err
    return current_revision(engine) or ""


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at, or None when it was never migrated."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """Return the newest revision shipped with this version of ChainAtlas."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head
