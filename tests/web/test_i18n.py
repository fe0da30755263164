"""Message catalogs: same keys in both languages, every key used exists; language choice;
money and number formatting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chainatlas.web.formatting import fmt_count, fmt_money, fmt_number, fmt_share
from chainatlas.web.i18n import catalog, from_accept_language, negotiate, translator

WEB = Path(__file__).resolve().parents[2] / "src" / "chainatlas" / "web"
# t("key") / t('key'), and dynamic keys built as t("prefix." + value)
_STATIC = re.compile(r"""\bt\(\s*["']([A-Za-z0-9_.+]+)["']\s*[,)]""")
_DYNAMIC = re.compile(r"""\bt\(\s*["']([A-Za-z0-9_]+\.)["']\s*[+~]""")

# Every value a dynamic key is completed with (the domain's closed sets).
DYNAMIC_VALUES = {
    "status.": ["strong", "present", "weak", "missing", "label"],
    "risk.": ["high", "medium", "low", "none"],
    "position.": ["upstream", "midstream", "downstream"],
    "level.": ["country", "province", "city", "district", "park", "group"],
    "role.": ["admin", "analyst", "enterprise", "viewer"],
    "role_in_chain.": ["chain_owner", "leader", "chain_owner+leader"],
    "size.": ["large", "medium", "small", "micro"],
    "srdi.": ["none", "seedling", "provincial", "national"],
    "enterprise.": ["output_value", "revenue", "rd_spend", "suppliers", "customers"],
    "error.": [
        f"{s}.{p}" for s in (401, 403, 404, 405, 409, 422, 500, "other") for p in ("title", "help")
    ],
}


def used_keys() -> tuple[set[str], set[str]]:
    static: set[str] = set()
    prefixes: set[str] = set()
    for path in [*WEB.glob("templates/*.html"), *WEB.glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        static |= set(_STATIC.findall(text))
        prefixes |= set(_DYNAMIC.findall(text))
    return static, prefixes


def test_both_catalogs_have_the_same_keys() -> None:
    zh, en = catalog("zh"), catalog("en")
    assert set(zh) == set(en)
    assert all(v.strip() for v in zh.values()) and all(v.strip() for v in en.values())


def test_every_key_used_in_templates_and_code_exists() -> None:
    static, prefixes = used_keys()
    assert len(static) > 100
    missing = sorted(k for k in static if k not in catalog("zh"))
    assert missing == []
    assert prefixes <= set(DYNAMIC_VALUES), prefixes - set(DYNAMIC_VALUES)
    dynamic = {p + v for p in prefixes for v in DYNAMIC_VALUES[p]}
    assert sorted(k for k in dynamic if k not in catalog("zh")) == []


def test_placeholders_are_the_same_in_both_languages() -> None:
    zh, en = catalog("zh"), catalog("en")
    for key in zh:
        assert set(re.findall(r"{(\w+)}", zh[key])) == set(re.findall(r"{(\w+)}", en[key])), key


def test_templates_hold_no_chinese_text_of_their_own() -> None:
    han = re.compile(r"[\u4e00-\u9fff]")
    for path in WEB.glob("templates/*.html"):
        for line in path.read_text(encoding="utf-8").splitlines():
            # the list separator 、 is punctuation, not text
            assert not han.search(line), f"{path.name}: {line.strip()}"


def test_translator_fills_placeholders_and_shows_unknown_keys_as_themselves() -> None:
    t = translator("en")
    assert t("chain.n_risk_points", n=3) == "3 risk points"
    assert translator("zh")("chain.n_risk_points", n=3) == "3个风险点"
    assert t("no.such.key") == "no.such.key"


@pytest.mark.parametrize(
    ("header", "want"),
    [
        ("en-GB,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("fr-FR,en;q=0.5,zh;q=0.9", "zh"),
        ("de", None),
        ("en;q=0", None),
        ("", None),
    ],
)
def test_the_browser_language_is_read_by_weight(header: str, want: str | None) -> None:
    assert from_accept_language(header) == want


def test_query_beats_saved_locale_beats_cookie_beats_browser() -> None:
    assert negotiate("en", "zh", "zh", "zh") == "en"
    assert negotiate(None, "en", "zh", "zh") == "en"
    assert negotiate(None, None, "en", "zh") == "en"
    assert negotiate(None, None, None, "en-US") == "en"
    assert negotiate("xx", None, None, None) == "zh"


def test_money_is_in_wan_and_yi_yuan_in_chinese_and_millions_in_english() -> None:
    # 1 亿 = 10^8 yuan, 1 万 = 10^4 yuan; 1 million = 10^6 yuan
    assert fmt_money(2.5e8, "zh") == "2.50亿元"
    assert fmt_money(99_999_999, "zh") == "10,000.0万元"
    assert fmt_money(123_456, "zh") == "12.3万元"
    assert fmt_money(2.5e8, "en") == "CNY 250.0 m"
    assert fmt_money(1_234_567_890, "en") == "CNY 1,234.6 m"
    assert fmt_money(None, "zh") == fmt_money(float("nan"), "en") == "—"


def test_shares_numbers_and_counts() -> None:
    assert fmt_share(0.0567) == "5.7%" and fmt_share(None) == "—"
    assert fmt_number(0.8389) == "0.84" and fmt_number(float("inf")) == "—"
    assert fmt_count(1234567) == "1,234,567"
