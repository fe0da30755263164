"""What the chain and segment pages cut from a chain report, per user."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from chainatlas.services.chain_report import chain_report
from chainatlas.services.chain_view import chain_view, risk_rows, segment_view
from chainatlas.services.principals import Principal
from tests.services.test_chain_network import build_network, ids

ADMIN = Principal(1, "admin", "admin", "admin", None, None, "zh")


def firm_user(enterprise_id: int) -> Principal:
    return Principal(2, "firm", "firm", "enterprise", enterprise_id, frozenset(), "zh")


@pytest.fixture
def net(conn: sa.Connection) -> sa.Connection:
    build_network(conn)
    return conn


def test_an_enterprise_user_sees_segment_points_and_its_own_only(net: sa.Connection) -> None:
    own = ids(net)["杭州电芯一号"]
    full = chain_report(net, "tc", "ZJ")
    report = chain_report(net, "tc", "ZJ", limit=1)  # the others are made on demand
    expected = [
        r.id
        for r in full.risk.items
        if r.scope == "segment" or (r.buyer is not None and r.buyer["id"] == own)
    ]
    page = chain_view(net, report, firm_user(own), risk_limit=50)
    assert [r["id"] for r in page["risks"]] == expected
    assert page["risks_visible"] == len(expected) < full.risk.summary["points"]
    # names of other firms never appear, not even as targets
    assert all(not c["targets"] for r in page["risks"] for c in r["countermeasures"])
    admin = chain_view(net, report, ADMIN, risk_limit=3)
    assert admin["risks_visible"] == full.risk.summary["points"]
    assert [r["id"] for r in admin["risks"]] == [r.id for r in full.risk.items[:3]]


def test_risk_rows_page_through_filtered_points(net: sa.Connection) -> None:
    full = chain_report(net, "tc", "ZJ")
    report = chain_report(net, "tc", "ZJ", limit=0)
    high = [r.id for r in full.risk.items if r.level == "high"]
    assert [r["id"] for r in risk_rows(net, report, ADMIN, level="high")] == high
    assert [r["id"] for r in risk_rows(net, report, ADMIN, level="high", offset=1, limit=1)] == (
        high[1:2]
    )


def test_the_segment_page_lists_its_points_and_its_largest_members(net: sa.Connection) -> None:
    report = chain_report(net, "tc", "ZJ", limit=0)
    page = segment_view(net, report, ADMIN, "cell")
    full = chain_report(net, "tc", "ZJ")
    assert [r["id"] for r in page["risks"]] == [
        r.id for r in full.risk.items if r.segment == "cell"
    ]
    assert page["risks_visible"] == len(page["risks"]) > 0
    # local members of the segment, largest 2023 output first (1000, 500, 300)
    assert [m["name"] for m in page["enterprises"]] == ["杭州电芯一号", "杭州电芯二号", "宁波电芯"]
    assert [m["output"] for m in page["enterprises"]] == [1000.0, 500.0, 300.0]
