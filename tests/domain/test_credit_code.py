"""Unified social credit codes: the GB 32100-2015 check character on real and generated codes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainatlas.domain.credit_code import (
    ALPHABET,
    check_credit_code,
    credit_code_check_char,
    is_valid_credit_code,
    normalise_credit_code,
)

#: Codes published by the firms themselves (business licences, annual reports).
REAL_CODES = {
    "914403001922038216": "华为技术有限公司",
    "9144030071526726XG": "腾讯科技（深圳）有限公司",
    "91440300708461136T": "深圳市腾讯计算机系统有限公司",
    "91440300192317458F": "比亚迪股份有限公司",
    "91330100799655058B": "阿里巴巴（中国）有限公司",
    "91110000710926094P": "中国石油化工股份有限公司",
}
#: The weights of GB 32100-2015, table 3, as printed in the standard.
STANDARD_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

code17 = st.text(alphabet=ALPHABET, min_size=17, max_size=17)


@pytest.mark.parametrize("code", sorted(REAL_CODES))
def test_real_published_codes_are_valid(code: str) -> None:
    assert is_valid_credit_code(code), REAL_CODES[code]
    assert credit_code_check_char(code[:17]) == code[17]


def test_the_alphabet_has_31_characters_without_i_o_s_v_z() -> None:
    assert len(ALPHABET) == 31
    assert set("IOSVZ").isdisjoint(ALPHABET)


def test_the_weights_3_to_the_i_mod_31_are_the_weights_printed_in_the_standard() -> None:
    assert [pow(3, i, 31) for i in range(17)] == STANDARD_WEIGHTS


def test_the_weights_are_distinct_and_not_zero_mod_31() -> None:
    # 31 is prime, so (new - old) * w is 0 mod 31 only when new == old: every single
    # substitution changes the check character. Distinct weights mean that swapping two
    # different characters changes it too.
    assert 0 not in STANDARD_WEIGHTS
    assert len(set(STANDARD_WEIGHTS)) == 17


def test_every_single_substitution_of_a_real_code_is_caught() -> None:
    code = "914403001922038216"
    for i in range(18):
        for c in ALPHABET:
            if c != code[i]:
                changed = code[:i] + c + code[i + 1 :]
                assert not is_valid_credit_code(changed), changed


@settings(derandomize=True, max_examples=300, deadline=None)
@given(first=code17)
def test_any_17_characters_plus_their_check_character_are_valid(first: str) -> None:
    assert is_valid_credit_code(first + credit_code_check_char(first))


@settings(derandomize=True, max_examples=300, deadline=None)
@given(first=code17, position=st.integers(0, 17), shift=st.integers(1, 30))
def test_changing_any_one_character_makes_a_valid_code_invalid(
    first: str, position: int, shift: int
) -> None:
    code = first + credit_code_check_char(first)
    new = ALPHABET[(ALPHABET.index(code[position]) + shift) % 31]
    changed = code[:position] + new + code[position + 1 :]
    assert changed != code
    assert not is_valid_credit_code(changed)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(first=code17, i=st.integers(0, 16), j=st.integers(0, 16))
def test_swapping_two_different_characters_makes_a_valid_code_invalid(
    first: str, i: int, j: int
) -> None:
    code = first + credit_code_check_char(first)
    chars = list(code)
    chars[i], chars[j] = chars[j], chars[i]
    swapped = "".join(chars)
    assert is_valid_credit_code(swapped) == (swapped == code)


def test_a_wrong_check_character_names_the_expected_one() -> None:
    check = check_credit_code("914403001922038217")
    assert not check.ok
    assert check.reason == "check character is 7, expected 6 (GB 32100-2015)"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("91440300192203821", "must have 18 characters, has 17"),
        ("9144030019220382160", "must have 18 characters, has 19"),
        ("", "must have 18 characters, has 0"),
        ("91440300192203821I", "contains characters not allowed in a credit code: I"),
        ("9144030O1922038S16", "contains characters not allowed in a credit code: OS"),
    ],
)
def test_malformed_codes_are_rejected_with_the_reason(raw: str, reason: str) -> None:
    check = check_credit_code(raw)
    assert not check.ok
    assert check.reason == reason


def test_codes_are_normalised_from_lower_case_full_width_spaces_and_dashes() -> None:
    assert normalise_credit_code(" 9144 0300-7152 6726xg ") == "9144030071526726XG"
    assert normalise_credit_code("９１４４０３００１９２２０３８２１６") == "914403001922038216"
    assert normalise_credit_code("914403001922038216\u3000") == "914403001922038216"
    assert is_valid_credit_code("9144030071526726xg")
    assert check_credit_code("9144-0300-7152-6726-XG").code == "9144030071526726XG"


def test_the_check_character_needs_exactly_17_characters() -> None:
    with pytest.raises(ValueError, match="exactly 17"):
        credit_code_check_char("9144")
