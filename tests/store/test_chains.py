import pytest
import sqlalchemy as sa

from chainatlas.domain.chain import Chain, InputClass, Position, Segment, SegmentEdge
from chainatlas.errors import ChainNotFound
from chainatlas.store.chains import get_chain, list_chains, upsert_chain
from chainatlas.templates import list_templates, load_template


def _tiny() -> Chain:
    return Chain(
        code="tiny",
        name_zh="小链",
        name_en="Tiny chain",
        segments=(
            Segment(
                "ore",
                "矿石",
                "Ore",
                Position.UPSTREAM,
                products=("锂矿",),
                products_en=("Lithium ore",),
            ),
            Segment("cell", "电芯", "Cell", Position.MIDSTREAM, choke_point=True, importance=2.0),
            Segment("pack", "电池包", "Pack", Position.DOWNSTREAM, parent=None),
        ),
        edges=(SegmentEdge("ore", "cell"), SegmentEdge("cell", "pack", InputClass.NON_ESSENTIAL)),
    )


def test_a_chain_written_to_the_store_reads_back_equal(conn: sa.Connection) -> None:
    res = upsert_chain(conn, _tiny())
    assert (res.created, res.segments_inserted, res.edges_inserted) == (True, 3, 2)
    assert get_chain(conn, "tiny") == _tiny()


def test_writing_the_same_chain_again_changes_nothing(conn: sa.Connection) -> None:
    upsert_chain(conn, _tiny())
    again = upsert_chain(conn, _tiny())
    assert (again.created, again.updated) == (False, False)
    assert again.segments_inserted == again.segments_updated == again.edges_inserted == 0


def test_segments_are_stored_in_upstream_to_downstream_order(conn: sa.Connection) -> None:
    upsert_chain(conn, _tiny())
    order = conn.execute(sa.text("select code from segments order by sort_order")).scalars().all()
    assert order.index("ore") < order.index("cell") < order.index("pack")


def test_every_bundled_template_installs_and_reads_back(conn: sa.Connection) -> None:
    for code in list_templates():
        upsert_chain(conn, load_template(code))
        back = get_chain(conn, code)
        tpl = load_template(code)
        assert {s.code for s in back.segments} == {s.code for s in tpl.segments}
        assert set(back.edges) == set(tpl.edges)
    assert {r["code"] for r in list_chains(conn)} == set(list_templates())


def test_an_unknown_chain_is_reported_with_the_known_ones(conn: sa.Connection) -> None:
    upsert_chain(conn, _tiny())
    with pytest.raises(ChainNotFound, match="tiny"):
        get_chain(conn, "nope")
