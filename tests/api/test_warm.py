"""The report warmer builds every chain report of the main region ahead of requests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chainatlas.api.app import create_app
from chainatlas.api.deps import AppContext
from chainatlas.settings import Settings
from chainatlas.store.chains import list_chains
from tests.api.conftest import Demo, make_demo
from tests.api.test_imports import valid_code


@pytest.fixture(scope="module")
def warm_demo(tmp_path_factory: pytest.TempPathFactory, cheap_hasher: None) -> Iterator[Demo]:
    made = make_demo(Path(tmp_path_factory.mktemp("warm")) / "demo.db")
    yield made
    made.engine.dispose()


def test_the_app_builds_every_chain_report_when_it_starts_and_after_an_import(
    warm_demo: Demo,
) -> None:
    app = create_app(Settings(database_url=warm_demo.url, env="test"), engine=warm_demo.engine)
    with warm_demo.engine.connect() as conn:
        chains = sorted(str(c["code"]) for c in list_chains(conn) if c["segments"])
    with TestClient(app) as client:  # runs the app's lifespan: the warmer starts
        ctx: AppContext = app.state.ctx
        assert ctx.warmer is not None and ctx.warmer.wait(120)
        assert ctx.warmer.last_error is None and sorted(ctx.warmer.built) == chains
        misses = ctx.cache.misses
        client.headers["Authorization"] = f"Bearer {warm_demo.tokens['admin']}"
        for chain in chains:  # the admin's default region is the main region
            assert client.get(f"/api/v1/chains/{chain}").status_code == 200
        assert client.get("/api/v1/dashboard").status_code == 200
        # the reports and the dashboard were built ahead: only the pages' JSON was new
        built_now = ctx.cache.misses - misses
        assert built_now == len(chains)  # one "chain-json" entry per chain, no report
        rounds = ctx.warmer.rounds
        code = valid_code("91330100MA0000009")
        r = client.post(
            "/api/v1/imports/enterprises",
            files={"file": ("f.csv", f"name,credit_code,region\n暖启动测试,{code},330100\n")},
        )
        assert r.status_code == 200 and r.json()["inserted"] == 1
        assert ctx.warmer.wait(120) and ctx.warmer.rounds > rounds
        assert sorted(ctx.warmer.built) == chains
    assert ctx.warmer is None  # stopped with the app


def test_the_warmer_can_be_turned_off(warm_demo: Demo) -> None:
    app = create_app(
        Settings(database_url=warm_demo.url, env="test", warm_reports=False),
        engine=warm_demo.engine,
    )
    with TestClient(app):
        assert app.state.ctx.warmer is None
