"""Accounts: argon2 passwords, login with throttling, sessions, API tokens, demo users."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.profiles import RFC_9106_LOW_MEMORY
from sqlalchemy.engine import Engine

from chainatlas.errors import (
    AuthenticationError,
    Conflict,
    EnterpriseNotFound,
    InvalidData,
    NotFound,
    RegionNotFound,
)
from chainatlas.services import accounts, sessions
from chainatlas.services.accounts import (
    LoginThrottle,
    authenticate,
    close_session,
    create_user,
    ensure_demo_users,
    issue_token,
    list_tokens,
    list_users,
    open_session,
    principal_for,
    revoke_token,
    session_principal,
    set_disabled,
    set_locale,
    set_password,
    token_principal,
)
from chainatlas.services.demo import build_demo
from chainatlas.store.schema_access import api_tokens, user_sessions, users
from chainatlas.store.tx import tx
from tests.services.test_access import FAST_HASHER, World, build_world

DEFAULT_HASHER = accounts._hasher  # captured before any test replaces it
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(accounts, "_hasher", FAST_HASHER)
    yield


@pytest.fixture
def world(conn: sa.Connection) -> World:
    return build_world(conn)


class Clock:
    """A hand-moved monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _stored_hash(conn: sa.Connection, username: str) -> str:
    return str(
        conn.execute(sa.select(users.c.password_hash).where(users.c.username == username)).scalar()
    )


# -- passwords and users -----------------------------------------------------------------------


def test_the_default_hasher_is_argon2id_with_the_rfc_9106_low_memory_profile() -> None:
    # RFC 9106 section 4, second recommended option: t=3, m=64 MiB, p=4.
    assert DEFAULT_HASHER.type.name == "ID"
    assert (DEFAULT_HASHER.time_cost, DEFAULT_HASHER.memory_cost, DEFAULT_HASHER.parallelism) == (
        RFC_9106_LOW_MEMORY.time_cost,
        RFC_9106_LOW_MEMORY.memory_cost,
        RFC_9106_LOW_MEMORY.parallelism,
    )
    assert (RFC_9106_LOW_MEMORY.time_cost, RFC_9106_LOW_MEMORY.memory_cost) == (3, 64 * 1024)


def test_a_new_user_gets_an_argon2id_hash_and_never_the_password(conn: sa.Connection) -> None:
    create_user(conn, "alice", PASSWORD, "viewer")
    stored = _stored_hash(conn, "alice")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)


@pytest.mark.parametrize(
    ("username", "password"),
    [("alice", "wrong password"), ("nobody", PASSWORD), ("disabled", PASSWORD)],
    ids=["wrong-password", "unknown-user", "disabled-user"],
)
def test_wrong_password_unknown_user_and_disabled_user_fail_alike(
    conn: sa.Connection, username: str, password: str
) -> None:
    create_user(conn, "alice", PASSWORD, "viewer")
    create_user(conn, "disabled", PASSWORD, "viewer")
    set_disabled(conn, "disabled")
    with pytest.raises(AuthenticationError) as err:
        authenticate(conn, username, password)
    assert err.value.message == "wrong username or password"
    assert type(err.value) is AuthenticationError


def test_a_good_login_returns_the_principal_and_sets_last_login(conn: sa.Connection) -> None:
    user_id = create_user(conn, "Alice", PASSWORD, "admin", display_name="Alice Liu", locale="en")
    before = datetime.now(UTC)
    p = authenticate(conn, "alice", PASSWORD)  # the username matches without regard to case
    assert (p.user_id, p.username, p.display_name, p.role, p.locale) == (
        user_id,
        "Alice",
        "Alice Liu",
        "admin",
        "en",
    )
    assert p.is_admin and p.can_write and p.region_ids is None and p.enterprise_id is None
    (info,) = list_users(conn)
    assert info.last_login_at is not None
    assert before - timedelta(seconds=1) <= info.last_login_at <= datetime.now(UTC)
    assert info.last_login_at.tzinfo is not None


def test_a_login_rehashes_a_password_stored_with_other_parameters(
    conn: sa.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_user(conn, "alice", PASSWORD, "viewer")
    assert "$m=8,t=1,p=1$" in _stored_hash(conn, "alice")
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", stronger)
    authenticate(conn, "alice", PASSWORD)
    stored = _stored_hash(conn, "alice")
    assert "$m=16,t=2,p=1$" in stored
    assert not stronger.check_needs_rehash(stored)
    authenticate(conn, "alice", PASSWORD)  # still the same password


def test_usernames_are_unique_without_regard_to_case(conn: sa.Connection) -> None:
    create_user(conn, "alice", PASSWORD, "viewer")
    with pytest.raises(Conflict, match="'ALICE' is taken"):
        create_user(conn, "ALICE", PASSWORD, "viewer")


@pytest.mark.parametrize(
    ("args", "kw", "error", "message"),
    [
        (("al", PASSWORD, "viewer"), {}, InvalidData, "3-80 characters"),
        (("al ice", PASSWORD, "viewer"), {}, InvalidData, "3-80 characters"),
        (("alice", "short7!", "viewer"), {}, InvalidData, "at least 8 characters"),
        (("alice", "Alice", "viewer"), {}, InvalidData, "at least 8"),
        (("alice1234", "ALICE1234", "viewer"), {}, InvalidData, "not be the username"),
        (("alice", PASSWORD, "wizard"), {}, InvalidData, "not 'wizard'"),
        (("alice", PASSWORD, "viewer"), {"locale": "fr"}, InvalidData, "not 'fr'"),
        (("alice", PASSWORD, "enterprise"), {}, InvalidData, "needs an enterprise"),
        (
            ("alice", PASSWORD, "analyst"),
            {"enterprise": "滨江芯片"},
            InvalidData,
            "only enterprise accounts",
        ),
        (("alice", PASSWORD, "viewer"), {"regions": ["330000"]}, InvalidData, "only analyst"),
        (("alice", PASSWORD, "analyst"), {"regions": ["999999"]}, RegionNotFound, "'999999'"),
        (
            ("alice", PASSWORD, "enterprise"),
            {"enterprise": "91000000000000000X"},
            EnterpriseNotFound,
            "91000000000000000X",
        ),
    ],
)
def test_bad_account_data_is_refused_with_a_named_reason(
    conn: sa.Connection,
    world: World,
    args: tuple[str, str, str],
    kw: dict[str, object],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        create_user(conn, *args, **kw)  # type: ignore[arg-type]
    assert conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one() == 0


def test_list_users_shows_enterprise_credit_code_and_region_codes(
    conn: sa.Connection, world: World
) -> None:
    create_user(conn, "zj-analyst", PASSWORD, "analyst", regions=["330200", "330100"])
    create_user(conn, "firm", PASSWORD, "enterprise", enterprise="滨江芯片")
    create_user(conn, "nameless", PASSWORD, "enterprise", enterprise="无地区企业")
    listed = {u.username: u for u in list_users(conn)}
    assert [u.username for u in list_users(conn)] == ["firm", "nameless", "zj-analyst"]
    assert listed["zj-analyst"].regions == ("330100", "330200")
    assert listed["zj-analyst"].enterprise is None
    assert listed["firm"].enterprise == "91330108000000001A" and listed["firm"].regions == ()
    assert listed["nameless"].enterprise == "无地区企业"  # no credit code: the name
    assert listed["firm"].to_dict()["created_at"].endswith("+00:00")


def test_a_new_password_replaces_the_old_one(conn: sa.Connection) -> None:
    user_id = create_user(conn, "alice", PASSWORD, "viewer")
    token, _ = open_session(conn, user_id)
    set_password(conn, "alice", "a much better secret")
    with pytest.raises(AuthenticationError):
        authenticate(conn, "alice", PASSWORD)
    assert authenticate(conn, "alice", "a much better secret").user_id == user_id
    assert session_principal(conn, token) is not None  # kept unless asked otherwise
    set_password(conn, "alice", "yet another secret", end_sessions=True)
    assert session_principal(conn, token) is None
    with pytest.raises(InvalidData, match="at least 8"):
        set_password(conn, "alice", "short")
    with pytest.raises(NotFound, match="no user 'bob'"):
        set_password(conn, "bob", PASSWORD)


def test_set_locale_changes_the_language_and_refuses_others(conn: sa.Connection) -> None:
    user_id = create_user(conn, "alice", PASSWORD, "viewer")
    set_locale(conn, user_id, "en")
    assert principal_for(conn, user_id).locale == "en"
    with pytest.raises(InvalidData, match="not 'de'"):
        set_locale(conn, user_id, "de")
    with pytest.raises(NotFound):
        set_locale(conn, user_id + 99, "zh")


# -- throttling --------------------------------------------------------------------------------


def test_the_throttle_blocks_after_five_failures_and_lets_through_after_the_window(
    conn: sa.Connection,
) -> None:
    create_user(conn, "alice", PASSWORD, "viewer")
    clock = Clock()
    throttle = LoginThrottle(max_failures=5, window_s=300, clock=clock)
    for i in range(5):
        clock.now = 1000.0 + 10 * i  # failures at 1000, 1010, ..., 1040
        with pytest.raises(AuthenticationError, match="wrong username or password"):
            authenticate(conn, "alice", f"guess {i}", throttle=throttle, client="10.0.0.9")
    clock.now = 1100.0
    # The oldest failure (t=1000) leaves the window at 1300: 200 s from now.
    with pytest.raises(AuthenticationError, match="^too many failed logins; try again in 200 s"):
        authenticate(conn, "alice", PASSWORD, throttle=throttle, client="10.0.0.9")
    # Another client is not affected.
    assert authenticate(conn, "alice", PASSWORD, throttle=throttle, client="10.0.0.7")
    clock.now = 1300.0
    assert authenticate(conn, "alice", PASSWORD, throttle=throttle, client="10.0.0.9")


def test_a_throttled_attempt_does_not_check_the_password(
    conn: sa.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_user(conn, "alice", PASSWORD, "viewer")
    clock = Clock()
    throttle = LoginThrottle(max_failures=1, window_s=60, clock=clock)
    throttle.failed("alice", "c")
    calls: list[str] = []

    class Spy(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            calls.append("verify")
            return super().verify(hash, password)

    monkeypatch.setattr(accounts, "_hasher", Spy(time_cost=1, memory_cost=8, parallelism=1))
    with pytest.raises(AuthenticationError, match="try again in 60 seconds"):
        authenticate(conn, "alice", PASSWORD, throttle=throttle, client="c")
    assert calls == []


def test_the_throttle_limits_one_client_to_twenty_failures_across_usernames() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    for i in range(20):
        throttle.failed(f"user{i}", "10.0.0.9")
    assert throttle.retry_after("someone-else", "10.0.0.9") == pytest.approx(300.0)
    assert throttle.retry_after("someone-else", "10.0.0.8") == 0.0
    # a success clears the account's count, not the client's
    throttle.succeeded("user0", "10.0.0.9")
    assert throttle.retry_after("user0", "10.0.0.9") == pytest.approx(300.0)
    clock.now += 300
    assert throttle.retry_after("user0", "10.0.0.9") == 0.0


def test_a_success_clears_the_failures_of_that_user_and_client() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=3, window_s=100, clock=clock)
    for _ in range(3):
        throttle.failed("Alice", "c")
    assert throttle.retry_after("alice", "c") == pytest.approx(100.0)  # case-insensitive
    throttle.succeeded("alice", "c")
    assert throttle.retry_after("alice", "c") == 0.0


# -- sessions ----------------------------------------------------------------------------------


def test_a_session_returns_the_principal_and_its_csrf_token(conn: sa.Connection) -> None:
    user_id = create_user(conn, "alice", PASSWORD, "analyst")
    token, csrf = open_session(conn, user_id)
    assert len(token) >= 43 and len(csrf) >= 43 and token != csrf
    stored = conn.execute(sa.select(user_sessions)).mappings().one()
    assert stored["id"] == hashlib.sha256(token.encode()).hexdigest()
    assert stored["csrf_token"] == csrf
    found = session_principal(conn, token)
    assert found is not None
    principal, csrf_back = found
    assert principal.user_id == user_id and csrf_back == csrf
    assert session_principal(conn, stored["id"]) is None  # the stored hash is not a token


def test_sessions_expire(conn: sa.Connection) -> None:
    user_id = create_user(conn, "alice", PASSWORD, "viewer")
    start = datetime.now(UTC)
    token, _ = open_session(conn, user_id, lifetime=timedelta(hours=1), now=start)
    assert session_principal(conn, token, now=start + timedelta(minutes=59)) is not None
    assert session_principal(conn, token, now=start + timedelta(hours=1)) is None
    # a session that has already run out is refused at the real clock too
    old, _ = open_session(
        conn, user_id, lifetime=timedelta(hours=1), now=start - timedelta(hours=2)
    )
    assert session_principal(conn, old) is None
    # and is cleared when the user next opens a session
    open_session(conn, user_id)
    count = sa.select(sa.func.count()).select_from(user_sessions)
    assert conn.execute(count).scalar_one() == 2


def test_logout_and_disabling_end_sessions(conn: sa.Connection) -> None:
    user_id = create_user(conn, "alice", PASSWORD, "viewer")
    first, _ = open_session(conn, user_id)
    second, _ = open_session(conn, user_id)
    close_session(conn, first)
    assert session_principal(conn, first) is None
    assert session_principal(conn, second) is not None
    set_disabled(conn, "alice")
    assert session_principal(conn, second) is None
    count = sa.select(sa.func.count()).select_from(user_sessions)
    assert conn.execute(count).scalar_one() == 0
    with pytest.raises(InvalidData, match="disabled"):
        open_session(conn, user_id)
    close_session(conn, "not a token")  # ignored


def test_unknown_and_malformed_session_tokens_give_none(conn: sa.Connection) -> None:
    assert session_principal(conn, "") is None
    assert session_principal(conn, "x" * 5000) is None
    assert session_principal(conn, "no-such-token") is None


# -- API tokens --------------------------------------------------------------------------------


def test_api_tokens_work_until_revoked(conn: sa.Connection) -> None:
    user_id = create_user(conn, "alice", PASSWORD, "analyst")
    token = issue_token(conn, "alice", "nightly import")
    # "ca_" + token_urlsafe(32): 32 bytes are 43 base64url characters
    assert token.startswith("ca_") and len(token) == 3 + 43
    row = conn.execute(sa.select(api_tokens)).mappings().one()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert row["prefix"] == token[:8] and token not in str(dict(row))
    p = token_principal(conn, token)
    assert p is not None and p.user_id == user_id and p.role == "analyst"
    (listed,) = list_tokens(conn, "alice")
    assert listed["name"] == "nightly import" and listed["prefix"] == token[:8]
    assert listed["last_used_at"] is not None and listed["revoked"] is False
    revoke_token(conn, listed["id"])
    assert token_principal(conn, token) is None
    assert list_tokens(conn, "alice")[0]["revoked"] is True
    revoke_token(conn, listed["id"])  # again: nothing changes
    with pytest.raises(NotFound, match="no API token with id"):
        revoke_token(conn, listed["id"] + 100)


def test_token_use_is_noted_at_most_once_per_interval(conn: sa.Connection) -> None:
    # Noting every use would make every API read a write and collide on SQLite's lock.
    create_user(conn, "alice", PASSWORD, "analyst")
    token = issue_token(conn, "alice", "script")
    assert token_principal(conn, token) is not None
    first = list_tokens(conn, "alice")[0]["last_used_at"]
    assert first is not None
    assert token_principal(conn, token) is not None
    assert list_tokens(conn, "alice")[0]["last_used_at"] == first
    stale = first - sessions.TOKEN_TOUCH_INTERVAL - timedelta(seconds=1)
    conn.execute(api_tokens.update().values(last_used_at=stale))
    assert token_principal(conn, token) is not None
    assert list_tokens(conn, "alice")[0]["last_used_at"] > first


def test_a_token_stops_while_its_user_is_disabled(conn: sa.Connection) -> None:
    create_user(conn, "alice", PASSWORD, "viewer")
    token = issue_token(conn, "alice", "script")
    set_disabled(conn, "alice")
    assert token_principal(conn, token) is None
    with pytest.raises(InvalidData, match="disabled"):
        issue_token(conn, "alice", "another")
    set_disabled(conn, "alice", False)
    assert token_principal(conn, token) is not None


def test_wrong_tokens_and_bad_token_names_are_refused(conn: sa.Connection) -> None:
    create_user(conn, "alice", PASSWORD, "viewer")
    token = issue_token(conn, "alice", "script")
    assert token_principal(conn, token[:-1]) is None
    assert token_principal(conn, token[3:]) is None
    assert token_principal(conn, "") is None
    with pytest.raises(InvalidData, match="token name"):
        issue_token(conn, "alice", "  ")
    with pytest.raises(NotFound, match="no user 'bob'"):
        issue_token(conn, "bob", "script")
    with pytest.raises(NotFound):
        list_tokens(conn, "bob")


# -- demo accounts -----------------------------------------------------------------------------


def test_demo_users_are_created_once_on_a_demo_database(fresh_engine: Engine) -> None:
    build_demo(fresh_engine, scale=300, seed=7)
    with tx(fresh_engine) as conn:
        created = ensure_demo_users(conn)
    assert sorted(created) == [
        ("admin", "chainatlas-demo", "admin"),
        ("analyst", "chainatlas-demo", "analyst"),
        ("enterprise", "chainatlas-demo", "enterprise"),
        ("viewer", "chainatlas-demo", "viewer"),
    ]
    with tx(fresh_engine) as conn:
        assert sorted(ensure_demo_users(conn)) == sorted(created)
        assert len(list_users(conn)) == 4
        for username, password, role in created:
            assert authenticate(conn, username, password).role == role
        set_password(conn, "viewer", "changed password")
        assert [u for u, _, _ in ensure_demo_users(conn)] == ["admin", "analyst", "enterprise"]
        # Independently: the home province 330000 and everything below it, walked in Python.
        rows = conn.execute(sa.text("select id, code, parent_id from regions")).all()
        province = next(r.id for r in rows if r.code == "330000")
        below, frontier = {province}, {province}
        while frontier:
            frontier = {r.id for r in rows if r.parent_id in frontier} - below
            below |= frontier
        analyst = authenticate(conn, "analyst", "chainatlas-demo")
        assert analyst.region_ids == frozenset(below)
        # The enterprise with the largest output in the latest year, located in the province.
        outputs = conn.execute(
            sa.text(
                "select e.id, e.region_id, y.year, y.output_value from enterprises e "
                "join enterprise_years y on y.enterprise_id = e.id "
                "where y.output_value is not null"
            )
        ).all()
        local = [r for r in outputs if r.region_id in below]
        latest = max(r.year for r in local)
        best = max((r for r in local if r.year == latest), key=lambda r: (r.output_value, -r.id))
        firm = authenticate(conn, "enterprise", "chainatlas-demo")
        assert firm.enterprise_id == best.id


def test_demo_users_are_refused_outside_a_demo_database(conn: sa.Connection, world: World) -> None:
    with pytest.raises(InvalidData, match="only created in a demo database"):
        ensure_demo_users(conn)
