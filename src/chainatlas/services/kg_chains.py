"""Chains from the A-share industrial-chain knowledge graph (Shenwan industries).

The public data set ``chain_kg_ashare`` (Shenwan 2021 industries, the upstream industries
of each level-3 industry with a weight, company → industry and company → product links,
product → upstream-material links) and ``ashare_stock_basic`` (listed firms with their
province) become, through the public importers and store functions:

* one chain per Shenwan level-1 industry family (``sw280000`` 汽车 …) whose segments are
  the family's level-3 industries plus their strongest upstream industries from other
  families, and whose edges come from the upstream weights and from product → upstream
  material links between the industries' products;
* enterprises with their province and Shenwan industry, members of every chain that
  has their industry as a segment.

:func:`province_gaps` then runs the gap analysis of a chain in every province. See
docs/real-data.md.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from chainatlas.analytics.chainmap import Text, break_cycles
from chainatlas.domain.chain import Chain, InputClass, Position, Segment, SegmentEdge
from chainatlas.errors import ImportFormatError
from chainatlas.importers.readers import RawTable
from chainatlas.importers.report import ImportReport
from chainatlas.importers.specs import get_spec
from chainatlas.services.chain_context import AnalysisOptions, prepare, shared_data
from chainatlas.services.chain_profile import profile_from
from chainatlas.services.import_run import ImportOptions, import_file, import_table
from chainatlas.services.reference import load_reference
from chainatlas.store import analysis_reads as ar
from chainatlas.store.chains import upsert_chain

__all__ = [
    "KgBuild",
    "KgGraph",
    "KgOptions",
    "build_kg_chains",
    "family_chain",
    "load_ashare",
    "province_gaps",
    "read_kg_graph",
]

SOURCE = "chain_kg_ashare"


@dataclass(frozen=True, slots=True)
class KgOptions:
    """How chains are cut from the knowledge graph.

    Parameters
    ----------
    families
        Shenwan level-1 codes (``"280000"``) to build; None builds every family.
    min_weight
        An ``industry_up.json`` upstream link counts when its weight is at least this
        (weights run 1-9; most are 1).
    min_product_links
        ... or when at least this many product → upstream-material links join a product
        of the supplying industry's firms to a product of the buying industry's firms.
    max_upstream
        Upstream industries from other families kept per family segment (heaviest first).
    essential_weight
        An edge whose weight (upstream weight + product links) reaches this is
        ``essential``; lighter ones are ``non_essential``.
    products_per_segment
        Products listed per segment (the most common main products of its firms).
    """

    families: Sequence[str] | None = None
    min_weight: int = 2
    min_product_links: int = 2
    max_upstream: int = 5
    essential_weight: int = 4
    products_per_segment: int = 6


@dataclass(slots=True)
class KgBuild:
    """What :func:`build_kg_chains` built: chains, dropped cycle edges, memberships."""

    chains: list[str] = field(default_factory=list)
    segments: dict[str, int] = field(default_factory=dict)
    edges: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, list[tuple[str, str, float]]] = field(default_factory=dict)
    memberships: int = 0
    notes: list[Text] = field(default_factory=list)


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        raise ImportFormatError(f"{path}: file not found")
    with path.open(encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as err:
                    raise ImportFormatError(f"{path.name}, line {n}: not JSON ({err})") from err


def _six(code: str) -> str:
    return code.split(".")[0].strip().upper()


def load_ashare(conn: sa.Connection, kg_dir: Path, stock_basic: Path) -> dict[str, ImportReport]:
    """Import regions, Shenwan industries and listed enterprises with province and industry.

    Everything goes through :func:`~chainatlas.services.import_run.import_file` with column
    maps: ``industry.json`` and ``industry_industry.json`` (Shenwan codes and parents),
    ``stock_basic.csv`` (firms; ``area`` is the province) and ``company_industry.json``
    (the Shenwan level-3 industry of each firm, matched by stock code; rows of unknown
    firms or industries are skipped and counted in the report).
    """
    kg = Path(kg_dir)
    reports = {"regions": load_reference(conn, "cn-regions")}
    reports["industries"] = import_file(
        conn,
        "industries",
        kg / "industry.json",
        ImportOptions(mapping={"name": "name_zh"}, constants={"scheme": "shenwan"}, source=SOURCE),
    )
    reports["industry_parents"] = import_file(
        conn,
        "industries",
        kg / "industry_industry.json",
        ImportOptions(
            mapping={
                "from_code": "code",
                "from_industry": "name_zh",
                "to_code": "parent",
                "to_industry": "-",
                "rel": "-",
            },
            constants={"scheme": "shenwan"},
            source=SOURCE,
        ),
    )
    reports["enterprises"] = import_file(
        conn,
        "enterprises",
        Path(stock_basic),
        ImportOptions(
            mapping={
                "symbol": "-",
                "area": "region",
                "industry": "-",
                "delist_date": "-",
                "status": "-",
            },
            source="ashare_stock_basic",
        ),
    )
    reports["enterprise_industries"] = import_file(
        conn,
        "enterprises",
        kg / "company_industry.json",
        ImportOptions(
            skip_invalid=True,
            mapping={
                "company_code": "stock_code",
                "company_name": "aliases",
                "industry_name": "-",
                "rel": "-",
            },
            constants={"industry_scheme": "shenwan"},
            source=SOURCE,
        ),
    )
    return reports


@dataclass(frozen=True, slots=True)
class KgGraph:
    """The parts of the knowledge graph chains are cut from (see :func:`read_kg_graph`).

    ``ups[i][u]`` is the upstream weight of industry ``u`` for ``i``; ``product_links[(u,
    i)]`` counts product → upstream-material links from products of ``u``'s firms to
    products of ``i``'s firms; codes are Shenwan codes.
    """

    names: dict[str, str]
    level3: list[str]
    ups: dict[str, dict[str, float]]
    products: dict[str, list[str]]
    product_links: Counter[tuple[str, str]]
    company_industry: dict[str, str]
    company_product: dict[str, str]


def read_kg_graph(kg_dir: Path) -> KgGraph:
    """Read industries, upstream weights, company industries and products from the files.

    Raises
    ------
    ImportFormatError
        When a file is missing or a line is not JSON.
    """
    kg = Path(kg_dir)
    industries = list(_jsonl(kg / "industry.json"))
    names = {str(i["code"]): str(i["name"]) for i in industries}
    code_of = {v: k for k, v in names.items()}
    level3 = [c for c in names if not c.endswith("00")]
    ups: dict[str, dict[str, float]] = {}
    for row in _jsonl(kg / "industry_up.json"):
        buyer = code_of.get(str(row["industry"]))
        if buyer is None:
            continue
        for name, w in (row.get("ups") or {}).items():
            sup = code_of.get(str(name))
            if sup is not None and sup != buyer and not sup.endswith("00"):
                ups.setdefault(buyer, {})[sup] = float(w)
    company_industry: dict[str, str] = {}
    for row in _jsonl(kg / "company_industry.json"):
        company_industry.setdefault(_six(str(row["company_code"])), str(row["industry_code"]))
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    product_industries: dict[str, set[str]] = defaultdict(set)
    best: dict[str, tuple[float, str]] = {}
    cp = kg / "derived" / "company_product.jsonl"
    pp = kg / "derived" / "product_product.jsonl"
    product_links: Counter[tuple[str, str]] = Counter()
    if cp.exists():
        for row in _jsonl(cp):
            code = _six(str(row["company_code"]))
            product = str(row["product_name"]).strip()
            ind = company_industry.get(code)
            weight = float(row.get("rel_weight") or 0.0)
            if code not in best or weight > best[code][0]:
                best[code] = (weight, product)
            if ind is not None and product:
                counts[ind][product] += 1
                product_industries[product].add(ind)
        if pp.exists():
            for row in _jsonl(pp):
                if row.get("rel") != "上游材料":
                    continue
                for b in product_industries.get(str(row["from_entity"]), ()):
                    for a in product_industries.get(str(row["to_entity"]), ()):
                        if a != b:
                            product_links[(a, b)] += 1
    products = {ind: [p for p, _n in c.most_common()] for ind, c in counts.items()}
    return KgGraph(
        names,
        level3,
        ups,
        products,
        product_links,
        company_industry,
        {k: v[1] for k, v in best.items()},
    )


def family_chain(
    graph: KgGraph, family: str, options: KgOptions | None = None
) -> tuple[Chain | None, list[tuple[str, str, float]]]:
    """Cut the chain of one Shenwan level-1 family; return it and the edges dropped.

    Segments are the family's level-3 industries and, for each of them, up to
    ``max_upstream`` upstream industries of other families. An upstream link
    ``u → i`` has weight ``w = up_weight(u, i) + product_links(u, i)`` and is kept when
    ``up_weight ≥ min_weight`` or ``product_links ≥ min_product_links``. Cycles are broken
    greedily, heaviest edges first (:func:`~chainatlas.analytics.chainmap.break_cycles`);
    the dropped edges are returned. Positions: other families' industries are upstream;
    family industries that supply another family industry are midstream, the rest
    downstream. Returns None when the family has no level-3 industry.
    """
    o = options or KgOptions()
    g = graph
    prefix = family[:2]
    members = [c for c in g.level3 if c.startswith(prefix)]
    if not members:
        return None, []
    fam = set(members)
    weighted: dict[tuple[str, str], tuple[float, float]] = {}
    for i in members:
        cands: dict[str, tuple[float, float]] = {}
        for u, w in g.ups.get(i, {}).items():
            cands[u] = (w, float(g.product_links.get((u, i), 0)))
        for (u, b), n in g.product_links.items():
            if b == i and u not in cands and u in g.names and not u.endswith("00"):
                cands[u] = (0.0, float(n))
        kept = [
            (u, w, p)
            for u, (w, p) in cands.items()
            if w >= o.min_weight or p >= o.min_product_links
        ]
        inside = [(u, w, p) for u, w, p in kept if u in fam]
        outside = sorted(
            (t for t in kept if t[0] not in fam), key=lambda t: (-(t[1] + t[2]), t[0])
        )[: o.max_upstream]
        for u, w, p in inside + outside:
            weighted[(u, i)] = (w, p)
    nodes = members + sorted({u for u, _i in weighted} - fam)
    kept_edges, dropped = break_cycles(
        nodes, [(u, i, w + p) for (u, i), (w, p) in sorted(weighted.items())]
    )
    supplies_family = {u for u, i, _w in kept_edges if u in fam and i in fam}
    segs = []
    for code in nodes:
        if code not in fam:
            pos = Position.UPSTREAM
        elif code in supplies_family:
            pos = Position.MIDSTREAM
        else:
            pos = Position.DOWNSTREAM
        products = tuple(g.products.get(code, [])[: o.products_per_segment])
        segs.append(
            Segment(
                code=f"sw{code}",
                name_zh=g.names[code],
                name_en=f"Shenwan {code}",
                position=pos,
                products=products,
                importance=2.0 if code in fam else 1.0,
            )
        )
    edges = tuple(
        SegmentEdge(
            f"sw{u}",
            f"sw{i}",
            InputClass.ESSENTIAL if w >= o.essential_weight else InputClass.NON_ESSENTIAL,
            note=f"industry_up {weighted[(u, i)][0]:g}; product links {weighted[(u, i)][1]:g}",
        )
        for u, i, w in kept_edges
    )
    name = g.names.get(family, family)
    chain = Chain(
        code=f"sw{family}",
        name_zh=f"{name}产业链（申万）",
        name_en=f"Shenwan {family} chain",
        description_zh=f"由申万行业上游关系和产品上游材料关系生成的{name}产业链。",
        description_en=f"Chain of Shenwan family {family} built from industry upstream "
        "relations and product upstream materials.",
        segments=tuple(segs),
        edges=edges,
    )
    return chain, dropped


def build_kg_chains(conn: sa.Connection, kg_dir: Path, options: KgOptions | None = None) -> KgBuild:
    """Build one chain per Shenwan family and make enterprises members of its segments.

    Run :func:`load_ashare` first. Chains are written with
    :func:`~chainatlas.store.chains.upsert_chain`; memberships go through the
    ``enterprise_segments`` importer (enterprises named by stock code), so re-running
    changes nothing. Cycles in the upstream relations are broken deterministically and
    listed in ``KgBuild.dropped`` and ``KgBuild.notes``.
    """
    o = options or KgOptions()
    kg = Path(kg_dir)
    g = read_kg_graph(kg)
    families = (
        list(o.families)
        if o.families is not None
        else sorted(c for c in g.names if c.endswith("0000"))
    )
    out = KgBuild()
    chain_segments: dict[str, set[str]] = {}
    for fam in families:
        chain, dropped = family_chain(g, fam, o)
        if chain is None:
            out.notes.append(
                Text(
                    "empty_family",
                    f"申万{fam}没有三级行业，未生成产业链。",
                    f"Shenwan family {fam} has no level-3 industry; no chain.",
                )
            )
            continue
        upsert_chain(conn, chain, source=SOURCE)
        out.chains.append(chain.code)
        out.segments[chain.code] = len(chain.segments)
        out.edges[chain.code] = len(chain.edges)
        out.dropped[chain.code] = dropped
        if dropped:
            shown = ", ".join(f"{a}->{b}" for a, b, _w in dropped[:5])
            out.notes.append(
                Text(
                    "cycle_broken",
                    f"{chain.code}：上游关系存在循环，删除了{len(dropped)}条较弱的边（{shown}…）。",
                    f"{chain.code}: the upstream relations form cycles; {len(dropped)} lighter "
                    f"edges were dropped ({shown}…).",
                )
            )
        chain_segments[chain.code] = {s.code for s in chain.segments}
    rows = []
    for m in ar.industry_members(conn, "shenwan"):
        seg = f"sw{m['industry']}"
        ref = m["stock_code"] or m["credit_code"] or m["name"]
        for code, segs in chain_segments.items():
            if seg in segs:
                rows.append([ref, code, seg, g.company_product.get(str(m["stock_code"]), "")])
    table = RawTable(
        file="company_industry.json (memberships)",
        headers=["enterprise", "chain", "segment", "main_product"],
        rows=[(i + 2, r) for i, r in enumerate(rows)],
    )
    rep = import_table(conn, get_spec("enterprise_segments"), table, ImportOptions(source=SOURCE))
    out.memberships = rep.inserted + rep.updated + rep.unchanged
    return out


def province_gaps(
    conn: sa.Connection,
    chain: str,
    provinces: Sequence[str] | None = None,
    options: AnalysisOptions | None = None,
) -> list[dict[str, Any]]:
    """Run the gap analysis of ``chain`` in every province (or those given).

    Returns one row per province: local enterprises, counts of strong, present, weak and
    missing segments, completeness, score and the missing and weak segment codes.
    """
    if provinces is None:
        provinces = [r["code"] for r in ar.region_rows(conn) if r["level"] == "province"]
    out = []
    for code in provinces:
        shared = shared_data(conn, code, options)
        profile = profile_from(conn, prepare(conn, chain, shared))
        sc = profile.scorecard
        out.append(
            {
                "region": code,
                "name": profile.region["name"],
                "local_enterprises": sc["local_enterprises"],
                **{
                    k: sc[k]
                    for k in ("strong", "present", "weak", "missing", "completeness", "score")
                },
                "missing_segments": [s.id for s in profile.segments if s.status == "missing"],
                "weak_segments": [s.id for s in profile.segments if s.status == "weak"],
            }
        )
    out.sort(key=lambda r: (-(r["completeness"] or 0.0), r["region"]))
    return out
