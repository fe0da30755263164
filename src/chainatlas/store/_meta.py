"""The shared SQLAlchemy metadata and the provenance columns every fact table carries."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

__all__ = ["NAMING", "metadata", "provenance"]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING)


def provenance() -> list[sa.Column[Any]]:
    """Return fresh provenance columns: ``source``, ``imported_at``, ``confidence`` (0-1)."""
    return [
        sa.Column("source", sa.String(200), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.Float, nullable=False, server_default=sa.text("1.0")),
    ]
