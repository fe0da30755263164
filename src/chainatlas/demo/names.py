"""Enterprise names for the demo, in Chinese and English.

A domestic name follows the usual pattern 行政区划 + 字号 + 行业 + 组织形式, for example
杭州星源锂电科技有限公司 / Hangzhou Xingyuan Lithium Battery Technology Co., Ltd.; the
字号 (trade name) is two characters drawn from word lists, with their pinyin for the English
name. Foreign suppliers get a name in the style of their country (株式会社, GmbH, Inc., B.V.).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from chainatlas.domain.names import normalise_name

__all__ = [
    "BRAND_FIRST",
    "BRAND_SECOND",
    "CHAIN_WORDS",
    "EnterpriseNames",
    "domestic_names",
    "foreign_names",
]

BRAND_FIRST: tuple[tuple[str, str], ...] = (
    ("星", "Xing"), ("华", "Hua"), ("中", "Zhong"), ("天", "Tian"), ("恒", "Heng"),
    ("宏", "Hong"), ("新", "Xin"), ("金", "Jin"), ("东", "Dong"), ("海", "Hai"),
    ("瑞", "Rui"), ("博", "Bo"), ("立", "Li"), ("凯", "Kai"), ("远", "Yuan"),
    ("正", "Zheng"), ("鼎", "Ding"), ("汇", "Hui"), ("嘉", "Jia"), ("晶", "Jing"),
    ("卓", "Zhuo"), ("宇", "Yu"), ("盛", "Sheng"), ("德", "De"), ("信", "Xin"),
    ("明", "Ming"), ("光", "Guang"), ("联", "Lian"), ("创", "Chuang"), ("智", "Zhi"),
    ("科", "Ke"), ("万", "Wan"), ("永", "Yong"), ("佳", "Jia"), ("睿", "Rui"),
    ("泰", "Tai"), ("安", "An"), ("云", "Yun"), ("航", "Hang"), ("锐", "Rui"),
)  # fmt: skip
BRAND_SECOND: tuple[tuple[str, str], ...] = (
    ("源", "yuan"), ("达", "da"), ("辰", "chen"), ("恒", "heng"), ("邦", "bang"),
    ("芯", "xin"), ("微", "wei"), ("通", "tong"), ("力", "li"), ("驰", "chi"),
    ("能", "neng"), ("川", "chuan"), ("润", "run"), ("阳", "yang"), ("峰", "feng"),
    ("腾", "teng"), ("迈", "mai"), ("创", "chuang"), ("诺", "nuo"), ("拓", "tuo"),
    ("维", "wei"), ("捷", "jie"), ("宸", "chen"), ("澜", "lan"), ("奥", "ao"),
    ("誉", "yu"), ("弘", "hong"), ("晟", "sheng"), ("钧", "jun"), ("瀚", "han"),
    ("禾", "he"), ("越", "yue"), ("泽", "ze"), ("曦", "xi"), ("祥", "xiang"),
    ("锦", "jin"), ("骏", "jun"), ("桥", "qiao"), ("杉", "shan"), ("图", "tu"),
)  # fmt: skip

CHAIN_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "nev": (
        ("汽车", "Automotive"),
        ("新能源汽车", "New Energy Vehicle"),
        ("汽车部件", "Auto Parts"),
        ("智能驾驶", "Intelligent Driving"),
        ("电驱", "E-Drive"),
    ),
    "lithium_battery": (
        ("锂电", "Lithium Battery"),
        ("新能源", "New Energy"),
        ("储能", "Energy Storage"),
        ("电池材料", "Battery Materials"),
        ("新材料", "New Materials"),
    ),
    "integrated_circuit": (
        ("微电子", "Microelectronics"),
        ("半导体", "Semiconductor"),
        ("集成电路", "Integrated Circuit"),
        ("电子材料", "Electronic Materials"),
        ("芯片", "Chip"),
    ),
    "new_display": (
        ("光电", "Optoelectronics"),
        ("显示", "Display"),
        ("显示材料", "Display Materials"),
        ("光学", "Optics"),
    ),
    "photovoltaic": (
        ("光伏", "Photovoltaic"),
        ("太阳能", "Solar"),
        ("新能源", "New Energy"),
        ("硅业", "Silicon"),
    ),
    "biomedicine": (
        ("生物", "Biotech"),
        ("医药", "Pharmaceutical"),
        ("生物医药", "Biomedicine"),
        ("医疗器械", "Medical Devices"),
        ("药业", "Pharma"),
    ),
    "industrial_robot": (
        ("机器人", "Robotics"),
        ("智能装备", "Intelligent Equipment"),
        ("自动化", "Automation"),
        ("精密传动", "Precision Transmission"),
        ("机电", "Electromechanical"),
    ),
    "artificial_intelligence": (
        ("智能", "Intelligence"),
        ("信息技术", "Information Technology"),
        ("数据", "Data"),
        ("人工智能", "Artificial Intelligence"),
        ("软件", "Software"),
    ),
}
_GENERIC_WORDS: tuple[tuple[str, str], ...] = (
    ("精密", "Precision"),
    ("电子", "Electronics"),
    ("材料", "Materials"),
    ("装备", "Equipment"),
)
# Legal forms of a private domestic firm; listed firms are always 股份有限公司.
_FORMS: tuple[tuple[str, str], ...] = (
    ("科技有限公司", "Technology Co., Ltd."),
    ("有限公司", "Co., Ltd."),
    ("技术有限公司", "Technology Co., Ltd."),
    ("股份有限公司", "Co., Ltd."),
)
_FORM_WEIGHTS = np.array([0.45, 0.3, 0.13, 0.12])
_LISTED_FORM = ("股份有限公司", "Co., Ltd.")
_GROUP_FORM = ("集团有限公司", "Group Co., Ltd.")

# What normalisation leaves of each domestic legal form ("科技有限公司" -> "科技").
_NORM_FORM = {
    form: normalise_name("甲" + form)[1:] for form, _ in (*_FORMS, _LISTED_FORM, _GROUP_FORM)
}

_FOREIGN_BRANDS: dict[str, tuple[tuple[str, str], ...]] = {
    "JP": (
        ("Aoyama", "青山"), ("Hoshino", "星野"), ("Kawaguchi", "川口"), ("Nishida", "西田"),
        ("Morikawa", "森川"), ("Fujisawa", "藤泽"), ("Takahara", "高原"), ("Mitani", "三谷"),
    ),
    "KR": (
        ("Daesung", "大成"), ("Hanbit", "韩光"), ("Seojin", "瑞进"), ("Mirae", "未来"),
        ("Sejong", "世宗"), ("Jinwoo", "镇宇"),
    ),
    "DE": (
        ("Bergmann", "贝格曼"), ("Hofmann", "霍夫曼"), ("Keller", "凯勒"), ("Winter", "温特"),
        ("Krause", "克劳泽"), ("Lindner", "林德纳"),
    ),
    "US": (
        ("Redwood", "红木"), ("Crestline", "克雷斯特"), ("Bayview", "湾景"),
        ("Northstar", "北极星"), ("Ridgeway", "瑞吉威"), ("Clearwater", "清水"),
    ),
    "NL": (
        ("Van Dijk", "范戴克"), ("De Vries", "德弗里斯"), ("Bakker", "巴克"),
        ("Visser", "维瑟"), ("Mulder", "穆尔德"),
    ),
}  # fmt: skip
_FOREIGN_SITES: dict[str, tuple[tuple[str, str], ...]] = {
    "JP": (("九州", "Kyushu"), ("关西", "Kansai"), ("东北", "Tohoku"), ("中部", "Chubu")),
    "KR": (("仁川", "Incheon"), ("釜山", "Busan"), ("龟尾", "Gumi")),
    "DE": (("巴伐利亚", "Bavaria"), ("萨克森", "Saxony"), ("黑森", "Hesse")),
    "US": (("德州", "Texas"), ("亚利桑那", "Arizona"), ("俄勒冈", "Oregon")),
    "NL": (("埃因霍温", "Eindhoven"), ("鹿特丹", "Rotterdam")),
}
_FOREIGN_FORMS: dict[str, tuple[tuple[str, str], ...]] = {
    "JP": (("株式会社", "Co., Ltd."), ("株式会社", "Corporation")),
    "KR": (("株式会社", "Co., Ltd."), ("株式会社", "Corporation")),
    "DE": (("有限公司", "GmbH"), ("股份公司", "AG")),
    "US": (("公司", "Inc."), ("公司", "Corporation")),
    "NL": (("公司", "B.V."), ("公司", "N.V.")),
}


@dataclass(frozen=True, slots=True)
class EnterpriseNames:
    """Names for a batch of enterprises: legal, English, short (简称) and normalised names.

    ``norm`` equals :func:`~chainatlas.domain.names.normalise_name` of ``name``.
    """

    name: list[str]
    name_en: list[str]
    short: list[str]
    norm: list[str]


def _words(chain_code: str) -> tuple[tuple[str, str], ...]:
    return CHAIN_WORDS.get(chain_code, ()) + _GENERIC_WORDS


def domestic_names(
    rng: np.random.Generator,
    cities_zh: Sequence[str],
    cities_en: Sequence[str],
    chain_codes: Sequence[str],
    listed: np.ndarray,
    large: np.ndarray,
) -> EnterpriseNames:
    """Return names for domestic firms, one per entry of the input sequences.

    ``cities_zh``/``cities_en`` are each firm's city without the 市 suffix; ``listed`` and
    ``large`` (boolean arrays) choose the legal form.
    """
    n = len(cities_zh)
    first = rng.integers(0, len(BRAND_FIRST), n)
    second = rng.integers(0, len(BRAND_SECOND), n)
    word_pick = rng.random(n)
    form = rng.choice(len(_FORMS), size=n, p=_FORM_WEIGHTS)
    group = rng.random(n) < 0.5
    with_city = rng.random(n) < 0.85
    names: list[str] = []
    names_en: list[str] = []
    short: list[str] = []
    norm: list[str] = []
    first_l, second_l, pick_l = first.tolist(), second.tolist(), word_pick.tolist()
    form_l, group_l, city_l = form.tolist(), group.tolist(), with_city.tolist()
    listed_l, large_l = listed.tolist(), large.tolist()
    for i in range(n):
        words = _words(chain_codes[i])
        word_zh, word_en = words[int(pick_l[i] * len(words))]
        brand_zh = BRAND_FIRST[first_l[i]][0] + BRAND_SECOND[second_l[i]][0]
        brand_en = BRAND_FIRST[first_l[i]][1] + BRAND_SECOND[second_l[i]][1]
        if listed_l[i]:
            form_zh, form_en = _LISTED_FORM
        elif large_l[i] and group_l[i]:
            form_zh, form_en = _GROUP_FORM
        else:
            form_zh, form_en = _FORMS[form_l[i]]
        if form_en.startswith("Technology") and word_en == "Information Technology":
            form_en = "Co., Ltd."
        city_zh, city_en = (cities_zh[i], f"{cities_en[i]} ") if city_l[i] else ("", "")
        names.append(f"{city_zh}{brand_zh}{word_zh}{form_zh}")
        names_en.append(f"{city_en}{brand_en} {word_en} {form_en}")
        short.append(f"{brand_zh}{word_zh[:2]}")
        # The prefix is plain Chinese text that normalisation keeps as it is.
        norm.append(f"{city_zh}{brand_zh}{word_zh}{_NORM_FORM[form_zh]}")
    return EnterpriseNames(names, names_en, short, norm)


def foreign_names(
    rng: np.random.Generator,
    countries: Sequence[str],
    chain_codes: Sequence[str],
    seen: dict[str, int],
) -> EnterpriseNames:
    """Return names for foreign firms in the style of each firm's ``countries`` entry.

    Foreign firms have no credit code, so their names must tell them apart. ``seen``
    counts the firms named so far per normalised base name; the second and later firms
    with a base name get a site qualifier (九州 / Kyushu) and, after every site is used, a
    number, so each normalised name is given once.
    """
    n = len(countries)
    brand_pick = rng.random(n).tolist()
    word_pick = rng.random(n).tolist()
    form_pick = rng.random(n).tolist()
    names: list[str] = []
    names_en: list[str] = []
    short: list[str] = []
    norm: list[str] = []
    for i in range(n):
        brands = _FOREIGN_BRANDS.get(countries[i], _FOREIGN_BRANDS["US"])
        forms = _FOREIGN_FORMS.get(countries[i], _FOREIGN_FORMS["US"])
        brand_en, brand_zh = brands[int(brand_pick[i] * len(brands))]
        words = _words(chain_codes[i])
        word_zh, word_en = words[int(word_pick[i] * len(words))]
        form_zh, form_en = forms[int(form_pick[i] * len(forms))]
        name, name_en = f"{brand_zh}{word_zh}{form_zh}", f"{brand_en} {word_en} {form_en}"
        base = normalise_name(name)
        k = seen.get(base, 0)
        seen[base] = k + 1
        key = base
        if k:
            sites = _FOREIGN_SITES.get(countries[i], _FOREIGN_SITES["US"])
            site_zh, site_en = sites[(k - 1) % len(sites)]
            number = (k - 1) // len(sites)
            if number:
                site_zh, site_en = f"{site_zh}{number + 1}", f"{site_en} {number + 1}"
            name = f"{brand_zh}{word_zh}{form_zh}（{site_zh}）"
            name_en = f"{brand_en} {word_en} ({site_en}) {form_en}"
            key = normalise_name(name)
        names.append(name)
        names_en.append(name_en)
        short.append(brand_zh)
        norm.append(key)
    return EnterpriseNames(names, names_en, short, norm)
