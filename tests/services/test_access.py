"""Access checks: region scope with descendants, enterprise self-service, read-only roles."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from chainatlas.errors import EnterpriseNotFound, PermissionDenied
from chainatlas.services import accounts
from chainatlas.services.access import (
    can_see_links_of,
    check_admin,
    check_enterprise,
    check_region,
    check_write,
    visible_region_ids,
)
from chainatlas.services.accounts import Principal, create_user, principal_for
from chainatlas.store.schema import enterprises, regions

#: argon2id with the smallest cost argon2-cffi accepts: the tests check logic, not cost.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(accounts, "_hasher", FAST_HASHER)
    yield


@dataclass(frozen=True)
class World:
    """Ids of a small region tree and enterprises placed in it."""

    region: dict[str, int]
    enterprise: dict[str, int]


# code, name, level, parent code: GB/T 2260 codes of Zhejiang and Jiangsu places.
REGIONS = [
    ("CN", "中国", "country", None),
    ("330000", "浙江省", "province", "CN"),
    ("330100", "杭州市", "city", "330000"),
    ("330108", "滨江区", "district", "330100"),
    ("330108P01", "杭州高新技术产业开发区", "park", "330108"),
    ("330200", "宁波市", "city", "330000"),
    ("320000", "江苏省", "province", "CN"),
    ("320500", "苏州市", "city", "320000"),
]

# name, credit code, region code, park code
ENTERPRISES = [
    ("滨江芯片", "91330108000000001A", "330108", None),
    ("高新区电池", "91330108000000002B", "330108", "330108P01"),
    ("杭州总部", "91330100000000003C", "330100", None),
    ("宁波材料", "91330200000000004D", "330200", None),
    ("苏州模组", "91320500000000005E", "320500", None),
    ("无地区企业", None, None, None),
]


def build_world(conn: sa.Connection) -> World:
    """Insert the regions and enterprises above and return their ids."""
    ids: dict[str, int] = {}
    for code, name, level, parent in REGIONS:
        ids[code] = conn.execute(
            regions.insert()
            .values(
                code=code,
                name_zh=name,
                level=level,
                parent_id=ids[parent] if parent else None,
                country="CN",
            )
            .returning(regions.c.id)
        ).scalar_one()
    firms: dict[str, int] = {}
    for name, credit, region, park in ENTERPRISES:
        firms[name] = conn.execute(
            enterprises.insert()
            .values(
                name=name,
                name_norm=name,
                credit_code=credit,
                aliases=[],
                tags=[],
                region_id=ids[region] if region else None,
                park_id=ids[park] if park else None,
            )
            .returning(enterprises.c.id)
        ).scalar_one()
    return World(ids, firms)


@pytest.fixture
def world(conn: sa.Connection) -> World:
    return build_world(conn)


def _principal(conn: sa.Connection, name: str, role: str, **kw: object) -> Principal:
    user_id = create_user(conn, name, "correct horse battery", role, **kw)  # type: ignore[arg-type]
    return principal_for(conn, user_id)


def test_an_analyst_scoped_to_a_province_gets_its_cities_districts_and_parks(
    conn: sa.Connection, world: World
) -> None:
    analyst = _principal(conn, "zj-analyst", "analyst", regions=["330000"])
    r = world.region
    expected = {r[c] for c in ("330000", "330100", "330108", "330108P01", "330200")}
    assert analyst.region_ids == frozenset(expected)
    assert visible_region_ids(conn, analyst) == frozenset(expected)


def test_an_analyst_sees_enterprises_of_its_province_but_not_of_another(
    conn: sa.Connection, world: World
) -> None:
    analyst = _principal(conn, "zj-analyst", "analyst", regions=["330000"])
    e = world.enterprise
    for name in ("滨江芯片", "高新区电池", "杭州总部", "宁波材料"):
        check_enterprise(conn, analyst, e[name])
        assert can_see_links_of(conn, analyst, e[name])
    with pytest.raises(PermissionDenied, match=r"苏州模组.*320500 苏州市.*outside"):
        check_enterprise(conn, analyst, e["苏州模组"])
    assert not can_see_links_of(conn, analyst, e["苏州模组"])
    with pytest.raises(PermissionDenied, match="no region"):
        check_enterprise(conn, analyst, e["无地区企业"])


def test_an_analyst_scoped_to_a_city_does_not_see_the_rest_of_the_province(
    conn: sa.Connection, world: World
) -> None:
    analyst = _principal(conn, "hz-analyst", "analyst", regions=["330100"])
    check_region(conn, analyst, world.region["330108P01"])
    check_enterprise(conn, analyst, world.enterprise["高新区电池"])
    with pytest.raises(PermissionDenied, match="330200 宁波市"):
        check_region(conn, analyst, world.region["330200"])
    with pytest.raises(PermissionDenied, match="330000 浙江省"):
        check_region(conn, analyst, world.region["330000"])
    with pytest.raises(PermissionDenied):
        check_enterprise(conn, analyst, world.enterprise["宁波材料"])


def test_an_analyst_with_two_regions_sees_both_subtrees(conn: sa.Connection, world: World) -> None:
    analyst = _principal(conn, "two", "analyst", regions=["330200", "320000"])
    check_enterprise(conn, analyst, world.enterprise["宁波材料"])
    check_enterprise(conn, analyst, world.enterprise["苏州模组"])
    with pytest.raises(PermissionDenied):
        check_enterprise(conn, analyst, world.enterprise["杭州总部"])


def test_an_analyst_without_regions_sees_everything(conn: sa.Connection, world: World) -> None:
    analyst = _principal(conn, "all", "analyst")
    assert analyst.region_ids is None and visible_region_ids(conn, analyst) is None
    for firm in world.enterprise.values():
        check_enterprise(conn, analyst, firm)
    check_region(conn, analyst, world.region["320500"])


def test_a_scoped_analyst_asking_for_a_missing_enterprise_gets_not_found(
    conn: sa.Connection, world: World
) -> None:
    analyst = _principal(conn, "zj-analyst", "analyst", regions=["330000"])
    missing = max(world.enterprise.values()) + 1000
    with pytest.raises(EnterpriseNotFound, match=str(missing)):
        check_enterprise(conn, analyst, missing)


def test_an_enterprise_user_passes_only_for_its_own_enterprise(
    conn: sa.Connection, world: World
) -> None:
    own = world.enterprise["高新区电池"]
    user = _principal(conn, "firm", "enterprise", enterprise="91330108000000002B")
    assert user.enterprise_id == own
    check_enterprise(conn, user, own)
    assert can_see_links_of(conn, user, own)
    for name, other in world.enterprise.items():
        if other == own:
            continue
        with pytest.raises(PermissionDenied, match="only its own enterprise"):
            check_enterprise(conn, user, other)
        assert not can_see_links_of(conn, user, other), name
    # its neighbour in the same district is still another enterprise
    with pytest.raises(PermissionDenied):
        check_enterprise(conn, user, world.enterprise["滨江芯片"])


def test_an_enterprise_user_sees_only_the_region_and_park_of_its_enterprise(
    conn: sa.Connection, world: World
) -> None:
    user = _principal(conn, "firm", "enterprise", enterprise="高新区电池")
    r = world.region
    assert visible_region_ids(conn, user) == frozenset({r["330108"], r["330108P01"]})
    check_region(conn, user, r["330108"])
    with pytest.raises(PermissionDenied, match="330100 杭州市"):
        check_region(conn, user, r["330100"])


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_admins_and_viewers_see_every_region_and_enterprise(
    conn: sa.Connection, world: World, role: str
) -> None:
    p = _principal(conn, role + "1", role)
    assert visible_region_ids(conn, p) is None
    for firm in world.enterprise.values():
        check_enterprise(conn, p, firm)
        assert can_see_links_of(conn, p, firm)
    for region in world.region.values():
        check_region(conn, p, region)


@pytest.mark.parametrize(("role", "writes"), [("admin", True), ("analyst", True)])
def test_admins_and_analysts_may_change_shared_data(
    conn: sa.Connection, world: World, role: str, writes: bool
) -> None:
    p = _principal(conn, "w" + role, role)
    assert p.can_write is writes
    check_write(p)


def test_viewers_and_enterprise_users_fail_check_write_with_a_named_refusal(
    conn: sa.Connection, world: World
) -> None:
    viewer = _principal(conn, "v01", "viewer")
    firm = _principal(conn, "f01", "enterprise", enterprise="91330108000000001A")
    with pytest.raises(PermissionDenied, match=r"'v01' \(viewer\) may not import enterprises"):
        check_write(viewer, "import enterprises")
    with pytest.raises(PermissionDenied, match=r"'f01' \(enterprise\) may not import or change"):
        check_write(firm)
    assert not viewer.can_write and not firm.can_write


def test_only_admins_pass_check_admin(conn: sa.Connection, world: World) -> None:
    check_admin(_principal(conn, "boss", "admin"))
    for role, kw in (("analyst", {}), ("viewer", {}), ("enterprise", {"enterprise": "宁波材料"})):
        p = _principal(conn, "x" + role, role, **kw)
        with pytest.raises(PermissionDenied, match=f"'x{role}' \\({role}\\) may not manage"):
            check_admin(p)


def test_an_enterprise_user_whose_enterprise_was_deleted_sees_nothing(
    conn: sa.Connection, world: World
) -> None:
    user_id = create_user(
        conn, "gone", "correct horse battery", "enterprise", enterprise="宁波材料"
    )
    conn.execute(enterprises.delete().where(enterprises.c.id == world.enterprise["宁波材料"]))
    p = principal_for(conn, user_id)
    assert p.enterprise_id is None and p.region_ids == frozenset()
    with pytest.raises(PermissionDenied):
        check_enterprise(conn, p, world.enterprise["滨江芯片"])
    with pytest.raises(PermissionDenied):
        check_region(conn, p, world.region["330200"])
