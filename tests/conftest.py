"""Shared fixtures: real databases on both backends, rolled-back connections, CLI runner.

``db_url`` is parametrised over a temporary SQLite file and PostgreSQL. The PostgreSQL
address comes from ``CHAINATLAS_TEST_POSTGRES_URL`` (default: the local server on
127.0.0.1:5432, database ``test``). Without a reachable server the PostgreSQL cases skip,
except when ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.store.engine import make_engine
from chainatlas.store.migrate import upgrade

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
IN_CI = os.environ.get("CI", "").lower() == "true"
REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


def pg_url() -> str:
    """Return the PostgreSQL URL tests use."""
    return os.environ.get("CHAINATLAS_TEST_POSTGRES_URL", DEFAULT_PG)


def _pg_available() -> str | None:
    try:
        eng = make_engine(pg_url(), connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(sa.text("select 1"))
        eng.dispose()
    except Exception as err:  # noqa: BLE001 - any failure means "not available"
        return f"{err.__class__.__name__}: {err}"
    return None


_PG_PROBLEM: str | None | bool = False


def require_postgres() -> None:
    """Skip (or, in CI, fail) when PostgreSQL is not reachable."""
    global _PG_PROBLEM
    if _PG_PROBLEM is False:
        _PG_PROBLEM = _pg_available()
    if _PG_PROBLEM:
        msg = f"PostgreSQL not reachable at {pg_url()}: {_PG_PROBLEM}"
        if IN_CI:
            pytest.fail(msg + " (CI=true: PostgreSQL tests must run)")
        pytest.skip(msg)


def shared_data(*parts: str) -> Path:
    """Return a path under the shared real-data folder; skip (fail in CI) when absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        if IN_CI:
            pytest.fail(f"real data missing: {path}")
        pytest.skip(f"real data not available: {path}")
    return path


class _FreshDatabases:
    """Create migrated databases (SQLite files or PostgreSQL schemas) and drop them later."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.schemas: list[str] = []
        self.engines: list[Engine] = []

    def make(self, backend: str) -> Engine:
        if backend == "sqlite":
            path = self.tmp / f"{uuid.uuid4().hex}.db"
            engine = make_engine(f"sqlite:///{path}")
        else:
            require_postgres()
            schema = f"ca_test_{uuid.uuid4().hex[:12]}"
            admin = make_engine(pg_url())
            with admin.begin() as conn:
                conn.execute(sa.text(f'create schema "{schema}"'))
            admin.dispose()
            self.schemas.append(schema)
            engine = make_engine(pg_url(), schema=schema)
        upgrade(engine)
        self.engines.append(engine)
        return engine

    def close(self) -> None:
        for engine in self.engines:
            engine.dispose()
        if self.schemas:
            admin = make_engine(pg_url())
            # One transaction per schema: dropping them all at once takes a lock per
            # object and can exhaust max_locks_per_transaction.
            for schema in self.schemas:
                with admin.begin() as conn:
                    conn.execute(sa.text(f'drop schema if exists "{schema}" cascade'))
            admin.dispose()
            self.schemas.clear()


@pytest.fixture(scope="session")
def _databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_FreshDatabases]:
    dbs = _FreshDatabases(tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.close()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_backend(request: pytest.FixtureRequest) -> str:
    """The backend a test runs on."""
    return str(request.param)


@pytest.fixture(scope="session")
def engine(db_backend: str, _databases: _FreshDatabases) -> Engine:
    """A migrated database shared by the session (tests use ``conn`` to stay isolated)."""
    return _databases.make(db_backend)


@pytest.fixture
def conn(engine: Engine) -> Iterator[sa.Connection]:
    """A connection in a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        trans = connection.begin()
        try:
            yield connection
        finally:
            trans.rollback()


@pytest.fixture
def fresh_engine(db_backend: str, _databases: _FreshDatabases) -> Engine:
    """A new, empty, migrated database for tests that commit (CLI, services with tx)."""
    return _databases.make(db_backend)


@pytest.fixture
def sqlite_engine(_databases: _FreshDatabases) -> Engine:
    """A new, empty, migrated SQLite database."""
    return _databases.make("sqlite")
