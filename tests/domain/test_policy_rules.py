"""The policy rule language: parsing, every error message, evaluation and explanations.

Gaps are computed by hand in the comments; the property test checks that the vectorised
evaluator and the per-enterprise evaluator agree on random rules and enterprises.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chainatlas.domain.policy_eval import evaluate, fmt_value, holds
from chainatlas.domain.policy_frame import evaluate_frame, frame_from_records
from chainatlas.domain.policy_rules import (
    FIELDS,
    AllOf,
    AnyOf,
    Condition,
    parse_rule,
    parse_rule_text,
)
from chainatlas.errors import RuleError


def r(field: str, op: str, value: Any, **kw: Any) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value, **kw}


# -- parsing ---------------------------------------------------------------------------


def test_the_demo_rule_format_parses_into_all_and_any() -> None:
    rule = parse_rule(
        {
            "all": [
                r("srdi_level", "in", ["provincial", "national"]),
                r("rd_intensity", ">=", 0.03),
            ],
            "any": [r("region", "in", ["330100", "330200"])],
        }
    )
    assert isinstance(rule.root, AllOf)
    first, second, anyof = rule.root.items
    assert isinstance(first, Condition) and first.path == "all[0]"
    assert isinstance(second, Condition) and second.value == 0.03
    assert isinstance(anyof, AnyOf) and anyof.items[0].path == "any[0]"  # type: ignore[union-attr]
    assert rule.keys() == {"srdi_level", "rd_intensity", "region"}


def test_the_empty_rule_holds_for_everyone() -> None:
    assert evaluate(parse_rule({}), {}).passed


def test_not_is_pushed_into_the_conditions() -> None:
    rule = parse_rule({"not": {"any": [r("listed", "==", True), r("revenue", "between", [1, 5])]}})
    assert isinstance(rule.root, AllOf)
    ops = [(c.field, c.op, c.negated) for c in rule.conditions()]
    assert ops == [("listed", "!=", True), ("revenue", "not_between", True)]


def test_a_year_selects_the_figure_of_that_year() -> None:
    rule = parse_rule({"all": [r("revenue", ">=", 1e8, year=2023)]})
    assert rule.keys() == {"revenue@2023"}


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"all": [r("revenu", ">=", 1)]},
         "all[0].field: unknown field 'revenu' (did you mean 'revenue'?)"),
        ({"all": [r("revenue", ">=", 1), r("emploees", ">", 1)]},
         "all[1].field: unknown field 'emploees' (did you mean 'employees'?)"),
        ({"all": [r("revenue", "=>", 1)]}, "all[0].op: unknown operator '=>' (did you mean '>'?)"),
        ({"all": [r("size_class", ">=", "large")]},
         "all[0].op: operator '>=' does not apply to 'size_class', which is a choice"),
        ({"all": [r("revenue", ">=", "1亿")]}, "all[0].value: 'revenue' is a number; got \"1亿\""),
        ({"all": [r("high_tech", "==", "yes")]}, "all[0].value: 'high_tech' is true or false"),
        ({"all": [r("size_class", "==", "lage")]},
         "all[0].value: 'lage' is not a size_class value (did you mean 'large'?)"),
        ({"all": [r("tags", "in", [])]}, "all[0].value: 'in' with an empty list can never hold"),
        ({"all": [r("revenue", "between", [5e8, 1e8])]},
         "all[0].value: 'between' with min 5e+08 > max 1e+08 can never hold"),
        ({"all": [r("revenue", ">=", 2e8), r("revenue", "<", 1e8)]},
         "all[0] and all[1] contradict each other: revenue >= 2e+08 and revenue < 1e+08"),
        ({"all": [r("size_class", "==", "large"), r("size_class", "in", ["small", "micro"])]},
         "all[0] and all[1] contradict each other"),
        ({"all": [r("revenue", "<", 0)]},
         "all[0]: revenue < 0 can never hold: revenue is never below 0"),
        ({"all": [r("age_years", "<", 3, year=2023)]},
         "all[0].year: 'age_years' is not a yearly figure"),
        ({"all": [r("revenue", ">", 1, year="2023")]}, "all[0].year: expected a year such as 2023"),
        ({"alll": []}, "alll: unknown key 'alll' (did you mean 'all'?)"),
        ({"all": [{"field": "revenue", "op": ">", "value": 1, "yaer": 2023}]},
         "all[0].yaer: unknown key 'yaer' (did you mean 'year'?)"),
        ({"all": [{"field": "revenue", "op": ">"}]}, "all[0]: a condition needs 'value'"),
        ({"any": []}, "any: 'any' with no rules can never hold"),
        ({"all": "revenue"}, "all: 'all' must be a list of rules"),
        ({"not": {"any": [r("listed", "!=", True), r("listed", "!=", False)]}},
         "not.any[0] and not.any[1] contradict each other"),
    ],
)  # fmt: skip
def test_every_bad_rule_names_the_path_and_the_problem(rule: Any, message: str) -> None:
    with pytest.raises(RuleError) as err:
        parse_rule(rule)
    assert err.value.message.startswith(message), err.value.message


def test_the_place_of_the_rule_prefixes_the_message() -> None:
    with pytest.raises(RuleError, match=r"^ZJ-1: all\[0\]\.field: unknown field"):
        parse_rule({"all": [r("x", "==", 1)]}, where="ZJ-1")


def test_a_json_syntax_error_names_line_and_column_of_the_file(tmp_path: Any) -> None:
    # line 3 is '    {"field": "revenue" "op": ">="}': 4 spaces, then '{"field": "revenue" '
    # fill columns 1-24, so the parser stops at the "op" (column 25) that lacks a comma
    path = tmp_path / "rule.json"
    path.write_text('{\n  "all": [\n    {"field": "revenue" "op": ">="}\n  ]\n}\n', "utf-8")
    text = path.read_text("utf-8")
    assert text.splitlines()[2].index('"op"') + 1 == 25
    with pytest.raises(RuleError) as err:
        parse_rule_text(text, where=path.name)
    assert err.value.message == (
        "rule.json: not valid JSON: Expecting ',' delimiter at line 3, column 25"
    )


# -- evaluation ------------------------------------------------------------------------


def test_a_failed_minimum_explains_the_gap_in_yuan() -> None:
    rule = parse_rule({"all": [r("revenue", ">=", 1e8)]})
    ev = evaluate(rule, {"revenue": 8.2e7, "revenue#year": 2024})
    (c,) = ev.failed
    assert not ev.passed and c.gap == pytest.approx(1.8e7)  # 1亿 - 8,200万
    assert c.reason == "revenue (2024) is 8,200万 — 1,800万 short of 1亿"
    assert c.reason_zh == "营业收入（2024年）为8,200万，距1亿还差1,800万"


def test_a_failed_ratio_gap_is_in_percentage_points() -> None:
    rule = parse_rule({"all": [r("rd_intensity", ">=", 0.03)]})
    (c,) = evaluate(rule, {"rd_intensity": 0.025, "rd_intensity#year": 2023}).failed
    assert c.gap == pytest.approx(0.005)
    assert c.reason == "R&D intensity (2023) is 2.5% — 0.5 percentage points short of 3%"


def test_a_failed_maximum_and_a_range_say_how_far_over() -> None:
    rule = parse_rule({"all": [r("energy_use", "<=", 5000), r("employees", "between", [20, 300])]})
    ev = evaluate(rule, {"energy_use": 6000.0, "employees": 10.0})
    energy, staff = ev.failed
    assert energy.gap == pytest.approx(1000) and "1,000 tce over 5,000 tce" in energy.reason
    assert staff.gap == pytest.approx(10) and staff.reason == "employees is 10 — 10 short of 20"


def test_missing_data_fails_whatever_the_operator() -> None:
    for op, value in (("<", 1e8), ("!=", 5.0), ("not_between", [1.0, 2.0])):
        rule = parse_rule({"all": [r("revenue", op, value, year=2023)]})
        (c,) = evaluate(rule, {}).failed
        assert c.missing and c.reason == "no 2023 revenue on record"
    neg = parse_rule({"not": r("tags", "contains", "x")})
    assert not evaluate(neg, {"tags": None}).passed


def test_any_fails_with_every_branch_and_passes_with_one() -> None:
    rule = parse_rule({"any": [r("listed", "==", True), r("srdi_level", "==", "national")]})
    failed = evaluate(rule, {"listed": False, "srdi_level": "provincial"})
    assert [c.field for c in failed.failed] == ["listed", "srdi_level"]
    ok = evaluate(rule, {"listed": False, "srdi_level": "national"})
    assert ok.passed and ok.failed == () and len(ok.conditions) == 2


def test_set_fields_match_any_all_or_none_of_the_values() -> None:
    region = frozenset({"CN", "330000", "330100"})
    assert holds(Condition("", "region", "in", ["330100", "330200"]), region)
    assert not holds(Condition("", "region", "not_in", ["330100"]), region)
    assert holds(Condition("", "region", "contains", ["CN", "330000"]), region)
    assert not holds(Condition("", "region", "contains", ["CN", "330200"]), region)
    assert holds(Condition("", "region", "!=", "330200"), region)


def test_money_and_ratios_are_formatted_for_people() -> None:
    rev, ratio = FIELDS["revenue"], FIELDS["rd_intensity"]
    assert [fmt_value(rev, x) for x in (1.25e8, 3e4, 950.0)] == ["1.25亿", "3万", "950元"]
    assert fmt_value(ratio, 0.1234) == "12.34%"


# -- vectorised evaluator agrees with the per-enterprise one ------------------------------

_NUM = ("revenue", "rd_intensity", "age_years", "employees")
_CHOICE = {"size_class": ("large", "medium", "small", "micro"), "srdi_level": ("none", "national")}
_TAGS = ("a", "b", "c")

num_cond = st.builds(
    lambda f, op, v: r(f, op, v),
    st.sampled_from(_NUM),
    st.sampled_from(["==", "!=", ">", ">=", "<", "<="]),
    st.sampled_from([0.0, 1.0, 2.5, 10.0]),
)
between_cond = st.builds(
    lambda f, lo, width, op: r(f, op, [lo, lo + width]),
    st.sampled_from(_NUM),
    st.sampled_from([0.0, 1.0, 2.5]),
    st.sampled_from([0.0, 1.5, 8.0]),
    st.sampled_from(["between", "not_between"]),
)
choice_cond = st.one_of(
    st.builds(
        lambda f, op, v: r(f, op, v),
        st.sampled_from(list(_CHOICE)),
        st.sampled_from(["==", "!="]),
        st.sampled_from(["large", "small", "none", "national"]),
    ),
    st.builds(
        lambda f, op, vs: r(f, op, vs),
        st.sampled_from(list(_CHOICE)),
        st.sampled_from(["in", "not_in"]),
        st.lists(st.sampled_from(["medium", "micro", "national", "none"]), min_size=1, max_size=2),
    ),
)
set_cond = st.builds(
    lambda op, vs: r("tags", op, vs),
    st.sampled_from(["in", "not_in", "contains", "not_contains"]),
    st.lists(st.sampled_from(_TAGS), min_size=1, max_size=2),
)
bool_cond = st.builds(
    lambda op, v: r("listed", op, v), st.sampled_from(["==", "!="]), st.booleans()
)
leaf = st.one_of(num_cond, between_cond, choice_cond, set_cond, bool_cond)
rules = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda x: {"not": x}, inner),
    ),
    max_leaves=6,
)


def _maybe(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), values)


records = st.fixed_dictionaries(
    {
        **{f: _maybe(st.sampled_from([0.0, 1.0, 2.5, 4.0, 10.0, 11.0])) for f in _NUM},
        "size_class": _maybe(st.sampled_from(_CHOICE["size_class"])),
        "srdi_level": _maybe(st.sampled_from(_CHOICE["srdi_level"])),
        "tags": _maybe(st.frozensets(st.sampled_from(_TAGS))),
        "listed": _maybe(st.booleans()),
    }
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=rules, recs=st.lists(records, min_size=1, max_size=12))
def test_the_vectorised_and_the_per_enterprise_evaluators_agree(
    rule: dict[str, Any], recs: list[dict[str, Any]]
) -> None:
    data = rule if ("all" in rule or "any" in rule or "not" in rule) else {"all": [rule]}
    try:
        parsed = parse_rule(data)
    except RuleError:
        assume(False)
        return
    keys = set(_NUM) | set(_CHOICE) | {"tags", "listed"}
    frame = frame_from_records(list(range(len(recs))), recs, keys)
    fast = evaluate_frame(parsed, frame)
    slow = np.array([evaluate(parsed, rec).passed for rec in recs])
    np.testing.assert_array_equal(fast, slow)
    again = np.array([evaluate(parsed, frame.record(i)).passed for i in range(len(recs))])
    np.testing.assert_array_equal(again, slow)


def test_a_missing_frame_column_is_reported() -> None:
    rule = parse_rule({"all": [r("revenue", ">", 1)]})
    frame = frame_from_records([1], [{"employees": 3.0}], {"employees"})
    with pytest.raises(KeyError, match="revenue"):
        evaluate_frame(rule, frame)


def test_record_turns_nan_into_none() -> None:
    frame = frame_from_records([7], [{"revenue": None, "tags": None}], {"revenue", "tags"})
    rec = frame.record(0)
    assert rec["revenue"] is None and rec["tags"] is None
    assert not math.isnan(frame.ids[0])
