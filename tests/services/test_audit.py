"""The audit log: one record per change, in the change's transaction, newest first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.errors import InvalidData
from chainatlas.services import accounts
from chainatlas.services.accounts import create_user, principal_for
from chainatlas.services.audit import list_audit, record
from chainatlas.store.schema_access import audit_log
from chainatlas.store.tx import tx
from tests.services.test_access import FAST_HASHER


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(accounts, "_hasher", FAST_HASHER)
    yield


def test_a_record_names_who_did_what_to_which_entity(conn: sa.Connection) -> None:
    user_id = create_user(conn, "alice", "correct horse battery", "analyst")
    alice = principal_for(conn, user_id)
    before = datetime.now(UTC)
    record(
        conn,
        alice,
        "import.enterprises",
        entity="import_run",
        entity_id="17",
        detail={"file": "firms.csv", "rows": 120, "as_of": date(2024, 5, 1)},
        ip="203.0.113.5",
    )
    (row,) = list_audit(conn)
    assert {k: row[k] for k in ("user_id", "username", "action", "entity", "entity_id")} == {
        "user_id": user_id,
        "username": "alice",
        "action": "import.enterprises",
        "entity": "import_run",
        "entity_id": "17",
    }
    assert row["ip"] == "203.0.113.5"
    assert row["detail"] == {"file": "firms.csv", "rows": 120, "as_of": "2024-05-01"}
    assert row["at"].tzinfo is not None
    assert before - timedelta(seconds=1) <= row["at"] <= datetime.now(UTC)


def test_a_record_without_a_principal_is_the_command_line_unless_named(
    conn: sa.Connection,
) -> None:
    record(conn, None, "user.add", entity="user", entity_id="bob")
    record(conn, None, "login.failed", detail={"username": "bob"}, username="anonymous")
    rows = list_audit(conn)
    assert [(r["username"], r["user_id"], r["action"]) for r in rows] == [
        ("anonymous", None, "login.failed"),
        ("cli", None, "user.add"),
    ]


def test_secrets_never_reach_the_log(conn: sa.Connection) -> None:
    record(
        conn,
        None,
        "user.add",
        detail={"password": "hunter2hunter2", "nested": [{"Token": "ca_abc"}], "role": "viewer"},
    )
    (row,) = list_audit(conn)
    assert row["detail"] == {"password": "***", "nested": [{"Token": "***"}], "role": "viewer"}
    raw = conn.execute(sa.select(audit_log.c.detail)).scalar_one()
    assert "hunter2" not in str(raw) and "ca_abc" not in str(raw)


def test_the_log_lists_newest_first_with_a_limit_and_a_user_filter(conn: sa.Connection) -> None:
    alice = principal_for(conn, create_user(conn, "alice", "correct horse battery", "admin"))
    for i in range(5):
        record(conn, alice if i % 2 else None, f"step.{i}")
    assert [r["action"] for r in list_audit(conn)] == [f"step.{i}" for i in (4, 3, 2, 1, 0)]
    assert [r["action"] for r in list_audit(conn, limit=2)] == ["step.4", "step.3"]
    assert [r["action"] for r in list_audit(conn, username="ALICE")] == ["step.3", "step.1"]
    assert [r["action"] for r in list_audit(conn, username="cli")] == [
        "step.4",
        "step.2",
        "step.0",
    ]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"action": " "}, "needs an action"),
        ({"action": "x" * 41}, "longer than 40"),
        ({"action": "a", "entity_id": "9" * 101}, "entity_id"),
        ({"action": "a", "ip": "1" * 65}, "ip"),
    ],
)
def test_malformed_records_are_refused(
    conn: sa.Connection, kw: dict[str, str], message: str
) -> None:
    fields = dict(kw)
    action = fields.pop("action")
    with pytest.raises(InvalidData, match=message):
        record(conn, None, action, **fields)


@pytest.mark.parametrize("limit", [0, -1, 10_001])
def test_a_limit_outside_1_to_10000_is_refused(conn: sa.Connection, limit: int) -> None:
    with pytest.raises(InvalidData, match="limit"):
        list_audit(conn, limit=limit)


def test_a_rolled_back_change_leaves_no_record(fresh_engine: Engine) -> None:
    with pytest.raises(RuntimeError), tx(fresh_engine) as conn:
        record(conn, None, "user.add", entity_id="ghost")
        raise RuntimeError("the change failed after the record was written")
    with tx(fresh_engine) as conn:
        record(conn, None, "user.add", entity_id="kept")
    with tx(fresh_engine) as conn:
        assert [r["entity_id"] for r in list_audit(conn)] == ["kept"]
