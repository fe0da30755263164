"""``chainatlas user ...`` and ``chainatlas audit`` end to end, on both backends."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner, Result

from chainatlas.cli import app, main
from chainatlas.errors import AuthenticationError, InvalidData, NotFound
from chainatlas.services import accounts
from chainatlas.services.accounts import authenticate, token_principal
from chainatlas.store.tx import tx
from tests.importers._helpers import cli_db_url
from tests.services.test_access import FAST_HASHER, build_world

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(accounts, "_hasher", FAST_HASHER)
    yield


@pytest.fixture
def db(fresh_engine: Engine) -> str:
    with tx(fresh_engine) as conn:
        build_world(conn)
    return cli_db_url(fresh_engine)


def invoke(db: str, *args: object, input: str | None = None) -> Result:
    argv = [str(a) for a in args] + ["--db", db]
    return CliRunner().invoke(app, argv, input=input, env={"COLUMNS": "200"})


def _json(result: Result) -> object:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_add_then_list_as_json_shows_every_account(db: str, fresh_engine: Engine) -> None:
    added = invoke(
        db,
        "user",
        "add",
        "zj-analyst",
        "--role",
        "analyst",
        "--region",
        "330200",
        "--region",
        "330100",
        "--display-name",
        "浙江专班",
        "--locale",
        "en",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.output
    assert "Added user zj-analyst (analyst)" in added.stdout
    firm = invoke(
        db,
        "user",
        "add",
        "firm",
        "--role",
        "enterprise",
        "--enterprise",
        "91330108000000002B",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert firm.exit_code == 0, firm.output
    listed = _json(invoke(db, "user", "list", "--format", "json"))
    assert isinstance(listed, list)
    by_name = {u["username"]: u for u in listed}
    assert by_name["zj-analyst"]["regions"] == ["330100", "330200"]
    assert by_name["zj-analyst"]["display_name"] == "浙江专班"
    assert by_name["zj-analyst"]["locale"] == "en" and by_name["zj-analyst"]["disabled"] is False
    assert by_name["firm"]["enterprise"] == "91330108000000002B"
    assert by_name["firm"]["role"] == "enterprise"
    with tx(fresh_engine) as conn:
        assert authenticate(conn, "firm", PASSWORD).enterprise_id is not None
    table = invoke(db, "user", "list")
    assert table.exit_code == 0 and "zj-analyst" in table.stdout and "330100" in table.stdout


def test_add_prompts_twice_for_the_password_without_password_stdin(
    db: str, fresh_engine: Engine
) -> None:
    result = invoke(db, "user", "add", "bob", "--role", "viewer", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
    with tx(fresh_engine) as conn:
        assert authenticate(conn, "bob", PASSWORD).role == "viewer"


def test_disable_stops_logins_and_enable_restores_them(db: str, fresh_engine: Engine) -> None:
    invoke(db, "user", "add", "bob", "--role", "viewer", "--password-stdin", input=PASSWORD)
    result = invoke(db, "user", "disable", "bob")
    assert result.exit_code == 0, result.output
    with tx(fresh_engine) as conn, pytest.raises(AuthenticationError):
        authenticate(conn, "bob", PASSWORD)
    listed = _json(invoke(db, "user", "list", "-f", "json"))
    assert [(u["username"], u["disabled"]) for u in listed] == [("bob", True)]  # type: ignore[attr-defined]
    assert invoke(db, "user", "enable", "bob").exit_code == 0
    with tx(fresh_engine) as conn:
        assert authenticate(conn, "bob", PASSWORD).username == "bob"
    missing = invoke(db, "user", "disable", "nobody")
    assert missing.exit_code == 1 and isinstance(missing.exception, NotFound)


def test_token_prints_the_token_once_and_it_works_until_revoked(
    db: str, fresh_engine: Engine
) -> None:
    invoke(db, "user", "add", "bot", "--role", "analyst", "--password-stdin", input=PASSWORD)
    issued = invoke(db, "user", "token", "bot", "--name", "nightly import")
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip()
    assert token.startswith("ca_") and "\n" not in token
    assert "shown only once" in issued.stderr
    with tx(fresh_engine) as conn:
        principal = token_principal(conn, token)
        assert principal is not None and principal.username == "bot"
    (listed,) = _json(invoke(db, "user", "tokens", "bot", "--format", "json"))  # type: ignore[misc]
    assert listed["prefix"] == token[:8] and listed["name"] == "nightly import"
    assert token not in invoke(db, "user", "tokens", "bot").stdout
    assert invoke(db, "user", "revoke-token", listed["id"]).exit_code == 0
    with tx(fresh_engine) as conn:
        assert token_principal(conn, token) is None


def test_password_sets_a_new_password(db: str, fresh_engine: Engine) -> None:
    invoke(db, "user", "add", "bob", "--role", "viewer", "--password-stdin", input=PASSWORD)
    result = invoke(db, "user", "password", "bob", "--password-stdin", input="brand new secret\n")
    assert result.exit_code == 0, result.output
    with tx(fresh_engine) as conn:
        assert authenticate(conn, "bob", "brand new secret").username == "bob"


def test_every_change_writes_an_audit_record_listed_by_audit(db: str) -> None:
    invoke(db, "user", "add", "bob", "--role", "viewer", "--password-stdin", input=PASSWORD)
    token_id_out = invoke(db, "user", "token", "bob", "--name", "script")
    assert token_id_out.exit_code == 0
    invoke(db, "user", "revoke-token", "1")
    invoke(db, "user", "disable", "bob")
    invoke(db, "user", "enable", "bob")
    invoke(db, "user", "password", "bob", "--password-stdin", input="brand new secret")
    rows = _json(invoke(db, "audit", "--format", "json"))
    assert isinstance(rows, list)
    assert [(r["action"], r["entity_id"], r["username"]) for r in rows] == [
        ("user.password", "bob", "cli"),
        ("user.enable", "bob", "cli"),
        ("user.disable", "bob", "cli"),
        ("token.revoke", "1", "cli"),
        ("token.issue", "bob", "cli"),
        ("user.add", "bob", "cli"),
    ]
    assert rows[-1]["detail"] == {"role": "viewer", "locale": "zh"}
    assert all(PASSWORD not in json.dumps(r) for r in rows)
    assert len(_json(invoke(db, "audit", "--limit", "2", "-f", "json"))) == 2  # type: ignore[arg-type]
    assert _json(invoke(db, "audit", "--user", "someone", "-f", "json")) == []
    table = invoke(db, "audit")
    assert table.exit_code == 0 and "user.add" in table.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "wizard"], PASSWORD, "role must be one of admin, analyst, enterprise, viewer"),
        (["--role", "enterprise"], PASSWORD, "an enterprise account needs an enterprise"),
        (["--role", "viewer"], "short", "a password needs at least 8 characters"),
    ],
    ids=["unknown-role", "enterprise-without-enterprise", "short-password"],
)
def test_bad_input_exits_1_with_one_line_and_writes_nothing(
    db: str,
    args: list[str],
    stdin: str,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = invoke(db, "user", "add", "carl", *args, "--password-stdin", input=stdin)
    assert result.exit_code == 1
    assert isinstance(result.exception, InvalidData)
    argv = ["chainatlas", "user", "add", "carl", *args, "--password-stdin", "--db", db]
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin + "\n"))
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"Error: {message}")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert _json(invoke(db, "user", "list", "-f", "json")) == []
    assert _json(invoke(db, "audit", "-f", "json")) == []


def test_a_database_that_was_never_migrated_gets_a_hint(tmp_path: Path) -> None:
    result = invoke(str(tmp_path / "empty.db"), "user", "list")
    assert result.exit_code == 1
    assert isinstance(result.exception, InvalidData)
    assert "chainatlas db upgrade" in result.exception.message
