"""Cell parsers: money with units, shares, dates, yes/no, lists, numbers, choices, JSON."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from chainatlas.importers.values import (
    ValueProblem,
    is_empty,
    money_unit,
    parse_bool,
    parse_choice,
    parse_date,
    parse_float,
    parse_int,
    parse_json,
    parse_list,
    parse_money,
    parse_share,
    parse_text,
)


@pytest.mark.parametrize(
    ("raw", "unit", "yuan"),
    [
        ("300", 1.0, 300.0),
        ("300", 1e4, 3_000_000.0),
        ("300万元", 1.0, 3_000_000.0),
        ("300万", 1.0, 3_000_000.0),
        ("12.5亿", 1.0, 1_250_000_000.0),
        ("12.5 亿元", 1.0, 1_250_000_000.0),
        ("1,234元", 1.0, 1234.0),
        ("2千元", 1.0, 2000.0),
        ("3百万元", 1.0, 3_000_000.0),
        ("０.５亿元", 1.0, 50_000_000.0),
        ("5 CNY", 1.0, 5.0),
        (1500, 1e4, 15_000_000.0),
        (2.5, 1e8, 250_000_000.0),
    ],
)
def test_money_is_converted_to_yuan(raw: object, unit: float, yuan: float) -> None:
    assert parse_money(raw, unit) == pytest.approx(yuan)


def test_unit_in_the_value_wins_over_the_unit_of_the_header() -> None:
    # A 万元 column holding "3亿" means 3亿 yuan, not 3亿 x 10 000.
    assert parse_money("3亿", unit=1e4) == pytest.approx(3e8)
    assert parse_money("3元", unit=1e8) == pytest.approx(3.0)


@pytest.mark.parametrize("raw", ["3 apples", "7000亿美元", "12 kg", "5 USD"])
def test_money_with_an_unknown_unit_is_rejected_with_the_unit_named(raw: str) -> None:
    with pytest.raises(ValueProblem, match=r"unknown money unit") as err:
        parse_money(raw)
    assert "元" in str(err.value)


@pytest.mark.parametrize("raw", ["abc", "约三百万", "亿", "1.2.3"])
def test_money_that_is_not_a_number_is_rejected(raw: str) -> None:
    with pytest.raises(ValueProblem):
        parse_money(raw)


def test_money_accepts_the_english_multi_word_units_it_lists() -> None:
    assert parse_money("5 million yuan") == pytest.approx(5e6)
    assert parse_money("1.5 billion yuan") == pytest.approx(1.5e9)


def test_money_units_are_found_in_either_language_and_unknown_ones_are_none() -> None:
    assert money_unit("万元") == 1e4
    assert money_unit(" 亿元 ") == 1e8
    assert money_unit("Million Yuan") == 1e6
    assert money_unit("美元") is None
    assert money_unit("kg") is None


@pytest.mark.parametrize(
    ("raw", "share"),
    [
        ("35%", 0.35),
        ("35 %", 0.35),
        ("３５％", 0.35),
        ("0.35", 0.35),
        (0.35, 0.35),
        (1, 1.0),
        ("0%", 0.0),
        ("100%", 1.0),
        ("12.5%", 0.125),
    ],
)
def test_shares_are_fractions_from_percentages_or_decimals(raw: object, share: float) -> None:
    assert parse_share(raw) == pytest.approx(share)


@pytest.mark.parametrize("raw", [35, "35", "1.5", "-1%", "101%"])
def test_shares_outside_zero_to_one_are_rejected_with_a_hint(raw: object) -> None:
    with pytest.raises(ValueProblem, match=r"between 0 and 1 \(or a percentage such as 35%\)"):
        parse_share(raw)


def test_a_share_with_another_suffix_is_rejected() -> None:
    with pytest.raises(ValueProblem, match="not a share"):
        parse_share("35‰")


@pytest.mark.parametrize(
    "raw",
    [
        "2024-05-01",
        "2024/5/1",
        "2024.05.01",
        "20240501",
        "2024年5月1日",
        20240501,
        datetime(2024, 5, 1, 13, 30),
        date(2024, 5, 1),
        " 2024-05-01 ",
    ],
)
def test_dates_in_common_formats_parse_to_the_same_day(raw: object) -> None:
    assert parse_date(raw) == date(2024, 5, 1)


@pytest.mark.parametrize(
    ("raw", "day"),
    [("2024-05", date(2024, 5, 1)), ("2024年5月", date(2024, 5, 1)), ("2024", date(2024, 1, 1))],
)
def test_a_month_or_a_year_means_its_first_day(raw: str, day: date) -> None:
    assert parse_date(raw) == day


@pytest.mark.parametrize("raw", ["2024-02-30", "2024-13-01", "yesterday", "05/01/2024", "24-5-1"])
def test_bad_dates_are_rejected_with_the_expected_format(raw: str) -> None:
    with pytest.raises(ValueProblem, match="not a date"):
        parse_date(raw)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("是", True),
        ("否", False),
        ("有", True),
        ("无", False),
        ("Y", True),
        ("n", False),
        ("TRUE", True),
        ("false", False),
        ("√", True),
        ("×", False),
        (1, True),
        (0, False),
        (True, True),
        (False, False),
        (None, None),
        ("", None),
        ("-", None),
    ],
)
def test_yes_and_no_are_read_in_chinese_and_english(raw: object, value: bool | None) -> None:
    assert parse_bool(raw) is value


@pytest.mark.parametrize("raw", ["也许", "maybe", 2, "0.5"])
def test_anything_else_is_not_a_yes_or_no(raw: object) -> None:
    with pytest.raises(ValueProblem, match="expected yes or no"):
        parse_bool(raw)


@pytest.mark.parametrize(
    ("raw", "items"),
    [
        ("磷酸铁锂；三元材料", ["磷酸铁锂", "三元材料"]),
        ("a; b ;c", ["a", "b", "c"]),
        ("电芯、模组|Pack", ["电芯", "模组", "Pack"]),
        ("一\n二", ["一", "二"]),
        ('["x", " y ", ""]', ["x", "y"]),
        (["x", " ", "y"], ["x", "y"]),
        ("单项", ["单项"]),
        ("", []),
        ("-", []),
        (None, None),
    ],
)
def test_lists_split_on_chinese_and_english_separators_or_read_json(
    raw: object, items: list[str] | None
) -> None:
    assert parse_list(raw) == items


def test_a_broken_json_list_is_rejected() -> None:
    with pytest.raises(ValueProblem, match="not a valid JSON list"):
        parse_list('["x", ')


@pytest.mark.parametrize(("raw", "value"), [("1,200", 1200), ("12", 12), ("12.0", 12), (7.0, 7)])
def test_whole_numbers_accept_thousands_separators(raw: object, value: int) -> None:
    assert parse_int(raw) == value


def test_a_fraction_is_not_a_whole_number() -> None:
    with pytest.raises(ValueProblem, match="whole number"):
        parse_int("12.5")


@pytest.mark.parametrize("raw", ["12万", "1.5kg", True])
def test_plain_numbers_take_no_units(raw: object) -> None:
    with pytest.raises(ValueProblem):
        parse_float(raw)


def test_non_finite_numbers_are_rejected() -> None:
    with pytest.raises(ValueProblem, match="finite"):
        parse_float(float("inf"))


@pytest.mark.parametrize(
    "raw", [None, "", "  ", "-", "--", "N/A", "null", "NaN", float("nan"), "——", "#N/A"]
)
def test_empty_looking_cells_are_empty(raw: object) -> None:
    assert is_empty(raw)
    assert parse_text(raw) is None
    assert parse_float(raw) is None
    assert parse_money(raw) is None


@pytest.mark.parametrize("raw", ["0", 0, "无", "否"])
def test_zero_and_no_are_not_empty(raw: object) -> None:
    assert not is_empty(raw)


def test_text_is_stripped_and_whole_floats_lose_their_decimal_point() -> None:
    assert parse_text("  杭州市 ") == "杭州市"
    assert parse_text(330100.0) == "330100"
    assert parse_text(3.5) == "3.5"


def test_choices_accept_labels_in_either_language_and_any_case() -> None:
    sizes = {"large": "large", "大型": "large", "Large": "large", "large enterprise": "large"}
    assert parse_choice("大型", sizes) == "large"
    assert parse_choice("LARGE", sizes) == "large"
    assert parse_choice("", sizes) is None
    with pytest.raises(ValueProblem, match="not one of large"):
        parse_choice("巨型", sizes)


def test_json_cells_parse_and_bad_json_names_the_position() -> None:
    assert parse_json('{"all": [{"field": "high_tech", "eq": true}]}') == {
        "all": [{"field": "high_tech", "eq": True}]
    }
    assert parse_json({"a": 1}) == {"a": 1}
    assert parse_json("") is None
    with pytest.raises(ValueProblem, match="not valid JSON: .* at character 1"):
        parse_json("{all: 1}")
