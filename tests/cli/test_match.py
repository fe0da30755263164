"""``chainatlas match`` on a small demo database: match, post, needs, leads, substitution."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from typer.testing import CliRunner, Result

import chainatlas.cli  # noqa: F401 - registers every command
from chainatlas.cli._app import app
from chainatlas.errors import InvalidData
from chainatlas.services.demo import build_demo
from chainatlas.store.engine import make_engine


def invoke(*args: object) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("match") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    build_demo(engine, scale=300, seed=7)
    engine.dispose()  # close the file before tests copy it
    return path


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo.db"
    shutil.copy(demo_db, copy)
    return copy


def _open_need(db: Path) -> tuple[str, int]:
    with make_engine(f"sqlite:///{db}").connect() as conn:
        row = conn.execute(
            sa.text(
                "select code, enterprise_id from docking_needs where kind = 'need' "
                "and status = 'open' order by id limit 1"
            )
        ).one()
    return str(row[0]), int(row[1])


def test_match_of_a_demo_need_lists_counterparts_with_reasons(db: Path) -> None:
    code, owner = _open_need(db)
    result = invoke("--db", db, "match", code, "--format", "json", "--top", 5)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["query"]["need"] == code and data["query"]["enterprise"]["id"] == owner
    assert 1 <= len(data["counterparts"]) <= 5
    scores = [c["score"] for c in data["counterparts"]]
    assert scores == sorted(scores, reverse=True)
    for c in data["counterparts"]:
        assert c["id"] != owner and c["reasons"] and c["components"]["text"] >= 0.3


def test_the_find_form_and_an_ad_hoc_product_work_too(db: Path) -> None:
    code, _owner = _open_need(db)
    bare = json.loads(invoke("--db", db, "match", code, "-f", "json").stdout)
    find = json.loads(invoke("--db", db, "match", "find", code, "-f", "json").stdout)
    assert [c["id"] for c in bare["counterparts"]] == [c["id"] for c in find["counterparts"]]
    adhoc = invoke("--db", db, "match", "--product", "碳酸锂", "-f", "json", "--top", 3)
    assert adhoc.exit_code == 0, adhoc.output
    got = json.loads(adhoc.stdout)
    assert got["query"]["need"] is None and got["query"]["product"] == "碳酸锂"
    assert all("碳酸锂" in c["matched_text"] for c in got["counterparts"])


def test_post_then_list_the_enterprise_own_needs(db: Path) -> None:
    _code, owner = _open_need(db)
    posted = invoke(
        "--db", db, "match", "post", "--enterprise", f"#{owner}", "--kind", "need",
        "--product", "电池级碳酸锂", "--quantity", 20, "--unit", "吨", "--region", "330000",
        "--json",
    )  # fmt: skip
    assert posted.exit_code == 0, posted.output
    need = json.loads(posted.stdout)
    assert need["product"] == "电池级碳酸锂" and need["preferred_regions"] == ["330000"]
    mine = json.loads(
        invoke("--db", db, "match", "needs", "--enterprise", f"#{owner}", "-f", "json").stdout
    )
    assert need["code"] in [n["code"] for n in mine]
    assert {n["enterprise"]["id"] for n in mine} == {owner}


def test_a_post_without_product_text_fails_and_saves_nothing(db: Path) -> None:
    _code, owner = _open_need(db)
    before = len(json.loads(invoke("--db", db, "match", "needs", "-f", "json").stdout))
    bad = invoke(
        "--db", db, "match", "post", "--enterprise", f"#{owner}", "--kind", "need",
        "--product", " ",
    )  # fmt: skip
    assert bad.exit_code == 1 and isinstance(bad.exception, InvalidData)
    assert "product" in str(bad.exception)
    after = len(json.loads(invoke("--db", db, "match", "needs", "-f", "json").stdout))
    assert after == before


def test_saved_leads_are_tracked_through_their_statuses(db: Path) -> None:
    code, _owner = _open_need(db)
    saved = invoke("--db", db, "match", code, "--top", 3, "--save-leads", "-f", "json")
    assert saved.exit_code == 0, saved.output
    got = json.loads(saved.stdout)
    n = len(got["counterparts"])
    assert n >= 1 and len(got["saved_leads"]["created"]) == n
    leads = json.loads(invoke("--db", db, "match", "leads", "--need", code, "-f", "json").stdout)
    assert len(leads) == n and {x["status"] for x in leads} == {"proposed"}
    assert {x["counterpart"]["id"] for x in leads} == {c["id"] for c in got["counterparts"]}
    lead_id = leads[0]["id"]
    moved = invoke("--db", db, "match", "lead", lead_id, "--status", "contacted", "--json")
    assert moved.exit_code == 0, moved.output
    assert json.loads(moved.stdout)["status"] == "contacted"
    refused = invoke("--db", db, "match", "lead", lead_id, "--status", "proposed")
    assert refused.exit_code == 1 and "cannot go from contacted to proposed" in str(
        refused.exception
    )
    contacted = json.loads(
        invoke("--db", db, "match", "leads", "--status", "contacted", "-f", "json").stdout
    )
    assert [x["id"] for x in contacted] == [lead_id]


def test_substitution_lists_outside_inputs_with_local_makers(db: Path) -> None:
    result = invoke("--db", db, "match", "substitution", "--region", "330100", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["region"]["code"] == "330100" and data["items"]
    values = [it["outside_value"] for it in data["items"]]
    assert values == sorted(values, reverse=True)
    assert data["totals"]["outside_value"] >= sum(values) - 1e-6
    for it in data["items"]:
        for m in it["local_makers"]:
            assert m["region"]["code"].startswith("3301")


def test_match_writes_a_workbook(db: Path, tmp_path: Path) -> None:
    code, _owner = _open_need(db)
    out = tmp_path / "match.xlsx"
    result = invoke("--db", db, "match", code, "-f", "xlsx", "-o", out)
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["counterparts 对接对象", "query 查询"]
    header = [c.value for c in next(book["counterparts 对接对象"].iter_rows(max_row=1))]
    assert {"name", "score", "text", "reasons"} <= set(header)
    no_out = invoke("--db", db, "match", code, "-f", "xlsx")
    assert no_out.exit_code == 1 and isinstance(no_out.exception, InvalidData)
