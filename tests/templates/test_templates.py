"""Tests for the bundled chain templates and the template file loader."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainatlas.domain.chain import Chain, Position, check_acyclic
from chainatlas.errors import ChainatlasError, ChainNotFound, ImportFormatError, InvalidData
from chainatlas.templates import (
    list_templates,
    load_template,
    load_template_file,
    template_from_dict,
    template_to_dict,
)

STANDARD_CODES = [
    "nev",
    "lithium_battery",
    "integrated_circuit",
    "new_display",
    "photovoltaic",
    "biomedicine",
    "industrial_robot",
    "artificial_intelligence",
]
BUNDLED = list_templates()
_RANK = {Position.UPSTREAM: 0, Position.MIDSTREAM: 1, Position.DOWNSTREAM: 2}


def _minimal() -> dict[str, Any]:
    """Return a small valid template: ore -> part -> product."""
    return {
        "code": "demo",
        "version": "1",
        "name_zh": "示例链",
        "name_en": "Demo chain",
        "sources": ["Textbook"],
        "segments": [
            {
                "code": "ore",
                "name_zh": "矿石",
                "name_en": "Ore",
                "position": "upstream",
                "products": ["铁矿石"],
                "products_en": ["Iron ore"],
            },
            {
                "code": "part",
                "name_zh": "零件",
                "name_en": "Part",
                "position": "midstream",
                "products": ["齿轮", "轴承"],
                "products_en": ["Gears", "Bearings"],
                "choke_point": True,
                "choke_technologies": ["精密磨齿"],
                "importance": 2,
                "industry_codes": ["C3453", "C345"],
            },
            {"code": "product", "name_zh": "整机", "name_en": "Machine", "position": "downstream"},
        ],
        "edges": [
            {"supplier": "ore", "buyer": "part", "input_class": "essential"},
            {"supplier": "part", "buyer": "product", "input_class": "non_essential", "note": "n"},
        ],
    }


def _write(tmp_path: Path, data: object, name: str = "chain.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def _load_error(tmp_path: Path, data: object) -> str:
    path = _write(tmp_path, data)
    with pytest.raises(ImportFormatError) as info:
        load_template_file(path)
    message = info.value.message
    assert str(path) in message
    return message


# -- the bundled library ----------------------------------------------------------------------


def test_library_holds_at_least_eight_templates_including_the_standard_chains() -> None:
    assert len(BUNDLED) >= 8
    assert set(STANDARD_CODES) <= set(BUNDLED)


def test_list_templates_returns_codes_sorted() -> None:
    assert BUNDLED == sorted(BUNDLED)


def test_every_bundled_data_file_is_listed() -> None:
    folder = resources.files("chainatlas.templates").joinpath("data")
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".json"))
    assert names == [f"{code}.json" for code in BUNDLED]


@pytest.mark.parametrize("code", BUNDLED)
def test_each_template_loads_under_its_own_code(code: str) -> None:
    chain = load_template(code)
    assert isinstance(chain, Chain)
    assert chain.code == code
    assert chain.name_zh.strip()
    assert chain.name_en.strip()


@pytest.mark.parametrize("code", BUNDLED)
def test_each_template_has_between_12_and_40_segments(code: str) -> None:
    assert 12 <= len(load_template(code).segments) <= 40


@pytest.mark.parametrize("code", BUNDLED)
def test_each_template_covers_upstream_midstream_and_downstream(code: str) -> None:
    positions = {seg.position for seg in load_template(code).segments}
    assert positions == set(Position)


@pytest.mark.parametrize("code", BUNDLED)
def test_every_segment_has_bilingual_names_and_matching_product_lists(code: str) -> None:
    for seg in load_template(code).segments:
        assert seg.name_zh.strip(), seg.code
        assert seg.name_en.strip(), seg.code
        assert seg.code.isascii(), seg.code
        assert 3 <= len(seg.products) <= 8, seg.code
        assert len(seg.products_en) == len(seg.products), seg.code
        assert len(set(seg.products)) == len(seg.products), seg.code
        assert seg.technologies, seg.code
        assert seg.industry_codes, seg.code
        assert seg.importance > 0, seg.code


@pytest.mark.parametrize("code", BUNDLED)
def test_every_segment_lies_on_at_least_one_edge(code: str) -> None:
    chain = load_template(code)
    on_edges = {e.supplier for e in chain.edges} | {e.buyer for e in chain.edges}
    assert [seg.code for seg in chain.segments if seg.code not in on_edges] == []


@pytest.mark.parametrize("code", BUNDLED)
def test_edge_graph_is_acyclic_with_upstream_sources_and_downstream_sinks(code: str) -> None:
    chain = load_template(code)
    order = check_acyclic(
        [s.code for s in chain.segments], [(e.supplier, e.buyer) for e in chain.edges]
    )
    assert len(order) == len(chain.segments)
    suppliers = {e.supplier for e in chain.edges}
    buyers = {e.buyer for e in chain.edges}
    sources = [s for s in chain.segments if s.code not in buyers]
    sinks = [s for s in chain.segments if s.code not in suppliers]
    assert any(s.position is Position.UPSTREAM for s in sources)
    assert any(s.position is Position.DOWNSTREAM for s in sinks)


@pytest.mark.parametrize("code", BUNDLED)
def test_no_edge_runs_from_a_later_position_back_to_an_earlier_one(code: str) -> None:
    chain = load_template(code)
    position = {seg.code: seg.position for seg in chain.segments}
    backwards = [
        (e.supplier, e.buyer)
        for e in chain.edges
        if _RANK[position[e.supplier]] > _RANK[position[e.buyer]]
    ]
    assert backwards == []


@pytest.mark.parametrize("code", BUNDLED)
def test_each_template_has_a_choke_point_that_names_its_technologies(code: str) -> None:
    chokes = [seg for seg in load_template(code).segments if seg.choke_point]
    assert chokes
    assert all(seg.choke_technologies for seg in chokes)


@pytest.mark.parametrize("code", BUNDLED)
def test_each_template_cites_sources_and_describes_itself_in_both_languages(code: str) -> None:
    chain = load_template(code)
    assert chain.sources
    assert all(source.strip() for source in chain.sources)
    assert chain.description_zh.strip()
    assert chain.description_en.strip()


@pytest.mark.parametrize("code", BUNDLED)
def test_some_midstream_segment_of_each_template_has_an_essential_input(code: str) -> None:
    chain = load_template(code)
    fed = {e.buyer for e in chain.edges if e.input_class.value == "essential"}
    midstream = [seg.code for seg in chain.segments if seg.position is Position.MIDSTREAM]
    assert any(seg in fed for seg in midstream)


@pytest.mark.parametrize("code", BUNDLED)
def test_template_round_trips_through_template_to_dict(code: str) -> None:
    chain = load_template(code)
    assert template_from_dict(template_to_dict(chain)) == chain


@pytest.mark.parametrize("code", BUNDLED)
def test_bundled_file_is_in_the_canonical_written_form(code: str) -> None:
    raw = (
        resources.files("chainatlas.templates").joinpath("data", f"{code}.json").read_text("utf-8")
    )
    data = json.loads(raw)
    assert data == template_to_dict(load_template(code), version=data["version"])


@pytest.mark.parametrize("code", BUNDLED)
def test_template_round_trips_through_a_json_file(code: str, tmp_path: Path) -> None:
    chain = load_template(code)
    path = _write(tmp_path, template_to_dict(chain))
    again = load_template_file(path)
    assert again == chain
    assert load_template_file(_write(tmp_path, template_to_dict(again), "b.json")) == again


def test_docs_table_lists_every_bundled_template_with_its_counts() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "chain-templates.md"
    text = docs.read_text(encoding="utf-8")
    for code in BUNDLED:
        chain = load_template(code)
        up, mid, down = (sum(s.position is p for s in chain.segments) for p in Position)
        chokes = sum(s.choke_point for s in chain.segments)
        row = (
            f"| `{code}` | {chain.name_zh} | {chain.name_en} | {len(chain.segments)} "
            f"| {up} / {mid} / {down} | {len(chain.edges)} | {chokes} |"
        )
        assert row in text, row


def test_unknown_template_code_raises_chain_not_found_listing_available_codes() -> None:
    with pytest.raises(ChainNotFound) as info:
        load_template("steel")
    assert "'steel'" in info.value.message
    for code in STANDARD_CODES:
        assert code in info.value.message


def test_template_code_cannot_reach_outside_the_data_folder() -> None:
    with pytest.raises(ChainNotFound):
        load_template("../templates/loader")


# -- user files -------------------------------------------------------------------------------


def test_minimal_user_template_loads_with_defaults(tmp_path: Path) -> None:
    chain = load_template_file(_write(tmp_path, _minimal()))
    assert [s.code for s in chain.segments] == ["ore", "part", "product"]
    product = chain.segment("product")
    assert product.products == ()
    assert product.importance == 1.0
    assert product.choke_point is False
    assert chain.segment("part").importance == 2.0
    assert chain.edges[1].note == "n"
    assert chain.description_zh == ""


def test_path_may_be_given_as_a_string(tmp_path: Path) -> None:
    assert load_template_file(str(_write(tmp_path, _minimal()))).code == "demo"


def test_edge_without_input_class_is_essential(tmp_path: Path) -> None:
    data = _minimal()
    del data["edges"][0]["input_class"]
    chain = load_template_file(_write(tmp_path, data))
    assert chain.edges[0].input_class.value == "essential"


def test_file_with_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_minimal()).encode("utf-8"))
    assert load_template_file(path).code == "demo"


def test_invalid_json_reports_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "code": "x",\n  "name_zh": \n}\n', encoding="utf-8")
    with pytest.raises(ImportFormatError) as info:
        load_template_file(path)
    message = info.value.message
    assert str(path) in message
    assert "not valid JSON" in message
    assert "line 4, column 1" in message


def test_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "gbk.json"
    path.write_bytes(json.dumps(_minimal(), ensure_ascii=False).encode("gbk"))
    with pytest.raises(ImportFormatError, match="not UTF-8"):
        load_template_file(path)


def test_missing_file_is_reported_as_import_format_error(tmp_path: Path) -> None:
    path = tmp_path / "absent.json"
    with pytest.raises(ImportFormatError) as info:
        load_template_file(path)
    assert str(path) in info.value.message
    assert "cannot read" in info.value.message


def test_top_level_that_is_not_an_object_is_reported(tmp_path: Path) -> None:
    message = _load_error(tmp_path, [1, 2])
    assert "top level: must be a JSON object, not an array" in message


def test_missing_top_level_key_is_reported(tmp_path: Path) -> None:
    data = _minimal()
    del data["name_en"]
    assert "top level: missing required key 'name_en'" in _load_error(tmp_path, data)


def test_missing_segment_key_names_the_segment_location(tmp_path: Path) -> None:
    data = _minimal()
    del data["segments"][1]["position"]
    assert "segments[1]: missing required key 'position'" in _load_error(tmp_path, data)


def test_bad_position_names_location_and_allowed_values(tmp_path: Path) -> None:
    data = _minimal()
    data["segments"][2]["position"] = "up"
    message = _load_error(tmp_path, data)
    assert "segments[2].position: 'up' is not one of upstream, midstream, downstream" in message


def test_bad_input_class_names_location_and_allowed_values(tmp_path: Path) -> None:
    data = _minimal()
    data["edges"][1]["input_class"] = "critical"
    message = _load_error(tmp_path, data)
    assert "edges[1].input_class: 'critical' is not one of" in message
    assert "non_essential" in message


def test_wrong_type_names_location_and_the_type_found(tmp_path: Path) -> None:
    data = _minimal()
    data["segments"][0]["products"] = "铁矿石"
    assert "segments[0].products: must be a JSON array, not a string" in _load_error(tmp_path, data)


def test_empty_product_name_is_reported_with_its_index(tmp_path: Path) -> None:
    data = _minimal()
    data["segments"][1]["products"] = ["齿轮", " "]
    assert "segments[1].products[1]: must be a non-empty string" in _load_error(tmp_path, data)


def test_product_lists_of_different_length_are_reported(tmp_path: Path) -> None:
    data = _minimal()
    data["segments"][1]["products_en"] = ["Gears"]
    message = _load_error(tmp_path, data)
    assert "segments[1].products_en: has 1 items but products has 2" in message


def test_non_boolean_choke_point_is_reported(tmp_path: Path) -> None:
    data = _minimal()
    data["segments"][1]["choke_point"] = "yes"
    assert "segments[1].choke_point: must be true or false" in _load_error(tmp_path, data)


def test_choke_technologies_without_choke_point_are_reported(tmp_path: Path) -> None:
    data = _minimal()
    data["segments"][1]["choke_point"] = False
    assert "segments[1].choke_technologies" in _load_error(tmp_path, data)


@pytest.mark.parametrize("value", [0, -1.5, "2", True])
def test_importance_that_is_not_a_positive_number_is_reported(
    tmp_path: Path, value: object
) -> None:
    data = _minimal()
    data["segments"][1]["importance"] = value
    assert "segments[1].importance: must be a" in _load_error(tmp_path, data)


@pytest.mark.parametrize("value", ["3841", "C38411", "X3841", "C0610"])
def test_malformed_industry_code_is_reported(tmp_path: Path, value: str) -> None:
    data = _minimal()
    data["segments"][1]["industry_codes"] = ["C3453", value]
    message = _load_error(tmp_path, data)
    assert "segments[1].industry_codes[1]" in message
    assert repr(value) in message


@pytest.mark.parametrize("value", ["", "矿石", "has space", "-lead"])
def test_segment_code_that_is_not_a_short_ascii_identifier_is_reported(
    tmp_path: Path, value: str
) -> None:
    data = _minimal()
    data["segments"][0]["code"] = value
    assert "segments[0].code" in _load_error(tmp_path, data)


def test_unknown_key_is_reported_with_the_allowed_keys(tmp_path: Path) -> None:
    data = _minimal()
    data["segments"][0]["prodcts"] = []
    message = _load_error(tmp_path, data)
    assert "segments[0]: unknown key 'prodcts'" in message
    assert "products_en" in message


def test_repeated_json_key_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "twice.json"
    text = json.dumps(_minimal()).replace('"version": "1"', '"version": "1", "version": "2"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFormatError, match="'version' appears twice"):
        load_template_file(path)


def test_chain_without_segments_is_reported(tmp_path: Path) -> None:
    data = _minimal()
    data["segments"] = []
    data["edges"] = []
    assert "segments: a chain needs at least one segment" in _load_error(tmp_path, data)


def test_duplicate_segment_code_names_both_segments(tmp_path: Path) -> None:
    data = _minimal()
    data["segments"][2]["code"] = "ore"
    message = _load_error(tmp_path, data)
    assert "segments[2].code: segment code 'ore' is already used by segments[0]" in message


def test_unknown_edge_end_names_the_edge_location(tmp_path: Path) -> None:
    data = _minimal()
    data["edges"][1]["buyer"] = "machine"
    assert "edges[1].buyer: no segment has the code 'machine'" in _load_error(tmp_path, data)


def test_repeated_edge_is_reported(tmp_path: Path) -> None:
    data = _minimal()
    data["edges"].append({"supplier": "ore", "buyer": "part"})
    assert "edges[2]: edge ore -> part repeats edges[0]" in _load_error(tmp_path, data)


def test_self_supplying_edge_is_reported_at_its_location(tmp_path: Path) -> None:
    data = _minimal()
    data["edges"][0]["buyer"] = "ore"
    assert "edges[0]: segment 'ore' cannot supply itself" in _load_error(tmp_path, data)


def test_cycle_is_reported_at_the_edge_that_closes_it(tmp_path: Path) -> None:
    data = _minimal()
    data["edges"].append({"supplier": "product", "buyer": "ore"})
    message = _load_error(tmp_path, data)
    assert "edges[2]: edge product -> ore closes a cycle: ore -> part -> product -> ore" in message


def test_cycle_with_a_dead_end_segment_is_still_reported_cleanly(tmp_path: Path) -> None:
    data = _minimal()
    data["segments"].append(
        {"code": "a_scrap", "name_zh": "废料", "name_en": "Scrap", "position": "downstream"}
    )
    data["edges"] += [
        {"supplier": "product", "buyer": "part"},
        {"supplier": "product", "buyer": "a_scrap"},
    ]
    assert "edges[2]: edge product -> part closes a cycle" in _load_error(tmp_path, data)


def test_domain_errors_are_chained_to_the_import_format_error(tmp_path: Path) -> None:
    data = _minimal()
    data["segments"][2]["name_zh"] = ""
    data["segments"][2]["name_en"] = " "
    path = _write(tmp_path, data)
    with pytest.raises(ImportFormatError) as info:
        load_template_file(path)
    assert info.value.message.startswith(f"{path}: segments[2]: ")
    assert "needs a Chinese or English name" in info.value.message
    assert isinstance(info.value.__cause__, InvalidData)


def test_unknown_parent_is_reported(tmp_path: Path) -> None:
    data = _minimal()
    data["segments"][1]["parent"] = "machinery"
    assert "segments[1].parent: no segment has the code 'machinery'" in _load_error(tmp_path, data)


def test_parent_loop_is_reported(tmp_path: Path) -> None:
    data = _minimal()
    data["segments"][0]["parent"] = "part"
    data["segments"][1]["parent"] = "ore"
    assert "parents form a loop" in _load_error(tmp_path, data)


def test_parent_round_trips(tmp_path: Path) -> None:
    data = _minimal()
    data["segments"][1]["parent"] = "product"
    chain = load_template_file(_write(tmp_path, data))
    assert chain.segment("part").parent == "product"
    assert template_from_dict(template_to_dict(chain)) == chain


def test_template_from_dict_names_the_given_source() -> None:
    data = _minimal()
    del data["code"]
    with pytest.raises(ImportFormatError, match="^upload.json: top level: missing"):
        template_from_dict(data, source="upload.json")


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=True)
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(_paths(item, (*prefix, index)))
    return out


_MINIMAL_PATHS = _paths(_minimal())[1:]


@settings(derandomize=True, database=None, max_examples=300, deadline=None)
@given(where=st.sampled_from(_MINIMAL_PATHS), replacement=_JSON)
def test_any_corrupted_value_gives_import_format_error_or_a_valid_chain(
    where: tuple[object, ...], replacement: object
) -> None:
    data = copy.deepcopy(_minimal())
    target: Any = data
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = replacement
    try:
        chain = template_from_dict(data, source="fuzz.json")
    except ImportFormatError as err:
        assert err.message.startswith("fuzz.json: ")
    except ChainatlasError as err:  # pragma: no cover - the assertion message explains
        pytest.fail(f"domain error escaped unwrapped: {err!r}")
    else:
        assert template_from_dict(template_to_dict(chain)) == chain
