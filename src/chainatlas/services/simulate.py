"""Disruption scenarios and systemic-risk rankings on the firm network of the store.

:func:`simulate` removes (fully or partly) enterprises, regions, products or the foreign
supply of a product, runs the generalized Leontief cascade of Diem et al. (2022) on the
firm-level supply network (:func:`~chainatlas.analytics.cascade.propagate`), and reports
the production lost by enterprise, segment, chain and region. :func:`systemic_risk`
ranks the firms of a chain or region by their economic systemic risk index
(:func:`~chainatlas.analytics.cascade.esri`). The rules are in docs/simulation.md.

Reference: Diem, C., Borsos, A., Reisch, T., Kertész, J. & Thurner, S. (2022).
Quantifying firm-level economic systemic risk from nation-wide supply networks.
*Scientific Reports* 12, 7719. https://doi.org/10.1038/s41598-022-11522-z
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from chainatlas.analytics.cascade import DEFAULT_MAX_ITER, DEFAULT_TOL, esri, propagate
from chainatlas.analytics.chainmap import Text
from chainatlas.errors import AnalysisError, InvalidData
from chainatlas.services._scope import RegionIndex, Scope, resolve_scope
from chainatlas.services.sim_breakdown import (
    Labels,
    clean,
    firm_figures,
    group_rows,
    ranked,
    segment_label,
    totals,
)
from chainatlas.services.sim_network import SimNetwork, build_network
from chainatlas.services.sim_report import SimulationResult, SystemicRiskRanking
from chainatlas.services.sim_shock import enterprise_refs_from_file, plan_shock

__all__ = [
    "Scenario",
    "SimulationResult",
    "SystemicRiskRanking",
    "enterprise_refs_from_file",
    "simulate",
    "systemic_risk",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Scenario:
    """What a disruption removes, and how much of it.

    Parameters
    ----------
    enterprises
        Enterprises (credit code, stock code or exact name) whose production fails.
    regions
        Regions (code or name, or a cooperation-area code): every firm located there or
        below fails.
    products
        Products whose supply fails: each supplier's sales of the product (and the same
        share of its inputs) fail, not the rest of its business.
    foreign_products
        Products whose supply from suppliers abroad fails.
    severity
        Share of the selected production lost, in (0, 1] (1: removed completely).

    Raises
    ------
    InvalidData
        When the severity is outside (0, 1] or no selector is given.
    """

    enterprises: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    foreign_products: tuple[str, ...] = ()
    severity: float = 1.0

    def __post_init__(self) -> None:
        sev = self.severity
        if isinstance(sev, bool) or not isinstance(sev, int | float) or math.isnan(sev):
            raise InvalidData(f"severity must be a number in (0, 1]; got {sev!r}")
        if not 0 < sev <= 1:
            raise InvalidData(
                f"severity must be greater than 0 and at most 1 (the share of production "
                f"lost); got {sev:g}"
            )
        for name in ("enterprises", "regions", "products", "foreign_products"):
            values = tuple(str(v).strip() for v in getattr(self, name))
            if any(not v for v in values):
                raise InvalidData(f"scenario {name}: an empty value was given")
            object.__setattr__(self, name, values)
        if not (self.enterprises or self.regions or self.products or self.foreign_products):
            raise InvalidData(
                "a scenario needs at least one selector: an enterprise, a region, a product "
                "or a foreign product"
            )

    def to_dict(self) -> dict[str, Any]:
        """Return the scenario as JSON-ready data."""
        return {
            "enterprises": list(self.enterprises),
            "regions": list(self.regions),
            "products": list(self.products),
            "foreign_products": list(self.foreign_products),
            "severity": float(self.severity),
        }


def _scope_mask(net: SimNetwork, scope: Scope | None) -> BoolArray:
    if scope is None:
        return np.ones(net.n, dtype=bool)
    out: BoolArray = scope.local[net.region] | scope.local[net.park]
    return out


def _network_info(net: SimNetwork, s_out: FloatArray) -> dict[str, Any]:
    chain = net.chain
    return {
        "chain": None
        if chain is None
        else {"code": chain["code"], "name": chain["name_zh"], "name_en": chain["name_en"]},
        "as_of": None if net.as_of is None else net.as_of.isoformat(),
        "enterprises": net.n,
        "links": len(net.l_id),
        "sectors": len(net.sector_segment),
        "out_strength": float(s_out.sum()),
        "output_year": net.output_year,
        "value_fallback": dict(net.value_fallback),
    }


def simulate(
    conn: sa.Connection,
    scenario: Scenario,
    *,
    chain: str | None = None,
    region_scope: str | None = None,
    as_of: date | None = None,
    top: int | None = 20,
    shocked_limit: int | None = 1000,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
) -> SimulationResult:
    """Run one disruption scenario on the firm network of the store.

    Parameters
    ----------
    conn
        Connection; nothing is written.
    scenario
        What fails and how much (:class:`Scenario`).
    chain
        Chain code: the network holds only that chain's links and firms (default: every
        link in the store).
    region_scope
        Region (code, name or cooperation area) to report on: the enterprise list and the
        segment and chain breakdowns cover the firms located there, and
        ``scope_totals`` their totals. The cascade always runs on the whole network.
    as_of
        Only supply links valid on this date (default: all).
    top
        Enterprises listed, by loss (None: every affected firm).
    shocked_limit
        Shocked firms listed, by sales lost (None: all; the totals always count all).
    tol, max_iter
        Stopping rule of the cascade (see :func:`~chainatlas.analytics.cascade.propagate`).

    Returns
    -------
    SimulationResult
        Totals, breakdowns by enterprise, segment, chain and region, shocked firms, notes.

    Raises
    ------
    ChainNotFound, RegionNotFound, EnterpriseNotFound
        When the chain, a region or an enterprise does not exist.
    EmptyNetworkError
        When the network holds no supply link with a value.
    AnalysisError
        When a selector matches no firm of the network.
    """
    net = build_network(conn, chain=chain, as_of=as_of)
    regions = RegionIndex.load(conn)
    scope = resolve_scope(conn, regions, region_scope) if region_scope is not None else None
    home = scope.country if scope is not None else resolve_scope(conn, regions, None).country
    plan = plan_shock(
        conn,
        net,
        enterprises=scenario.enterprises,
        regions=scenario.regions,
        products=scenario.products,
        foreign_products=scenario.foreign_products,
        severity=scenario.severity,
        region_index=regions,
        home_country=home,
    )
    res = propagate(
        plan.matrix(),
        plan.sector,
        net.classes,
        plan.psi,
        sector_order=list(range(len(net.sector_segment))),
        tol=tol,
        max_iter=max_iter,
    )
    fig = firm_figures(net, plan, res)
    notes = [*net.notes, *plan.notes]
    if not res.converged:
        notes.append(
            Text(
                "not_converged",
                f"级联在{max_iter}次迭代内未收敛，结果为近似值。",
                f"The cascade did not meet the stopping rule within {max_iter} iterations; "
                "the figures are approximate.",
            )
        )
    lab = Labels(conn, net, regions, home)
    everyone = np.ones(net.n, dtype=bool)
    local = _scope_mask(net, scope)
    by_loss = [fig.loss, np.nan_to_num(fig.output_loss), 1.0 - fig.combined]
    picked = ranked(by_loss, local & fig.affected, top)
    ent_rows = []
    for rank, (p, info) in enumerate(zip(picked.tolist(), lab.firms(picked), strict=True), 1):
        ent_rows.append(
            {
                "rank": rank,
                **info,
                **{
                    k: clean(getattr(fig, k)[p])
                    for k in ("psi", "downstream", "upstream", "combined", "out_strength")
                },
                "loss": clean(fig.loss[p]),
                "output": clean(fig.output[p]),
                "output_loss": clean(fig.output_loss[p]),
            }
        )
    hit = np.zeros(net.n, dtype=bool)
    hit[list(plan.hit_by)] = True
    sales_lost = fig.psi * fig.out_strength
    shocked_pos = ranked([sales_lost, fig.psi], hit, shocked_limit)
    shocked = [
        {
            **info,
            "psi": clean(fig.psi[p]),
            "out_strength": clean(fig.out_strength[p]),
            "sales_lost": clean(sales_lost[p]),
            "selectors": plan.hit_by[p],
        }
        for p, info in zip(shocked_pos.tolist(), lab.firms(shocked_pos), strict=True)
    ]
    return SimulationResult(
        scenario=scenario.to_dict(),
        network=_network_info(net, fig.out_strength),
        scope=None if scope is None else scope.to_dict(),
        shock={
            "enterprises": int(hit.sum()),
            "links": plan.links_hit,
            "link_value": plan.value_hit,
            "sales_lost": float(sales_lost.sum()),
        },
        totals=totals(fig, everyone),
        scope_totals=None if scope is None else totals(fig, local),
        enterprises=ent_rows,
        segments=group_rows(fig, lab.segment_of, local, lambda s: segment_label(net, s)),
        chains=group_rows(fig, lab.chain_keys(), local, lab.chain),
        regions=group_rows(fig, lab.area_keys(), everyone, lab.region),
        shocked=shocked,
        convergence={
            "converged": bool(res.converged),
            "iterations_down": int(res.iterations_down),
            "iterations_up": int(res.iterations_up),
            "tol": tol,
        },
        notes=notes,
    )


def systemic_risk(
    conn: sa.Connection,
    *,
    chain: str | None = None,
    region: str | None = None,
    top: int | None = 20,
    as_of: date | None = None,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
    n_jobs: int = 1,
    prune: float | None = None,
) -> SystemicRiskRanking:
    """Rank the firms of a chain or a region by their economic systemic risk index.

    ``ESRI_i`` is the share of the network's total out-strength lost when firm ``i``
    fails completely (Diem et al. 2022; :func:`~chainatlas.analytics.cascade.esri`).

    Parameters
    ----------
    conn
        Connection; nothing is written.
    chain
        Chain code: the network is that chain's links and firms (default: every link).
    region
        Region (code, name or cooperation area): only firms located there are ranked
        (default: every firm of the network). The network stays the whole chain (or
        store), so a firm's index counts losses wherever they land.
    top
        Firms listed (None: all candidates).
    as_of
        Only supply links valid on this date (default: all).
    tol, max_iter, n_jobs
        Stopping rule and threads of :func:`~chainatlas.analytics.cascade.esri`.
    prune
        None (exact), or the approximate pruned mode of
        :func:`~chainatlas.analytics.cascade.esri`: a rise of a firm's loss is passed on
        only above ``prune``, which gives a lower bound of each ESRI, far faster on large
        networks (docs/simulation.md, docs/benchmarks.md). The ranking notes it.

    Raises
    ------
    InvalidData
        When neither a chain nor a region is given.
    ChainNotFound, RegionNotFound
        When the chain or region does not exist.
    EmptyNetworkError
        When the network holds no supply link with a value.
    AnalysisError
        When no firm of the network is located in the region, or the cascade does not
        converge.
    """
    if chain is None and region is None:
        raise InvalidData("give a chain or a region to rank (or both)")
    net = build_network(conn, chain=chain, as_of=as_of)
    regions = RegionIndex.load(conn)
    scope = resolve_scope(conn, regions, region) if region is not None else None
    home = scope.country if scope is not None else resolve_scope(conn, regions, None).country
    mask = _scope_mask(net, scope)
    if not mask.any():
        where = f" of chain {chain}" if chain else ""
        raise AnalysisError(f"no firm of the network{where} is located in region {region}")
    candidates = np.flatnonzero(mask)
    s_out = net.out_strength()
    values = np.asarray(
        esri(
            net.matrix(),
            net.sector,
            net.classes,
            candidates,
            sector_order=list(range(len(net.sector_segment))),
            tol=tol,
            max_iter=max_iter,
            n_jobs=n_jobs,
            prune=prune,
        ),
        dtype=np.float64,
    )
    score = np.zeros(net.n)
    score[candidates] = values
    picked = ranked([score, s_out], mask, top)
    total = float(s_out.sum())
    lab = Labels(conn, net, regions, home)
    rows = [
        {
            "rank": rank,
            **info,
            "out_strength": clean(s_out[p]),
            "esri": clean(score[p]),
            "esri_loss": clean(score[p] * total),
        }
        for rank, (p, info) in enumerate(zip(picked.tolist(), lab.firms(picked), strict=True), 1)
    ]
    info = _network_info(net, s_out)
    return SystemicRiskRanking(
        chain=info["chain"],
        region=None if scope is None else scope.to_dict(),
        network=info,
        candidates=len(candidates),
        rows=rows,
        notes=list(net.notes) + ([] if prune is None else [_pruned_note(prune)]),
    )


def _pruned_note(prune: float) -> Text:
    return Text(
        "esri_pruned",
        f"近似计算（剪枝阈值 {prune:g}）：企业损失的增量不超过该阈值时不再向下游传递，"
        "所得系统性风险指数为精确值的下界。",
        f"Approximate (pruned at {prune:g}): rises of a firm's loss up to that size are not "
        "passed on, so each index is a lower bound of the exact ESRI.",
    )
