"""The key routes on both backends (SQLite and PostgreSQL), on a freshly built demo."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from chainatlas.api.app import create_app
from chainatlas.services.accounts import ensure_demo_users, issue_token
from chainatlas.services.demo import build_demo
from chainatlas.settings import Settings
from chainatlas.store.schema import enterprises, regions
from chainatlas.store.schema_access import users
from chainatlas.store.tx import tx


def test_key_routes_answer_the_same_on_both_backends(
    fresh_engine: Engine, cheap_hasher: None
) -> None:
    build_demo(fresh_engine, scale=300, seed=7)
    with tx(fresh_engine) as conn:
        ensure_demo_users(conn)
        admin = issue_token(conn, "admin", "tests")
        ent_token = issue_token(conn, "enterprise", "tests")
        own = conn.execute(
            sa.select(users.c.enterprise_id).where(users.c.username == "enterprise")
        ).scalar_one()
        credit = conn.execute(
            sa.select(enterprises.c.credit_code).where(enterprises.c.id == own)
        ).scalar_one()
        # Zhejiang and the regions below it have codes starting with 33 (GB/T 2260)
        n_zj = conn.execute(
            sa.select(sa.func.count())
            .select_from(enterprises.join(regions, regions.c.id == enterprises.c.region_id))
            .where(regions.c.code.like("33%"))
        ).scalar_one()
    app = create_app(Settings(database_url="sqlite://", env="test"), engine=fresh_engine)
    client = TestClient(app, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {admin}"
    board = client.get("/api/v1/dashboard?region=330000").json()
    assert board["headline"]["enterprises"] == n_zj
    chain = client.get("/api/v1/chains/nev?region=330000")
    assert chain.status_code == 200 and chain.json()["scorecard"]["segments"] == 27
    found = client.get("/api/v1/search", params={"q": credit}).json()
    assert [e["id"] for e in found["enterprises"]] == [own]
    page = client.get(f"/api/v1/enterprises/{own}").json()
    assert page["profile"]["credit_code"] == credit
    other = TestClient(app, raise_server_exceptions=False)
    other.headers["Authorization"] = f"Bearer {ent_token}"
    assert other.get(f"/api/v1/enterprises/{own}").status_code == 200
    assert other.get(f"/api/v1/enterprises/{own + 1 if own == 1 else 1}").status_code == 403
