"""The demo generator: deterministic, valid and with structure for the analyses to find."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date

import numpy as np

from chainatlas.demo.enterprises import credit_codes
from chainatlas.demo.generator import TABLE_ORDER, DemoConfig, generate
from chainatlas.domain.credit_code import is_valid_credit_code
from chainatlas.domain.names import normalise_name
from tests.demo.conftest import Rows, collect


def _home_region_ids(rows: Rows) -> set[int]:
    """Ids of the home province (330000) and every region below it."""
    regions = rows["regions"]
    home = {next(r["id"] for r in regions if r["code"] == "330000")}
    grew = True
    while grew:
        below = {r["id"] for r in regions if r["parent_id"] in home}
        grew = not below <= home
        home |= below
    return home


def test_the_same_seed_gives_identical_rows(small_demo_rows: Rows) -> None:
    again = collect(DemoConfig(scale=300))
    assert again == small_demo_rows


def test_a_different_seed_gives_different_firms_and_links(small_demo_rows: Rows) -> None:
    other = collect(DemoConfig(scale=300, seed=7))
    assert other["regions"] == small_demo_rows["regions"]
    assert other["enterprises"] != small_demo_rows["enterprises"]
    assert other["supply_links"] != small_demo_rows["supply_links"]


def test_tables_come_in_foreign_key_order_each_in_one_run() -> None:
    seen = [table for table, _rows in generate(DemoConfig(scale=300))]
    runs = [t for i, t in enumerate(seen) if i == 0 or seen[i - 1] != t]
    assert runs == list(TABLE_ORDER)


def test_ids_are_unique_and_start_at_one_in_every_table(demo_rows: Rows) -> None:
    for table, rows in demo_rows.items():
        if "id" not in rows[0]:
            continue
        ids = sorted(int(r["id"]) for r in rows)
        assert ids == list(range(1, len(rows) + 1)), table


def test_every_credit_code_is_valid_and_unique(demo_rows: Rows) -> None:
    codes = [e["credit_code"] for e in demo_rows["enterprises"] if e["credit_code"]]
    assert len(codes) > 2500
    assert len(set(codes)) == len(codes)
    assert all(is_valid_credit_code(str(c)) for c in codes)
    assert all(str(c).startswith("91") for c in codes)


def test_credit_codes_stay_unique_for_a_large_batch() -> None:
    ids = np.arange(1, 300_001)
    codes = credit_codes(ids, ["330108"] * len(ids), np.random.default_rng(1))
    assert len(set(codes)) == len(codes)
    assert all(is_valid_credit_code(c) for c in codes[:2000])


def test_credit_codes_carry_the_division_of_the_firms_region(demo_rows: Rows) -> None:
    code_of = {r["id"]: str(r["code"]) for r in demo_rows["regions"]}
    for firm in demo_rows["enterprises"][:500]:
        if firm["credit_code"]:
            assert str(firm["credit_code"])[2:8] == code_of[firm["region_id"]][:6]


def test_name_norm_is_the_normalised_name(demo_rows: Rows) -> None:
    for firm in demo_rows["enterprises"]:
        assert firm["name_norm"] == normalise_name(str(firm["name"]))


def test_foreign_firms_have_no_credit_code_and_distinct_names(demo_rows: Rows) -> None:
    foreign_regions = {r["id"] for r in demo_rows["regions"] if r["country"] != "CN"}
    foreign = [e for e in demo_rows["enterprises"] if e["region_id"] in foreign_regions]
    assert 0.05 < len(foreign) / len(demo_rows["enterprises"]) < 0.12
    assert all(e["credit_code"] is None for e in foreign)
    assert all(e["ownership"] == "foreign" for e in foreign)
    norms = [e["name_norm"] for e in foreign]
    assert len(set(norms)) == len(norms)


def test_about_55_percent_of_firms_are_in_the_home_province(demo_rows: Rows) -> None:
    home = _home_region_ids(demo_rows)
    firms = demo_rows["enterprises"]
    share = sum(e["region_id"] in home for e in firms) / len(firms)
    assert 0.5 < share < 0.6
    parks = {r["id"] for r in demo_rows["regions"] if r["level"] == "park"}
    assert any(e["park_id"] in parks for e in firms)


def test_every_link_joins_two_existing_firms_along_a_segment_edge(demo_rows: Rows) -> None:
    firms = {e["id"] for e in demo_rows["enterprises"]}
    member = defaultdict(set)
    for m in demo_rows["enterprise_segments"]:
        member[m["enterprise_id"]].add(m["segment_id"])
    main = {}
    for m in sorted(demo_rows["enterprise_segments"], key=lambda m: m["id"]):
        main.setdefault(m["enterprise_id"], m["segment_id"])
    edges = {(e["supplier_segment_id"], e["buyer_segment_id"]) for e in demo_rows["segment_edges"]}
    products = {s["id"]: s["products"] or [s["name_zh"]] for s in demo_rows["segments"]}
    keys = set()
    for link in demo_rows["supply_links"]:
        sup, buy = link["supplier_id"], link["buyer_id"]
        assert sup in firms and buy in firms and sup != buy
        assert link["segment_id"] in member[sup]
        assert (link["segment_id"], main[buy]) in edges
        assert link["product"] in products[link["segment_id"]]
        key = (sup, buy, link["product"])
        assert key not in keys
        keys.add(key)
    assert 20_000 < len(keys) < 26_000


def test_shares_values_and_confidence_are_in_range(demo_rows: Rows) -> None:
    per_buyer: Counter[object] = Counter()
    for link in demo_rows["supply_links"]:
        assert 0 <= float(link["share"]) <= 1
        assert float(link["annual_value"]) >= 0
        assert 0.6 <= float(link["confidence"]) <= 1.0
        assert link["source"] == "demo"
        assert date(2016, 1, 1) <= link["valid_from"] <= date(2024, 6, 30)
        per_buyer[link["buyer_id"]] += float(link["share"])
    assert max(per_buyer.values()) <= 1.0 + 1e-6
    per_firm: Counter[object] = Counter()
    for m in demo_rows["enterprise_segments"]:
        per_firm[m["enterprise_id"]] += float(m["revenue_share"])
    assert max(per_firm.values()) <= 1.0 + 1e-6
    assert set(per_firm) == {e["id"] for e in demo_rows["enterprises"]}


def test_the_top_one_percent_of_firms_hold_a_large_share_of_output(demo_rows: Rows) -> None:
    output = np.array(
        [float(y["output_value"]) for y in demo_rows["enterprise_years"] if y["year"] == 2024]
    )
    top = np.sort(output)[::-1][: len(output) // 100]
    assert top.sum() / output.sum() > 0.25
    assert top[0] > 1e10  # chain owners with tens of billions of yuan
    owners = [e for e in demo_rows["enterprises"] if "chain_owner" in e["tags"]]
    assert len(owners) >= len(demo_rows["chains"])


def test_size_classes_follow_output_and_employees(demo_rows: Rows) -> None:
    size = {e["id"]: e["size_class"] for e in demo_rows["enterprises"]}
    for y in demo_rows["enterprise_years"]:
        if y["year"] != 2024:
            continue
        if size[y["enterprise_id"]] == "large":
            assert y["employees"] >= 1000
        if size[y["enterprise_id"]] == "micro":
            assert y["employees"] < 20 or y["revenue"] < 3e6
    counts = Counter(size.values())
    assert counts["small"] + counts["micro"] > 0.7 * len(size)
    assert counts["large"] > 0


def test_the_home_province_has_strong_weak_and_missing_segments(demo_rows: Rows) -> None:
    home = _home_region_ids(demo_rows)
    region = {e["id"]: e["region_id"] for e in demo_rows["enterprises"]}
    local: defaultdict[object, set[object]] = defaultdict(set)
    for m in demo_rows["enterprise_segments"]:
        if region[m["enterprise_id"]] in home:
            local[m["segment_id"]].add(m["enterprise_id"])
    found = 0
    for chain in demo_rows["chains"]:
        counts = [
            len(local[s["id"]]) for s in demo_rows["segments"] if s["chain_id"] == chain["id"]
        ]
        median = float(np.median(counts))
        missing = any(c == 0 for c in counts)
        weak = any(0 < c <= median / 3 for c in counts)
        strong = any(c >= 2 * median for c in counts)
        found += missing and weak and strong
    assert found >= len(demo_rows["chains"]) // 2


def test_some_home_buyers_rely_on_one_foreign_supplier_for_a_product(demo_rows: Rows) -> None:
    home = _home_region_ids(demo_rows)
    cn = {r["id"] for r in demo_rows["regions"] if r["country"] == "CN"}
    region = {e["id"]: e["region_id"] for e in demo_rows["enterprises"]}
    suppliers: defaultdict[tuple[object, object], set[object]] = defaultdict(set)
    for link in demo_rows["supply_links"]:
        suppliers[(link["buyer_id"], link["product"])].add(link["supplier_id"])
    single_foreign = [
        key
        for key, sups in suppliers.items()
        if region[key[0]] in home and len(sups) == 1 and region[next(iter(sups))] not in cn
    ]
    assert len(single_foreign) >= 20


def test_every_template_chain_becomes_rows_with_topological_sort_order(demo_rows: Rows) -> None:
    assert len(demo_rows["chains"]) == 8
    order = {s["id"]: s["sort_order"] for s in demo_rows["segments"]}
    for edge in demo_rows["segment_edges"]:
        assert order[edge["supplier_segment_id"]] < order[edge["buyer_segment_id"]]
    used = {c for s in demo_rows["segments"] for c in s["industry_codes"]}
    assert used <= {i["code"] for i in demo_rows["industries"]}


def test_projects_policies_and_events_carry_structured_json(demo_rows: Rows) -> None:
    assert len(demo_rows["projects"]) == 20
    for project in demo_rows["projects"]:
        milestones = project["milestones"]
        assert isinstance(milestones, list) and milestones
        assert all({"date", "title"} <= set(m) for m in milestones)
        assert [m["date"] for m in milestones] == sorted(m["date"] for m in milestones)
    assert len(demo_rows["policies"]) >= 15
    for policy in demo_rows["policies"]:
        rules = policy["eligibility"]
        assert isinstance(rules, dict) and rules.get("all")
        json.dumps(rules)
        assert policy["benefits"] and policy["benefits_en"]
    kinds = {e["kind"] for e in demo_rows["events"]}
    assert {"region", "foreign_source"} <= kinds


def test_indicator_values_add_up_from_the_enterprise_figures(demo_rows: Rows) -> None:
    home = _home_region_ids(demo_rows)
    province = next(r["id"] for r in demo_rows["regions"] if r["code"] == "330000")
    region = {e["id"]: e["region_id"] for e in demo_rows["enterprises"]}
    expected = sum(
        float(y["output_value"])
        for y in demo_rows["enterprise_years"]
        if y["year"] == 2024 and region[y["enterprise_id"]] in home and float(y["revenue"]) >= 2e7
    )
    indicator = next(i["id"] for i in demo_rows["indicators"] if i["code"] == "output_above_scale")
    value = next(
        v["value"]
        for v in demo_rows["indicator_values"]
        if v["indicator_id"] == indicator
        and v["region_id"] == province
        and v["chain_id"] is None
        and v["year"] == 2024
    )
    assert abs(float(value) - expected) / expected < 1e-6
    assert demo_rows["targets"]


def test_streaming_a_large_demo_keeps_memory_bounded() -> None:
    # Holding these rows at once would take well over a gigabyte.
    code = (
        "import resource\n"
        "from chainatlas.demo.generator import DemoConfig, generate\n"
        "start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "rows = 0\n"
        "for _table, batch in generate(DemoConfig(scale=100_000, links_per_enterprise=2)):\n"
        "    rows += len(batch)\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(rows, (peak - start) // 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    rows, grew_mb = (int(x) for x in out.stdout.split())
    assert rows > 800_000
    assert grew_mb < 250
