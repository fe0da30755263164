"""The "four chains" around the industry: innovation resources, talent, capital, docking.

Innovation resources are real universities, laboratories and institutes of the home
province and its neighbours, tied to segments of the chains they work on, plus invented
innovation platforms and incubators. Talent is counted per home city and segment from the
employees of local firms; capital records (funding rounds, loans, listings) and docking
needs (what firms want to buy or can supply) are drawn per enterprise batch.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from chainatlas.demo.catalogue import Catalogue
from chainatlas.demo.population import GEO_FOREIGN, GEO_HOME, Population
from chainatlas.demo.regions import COOPERATION_AREA, HOME_PROVINCE, RegionTree

__all__ = ["capital_rows", "docking_rows", "innovation_rows", "talent_rows"]

Row = dict[str, object]

_AI, _BIO, _IC, _DISP = (
    "artificial_intelligence",
    "biomedicine",
    "integrated_circuit",
    "new_display",
)
_ROBOT, _PV, _LI, _NEV = "industrial_robot", "photovoltaic", "lithium_battery", "nev"
# code, name, name_en, kind, level, region code, chains it works on
_RESOURCES: tuple[tuple[str, str, str, str, str, str, tuple[str, ...]], ...] = (
    ("ZJU", "浙江大学", "Zhejiang University", "university", "national", "330100",
     (_IC, _BIO, _AI, _ROBOT, _DISP)),
    ("WESTLAKE", "西湖大学", "Westlake University", "university", "national", "330100",
     (_BIO, _AI)),
    ("HDU", "杭州电子科技大学", "Hangzhou Dianzi University", "university", "provincial",
     "330100", (_IC, _AI)),
    ("ZJUT", "浙江工业大学", "Zhejiang University of Technology", "university", "provincial",
     "330100", (_ROBOT, _BIO, _NEV)),
    ("NBU", "宁波大学", "Ningbo University", "university", "provincial", "330200",
     (_ROBOT, _NEV)),
    ("ZJXU", "嘉兴大学", "Jiaxing University", "university", "provincial", "330400",
     (_PV, _LI)),
    ("NIMTE", "中国科学院宁波材料技术与工程研究所",
     "Ningbo Institute of Materials Technology and Engineering, CAS", "institute", "national",
     "330200", (_LI, _NEV, _PV, _DISP)),
    ("YRITZ", "浙江清华长三角研究院", "Yangtze Delta Region Institute of Tsinghua University, "
     "Zhejiang", "institute", "provincial", "330400", (_DISP, _BIO, _PV)),
    ("ZJLAB", "之江实验室", "Zhejiang Lab", "lab", "provincial", "330110", (_AI, _IC)),
    ("LIANGZHU", "良渚实验室", "Liangzhu Laboratory", "lab", "provincial", "330100", (_BIO,)),
    ("HUPAN", "湖畔实验室", "Hupan Laboratory", "lab", "provincial", "330100", (_AI,)),
    ("YONGJIANG", "甬江实验室", "Yongjiang Laboratory", "lab", "provincial", "330200",
     (_DISP, _IC, _LI)),
    ("HZ-NEV-HUB", "杭州市新能源汽车产业创新服务综合体",
     "Hangzhou New Energy Vehicle Innovation Service Complex", "platform", "provincial",
     "330109", (_NEV, _LI)),
    ("SX-IC-HUB", "绍兴集成电路产业创新服务综合体",
     "Shaoxing Integrated Circuit Innovation Service Complex", "platform", "provincial",
     "330602", (_IC,)),
    ("NB-MAT-TEST", "宁波新材料测试评价中心", "Ningbo New Materials Testing Centre", "platform",
     "municipal", "330206", (_LI, _DISP, _PV)),
    ("HZ-ROBOT-PF", "杭州机器人公共技术服务平台", "Hangzhou Robotics Technology Service Platform",
     "platform", "municipal", "330114", (_ROBOT,)),
    ("HZ-HT-INC", "杭州高新区（滨江）科技企业孵化器",
     "Hangzhou Hi-tech Zone (Binjiang) Technology Incubator", "incubator", "national",
     "330108P01", (_AI, _IC, _BIO)),
    ("HZB-SPACE", "宁波杭州湾新区众创空间", "Ningbo Hangzhou Bay New Area Maker Space",
     "incubator", "provincial", "330282P01", (_NEV, _ROBOT)),
    ("SJTU", "上海交通大学", "Shanghai Jiao Tong University", "university", "national",
     "310100", (_ROBOT, _NEV, _IC)),
    ("FUDAN", "复旦大学", "Fudan University", "university", "national", "310100", (_IC, _BIO)),
    ("USTC", "中国科学技术大学", "University of Science and Technology of China",
     "university", "national", "340100", (_AI, _DISP, _PV)),
    ("SINANO", "中国科学院苏州纳米技术与纳米仿生研究所",
     "Suzhou Institute of Nano-Tech and Nano-Bionics, CAS", "institute", "national",
     "320500", (_IC, _DISP)),
    ("TSINGHUA", "清华大学", "Tsinghua University", "university", "national", "110100",
     (_IC, _AI, _NEV)),
    ("PKU", "北京大学", "Peking University", "university", "national", "110100", (_BIO, _AI)),
    ("SUSTECH", "南方科技大学", "Southern University of Science and Technology",
     "university", "national", "440300", (_ROBOT, _DISP)),
    ("HUST", "华中科技大学", "Huazhong University of Science and Technology", "university",
     "national", "420100", (_PV, _ROBOT, _DISP)),
    ("UESTC", "电子科技大学", "University of Electronic Science and Technology of China",
     "university", "national", "510100", (_IC,)),
    ("XMU", "厦门大学", "Xiamen University", "university", "national", "350200", (_LI, _DISP)),
)  # fmt: skip

_CAPITAL_KINDS = (
    ("angel", "天使轮融资"),
    ("venture", "A轮融资"),
    ("venture", "B轮融资"),
    ("private_equity", "战略融资"),
    ("government_fund", "政府产业基金投资"),
    ("bank_loan", "科技信贷"),
    ("bond", "债券融资"),
    ("ipo", "首次公开发行"),
)
_INVESTORS = (
    "浙江省产业基金",
    "杭州市科创母基金",
    "宁波市天使投资引导基金",
    "长三角协同优势产业基金",
    "嘉兴市产业发展基金",
    "绍兴市集成电路产业基金",
    "国家制造业转型升级基金",
    "地方商业银行",
)
_SPECS = (
    "要求通过ISO 9001质量体系认证",
    "要求通过IATF 16949认证",
    "需提供样品测试报告",
    "年度框架协议，分批交付",
    "优先长三角地区供应商",
    "可接受国产替代方案",
    "要求具备车规级认证",
    "交期不超过30天",
)
_UNITS = ("吨", "件", "台")


def innovation_rows(
    cat: Catalogue, tree: RegionTree, rng: np.random.Generator, provenance: Row
) -> tuple[list[Row], list[Row]]:
    """Return ``innovation_resources`` and ``innovation_resource_segments`` rows.

    Each resource supports 2-5 segments of the chains it works on, mostly up- and midstream
    technology segments; some home-province segments are left without support on purpose.
    """
    codes = [c.code for c in cat.chains]
    resources: list[Row] = []
    links: list[Row] = []
    for i, (code, name, name_en, kind, level, region, chains) in enumerate(_RESOURCES):
        resources.append(
            {
                "id": i + 1,
                "code": code,
                "name": name,
                "name_en": name_en,
                "kind": kind,
                "level": level,
                "region_id": tree.by_code(region).id,
                **provenance,
            }
        )
        segs = np.concatenate(
            [cat.chain_segments(codes.index(c)) for c in chains if c in codes]
            or [np.zeros(0, dtype=np.int64)]
        )
        if len(segs) == 0:
            continue
        w = np.where(cat.seg_position[segs] < 2, 2.0, 0.5) * np.where(cat.seg_choke[segs], 2, 1)
        k = min(len(segs), int(rng.integers(2, 6)))
        for s in sorted(rng.choice(segs, size=k, replace=False, p=w / w.sum())):
            links.append({"resource_id": i + 1, "segment_id": int(s) + 1})
    return resources, links


def talent_rows(
    pop: Population, cat: Catalogue, tree: RegionTree, rng: np.random.Generator, provenance: Row
) -> list[Row]:
    """Return ``talent_records``: researchers and skilled workers per home city and segment.

    Counts for 2024 follow the employees of local firms (12% researchers, 25% skilled
    workers, with noise); 2023 is about 7% lower. Each city also reports leading talent.
    """
    home = np.flatnonzero(pop.geo == GEO_HOME)
    cities = list(tree.home_cities)
    city_slot = np.searchsorted(np.array(cities), pop.city_id[home])
    n_seg = cat.n_segments
    staff = np.bincount(
        city_slot * n_seg + pop.seg1[home],
        weights=pop.employees[home],
        minlength=len(cities) * n_seg,
    ).reshape(len(cities), n_seg)
    rows: list[Row] = []
    for c, city in enumerate(cities):
        for s in np.flatnonzero(staff[c] > 0):
            for year, factor in ((2023, 0.93), (2024, 1.0)):
                for category, rate in (("researchers", 0.12), ("skilled_workers", 0.25)):
                    count = staff[c, s] * rate * factor * rng.uniform(0.8, 1.2)
                    rows.append(_talent(len(rows) + 1, city, int(s) + 1, year, category, count))
        for year in (2023, 2024):
            count = staff[c].sum() * 0.004 * rng.uniform(0.8, 1.2)
            rows.append(_talent(len(rows) + 1, city, None, year, "leading_talent", count))
    return [{**row, **provenance} for row in rows]


def _talent(
    row_id: int, city: int, segment: int | None, year: int, category: str, count: float
) -> Row:
    return {
        "id": row_id,
        "region_id": city,
        "segment_id": segment,
        "enterprise_id": None,
        "year": year,
        "category": category,
        "headcount": max(0, round(count)),
    }


def capital_rows(
    lo: int,
    hi: int,
    first_id: int,
    pop: Population,
    rng: np.random.Generator,
    provenance: Row,
) -> list[Row]:
    """Return ``capital_records`` of firms lo..hi-1: rounds, loans, bonds and listings.

    About 8% of firms have one; innovative (专精特新, high-tech) and listed firms more often.
    Listed firms record their IPO on the listing date.
    """
    idx = np.arange(lo, hi)
    domestic = pop.geo[idx] != GEO_FOREIGN
    listed = pop.listed_day[idx] > 0
    p = 0.03 + 0.10 * (pop.srdi[idx] > 0) + 0.05 * pop.high_tech[idx] + 0.5 * listed
    chosen = idx[domestic & (rng.random(hi - lo) < p)]
    kind_pick = rng.integers(0, len(_CAPITAL_KINDS) - 1, len(chosen))
    investor = rng.integers(0, len(_INVESTORS), len(chosen))
    scale = rng.uniform(0.02, 0.3, len(chosen))
    day_pick = rng.random(len(chosen))
    rows: list[Row] = []
    start = date(2019, 1, 1).toordinal()
    end = date(2024, 12, 31).toordinal()
    for k, f in enumerate(chosen):
        kind, label = _CAPITAL_KINDS[kind_pick[k]]
        if pop.listed_day[f] > 0 and pop.listed_day[f] >= start:
            kind, label = _CAPITAL_KINDS[-1]
            day = int(pop.listed_day[f])
            amount = pop.output[f] * pop.revenue_ratio[f] * 0.4 * scale[k] / 0.15
        else:
            first = max(start, int(pop.founded[f]))
            day = first + int(day_pick[k] * (end - first + 1))
            amount = pop.output[f] * scale[k]
        rows.append(
            {
                "id": first_id + len(rows),
                "name": f"{label}（{_INVESTORS[investor[k]]}）" if kind != "ipo" else label,
                "kind": kind,
                "region_id": int(pop.region_id[f]),
                "segment_id": int(pop.seg1[f]) + 1,
                "enterprise_id": int(f) + 1,
                "amount": round(float(amount), 2),
                "occurred_on": date.fromordinal(day),
                **provenance,
            }
        )
    return rows


def docking_rows(
    lo: int,
    hi: int,
    first_id: int,
    pop: Population,
    cat: Catalogue,
    tree: RegionTree,
    rng: np.random.Generator,
    provenance: Row,
) -> list[Row]:
    """Return ``docking_needs`` of firms lo..hi-1: what about 8% of firms want or offer.

    A need names a product of a segment that supplies the firm's main segment; a capability
    names a product of the firm's own segment.
    """
    idx = np.arange(lo, hi)
    chosen = idx[(pop.geo[idx] != GEO_FOREIGN) & (rng.random(hi - lo) < 0.08)]
    m = len(chosen)
    wants_need = rng.random(m) < 0.6
    u_edge, u_product, u_spec, u_region, u_status = rng.random((5, m))
    quantity = np.exp(rng.normal(np.log(500.0), 1.2, m))
    posted = date(2024, 1, 1).toordinal() + np.floor(rng.random(m) * 366).astype(np.int64)
    yrd = list(COOPERATION_AREA[3])
    rows: list[Row] = []
    for k, f in enumerate(chosen):
        s = int(pop.seg1[f])
        n_in = int(cat.in_ptr[s + 1] - cat.in_ptr[s])
        kind = "need" if wants_need[k] and n_in > 0 else "capability"
        if kind == "need":
            edge = cat.in_edges[cat.in_ptr[s] + int(u_edge[k] * n_in)]
            s = int(cat.edge_supplier[edge])
        products = cat.seg_products[s]
        regions: list[str] = []
        if kind == "need":
            regions = [HOME_PROVINCE] if u_region[k] < 0.4 else yrd if u_region[k] < 0.7 else []
        status = "open" if u_status[k] < 0.7 else "matched" if u_status[k] < 0.9 else "closed"
        rows.append(
            {
                "id": first_id + len(rows),
                "code": f"DN{first_id + len(rows):08d}",
                "enterprise_id": int(f) + 1,
                "kind": kind,
                "product": products[int(u_product[k] * len(products))],
                "quantity": round(float(quantity[k]), 1),
                "unit": _UNITS[int(cat.seg_position[s])],
                "specification": _SPECS[int(u_spec[k] * len(_SPECS))],
                "preferred_regions": regions,
                "status": status,
                "posted_on": date.fromordinal(int(posted[k])),
                **provenance,
            }
        )
    return rows
