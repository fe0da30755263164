"""A small demo database with one account per role, and clients signed in as each.

The demo (300 enterprises, seed 7, the scale of tests/services/test_demo_roundtrip.py) is
built once per session on SQLite. Accounts: the four demo accounts plus ``analyst_js``,
an analyst scoped to Jiangsu (320000), i.e. outside the demo's home province. Passwords
are hashed with cheap argon2 parameters to keep the tests fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from chainatlas.api.app import create_app
from chainatlas.services import accounts
from chainatlas.services.accounts import (
    create_user,
    ensure_demo_users,
    issue_token,
    open_session,
)
from chainatlas.services.demo import build_demo
from chainatlas.services.principals import region_subtree
from chainatlas.settings import Settings
from chainatlas.store.engine import make_engine
from chainatlas.store.schema import enterprises, regions
from chainatlas.store.schema_access import users
from chainatlas.store.tx import tx

DEMO_SCALE = 300
DEMO_SEED = 7
PASSWORD = accounts.DEMO_PASSWORD


@dataclass(frozen=True)
class Demo:
    """The demo database and the facts tests need about it."""

    url: str
    engine: Engine
    own_enterprise: int  # the enterprise user's enterprise (in Zhejiang)
    other_enterprise: int  # another enterprise in Zhejiang
    jiangsu_enterprise: int  # an enterprise located in Jiangsu
    tokens: dict[str, str]  # username -> API token


@pytest.fixture(scope="session")
def cheap_hasher() -> Iterator[None]:
    """Hash passwords with cheap argon2 parameters for the session."""
    old = accounts._hasher
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    accounts._hasher = old


def make_demo(path: Path) -> Demo:
    """Build the demo at ``path`` with the accounts and one API token per account."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    build_demo(engine, scale=DEMO_SCALE, seed=DEMO_SEED)
    with tx(engine) as conn:
        ensure_demo_users(conn)
        create_user(conn, "analyst_js", PASSWORD, "analyst", regions=["320000"])
        tokens = {
            name: issue_token(conn, name, "tests")
            for name in ("admin", "analyst", "analyst_js", "enterprise", "viewer")
        }
        own = conn.execute(
            sa.select(users.c.enterprise_id).where(users.c.username == "enterprise")
        ).scalar_one()
        zj = conn.execute(sa.select(regions.c.id).where(regions.c.code == "330000")).scalar_one()
        js = conn.execute(sa.select(regions.c.id).where(regions.c.code == "320000")).scalar_one()
        zj_ids = sorted(region_subtree(conn, [zj]))
        js_ids = sorted(region_subtree(conn, [js]))
        other = conn.execute(
            sa.select(sa.func.min(enterprises.c.id))
            .where(enterprises.c.region_id.in_(zj_ids))
            .where(enterprises.c.id != own)
        ).scalar_one()
        jiangsu = conn.execute(
            sa.select(sa.func.min(enterprises.c.id)).where(enterprises.c.region_id.in_(js_ids))
        ).scalar_one()
    return Demo(url, engine, int(own), int(other), int(jiangsu), tokens)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory, cheap_hasher: None) -> Iterator[Demo]:
    """The session's demo database (read-only for tests: they must not commit changes)."""
    made = make_demo(tmp_path_factory.mktemp("webdemo") / "demo.db")
    yield made
    made.engine.dispose()


@pytest.fixture(scope="session")
def app(demo: Demo) -> FastAPI:
    """The app on the demo database."""
    return create_app(Settings(database_url=demo.url, env="test"), engine=demo.engine)


@pytest.fixture
def anon(app: FastAPI) -> TestClient:
    """A client that is not signed in."""
    return TestClient(app, raise_server_exceptions=False)


def token_client(app: FastAPI, demo: Demo, username: str) -> TestClient:
    """A client that sends ``username``'s API token."""
    client = TestClient(app, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {demo.tokens[username]}"
    return client


@dataclass
class SessionClient:
    """A browser-like client: the session cookie and the session's CSRF token."""

    client: TestClient
    csrf: str


def session_client(app: FastAPI, demo: Demo, username: str) -> SessionClient:
    """A client with a session cookie for ``username`` (as after logging in)."""
    with tx(demo.engine) as conn:
        user_id = conn.execute(
            sa.select(users.c.id).where(users.c.username == username)
        ).scalar_one()
        token, csrf = open_session(conn, int(user_id))
    client = TestClient(app, raise_server_exceptions=False)
    client.cookies.set("chainatlas_session", token)
    return SessionClient(client, csrf)


@pytest.fixture
def admin(app: FastAPI, demo: Demo) -> TestClient:
    """The admin's API client."""
    return token_client(app, demo, "admin")
