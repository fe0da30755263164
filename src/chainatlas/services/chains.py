"""Install chain templates into the store and list the chains there."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from chainatlas.store.chains import ChainWrite, upsert_chain
from chainatlas.templates import list_templates, load_template, load_template_file

__all__ = ["install_template"]


def install_template(conn: sa.Connection, name: str) -> ChainWrite:
    """Install a bundled template (by code) or a template file (by path); idempotent."""
    path = Path(name)
    if name not in list_templates() and (path.suffix.lower() == ".json" or path.exists()):
        chain = load_template_file(path)
        return upsert_chain(conn, chain, source=f"template:{path.name}")
    chain = load_template(name)
    return upsert_chain(conn, chain, source=f"template:{chain.code}")
