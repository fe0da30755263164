"""Enterprise name normalisation: the same firm under its legal, short and English names."""

from __future__ import annotations

import pytest

from chainatlas.domain.names import normalise_name


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("杭州星海电池科技有限公司", "杭州星海电池科技股份有限公司"),
        ("杭州星海电池科技有限公司", "杭州星海电池科技有限责任公司"),
        ("腾讯科技（深圳）有限公司", "腾讯科技(深圳)有限公司"),
        ("腾讯科技（深圳）有限公司", "腾讯科技 深圳"),
        ("ＡＢＣ Ｔｅｃｈ Co., Ltd.", "abc tech"),
        ("Zhejiang Dahua Technology Co., Ltd.", "ZHEJIANG DAHUA TECHNOLOGY"),
        ("BYD Company Limited", "byd"),
        ("Siemens AG", "SIEMENS"),
    ],
)
def test_legal_forms_brackets_width_case_and_spaces_do_not_matter(a: str, b: str) -> None:
    assert normalise_name(a) == normalise_name(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("杭州星海电池科技有限公司", "杭州星河电池科技有限公司"),
        ("杭州星海电池科技有限公司", "宁波星海电池科技有限公司"),
    ],
)
def test_different_words_stay_different(a: str, b: str) -> None:
    assert normalise_name(a) != normalise_name(b)


def test_an_ascii_suffix_is_only_removed_at_a_word_boundary() -> None:
    assert normalise_name("Zhejiang") == "zhejiang"  # ends in "ag" but is not "AG"
    assert normalise_name("Ningbo Orient Cable Co.,Ltd") == "ningboorientcable"


def test_a_name_that_is_only_a_legal_form_is_kept() -> None:
    assert normalise_name("有限公司") == "有限公司"


def test_normalised_names_are_stable() -> None:
    once = normalise_name("杭州星海科技（集团）股份有限公司")
    assert once == "杭州星海科技集团"
    assert normalise_name(once) == once
