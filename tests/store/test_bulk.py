"""The bulk loader: Core executemany on SQLite, COPY on PostgreSQL, never a commit."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.errors import InvalidData
from chainatlas.store.bulk import (
    bulk_insert,
    clear_tables,
    deferred_indexes,
    latest_import_run,
    reset_sequences,
)
from chainatlas.store.schema import enterprises, import_runs, metadata, regions, supply_links

REGIONS = [
    {"id": 1, "code": "CN", "name_zh": "中国", "level": "country"},
    {"id": 2, "code": "330000", "name_zh": "浙江省", "level": "province", "parent_id": 1},
]


def _firm(i: int, **over: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": i,
        "name": f"杭州星源{i}科技有限公司",
        "name_norm": f"杭州星源{i}科技",
        "aliases": [],
        "region_id": 2,
        "tags": [],
    }
    row.update(over)
    return row


def test_bulk_insert_round_trips_json_dates_booleans_and_nulls(conn: sa.Connection) -> None:
    bulk_insert(conn, regions, REGIONS)
    rows = [
        _firm(
            1,
            aliases=["星源科技", "Xingyuan"],
            tags=["chain_owner", "链主"],
            founded_on=date(2008, 2, 29),
            listed=True,
            listed_on=date(2020, 7, 22),
            stock_code="688001.SH",
            high_tech=True,
            srdi_level="national",
            description='引号 "quoted", tab\there, back\\slash\nnew line',
        ),
        _firm(2, credit_code=None, founded_on=None, park_id=None, listed=False),
    ]
    assert bulk_insert(conn, enterprises, rows) == 2
    got = {
        r.id: r for r in conn.execute(sa.select(enterprises).order_by(enterprises.c.id)).mappings()
    }
    assert got[1]["aliases"] == ["星源科技", "Xingyuan"]
    assert got[1]["tags"] == ["chain_owner", "链主"]
    assert got[1]["founded_on"] == date(2008, 2, 29)
    assert got[1]["listed_on"] == date(2020, 7, 22)
    assert got[1]["listed"] is True and got[1]["high_tech"] is True
    assert got[1]["srdi_level"] == "national"
    assert got[1]["description"] == '引号 "quoted", tab\there, back\\slash\nnew line'
    assert got[2]["credit_code"] is None and got[2]["founded_on"] is None
    assert got[2]["listed"] is False


def test_rows_that_omit_a_column_get_its_server_default(conn: sa.Connection) -> None:
    bulk_insert(conn, regions, REGIONS)
    rows = [_firm(1, name_en="Xingyuan Tech", listed=True), _firm(2), _firm(3, high_tech=True)]
    bulk_insert(conn, enterprises, rows)
    got = conn.execute(
        sa.select(
            enterprises.c.name_en,
            enterprises.c.listed,
            enterprises.c.high_tech,
            enterprises.c.srdi_level,
            enterprises.c.confidence,
        ).order_by(enterprises.c.id)
    ).all()
    assert got == [
        ("Xingyuan Tech", True, False, "none", 1.0),
        ("", False, False, "none", 1.0),
        ("", False, True, "none", 1.0),
    ]


def test_bulk_insert_counts_rows_across_batches_from_a_generator(conn: sa.Connection) -> None:
    bulk_insert(conn, regions, REGIONS)
    written = bulk_insert(conn, enterprises, (_firm(i) for i in range(1, 24)), batch_size=5)
    assert written == 23
    assert conn.execute(sa.select(sa.func.count()).select_from(enterprises)).scalar() == 23


def test_bulk_insert_rejects_a_column_the_table_lacks(conn: sa.Connection) -> None:
    with pytest.raises(InvalidData, match="no column 'colour'"):
        bulk_insert(conn, regions, [{**REGIONS[0], "colour": "red"}])


def test_bulk_insert_names_a_required_column_some_rows_lack(conn: sa.Connection) -> None:
    rows = [REGIONS[0], {"id": 2, "code": "X", "level": "province"}]
    with pytest.raises(InvalidData, match="name_zh"):
        bulk_insert(conn, regions, rows)


def test_a_duplicate_key_raises_integrity_error(conn: sa.Connection) -> None:
    with pytest.raises(sa.exc.IntegrityError):
        bulk_insert(conn, regions, [REGIONS[0], {**REGIONS[1], "code": "CN"}])


def test_bulk_insert_leaves_the_transaction_to_the_caller(fresh_engine: Engine) -> None:
    with fresh_engine.connect() as writer:
        trans = writer.begin()
        bulk_insert(writer, regions, REGIONS)
        with fresh_engine.connect() as reader:
            seen = reader.execute(sa.select(sa.func.count()).select_from(regions)).scalar()
        assert seen == 0
        trans.rollback()
    with fresh_engine.connect() as reader:
        assert reader.execute(sa.select(sa.func.count()).select_from(regions)).scalar() == 0


def test_reset_sequences_lets_later_inserts_follow_explicit_ids(conn: sa.Connection) -> None:
    bulk_insert(conn, regions, REGIONS)
    reset_sequences(conn, [regions, enterprises])
    new_id = conn.execute(
        regions.insert().values(code="330100", name_zh="杭州市", level="city", parent_id=2)
    ).inserted_primary_key
    assert new_id is not None and new_id[0] == 3


def _schema_of(conn: sa.Connection, names: list[str]) -> dict[str, object]:
    inspector = sa.inspect(conn)
    out: dict[str, object] = {}
    for name in names:
        out[name] = (
            sorted(
                (i["name"], tuple(i["column_names"]), i["unique"])
                for i in inspector.get_indexes(name)
            ),
            sorted(str(u["column_names"]) for u in inspector.get_unique_constraints(name)),
            sorted(
                (tuple(f["constrained_columns"]), f["referred_table"])
                for f in inspector.get_foreign_keys(name)
            ),
        )
    return out


def test_deferred_indexes_restores_every_index_and_constraint(conn: sa.Connection) -> None:
    names = ["enterprises", "supply_links", "regions"]
    before = _schema_of(conn, names)
    with deferred_indexes(conn, [enterprises, supply_links, regions]):
        bulk_insert(conn, regions, REGIONS)
        bulk_insert(conn, enterprises, [_firm(1), _firm(2)])
        bulk_insert(conn, supply_links, [{"id": 1, "supplier_id": 1, "buyer_id": 2}])
    assert _schema_of(conn, names) == before
    assert conn.execute(sa.select(sa.func.count()).select_from(supply_links)).scalar() == 1


def test_deferred_indexes_still_rejects_a_broken_foreign_key(conn: sa.Connection) -> None:
    with pytest.raises(sa.exc.IntegrityError):
        with deferred_indexes(conn, [enterprises, supply_links]):
            bulk_insert(conn, regions, REGIONS)
            bulk_insert(conn, enterprises, [_firm(1)])
            bulk_insert(conn, supply_links, [{"id": 1, "supplier_id": 1, "buyer_id": 99}])


def test_clear_tables_empties_parents_and_children(conn: sa.Connection) -> None:
    bulk_insert(conn, regions, REGIONS)
    bulk_insert(conn, enterprises, [_firm(1), _firm(2)])
    clear_tables(conn, list(metadata.sorted_tables))
    for table in (regions, enterprises):
        assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0


def test_latest_import_run_returns_the_newest_of_a_kind(conn: sa.Connection) -> None:
    run = {
        "kind": "demo",
        "file": "demo",
        "sha256": "a" * 64,
        "rows": 1,
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
    }
    when = datetime(2024, 5, 1, tzinfo=UTC)
    bulk_insert(conn, import_runs, [{**run, "id": 1, "started_at": when}])
    bulk_insert(conn, import_runs, [{**run, "id": 2, "sha256": "b" * 64, "started_at": when}])
    newest = latest_import_run(conn, import_runs, "demo")
    assert newest is not None and newest["sha256"] == "b" * 64
    assert latest_import_run(conn, import_runs, "csv") is None
