"""Transactions: the caller owns them; store functions never commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Engine

__all__ = ["tx"]


@contextmanager
def tx(engine: Engine) -> Iterator[sa.Connection]:
    """Open a connection in a transaction; commit on success, roll back on any error."""
    with engine.begin() as conn:
        yield conn
