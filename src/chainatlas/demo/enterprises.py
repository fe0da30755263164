"""Rows for enterprises, their yearly figures and their segment memberships, batch by batch.

Each function turns a slice of the :class:`~chainatlas.demo.population.Population` (firms
``lo`` to ``hi - 1``) into table rows, drawing what only that table needs (names, credit
codes, yearly noise) from the generator it is given.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from chainatlas.demo.catalogue import Catalogue
from chainatlas.demo.indicators import YEARS, IndicatorTotals
from chainatlas.demo.names import domestic_names, foreign_names
from chainatlas.demo.population import (
    GEO_FOREIGN,
    OWNERSHIPS,
    SIZE_CLASSES,
    SRDI_LEVELS,
    Population,
)
from chainatlas.demo.regions import RegionTree
from chainatlas.domain.credit_code import ALPHABET

__all__ = ["credit_codes", "enterprise_rows", "membership_rows", "year_rows"]

Row = dict[str, object]

_ALPHA = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
_ID_SPACE = 31**5
_ID_MULT = 10_465_793  # coprime with 31, so id -> id * m mod 31**5 is one-to-one
_EPOCH = date(1970, 1, 1).toordinal()
_ABOVE_SCALE = 2e7  # 规模以上: main-business revenue of 20 million yuan or more
_BOARDS = (
    ("600", "SSE", ".SH"),
    ("601", "SSE", ".SH"),
    ("603", "SSE", ".SH"),
    ("688", "SSE", ".SH"),
    ("000", "SZSE", ".SZ"),
    ("002", "SZSE", ".SZ"),
    ("300", "SZSE", ".SZ"),
    ("301", "SZSE", ".SZ"),
    ("83", "BSE", ".BJ"),
    ("87", "BSE", ".BJ"),
)
_BOARD_P_LARGE = np.array([0.18, 0.14, 0.12, 0.14, 0.1, 0.14, 0.12, 0.06, 0.0, 0.0])
_BOARD_P_SMALL = np.array([0.02, 0.0, 0.08, 0.2, 0.02, 0.1, 0.26, 0.12, 0.12, 0.08])
_FOREIGN_EXCHANGES = {
    "JP": ("TSE", ".T", 4),
    "KR": ("KRX", ".KS", 6),
    "DE": ("XETRA", ".DE", 0),
    "US": ("NASDAQ", "", 0),
    "NL": ("Euronext Amsterdam", ".AS", 0),
}


def credit_codes(ids: np.ndarray, divisions: list[str], rng: np.random.Generator) -> list[str]:
    """Return valid, unique 18-character credit codes for enterprises ``ids``.

    Layout: ``9`` (registered with market regulation), ``1`` (enterprise), the 6-digit
    division code, a 9-character organisation code and the GB 32100 check character. The
    organisation code is 4 random characters and 5 characters that encode the id one-to-one
    (ids up to 31**5, about 28.6 million), which makes codes unique without a lookup.
    """
    n = len(ids)
    values = np.empty((n, 17), dtype=np.int64)
    values[:, 0] = 9
    values[:, 1] = 1
    digits = np.frombuffer("".join(divisions).encode("ascii"), dtype=np.uint8).reshape(n, 6)
    values[:, 2:8] = digits - ord("0")
    values[:, 8:12] = rng.integers(0, 31, (n, 4))
    x = (ids.astype(np.int64) * _ID_MULT + 7_654_321) % _ID_SPACE
    for k in range(16, 11, -1):
        x, values[:, k] = np.divmod(x, 31)
    check = (31 - (values @ _WEIGHTS) % 31) % 31
    chars = np.concatenate([values, check[:, None]], axis=1)
    text = _ALPHA[chars].tobytes().decode("ascii")
    return [text[i * 18 : (i + 1) * 18] for i in range(n)]


def enterprise_rows(
    lo: int,
    hi: int,
    pop: Population,
    cat: Catalogue,
    tree: RegionTree,
    rng: np.random.Generator,
    provenance: Row,
    seen_foreign: dict[str, int],
) -> list[Row]:
    """Return the ``enterprises`` rows of firms ``lo`` to ``hi - 1``."""
    idx = np.arange(lo, hi)
    ids = idx + 1
    geo = pop.geo[idx]
    seg = pop.seg1[idx]
    chain_codes = [cat.chains[c].code for c in cat.seg_chain[seg].tolist()]
    revenue = pop.output[idx] * pop.revenue_ratio[idx]
    listed = pop.listed_day[idx] > 0
    n = hi - lo
    name = [""] * n
    name_en = [""] * n
    short = [""] * n
    norm = [""] * n
    credit: list[str | None] = [None] * n
    domestic = np.flatnonzero(geo != GEO_FOREIGN)
    if len(domestic):
        cities = [tree.by_id(c) for c in pop.city_id[idx[domestic]].tolist()]
        names = domestic_names(
            rng,
            [c.name_zh.removesuffix("市") for c in cities],
            [c.name_en for c in cities],
            [chain_codes[i] for i in domestic],
            listed[domestic],
            pop.size[idx[domestic]] == 0,
        )
        divisions = [tree.by_id(r).code[:6] for r in pop.region_id[idx[domestic]].tolist()]
        codes = credit_codes(ids[domestic], divisions, rng)
        for k, j in enumerate(domestic.tolist()):
            name[j], name_en[j], short[j] = names.name[k], names.name_en[k], names.short[k]
            norm[j] = names.norm[k]
            credit[j] = codes[k]
    foreign = np.flatnonzero(geo == GEO_FOREIGN)
    if len(foreign):
        countries = [tree.by_id(r).code for r in pop.region_id[idx[foreign]].tolist()]
        names = foreign_names(rng, countries, [chain_codes[i] for i in foreign], seen_foreign)
        for k, j in enumerate(foreign.tolist()):
            name[j], name_en[j], short[j] = names.name[k], names.name_en[k], names.short[k]
            norm[j] = names.norm[k]
    stock, exchange = _stock_codes(
        rng, geo, pop.size[idx], listed, name_en, pop.region_id[idx], tree
    )
    exporter = (rng.random(n) < 0.25).tolist()
    product_pick = rng.random(n)
    owner = pop.chain_owner[idx].tolist()
    above = (revenue >= _ABOVE_SCALE).tolist()
    champion = ((pop.srdi[idx] == 3) & (pop.rd_intensity[idx] >= 0.05)).tolist()
    invested = (np.isin(pop.ownership[idx], (2, 3)) & (geo != GEO_FOREIGN)).tolist()
    segs = seg.tolist()
    industry = [cat.industry_id(c) if c else None for c in cat.seg_industry]
    regions = pop.region_id[idx].tolist()
    parks = pop.park_id[idx].tolist()
    sizes = pop.size[idx].tolist()
    owners = pop.ownership[idx].tolist()
    founded = [date.fromordinal(d) for d in pop.founded[idx].tolist()]
    listed_on = [date.fromordinal(d) if d else None for d in pop.listed_day[idx].tolist()]
    high_tech = pop.high_tech[idx].tolist()
    srdi = pop.srdi[idx].tolist()
    picks = product_pick.tolist()
    rows: list[Row] = []
    for i in range(n):
        s = segs[i]
        products = cat.seg_products[s]
        main = products[int(picks[i] * len(products))]
        tags: list[str] = []
        if owner[i]:
            tags.append("chain_owner")
        if above[i]:
            tags.append("above_scale")
            if exporter[i]:
                tags.append("exporter")
        if champion[i]:
            tags.append("hidden_champion")
        if invested[i]:
            tags.append("foreign_invested")
        is_listed = listed_on[i] is not None
        rows.append(
            {
                "id": lo + i + 1,
                "credit_code": credit[i],
                "name": name[i],
                "name_en": name_en[i],
                "name_norm": norm[i],
                "aliases": [short[i]] if is_listed else [],
                "region_id": regions[i],
                "park_id": parks[i] or None,
                "industry_id": industry[s],
                "size_class": SIZE_CLASSES[sizes[i]],
                "ownership": OWNERSHIPS[owners[i]],
                "founded_on": founded[i],
                "listed": is_listed,
                "stock_code": stock[i],
                "exchange": exchange[i],
                "listed_on": listed_on[i],
                "high_tech": high_tech[i],
                "srdi_level": SRDI_LEVELS[srdi[i]],
                "tags": tags,
                "description": f"{cat.seg_names[s][0]}企业，主营{main}。",
                **provenance,
            }
        )
    return rows


def _stock_codes(
    rng: np.random.Generator,
    geo: np.ndarray,
    size: np.ndarray,
    listed: np.ndarray,
    names_en: list[str],
    regions: np.ndarray,
    tree: RegionTree,
) -> tuple[list[str | None], list[str | None]]:
    n = len(geo)
    large = rng.choice(len(_BOARDS), size=n, p=_BOARD_P_LARGE)
    small = rng.choice(len(_BOARDS), size=n, p=_BOARD_P_SMALL)
    board = np.where(size <= 1, large, small)
    number = rng.integers(0, 10_000, n)
    stock: list[str | None] = [None] * n
    exchange: list[str | None] = [None] * n
    for i in np.flatnonzero(listed):
        if geo[i] == GEO_FOREIGN:
            country = tree.by_id(int(regions[i])).code
            venue, suffix, width = _FOREIGN_EXCHANGES.get(country, ("NYSE", "", 0))
            if width:
                code = f"{number[i] % 10**width:0{width}d}"
            else:
                letters = "".join(w[0] for w in names_en[i].split()[:3]).upper()
                code = (letters + "X")[:4] if venue == "NASDAQ" else letters[:3]
            stock[i], exchange[i] = code + suffix, venue
            continue
        # Stored without the exchange suffix (600000, not 600000.SH), as the importers do.
        prefix, venue, _suffix = _BOARDS[board[i]]
        width = 6 - len(prefix)
        stock[i] = f"{prefix}{number[i] % 10**width:0{width}d}"
        exchange[i] = venue
    return stock, exchange


def year_rows(
    lo: int,
    hi: int,
    first_id: int,
    pop: Population,
    cat: Catalogue,
    rng: np.random.Generator,
    provenance: Row,
    totals: IndicatorTotals,
) -> list[Row]:
    """Return ``enterprise_years`` rows (2021-2024, from the founding year) of firms lo..hi-1.

    2024 output is the population's; earlier years divide by each year's growth. Revenue
    follows output, employees grow with output to the power 0.6, R&D spend is revenue times
    the firm's R&D intensity, patents are Poisson with one per 1.5 million yuan of R&D, tax
    is 2-6% of revenue and energy use (tonnes of standard coal) follows output.
    """
    idx = np.arange(lo, hi)
    n = hi - lo
    y = len(YEARS)
    growth = pop.growth[idx, None] + rng.normal(0.0, 0.05, (n, y - 1))
    factor = np.ones((n, y))
    for k in range(y - 2, -1, -1):
        factor[:, k] = factor[:, k + 1] / np.maximum(1.0 + growth[:, k], 0.3)
    output = pop.output[idx, None] * factor
    revenue = output * pop.revenue_ratio[idx, None] * rng.uniform(0.98, 1.02, (n, y))
    employees = np.maximum(1, np.rint(pop.employees[idx, None] * factor**0.6)).astype(np.int64)
    rd = revenue * pop.rd_intensity[idx, None] * rng.uniform(0.85, 1.15, (n, y))
    patents = rng.poisson(np.minimum(rd / 1.5e6, 5e3))
    tax = revenue * rng.uniform(0.02, 0.06, (n, y))
    energy_rate = np.array([0.12, 0.05, 0.03])[cat.seg_position[pop.seg1[idx]]]
    energy = np.broadcast_to(
        output / 1e4 * energy_rate[:, None] * rng.lognormal(0.0, 0.3, (n, 1)), (n, y)
    )
    founded_year = _years(pop.founded[idx])
    exists = founded_year[:, None] <= np.array(YEARS)[None, :]
    totals.add(idx, pop, cat, revenue, output, rd, exists)
    columns = (
        np.round(output, 2).tolist(),
        np.round(revenue, 2).tolist(),
        employees.tolist(),
        np.round(rd, 2).tolist(),
        patents.tolist(),
        np.round(tax, 2).tolist(),
        np.round(energy, 3).tolist(),
    )
    alive = exists.tolist()
    rows: list[Row] = []
    next_id = first_id
    for i in range(n):
        firm = lo + i + 1
        out_i, rev_i, emp_i, rd_i, pat_i, tax_i, en_i = (c[i] for c in columns)
        for k, year in enumerate(YEARS):
            if not alive[i][k]:
                continue
            rows.append(
                {
                    "id": next_id,
                    "enterprise_id": firm,
                    "year": year,
                    "output_value": out_i[k],
                    "revenue": rev_i[k],
                    "employees": emp_i[k],
                    "rd_spend": rd_i[k],
                    "patents": pat_i[k],
                    "tax": tax_i[k],
                    "energy_use": en_i[k],
                    **provenance,
                }
            )
            next_id += 1
    return rows


def _years(ordinals: np.ndarray) -> np.ndarray:
    """Return the calendar year of each date ordinal."""
    days = (ordinals.astype(np.int64) - _EPOCH).astype("datetime64[D]")
    return days.astype("datetime64[Y]").astype(np.int64) + 1970


def membership_rows(
    lo: int,
    hi: int,
    first_id: int,
    pop: Population,
    cat: Catalogue,
    rng: np.random.Generator,
    provenance: Row,
) -> list[Row]:
    """Return ``enterprise_segments`` rows of firms lo..hi-1 (1-3 segments each).

    The main segment takes 55-100% of revenue; further segments share part of the rest,
    so a firm's shares never sum to more than 1.
    """
    idx = np.arange(lo, hi)
    n = hi - lo
    more = (pop.seg2[idx] >= 0) | (pop.seg3[idx] >= 0)
    share1 = np.where(more, rng.uniform(0.55, 0.95, n), rng.uniform(0.7, 1.0, n))
    share2 = (1.0 - share1) * rng.uniform(0.4, 0.9, n)
    share3 = (1.0 - share1 - share2) * rng.uniform(0.3, 0.9, n)
    pick = rng.random((n, 3)).tolist()
    seg_lists = (pop.seg1[idx].tolist(), pop.seg2[idx].tolist(), pop.seg3[idx].tolist())
    shares = tuple(np.round(x, 4).tolist() for x in (share1, share2, share3))
    rows: list[Row] = []
    next_id = first_id
    for i in range(n):
        for k in range(3):
            seg = seg_lists[k][i]
            if seg < 0:
                continue
            products = cat.seg_products[seg]
            rows.append(
                {
                    "id": next_id,
                    "enterprise_id": lo + i + 1,
                    "segment_id": seg + 1,
                    "main_product": products[int(pick[i][k] * len(products))],
                    "revenue_share": shares[k][i],
                    **provenance,
                }
            )
            next_id += 1
    return rows
