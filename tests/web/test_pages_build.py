"""The build-the-chain, policy and docking pages, and their chart specs (tested as data)."""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.testclient import TestClient

from chainatlas.web.charts_build import LABELLED, opportunity_scatter, similarity_heatmap
from tests.api.conftest import Demo, session_client
from tests.web.test_pages import Doc


def page(app: FastAPI, demo: Demo, user: str, url: str) -> tuple[int, Doc, str]:
    r = session_client(app, demo, user).client.get(url)
    return r.status_code, Doc(r.text), r.text


def chart_spec(doc: Doc, block: str) -> dict[str, object]:
    data = json.loads(doc.one("script", id=block).text)
    assert isinstance(data, dict)
    return data["main"]  # type: ignore[no-any-return]


def test_the_chain_page_links_to_its_attraction_targets_except_for_enterprise_users(
    app: FastAPI, demo: Demo
) -> None:
    _s, doc, _t = page(app, demo, "analyst", "/chains/nev?region=330000")
    (link,) = [
        a for a in doc.find("a") if a.attrs.get("href", "").endswith("/targets?region=330000")
    ]
    assert link.text.strip() == "招商目标"
    _s, doc, _t = page(app, demo, "enterprise", "/chains/nev")
    assert not [a for a in doc.find("a") if "/targets" in a.attrs.get("href", "")]


def test_the_targets_page_has_one_section_per_segment_of_its_json_twin(
    app: FastAPI, demo: Demo, admin: TestClient
) -> None:
    twin = admin.get("/api/v1/chains/nev/targets?region=330000").json()
    status, doc, _t = page(app, demo, "admin", "/chains/nev/targets?region=330000")
    assert status == 200
    sections = doc.find("section", class_="segment-targets")
    assert [s.attrs["id"] for s in sections] == [f"seg-{s['segment']}" for s in twin["segments"]]
    n_targets = sum(len(s["targets"]) for s in twin["segments"])
    with_targets = sum(1 for s in twin["segments"] if s["targets"])
    assert len(doc.find("table", class_="targets")) == with_targets
    assert len(doc.find("td", class_="reasons")) == n_targets > 0
    links = {a.attrs["href"] for a in doc.find("a")}
    assert "/api/v1/chains/nev/targets?region=330000&top=10" in links
    assert "/chains/nev/targets.xlsx?region=330000&top=10" in links


def test_the_opportunity_scatter_has_one_point_per_row_of_the_table(
    app: FastAPI, demo: Demo
) -> None:
    status, doc, _t = page(app, demo, "viewer", "/opportunities?region=330000&strategy=ambitious")
    assert status == 200
    spec = chart_spec(doc, "opp-scatter-data")
    points = spec["series"][0]["data"]  # type: ignore[index]
    # every opportunity of the demo has a density, so the chart and the table agree
    assert len(points) == len(doc.find("td", class_="reasons")) > 0
    current = doc.one("a", class_="current")
    assert current.attrs["data-strategy"] == "ambitious" and current.text.strip() == "进取"


def test_the_scatter_spec_places_points_at_feasibility_and_attractiveness() -> None:
    view = {
        "opportunities": [
            {
                "rank": i,
                "code": f"C{i}",
                "name": f"产业{i}",
                "name_en": f"Industry {i}",
                "score": 100.0 - 10 * i,
                "attractiveness": 0.1 * i,
                "measures": {"density": 0.05 * i},
            }
            for i in range(1, 8)
        ]
        + [
            {
                "rank": 8,
                "code": "X",
                "name": "无密度",
                "name_en": "No density",
                "score": 1.0,
                "attractiveness": 0.5,
                "measures": {"density": None},
            }
        ]
    }
    spec = opportunity_scatter(view, "en")
    points = spec["series"][0]["data"]
    assert [p["value"][:2] for p in points] == [
        [round(0.05 * i, 4), round(0.1 * i, 4)] for i in range(1, 8)
    ]
    assert [p["label"]["show"] for p in points] == [i <= LABELLED for i in range(1, 8)]
    assert points[0]["name"] == "Industry 1" and "Industry 1" in points[0]["tooltip"]["formatter"]
    assert spec["xAxis"]["name"] == "Feasibility (density)"
    assert opportunity_scatter(view, "zh")["series"][0]["data"][0]["name"] == "产业1"


def test_the_heatmap_spec_has_a_cell_for_every_pair_of_regions() -> None:
    view = {
        "regions": [
            {"code": "A", "name": "甲", "name_en": "Alpha"},
            {"code": "B", "name": "乙", "name_en": "Beta"},
        ],
        "similarity": {"A": {"A": 1.0, "B": 0.25}, "B": {"A": 0.25, "B": 1.0}},
    }
    spec = similarity_heatmap(view, "en")
    assert spec["xAxis"]["data"] == ["Alpha", "Beta"] == spec["yAxis"]["data"]
    assert sorted(map(tuple, spec["series"][0]["data"])) == [
        (0, 0, 1.0),
        (0, 1, 0.25),
        (1, 0, 0.25),
        (1, 1, 1.0),
    ]
    assert spec["visualMap"]["min"] == 0 and spec["visualMap"]["max"] == 1


def test_the_regions_page_draws_the_similarity_of_the_compared_regions(
    app: FastAPI, demo: Demo, admin: TestClient
) -> None:
    twin = admin.get("/api/v1/regions/compare?group=YRD").json()
    status, doc, _t = page(app, demo, "admin", "/regions/compare?group=YRD&lang=en")
    assert status == 200
    spec = chart_spec(doc, "similarity-data")
    n = len(twin["regions"])
    assert len(spec["series"][0]["data"]) == n * n  # type: ignore[index]
    assert spec["xAxis"]["data"] == [r["name_en"] for r in twin["regions"]]  # type: ignore[index]
    table = doc.one("table", class_="lead-regions")
    assert all(c["name_en"] in table.text for c in twin["chains"])
    assert len(doc.find("table", class_="specialisation")) == 1


def test_a_policy_page_shows_its_conditions_and_the_push_list_or_the_notice(
    app: FastAPI, demo: Demo, admin: TestClient
) -> None:
    push = admin.get("/api/v1/policies/ZJ-SRDI-2024").json()["push"]
    status, doc, _t = page(app, demo, "admin", "/policies/ZJ-SRDI-2024")
    assert status == 200
    assert len(doc.one("ul", class_="conditions").text.strip().splitlines()) >= 2
    assert len(doc.one("table", class_="push").text) > 0
    names = {a.text for a in doc.find("a") if a.attrs.get("href", "").startswith("/enterprises/")}
    assert names == {e["name"] for e in push["enterprises"]}
    _s, doc, text = page(app, demo, "enterprise", "/policies/ZJ-SRDI-2024")
    assert not doc.find("table", class_="push") and "企业账号不可查看" in text


def test_the_enterprise_page_loads_its_policy_check_and_the_check_explains_the_gaps(
    app: FastAPI, demo: Demo
) -> None:
    own = demo.own_enterprise
    _s, doc, _t = page(app, demo, "enterprise", f"/enterprises/{own}")
    section = doc.one("section", id="policy-check")
    assert section.attrs["hx-get"] == f"/enterprises/{own}/policies"
    s = session_client(app, demo, "enterprise")
    part = s.client.get(f"/enterprises/{own}/policies", headers={"HX-Request": "true"})
    twin = s.client.get(f"/api/v1/enterprises/{own}/policies").json()
    gaps = Doc(part.text).find("div", class_="gap")
    assert len(gaps) == sum(len(v["failed"]) for v in twin["failed"])
    assert not part.text.lstrip().startswith("<!doctype")


def test_the_docking_pages_render_in_english(app: FastAPI, demo: Demo) -> None:
    status, doc, _t = page(app, demo, "admin", "/docking?lang=en")
    assert status == 200
    assert "Post a need or a capability" in doc.one("section", id="post-form").text
    status, doc, _t = page(app, demo, "viewer", "/docking/leads?lang=en")
    assert status == 200 and "Leads" in doc.one("h1").text
    _s, doc, _t = page(app, demo, "viewer", "/docking")
    assert not doc.find("section", id="post-form")  # viewers read only
