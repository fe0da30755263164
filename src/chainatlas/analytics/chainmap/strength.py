"""Segment strength: local enterprises, output, location quotient, growth and a status.

The inputs are enterprise-segment memberships as parallel arrays (one entry per
membership): the segment position (0..S-1), whether the enterprise is local, whether it
is in the reference region, its output in the analysis year and the year before, and the
weight that attributes its output to the segment. The outputs are labelled by segment
position; the service puts the segment codes on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pandas as pd

from chainatlas.analytics.chainmap._sorting import sorted_unique
from chainatlas.analytics.chainmap.concentration import location_quotient
from chainatlas.errors import InvalidData

__all__ = [
    "SegmentStatus",
    "StrengthThresholds",
    "chain_completeness",
    "chain_owner_spans",
    "chain_strength_score",
    "segment_status",
    "segment_strength",
    "top_per_group",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class SegmentStatus(StrEnum):
    """How well a segment is covered in a region."""

    STRONG = "strong"
    PRESENT = "present"
    WEAK = "weak"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class StrengthThresholds:
    """Thresholds of the segment status and the chain score (see docs/chain-analysis.md).

    Parameters
    ----------
    strong_lq
        A segment is *strong* when its location quotient is at least this (default 1.25,
        a quarter more specialised than the reference) ...
    strong_min_enterprises
        ... and it has at least this many local enterprises (default 3).
    weak_lq
        A segment with local enterprises is *weak* when its LQ is below this (default 0.5,
        half the reference's specialisation) ...
    present_min_enterprises
        ... or it has fewer local enterprises than this (default 2: a single firm is a
        weak link). Otherwise it is *present*; with none it is *missing*.
    thin_enterprises
        Figures built on fewer local enterprises than this are flagged ``thin``
        (default 3).
    leaders
        Leading enterprises listed per segment (default 3, top by output).
    owner_min_segments
        An enterprise is a chain owner (链主) when its suppliers and buyers together work
        in at least this many segments of the chain (default 3).
    owners
        Chain owners listed (default 10).
    points_strong, points_present, points_weak
        Points of each status in the chain strength score (missing scores 0).
    """

    strong_lq: float = 1.25
    strong_min_enterprises: int = 3
    weak_lq: float = 0.5
    present_min_enterprises: int = 2
    thin_enterprises: int = 3
    leaders: int = 3
    owner_min_segments: int = 3
    owners: int = 10
    points_strong: float = 1.0
    points_present: float = 0.7
    points_weak: float = 0.35

    def __post_init__(self) -> None:
        if not 0 <= self.weak_lq <= self.strong_lq:
            raise InvalidData(
                f"thresholds need 0 <= weak_lq <= strong_lq (got {self.weak_lq}, {self.strong_lq})"
            )
        for name in (
            "strong_min_enterprises",
            "present_min_enterprises",
            "thin_enterprises",
            "leaders",
            "owner_min_segments",
            "owners",
        ):
            if getattr(self, name) < 1:
                raise InvalidData(f"threshold {name} must be at least 1")
        if not 0 <= self.points_weak <= self.points_present <= self.points_strong <= 1:
            raise InvalidData(
                "thresholds need 0 <= points_weak <= points_present <= points_strong <= 1"
            )

    def points(self, status: str) -> float:
        """Return the score points of ``status``."""
        return {
            SegmentStatus.STRONG: self.points_strong,
            SegmentStatus.PRESENT: self.points_present,
            SegmentStatus.WEAK: self.points_weak,
        }.get(SegmentStatus(status), 0.0)


def segment_status(
    n_local: npt.ArrayLike, lq: npt.ArrayLike, thresholds: StrengthThresholds | None = None
) -> npt.NDArray[np.str_]:
    """Classify segments as strong, present, weak or missing.

    Rule, in order: *missing* when ``n = 0``; *weak* when ``n < present_min_enterprises``
    or ``LQ < weak_lq``; *strong* when ``LQ >= strong_lq`` and ``n >=
    strong_min_enterprises``; otherwise *present*. An undefined LQ (NaN) never makes a
    segment strong or weak: the count alone decides.

    Examples
    --------
    >>> segment_status([0, 1, 5, 5, 5], [float("nan"), 3.0, 2.0, 1.0, 0.2]).tolist()
    ['missing', 'weak', 'strong', 'present', 'weak']
    """
    t = thresholds or StrengthThresholds()
    n = np.asarray(n_local, dtype=np.int64)
    q = np.asarray(lq, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        weak = (n < t.present_min_enterprises) | (q < t.weak_lq)
        strong = (q >= t.strong_lq) & (n >= t.strong_min_enterprises)
    out = np.where(
        n == 0,
        SegmentStatus.MISSING.value,
        np.where(weak, SegmentStatus.WEAK.value, np.where(strong, "strong", "present")),
    )
    return out.astype(np.str_)


def chain_completeness(importance: npt.ArrayLike, status: npt.ArrayLike) -> float:
    """Compute chain completeness C = Σ_{s present} w_s / Σ_s w_s.

    A segment counts as present when its status is strong, present or weak (it has at
    least one local enterprise); ``w_s`` is the segment importance.

    Examples
    --------
    >>> chain_completeness([3, 1, 1], ["strong", "missing", "weak"])
    0.8
    """
    w = np.asarray(importance, dtype=np.float64)
    st = np.asarray(status).astype(str)
    if w.shape != st.shape:
        raise InvalidData("importance and status must have the same length")
    total = w.sum()
    if total <= 0:
        return float("nan")
    return float(w[st != SegmentStatus.MISSING.value].sum() / total)


def chain_strength_score(
    importance: npt.ArrayLike, status: npt.ArrayLike, thresholds: StrengthThresholds | None = None
) -> float:
    """Compute the chain score 100 · Σ_s w_s p(status_s) / Σ_s w_s.

    ``p`` gives 1 for strong, 0.7 present, 0.35 weak and 0 missing by default
    (:class:`StrengthThresholds` ``points_*``).

    Examples
    --------
    >>> chain_strength_score([1, 1], ["strong", "weak"])
    67.5
    """
    t = thresholds or StrengthThresholds()
    w = np.asarray(importance, dtype=np.float64)
    pts = np.array([t.points(str(s)) for s in np.asarray(status)], dtype=np.float64)
    total = w.sum()
    if total <= 0:
        return float("nan")
    return float(round(100.0 * float(np.dot(w, pts)) / total, 6))


def segment_strength(
    segment: npt.ArrayLike,
    local: npt.ArrayLike,
    reference: npt.ArrayLike,
    weight: npt.ArrayLike,
    output: npt.ArrayLike,
    output_prev: npt.ArrayLike,
    *,
    n_segments: int,
    region_total: float,
    reference_total: float,
    basis: str = "output",
    thresholds: StrengthThresholds | None = None,
) -> pd.DataFrame:
    """Compute per-segment strength figures from enterprise-segment memberships.

    With ``e`` a membership of segment ``s`` and weight ``w_es`` (the enterprise's revenue
    share in the segment):

    * ``enterprises_s`` = number of local memberships; ``ref_enterprises_s`` likewise in
      the reference region;
    * ``output_s`` = Σ_{e local} w_es · x_e over members with output data (NaN when none
      has any); ``ref_output_s`` likewise;
    * ``share_s`` = output_s / ref_output_s (count basis: enterprises over reference
      enterprises);
    * ``lq_s`` = (x_Rs / x_R) / (x_Ns / x_N) with ``x_Rs`` = output_s and the *totals*
      ``x_R = region_total``, ``x_N = reference_total`` (the output of every enterprise
      located there, all industries); on the count basis all four are enterprise counts;
    * ``growth_s`` = Σ w x_e(t) / Σ w x_e(t-1) - 1 over local members with output in both
      years (a balanced panel);
    * ``coverage_s`` = share of local members with output data.

    Parameters
    ----------
    segment, local, reference, weight, output, output_prev
        Parallel arrays, one entry per membership; ``output`` values are NaN when unknown.
    n_segments
        Number of segments S (positions 0..S-1).
    region_total, reference_total
        Totals ``x_R`` and ``x_N`` on the chosen basis.
    basis
        ``"output"`` or ``"count"`` (use counts when no output data is loaded).
    thresholds
        Status thresholds.

    Returns
    -------
    pandas.DataFrame
        Indexed by segment position, columns ``enterprises``, ``ref_enterprises``,
        ``output``, ``ref_output``, ``share``, ``lq``, ``growth``, ``coverage``,
        ``panel_coverage``, ``status``.

    Examples
    --------
    >>> t = segment_strength([0, 0, 1, 1], [True, True, False, True], [True] * 4,
    ...                      [1.0] * 4, [10.0, 30.0, 50.0, 10.0], [8.0, 20.0, 40.0, 5.0],
    ...                      n_segments=3, region_total=50.0, reference_total=100.0)
    >>> t[["enterprises", "output"]].to_dict("list")
    {'enterprises': [2, 1, 0], 'output': [40.0, 10.0, 0.0]}
    >>> t["status"].tolist()
    ['present', 'weak', 'missing']
    >>> t["lq"].round(4).tolist()
    [2.0, 0.3333, nan]
    >>> round(float(t.loc[0, "growth"]), 4)
    0.4286
    """
    if basis not in {"output", "count"}:
        raise InvalidData(f"basis must be 'output' or 'count', not {basis!r}")
    seg = np.asarray(segment, dtype=np.int64)
    loc = np.asarray(local, dtype=bool)
    ref = np.asarray(reference, dtype=bool)
    w = np.asarray(weight, dtype=np.float64)
    x = np.asarray(output, dtype=np.float64)
    x0 = np.asarray(output_prev, dtype=np.float64)
    n = n_segments

    def count(mask: npt.NDArray[np.bool_]) -> IntArray:
        return np.bincount(seg[mask], minlength=n).astype(np.int64)

    def total(mask: npt.NDArray[np.bool_], values: FloatArray) -> FloatArray:
        return np.bincount(seg[mask], weights=values[mask], minlength=n).astype(np.float64)

    has_x = ~np.isnan(x)
    panel = has_x & ~np.isnan(x0)
    wx = np.where(has_x, w * np.nan_to_num(x), 0.0)
    wx0 = np.where(panel, w * np.nan_to_num(x0), 0.0)
    n_loc = count(loc)
    n_ref = count(ref)
    n_loc_x = count(loc & has_x)
    n_ref_x = count(ref & has_x)
    out_loc = np.where(n_loc_x > 0, total(loc, wx), np.where(n_loc > 0, np.nan, 0.0))
    out_ref = np.where(n_ref_x > 0, total(ref, wx), np.where(n_ref > 0, np.nan, 0.0))
    if basis == "output":
        x_rs, x_ns = out_loc, out_ref
    else:
        x_rs, x_ns = n_loc.astype(np.float64), n_ref.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(x_ns > 0, x_rs / x_ns, np.nan)
        lq = location_quotient(x_rs, region_total, x_ns, reference_total)
        num = total(loc & panel, wx)
        den = total(loc & panel, wx0)
        growth = np.where(den > 0, num / den - 1.0, np.nan)
        coverage = np.where(n_loc > 0, n_loc_x / np.maximum(n_loc, 1), np.nan)
        panel_cov = np.where(n_loc > 0, count(loc & panel) / np.maximum(n_loc, 1), np.nan)
    status = segment_status(n_loc, lq, thresholds)
    return pd.DataFrame(
        {
            "enterprises": n_loc,
            "ref_enterprises": n_ref,
            "output": out_loc,
            "ref_output": out_ref,
            "share": share,
            "lq": lq,
            "growth": growth,
            "coverage": coverage,
            "panel_coverage": panel_cov,
            "status": status,
        },
        index=pd.RangeIndex(n, name="segment"),
    )


def top_per_group(group: npt.ArrayLike, score: npt.ArrayLike, k: int) -> IntArray:
    """Return the indices of the ``k`` highest-scoring items of each group.

    Ties keep the input order; NaN scores rank last. The result is ordered by group, then
    by descending score.

    Examples
    --------
    >>> top_per_group([1, 0, 1, 1, 0], [5.0, 1.0, 9.0, 7.0, 3.0], 2).tolist()
    [4, 1, 2, 3]
    """
    g = np.asarray(group, dtype=np.int64)
    s = np.asarray(score, dtype=np.float64)
    if len(g) == 0:
        return np.zeros(0, dtype=np.int64)
    key = np.where(np.isnan(s), np.inf, -s)
    order = np.lexsort((np.arange(len(g)), key, g))
    gs = g[order]
    starts = np.r_[0, np.flatnonzero(np.diff(gs)) + 1]
    rank = np.arange(len(gs)) - np.repeat(starts, np.diff(np.r_[starts, len(gs)]))
    out: IntArray = order[rank < k].astype(np.int64)
    return out


def chain_owner_spans(
    supplier: npt.ArrayLike,
    buyer: npt.ArrayLike,
    link_segment: npt.ArrayLike,
    primary_segment: npt.ArrayLike,
    n_enterprises: int,
) -> IntArray:
    """Count, per enterprise, the distinct chain segments its suppliers and buyers work in.

    ``span_e = |{seg(l) : l a link into e} ∪ {primary(b) : b a buyer of e}|``: a supplier
    is placed in the segment of the link (what it supplies), a buyer in its primary
    segment of the chain (the membership with the largest revenue share); buyers outside
    the chain (``primary = -1``) are not counted. A wide span marks a chain owner (链主),
    a firm that organises many links of the chain.

    Parameters
    ----------
    supplier, buyer
        Enterprise positions (0..n_enterprises-1) of each link.
    link_segment
        Segment position of each link.
    primary_segment
        Primary segment position of each enterprise, -1 for none.
    n_enterprises
        Number of enterprises.

    Examples
    --------
    Enterprise 3 buys from segments 0 and 1; enterprise 0 buys from segment 1 and sells
    to enterprise 3 (segment 2):

    >>> chain_owner_spans([0, 1, 2, 2], [3, 3, 3, 0], [0, 1, 1, 1], [-1, 2, 1, 2], 4).tolist()
    [2, 1, 1, 2]
    """
    sup = np.asarray(supplier, dtype=np.int64)
    buy = np.asarray(buyer, dtype=np.int64)
    lseg = np.asarray(link_segment, dtype=np.int64)
    prim = np.asarray(primary_segment, dtype=np.int64)
    n_seg = int(max(lseg.max(initial=-1), prim.max(initial=-1))) + 1
    bseg = prim[buy] if len(buy) else np.zeros(0, dtype=np.int64)
    keep = bseg >= 0
    ent = np.concatenate([buy, sup[keep]])
    seg = np.concatenate([lseg, bseg[keep]])
    if len(ent) == 0:
        return np.zeros(n_enterprises, dtype=np.int64)
    pairs = sorted_unique(ent * max(n_seg, 1) + seg)
    return np.bincount(pairs // max(n_seg, 1), minlength=n_enterprises).astype(np.int64)
