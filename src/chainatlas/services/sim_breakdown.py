"""Per-firm figures of a scenario and their breakdowns by segment, chain and region.

The cascade's remaining production levels are folded back onto the firms (product parts
weighted by their sales) and summed per group in yuan with ``bincount``, so every
breakdown adds up to its total. Field definitions are in docs/simulation.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from chainatlas.services._scope import RegionIndex
from chainatlas.services.sim_network import UNASSIGNED, SimNetwork
from chainatlas.services.sim_shock import ShockPlan
from chainatlas.store import analysis_reads as ar

__all__ = [
    "AFFECTED_AT",
    "FirmFigures",
    "Labels",
    "clean",
    "firm_figures",
    "group_rows",
    "ranked",
    "region_label",
    "segment_label",
    "totals",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: A firm is *affected* when it loses more than this share of its production.
AFFECTED_AT = 1e-6


def _num(x: Any) -> float | None:
    f = float(x)
    return None if math.isnan(f) or math.isinf(f) else f


def _ratio(a: float, b: float) -> float | None:
    return a / b if b > 0 else None


@dataclass(frozen=True, slots=True)
class FirmFigures:
    """Per-firm results of one scenario (arrays over the network's firms).

    ``psi`` initial loss, ``downstream`` / ``upstream`` / ``combined`` remaining production
    (sales-weighted over a firm's split parts), ``out_strength`` sales to firms of the
    network (yuan), ``loss`` = ``out_strength * (1 - combined)`` (yuan), ``output`` the
    recorded yearly output (NaN when unknown) and ``output_loss`` = ``output * (1 -
    combined)``.
    """

    psi: FloatArray
    downstream: FloatArray
    upstream: FloatArray
    combined: FloatArray
    out_strength: FloatArray
    loss: FloatArray
    output: FloatArray

    @property
    def output_loss(self) -> FloatArray:
        """Recorded output times the production lost (NaN where output is unknown)."""
        out: FloatArray = self.output * (1.0 - self.combined)
        return out

    @property
    def affected(self) -> BoolArray:
        """Firms that lose more than :data:`AFFECTED_AT` of their production."""
        out: BoolArray = (1.0 - self.combined) > AFFECTED_AT
        return out


def _sums(fig: FirmFigures, mask: BoolArray, group: IntArray, size: int) -> dict[str, Any]:
    """Return the totals of the firms in ``mask`` per group (``group`` over those firms)."""
    known = ~np.isnan(fig.output[mask])

    def add(x: npt.NDArray[Any]) -> FloatArray:
        out: FloatArray = np.bincount(group, weights=x, minlength=size).astype(np.float64)
        return out

    return {
        "enterprises": np.bincount(group, minlength=size),
        "affected": np.bincount(group, weights=fig.affected[mask], minlength=size),
        "out_strength": add(fig.out_strength[mask]),
        "loss": add(fig.loss[mask]),
        "output": add(np.where(known, fig.output[mask], 0.0)),
        "output_loss": add(np.where(known, fig.output_loss[mask], 0.0)),
        "with_output": np.bincount(group, weights=known, minlength=size),
    }


def _row(sums: dict[str, Any], g: int) -> dict[str, Any]:
    s_out, loss = float(sums["out_strength"][g]), float(sums["loss"][g])
    return {
        "enterprises": int(sums["enterprises"][g]),
        "affected": int(sums["affected"][g]),
        "out_strength": s_out,
        "loss": loss,
        "loss_share": _ratio(loss, s_out),
        "output": float(sums["output"][g]),
        "output_loss": float(sums["output_loss"][g]),
        "with_output": int(sums["with_output"][g]),
    }


def totals(fig: FirmFigures, mask: BoolArray) -> dict[str, Any]:
    """Return the totals over the firms in ``mask``."""
    return _row(_sums(fig, mask, np.zeros(int(mask.sum()), dtype=np.int64), 1), 0)


def group_rows(
    fig: FirmFigures,
    keys: IntArray,
    mask: BoolArray,
    label: Callable[[int], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Return one row per key among the firms in ``mask``: totals and share of the loss.

    Rows are ordered by loss, then output loss (largest first).
    """
    uniq, group = np.unique(keys[mask], return_inverse=True)
    sums = _sums(fig, mask, group.ravel().astype(np.int64), len(uniq))
    total_loss = float(sums["loss"].sum())
    rows = []
    for g, key in enumerate(uniq.tolist()):
        row = _row(sums, g)
        rows.append({**label(int(key)), **row, "share_of_loss": _ratio(row["loss"], total_loss)})
    rows.sort(key=lambda r: (-r["loss"], -r["output_loss"], -r["enterprises"]))
    return rows


def segment_label(net: SimNetwork, segment_id: int) -> dict[str, Any]:
    """Return chain, segment code and names of a segment id (or of the unassigned sector)."""
    if segment_id == UNASSIGNED:
        return {"chain": None, "segment": None, "name": "未归类", "name_en": "unassigned"}
    s = net.segments[segment_id]
    return {
        "chain": s["chain"],
        "segment": s["segment"],
        "name": s["name"],
        "name_en": s["name_en"],
    }


def region_label(regions: RegionIndex, region_id: int, home_country: str) -> dict[str, Any]:
    """Return code, names, country and whether a region is abroad (-1: unknown place)."""
    r = regions.rows.get(region_id)
    if r is None:
        return {
            "region": None,
            "name": "未知",
            "name_en": "unknown",
            "country": None,
            "foreign": False,
        }
    return {
        "region": r["code"],
        "name": r["name_zh"],
        "name_en": r["name_en"] or "",
        "country": r["country"],
        "foreign": r["country"] != home_country,
    }


def firm_figures(net: SimNetwork, plan: ShockPlan, res: Any) -> FirmFigures:
    """Fold the expanded network's levels back onto the firms, weighted by sales."""
    n, owner = net.n, plan.owner
    s2 = np.bincount(plan.sup, weights=plan.value, minlength=len(owner))
    den = np.bincount(owner, weights=s2, minlength=n).astype(np.float64)
    safe = np.where(den > 0, den, 1.0)

    def fold(x: FloatArray) -> FloatArray:
        num = np.bincount(owner, weights=s2 * x, minlength=n)
        out: FloatArray = np.where(den > 0, num / safe, x[:n])
        return np.clip(out, 0.0, 1.0)

    down = np.asarray(res.downstream, dtype=np.float64)
    up = np.asarray(res.upstream, dtype=np.float64)
    comb = np.asarray(res.combined, dtype=np.float64)
    loss = np.bincount(owner, weights=s2 * (1.0 - comb), minlength=n).astype(np.float64)
    return FirmFigures(
        psi=fold(plan.psi),
        downstream=fold(down),
        upstream=fold(up),
        combined=fold(comb),
        out_strength=den,
        loss=loss,
        output=net.output,
    )


class Labels:
    """Labels of firms, segments, chains and regions for the rows of a result."""

    def __init__(
        self, conn: sa.Connection, net: SimNetwork, regions: RegionIndex, home: str
    ) -> None:
        self.conn, self.net, self.regions, self.home = conn, net, regions, home
        self.segment_of = net.sector_segment[net.sector]
        chains = sorted({str(s["chain"]) for s in net.segments.values()})
        self.chain_code = {c: i for i, c in enumerate(chains)}
        self.chain_names = {
            s["chain"]: (s["chain_name"], s["chain_name_en"]) for s in net.segments.values()
        }

    def chain_keys(self) -> IntArray:
        """Return each firm's chain key (-1: unassigned), for :func:`group_rows`."""
        top = max(self.net.segments, default=0)
        by_segment = np.full(top + 2, -1, dtype=np.int64)  # the last reads -1 (unassigned)
        for sid, s in self.net.segments.items():
            by_segment[sid] = self.chain_code[s["chain"]]
        out: IntArray = by_segment[self.segment_of]
        return out

    def chain(self, key: int) -> dict[str, Any]:
        """Return the code and names of chain key ``key``."""
        if key < 0:
            return {"chain": None, "name": "未归类", "name_en": "unassigned"}
        code = next(c for c, i in self.chain_code.items() if i == key)
        zh, en = self.chain_names[code]
        return {"chain": code, "name": zh, "name_en": en}

    def area_keys(self) -> IntArray:
        """Return each firm's province (domestic) or country (abroad) region id."""
        out: IntArray = self.regions.area[self.net.region]
        return out

    def region(self, key: int) -> dict[str, Any]:
        """Return the label of region id ``key``."""
        return region_label(self.regions, key, self.home)

    def firms(self, positions: IntArray) -> list[dict[str, Any]]:
        """Return name, codes, region and segment of the firms at ``positions``."""
        ids = self.net.firm[positions]
        labels = ar.enterprise_labels(self.conn, ids)
        out = []
        for p, eid in zip(positions.tolist(), ids.tolist(), strict=True):
            lab = labels.get(int(eid), {})
            seg = segment_label(self.net, int(self.segment_of[p]))
            out.append(
                {
                    "id": int(eid),
                    "name": lab.get("name", f"#{eid}"),
                    "credit_code": lab.get("credit_code"),
                    "stock_code": lab.get("stock_code"),
                    "region": lab.get("region_code"),
                    "region_name": lab.get("region_name"),
                    "chain": seg["chain"],
                    "segment": seg["segment"],
                    "segment_name": seg["name"],
                }
            )
        return out


def ranked(keys: list[FloatArray], mask: BoolArray, top: int | None) -> IntArray:
    """Return positions in ``mask`` sorted by the keys (largest first), at most ``top``."""
    at = np.flatnonzero(mask)
    order = np.lexsort(tuple(-k[at] for k in reversed(keys)))
    picked: IntArray = at[order][: top if top is not None else None]
    return picked


def clean(value: Any) -> Any:
    """Return ``value`` with NumPy scalars as Python numbers and NaN as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return _num(value)
    return value
