"""The bulk attribute reader and its cache give the same answers as the row-by-row reader.

Known answers come from the hand-made store of ``test_policies.py`` (its docstring lists
the firms and their figures); the demo comparison runs on both backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.domain.policy_frame import AttributeFrame, SetColumn
from chainatlas.importers.readers import RawTable
from chainatlas.importers.specs import get_spec
from chainatlas.services.attribute_cache import (
    AttributeCache,
    attribute_cache,
    cache_slot,
    clear_attribute_cache,
)
from chainatlas.services.attribute_columns import load_all_attributes
from chainatlas.services.demo import build_demo
from chainatlas.services.enterprise_attrs import ALL_KEYS, load_attributes_by_rows
from chainatlas.services.import_run import ImportOptions, import_table
from chainatlas.services.policies import coverage, eligible_enterprises
from chainatlas.store import schema as s
from chainatlas.store.tx import tx
from tests.services.test_policies import ON, build_store


@pytest.fixture(autouse=True)
def _empty_attribute_cache() -> Iterator[None]:
    """Start each test with an empty process-wide cache and leave none behind."""
    clear_attribute_cache()
    yield
    clear_attribute_cache()


YEAR_KEYS = {"revenue@2023", "rd_intensity@2024", "revenue_growth@2024", "employees@2022"}


def assert_same_frame(a: AttributeFrame, b: AttributeFrame) -> None:
    np.testing.assert_array_equal(a.ids, b.ids)
    assert sorted(a.columns) == sorted(b.columns)
    for key, x in a.columns.items():
        y = b.columns[key]
        if x.dtype == object:
            assert x.tolist() == y.tolist(), key
        else:
            np.testing.assert_array_equal(x, y, err_msg=key)  # NaN == NaN here
    assert sorted(a.sets) == sorted(b.sets)
    for key, p in a.sets.items():
        q = b.sets[key]
        np.testing.assert_array_equal(p.rows, q.rows, err_msg=key)
        np.testing.assert_array_equal(p.codes, q.codes, err_msg=key)
        np.testing.assert_array_equal(p.known, q.known, err_msg=key)
        assert (p.vocab, p.names) == (q.vocab, q.names), key


def test_bulk_reader_gives_the_row_readers_frame_on_a_small_demo(fresh_engine: Engine) -> None:
    build_demo(fresh_engine, scale=300, seed=7)
    keys = set(ALL_KEYS) | YEAR_KEYS
    with tx(fresh_engine) as conn:
        rows = load_attributes_by_rows(conn, keys, on=ON)
        bulk = load_all_attributes(conn, keys, on=ON, cache=None)
    assert len(rows) == 300
    assert_same_frame(rows, bulk)
    # the demo has figures, sets and growth, so the comparison is not between empty columns
    assert np.isfinite(bulk.columns["revenue_cagr_3y"]).sum() > 50
    assert len(bulk.sets["segment"].rows) > 300 and len(bulk.sets["region"].vocab) > 5


def test_bulk_reader_computes_the_hand_made_figures(conn: sa.Connection) -> None:
    ids = build_store(conn)
    frame = load_all_attributes(conn, ALL_KEYS | {"revenue@2023"}, on=ON, cache=None)
    row = {eid: i for i, eid in enumerate(frame.ids.tolist())}
    a, c, d = (frame.record(row[ids[k]]) for k in "ACD")
    assert (a["revenue"], a["revenue#year"], a["revenue@2023"]) == (8.2e7, 2024, 6e7)
    assert a["rd_intensity"] == pytest.approx(2.05e6 / 8.2e7)
    assert a["revenue_growth"] == pytest.approx(8.2e7 / 6e7 - 1)
    assert a["revenue_cagr_3y"] == pytest.approx((8.2e7 / 4e7) ** (1 / 3) - 1)
    assert a["age_years"] == pytest.approx(1827 / 365.25)  # 2020-01-01 to 2025-01-01
    assert a["region"] == {"330106", "330100", "330000", "CN"}
    assert a["segment"] == {"cell", "ev:cell"} and a["segment_position"] == {"upstream"}
    assert (a["high_tech"], a["size_class"], a["tags"]) == (True, "small", {"above_scale"})
    assert a["lifecycle_stage"] == "growth"
    assert c["revenue"] is None and c["lifecycle_stage"] == "seed"
    assert d["region"] is None and d["age_years"] is None and d["chain"] == frozenset()


def test_latest_figures_skip_a_latest_year_that_lacks_them(conn: sa.Connection) -> None:
    ids = build_store(conn)
    # 2025 rows: A and B report only employees, E revenue 1.2亿 but no R&D, so A's and B's
    # latest revenue stays in 2024 and E's latest R&D intensity is 2024's 6e6 / 1e8
    conn.execute(
        sa.insert(s.enterprise_years),
        [
            {"enterprise_id": ids["A"], "year": 2025, "employees": 160, "revenue": None},
            {"enterprise_id": ids["B"], "year": 2025, "employees": 2100, "revenue": None},
            {"enterprise_id": ids["E"], "year": 2025, "employees": None, "revenue": 1.2e8},
        ],
    )
    keys = {"revenue", "rd_intensity", "employees", "rd_spend"}
    bulk = load_all_attributes(conn, keys, on=ON, cache=None)
    assert_same_frame(load_attributes_by_rows(conn, keys, on=ON), bulk)
    row = {eid: i for i, eid in enumerate(bulk.ids.tolist())}
    a, b, e = (bulk.record(row[ids[k]]) for k in "ABE")
    assert (a["revenue"], a["revenue#year"], a["employees#year"]) == (8.2e7, 2024, 2025)
    assert (b["revenue"], b["revenue#year"]) == (5.5e8, 2024)
    assert (e["revenue"], e["revenue#year"]) == (1.2e8, 2025)
    assert (e["rd_intensity"], e["rd_intensity#year"]) == (6e6 / 1e8, 2024)
    assert (e["employees"], e["employees#year"]) == (300, 2024)  # 2025 has none


def test_set_column_from_codes_equals_from_pairs() -> None:
    names = ["b", "a", "c", "a", "zz"]  # "a" twice, "zz" never used
    rows = [0, 0, 2, 2, 2, 3]
    codes = [0, 3, 2, 1, 0, 1]
    got = SetColumn.from_codes(5, rows, codes, names)
    want = SetColumn.from_pairs(5, rows, [names[c] for c in codes])
    np.testing.assert_array_equal(got.rows, want.rows)
    np.testing.assert_array_equal(got.codes, want.codes)
    assert (got.vocab, got.names) == (want.vocab, want.names) == ({"a": 0, "b": 1, "c": 2},
                                                                   ("a", "b", "c"))  # fmt: skip
    assert got.values_of(2) == {"a", "b", "c"} and got.values_of(1) == frozenset()


def _import_years(conn: sa.Connection, rows: list[list[Any]]) -> None:
    headers = ["enterprise", "year", "revenue", "rd_spend"]
    table = RawTable(
        file="enterprise_years.csv",
        headers=headers,
        rows=[(i + 2, [str(v) for v in r]) for i, r in enumerate(rows)],
    )
    import_table(conn, get_spec("enterprise_years"), table, ImportOptions())


def _push(engine: Engine, code: str) -> set[int]:
    with tx(engine) as conn:
        return {e["id"] for e in eligible_enterprises(conn, code, on=ON).enterprises}


def test_an_import_invalidates_the_cached_columns(fresh_engine: Engine) -> None:
    with tx(fresh_engine) as conn:
        ids = build_store(conn)
    assert _push(fresh_engine, "P-REV") == {ids["B"], ids["E"]}
    stats = attribute_cache().stats
    misses = stats.misses
    assert _push(fresh_engine, "P-REV") == {ids["B"], ids["E"]}
    assert stats.misses == misses  # the second list read only the data version
    # A's 2024 figures become 2亿 revenue and 1,000万 R&D (5%): A now qualifies; the import
    # updates an existing row, so only the import run it records tells the cache
    with tx(fresh_engine) as conn:
        _import_years(conn, [["甲科技", 2024, 2e8, 1e7]])
    invalidations = stats.invalidations
    assert _push(fresh_engine, "P-REV") == {ids["A"], ids["B"], ids["E"]}
    assert stats.invalidations == invalidations + 1


def test_a_write_outside_an_import_is_seen_after_clearing_the_cache(fresh_engine: Engine) -> None:
    with tx(fresh_engine) as conn:
        ids = build_store(conn)
    assert _push(fresh_engine, "P-HZ-YOUNG") == {ids["C"]}
    y = s.enterprises
    with tx(fresh_engine) as conn:  # C becomes medium-sized, by hand-written SQL
        conn.execute(sa.update(y).where(y.c.id == ids["C"]).values(size_class="medium"))
    assert _push(fresh_engine, "P-HZ-YOUNG") == {ids["C"]}  # documented: not seen
    clear_attribute_cache()
    assert _push(fresh_engine, "P-HZ-YOUNG") == set()


def test_cached_columns_are_read_only_and_days_are_applied_per_call(fresh_engine: Engine) -> None:
    with tx(fresh_engine) as conn:
        ids = build_store(conn)
    cache = AttributeCache()
    with tx(fresh_engine) as conn:
        first = load_all_attributes(conn, {"age_years", "revenue"}, on=ON, cache=cache)
        later = load_all_attributes(conn, {"age_years"}, on=date(2026, 1, 1), cache=cache)
    at = first.ids.tolist().index(ids["A"])
    assert first.columns["age_years"][at] == pytest.approx(1827 / 365.25)
    assert later.columns["age_years"][at] == pytest.approx(2192 / 365.25)  # one more year
    with pytest.raises(ValueError, match="read-only"):
        first.columns["revenue"][at] = 0.0
    assert cache.stats.hits > 0


def test_nothing_is_cached_inside_a_transaction_that_wrote(conn: sa.Connection) -> None:
    assert cache_slot(conn, AttributeCache()) is not None
    build_store(conn)
    assert cache_slot(conn, AttributeCache()) is None


def test_coverage_is_the_same_from_the_cache(fresh_engine: Engine) -> None:
    with tx(fresh_engine) as conn:
        build_store(conn)
    with tx(fresh_engine) as conn:
        cold = coverage(conn, on=ON).to_dict()
        warm = coverage(conn, on=ON).to_dict()
    assert cold == warm
    stages = {r["group"]: r["enterprises"] for r in cold["dimensions"]["lifecycle_stage"]}
    assert stages == {"growth": 1, "expansion": 1, "seed": 1, "mature": 1, "unknown": 1}
    cities = {r["group"]: r["policies"] for r in cold["dimensions"]["region"]}
    assert cities == {"330100": 3, "330200": 3}  # 杭州: A, C, E; 宁波: B
    assert attribute_cache().stats.hits > 0
