"""Risk points as objects: reasons, measures, countermeasures and trace, made on demand.

:mod:`chainatlas.services.supply_risk` scores every risk point of a chain as one row of a
frame (a chain in a large region has hundreds of thousands). Turning a row into a
:class:`RiskPoint` (reasons in words, named alternatives and targets, the link ids behind
it) costs far more than scoring it, so :class:`RiskPointSource` does it only for the rows
asked for: the listed top points, a page of the risk list, one segment's points.

Which countermeasures a point gets is decided by :func:`countermeasure_masks`, for all
rows at once; the same masks drive the objects and the report's countermeasure list.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa

from chainatlas.analytics.chainmap import (
    REASON_CODES,
    TIER_COUNTRY,
    TIER_REGION,
    Text,
    countermeasure_text,
    risk_reasons,
)
from chainatlas.services.chain_context import ChainContext

__all__ = [
    "COUNTERMEASURE_KINDS",
    "Countermeasure",
    "RiskPoint",
    "RiskPointSource",
    "countermeasure_masks",
    "point_ids",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
_TIER_NAMES = ("region", "cooperation_area", "country", "abroad", "unknown")

COUNTERMEASURE_KINDS = (
    "alternative_suppliers",
    "diversify",
    "localise",
    "attract_investment",
    "joint_rnd",
)
"""Countermeasure kinds in the order a risk point lists them."""


def _num(x: Any) -> float | None:
    if x is None:
        return None
    f = float(x)
    return None if math.isnan(f) else f


@dataclass(frozen=True, slots=True)
class Countermeasure:
    """One proposed action with its sentence and ranked target enterprises."""

    kind: str
    segment: str
    text: Text
    targets: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"kind", "segment", "zh", "en", "targets"}``."""
        return {
            "kind": self.kind,
            "segment": self.segment,
            "zh": self.text.zh,
            "en": self.text.en,
            "targets": list(self.targets),
        }


@dataclass(frozen=True, slots=True)
class RiskPoint:
    """One risk point: what, how risky, why, what to do, and the data behind it."""

    id: str
    scope: str
    segment: str
    segment_name: str
    segment_name_en: str
    product: str
    buyer: dict[str, Any] | None
    level: str
    score: float
    reasons: tuple[Text, ...]
    measures: dict[str, Any]
    countermeasures: tuple[Countermeasure, ...]
    trace: dict[str, Any]
    quality: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape of a risk point."""
        return {
            "id": self.id,
            "scope": self.scope,
            "segment": self.segment,
            "segment_name": self.segment_name,
            "segment_name_en": self.segment_name_en,
            "product": self.product,
            "buyer": self.buyer,
            "level": self.level,
            "score": self.score,
            "reasons": [r.to_dict() for r in self.reasons],
            "measures": self.measures,
            "countermeasures": [c.to_dict() for c in self.countermeasures],
            "trace": self.trace,
            "quality": self.quality,
        }


def countermeasure_masks(points: pd.DataFrame) -> dict[str, BoolArray]:
    """Return, per countermeasure kind, which risk points get it.

    * ``alternative_suppliers``: other capable enterprises exist (any place) and the
      point is single-source, concentrated, outside- or foreign-dependent or without
      local supply;
    * ``diversify``: single source or concentrated;
    * ``localise``: outside- or foreign-dependent while capable firms exist locally;
    * ``attract_investment``: no local alternative, and the point depends on outside
      supply, has no local supply, a single source or no domestic alternative;
    * ``joint_rnd``: a choke-point segment.
    """

    def col(name: str) -> BoolArray:
        return points[name].to_numpy(dtype=bool)

    alt_region = points["alt_region"].to_numpy()
    outside = col("outside_dependent") | col("foreign_dependent")
    return {
        "alternative_suppliers": (points["alternatives_any"].to_numpy() > 0)
        & (
            col("single_source")
            | col("concentrated")
            | outside
            | col("no_local_supply")
            | col("moderately_concentrated")
        ),
        "diversify": col("single_source") | col("concentrated"),
        "localise": outside & (alt_region > 0),
        "attract_investment": (alt_region == 0)
        & (
            col("outside_dependent")
            | col("no_local_supply")
            | col("single_source")
            | col("no_domestic_alternative")
        ),
        "joint_rnd": col("choke_point"),
    }


def point_ids(
    points: pd.DataFrame, segment_codes: Sequence[str], products: Sequence[str]
) -> list[str]:
    """Return the ids of risk points, as :attr:`RiskPoint.id` gives them.

    ``segment|product|buyer`` for an input point, ``segment|*`` for a segment point.
    """
    out = []
    for seg, prod, buyer, scope in zip(
        points["segment"].to_numpy(),
        points["product"].to_numpy(),
        points["buyer"].to_numpy(),
        points["scope"].to_numpy(),
        strict=True,
    ):
        code = segment_codes[int(seg)]
        if scope == "input":
            out.append(f"{code}|{products[int(prod)] if prod >= 0 else ''}|{int(buyer)}")
        else:
            out.append(f"{code}|*")
    return out


@dataclass(slots=True)
class RiskPointSource:
    """Turns rows of the ranked risk-point frame into :class:`RiskPoint` objects.

    ``link_pos[bounds[i]:bounds[i + 1]]`` are the positions (in the chain's links) of
    the links behind point ``i``; ``members`` are the chain's distinct memberships as
    keys ``enterprise · S + segment``, sorted, and ``member_tiers`` their tiers. Objects
    are built once and kept (up to :attr:`keep` of them; beyond that the kept ones are
    dropped and built again when asked for, so paging through a huge list does not grow
    memory without bound).
    """

    ctx: ChainContext
    points: pd.DataFrame = field(repr=False)
    link_pos: IntArray = field(repr=False)
    bounds: IntArray = field(repr=False)
    members: IntArray = field(repr=False)
    member_tiers: IntArray = field(repr=False)
    _pools: list[IntArray] | None = field(default=None, repr=False)
    _masks: dict[str, BoolArray] | None = field(default=None, repr=False)
    _made: dict[int, RiskPoint] = field(default_factory=dict, repr=False)
    keep: int = 20_000

    def segment_codes(self) -> list[str]:
        """Return the chain's segment codes by position."""
        return [str(s["code"]) for s in self.ctx.data.segments]

    def masks(self) -> dict[str, BoolArray]:
        """Return :func:`countermeasure_masks` of every point (computed once)."""
        if self._masks is None:
            self._masks = countermeasure_masks(self.points)
        return self._masks

    def pools(self) -> list[IntArray]:
        """Capable enterprises of each segment, best alternatives first (tier, output, id)."""
        if self._pools is None:
            ctx = self.ctx
            d, ents = ctx.data, ctx.ents
            n_seg = max(d.n_segments, 1)
            ent, seg = self.members // n_seg, self.members % n_seg
            out = np.nan_to_num(ents.output[ent], nan=-1.0)
            order = np.lexsort((ent, -out, self.member_tiers, seg))
            ent, seg = ent[order], seg[order]
            self._pools = np.split(ent, np.searchsorted(seg, np.arange(1, d.n_segments)))
        return self._pools

    def get(self, conn: sa.Connection, positions: Sequence[int] | IntArray) -> list[RiskPoint]:
        """Return the risk points at ``positions`` (rows of the ranked frame), in order."""
        wanted = [int(p) for p in positions]
        made = self._made
        if len(made) + len(wanted) > self.keep:
            made = self._made = {}
        todo = sorted({p for p in wanted if p not in made})
        if todo:
            for p, point in zip(todo, self._build(conn, todo), strict=True):
                made[p] = point
        return [made[p] for p in wanted]

    def _build(self, conn: sa.Connection, positions: list[int]) -> list[RiskPoint]:
        ctx = self.ctx
        d, ents, rule, lk = ctx.data, ctx.ents, ctx.options.rule, ctx.data.links
        pools = self.pools()
        masks = self.masks()
        rows: list[dict[str, Any]] = [
            {str(k): v for k, v in row.items()}
            for row in self.points.iloc[positions].to_dict("records")
        ]
        plans: list[tuple[list[int], list[int], list[int]]] = []
        want: set[int] = set()
        for i, r in zip(positions, rows, strict=True):
            lp = self.link_pos[self.bounds[i] : self.bounds[i + 1]]
            sups = sorted({int(s) for s in lk.supplier[lp]})
            exclude = set(sups) | {int(r["buyer"])}
            pool = pools[int(r["segment"])]
            alts: list[int] = []
            for e in pool:
                if int(e) not in exclude:
                    alts.append(int(e))
                    if len(alts) >= rule.alternatives:
                        break
            # attraction targets: capable enterprises outside the region, in the country
            targets: list[int] = []
            if r["alt_region"] == 0:
                tiers = ctx.tier_of(pool) if len(pool) else np.zeros(0, dtype=np.int64)
                for e, t in zip(pool, tiers, strict=True):
                    if TIER_REGION < t <= TIER_COUNTRY and int(e) not in exclude:
                        targets.append(int(e))
                        if len(targets) >= rule.alternatives:
                            break
            plans.append((sups, alts, targets))
            want.update(sups, alts, targets)
            if r["buyer"] >= 0:
                want.add(int(r["buyer"]))
        ctx.label(conn, sorted(want))

        def target(e: int, rank: int) -> dict[str, Any]:
            lab = ctx.labels.get(e, {})
            tier = int(ctx.tier_of(np.array([e]))[0])
            return {
                "rank": rank,
                "id": e,
                "name": ctx.name(e),
                "region": lab.get("region_code"),
                "tier": _TIER_NAMES[tier],
                "output": _num(ents.output[e]),
            }

        items: list[RiskPoint] = []
        for k, (i, r) in enumerate(zip(positions, rows, strict=True)):
            seg = d.segments[int(r["segment"])]
            names = (str(seg["name_zh"]), str(seg["name_en"] or seg["code"]))
            product = lk.products[int(r["product"])] if r["product"] >= 0 else ""
            sups, alts, targets = plans[k]
            lp = self.link_pos[self.bounds[i] : self.bounds[i + 1]]
            techs = tuple(seg["choke_technologies"] or ())
            reasons = tuple(
                risk_reasons(
                    r,
                    r,
                    segment=names,
                    product=product,
                    choke_technologies=techs,
                    rule=rule,
                    segment_level=r["scope"] == "segment",
                )
            )
            code = str(seg["code"])
            cms: list[Countermeasure] = []
            for kind in COUNTERMEASURE_KINDS:
                if not masks[kind][i]:
                    continue
                if kind == "alternative_suppliers":
                    text = countermeasure_text(
                        kind, segment=names, names=[ctx.name(e) for e in alts]
                    )
                    picked = tuple(target(e, n + 1) for n, e in enumerate(alts))
                elif kind == "diversify":
                    text, picked = countermeasure_text(kind, segment=names, product=product), ()
                elif kind == "localise":
                    n_local = int(r["alt_region"])
                    text, picked = countermeasure_text(kind, segment=names, n_local=n_local), ()
                elif kind == "attract_investment":
                    text = countermeasure_text(
                        kind, segment=names, names=[ctx.name(e) for e in targets]
                    )
                    picked = tuple(target(e, n + 1) for n, e in enumerate(targets))
                else:
                    text = countermeasure_text(kind, segment=names, technologies=techs)
                    picked = ()
                cms.append(Countermeasure(kind, code, text, picked))
            buyer = None
            if r["buyer"] >= 0:
                b = int(r["buyer"])
                buyer = {"id": b, "name": ctx.name(b), "output": _num(ents.output[b])}
            measures = {
                "suppliers": int(r["suppliers"]),
                "single_source": bool(r["single_source"]),
                "hhi": _num(r["hhi"]),
                "outside_share": _num(r["outside_share"]),
                "foreign_share": _num(r["foreign_share"]),
                "geo_hhi": _num(r["geo_hhi"]),
                "choke_point": bool(r["choke_point"]),
                "essential": bool(r["essential"]),
                "alternatives": {
                    "region": int(r["alt_region"]),
                    "cooperation_area": int(r["alt_area"]),
                    "country": int(r["alt_country"]),
                },
                "value": _num(r["value"]),
                "exposure": _num(r["exposure"]),
                "buyer_output": _num(r["buyer_output"]),
            }
            share_q = "count_basis" if str(r["value_basis"]) == "count" else "ok"
            if int(r["suppliers"]) == 0:
                share_q = "no_data"
            quality = {
                "suppliers": "ok" if int(r["suppliers"]) else "no_links",
                "hhi": share_q,
                "outside_share": share_q,
                "foreign_share": share_q,
                "geo_hhi": share_q,
                "exposure": "no_data" if _num(r["exposure"]) is None else "ok",
            }
            pid = f"{code}|{product}|{r['buyer']}" if r["scope"] == "input" else f"{code}|*"
            items.append(
                RiskPoint(
                    id=pid,
                    scope=str(r["scope"]),
                    segment=code,
                    segment_name=names[0],
                    segment_name_en=names[1],
                    product=product,
                    buyer=buyer,
                    level=str(r["level"]),
                    score=float(r["score"]),
                    reasons=reasons,
                    measures=measures,
                    countermeasures=tuple(cms),
                    trace={
                        "link_ids": sorted(lk.id[lp].tolist()),
                        "supplier_ids": sups,
                        "segment_id": int(seg["id"]),
                        "findings": [c for c in REASON_CODES if r[c]],
                    },
                    quality=quality,
                )
            )
        return items
