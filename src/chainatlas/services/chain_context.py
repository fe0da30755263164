"""What a chain analysis works on: options, data shared across chains, one chain's arrays.

:func:`shared_data` reads what every chain of one region needs once (regions, the scope,
the output year, totals per region; optionally every enterprise and every link, for
whole-database runs). :func:`prepare` adds one chain and derives the per-membership
and per-link arrays that the strength and risk services use.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from chainatlas.analytics.chainmap import RiskRule, StrengthThresholds, Text
from chainatlas.analytics.chainmap._sorting import group_codes, sorted_unique
from chainatlas.services._frames import (
    ChainData,
    Enterprises,
    LinkTable,
    drop_unknown_enterprises,
    load_chain,
    load_enterprises,
    load_whole_database,
)
from chainatlas.services._scope import RegionIndex, Scope, resolve_scope
from chainatlas.store import analysis_reads as ar

__all__ = ["AnalysisOptions", "ChainContext", "SharedData", "prepare", "shared_data"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class AnalysisOptions:
    """Options of a chain analysis.

    Parameters
    ----------
    year
        Output year (default: the latest year with output data; none loaded: counts).
    reference
        Reference region of the location quotient: None (the region's country),
        ``"all"`` (all data loaded) or a region / region group code or name.
    as_of
        Only supply links valid on this date count (default: all links).
    thresholds
        Segment status thresholds.
    rule
        Risk scoring rule.
    exposure_hops
        Longest downstream path counted in a risk point's exposure.
    """

    year: int | None = None
    reference: str | None = None
    as_of: date | None = None
    thresholds: StrengthThresholds = field(default_factory=StrengthThresholds)
    rule: RiskRule = field(default_factory=RiskRule)
    exposure_hops: int = 10


@dataclass(slots=True)
class SharedData:
    """Data read once for every chain analysed in one region."""

    options: AnalysisOptions
    regions: RegionIndex
    scope: Scope
    year: int | None
    region_total_output: float
    reference_total_output: float
    region_enterprises: int
    reference_enterprises: int
    region_with_output: int
    enterprises: Enterprises | None = None
    links: LinkTable | None = None
    memberships: ar.Columns | None = None
    tiers: IntArray | None = None
    db_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    """Held around every use of the connection, so chains can be analysed in threads."""


def shared_data(
    conn: sa.Connection,
    region: str | None,
    options: AnalysisOptions | None = None,
    *,
    whole_database: bool = False,
) -> SharedData:
    """Resolve the region and read the totals every chain analysis needs.

    With ``whole_database`` every enterprise and every link are read too, once, in bulk
    (fast when many chains are analysed).

    Raises
    ------
    RegionNotFound
        When ``region`` (or the reference) matches no region or region group.
    """
    opts = options or AnalysisOptions()
    regions = RegionIndex.load(conn)
    scope = resolve_scope(conn, regions, region, opts.reference)
    ents = memberships = links = None
    if whole_database:
        year, ents, memberships, links = load_whole_database(conn, opts.year, as_of=opts.as_of)
    else:
        year = opts.year if opts.year is not None else ar.latest_output_year(conn)
    # with every enterprise in hand, the totals are a bincount away; else SQL sums them
    totals = ar.region_totals(conn, year) if ents is None else _region_totals(ents)
    local = scope.local[totals["region_id"]] | scope.local[totals["park_id"]]
    ref = scope.in_reference(totals["region_id"], totals["park_id"])
    shared = SharedData(
        opts,
        regions,
        scope,
        year,
        float(totals["output"][local].sum()),
        float(totals["output"][ref].sum()),
        int(totals["enterprises"][local].sum()),
        int(totals["enterprises"][ref].sum()),
        int(totals["with_output"][local].sum()),
    )
    if ents is not None and links is not None:
        shared.memberships = memberships
        shared.enterprises = ents
        shared.links = links.take(_touching(scope, ents, links))
        shared.tiers = scope.tiers(ents.region, ents.park)
    return shared


def _region_totals(ents: Enterprises) -> ar.Columns:
    """Sum enterprises and output per (region, park) from the loaded enterprise arrays.

    Gives what :func:`~chainatlas.store.analysis_reads.region_totals` gives in SQL.
    """
    ids = np.flatnonzero(ents.known[:-1])
    region, park = ents.region[ids], ents.park[ids]
    width = int(park.max(initial=-1)) + 2
    uniq, inv = group_codes((region + 1) * width + (park + 1))
    x = ents.output[ids]
    has = ~np.isnan(x)
    return {
        "region_id": uniq // width - 1,
        "park_id": uniq % width - 1,
        "enterprises": np.bincount(inv, minlength=len(uniq)).astype(np.int64),
        "output": np.bincount(inv, weights=np.where(has, x, 0.0), minlength=len(uniq)),
        "with_output": np.bincount(inv, weights=has, minlength=len(uniq)).astype(np.int64),
    }


def _touching(scope: Scope, ents: Enterprises, links: LinkTable) -> BoolArray:
    """Return the links with a local supplier or a local buyer.

    Only these matter for a region: its risk points are its buyers' inputs, its chain
    owners' partners and its exposure paths all run over links with a local end.
    """
    if scope.kind == "country":
        return np.ones(len(links), dtype=bool)
    size = ents.size
    sup = np.where((links.supplier >= 0) & (links.supplier < size), links.supplier, size)
    buy = np.where((links.buyer >= 0) & (links.buyer < size), links.buyer, size)
    local_ent = scope.local[ents.region] | scope.local[ents.park]
    local_ent[-1] = False
    out: BoolArray = local_ent[sup] | local_ent[buy]
    return out


@dataclass(slots=True)
class ChainContext:
    """One chain in one region: the chain data plus derived arrays.

    ``m_*`` arrays run over memberships, ``l_*`` over the chain's links; tiers are
    :data:`~chainatlas.analytics.chainmap.TIER_REGION` … ``TIER_UNKNOWN``.
    """

    shared: SharedData
    data: ChainData
    ents: Enterprises
    basis: str
    m_tier: IntArray
    m_ref: BoolArray
    m_weight: FloatArray
    l_sup_tier: IntArray
    l_buy_tier: IntArray
    primary: IntArray
    warnings: list[Text]
    tier_by_id: IntArray
    labels: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def options(self) -> AnalysisOptions:
        """The analysis options."""
        return self.shared.options

    @property
    def scope(self) -> Scope:
        """The analysed region."""
        return self.shared.scope

    def tier_of(self, ids: IntArray) -> IntArray:
        """Return the tier of enterprises by id."""
        out: IntArray = self.tier_by_id[ids]
        return out

    def label(self, conn: sa.Connection, ids: Any) -> None:
        """Fetch names of enterprises ``ids`` not yet labelled."""
        want = [int(i) for i in ids if int(i) not in self.labels]
        if want:
            with self.shared.db_lock:
                self.labels.update(ar.enterprise_labels(conn, want))

    def name(self, eid: int) -> str:
        """Return the name of enterprise ``eid`` (after :meth:`label`)."""
        row = self.labels.get(int(eid))
        return str(row["name"]) if row else f"#{eid}"


def prepare(conn: sa.Connection, chain: str, shared: SharedData) -> ChainContext:
    """Read one chain and derive the arrays its analyses need.

    Raises
    ------
    ChainNotFound
        When no chain has code ``chain``.
    AnalysisError
        When the chain has no segments.
    """
    opts = shared.options
    with shared.db_lock:
        data = load_chain(
            conn, chain, links=shared.links, memberships=shared.memberships, as_of=opts.as_of
        )
        if shared.enterprises is not None:
            ents = shared.enterprises
        else:
            ids = sorted_unique(np.concatenate([data.m_ent, data.links.supplier, data.links.buyer]))
            ents = load_enterprises(conn, shared.year, ids)
    drop_unknown_enterprises(data, ents.known)
    if shared.links is None:
        keep = _touching(shared.scope, ents, data.links)
        data.links, data.inferred = data.links.take(keep), data.inferred[keep]
    warnings = list(data.warnings)
    m_ent = data.m_ent
    tier_by_id = (
        shared.tiers if shared.tiers is not None else shared.scope.tiers(ents.region, ents.park)
    )
    m_tier = tier_by_id[m_ent]
    m_ref = shared.scope.in_reference(ents.region[m_ent], ents.park[m_ent])
    # attribute output by revenue share; without one, split evenly over the enterprise's
    # segments in this chain
    # memberships are ordered by enterprise: count each enterprise's run
    if len(m_ent):
        starts = np.r_[0, np.flatnonzero(np.diff(m_ent)) + 1]
        runs = np.diff(np.r_[starts, len(m_ent)])
        per_ent = np.repeat(runs, runs)
    else:
        per_ent = np.zeros(0, dtype=np.int64)
    m_weight = np.where(np.isnan(data.m_share), 1.0 / np.maximum(per_ent, 1), data.m_share)
    has_output = ~np.isnan(ents.output[m_ent]) & m_ref
    basis = "output" if shared.year is not None and bool(has_output.any()) else "count"
    sup, buy = data.links.supplier, data.links.buyer
    ctx = ChainContext(
        shared,
        data,
        ents,
        basis,
        m_tier,
        m_ref,
        m_weight.astype(np.float64),
        tier_by_id[sup],
        tier_by_id[buy],
        data.primary_segment(ents.size),
        warnings,
        tier_by_id,
    )
    if shared.region_enterprises == 0:
        warnings.append(
            Text(
                "region_no_data",
                f"{shared.scope.name_zh}没有任何企业数据：以下“缺失”表示没有数据，而非确认缺链。",
                f"No enterprise of {shared.scope.name_en or shared.scope.code} is loaded: "
                "'missing' below means no data, not a confirmed gap.",
            )
        )
    if len(m_ent) == 0:
        warnings.append(
            Text(
                "chain_no_enterprises",
                "该产业链尚无任何企业归属环节：请导入企业所属环节（enterprise_segments）。",
                "No enterprise belongs to any segment of this chain yet: import "
                "enterprise_segments.",
            )
        )
    if basis == "count":
        warnings.append(
            Text(
                "count_basis",
                "没有产值数据：产值、份额和区位熵按企业数计算。",
                "No output data: output shares and location quotients are computed from "
                "enterprise counts.",
            )
        )
    elif shared.region_with_output < shared.region_enterprises:
        missing = shared.region_enterprises - shared.region_with_output
        warnings.append(
            Text(
                "output_partial",
                f"本地区有{missing}家企业缺少{shared.year}年产值，产值合计偏低。",
                f"{missing} local enterprises have no output for {shared.year}; output totals "
                "are understated.",
            )
        )
    unknown = int((ctx.l_sup_tier == 4).sum())
    if unknown:
        warnings.append(
            Text(
                "supplier_location_unknown",
                f"{unknown}条供应关系的供应商所在地未知，计入区外但不计入境外。",
                f"{unknown} supply links come from suppliers of unknown location; they count as "
                "outside the region but not as foreign.",
            )
        )
    return ctx
