"""The demo data generator: every table's rows, streamed in batches in foreign-key order.

:func:`generate` yields ``(table_name, rows)`` pairs, each table's batches one after
another and tables in an order where every row's references were yielded before it. Only
compact per-firm arrays (about 60 bytes a firm) and one batch of rows are held at a time,
so a million enterprises and ten million supply links stream in well under 2 GB.

The output depends only on :class:`DemoConfig`: the same seed and scale give the same rows.
Each batch draws from its own generator seeded by ``(seed, table, batch number)``, and
batches cover a fixed number of firms, so the rows do not depend on how the caller
consumes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from chainatlas.demo.activity import capital_rows, docking_rows, innovation_rows, talent_rows
from chainatlas.demo.catalogue import Catalogue, build_catalogue
from chainatlas.demo.enterprises import enterprise_rows, membership_rows, year_rows
from chainatlas.demo.indicators import IndicatorTotals, indicator_rows, target_rows
from chainatlas.demo.links import SupplierPools, link_rows
from chainatlas.demo.population import Population, build_population
from chainatlas.demo.regions import COOPERATION_AREA, PlacedRegion, build_region_tree
from chainatlas.demo.work import event_rows, policy_rows, project_rows

__all__ = ["DEFAULT_SEED", "TABLE_ORDER", "DemoConfig", "generate", "planned_rows"]

Row = dict[str, object]

DEFAULT_SEED = 20240501
"""The seed used when none is given (also the default of ``Settings.demo_seed``)."""

TABLE_ORDER = (
    "regions",
    "region_groups",
    "region_group_members",
    "industries",
    "chains",
    "segments",
    "segment_edges",
    "enterprises",
    "enterprise_years",
    "enterprise_segments",
    "supply_links",
    "innovation_resources",
    "innovation_resource_segments",
    "talent_records",
    "capital_records",
    "projects",
    "policies",
    "docking_needs",
    "events",
    "indicators",
    "indicator_values",
    "targets",
)
"""The tables the demo fills, in the order :func:`generate` yields them."""

# Stream tags: each table's batches draw from generators seeded by (seed, tag, batch).
_POPULATION, _ENTERPRISES, _YEARS, _MEMBERS, _LINKS, _CAPITAL, _DOCKING, _OTHER = range(1, 9)
_LINKS_PER_BATCH = 20_000

_BatchMaker = Callable[[int, int, int, int], list[Row]]
_RngMaker = Callable[..., np.random.Generator]


@dataclass(frozen=True, slots=True)
class DemoConfig:
    """What to generate.

    Parameters
    ----------
    scale
        Number of enterprises.
    links_per_enterprise
        Supply links per enterprise on average (the total is about ``scale`` times this).
    seed
        Seed of every random draw; the same seed and scale give the same rows.
    chunk
        Enterprises per batch. Changing it changes the data, so it is fixed by default.
    imported_at
        Written to every ``imported_at`` column (None leaves it empty).
    source
        Written to every ``source`` column.
    """

    scale: int = 3000
    links_per_enterprise: float = 8.0
    seed: int = DEFAULT_SEED
    chunk: int = 10_000
    imported_at: datetime | None = field(default=None, compare=False)
    source: str = "demo"

    def __post_init__(self) -> None:
        if self.scale < 1:
            raise ValueError("scale must be at least 1")
        if self.links_per_enterprise < 0:
            raise ValueError("links_per_enterprise must not be negative")
        if self.scale > 28_000_000:
            raise ValueError("scale must not exceed 28 million (credit codes would repeat)")


def planned_rows(config: DemoConfig) -> dict[str, int]:
    """Return about how many rows :func:`generate` yields per table (for progress bars)."""
    n = config.scale
    return {
        "enterprises": n,
        "enterprise_years": round(3.8 * n),
        "enterprise_segments": round(1.42 * n),
        "supply_links": round(config.links_per_enterprise * n),
        "capital_records": round(0.09 * n),
        "docking_needs": round(0.075 * n),
    }


def generate(config: DemoConfig) -> Iterator[tuple[str, list[Row]]]:
    """Yield ``(table_name, rows)`` batches for every demo table in :data:`TABLE_ORDER`."""
    prov: Row = {"source": config.source, "imported_at": config.imported_at}

    def rng(*tags: int) -> np.random.Generator:
        return np.random.default_rng([config.seed, *tags])

    tree = build_region_tree()
    yield "regions", [{**_region_row(r), **prov} for r in tree.regions]
    code, name_zh, name_en, members = COOPERATION_AREA
    group: Row = {"id": 1, "code": code, "name_zh": name_zh, "name_en": name_en, **prov}
    yield "region_groups", [{**group, "kind": "cooperation_area"}]
    yield (
        "region_group_members",
        [{"group_id": 1, "region_id": tree.by_code(member).id} for member in members],
    )
    cat = build_catalogue(prov)
    yield "industries", list(cat.industry_rows)
    yield "chains", list(cat.chain_rows)
    yield "segments", list(cat.segment_rows)
    yield "segment_edges", list(cat.edge_rows)

    pop = build_population(config.scale, cat, tree, rng(_POPULATION))
    chunks = [(lo, min(lo + config.chunk, pop.n)) for lo in range(0, pop.n, config.chunk)]
    seen_foreign: dict[str, int] = {}
    for k, (lo, hi) in enumerate(chunks):
        yield (
            "enterprises",
            enterprise_rows(lo, hi, pop, cat, tree, rng(_ENTERPRISES, k), prov, seen_foreign),
        )
    seen_foreign.clear()
    totals = IndicatorTotals(tree, len(cat.chains))
    yield from _numbered(
        "enterprise_years",
        chunks,
        lambda k, lo, hi, first: year_rows(lo, hi, first, pop, cat, rng(_YEARS, k), prov, totals),
    )
    yield from _numbered(
        "enterprise_segments",
        chunks,
        lambda k, lo, hi, first: membership_rows(lo, hi, first, pop, cat, rng(_MEMBERS, k), prov),
    )
    yield from _links(config, pop, cat, prov, rng)

    resources, resource_segments = innovation_rows(cat, tree, rng(_OTHER, 1), prov)
    yield "innovation_resources", resources
    yield "innovation_resource_segments", resource_segments
    yield "talent_records", talent_rows(pop, cat, tree, rng(_OTHER, 2), prov)
    yield from _numbered(
        "capital_records",
        chunks,
        lambda k, lo, hi, first: capital_rows(lo, hi, first, pop, rng(_CAPITAL, k), prov),
    )
    yield "projects", project_rows(pop, cat, tree, rng(_OTHER, 3), prov)
    yield "policies", policy_rows(tree, prov)
    yield from _numbered(
        "docking_needs",
        chunks,
        lambda k, lo, hi, first: docking_rows(
            lo, hi, first, pop, cat, tree, rng(_DOCKING, k), prov
        ),
    )
    yield "events", event_rows(pop, cat, tree, prov)
    indicators, values = indicator_rows(totals, prov)
    yield "indicators", indicators
    yield "indicator_values", values
    yield "targets", target_rows(totals, prov, rng(_OTHER, 4))


def _numbered(
    table: str,
    chunks: list[tuple[int, int]],
    make: _BatchMaker,
) -> Iterator[tuple[str, list[Row]]]:
    """Yield one batch per chunk, numbering rows on from the previous batch."""
    first = 1
    for k, (lo, hi) in enumerate(chunks):
        rows = make(k, lo, hi, first)
        first += len(rows)
        if rows:
            yield table, rows


def _links(
    config: DemoConfig,
    pop: Population,
    cat: Catalogue,
    prov: Row,
    rng: _RngMaker,
) -> Iterator[tuple[str, list[Row]]]:
    """Yield supply links in batches of buyers (about 20,000 links a batch)."""
    pools = SupplierPools(pop, cat, config.links_per_enterprise)
    if config.links_per_enterprise == 0:
        return
    buyers_per_batch = max(500, int(_LINKS_PER_BATCH / max(config.links_per_enterprise, 1.0)))
    first = 1
    for k, lo in enumerate(range(0, pop.n, buyers_per_batch)):
        hi = min(lo + buyers_per_batch, pop.n)
        rows = link_rows(lo, hi, first, pop, cat, pools, rng(_LINKS, k), prov, config.seed)
        first += len(rows)
        if rows:
            yield "supply_links", rows


def _region_row(region: PlacedRegion) -> Row:
    return {
        "id": region.id,
        "code": region.code,
        "name_zh": region.name_zh,
        "name_en": region.name_en,
        "level": region.level,
        "parent_id": region.parent_id,
        "country": region.country,
        "lat": region.lat,
        "lon": region.lon,
    }
