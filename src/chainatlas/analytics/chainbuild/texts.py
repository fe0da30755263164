"""Bilingual (简体中文 / English) reasons for targets, champions, seedlings and opportunities.

Every reason is a :class:`~chainatlas.analytics.chainmap.Text` with a stable ``code`` and
the sentence in both languages, with the numbers behind it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from chainatlas.analytics.chainbuild.seedlings import CRITERIA, SeedlingCriteria
from chainatlas.analytics.chainmap.texts import Text, fmt_share, fmt_yuan

__all__ = [
    "champion_reasons",
    "lead_reasons",
    "opportunity_reasons",
    "owner_reasons",
    "seedling_reasons",
    "target_reasons",
]


def _f(m: Mapping[str, Any], key: str) -> float:
    v = m.get(key)
    return float("nan") if v is None else float(v)


def _known(x: float) -> bool:
    return not math.isnan(x)


def target_reasons(m: Mapping[str, Any], *, segment: tuple[str, str]) -> list[Text]:
    """Explain an attraction target from its measures.

    ``m`` holds ``fit``, ``output``, ``scale_rank``, ``growth``, ``sells_to``,
    ``buys_from``, ``tie_value``, ``relatedness``, ``industry`` (zh, en) or None,
    ``present_as`` (a local name) or None, and ``tier`` (region, cooperation_area,
    country, abroad, unknown).

    Examples
    --------
    >>> [t.en for t in target_reasons({"fit": 1.0, "sells_to": 2, "buys_from": 0},
    ...                               segment=("电芯", "cells"))]
    ['Makes cells products (100% of its revenue in the segment).', 'Existing ties: sells \
to 2 local enterprise(s) and buys from 0.', 'No local establishment found: a new entry \
for the region.']
    """
    zh_seg, en_seg = segment
    out = [
        Text(
            "makes_products",
            f"生产{zh_seg}环节产品（该环节占其营收{fmt_share(_f(m, 'fit'))}）。",
            f"Makes {en_seg} products ({fmt_share(_f(m, 'fit'))} of its revenue in the segment).",
        )
    ]
    x, rank = _f(m, "output"), _f(m, "scale_rank")
    if _known(x):
        out.append(
            Text(
                "scale",
                f"规模：产值{fmt_yuan(x, 'zh')}，高于{fmt_share(rank)}的候选企业。",
                f"Scale: output {fmt_yuan(x)}, above {fmt_share(rank)} of the candidates.",
            )
        )
    g = _f(m, "growth")
    if _known(g):
        out.append(
            Text(
                "growth",
                f"成长：产值同比{'增长' if g >= 0 else '下降'}{fmt_share(abs(g))}。",
                f"Growth: output {'grew' if g >= 0 else 'fell'} {fmt_share(abs(g))} on the year.",
            )
        )
    sells, buys = int(m.get("sells_to") or 0), int(m.get("buys_from") or 0)
    if sells or buys:
        v = _f(m, "tie_value")
        tail_zh = f"，年交易额{fmt_yuan(v, 'zh')}" if _known(v) and v > 0 else ""
        tail_en = f", {fmt_yuan(v)} a year" if _known(v) and v > 0 else ""
        out.append(
            Text(
                "existing_ties",
                f"已有往来：向{sells}家本地企业供货、从{buys}家本地企业采购{tail_zh}。",
                f"Existing ties: sells to {sells} local enterprise(s) and buys from "
                f"{buys}{tail_en}.",
            )
        )
    d = _f(m, "relatedness")
    ind = m.get("industry")
    if _known(d) and ind:
        out.append(
            Text(
                "related_industry",
                f"产业关联：其行业（{ind[0]}）与本地产业的关联密度为{d:.2f}。",
                f"Related to local industry: its industry ({ind[1]}) has density {d:.2f} in "
                "the region.",
            )
        )
    if m.get("tier") == "cooperation_area":
        out.append(
            Text(
                "nearby",
                "位于合作区内，便于协同布局。",
                "Located in the cooperation area, close enough to work with.",
            )
        )
    present = m.get("present_as")
    if present:
        out.append(
            Text(
                "already_present",
                f"本地已有其机构（{present}）：宜推动增资扩产而非新设。",
                f"Already present locally ({present}): encourage expansion rather than a "
                "new entry.",
            )
        )
    else:
        out.append(
            Text(
                "not_present",
                "本地尚无其机构：可作为新引进对象。",
                "No local establishment found: a new entry for the region.",
            )
        )
    return out


def owner_reasons(m: Mapping[str, Any]) -> list[Text]:
    """Explain a chain owner: segments spanned, output share, local partners.

    >>> owner_reasons({"segments_spanned": 5, "segments": 10, "output_share": 0.2,
    ...                "local_partners": 7})[0].en
    'Organises the chain: its suppliers and buyers work in 5 of 10 segments.'
    """
    span, n = int(m.get("segments_spanned") or 0), int(m.get("segments") or 0)
    out = [
        Text(
            "owner_span",
            f"组织产业链：其供应商和客户覆盖{n}个环节中的{span}个。",
            f"Organises the chain: its suppliers and buyers work in {span} of {n} segments.",
        )
    ]
    share = _f(m, "output_share")
    if _known(share):
        out.append(
            Text(
                "owner_output",
                f"体量：占本地区该产业链产值的{fmt_share(share)}。",
                f"Weight: {fmt_share(share)} of the region's output in the chain.",
            )
        )
    lp = int(m.get("local_partners") or 0)
    out.append(
        Text(
            "owner_partners",
            f"带动本地配套：与{lp}家本地企业有供需往来。",
            f"Anchors local suppliers: trades with {lp} local enterprises.",
        )
    )
    return out


def champion_reasons(m: Mapping[str, Any], *, segment: tuple[str, str]) -> list[Text]:
    """Explain a hidden champion: national share, focus, modest size.

    >>> champion_reasons({"share": 0.25, "focus": 0.9, "revenue": 5e8},
    ...                  segment=("隔膜", "separators"))[0].en
    'Leads a niche: 25% of the national output of separators.'
    """
    zh_seg, en_seg = segment
    share, focus, rev = _f(m, "share"), _f(m, "focus"), _f(m, "revenue")
    return [
        Text(
            "niche_share",
            f"细分领域领先：占全国{zh_seg}产值的{fmt_share(share)}。",
            f"Leads a niche: {fmt_share(share)} of the national output of {en_seg}.",
        ),
        Text(
            "focused",
            f"专注主业：{zh_seg}占其营收的{fmt_share(focus)}。",
            f"Focused: {en_seg} is {fmt_share(focus)} of its revenue.",
        ),
        Text(
            "modest_size",
            f"规模适中：营收{fmt_yuan(rev, 'zh')}。",
            f"Modest size: revenue {fmt_yuan(rev)}.",
        ),
    ]


_SEEDLING_TEXT = {
    "sme": ("中小企业", "an SME"),
    "years": ("从事细分市场满{v}年", "{v} years in its niche"),
    "revenue": ("上年营收不低于{v}", "revenue of at least {v}"),
    "rd_spend": ("研发费用不低于{v}", "R&D spend of at least {v}"),
    "rd_intensity": ("研发强度不低于{v}", "R&D intensity of at least {v}"),
    "growth": (
        "营收增长不低于{v}（或营收1亿元以上且增长）",
        "revenue growth of {v} (or revenue over 100 million yuan and growing)",
    ),
    "focus": ("主营业务收入占比不低于{v}", "main business at least {v} of revenue"),
    "patents": ("拥有发明专利（I类知识产权）不少于{v}项", "at least {v} invention patent(s)"),
}


def _threshold(name: str, c: SeedlingCriteria, lang: str) -> str:
    values: dict[str, str] = {
        "sme": "",
        "years": f"{c.min_years:g}",
        "revenue": fmt_yuan(c.min_revenue, lang),
        "rd_spend": fmt_yuan(c.min_rd_spend, lang),
        "rd_intensity": fmt_share(c.min_rd_intensity),
        "growth": fmt_share(c.min_growth),
        "focus": fmt_share(c.min_focus),
        "patents": f"{c.min_patents:g}",
    }
    return values[name]


def _gap_text(name: str, gap: float, lang: str) -> str:
    if math.isnan(gap):
        return "无数据" if lang == "zh" else "no data"
    if name in {"revenue", "rd_spend"}:
        return (f"差{fmt_yuan(gap, 'zh')}") if lang == "zh" else f"{fmt_yuan(gap)} short"
    if name in {"rd_intensity", "growth", "focus"}:
        pts = f"{100 * gap:.1f}"
        return f"差{pts}个百分点" if lang == "zh" else f"{pts} percentage points short"
    if name == "sme":
        return "非中小企业" if lang == "zh" else "not an SME"
    return f"差{gap:g}" if lang == "zh" else f"{gap:g} short"


def seedling_reasons(
    row: Mapping[str, Any], criteria: SeedlingCriteria | None = None
) -> list[Text]:
    """Say which criteria a firm meets and, for each it lacks, by how much.

    ``row`` is a row of :func:`~chainatlas.analytics.chainbuild.seedlings.check_seedlings`.

    >>> row = {f"met_{c}": True for c in CRITERIA} | {"met_patents": False,
    ...        "gap_patents": 1.0}
    >>> [t.code for t in seedling_reasons(row)]
    ['meets_criteria', 'lacks_patents']
    >>> seedling_reasons(row)[1].en
    'Lacks at least 1 invention patent(s): 1 short.'
    """
    c = criteria or SeedlingCriteria()
    met = [n for n in CRITERIA if bool(row.get(f"met_{n}"))]
    lacking = [n for n in CRITERIA if n not in met]
    out = [
        Text(
            "meets_criteria",
            f"满足{len(met)}/{len(CRITERIA)}项专精特新条件。",
            f"Meets {len(met)} of {len(CRITERIA)} 专精特新 criteria.",
        )
    ]
    for n in lacking:
        gap = _f(row, f"gap_{n}")
        zh, en = _SEEDLING_TEXT[n]
        out.append(
            Text(
                f"lacks_{n}",
                f"尚缺：{zh.format(v=_threshold(n, c, 'zh'))}（{_gap_text(n, gap, 'zh')}）。",
                f"Lacks {en.format(v=_threshold(n, c, 'en'))}: {_gap_text(n, gap, 'en')}.",
            )
        )
    return out


def opportunity_reasons(m: Mapping[str, Any], *, name: tuple[str, str]) -> list[Text]:
    """Explain a growth opportunity: feasibility, complexity, outlook gain, market.

    >>> opportunity_reasons({"density": 0.4, "p_feasibility": 0.9, "pci": 1.2, "p_pci": 0.8,
    ...                      "cog": 0.3, "p_cog": 0.5, "market": 12.0, "p_market": 0.7,
    ...                      "local": 0.0}, name=("锂电池", "batteries"))[0].en
    'Feasible: density 0.40 (above 90% of the candidates); the region has related industries.'
    """
    zh, en = name
    out = [
        Text(
            "feasible",
            f"可行性：关联密度{_f(m, 'density'):.2f}（高于{fmt_share(_f(m, 'p_feasibility'))}"
            "的候选），本地已有相关产业。",
            f"Feasible: density {_f(m, 'density'):.2f} (above "
            f"{fmt_share(_f(m, 'p_feasibility'))} of the candidates); the region has related "
            "industries.",
        ),
        Text(
            "complex",
            f"复杂度：产品复杂度PCI {_f(m, 'pci'):.2f}（高于{fmt_share(_f(m, 'p_pci'))}的候选）。",
            f"Complexity: PCI {_f(m, 'pci'):.2f} (above {fmt_share(_f(m, 'p_pci'))} of the "
            "candidates).",
        ),
        Text(
            "outlook_gain",
            f"带动潜力：机会增益COG {_f(m, 'cog'):.2f}（高于{fmt_share(_f(m, 'p_cog'))}的候选）。",
            f"Opens new options: outlook gain COG {_f(m, 'cog'):.2f} (above "
            f"{fmt_share(_f(m, 'p_cog'))} of the candidates).",
        ),
        Text(
            "market",
            f"市场规模：全国合计{m.get('market_label_zh') or format(_f(m, 'market'), 'g')}"
            f"（高于{fmt_share(_f(m, 'p_market'))}的候选）。",
            f"Market: {m.get('market_label_en') or format(_f(m, 'market'), 'g')} in all "
            f"locations (above {fmt_share(_f(m, 'p_market'))} of the candidates).",
        ),
    ]
    local = _f(m, "local")
    if _known(local) and local > 0:
        out.append(
            Text(
                "seed_present",
                f"本地已有少量{zh}（RCA {_f(m, 'rca'):.2f} < 1），可在此基础上做强。",
                f"A seed exists: some local {en} already (RCA {_f(m, 'rca'):.2f} < 1).",
            )
        )
    else:
        out.append(
            Text(
                "new_to_region",
                f"本地尚无{zh}：属于新进入的产业。",
                f"New to the region: no local {en} yet.",
            )
        )
    return out


def lead_reasons(
    m: Mapping[str, Any], *, region: tuple[str, str], chain: tuple[str, str]
) -> list[Text]:
    """Explain why a region should lead a chain in its cooperation area.

    >>> lead_reasons({"share": 0.5, "score": 70.0, "owners": 3, "basis": "output"},
    ...              region=("浙江", "Zhejiang"), chain=("新能源汽车", "NEV"))[0].en
    "Zhejiang holds 50% of the area's NEV output."
    """
    rz, re_ = region
    cz, ce = chain
    what_zh = "产值" if m.get("basis") == "output" else "企业数"
    what_en = "output" if m.get("basis") == "output" else "enterprises"
    score = _f(m, "score")
    score_txt = "n/a" if math.isnan(score) else f"{score:.1f}"
    return [
        Text(
            "lead_share",
            f"{rz}占合作区{cz}{what_zh}的{fmt_share(_f(m, 'share'))}。",
            f"{re_} holds {fmt_share(_f(m, 'share'))} of the area's {ce} {what_en}.",
        ),
        Text(
            "lead_score",
            f"产业链得分{score_txt}。",
            f"Chain score {score_txt}.",
        ),
        Text(
            "lead_owners",
            f"拥有{int(m.get('owners') or 0)}家链主企业。",
            f"{int(m.get('owners') or 0)} chain owner(s).",
        ),
    ]
