"""Docking through the API and the pages: posts, matches, leads, scopes and the audit log.

These tests write (posts, leads), so they run on a demo database of the module's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chainatlas.api.app import create_app
from chainatlas.settings import Settings
from chainatlas.store.schema import enterprises, regions
from chainatlas.store.schema_access import audit_log
from chainatlas.store.schema_activity import docking_needs
from tests.api.conftest import Demo, make_demo, session_client, token_client

PUBLIC_PROFILE = {
    "rank",
    "id",
    "name",
    "name_en",
    "region",
    "size_class",
    "segments",
    "score",
    "components",
    "matched_text",
    "distance_level",
    "reasons",
}


@pytest.fixture(scope="module")
def dock_demo(tmp_path_factory: pytest.TempPathFactory, cheap_hasher: None) -> Iterator[Demo]:
    made = make_demo(Path(tmp_path_factory.mktemp("docking")) / "demo.db")
    yield made
    made.engine.dispose()


@pytest.fixture(scope="module")
def dock_app(dock_demo: Demo) -> FastAPI:
    return create_app(Settings(database_url=dock_demo.url, env="test"), engine=dock_demo.engine)


def client(app: FastAPI, demo: Demo, user: str) -> TestClient:
    return token_client(app, demo, user)


def audited(demo: Demo, action: str, entity_id: str) -> list[dict[str, object]]:
    with demo.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_log.c.username, audit_log.c.detail)
            .where(audit_log.c.action == action)
            .where(audit_log.c.entity_id == entity_id)
        )
        return [dict(r._mapping) for r in rows]


def test_an_enterprise_posts_a_need_for_itself_and_sees_only_its_own_posts(
    dock_app: FastAPI, dock_demo: Demo
) -> None:
    ent = client(dock_app, dock_demo, "enterprise")
    r = ent.post(
        "/api/v1/docking/needs",
        json={"kind": "need", "product": "MCU主控芯片", "quantity": 5000, "unit": "片"},
    )
    assert r.status_code == 200, r.text
    need = r.json()
    assert need["enterprise"]["id"] == dock_demo.own_enterprise and need["status"] == "open"
    listed = ent.get("/api/v1/docking/needs").json()
    assert need["code"] in {n["code"] for n in listed["data"]}
    assert {n["enterprise"]["id"] for n in listed["data"]} == {dock_demo.own_enterprise}
    rows = audited(dock_demo, "docking.post", need["code"])
    assert len(rows) == 1 and rows[0]["username"] == "enterprise"


def test_an_enterprise_may_not_post_for_another_firm_and_a_viewer_not_at_all(
    dock_app: FastAPI, dock_demo: Demo
) -> None:
    body = {"enterprise": dock_demo.other_enterprise, "kind": "need", "product": "电机"}
    r = client(dock_app, dock_demo, "enterprise").post("/api/v1/docking/needs", json=body)
    assert r.status_code == 403
    r = client(dock_app, dock_demo, "viewer").post("/api/v1/docking/needs", json=body)
    assert r.status_code == 403 and "read-only" in r.json()["error"]
    with dock_demo.engine.connect() as conn:
        n = conn.execute(
            sa.select(sa.func.count())
            .select_from(docking_needs)
            .where(docking_needs.c.enterprise_id == dock_demo.other_enterprise)
            .where(docking_needs.c.product == "电机")
        ).scalar_one()
    assert n == 0


def test_an_analyst_posts_on_behalf_of_a_firm_in_scope_but_not_outside(
    dock_app: FastAPI, dock_demo: Demo
) -> None:
    analyst = client(dock_app, dock_demo, "analyst")
    ok = analyst.post(
        "/api/v1/docking/needs",
        json={"enterprise": dock_demo.other_enterprise, "kind": "capability", "product": "电机"},
    )
    assert ok.status_code == 200 and ok.json()["enterprise"]["id"] == dock_demo.other_enterprise
    out = analyst.post(
        "/api/v1/docking/needs",
        json={"enterprise": dock_demo.jiangsu_enterprise, "kind": "need", "product": "电机"},
    )
    assert out.status_code == 403


def test_an_analyst_lists_only_posts_of_firms_located_in_zhejiang(
    dock_app: FastAPI, dock_demo: Demo
) -> None:
    body = client(dock_app, dock_demo, "analyst").get("/api/v1/docking/needs").json()
    with dock_demo.engine.connect() as conn:
        expected = set(
            conn.execute(
                sa.select(docking_needs.c.code)
                .join(enterprises, enterprises.c.id == docking_needs.c.enterprise_id)
                .join(regions, regions.c.id == enterprises.c.region_id)
                .where(regions.c.code.like("33%"))
            ).scalars()
        )
    assert {n["code"] for n in body["data"]} == expected and expected
    everyone = client(dock_app, dock_demo, "admin").get("/api/v1/docking/needs").json()
    assert everyone["count"] > body["count"]


def test_matches_show_public_profiles_only_and_never_the_poster(
    dock_app: FastAPI, dock_demo: Demo
) -> None:
    ent = client(dock_app, dock_demo, "enterprise")
    code = ent.get("/api/v1/docking/needs").json()["data"][0]["code"]
    body = ent.get(f"/api/v1/docking/needs/{code}?top=5").json()
    assert body["need"]["code"] == code and 0 < len(body["counterparts"]) <= 5
    for c in body["counterparts"]:
        assert set(c) == PUBLIC_PROFILE
        assert c["id"] != dock_demo.own_enterprise
    assert [c["rank"] for c in body["counterparts"]] == list(
        range(1, len(body["counterparts"]) + 1)
    )


def test_saved_leads_move_along_the_allowed_statuses_and_are_audited(
    dock_app: FastAPI, dock_demo: Demo
) -> None:
    ent = client(dock_app, dock_demo, "enterprise")
    code = ent.get("/api/v1/docking/needs").json()["data"][0]["code"]
    matched = ent.get(f"/api/v1/docking/needs/{code}?top=3").json()["counterparts"]
    saved = ent.post(f"/api/v1/docking/needs/{code}/leads?top=3").json()
    assert {x["counterpart"]["id"] for x in saved["created"]} == {c["id"] for c in matched}
    again = ent.post(f"/api/v1/docking/needs/{code}/leads?top=3").json()
    assert again["created"] == [] and again["existing"] == len(matched)
    lead = saved["created"][0]["id"]
    # proposed -> deal skips a step (docs/docking.md): refused, nothing changes
    assert ent.post(f"/api/v1/docking/leads/{lead}", json={"status": "deal"}).status_code == 422
    r = ent.post(f"/api/v1/docking/leads/{lead}", json={"status": "contacted", "note": "电话"})
    assert r.status_code == 200 and r.json()["status"] == "contacted"
    listed = ent.get(f"/api/v1/docking/leads?need={code}").json()
    assert {x["id"]: x["status"] for x in listed["data"]}[lead] == "contacted"
    assert audited(dock_demo, "docking.leads", code)
    (change,) = audited(dock_demo, "docking.lead", str(lead))
    assert change["detail"] == {"from": "proposed", "to": "contacted", "note": "电话"}


def test_a_viewer_reads_leads_but_cannot_change_them(dock_app: FastAPI, dock_demo: Demo) -> None:
    viewer = client(dock_app, dock_demo, "viewer")
    leads = viewer.get("/api/v1/docking/leads").json()["data"]
    assert leads
    r = viewer.post(f"/api/v1/docking/leads/{leads[0]['id']}", json={"status": "declined"})
    assert r.status_code == 403


def test_another_enterprise_s_lead_is_unknown_to_an_enterprise_user(
    dock_app: FastAPI, dock_demo: Demo
) -> None:
    analyst = client(dock_app, dock_demo, "analyst")
    other_post = next(
        n["code"]
        for n in analyst.get("/api/v1/docking/needs").json()["data"]
        if n["enterprise"]["id"] != dock_demo.own_enterprise
    )
    created = analyst.post(f"/api/v1/docking/needs/{other_post}/leads?top=1").json()["created"]
    assert created
    ent = client(dock_app, dock_demo, "enterprise")
    r = ent.post(f"/api/v1/docking/leads/{created[0]['id']}", json={"status": "contacted"})
    assert r.status_code == 404
    assert created[0]["id"] not in {
        x["id"] for x in ent.get("/api/v1/docking/leads").json()["data"]
    }


def test_the_post_form_goes_to_the_matches_and_the_status_changes_in_place(
    dock_app: FastAPI, dock_demo: Demo
) -> None:
    s = session_client(dock_app, dock_demo, "enterprise")
    r = s.client.post(
        "/docking/needs",
        data={"kind": "need", "product": "碳化硅功率器件", "csrf_token": s.csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/docking/needs/DN")
    code = r.headers["location"].rsplit("/", 1)[1]
    page = s.client.get(r.headers["location"])
    assert page.status_code == 200 and "碳化硅功率器件" in page.text
    saved = s.client.post(
        f"/docking/needs/{code}/leads",
        data={"top": "2", "csrf_token": s.csrf},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/docking/leads?need={code}"
    leads = s.client.get(f"/api/v1/docking/leads?need={code}").json()["data"]
    lead = leads[0]["id"]
    row = s.client.post(
        f"/docking/leads/{lead}",
        data={"status": "declined", "csrf_token": s.csrf},
        headers={"HX-Request": "true"},
    )
    assert row.status_code == 200 and row.text.strip().startswith(f'<tr id="lead-{lead}"')
    assert "lead-declined" in row.text


def test_a_blank_product_shows_the_form_again_with_the_reason(
    dock_app: FastAPI, dock_demo: Demo
) -> None:
    s = session_client(dock_app, dock_demo, "analyst")
    r = s.client.post(
        "/docking/needs",
        data={
            "kind": "need",
            "product": " ",
            "enterprise": str(dock_demo.other_enterprise),
            "csrf_token": s.csrf,
        },
    )
    assert r.status_code == 422 and "product" in r.text and 'id="post-form"' in r.text
