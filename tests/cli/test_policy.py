"""``chainatlas policy`` on the hand-made store of tests/services/test_policies.py."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from chainatlas.cli import app
from chainatlas.errors import ImportRejected, PolicyNotFound, RuleError
from chainatlas.store.tx import tx
from tests.services.test_policies import build_store

runner = CliRunner()
ON = ["--on", "2025-01-01"]


@pytest.fixture
def db(sqlite_engine: Engine) -> tuple[str, dict[str, int]]:
    with tx(sqlite_engine) as conn:
        ids = build_store(conn)
    return str(sqlite_engine.url.database), ids


def test_policy_list_shows_validity_and_invalid_rules(db: tuple[str, dict[str, int]]) -> None:
    path, _ids = db
    res = runner.invoke(app, ["policy", "list", *ON, "-f", "json", "--db", path])
    assert res.exit_code == 0, res.output
    rows = {r["code"]: r for r in json.loads(res.output)}
    assert set(rows) == {"P-REV", "P-HZ-YOUNG", "P-OLD", "P-ANY", "P-2023", "P-BAD"}
    assert rows["P-OLD"]["active"] is False and rows["P-REV"]["active"] is True
    assert "unknown field 'revenu'" in rows["P-BAD"]["rule_error"]
    table = runner.invoke(app, ["policy", "list", "--db", path])
    assert "P-HZ-YOUNG" in table.output and "invalid" in table.output


def test_policy_check_json_explains_failed_conditions(db: tuple[str, dict[str, int]]) -> None:
    path, ids = db
    res = runner.invoke(app, ["policy", "check", str(ids["A"]), *ON, "-f", "json", "--db", path])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert [q["code"] for q in d["qualified"]] == ["P-ANY"]
    rev = next(f for f in d["failed"] if f["code"] == "P-REV")
    assert rev["failed_count"] == 2
    assert rev["failed"][0]["reason"] == "revenue (2024) is 8,200万 — 1,800万 short of 1亿"
    assert rev["failed"][0]["gap"] == pytest.approx(1.8e7)
    text = runner.invoke(app, ["policy", "check", "甲科技", *ON, "--db", path])
    assert "✓ P-ANY" in text.output and "1,800万 short of 1亿" in text.output


def test_policy_check_xlsx_reads_back(db: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    path, ids = db
    out = tmp_path / "check.xlsx"
    res = runner.invoke(
        app, ["policy", "check", str(ids["A"]), *ON, "-f", "xlsx", "-o", str(out), "--db", path]
    )
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out, read_only=True)
    rows = list(wb["failed conditions 未满足条件"].iter_rows(values_only=True))
    header = rows[0]
    codes = [r[header.index("code")] for r in rows[1:]]
    # P-2023 (1), P-HZ-YOUNG (1), P-REV (2) failed conditions
    assert sorted(codes) == ["P-2023", "P-HZ-YOUNG", "P-REV", "P-REV"]
    q = list(wb["qualified 符合"].iter_rows(values_only=True))
    assert [r[0] for r in q[1:]] == ["P-ANY"]


def test_policy_push_json_and_xlsx_list_the_qualifying_firms(
    db: tuple[str, dict[str, int]], tmp_path: Path
) -> None:
    path, ids = db
    res = runner.invoke(app, ["policy", "push", "P-REV", *ON, "-f", "json", "--db", path])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert {e["id"] for e in d["enterprises"]} == {ids["B"], ids["E"]}
    assert d["count"] == 2 and d["fields"] == ["revenue", "rd_intensity"]
    out = tmp_path / "push.xlsx"
    res = runner.invoke(
        app, ["policy", "push", "P-ANY", "-r", "330100", *ON, "-f", "xlsx", "-o", str(out),
              "--db", path]
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    rows = list(openpyxl.load_workbook(out, read_only=True).active.iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == {ids["A"], ids["E"]}
    table = runner.invoke(app, ["policy", "push", "P-REV", *ON, "--db", path])
    assert "2 of 5 enterprises qualify" in table.output and "戊精工" in table.output


def test_policy_coverage_json_lists_the_gaps(db: tuple[str, dict[str, int]]) -> None:
    path, _ids = db
    res = runner.invoke(app, ["policy", "coverage", *ON, "-f", "json", "--db", path])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["policies"] == 4
    stages = {r["group"]: r["policies"] for r in d["dimensions"]["lifecycle_stage"]}
    assert stages == {"seed": 1, "growth": 1, "expansion": 3, "mature": 2, "unknown": 0}
    assert {"dimension": "lifecycle_stage", "group": "unknown"}.items() <= d["gaps"][0].items()


def test_policy_errors_exit_with_a_message(db: tuple[str, dict[str, int]]) -> None:
    path, _ids = db
    res = runner.invoke(app, ["policy", "push", "NOPE", "--db", path])
    assert res.exit_code == 1 and isinstance(res.exception, PolicyNotFound)
    bad = runner.invoke(app, ["policy", "check", "1", "-f", "xlsx", "--db", path])
    assert bad.exit_code == 1 and "--out" in str(bad.exception)


def test_policy_import_and_validate(db: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    path, _ids = db
    good = tmp_path / "good.json"
    rule = {"all": [{"field": "high_tech", "op": "==", "value": True}]}
    good.write_text(json.dumps([{"code": "N-1", "title": "新", "eligibility": rule}]), "utf-8")
    dry = runner.invoke(app, ["policy", "validate", str(good), "--db", path])
    assert dry.exit_code == 0 and "would import 1 policies" in dry.output
    listed = json.loads(runner.invoke(app, ["policy", "list", "-f", "json", "--db", path]).output)
    assert "N-1" not in {r["code"] for r in listed}
    done = runner.invoke(app, ["policy", "import", str(good), "--json", "--db", path])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["report"]["inserted"] == 1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"code": "N-2", "title": "坏", "eligibility": {"all": [
        {"field": "size_class", "op": ">=", "value": "large"}]}}]), "utf-8")  # fmt: skip
    res = runner.invoke(app, ["policy", "import", str(bad), "--db", path])
    assert res.exit_code == 1 and isinstance(res.exception, ImportRejected)
    assert "operator '>=' does not apply to 'size_class'" in str(res.exception)


def test_policy_validate_checks_a_single_rule_file(tmp_path: Path) -> None:
    rule = tmp_path / "rule.json"
    rule.write_text('{"all": [{"field": "revenue", "op": ">=", "value": 1e8}]}', "utf-8")
    ok = runner.invoke(app, ["policy", "validate", str(rule)])
    assert ok.exit_code == 0 and "reads revenue" in ok.output
    rule.write_text('{"all": [\n  {"field": "revenue",, "op": ">="}]}', "utf-8")
    bad = runner.invoke(app, ["policy", "validate", str(rule)])
    assert bad.exit_code == 1 and isinstance(bad.exception, RuleError)
    # line 2 '  {"field": "revenue",, ...': the second comma is column 23
    assert "line 2, column 23" in str(bad.exception)
