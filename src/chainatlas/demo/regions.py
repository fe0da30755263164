"""The demo's regions: a home province in the Yangtze River Delta, neighbours, suppliers.

The home province is Zhejiang with four cities, their districts and industrial parks; other
provinces get one to three cities each, and five foreign countries supply the chains.

Chinese codes are GB/T 2260 administrative division codes; industrial parks get the code
of their district with a ``P`` suffix (``330108P01``); foreign countries use ISO 3166-1
alpha-2 codes. Coordinates are approximate (city centre, or a main industrial centre for a
country).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "COOPERATION_AREA",
    "HOME_PROVINCE",
    "PlacedRegion",
    "RegionTree",
    "build_region_tree",
]

HOME_PROVINCE = "330000"
"""The province whose chains the demo maps (浙江省)."""

COOPERATION_AREA = (
    "YRD",
    "长三角",
    "Yangtze River Delta",
    ("330000", "320000", "310000", "340000"),
)
"""Code, names and member provinces of the demo's cooperation area."""

# (code, name_zh, name_en, lat, lon)
_Place = tuple[str, str, str, float | None, float | None]

_HOME_CITIES: tuple[
    tuple[_Place, float, tuple[_Place, ...], tuple[tuple[str, _Place], ...]], ...
] = (
    (
        ("330100", "杭州市", "Hangzhou", 30.27, 120.16),
        0.40,
        (
            ("330108", "滨江区", "Binjiang District", 30.21, 120.21),
            ("330109", "萧山区", "Xiaoshan District", 30.18, 120.26),
            ("330110", "余杭区", "Yuhang District", 30.42, 120.30),
            ("330114", "钱塘区", "Qiantang District", 30.32, 120.49),
        ),
        (
            (
                "330108",
                (
                    "330108P01",
                    "杭州高新技术产业开发区",
                    "Hangzhou Hi-tech Industrial Development Zone",
                    30.19,
                    120.19,
                ),
            ),
            (
                "330114",
                (
                    "330114P01",
                    "杭州经济技术开发区",
                    "Hangzhou Economic and Technological Development Zone",
                    30.30,
                    120.38,
                ),
            ),
            (
                "330110",
                ("330110P01", "杭州未来科技城", "Hangzhou Future Sci-Tech City", 30.29, 120.00),
            ),
        ),
    ),
    (
        ("330200", "宁波市", "Ningbo", 29.87, 121.54),
        0.30,
        (
            ("330206", "北仑区", "Beilun District", 29.90, 121.84),
            ("330211", "镇海区", "Zhenhai District", 29.95, 121.72),
            ("330212", "鄞州区", "Yinzhou District", 29.82, 121.55),
            ("330282", "慈溪市", "Cixi", 30.17, 121.27),
        ),
        (
            (
                "330282",
                ("330282P01", "宁波杭州湾新区", "Ningbo Hangzhou Bay New Area", 30.31, 121.24),
            ),
            (
                "330206",
                (
                    "330206P01",
                    "宁波经济技术开发区",
                    "Ningbo Economic and Technological Development Zone",
                    29.90,
                    121.84,
                ),
            ),
        ),
    ),
    (
        ("330400", "嘉兴市", "Jiaxing", 30.75, 120.76),
        0.15,
        (
            ("330402", "南湖区", "Nanhu District", 30.75, 120.78),
            ("330411", "秀洲区", "Xiuzhou District", 30.77, 120.71),
            ("330481", "海宁市", "Haining", 30.51, 120.68),
        ),
        (
            (
                "330402",
                (
                    "330402P01",
                    "嘉兴经济技术开发区",
                    "Jiaxing Economic and Technological Development Zone",
                    30.74,
                    120.80,
                ),
            ),
        ),
    ),
    (
        ("330600", "绍兴市", "Shaoxing", 30.00, 120.58),
        0.15,
        (
            ("330602", "越城区", "Yuecheng District", 30.00, 120.58),
            ("330603", "柯桥区", "Keqiao District", 30.08, 120.49),
            ("330604", "上虞区", "Shangyu District", 30.03, 120.87),
        ),
        (("330602", ("330602P01", "绍兴滨海新区", "Shaoxing Binhai New Area", 30.13, 120.74)),),
    ),
)

# Other provinces: (province, weight among firms outside the home province, cities).
_OTHER_PROVINCES: tuple[tuple[_Place, float, tuple[_Place, ...]], ...] = (
    (
        ("320000", "江苏省", "Jiangsu", 32.06, 118.80),
        0.22,
        (
            ("320500", "苏州市", "Suzhou", 31.30, 120.59),
            ("320200", "无锡市", "Wuxi", 31.49, 120.31),
            ("320400", "常州市", "Changzhou", 31.81, 119.97),
        ),
    ),
    (
        ("310000", "上海市", "Shanghai", 31.23, 121.47),
        0.16,
        (("310100", "上海市", "Shanghai", 31.23, 121.47),),
    ),
    (
        ("340000", "安徽省", "Anhui", 31.82, 117.23),
        0.10,
        (
            ("340100", "合肥市", "Hefei", 31.82, 117.23),
            ("340200", "芜湖市", "Wuhu", 31.35, 118.43),
        ),
    ),
    (
        ("440000", "广东省", "Guangdong", 23.13, 113.26),
        0.18,
        (
            ("440300", "深圳市", "Shenzhen", 22.54, 114.06),
            ("440100", "广州市", "Guangzhou", 23.13, 113.26),
        ),
    ),
    (
        ("110000", "北京市", "Beijing", 39.90, 116.40),
        0.09,
        (("110100", "北京市", "Beijing", 39.90, 116.40),),
    ),
    (
        ("510000", "四川省", "Sichuan", 30.57, 104.07),
        0.07,
        (
            ("510100", "成都市", "Chengdu", 30.57, 104.07),
            ("511500", "宜宾市", "Yibin", 28.77, 104.63),
        ),
    ),
    (
        ("350000", "福建省", "Fujian", 26.07, 119.30),
        0.07,
        (
            ("350900", "宁德市", "Ningde", 26.66, 119.55),
            ("350200", "厦门市", "Xiamen", 24.48, 118.09),
        ),
    ),
    (
        ("420000", "湖北省", "Hubei", 30.59, 114.31),
        0.06,
        (("420100", "武汉市", "Wuhan", 30.59, 114.31),),
    ),
    (
        ("360000", "江西省", "Jiangxi", 28.68, 115.86),
        0.05,
        (("360900", "宜春市", "Yichun", 27.81, 114.42),),
    ),
)

# Foreign countries: ISO code, names, coordinates of a main industrial centre.
_COUNTRIES: tuple[_Place, ...] = (
    ("JP", "日本", "Japan", 35.68, 139.69),
    ("KR", "韩国", "Republic of Korea", 37.57, 126.98),
    ("DE", "德国", "Germany", 48.14, 11.58),
    ("US", "美国", "United States", 37.39, -122.08),
    ("NL", "荷兰", "Netherlands", 51.42, 5.41),
)


@dataclass(frozen=True, slots=True)
class PlacedRegion:
    """One region row of the demo with its id and the place firms there belong to."""

    id: int
    code: str
    name_zh: str
    name_en: str
    level: str
    parent_id: int | None
    country: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class RegionTree:
    """The demo's regions and the lookups the generator needs to place enterprises.

    ``home_cities`` and ``home_city_weights`` describe the home province's cities;
    ``districts`` maps a home city id to its district ids and ``parks`` a district id to
    its park ids. ``other_cities`` lists ``(province_id, city_id)`` for every city outside
    the home province, with ``other_city_weights`` summing to 1. ``countries`` maps ISO
    codes to region ids. ``city_of`` and ``province_of`` give the city and province id of
    every Chinese region (a region above city level is its own city).
    """

    regions: tuple[PlacedRegion, ...]
    china_id: int
    home_province_id: int
    home_cities: tuple[int, ...]
    home_city_weights: tuple[float, ...]
    districts: dict[int, tuple[int, ...]]
    parks: dict[int, tuple[int, ...]]
    other_cities: tuple[tuple[int, int], ...]
    other_city_weights: tuple[float, ...]
    countries: dict[str, int]
    city_of: dict[int, int] = field(default_factory=dict)
    province_of: dict[int, int] = field(default_factory=dict)

    def by_id(self, region_id: int) -> PlacedRegion:
        """Return the region with ``region_id``."""
        return self.regions[region_id - 1]

    def by_code(self, code: str) -> PlacedRegion:
        """Return the region with ``code``."""
        for region in self.regions:
            if region.code == code:
                return region
        raise KeyError(code)


def build_region_tree() -> RegionTree:
    """Return the demo's region tree with ids 1..n in parent-first order."""
    rows: list[PlacedRegion] = []

    def add(place: _Place, level: str, parent: int | None, country: str = "CN") -> int:
        code, name_zh, name_en, lat, lon = place
        rows.append(
            PlacedRegion(len(rows) + 1, code, name_zh, name_en, level, parent, country, lat, lon)
        )
        return len(rows)

    china = add(("CN", "中国", "China", 39.90, 116.40), "country", None)
    home = add(("330000", "浙江省", "Zhejiang", 30.27, 120.15), "province", china)
    city_of: dict[int, int] = {home: home}
    province_of: dict[int, int] = {home: home}
    home_cities: list[int] = []
    home_weights: list[float] = []
    districts: dict[int, tuple[int, ...]] = {}
    parks: dict[int, tuple[int, ...]] = {}
    for city_place, weight, district_places, park_places in _HOME_CITIES:
        city = add(city_place, "city", home)
        home_cities.append(city)
        home_weights.append(weight)
        city_of[city] = city
        province_of[city] = home
        ids: dict[str, int] = {}
        for place in district_places:
            ids[place[0]] = add(place, "district", city)
            city_of[ids[place[0]]] = city
            province_of[ids[place[0]]] = home
        districts[city] = tuple(ids.values())
        for district_code, place in park_places:
            district = ids[district_code]
            park = add(place, "park", district)
            city_of[park] = city
            province_of[park] = home
            parks[district] = (*parks.get(district, ()), park)
    other: list[tuple[int, int]] = []
    other_weights: list[float] = []
    for province_place, weight, city_places in _OTHER_PROVINCES:
        province = add(province_place, "province", china)
        city_of[province] = province
        province_of[province] = province
        for place in city_places:
            city = add(place, "city", province)
            city_of[city] = city
            province_of[city] = province
            other.append((province, city))
            other_weights.append(weight / len(city_places))
    countries = {place[0]: add(place, "country", None, country=place[0]) for place in _COUNTRIES}
    countries["CN"] = china
    total = sum(other_weights)
    return RegionTree(
        regions=tuple(rows),
        china_id=china,
        home_province_id=home,
        home_cities=tuple(home_cities),
        home_city_weights=tuple(home_weights),
        districts=districts,
        parks=parks,
        other_cities=tuple(other),
        other_city_weights=tuple(w / total for w in other_weights),
        countries=countries,
        city_of=city_of,
        province_of=province_of,
    )
