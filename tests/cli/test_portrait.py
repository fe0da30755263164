"""``chainatlas portrait`` on the hand-made store of tests/services/test_policies.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from chainatlas.cli import app
from chainatlas.errors import EnterpriseNotFound
from chainatlas.store.tx import tx
from tests.services.test_policies import build_store

runner = CliRunner()


@pytest.fixture
def db(sqlite_engine: Engine) -> tuple[str, dict[str, int]]:
    with tx(sqlite_engine) as conn:
        ids = build_store(conn)
    return str(sqlite_engine.url.database), ids


def test_portrait_json_has_every_part(db: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    path, ids = db
    out = tmp_path / "b.json"
    res = runner.invoke(
        app,
        ["portrait", "乙制造", "--on", "2025-01-01", "-f", "json", "-o", str(out), "--db", path],
    )
    assert res.exit_code == 0, res.output
    d = json.loads(out.read_text("utf-8"))
    assert set(d) >= {"profile", "trends", "lifecycle", "tags", "chain_positions",
                      "suppliers", "customers", "risks", "policies", "docking"}  # fmt: skip
    assert d["profile"]["id"] == ids["B"]
    # 2024 revenue growth 5.5e8 / 5e8 - 1 = 10% -> expansion
    assert d["lifecycle"]["stage"] == "expansion"
    assert d["suppliers"]["count"] == 2 and d["suppliers"]["total_value"] == pytest.approx(4e7)


def test_portrait_table_reads_as_a_page(db: tuple[str, dict[str, int]]) -> None:
    path, ids = db
    res = runner.invoke(app, ["portrait", str(ids["A"]), "--on", "2025-01-01", "--db", path])
    assert res.exit_code == 0, res.output
    for text in ("甲科技", "成长期", "Trends", "8,200万", "Customers 客户: 2", "P-ANY"):
        assert text in res.output


def test_portrait_of_an_unknown_enterprise_fails_cleanly(db: tuple[str, dict[str, int]]) -> None:
    path, _ids = db
    res = runner.invoke(app, ["portrait", "无此企业", "--db", path])
    assert res.exit_code == 1 and isinstance(res.exception, EnterpriseNotFound)
