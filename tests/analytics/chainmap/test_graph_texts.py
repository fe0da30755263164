"""Segment graph helpers and the bilingual reasons."""

from __future__ import annotations

import pytest

from chainatlas.analytics.chainmap import (
    REASON_CODES,
    acyclic_order,
    break_cycles,
    depths,
    find_cycle,
    reachable,
    risk_reasons,
    status_reason,
)
from chainatlas.analytics.chainmap.graph import _reaches


def test_acyclic_order_puts_suppliers_first_and_reports_a_cycle() -> None:
    assert acyclic_order("dcba", [("a", "b"), ("b", "c")]) == (["d", "a", "b", "c"], None)
    order, cycle = acyclic_order("abcd", [("a", "b"), ("b", "c"), ("c", "b"), ("c", "d")])
    assert order[0] == "a" and set(order) == set("abcd")
    assert cycle == ["b", "c", "b"]
    assert find_cycle("ab", [("a", "a")]) == ["a", "a"]


def test_break_cycles_keeps_the_heaviest_acyclic_edges_deterministically() -> None:
    edges = [("a", "b", 3.0), ("b", "c", 2.0), ("c", "a", 1.0), ("c", "b", 2.0), ("a", "c", 1.0)]
    kept, dropped = break_cycles("abc", edges)
    assert sorted(dropped) == [("c", "a", 1.0), ("c", "b", 2.0)]
    assert find_cycle("abc", [(a, b) for a, b, _ in kept]) is None
    assert break_cycles("abc", list(reversed(edges))) == (kept, dropped)
    succ: dict[str, set[str]] = {}
    for a, b, _ in kept:
        succ.setdefault(a, set()).add(b)
    for a, b, _ in dropped:
        assert _reaches(succ, b, a)  # each dropped edge would close a cycle


def test_depths_and_reach() -> None:
    assert depths("abcd", [("a", "b"), ("b", "c"), ("a", "c")]) == {"a": 0, "b": 1, "c": 2, "d": 0}
    assert reachable(["b"], [("a", "b"), ("b", "c")]) == {"b": 0, "c": 1}


def test_reasons_come_in_both_languages_with_their_numbers() -> None:
    found = dict.fromkeys(REASON_CODES, True)
    m = {
        "suppliers": 2,
        "hhi": 0.52,
        "foreign_share": 0.6,
        "outside_share": 1.0,
        "geo_hhi": 0.52,
        "alt_country": 3,
    }
    texts = risk_reasons(
        found,
        m,
        segment=("关键材料", "key material"),
        product="高纯材料",
        choke_technologies=("高纯材料",),
    )
    assert [t.code for t in texts] == list(REASON_CODES)
    by = {t.code: t for t in texts}
    assert "0.52" in by["concentrated"].en and "0.52" in by["concentrated"].zh
    assert "60%" in by["foreign_dependent"].en and "60%" in by["foreign_dependent"].zh
    assert "3" in by["no_nearby_alternative"].zh
    assert all(t.zh and t.en for t in texts)


@pytest.mark.parametrize("status", ["strong", "present", "weak", "missing"])
def test_every_status_has_a_reason(status: str) -> None:
    t = status_reason(status, 4, 1.3, segment=("电芯", "cells"))
    assert t.code == status and "电芯" in t.zh and "cells" in t.en
