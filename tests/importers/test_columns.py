"""Header matching: Chinese and English aliases, units in headers, --map and --set."""

from __future__ import annotations

import re

import pytest

from chainatlas.errors import ImportFormatError
from chainatlas.importers.columns import match_headers, normalise_header
from chainatlas.importers.specs import SPECS, get_spec

ENTERPRISES = get_spec("enterprises")
YEARS = get_spec("enterprise_years")


def test_chinese_headers_map_to_fields() -> None:
    cmap = match_headers(
        ENTERPRISES, ["统一社会信用代码", "企业名称", "所在地区", "成立日期"], "e.csv"
    )
    assert cmap.index == {"credit_code": 0, "name": 1, "region": 2, "founded_on": 3}
    assert cmap.header["region"] == "所在地区"


def test_english_headers_match_in_any_case_with_spaces_dashes_and_a_required_star() -> None:
    cmap = match_headers(
        ENTERPRISES, ["Credit Code*", " Company Name ", "REGION", "stock-code"], "e.csv"
    )
    assert cmap.index == {"credit_code": 0, "name": 1, "region": 2, "stock_code": 3}


def test_normalise_header_folds_width_case_spaces_and_the_required_star() -> None:
    assert normalise_header(" Credit Code* ") == "credit_code"
    assert normalise_header("ＵＳＣＣ") == "uscc"
    assert normalise_header("产值（万元）") == "产值(万元)"


def test_every_field_name_is_its_own_header_for_every_kind() -> None:
    for spec in SPECS.values():
        cmap = match_headers(spec, spec.field_names, f"{spec.kind}.csv")
        assert list(cmap.index) == spec.field_names, spec.kind


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("产值（万元）", 1e4),
        ("产值(亿元)", 1e8),
        ("产值【元】", 1.0),
        ("产值[千元]", 1e3),
        ("output_value(万元)", 1e4),
    ],
)
def test_a_money_unit_in_the_header_scales_the_column(header: str, unit: float) -> None:
    cmap = match_headers(YEARS, ["企业", "年份", header], "y.csv")
    assert cmap.index["output_value"] == 2
    assert cmap.unit == {"output_value": unit}


def test_a_header_without_a_unit_means_yuan() -> None:
    cmap = match_headers(YEARS, ["企业", "年份", "产值", "营业收入（亿元）"], "y.csv")
    assert cmap.unit == {"revenue": 1e8}


def test_a_unit_on_a_field_that_is_not_money_is_not_applied() -> None:
    cmap = match_headers(YEARS, ["企业", "年份", "从业人员（万元）"], "y.csv")
    assert cmap.index["employees"] == 2
    assert cmap.unit == {}


@pytest.mark.parametrize("header", ["产值（美元）", "产值(kg)"])
def test_an_unknown_unit_in_a_header_is_refused_naming_the_header(header: str) -> None:
    with pytest.raises(ImportFormatError, match=re.escape(repr(header))):
        match_headers(YEARS, ["企业", "年份", header], "y.csv")


def test_an_english_multi_word_unit_in_a_header_scales_the_column() -> None:
    cmap = match_headers(YEARS, ["enterprise", "year", "output_value(million yuan)"], "y.csv")
    assert cmap.unit == {"output_value": 1e6}


@pytest.mark.parametrize(("header", "unit"), [("产值 (万元)", 1e4), ("Output Value (万元)", 1e4)])
def test_a_space_before_the_unit_bracket_is_allowed(header: str, unit: float) -> None:
    cmap = match_headers(YEARS, ["企业", "年份", header], "y.csv")
    assert cmap.unit == {"output_value": unit}


def test_an_unknown_header_is_named_with_the_closest_alias_and_how_to_map_it() -> None:
    with pytest.raises(ImportFormatError) as err:
        match_headers(ENTERPRISES, ["credit_code", "name", "regoin"], "firms.csv")
    message = err.value.message
    assert message.startswith("firms.csv: unknown column 'regoin' for enterprises")
    assert "(did you mean 'region'?)" in message
    assert "--map 'HEADER=FIELD'" in message


def test_every_unknown_header_is_named_and_far_ones_get_no_guess() -> None:
    with pytest.raises(ImportFormatError) as err:
        match_headers(ENTERPRISES, ["name", "region", "备注说明", "zzzz"], "firms.csv")
    message = err.value.message
    assert "unknown column '备注说明'" in message
    assert "unknown column 'zzzz' for enterprises;" in message
    assert "'zzzz' for enterprises (did you mean" not in message


def test_two_columns_for_one_field_are_refused_naming_both() -> None:
    with pytest.raises(ImportFormatError) as err:
        match_headers(ENTERPRISES, ["统一社会信用代码", "企业名称", "公司名称"], "firms.csv")
    assert err.value.message == (
        "firms.csv: columns '企业名称' and '公司名称' both give field 'name'; "
        "drop one or map it away with --map '公司名称=-'"
    )


def test_missing_required_columns_are_refused_listing_what_would_do() -> None:
    with pytest.raises(ImportFormatError) as err:
        match_headers(ENTERPRISES, ["企业名称", "简介"], "firms.csv")
    assert err.value.message == (
        "firms.csv: missing required column(s) for enterprises: need credit_code or "
        "stock_code or name+region (found: 企业名称, 简介)"
    )


def test_map_sends_any_header_to_a_field_and_dash_ignores_a_column() -> None:
    cmap = match_headers(
        ENTERPRISES,
        ["ts_code", "公司", "省份", "备注"],
        "stock.csv",
        mapping={"公司": "name", "备注": "-"},
    )
    assert cmap.index == {"stock_code": 0, "name": 1, "region": 2}


def test_map_wins_over_the_alias_of_a_header() -> None:
    cmap = match_headers(
        ENTERPRISES, ["name", "name_en", "region"], "e.csv", mapping={"name_en": "aliases"}
    )
    assert cmap.index == {"name": 0, "aliases": 1, "region": 2}


def test_map_to_an_unknown_field_is_refused_listing_the_fields() -> None:
    with pytest.raises(ImportFormatError, match=r"sends 'X' to unknown field 'nope' \(fields: "):
        match_headers(ENTERPRISES, ["name", "X"], "e.csv", mapping={"X": "nope"})


def test_set_gives_a_field_one_value_and_can_complete_the_identity() -> None:
    cmap = match_headers(ENTERPRISES, ["企业名称"], "e.csv", constants={"region": "330100"})
    assert cmap.index == {"name": 0}
    assert cmap.constants == {"region": "330100"}
    assert cmap.has("region")


def test_set_of_an_unknown_field_is_refused() -> None:
    with pytest.raises(ImportFormatError, match="--set names unknown field 'bogus'"):
        match_headers(ENTERPRISES, ["name"], "e.csv", constants={"bogus": "1"})


def test_set_and_a_column_for_the_same_field_are_refused() -> None:
    with pytest.raises(ImportFormatError, match="given both by column 'region' and by --set"):
        match_headers(ENTERPRISES, ["name", "region"], "e.csv", constants={"region": "330100"})


def test_blank_headers_are_skipped() -> None:
    cmap = match_headers(ENTERPRISES, ["name", "", "region"], "e.csv")
    assert cmap.index == {"name": 0, "region": 2}


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("enterprise", "enterprises"),
        ("supply-links", "supply_links"),
        ("supply_link", "supply_links"),
        ("Regions", "regions"),
        ("talent-record", "talent_records"),
    ],
)
def test_kinds_are_found_by_singular_plural_or_dashed_names(name: str, kind: str) -> None:
    assert get_spec(name).kind == kind


@pytest.mark.parametrize(("name", "kind"), [("industry", "industries"), ("policy", "policies")])
def test_kinds_ending_in_ies_are_found_by_their_singular(name: str, kind: str) -> None:
    assert get_spec(name).kind == kind


def test_an_unknown_kind_lists_every_kind() -> None:
    with pytest.raises(ImportFormatError) as err:
        get_spec("firms")
    assert "unknown kind 'firms'" in err.value.message
    assert all(kind in err.value.message for kind in SPECS)
    assert len(SPECS) == 22
