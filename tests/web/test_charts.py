"""Chart specs are plain data: checked as data, without a browser."""

from __future__ import annotations

import json
from typing import Any

from chainatlas.web.charts import (
    RISK_COLOURS,
    STATUS_COLOURS,
    chain_bars,
    chain_graph,
    chain_layout,
    partner_graph,
    trend_chart,
)


def view() -> dict[str, Any]:
    """A four-segment chain: ore -> cells -> packs -> cars, plus ore -> packs."""

    def node(i: str, pos: str, order: int, status: str, risk: str) -> dict[str, Any]:
        return {
            "id": i,
            "name": f"{i}环节",
            "name_en": f"{i} segment",
            "position": pos,
            "order": order,
            "status": status,
            "risk": risk,
            "enterprises": 3,
            "output": 2.5e8,
            "lq": 1.2,
            "choke_point": i == "cells",
        }

    return {
        "chain": {"code": "ev", "name_zh": "电动车", "name_en": "EVs"},
        "graph": {
            "nodes": [
                node("ore", "upstream", 0, "strong", "none"),
                node("cells", "upstream", 1, "weak", "high"),
                node("packs", "midstream", 2, "missing", "medium"),
                node("cars", "downstream", 3, "present", "low"),
            ],
            "edges": [
                {
                    "source": s,
                    "target": t,
                    "input_class": "essential",
                    "links": 120,
                    "local_value": 1.0,
                }
                for s, t in [
                    ("ore", "cells"),
                    ("cells", "packs"),
                    ("packs", "cars"),
                    ("ore", "packs"),
                ]
            ],
        },
    }


def segment_nodes(option: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in option["series"][0]["data"] if not d["name"].startswith("__")}


def test_the_layout_runs_left_to_right_by_position_then_by_supply() -> None:
    v = view()
    layout = chain_layout(v["graph"]["nodes"], v["graph"]["edges"])
    # cells is supplied by ore inside the upstream: one column further right
    assert layout == {"ore": (0, 0), "cells": (1, 0), "packs": (2, 0), "cars": (3, 0)}


def test_nodes_are_coloured_by_status_or_by_risk() -> None:
    by_status = segment_nodes(chain_graph(view(), "zh", mode="status"))
    by_risk = segment_nodes(chain_graph(view(), "zh", mode="risk"))
    assert by_status["cells"]["itemStyle"]["color"] == STATUS_COLOURS["weak"]
    assert by_status["packs"]["itemStyle"]["color"] == STATUS_COLOURS["missing"]
    assert by_risk["cells"]["itemStyle"]["color"] == RISK_COLOURS["high"]
    assert by_risk["ore"]["itemStyle"]["color"] == RISK_COLOURS["none"]


def test_each_node_links_to_its_segment_page_in_the_region() -> None:
    nodes = segment_nodes(chain_graph(view(), "en", region="330000"))
    assert nodes["packs"]["url"] == "/chains/ev/segments/packs?region=330000"
    assert nodes["packs"]["label"]["formatter"] == "packs segment"
    assert [n["x"] for n in nodes.values()] == sorted(n["x"] for n in nodes.values())


def test_the_column_headings_sit_over_their_columns() -> None:
    option = chain_graph(view(), "zh")
    heads = {d["name"]: d for d in option["series"][0]["data"] if d["name"].startswith("__")}
    nodes = segment_nodes(option)
    assert heads["__upstream"]["label"]["formatter"] == "上游"
    assert heads["__upstream"]["x"] == (nodes["ore"]["x"] + nodes["cells"]["x"]) / 2
    assert heads["__downstream"]["x"] == nodes["cars"]["x"]


def test_edges_follow_the_chain_and_choke_points_are_outlined() -> None:
    option = chain_graph(view(), "zh")
    links = option["series"][0]["links"]
    assert {(e["source"], e["target"]) for e in links} == {
        ("ore", "cells"),
        ("cells", "packs"),
        ("packs", "cars"),
        ("ore", "packs"),
    }
    assert segment_nodes(option)["cells"]["itemStyle"]["borderWidth"] == 2


def test_tooltips_escape_html_in_names() -> None:
    v = view()
    v["graph"]["nodes"][0]["name"] = "<script>x</script>"
    tip = segment_nodes(chain_graph(v, "zh"))["ore"]["tooltip"]["formatter"]
    assert "<script>" not in tip and "&lt;script&gt;" in tip
    assert "2.50亿元" in tip


def test_specs_are_json_data() -> None:
    v = view()
    trends = [{"year": 2023, "output_value": 3e8, "revenue": 2e8, "rd_spend": 1e7}]
    for spec in (
        chain_graph(v, "zh"),
        chain_bars(
            [{"code": "ev", "name_zh": "电动车", "name_en": "EVs", "local_enterprises": 4}], "en"
        ),
        trend_chart(trends, "zh"),
    ):
        assert json.loads(json.dumps(spec)) == spec


def test_the_trend_chart_uses_yi_yuan_or_millions() -> None:
    trends = [
        {"year": 2023, "output_value": 3e8, "revenue": 2e8, "rd_spend": 1e7},
        {"year": 2024, "output_value": None, "revenue": 2.5e8, "rd_spend": 2e7},
    ]
    zh = trend_chart(trends, "zh")
    assert zh["yAxis"]["name"] == "亿元" and zh["series"][0]["data"] == [3.0, None]
    en = trend_chart(trends, "en")
    assert en["yAxis"]["name"] == "CNY m" and en["series"][1]["data"] == [200.0, 250.0]
    small = trend_chart(
        [{"year": 2024, "output_value": 5e6, "revenue": 4e6, "rd_spend": 1e5}], "zh"
    )
    assert small["yAxis"]["name"] == "万元" and small["series"][0]["data"] == [500.0]


def test_the_partner_graph_puts_suppliers_left_and_customers_right() -> None:
    page = {
        "profile": {"id": 1, "name": "本企业", "name_en": "Us"},
        "suppliers": {"top": [{"id": 2, "name": "甲", "annual_value": 1e6}]},
        "customers": {"top": [{"id": 3, "name": "乙", "annual_value": 2e6}]},
    }
    option = partner_graph(page, "zh")
    nodes = {d["name"]: d for d in option["series"][0]["data"]}
    assert nodes["s2"]["x"] < nodes["e1"]["x"] < nodes["c3"]["x"]
    assert nodes["s2"]["url"] == "/enterprises/2"
    assert {(e["source"], e["target"]) for e in option["series"][0]["links"]} == {
        ("s2", "e1"),
        ("e1", "c3"),
    }
    hidden = partner_graph(page, "zh", links_clickable=False)
    assert all("url" not in d for d in hidden["series"][0]["data"])
