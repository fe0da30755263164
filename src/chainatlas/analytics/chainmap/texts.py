"""Bilingual (简体中文 / English) reasons and countermeasures built from the measures.

Every reason carries a stable ``code`` (for filtering and translation elsewhere) and the
sentence in both languages with the numbers that triggered it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chainatlas.analytics.chainmap.risk import REASON_CODES, RiskRule
from chainatlas.analytics.chainmap.strength import StrengthThresholds

__all__ = [
    "Text",
    "countermeasure_text",
    "fmt_share",
    "fmt_yuan",
    "risk_reasons",
    "status_reason",
]


@dataclass(frozen=True, slots=True)
class Text:
    """One bilingual sentence with a stable code."""

    code: str
    zh: str
    en: str

    def to_dict(self) -> dict[str, str]:
        """Return ``{"code", "zh", "en"}``."""
        return {"code": self.code, "zh": self.zh, "en": self.en}


def fmt_share(x: float) -> str:
    """Format a share as a percentage (``"n/a"`` when undefined).

    >>> fmt_share(0.625), fmt_share(float("nan"))
    ('62.5%', 'n/a')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{100 * x:.1f}%".replace(".0%", "%")


def fmt_yuan(x: float | None, lang: str = "en") -> str:
    """Format yuan: 亿元 / 万元 in Chinese, million / billion yuan in English.

    >>> fmt_yuan(2.5e8, "zh"), fmt_yuan(2.5e8), fmt_yuan(None)
    ('2.50亿元', '250.0 million yuan', 'n/a')
    """
    if x is None or math.isnan(x):
        return "n/a"
    if lang == "zh":
        return f"{x / 1e8:.2f}亿元" if abs(x) >= 1e8 else f"{x / 1e4:.1f}万元"
    return f"{x / 1e9:.2f} billion yuan" if abs(x) >= 1e9 else f"{x / 1e6:.1f} million yuan"


def _num(m: Mapping[str, Any], key: str) -> float:
    v = m.get(key)
    return float("nan") if v is None else float(v)


def risk_reasons(
    found: Mapping[str, Any],
    measures: Mapping[str, Any],
    *,
    segment: tuple[str, str],
    product: str = "",
    choke_technologies: tuple[str, ...] = (),
    rule: RiskRule | None = None,
    segment_level: bool = False,
) -> list[Text]:
    """Return the reasons that fired, in :data:`REASON_CODES` order, with their numbers.

    When none fired, one ``no_finding`` text states the supply figures instead.

    ``found`` maps a reason code to whether it applies (a row of
    :func:`~chainatlas.analytics.chainmap.risk.score_risks`); ``measures`` holds
    ``suppliers``, ``hhi``, ``foreign_share``, ``outside_share``, ``geo_hhi`` and the
    ``alt_*`` counts; ``segment`` is (Chinese name, English name).

    Examples
    --------
    >>> [t.en for t in risk_reasons({"single_source": True}, {"suppliers": 1},
    ...                             segment=("电芯", "cells"), product="LFP cell")]
    ['Single source: LFP cell (cells) comes from one supplier only.']
    """
    r = rule or RiskRule()
    zh_seg, en_seg = segment
    what_zh = f"{product}（{zh_seg}）" if product else zh_seg
    what_en = f"{product} ({en_seg})" if product else en_seg
    n_raw = _num(measures, "suppliers")
    n = 0 if math.isnan(n_raw) else int(n_raw)
    hhi = _num(measures, "hhi")
    foreign = _num(measures, "foreign_share")
    outside = _num(measures, "outside_share")
    geo = _num(measures, "geo_hhi")
    alt = _num(measures, "alt_country")
    alt_c = 0 if math.isnan(alt) else int(alt)
    techs = "、".join(choke_technologies)
    techs_en = "; ".join(choke_technologies)
    if n == 0:
        no_local = (
            f"本地无供给：本地区没有{zh_seg}环节的企业，而本地下游环节需要它。",
            f"No local supply: no local enterprise works in {en_seg}, which local segments need.",
        )
    else:
        no_local = (
            f"本地无供给：本地企业所需的{what_zh}全部来自区外（{n}家供应商）。",
            f"No local supply: local buyers get all their {what_en} from outside the region "
            f"({n} suppliers).",
        )
    essential = (
        (
            "关键投入：本地下游环节离不开该环节。",
            "Essential input: a local segment cannot produce without it.",
        )
        if segment_level
        else (
            "关键投入：该投入中断将导致采购方停产。",
            "Essential input: the buyer cannot produce without it.",
        )
    )
    texts = {
        "no_local_supply": no_local,
        "single_source": (
            f"单一来源：{what_zh}仅由1家供应商供货。",
            f"Single source: {what_en} comes from one supplier only.",
        ),
        "concentrated": (
            f"供应高度集中：{n}家供应商，HHI={hhi:.2f}（≥{r.hhi_high:g}）。",
            f"Highly concentrated supply: {n} suppliers, HHI {hhi:.2f} (≥ {r.hhi_high:g}).",
        ),
        "moderately_concentrated": (
            f"供应较集中：{n}家供应商，HHI={hhi:.2f}（≥{r.hhi_moderate:g}）。",
            f"Moderately concentrated supply: {n} suppliers, HHI {hhi:.2f} (≥ {r.hhi_moderate:g}).",
        ),
        "foreign_dependent": (
            f"依赖境外：{fmt_share(foreign)}来自境外供应商。",
            f"Foreign dependence: {fmt_share(foreign)} comes from suppliers abroad.",
        ),
        "foreign_exposed": (
            f"部分依赖境外：{fmt_share(foreign)}来自境外供应商。",
            f"Partly foreign: {fmt_share(foreign)} comes from suppliers abroad.",
        ),
        "outside_dependent": (
            f"依赖区外：{fmt_share(outside)}来自本地区以外。",
            f"Outside dependence: {fmt_share(outside)} comes from outside the region.",
        ),
        "geo_concentrated": (
            f"供应地集中：供应商所在地区HHI={geo:.2f}（≥{r.geo_high:g}）。",
            f"Supplier regions concentrated: regional HHI {geo:.2f} (≥ {r.geo_high:g}).",
        ),
        "choke_point": (
            f"卡脖子环节：{zh_seg}" + (f"（{techs}）" if techs else "") + "。",
            f"Choke point: {en_seg}" + (f" ({techs_en})" if techs_en else "") + ".",
        ),
        "essential_input": essential,
        "no_domestic_alternative": (
            "国内无替代：国内没有其他具备该环节能力的企业。",
            "No domestic alternative: no other enterprise in the country works in this segment.",
        ),
        "no_nearby_alternative": (
            f"本地及合作区无替代：国内另有{alt_c}家可替代企业，但均不在本地区或合作区。",
            f"No nearby alternative: {alt_c} capable enterprises elsewhere in the country, "
            "none in the region or its cooperation area.",
        ),
    }
    out: list[Text] = []
    for code in REASON_CODES:
        if bool(found.get(code, False)):
            zh, en = texts[code]
            out.append(Text(code, zh, en))
    if not out:
        hhi_txt = "n/a" if math.isnan(hhi) else f"{hhi:.2f}"
        out.append(
            Text(
                "no_finding",
                f"未发现风险：{what_zh}有{n}家供应商，HHI={hhi_txt}，境外占比{fmt_share(foreign)}。",
                f"No risk finding: {what_en} has {n} suppliers, HHI {hhi_txt}, foreign share "
                f"{fmt_share(foreign)}.",
            )
        )
    return out


def status_reason(
    status: str,
    enterprises: int,
    lq: float,
    *,
    segment: tuple[str, str],
    basis: str = "output",
    thresholds: StrengthThresholds | None = None,
) -> Text:
    """Explain a segment status in both languages.

    Examples
    --------
    >>> status_reason("weak", 1, 2.0, segment=("正极材料", "cathode")).en
    'Weak: cathode has 1 local enterprise(s) (fewer than 2); LQ 2.00.'
    """
    t = thresholds or StrengthThresholds()
    zh_seg, en_seg = segment
    lq_txt = "n/a" if lq is None or math.isnan(lq) else f"{lq:.2f}"
    by = "按企业数" if basis == "count" else "按产值"
    by_en = " by enterprise count" if basis == "count" else ""
    if status == "missing":
        return Text(
            "missing",
            f"缺失：本地区没有{zh_seg}环节的企业。",
            f"Missing: no local enterprise works in {en_seg}.",
        )
    if status == "strong":
        return Text(
            "strong",
            f"强：{zh_seg}有{enterprises}家本地企业，区位熵{lq_txt}（{by}，≥{t.strong_lq:g}）。",
            f"Strong: {en_seg} has {enterprises} local enterprises and LQ {lq_txt}{by_en} "
            f"(≥ {t.strong_lq:g}).",
        )
    if status == "weak":
        if enterprises < t.present_min_enterprises:
            return Text(
                "weak",
                f"弱：{zh_seg}仅有{enterprises}家本地企业（少于{t.present_min_enterprises}家）；"
                f"区位熵{lq_txt}。",
                f"Weak: {en_seg} has {enterprises} local enterprise(s) (fewer than "
                f"{t.present_min_enterprises}); LQ {lq_txt}.",
            )
        return Text(
            "weak",
            f"弱：{zh_seg}区位熵{lq_txt}（{by}，低于{t.weak_lq:g}），{enterprises}家本地企业。",
            f"Weak: {en_seg} has LQ {lq_txt}{by_en} (below {t.weak_lq:g}) with {enterprises} "
            "local enterprises.",
        )
    return Text(
        "present",
        f"具备：{zh_seg}有{enterprises}家本地企业，区位熵{lq_txt}。",
        f"Present: {en_seg} has {enterprises} local enterprises, LQ {lq_txt}.",
    )


def countermeasure_text(kind: str, **kw: Any) -> Text:
    """Return the sentence of one countermeasure.

    Kinds: ``alternative_suppliers`` (``segment``, ``names``), ``diversify``
    (``segment``, ``product``), ``localise`` (``segment``, ``n_local``),
    ``attract_investment`` (``segment``, ``names``), ``joint_rnd`` (``segment``,
    ``technologies``).

    Examples
    --------
    >>> countermeasure_text("attract_investment", segment=("隔膜", "separators"),
    ...                     names=["A Co"]).en
    'Attract investment into separators (补链); candidate enterprises: A Co.'
    """
    zh_seg, en_seg = kw["segment"]
    names = "、".join(kw.get("names", [])[:5])
    names_en = ", ".join(kw.get("names", [])[:5])
    if kind == "alternative_suppliers":
        return Text(
            kind,
            f"对接替代供应商：{names}（{zh_seg}）。",
            f"Qualify alternative suppliers for {en_seg}: {names_en}.",
        )
    if kind == "diversify":
        product = kw.get("product") or zh_seg
        return Text(
            kind,
            f"培育第二供应商，降低{product}的单一来源和集中度风险。",
            f"Develop a second source to reduce single-source and concentration risk in "
            f"{kw.get('product') or en_seg}.",
        )
    if kind == "localise":
        n = kw.get("n_local", 0)
        return Text(
            kind,
            f"推动本地配套（供需对接）：本地区有{n}家{zh_seg}企业可就近供货。",
            f"Match local suppliers (供需对接): {n} local {en_seg} enterprises could supply "
            "nearby.",
        )
    if kind == "attract_investment":
        tail_zh = f"；候选企业：{names}" if names else ""
        tail_en = f"; candidate enterprises: {names_en}" if names_en else ""
        return Text(
            kind,
            f"补链招商：引进{zh_seg}环节企业{tail_zh}。",
            f"Attract investment into {en_seg} (补链){tail_en}.",
        )
    if kind == "joint_rnd":
        techs = "、".join(kw.get("technologies", ())) or zh_seg
        techs_en = "; ".join(kw.get("technologies", ())) or en_seg
        return Text(
            kind,
            f"组织联合攻关（揭榜挂帅）：{techs}。",
            f"Organise joint R&D on the choke point: {techs_en}.",
        )
    raise ValueError(f"unknown countermeasure kind {kind!r}")
