"""Every API route, checked against facts computed straight from the demo database."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chainatlas.store.schema import (
    chains,
    enterprise_segments,
    enterprise_years,
    enterprises,
    regions,
    segment_edges,
    segments,
    supply_links,
)
from tests.api.conftest import Demo, token_client


def zhejiang_ids(demo: Demo) -> list[int]:
    """Ids of Zhejiang and every region below it: their codes start with 33 (GB/T 2260)."""
    with demo.engine.connect() as conn:
        return [
            int(i)
            for i in conn.execute(sa.select(regions.c.id).where(regions.c.code.like("33%")))
            .scalars()
            .all()
        ]


def located(ids: list[int]) -> sa.ColumnElement[bool]:
    return sa.or_(enterprises.c.region_id.in_(ids), enterprises.c.park_id.in_(ids))


def test_me_shows_the_analysts_scope(app: FastAPI, demo: Demo) -> None:
    body = token_client(app, demo, "analyst").get("/api/v1/me").json()
    assert body["role"] == "analyst" and body["can_write"] is True
    assert sorted(body["region_ids"]) == sorted(zhejiang_ids(demo))


def test_regions_of_a_jiangsu_analyst_are_jiangsu_only(app: FastAPI, demo: Demo) -> None:
    body = token_client(app, demo, "analyst_js").get("/api/v1/regions").json()
    codes = [r["code"] for r in body["data"]]
    assert body["count"] == len(codes) > 1
    assert all(c.startswith("32") for c in codes) and "320000" in codes


def test_the_dashboard_counts_the_enterprises_located_in_the_region(
    admin: TestClient, demo: Demo
) -> None:
    body = admin.get("/api/v1/dashboard?region=330000").json()
    ids = zhejiang_ids(demo)
    with demo.engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).where(located(ids))).scalar_one()
        n_chains = conn.execute(sa.select(sa.func.count()).select_from(chains)).scalar_one()
    assert body["region"]["code"] == "330000"
    assert body["headline"]["enterprises"] == n
    assert len(body["chains"]) == n_chains == body["headline"]["chains"]
    assert sum(a["enterprises"] for a in body["areas"]) <= n


def test_the_chain_list_matches_the_dashboard(admin: TestClient) -> None:
    listed = admin.get("/api/v1/chains?region=330000").json()
    board = admin.get("/api/v1/dashboard?region=330000").json()
    assert listed["data"] == board["chains"] and listed["count"] == 8


def test_the_chain_page_has_every_segment_and_edge_of_the_chain(
    admin: TestClient, demo: Demo
) -> None:
    body = admin.get("/api/v1/chains/nev?region=330000&risks=5").json()
    with demo.engine.connect() as conn:
        chain_id = conn.execute(sa.select(chains.c.id).where(chains.c.code == "nev")).scalar_one()
        n_seg = conn.execute(
            sa.select(sa.func.count()).where(segments.c.chain_id == chain_id)
        ).scalar_one()
        n_edge = conn.execute(
            sa.select(sa.func.count()).where(segment_edges.c.chain_id == chain_id)
        ).scalar_one()
    assert len(body["graph"]["nodes"]) == n_seg == body["scorecard"]["segments"]
    assert len(body["graph"]["edges"]) == n_edge
    sc = body["scorecard"]
    assert sc["strong"] + sc["present"] + sc["weak"] + sc["missing"] == n_seg
    assert len(body["risks"]) == min(5, body["risks_visible"])
    assert body["redacted"] is False and body["region"]["code"] == "330000"


def test_an_enterprise_user_sees_aggregates_but_no_other_firm(app: FastAPI, demo: Demo) -> None:
    body = token_client(app, demo, "enterprise").get("/api/v1/chains/nev?risks=200").json()
    own = demo.own_enterprise
    assert body["redacted"] is True and body["countermeasures"] == []
    assert all(k["id"] == own for k in body["key_enterprises"])
    assert all(x["id"] == own for s in body["segments"] for x in s["leaders"])
    assert all(g["targets"] == [] for g in body["gaps"])
    for r in body["risks"]:
        assert r["buyer"] is None or r["buyer"]["id"] == own
        assert all(c["targets"] == [] and c["zh"] == "" for c in r["countermeasures"])


def test_the_segment_page_splits_suppliers_inside_and_outside(
    admin: TestClient, demo: Demo
) -> None:
    body = admin.get("/api/v1/chains/nev/segments/power_battery?region=330000").json()
    ids = zhejiang_ids(demo)
    with demo.engine.connect() as conn:
        seg = conn.execute(
            sa.select(segments.c.id)
            .join(chains, chains.c.id == segments.c.chain_id)
            .where(chains.c.code == "nev", segments.c.code == "power_battery")
        ).scalar_one()
        members = conn.execute(
            sa.select(sa.func.count(sa.distinct(enterprise_segments.c.enterprise_id)))
            .join(enterprises, enterprises.c.id == enterprise_segments.c.enterprise_id)
            .where(enterprise_segments.c.segment_id == seg)
            .where(located(ids))
        ).scalar_one()
        buyer = enterprises.alias("b")
        links = conn.execute(
            sa.select(sa.func.count())
            .select_from(supply_links.join(buyer, buyer.c.id == supply_links.c.buyer_id))
            .where(supply_links.c.segment_id == seg)
            .where(sa.or_(buyer.c.region_id.in_(ids), buyer.c.park_id.in_(ids)))
        ).scalar_one()
    assert body["segment"]["id"] == "power_battery"
    assert len(body["enterprises"]) == members == body["segment"]["enterprises"]
    s = body["suppliers"]
    assert s["inside"]["links"] + s["outside"]["links"] == links
    assert all(r["segment"] == "power_battery" for r in body["risks"])


def test_an_unknown_segment_is_a_404_that_names_it(admin: TestClient) -> None:
    r = admin.get("/api/v1/chains/nev/segments/warp_drive?region=330000")
    assert r.status_code == 404 and "warp_drive" in r.json()["error"]


def test_the_risk_list_filters_by_level_and_pages(admin: TestClient) -> None:
    everything = admin.get("/api/v1/risks?chain=nev&region=330000&limit=500").json()
    high = admin.get("/api/v1/risks?chain=nev&region=330000&level=high&limit=500").json()
    n_high = sum(r["level"] == "high" for r in everything["data"])
    assert high["total"] == n_high and all(r["level"] == "high" for r in high["data"])
    page2 = admin.get("/api/v1/risks?chain=nev&region=330000&limit=3&offset=3").json()
    assert [r["id"] for r in page2["data"]] == [r["id"] for r in everything["data"][3:6]]
    levels = [r["level"] for r in everything["data"]]
    order = {"high": 0, "medium": 1, "low": 2}
    assert levels == sorted(levels, key=order.__getitem__)


def test_the_enterprise_page_shows_its_credit_code_and_every_year(
    admin: TestClient, demo: Demo
) -> None:
    eid = demo.own_enterprise
    body = admin.get(f"/api/v1/enterprises/{eid}").json()
    with demo.engine.connect() as conn:
        code = conn.execute(
            sa.select(enterprises.c.credit_code).where(enterprises.c.id == eid)
        ).scalar_one()
        years = conn.execute(
            sa.select(enterprise_years.c.year).where(enterprise_years.c.enterprise_id == eid)
        ).scalars()
        years = sorted(int(y) for y in years)
    assert body["profile"]["id"] == eid and body["profile"]["credit_code"] == code
    assert [t["year"] for t in body["trends"]] == years
    assert body["links_visible"] is True


def test_search_finds_by_credit_code_and_by_alias(admin: TestClient, demo: Demo) -> None:
    with demo.engine.connect() as conn:
        row = conn.execute(
            sa.select(enterprises.c.id, enterprises.c.credit_code, enterprises.c.aliases).where(
                sa.cast(enterprises.c.aliases, sa.Text) != "[]"
            )
        ).first()
    assert row is not None
    by_code = admin.get(f"/api/v1/search?q={row.credit_code.lower()}").json()
    assert [e["id"] for e in by_code["enterprises"]] == [row.id]
    by_alias = admin.get("/api/v1/search", params={"q": row.aliases[0]}).json()
    assert row.id in [e["id"] for e in by_alias["enterprises"]]


def test_search_never_shows_an_enterprise_user_another_firm(app: FastAPI, demo: Demo) -> None:
    with demo.engine.connect() as conn:
        other = conn.execute(
            sa.select(enterprises.c.name).where(enterprises.c.id == demo.other_enterprise)
        ).scalar_one()
    assert admin_ids(app, demo, "admin", other)
    assert admin_ids(app, demo, "enterprise", other) == []
    assert admin_ids(app, demo, "analyst_js", other) == []


def admin_ids(app: FastAPI, demo: Demo, user: str, q: str) -> list[int]:
    body = token_client(app, demo, user).get("/api/v1/search", params={"q": q}).json()
    return [e["id"] for e in body["enterprises"]]


def test_import_kinds_list_every_kind_parents_first(admin: TestClient) -> None:
    body = admin.get("/api/v1/imports").json()
    kinds = [k["kind"] for k in body["kinds"]]
    assert kinds.index("regions") < kinds.index("enterprises") < kinds.index("supply_links")
    assert ".csv" in body["suffixes"] and ".xlsx" in body["suffixes"]


def test_the_audit_log_is_newest_first(admin: TestClient) -> None:
    body = admin.get("/api/v1/audit?limit=5").json()
    stamps = [e["at"] for e in body["data"]]
    assert stamps == sorted(stamps, reverse=True) and body["count"] == len(stamps)


def test_a_user_saves_the_interface_language(app: FastAPI, demo: Demo) -> None:
    client = token_client(app, demo, "viewer")
    assert client.put("/api/v1/me/locale", json={"locale": "en"}).json()["locale"] == "en"
    assert client.get("/api/v1/me").json()["locale"] == "en"
    assert client.put("/api/v1/me/locale", json={"locale": "zh"}).json()["locale"] == "zh"
    assert client.put("/api/v1/me/locale", json={"locale": "fr"}).status_code == 422


def test_the_openapi_schema_describes_every_api_route(anon: TestClient) -> None:
    spec = anon.get("/api/v1/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/v1/me",
        "/api/v1/chains/{chain}",
        "/api/v1/chains/{chain}/segments/{segment}",
        "/api/v1/enterprises/{enterprise_id}",
        "/api/v1/risks",
        "/api/v1/search",
        "/api/v1/imports/{kind}",
        "/api/v1/audit",
    } <= paths
    assert not any(p.startswith("/chains") or p == "/" for p in paths)  # pages are not API
    chain_get = spec["paths"]["/api/v1/chains/{chain}"]["get"]["responses"]
    assert chain_get["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "ChainPageOut"
    )
    assert chain_get["403"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorOut")
