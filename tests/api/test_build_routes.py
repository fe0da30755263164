"""Attraction targets, growth opportunities and regions compared, against the demo database.

Facts are read straight from the store (segment memberships, region codes) or from the
rules of docs/build-the-chain.md (strategy weights, RCA below 1, the definition of the
similarity coefficient), not from the services' own output.
"""

from __future__ import annotations

import io

import openpyxl
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chainatlas.store.schema import chains, enterprise_segments, regions, segments
from tests.api.conftest import Demo, token_client


def segment_members(demo: Demo, chain: str, segment: str) -> set[int]:
    """Ids of the enterprises that are members of ``segment`` of ``chain``."""
    with demo.engine.connect() as conn:
        rows = conn.execute(
            sa.select(enterprise_segments.c.enterprise_id)
            .join(segments, segments.c.id == enterprise_segments.c.segment_id)
            .join(chains, chains.c.id == segments.c.chain_id)
            .where(chains.c.code == chain)
            .where(segments.c.code == segment)
        )
        return {int(x) for x in rows.scalars()}


def test_targets_cover_exactly_the_weak_and_missing_segments_of_the_chain_page(
    admin: TestClient,
) -> None:
    page = admin.get("/api/v1/chains/nev?region=330000").json()
    gaps = {s["id"] for s in page["segments"] if s["status"] in ("weak", "missing")}
    body = admin.get("/api/v1/chains/nev/targets?region=330000&top=5").json()
    assert body["chain"]["code"] == "nev" and body["region"]["code"] == "330000"
    assert {s["segment"] for s in body["segments"]} == gaps and gaps
    statuses = {s["id"]: s["status"] for s in page["segments"]}
    assert all(s["status"] == statuses[s["segment"]] for s in body["segments"])


def test_every_target_works_in_its_segment_and_is_located_outside_zhejiang(
    admin: TestClient, demo: Demo
) -> None:
    body = admin.get("/api/v1/chains/nev/targets?region=330000&top=5").json()
    listed = 0
    for seg in body["segments"]:
        members = segment_members(demo, "nev", seg["segment"])
        assert len(seg["targets"]) <= 5
        assert [t["rank"] for t in seg["targets"]] == list(range(1, len(seg["targets"]) + 1))
        scores = [t["score"] for t in seg["targets"]]
        assert scores == sorted(scores, reverse=True)
        for t in seg["targets"]:
            listed += 1
            assert t["id"] in members
            assert t["tier"] != "region" and not (t["region"] or "").startswith("33")
            assert 0 <= t["score"] <= 100 and t["reasons"]
    assert listed > 0


def test_the_targets_workbook_has_one_row_per_listed_target(admin: TestClient) -> None:
    body = admin.get("/api/v1/chains/nev/targets?region=330000&top=3").json()
    r = admin.get("/chains/nev/targets.xlsx?region=330000&top=3")
    assert r.status_code == 200
    assert r.headers["content-disposition"].endswith('chainatlas-targets-nev-330000.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["targets 招商目标", "segments 环节", "rules 规则"]
    rows = list(book["targets 招商目标"].iter_rows(values_only=True))
    expected = {(s["segment"], t["id"]) for s in body["segments"] for t in s["targets"]}
    head = rows[0]
    got = {(r[head.index("segment")], r[head.index("id")]) for r in rows[1:]}
    assert got == expected


def test_an_unknown_chain_has_no_targets(admin: TestClient) -> None:
    r = admin.get("/api/v1/chains/no_such_chain/targets?region=330000")
    assert r.status_code == 404 and "no_such_chain" in r.json()["error"]


def test_opportunities_are_industries_the_region_does_not_have_ranked_by_score(
    admin: TestClient,
) -> None:
    body = admin.get("/api/v1/opportunities?region=330000").json()
    items = body["opportunities"]
    assert body["region"]["code"] == "330000" and 0 < len(items) <= 20
    # a candidate is a column with RCA below 1 (M_cp = 0), docs/build-the-chain.md
    assert all(it["measures"]["rca"] < 1 for it in items)
    assert [it["rank"] for it in items] == list(range(1, len(items) + 1))
    assert [it["score"] for it in items] == sorted((it["score"] for it in items), reverse=True)
    points = body["scatter"]["points"]
    assert [(p["code"], p["feasibility"], p["attractiveness"]) for p in points] == [
        (it["code"], it["measures"]["density"], it["attractiveness"]) for it in items
    ]


def test_the_strategy_sets_the_feasibility_weight_as_documented(admin: TestClient) -> None:
    # docs/build-the-chain.md: feasible 0.7, balanced 0.5, ambitious 0.3
    weights = {
        s: admin.get(f"/api/v1/opportunities?region=330000&strategy={s}").json()["rules"][
            "weights"
        ]["feasibility"]
        for s in ("feasible", "balanced", "ambitious")
    }
    assert weights == {"feasible": 0.7, "balanced": 0.5, "ambitious": 0.3}
    assert admin.get("/api/v1/opportunities?strategy=reckless").status_code == 422


def test_regions_compare_defaults_to_the_cooperation_area_for_unscoped_users(
    admin: TestClient, demo: Demo
) -> None:
    body = admin.get("/api/v1/regions/compare").json()
    assert body["group"]["code"] == "YRD"
    assert {r["code"] for r in body["regions"]} == {"310000", "320000", "330000", "340000"}
    assert [a["code"] for a in body["areas"]] == ["YRD"]


def test_the_similarity_matrix_is_symmetric_with_ones_on_the_diagonal(admin: TestClient) -> None:
    body = admin.get("/api/v1/regions/compare?group=YRD").json()
    sim = body["similarity"]
    codes = [r["code"] for r in body["regions"]]
    for a in codes:
        assert abs(sim[a][a] - 1.0) < 1e-9
        for b in codes:
            assert abs(sim[a][b] - sim[b][a]) < 1e-9 and -1e-9 <= sim[a][b] <= 1 + 1e-9


def test_the_lead_region_has_the_highest_lead_score_and_contested_segments_have_two_regions(
    admin: TestClient,
) -> None:
    body = admin.get("/api/v1/regions/compare?group=YRD").json()
    assert len(body["chains"]) == 8
    for c in body["chains"]:
        if c["lead"] is not None:
            assert c["lead"]["lead_score"] == max(r["lead_score"] for r in c["ranking"])
        for s in c["contested"]:
            assert len(s["regions"]) >= 2
            assert set(s["regions"]) == set(c["specialised"][s["segment"]])


def test_a_zhejiang_analyst_compares_the_cities_of_zhejiang_by_default(
    app: FastAPI, demo: Demo
) -> None:
    body = token_client(app, demo, "analyst").get("/api/v1/regions/compare").json()
    with demo.engine.connect() as conn:
        zj = conn.execute(sa.select(regions.c.id).where(regions.c.code == "330000")).scalar_one()
        cities = set(
            conn.execute(
                sa.select(regions.c.code)
                .where(regions.c.parent_id == zj)
                .where(regions.c.level != "park")
            ).scalars()
        )
    assert body["group"] is None and body["areas"] == []
    assert {r["code"] for r in body["regions"]} == cities


def test_overlapping_regions_cannot_be_compared(admin: TestClient) -> None:
    r = admin.get("/api/v1/regions/compare?regions=330000&regions=330100")
    assert r.status_code == 422


def test_an_enterprise_user_is_refused_the_planning_lists_with_a_reason(
    app: FastAPI, demo: Demo
) -> None:
    client = token_client(app, demo, "enterprise")
    for url in (
        "/api/v1/chains/nev/targets",
        "/api/v1/opportunities",
        "/api/v1/regions/compare",
    ):
        r = client.get(url)
        assert r.status_code == 403 and "(enterprise) may not see" in r.json()["error"], url
