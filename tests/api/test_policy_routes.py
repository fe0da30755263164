"""Policies, push lists and an enterprise's policy check, against the demo database."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chainatlas.store.schema import enterprises, regions
from chainatlas.store.schema_activity import policies
from tests.api.conftest import Demo, token_client


def test_the_list_has_every_stored_policy_and_counts_those_valid_today(
    admin: TestClient, demo: Demo
) -> None:
    body = admin.get("/api/v1/policies").json()
    today = date.today()
    with demo.engine.connect() as conn:
        rows = conn.execute(sa.select(policies.c.code, policies.c.valid_from, policies.c.valid_to))
        stored = {r.code: r for r in rows}
    assert body["count"] == len(stored) == len(body["data"]) > 0
    valid = {
        code
        for code, r in stored.items()
        if (r.valid_from is None or r.valid_from <= today)
        and (r.valid_to is None or today <= r.valid_to)
    }
    assert {p["code"] for p in body["data"] if p["active"]} == valid
    assert body["active"] == len(valid)


def test_a_policy_lists_its_conditions_in_the_order_written(admin: TestClient, demo: Demo) -> None:
    body = admin.get("/api/v1/policies/ZJ-SRDI-2024").json()
    with demo.engine.connect() as conn:
        rule = conn.execute(
            sa.select(policies.c.eligibility).where(policies.c.code == "ZJ-SRDI-2024")
        ).scalar_one()
    assert [c["field"] for c in body["conditions"]] == [c["field"] for c in rule["all"]]
    assert body["conditions"][0]["label_zh"] == "专精特新等级"


def test_the_push_list_names_only_enterprises_that_meet_the_srdi_condition(
    admin: TestClient, demo: Demo
) -> None:
    body = admin.get("/api/v1/policies/ZJ-SRDI-2024").json()
    push = body["push"]
    assert push["count"] == len(push["enterprises"]) > 0
    ids = [e["id"] for e in push["enterprises"]]
    with demo.engine.connect() as conn:
        levels = dict(
            conn.execute(
                sa.select(enterprises.c.id, enterprises.c.srdi_level).where(
                    enterprises.c.id.in_(ids)
                )
            ).all()
        )
    assert set(levels.values()) <= {"provincial", "national"}
    # the policy is Zhejiang's (region 330000): every firm is located there (codes 33...)
    assert all(e["region"].startswith("33") for e in push["enterprises"])


def test_a_jiangsu_analyst_sees_no_zhejiang_firm_on_a_push_list(app: FastAPI, demo: Demo) -> None:
    body = token_client(app, demo, "analyst_js").get("/api/v1/policies/ZJ-SRDI-2024").json()
    assert body["push"]["count"] == 0 and body["push"]["enterprises"] == []
    assert body["push"]["evaluated"] > 0


def test_an_enterprise_user_learns_only_whether_its_own_firm_qualifies(
    app: FastAPI, demo: Demo, admin: TestClient
) -> None:
    full = admin.get("/api/v1/policies/ZJ-SRDI-2024").json()["push"]["enterprises"]
    body = token_client(app, demo, "enterprise").get("/api/v1/policies/ZJ-SRDI-2024").json()
    assert body["push"] is None and body["redacted"] is True
    assert body["own_qualified"] is (demo.own_enterprise in {e["id"] for e in full})
    r = token_client(app, demo, "enterprise").get("/policies/ZJ-SRDI-2024/push.xlsx")
    assert r.status_code == 403


def test_the_push_workbook_has_the_rows_of_the_push_list(admin: TestClient) -> None:
    push = admin.get("/api/v1/policies/ZJ-SRDI-2024").json()["push"]
    r = admin.get("/policies/ZJ-SRDI-2024/push.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    rows = list(book["push list 推送名单"].iter_rows(values_only=True))
    assert rows[0][:2] == ("id", "name")
    assert [x[0] for x in rows[1:]] == [e["id"] for e in push["enterprises"]]


def test_an_unknown_policy_is_a_404_naming_the_code(admin: TestClient) -> None:
    r = admin.get("/api/v1/policies/NO-SUCH-POLICY")
    assert r.status_code == 404 and "NO-SUCH-POLICY" in r.json()["error"]


def test_the_policy_check_accounts_for_every_policy_and_explains_each_failure(
    app: FastAPI, demo: Demo
) -> None:
    client = token_client(app, demo, "enterprise")
    body = client.get(f"/api/v1/enterprises/{demo.own_enterprise}/policies").json()
    with demo.engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(policies)).scalar_one()
    s = body["summary"]
    assert s["qualified"] + s["failed"] + s["inactive"] + s["invalid"] == n
    assert body["enterprise"]["id"] == demo.own_enterprise
    assert all(v["qualified"] for v in body["qualified"])
    for verdict in body["failed"]:
        assert verdict["failed"] and verdict["failed_count"] == len(verdict["failed"])
        assert all(not c["passed"] and c["reason"] and c["reason_zh"] for c in verdict["failed"])


def test_a_policy_limited_to_another_city_fails_on_the_region_condition(
    admin: TestClient, demo: Demo
) -> None:
    # the own enterprise is in Hangzhou or below; Ningbo's (330200) policies need region 330200
    with demo.engine.connect() as conn:
        code = conn.execute(
            sa.select(regions.c.code)
            .join(enterprises, enterprises.c.region_id == regions.c.id)
            .where(enterprises.c.id == demo.own_enterprise)
        ).scalar_one()
    body = admin.get(f"/api/v1/enterprises/{demo.own_enterprise}/policies").json()
    foreign = [v for v in body["failed"] if v["region"] and not code.startswith(v["region"][:4])]
    foreign = [v for v in foreign if len(v["region"]) == 6 and v["region"] != "330000"]
    assert foreign
    for v in foreign:
        assert any(c["field"] == "region" for c in v["failed"]), v["code"]


def test_a_check_day_outside_1900_to_2100_is_refused_with_the_span(
    admin: TestClient, demo: Demo
) -> None:
    for url in (
        "/api/v1/policies?on=0001-01-01",
        f"/api/v1/enterprises/{demo.own_enterprise}/policies?on=9999-12-31",
    ):
        r = admin.get(url)
        assert r.status_code == 422 and "1900-01-01 and 2100-12-31" in r.json()["error"], url
