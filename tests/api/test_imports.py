"""Imports through the API and the app's cache: all or nothing, audited, cache invalidated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from chainatlas.api.app import create_app
from chainatlas.api.cache import ReportCache
from chainatlas.domain.credit_code import credit_code_check_char
from chainatlas.services.audit import list_audit
from chainatlas.settings import Settings
from chainatlas.store.schema import enterprises
from tests.api.conftest import Demo, make_demo, session_client, token_client


@pytest.fixture(scope="module")
def own_demo(tmp_path_factory: pytest.TempPathFactory, cheap_hasher: None) -> Iterator[Demo]:
    made = make_demo(Path(tmp_path_factory.mktemp("imports")) / "demo.db")
    yield made
    made.engine.dispose()


@pytest.fixture(scope="module")
def own_app(own_demo: Demo) -> FastAPI:
    return create_app(Settings(database_url=own_demo.url, env="test"), engine=own_demo.engine)


def count(demo: Demo) -> int:
    with demo.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(enterprises)).scalar_one())


def valid_code(body17: str) -> str:
    """A credit code with its GB 32100 check character."""
    return body17 + credit_code_check_char(body17)


def test_a_rejected_upload_writes_nothing(own_app: FastAPI, own_demo: Demo) -> None:
    before = count(own_demo)
    good = valid_code("91330100MA0000001")
    csv = f"name,credit_code,region\n好企业有限公司,{good},330100\n坏企业,12345,330100\n"
    r = token_client(own_app, own_demo, "analyst").post(
        "/api/v1/imports/enterprises", files={"file": ("f.csv", csv.encode(), "text/csv")}
    )
    assert r.status_code == 422
    assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(3, "credit_code")]
    assert count(own_demo) == before


def test_viewers_and_enterprise_users_may_not_import(own_app: FastAPI, own_demo: Demo) -> None:
    csv = b"name,region\nX,330100\n"
    for user in ("viewer", "enterprise"):
        r = token_client(own_app, own_demo, user).post(
            "/api/v1/imports/enterprises", files={"file": ("f.csv", csv, "text/csv")}
        )
        assert r.status_code == 403 and "read-only" in r.json()["error"]


def test_a_cookie_session_needs_the_csrf_header_to_import(own_app: FastAPI, own_demo: Demo) -> None:
    s = session_client(own_app, own_demo, "analyst")
    files = {"file": ("f.csv", b"name,credit_code,region\nX,1,330100\n", "text/csv")}
    refused = s.client.post("/api/v1/imports/enterprises", files=files)
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]
    files = {"file": ("f.csv", b"name,credit_code,region\nX,1,330100\n", "text/csv")}
    checked = s.client.post(
        "/api/v1/imports/enterprises", files=files, headers={"X-CSRF-Token": s.csrf}
    )
    assert checked.status_code == 422  # past the CSRF check, refused for its bad row


def test_an_import_is_audited_and_invalidates_the_cached_chain_report(
    own_app: FastAPI, own_demo: Demo
) -> None:
    client = token_client(own_app, own_demo, "analyst")
    url = "/api/v1/chains/nev?region=330100"
    before = client.get(url).json()["scorecard"]["local_enterprises"]
    assert client.get(url).json()["scorecard"]["local_enterprises"] == before  # cached
    version = own_app.state.ctx.cache.version
    code = valid_code("91330100MA0000002")
    firm = f"name,credit_code,region\n新测试整车有限公司,{code},330100\n"
    r = client.post(
        "/api/v1/imports/enterprises", files={"file": ("firm.csv", firm.encode(), "text/csv")}
    )
    assert r.status_code == 200 and r.json()["inserted"] == 1 and r.json()["committed"]
    member = f"enterprise,chain,segment,main_product\n{code},nev,vehicle_manufacturing,整车\n"
    r = client.post(
        "/api/v1/imports/enterprise_segments",
        files={"file": ("member.csv", member.encode(), "text/csv")},
    )
    assert r.status_code == 200 and r.json()["inserted"] == 1
    assert own_app.state.ctx.cache.version == version + 2
    after = client.get(url).json()["scorecard"]["local_enterprises"]
    assert after == before + 1
    with own_demo.engine.connect() as conn:
        log = list_audit(conn, limit=5, username="analyst")
    actions = [(e["action"], e["entity_id"]) for e in log]
    assert ("import.enterprises", "firm.csv") in actions
    assert ("import.enterprise_segments", "member.csv") in actions


def test_the_cache_serves_fresh_entries_and_rebuilds_stale_ones() -> None:
    now = [0.0]
    cache = ReportCache(max_age_s=10, max_entries=2, clock=lambda: now[0])
    built: list[str] = []

    def build(x: str) -> str:
        built.append(x)
        return x.upper()

    assert cache.get_or_build("a", lambda: build("a")) == "A"
    assert cache.get_or_build("a", lambda: build("a")) == "A"
    now[0] = 11.0
    assert cache.get_or_build("a", lambda: build("a")) == "A"
    assert built == ["a", "a"] and (cache.hits, cache.misses) == (1, 2)
    cache.get_or_build("b", lambda: build("b"))
    cache.get_or_build("c", lambda: build("c"))
    assert len(cache) == 2  # the oldest entry went
    cache.bump()
    assert len(cache) == 0 and cache.version == 1
