"""The policy engine on a hand-made store (both backends) and on a small demo.

The store (``build_store``), checked on 2025-01-01:

Regions CN > 330000 浙江 > 330100 杭州 > 330106 西湖区; 330000 > 330200 宁波.
Chain ``ev``: cell (upstream) -> pack (midstream) -> car (downstream).

- A 甲科技: 330106, small, founded 2020-01-01 (5.002 years), SRDI provincial, high-tech,
  tag above_scale; revenue 2021-2024: 4e7, 5e7, 6e7, 8.2e7; R&D 2024 2.05e6 (2.5%).
- B 乙制造: 330200, large, founded 2005-06-01, tags above_scale and chain_owner; revenue
  2023: 5e8, 2024: 5.5e8; R&D 2024 2.75e7 (5%).
- C 丙新创: 330100, micro, founded 2023-07-01 (1.5 years), high-tech; no figures.
- D 丁国际: no region, medium, no founding date, no figures.
- E 戊精工: 330106, medium, founded 2010-03-01, SRDI national; revenue 2024 1e8, R&D 6e6.

Policies: P-REV (浙江: revenue ≥ 1亿 and R&D intensity ≥ 3%), P-HZ-YOUNG (杭州: age ≤ 3
and size small or micro), P-OLD (expired 2023-12-31), P-ANY (no region: chain_owner
tag or SRDI provincial/national), P-2023 (no region: 2023 revenue ≥ 4亿), P-BAD (stored
with an unknown field).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from sqlalchemy.engine import Engine

from chainatlas.errors import (
    EnterpriseNotFound,
    ImportFormatError,
    ImportRejected,
    PolicyNotFound,
    RegionNotFound,
    RuleError,
)
from chainatlas.services.attribute_cache import clear_attribute_cache
from chainatlas.services.demo import build_demo
from chainatlas.services.policies import check_enterprise, coverage, eligible_enterprises
from chainatlas.services.policy_catalogue import list_policies
from chainatlas.services.policy_import import import_policies
from chainatlas.store import schema as s
from chainatlas.store import schema_activity as sa_
from chainatlas.store.records import count_rows, insert_rows
from chainatlas.store.tx import tx

ON = date(2025, 1, 1)
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _rule(field: str, op: str, value: Any, **kw: Any) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value, **kw}


def build_store(conn: sa.Connection) -> dict[str, int]:
    """Write the hand-made store; return enterprise ids by letter."""
    reg: dict[str, int] = {}
    for code, name, level, parent in (
        ("CN", "中国", "country", None),
        ("330000", "浙江省", "province", "CN"),
        ("330100", "杭州市", "city", "330000"),
        ("330106", "西湖区", "district", "330100"),
        ("330200", "宁波市", "city", "330000"),
    ):
        row = {"code": code, "name_zh": name, "level": level, "parent_id": reg.get(parent or "")}
        reg[code] = insert_rows(conn, s.regions, [row])[0]
    chain = insert_rows(conn, s.chains, [{"code": "ev", "name_zh": "电动车", "name_en": "EV"}])[0]
    seg: dict[str, int] = {}
    for i, (code, name, pos) in enumerate(
        (
            ("cell", "电芯", "upstream"),
            ("pack", "电池包", "midstream"),
            ("car", "整车", "downstream"),
        )
    ):
        seg[code] = insert_rows(
            conn,
            s.segments,
            [
                {
                    "chain_id": chain,
                    "code": code,
                    "name_zh": name,
                    "position": pos,
                    "products": [name],
                    "products_en": [],
                    "technologies": [],
                    "choke_technologies": [],
                    "industry_codes": [],
                    "sort_order": i,
                }
            ],
        )[0]
    firms = {
        "A": ("甲科技", "330106", "small", date(2020, 1, 1), "provincial", True, ["above_scale"]),
        "B": ("乙制造", "330200", "large", date(2005, 6, 1), "none", False,
              ["above_scale", "chain_owner"]),
        "C": ("丙新创", "330100", "micro", date(2023, 7, 1), "none", True, []),
        "D": ("丁国际", None, "medium", None, "none", False, []),
        "E": ("戊精工", "330106", "medium", date(2010, 3, 1), "national", False, []),
    }  # fmt: skip
    ids: dict[str, int] = {}
    for key, (name, region, size, founded, srdi, high_tech, tags) in firms.items():
        ids[key] = insert_rows(
            conn,
            s.enterprises,
            [
                {
                    "name": name,
                    "name_norm": name,
                    "aliases": [],
                    "region_id": reg[region] if region else None,
                    "size_class": size,
                    "ownership": "private",
                    "founded_on": founded,
                    "srdi_level": srdi,
                    "high_tech": high_tech,
                    "tags": tags,
                }
            ],
        )[0]
    years = [
        ("A", 2021, 4e7, None, None),
        ("A", 2022, 5e7, None, None),
        ("A", 2023, 6e7, None, None),
        ("A", 2024, 8.2e7, 2.05e6, 150),
        ("B", 2023, 5e8, None, None),
        ("B", 2024, 5.5e8, 2.75e7, 2000),
        ("E", 2024, 1e8, 6e6, 300),
    ]
    insert_rows(
        conn,
        s.enterprise_years,
        [
            {"enterprise_id": ids[k], "year": y, "revenue": r, "rd_spend": rd, "employees": n}
            for k, y, r, rd, n in years
        ],
    )
    insert_rows(
        conn,
        s.enterprise_segments,
        [
            {"enterprise_id": ids[k], "segment_id": seg[g], "revenue_share": 1.0}
            for k, g in (("A", "cell"), ("B", "car"), ("C", "pack"), ("E", "cell"))
        ],
    )
    insert_rows(
        conn,
        s.supply_links,
        [
            {"supplier_id": ids[a], "buyer_id": ids[b], "product": p, "segment_id": seg[g],
             "annual_value": v}
            for a, b, p, g, v in (
                ("A", "B", "电芯", "cell", 3e7),
                ("C", "B", "电池包", "pack", 1e7),
                ("A", "C", "电芯", "cell", 1e6),
            )
        ],
    )  # fmt: skip
    policies = [
        ("P-REV", "330000", None, {"all": [_rule("revenue", ">=", 1e8),
                                           _rule("rd_intensity", ">=", 0.03)]}),
        ("P-HZ-YOUNG", "330100", None, {"all": [_rule("age_years", "<=", 3),
                                                _rule("size_class", "in", ["small", "micro"])]}),
        ("P-OLD", None, date(2023, 12, 31), {"all": [_rule("listed", "==", False)]}),
        ("P-ANY", None, None, {"any": [_rule("tags", "contains", "chain_owner"),
                                       _rule("srdi_level", "in", ["provincial", "national"])]}),
        ("P-2023", None, None, {"all": [_rule("revenue", ">=", 4e8, year=2023)]}),
        ("P-BAD", None, None, {"all": [_rule("revenu", ">=", 1)]}),
    ]  # fmt: skip
    insert_rows(
        conn,
        sa_.policies,
        [
            {
                "code": code,
                "title": f"政策 {code}",
                "region_id": reg[region] if region else None,
                "valid_from": date(2020, 1, 1),
                "valid_to": valid_to,
                "eligibility": rule,
            }
            for code, region, valid_to, rule in policies
        ],
    )
    need = insert_rows(
        conn,
        sa_.docking_needs,
        [{"code": "N-1", "enterprise_id": ids["B"], "kind": "need", "product": "电芯",
          "preferred_regions": []}],
    )[0]  # fmt: skip
    insert_rows(
        conn,
        sa_.docking_leads,
        [{"need_id": need, "counterpart_id": ids["E"], "score": 0.8, "reasons": ["同环节"],
          "created_at": NOW, "updated_at": NOW}],
    )  # fmt: skip
    return ids


@pytest.fixture(autouse=True)
def _empty_attribute_cache() -> Iterator[None]:
    """Leave no cached columns behind: rolled-back stores on one file reuse ids."""
    clear_attribute_cache()
    yield
    clear_attribute_cache()


@pytest.fixture
def store(conn: sa.Connection) -> tuple[sa.Connection, dict[str, int]]:
    return conn, build_store(conn)


def test_check_lists_qualified_failed_inactive_and_invalid_policies(store: Any) -> None:
    conn, ids = store
    res = check_enterprise(conn, ids["A"], on=ON)
    assert [r.policy.code for r in res.qualified] == ["P-ANY"]
    # fewest failed conditions first: P-2023 and P-HZ-YOUNG fail one, P-REV two
    assert [r.policy.code for r in res.failed] == ["P-2023", "P-HZ-YOUNG", "P-REV"]
    assert [i["code"] for i in res.inactive] == ["P-OLD"]
    assert res.inactive[0]["reason"] == "expired on 2023-12-31"
    assert [i["code"] for i in res.invalid] == ["P-BAD"]
    assert "unknown field 'revenu'" in res.invalid[0]["error"]


def test_check_explains_each_failed_condition_with_its_gap(store: Any) -> None:
    conn, ids = store
    res = check_enterprise(conn, ids["A"], on=ON)
    by_code = {r.policy.code: r.evaluation.failed for r in res.failed}
    rev, rd = by_code["P-REV"]
    # 1亿 - 8,200万 = 1,800万; 3% - 2.05e6 / 8.2e7 (= 2.5%) = 0.5 points
    assert rev.gap == pytest.approx(1.8e7) and rev.year_used == 2024
    assert rev.reason == "revenue (2024) is 8,200万 — 1,800万 short of 1亿"
    assert rd.gap == pytest.approx(0.005)
    assert rd.reason == "R&D intensity (2024) is 2.5% — 0.5 percentage points short of 3%"
    (age,) = by_code["P-HZ-YOUNG"]
    # 1,827 days from 2020-01-01 to 2025-01-01
    assert age.gap == pytest.approx(1827 / 365.25 - 3)
    (old,) = by_code["P-2023"]
    assert old.gap == pytest.approx(4e8 - 6e7) and old.year_used == 2023


def test_missing_figures_fail_with_a_reason_naming_the_year(store: Any) -> None:
    conn, ids = store
    res = check_enterprise(conn, ids["C"], on=ON)
    failed = {r.policy.code: r.evaluation.failed for r in res.failed}
    (c,) = failed["P-2023"]
    assert c.missing and c.reason == "no 2023 revenue on record"
    assert c.reason_zh == "无2023年营业收入数据"
    assert {x.reason for x in failed["P-REV"]} == {
        "no revenue on record",
        "no R&D intensity on record",
    }


def test_a_policy_without_a_region_rule_is_limited_to_its_own_region(store: Any) -> None:
    conn, ids = store
    res = check_enterprise(conn, ids["D"], on=ON)  # D has no region
    (cond,) = [c for r in res.failed if r.policy.code == "P-REV" for c in r.evaluation.failed
               if c.field == "region"]  # fmt: skip
    assert cond.path == "policy.region" and cond.missing
    b = check_enterprise(conn, ids["B"], on=ON)
    failed = {r.policy.code: r.evaluation.failed for r in b.failed}
    assert "region" in {c.field for c in failed["P-HZ-YOUNG"]}  # 宁波 is not 杭州


@pytest.mark.parametrize(
    ("code", "expected"),
    [("P-REV", {"B", "E"}), ("P-HZ-YOUNG", {"C"}), ("P-ANY", {"A", "B", "E"}), ("P-2023", {"B"})],
)
def test_push_list_equals_the_firms_whose_check_qualifies(
    store: Any, code: str, expected: set[str]
) -> None:
    conn, ids = store
    push = eligible_enterprises(conn, code, on=ON)
    got = {e["id"] for e in push.enterprises}
    assert got == {ids[k] for k in expected}
    by_check = {
        eid
        for eid in ids.values()
        if code in {r.policy.code for r in check_enterprise(conn, eid, on=ON).qualified}
    }
    assert got == by_check
    assert push.evaluated == 5


def test_push_list_narrows_to_a_region_and_shows_tested_figures(store: Any) -> None:
    conn, ids = store
    push = eligible_enterprises(conn, "P-ANY", region="330100", on=ON)
    assert {e["id"] for e in push.enterprises} == {ids["A"], ids["E"]}
    rev = eligible_enterprises(conn, "P-REV", on=ON)
    row = next(e for e in rev.enterprises if e["id"] == ids["E"])
    assert row["revenue"] == pytest.approx(1e8) and row["rd_intensity"] == pytest.approx(0.06)
    assert rev.to_dict()["count"] == 2
    with pytest.raises(RegionNotFound):
        eligible_enterprises(conn, "P-ANY", region="999999", on=ON)


def test_push_and_check_report_unknown_policies_enterprises_and_bad_rules(store: Any) -> None:
    conn, _ids = store
    with pytest.raises(PolicyNotFound, match="P-ANY"):
        eligible_enterprises(conn, "P-NOPE", on=ON)
    with pytest.raises(RuleError, match="P-BAD: all\\[0\\].field: unknown field 'revenu'"):
        eligible_enterprises(conn, "P-BAD", on=ON)
    with pytest.raises(EnterpriseNotFound):
        check_enterprise(conn, "no such firm", on=ON)


def test_coverage_counts_policies_serving_each_stage(store: Any) -> None:
    conn, _ids = store
    cov = coverage(conn, on=ON)
    stages = {r["group"]: r for r in cov.dimensions["lifecycle_stage"]}
    # A growth (3-year CAGR (8.2e7/4e7)^(1/3) - 1 = 27%), B expansion (2024 growth 10%),
    # C seed (1.5 years, no revenue), E mature (15 years, no growth), D unknown
    assert {k: v["enterprises"] for k, v in stages.items()} == {
        "growth": 1, "expansion": 1, "seed": 1, "mature": 1, "unknown": 1
    }  # fmt: skip
    assert stages["expansion"]["policy_codes"] == ["P-2023", "P-ANY", "P-REV"]
    assert stages["mature"]["policy_codes"] == ["P-ANY", "P-REV"]
    assert stages["seed"]["policy_codes"] == ["P-HZ-YOUNG"]
    assert stages["unknown"]["policies"] == 0 and stages["unknown"]["covered_share"] == 0.0
    assert cov.policies == 4  # P-OLD expired, P-BAD invalid
    gaps = {(g["dimension"], g["group"]) for g in cov.gaps}
    assert {("lifecycle_stage", "unknown"), ("lifecycle_stage", "seed")} <= gaps
    assert ("lifecycle_stage", "expansion") not in gaps
    cities = {r["group"]: r["policies"] for r in cov.dimensions["region"]}
    assert cities == {"330100": 3, "330200": 3}  # 杭州: A, C, E; 宁波: B


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


HEAD = ["code", "title", "region", "valid_from", "min_revenue (万元)", "size_class",
        "min_rd_intensity", "year", "high_tech"]  # fmt: skip


def test_import_xlsx_turns_condition_columns_into_a_rule(store: Any, tmp_path: Path) -> None:
    conn, ids = store
    path = _xlsx(
        tmp_path / "p.xlsx",
        [HEAD, ["X-1", "新政策", "330000", "2024-01-01", 5000, "small; medium", "2%", 2024, "是"]],
    )
    res = import_policies(conn, path)
    assert res.report.inserted == 1
    (pol,) = [p for p in list_policies(conn) if p.code == "X-1"]
    assert pol.eligibility == {
        "all": [
            {"field": "revenue", "op": ">=", "value": 5e7, "year": 2024},
            {"field": "size_class", "op": "in", "value": ["small", "medium"]},
            {"field": "rd_intensity", "op": ">=", "value": 0.02, "year": 2024},
            {"field": "high_tech", "op": "==", "value": True},
        ]
    }
    # A: 8.2e7 ≥ 5e7, small, 2.5% ≥ 2%, high-tech, in 浙江
    assert {e["id"] for e in eligible_enterprises(conn, "X-1", on=ON).enterprises} == {ids["A"]}


def test_import_with_one_bad_row_saves_nothing_and_names_row_and_column(
    store: Any, tmp_path: Path
) -> None:
    conn, _ids = store
    before = count_rows(conn, sa_.policies)
    path = _xlsx(
        tmp_path / "p.xlsx",
        [
            HEAD,
            ["X-1", "好", "330000", "2024-01-01", 5000, "small", "2%", 2024, "是"],
            ["X-2", "坏", "330000", "2024-01-01", 5000, "smal", "2%", 2024, "是"],
        ],
    )
    with pytest.raises(ImportRejected) as err:
        import_policies(conn, path)
    (problem,) = err.value.problems
    assert (problem.row, problem.column, problem.value) == (3, "size_class", "smal")
    assert "did you mean 'small'" in problem.reason
    assert count_rows(conn, sa_.policies) == before


def test_import_json_rejects_an_invalid_rule_and_unknown_region_codes(
    store: Any, tmp_path: Path
) -> None:
    conn, _ids = store
    before = count_rows(conn, sa_.policies)
    good = {"code": "J-1", "title": "好", "eligibility": {"all": [_rule("listed", "==", True)]}}
    bad_field = {"code": "J-2", "title": "坏", "eligibility": {"all": [_rule("revenu", ">=", 1)]}}
    bad_code = {
        "code": "J-3",
        "title": "坏",
        "eligibility": {"all": [_rule("region", "in", ["9"])]},
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps([good, bad_field, bad_code], ensure_ascii=False), "utf-8")
    with pytest.raises(ImportRejected) as err:
        import_policies(conn, path)
    rows = {(p.row, p.column): p.reason for p in err.value.problems}
    assert "unknown field 'revenu' (did you mean 'revenue'?)" in rows[(2, "eligibility")]
    assert rows[(3, "region")] == "all[0]: unknown region code '9'"
    assert count_rows(conn, sa_.policies) == before


def test_import_reports_a_json_syntax_error_with_line_and_column(
    store: Any, tmp_path: Path
) -> None:
    conn, _ids = store
    path = tmp_path / "p.json"
    path.write_text('[\n  {"code": "J-1",\n   "title": }\n]', "utf-8")
    with pytest.raises(ImportFormatError, match="line 3, column 13"):
        import_policies(conn, path)


def test_a_dry_run_checks_everything_and_writes_nothing(store: Any, tmp_path: Path) -> None:
    conn, _ids = store
    before = count_rows(conn, sa_.policies)
    path = _xlsx(
        tmp_path / "p.xlsx", [HEAD, ["X-9", "试", "330000", None, 1, None, None, None, None]]
    )
    res = import_policies(conn, path, dry_run=True)
    assert res.dry_run and res.report.inserted == 1 and not res.report.committed
    assert count_rows(conn, sa_.policies) == before


def test_on_a_small_demo_every_push_list_matches_every_check(sqlite_engine: Engine) -> None:
    build_demo(sqlite_engine, scale=150, seed=11)
    with tx(sqlite_engine) as conn:
        ids = [r[0] for r in conn.execute(sa.select(s.enterprises.c.id))]
        qualified: dict[str, set[int]] = {}
        for eid in ids:
            for r in check_enterprise(conn, eid, on=ON).qualified:
                qualified.setdefault(r.policy.code, set()).add(eid)
        for pol in list_policies(conn):
            push = eligible_enterprises(conn, pol.code, on=ON)
            assert {e["id"] for e in push.enterprises} == qualified.get(pol.code, set()), pol.code
    assert sum(len(v) for v in qualified.values()) > 0
