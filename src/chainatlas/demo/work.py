"""The chain-leader work ledger of the demo: key projects, policies and events.

Projects mostly fill the home province's weak and missing links (补链) with outside firms
and strengthen its strong ones (强链) with local firms. Policies carry machine-readable
eligibility rules (see ``docs/demo-data.md`` for the fields and operators). Events are two
real disruptions (the 2022 Shanghai lockdown, the October 2022 US export controls on
advanced chips), the 2022 lithium price surge, and two labelled scenarios.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from chainatlas.demo.catalogue import Catalogue
from chainatlas.demo.population import (
    GEO_FOREIGN,
    GEO_HOME,
    ROLE_MISSING,
    ROLE_STRONG,
    ROLE_WEAK,
    Population,
)
from chainatlas.demo.regions import COOPERATION_AREA, RegionTree

__all__ = ["event_rows", "policy_rows", "project_rows"]

Row = dict[str, object]
Rule = dict[str, object]

_STAGES = (
    ("lead", 3),
    ("negotiating", 3),
    ("signed", 4),
    ("construction", 5),
    ("production", 3),
    ("completed", 1),
    ("cancelled", 1),
)
_STEPS = (
    ("lead", "项目线索登记", "Lead registered"),
    ("negotiating", "洽谈对接", "Negotiation started"),
    ("signed", "签约", "Agreement signed"),
    ("construction", "开工建设", "Construction started"),
    ("production", "投产", "Production started"),
    ("completed", "竣工验收", "Completed"),
)
_KINDS = (
    ("生产基地项目", "production base"),
    ("研发及产业化项目", "R&D and industrialisation project"),
    ("扩产项目", "capacity expansion"),
    ("智能制造基地项目", "smart manufacturing base"),
)


def _rule(field: str, op: str, value: object) -> Rule:
    return {"field": field, "op": op, "value": value}


def project_rows(
    pop: Population, cat: Catalogue, tree: RegionTree, rng: np.random.Generator, provenance: Row
) -> list[Row]:
    """Return 20 key projects with stages and milestones (JSON list of date and title)."""
    gaps = np.flatnonzero(np.isin(pop.roles, (ROLE_WEAK, ROLE_MISSING)))
    strong = np.flatnonzero(pop.roles == ROLE_STRONG)
    picks = [(int(s), True) for s in rng.choice(gaps, size=min(12, len(gaps)), replace=False)]
    picks += [(int(s), False) for s in rng.choice(strong, size=min(8, len(strong)), replace=False)]
    stages = [stage for stage, count in _STAGES for _ in range(count)]
    order = rng.permutation(len(stages))
    parks = [p for ps in tree.parks.values() for p in ps]
    rows: list[Row] = []
    for i, (s, attract) in enumerate(picks):
        stage = stages[order[i % len(stages)]]
        members = np.flatnonzero(pop.seg1 == s)
        wanted = pop.geo[members] != GEO_HOME if attract else pop.geo[members] == GEO_HOME
        candidates = members[wanted]
        firm = None
        if len(candidates):
            top = candidates[np.argsort(-pop.output[candidates], kind="stable")[:5]]
            firm = int(top[rng.integers(len(top))])
        if firm is not None and pop.geo[firm] == GEO_HOME:
            region = int(pop.park_id[firm] or pop.region_id[firm])
        else:
            region = int(parks[rng.integers(len(parks))])
        products = cat.seg_products[s]
        products_en = cat.seg_products_en[s] or (cat.seg_names[s][1],) * len(products)
        p = int(rng.integers(len(products)))
        kind_zh, kind_en = _KINDS[int(rng.integers(len(_KINDS)))]
        lead_day = date(2021, 6, 1) + timedelta(days=int(rng.integers(0, 1100)))
        rows.append(
            {
                "id": i + 1,
                "code": f"PRJ-{lead_day.year}-{i + 1:03d}",
                "name": f"{products[p]}{kind_zh}",
                "name_en": f"{products_en[p]} {kind_en}",
                "chain_id": int(cat.seg_chain[s]) + 1,
                "segment_id": s + 1,
                "enterprise_id": firm + 1 if firm is not None else None,
                "region_id": region,
                "investment": round(float(np.clip(rng.lognormal(np.log(2e9), 1.0), 2e8, 5e10)), -6),
                "stage": stage,
                **_schedule(stage, lead_day, rng),
                **provenance,
            }
        )
    return rows


def _schedule(stage: str, lead_day: date, rng: np.random.Generator) -> Row:
    """Return start, expected completion and milestones consistent with ``stage``."""
    reached = [step[0] for step in _STEPS]
    last = reached.index("negotiating") if stage == "cancelled" else reached.index(stage)
    day = lead_day
    milestones: list[dict[str, str]] = []
    started: date | None = None
    for code, title, title_en in _STEPS[: last + 1]:
        milestones.append({"date": day.isoformat(), "title": title, "title_en": title_en})
        if code == "signed":
            started = day
        day += timedelta(days=int(rng.integers(45, 240)))
    if stage == "cancelled":
        milestones.append({"date": day.isoformat(), "title": "项目终止", "title_en": "Cancelled"})
    expected = started + timedelta(days=int(rng.integers(540, 1100))) if started else None
    return {"started_on": started, "expected_completion": expected, "milestones": milestones}


def policy_rows(tree: RegionTree, provenance: Row) -> list[Row]:
    """Return about fifteen policies with eligibility rules and benefits in zh and en."""
    yrd = list(COOPERATION_AREA[3])
    specs: list[tuple[str, str, str, str, str, Rule, str, str, date, date]] = [
        ("ZJ-SRDI-2024", "浙江省专精特新中小企业奖励", "Zhejiang award for specialised and "
         "innovative SMEs", "浙江省经济和信息化厅", "330000",
         {"all": [_rule("srdi_level", "in", ["provincial", "national"]),
                  _rule("rd_intensity", ">=", 0.03)]},
         "对新认定的省级专精特新中小企业给予一次性奖励50万元。",
         "One-off award of 500,000 yuan to newly recognised provincial SRDI SMEs.",
         date(2024, 1, 1), date(2026, 12, 31)),
        ("CN-LITTLE-GIANT", "国家级专精特新“小巨人”企业奖补", "National support for SRDI "
         "'little giant' enterprises", "工业和信息化部", "CN",
         {"all": [_rule("srdi_level", "==", "national")]},
         "中央财政对重点“小巨人”企业给予奖补，支持技术创新和产业链配套。",
         "Central funds for key 'little giant' firms' innovation and supply-chain support.",
         date(2021, 1, 1), date(2025, 12, 31)),
        ("CN-RD-DEDUCT", "研发费用税前加计扣除", "Additional deduction of R&D expenses",
         "财政部 国家税务总局", "CN", {"all": [_rule("rd_spend", ">", 0)]},
         "企业研发费用按实际发生额的100%在税前加计扣除。",
         "R&D expenses are deducted at 200% of the amount spent before tax.",
         date(2023, 1, 1), date(2027, 12, 31)),
        ("HZ-HTE-2024", "杭州市高新技术企业认定奖励", "Hangzhou award for high-tech "
         "enterprise recognition", "杭州市科学技术局", "330100",
         {"all": [_rule("high_tech", "==", True), _rule("region", "in", ["330100"])]},
         "对首次认定的高新技术企业给予20万元奖励。",
         "Award of 200,000 yuan for first recognition as a high-tech enterprise.",
         date(2024, 1, 1), date(2025, 12, 31)),
        ("ZJ-TECH-UPGRADE", "浙江省制造业技术改造补助", "Zhejiang subsidy for manufacturing "
         "technology upgrades", "浙江省经济和信息化厅", "330000",
         {"all": [_rule("tags", "contains", "above_scale"),
                  _rule("size_class", "in", ["large", "medium"])]},
         "按设备投资额的10%给予补助，单个项目最高1000万元。",
         "10% of equipment investment, up to 10 million yuan per project.",
         date(2023, 7, 1), date(2026, 6, 30)),
        ("NB-CHAIN-OWNER", "宁波市链主企业培育", "Ningbo support for chain-owner enterprises",
         "宁波市经济和信息化局", "330200",
         {"all": [_rule("tags", "contains", "chain_owner")]},
         "链主企业新增本地配套采购额的1%给予奖励，最高500万元。",
         "1% of new local purchases rewarded, up to 5 million yuan.",
         date(2024, 1, 1), date(2026, 12, 31)),
        ("HZ-STARTUP-RENT", "杭州市初创科技企业房租补贴", "Hangzhou rent subsidy for tech "
         "start-ups", "杭州市科学技术局", "330100",
         {"all": [_rule("age_years", "<=", 3), _rule("size_class", "in", ["small", "micro"]),
                  _rule("region", "in", ["330100"])]},
         "三年内按实际租金的50%给予补贴，每年最高30万元。",
         "Half of the rent for three years, up to 300,000 yuan a year.",
         date(2024, 1, 1), date(2026, 12, 31)),
        ("ZJ-IPO-PHOENIX", "浙江省企业上市培育（凤凰行动）", "Zhejiang listing support "
         "(Phoenix Action)", "浙江省地方金融监督管理局", "330000",
         {"all": [_rule("listed", "==", False), _rule("revenue", ">=", 3e8),
                  _rule("rd_intensity", ">=", 0.03)]},
         "拟上市企业按辅导、申报、上市分阶段奖励，累计最高300万元。",
         "Staged awards for coaching, filing and listing, up to 3 million yuan.",
         date(2023, 1, 1), date(2025, 12, 31)),
        ("ZJ-FIRST-SET", "浙江省首台（套）装备保险补偿", "Zhejiang insurance compensation for "
         "first-of-a-kind equipment", "浙江省经济和信息化厅", "330000",
         {"all": [_rule("chain", "in", ["industrial_robot", "integrated_circuit"]),
                  _rule("segment_position", "in", ["upstream", "midstream"])]},
         "首台（套）装备投保保费的80%由省财政补偿。",
         "The province pays 80% of the insurance premium for first-of-a-kind equipment.",
         date(2024, 1, 1), date(2026, 12, 31)),
        ("JX-PV-2024", "嘉兴市光伏产业高质量发展扶持", "Jiaxing support for the photovoltaic "
         "industry", "嘉兴市人民政府", "330400",
         {"all": [_rule("chain", "in", ["photovoltaic"]), _rule("region", "in", ["330400"])]},
         "对光伏企业新增设备投资按8%给予补助。",
         "8% of new equipment investment by photovoltaic firms.",
         date(2024, 1, 1), date(2026, 12, 31)),
        ("SX-IC-2024", "绍兴市集成电路产业扶持", "Shaoxing support for integrated circuits",
         "绍兴市人民政府", "330600",
         {"all": [_rule("chain", "in", ["integrated_circuit"]), _rule("region", "in", ["330600"])]},
         "流片费用按30%给予补助，最高500万元。",
         "30% of tape-out costs, up to 5 million yuan.",
         date(2024, 1, 1), date(2026, 12, 31)),
        ("HZ-AI-COMPUTE", "杭州市人工智能算力券", "Hangzhou AI computing vouchers",
         "杭州市经济和信息化局", "330100",
         {"all": [_rule("chain", "in", ["artificial_intelligence"]),
                  _rule("size_class", "in", ["medium", "small", "micro"]),
                  _rule("region", "in", ["330100"])]},
         "按算力采购费用的30%发放算力券，每家每年最高200万元。",
         "Vouchers for 30% of computing costs, up to 2 million yuan a year.",
         date(2024, 1, 1), date(2025, 12, 31)),
        ("ZJ-BIO-NEWDRUG", "浙江省创新药研发补助", "Zhejiang grants for innovative drug R&D",
         "浙江省科学技术厅", "330000",
         {"all": [_rule("chain", "in", ["biomedicine"]), _rule("rd_intensity", ">=", 0.08)]},
         "进入临床试验的一类新药分阶段给予最高1000万元补助。",
         "Staged grants up to 10 million yuan for class-1 new drugs in clinical trials.",
         date(2023, 1, 1), date(2026, 12, 31)),
        ("NB-NEV-LOCAL", "宁波市新能源汽车零部件本地配套奖励", "Ningbo award for local NEV "
         "parts supply", "宁波市经济和信息化局", "330200",
         {"all": [_rule("chain", "in", ["nev"]), _rule("segment_position", "in", ["upstream"]),
                  _rule("region", "in", ["330200"])]},
         "进入本地整车企业配套体系的零部件企业，按配套额2%奖励。",
         "2% of sales to local vehicle makers for parts suppliers.",
         date(2024, 1, 1), date(2026, 12, 31)),
        ("ZJ-ENERGY-SAVING", "浙江省节能降碳技术改造奖励", "Zhejiang award for energy-saving "
         "upgrades", "浙江省发展和改革委员会", "330000",
         {"all": [_rule("energy_use", ">=", 5000), _rule("tags", "contains", "above_scale")]},
         "年节能量1000吨标准煤以上的项目按每吨300元奖励。",
         "300 yuan per tonne of coal equivalent saved, for savings of 1,000 t a year or more.",
         date(2024, 1, 1), date(2025, 12, 31)),
        ("YRD-COOP-2024", "长三角产业链协同创新项目", "Yangtze River Delta supply-chain "
         "co-innovation projects", "长三角区域合作办公室", "330000",
         {"all": [_rule("high_tech", "==", True)],
          "any": [_rule("region", "in", yrd)]},
         "跨省联合攻关项目给予最高800万元支持。",
         "Up to 8 million yuan for cross-province joint research projects.",
         date(2024, 1, 1), date(2026, 12, 31)),
    ]  # fmt: skip
    rows: list[Row] = []
    for i, (code, title, title_en, issuer, region, rule, zh, en, start, end) in enumerate(specs):
        rows.append(
            {
                "id": i + 1,
                "code": code,
                "title": title,
                "title_en": title_en,
                "issuer": issuer,
                "region_id": tree.by_code(region).id,
                "valid_from": start,
                "valid_to": end,
                "benefits": zh,
                "benefits_en": en,
                "eligibility": rule,
                **provenance,
            }
        )
    return rows


def event_rows(pop: Population, cat: Catalogue, tree: RegionTree, provenance: Row) -> list[Row]:
    """Return five events: two real disruptions, a price surge and two labelled scenarios."""

    def product(keyword: str, fallback: str) -> str:
        for products in cat.seg_products:
            for item in products:
                if keyword in item:
                    return item
        return fallback

    choke_foreign = np.flatnonzero((pop.geo == GEO_FOREIGN) & cat.seg_choke[pop.seg1])
    big = (
        int(choke_foreign[np.argmax(pop.output[choke_foreign])]) + 1 if len(choke_foreign) else None
    )
    events: list[Row] = [
        {
            "code": "EV-2022-SH-LOCKDOWN",
            "kind": "region",
            "region_id": tree.by_code("310000").id,
            "severity": 0.8,
            "occurred_on": date(2022, 4, 1),
            "ended_on": date(2022, 6, 1),
            "description": "上海全域静态管理，物流与工厂停摆，长三角汽车与电子产业链受冲击。"
            " / Shanghai lockdown halted logistics and plants across Yangtze River Delta chains.",
        },
        {
            "code": "EV-2022-US-CHIP-CONTROLS",
            "kind": "foreign_source",
            "region_id": tree.countries["US"],
            "product": product("GPU", "高端芯片"),
            "severity": 0.9,
            "occurred_on": date(2022, 10, 7),
            "description": "美国对先进计算芯片和半导体制造设备实施出口管制。"
            " / US export controls on advanced computing chips and chipmaking equipment.",
        },
        {
            "code": "EV-2022-LITHIUM-PRICE",
            "kind": "product",
            "product": product("碳酸锂", "电池级碳酸锂"),
            "severity": 0.5,
            "occurred_on": date(2022, 1, 1),
            "ended_on": date(2022, 12, 31),
            "description": "电池级碳酸锂价格全年大幅上涨，电池成本承压。"
            " / Battery-grade lithium carbonate prices surged throughout 2022.",
        },
        {
            "code": "EV-2024-JP-PHOTORESIST",
            "kind": "foreign_source",
            "region_id": tree.countries["JP"],
            "product": product("光刻胶", "光刻胶"),
            "severity": 0.6,
            "occurred_on": date(2024, 9, 1),
            "description": "情景（虚构）：日本光刻胶出口受限。"
            " / Scenario (fictional): Japanese photoresist exports restricted.",
        },
        {
            "code": "EV-2024-SUPPLIER-FIRE",
            "kind": "enterprise",
            "enterprise_id": big,
            "severity": 0.7,
            "occurred_on": date(2024, 3, 15),
            "ended_on": date(2024, 5, 15),
            "description": "情景（虚构）：关键境外供应商工厂火灾停产两个月。"
            " / Scenario (fictional): a fire stops a key foreign supplier for two months.",
        },
    ]
    keys = ("region_id", "enterprise_id", "product", "ended_on")
    return [
        {"id": i + 1, **dict.fromkeys(keys), **event, **provenance}
        for i, event in enumerate(events)
    ]
