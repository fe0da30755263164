"""Alembic environment: runs with the engine handed over in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from chainatlas.store.engine import make_engine
from chainatlas.store.schema import metadata

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    from chainatlas.settings import get_settings

    engine = make_engine(get_settings().database_url)

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
