"""Match a docking post (or ad-hoc product text) to ranked counterparts, saying why.

For a **need** the counterparts are enterprises that make the product; for a
**capability** they are enterprises that want it (posted needs, and members of the
segments that buy from the segment making it). Candidates are every enterprise whose
product text score reaches ``min_text``; each gets the six components of
:mod:`chainatlas.analytics.matching.scoring` and the combined score, and the best
``top`` are returned with bilingual reasons and only their public profile (name, region,
size class, segments), never their supply links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa

from chainatlas.analytics.chainmap import Text
from chainatlas.analytics.matching import (
    DISTANCE_LEVELS,
    DISTANCE_SCORES,
    MatchWeights,
    combine_scores,
    distance_levels,
)
from chainatlas.errors import InvalidData, PermissionDenied
from chainatlas.services._scope import resolve_scope
from chainatlas.services.docking_needs import NEED_KINDS, Need, get_need, resolve_enterprise
from chainatlas.services.docking_reasons import match_reasons
from chainatlas.services.match_index import W_DEMAND_VIA_SEGMENT, MatchIndex, match_index
from chainatlas.store import schema as s
from chainatlas.store.records import fetch_rows

__all__ = ["MIN_TEXT", "Counterpart", "MatchResult", "match", "public_profiles"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

MIN_TEXT = 0.3
"""Smallest product text score for a counterpart to be considered."""

PREFERRED_DISTANCE = 0.8
"""Distance component of a counterpart inside one of the post's preferred regions."""

_COMPONENTS = ("text", "adjacency", "distance", "scale", "ties", "risk")


@dataclass(frozen=True, slots=True)
class Counterpart:
    """One ranked counterpart: public profile, score, components and reasons."""

    rank: int
    profile: dict[str, Any]
    score: float
    components: dict[str, float]
    matched_text: str
    distance_level: str
    reasons: list[Text]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape (see docs/docking.md)."""
        return {
            "rank": self.rank,
            **self.profile,
            "score": round(self.score, 2),
            "components": {k: round(v, 4) for k, v in self.components.items()},
            "matched_text": self.matched_text,
            "distance_level": self.distance_level,
            "reasons": [r.to_dict() for r in self.reasons],
        }


@dataclass(slots=True)
class MatchResult:
    """Counterparts ranked for a post or ad-hoc product text."""

    query: dict[str, Any]
    counterparts: list[Counterpart]
    candidates: int
    weights: MatchWeights
    index: dict[str, Any]
    warnings: list[Text] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape (see docs/docking.md)."""
        return {
            "query": self.query,
            "weights": self.weights.to_dict(),
            "candidates": self.candidates,
            "counterparts": [c.to_dict() for c in self.counterparts],
            "index": self.index,
            "warnings": [w.to_dict() for w in self.warnings],
        }

    def sheets(self) -> dict[str, pd.DataFrame]:
        """Return the workbook sheets: counterparts (one row each) and the query."""
        rows = []
        for c in self.counterparts:
            p = c.profile
            rows.append(
                {
                    "rank": c.rank,
                    "name": p["name"],
                    "name_en": p["name_en"],
                    "region": (p["region"] or {}).get("code"),
                    "size_class": p["size_class"],
                    "segments": " ".join(f"{g['chain']}/{g['code']}" for g in p["segments"]),
                    "score": round(c.score, 2),
                    **{k: round(v, 4) for k, v in c.components.items()},
                    "matched_text": c.matched_text,
                    "reasons": "；".join(r.zh for r in c.reasons),
                    "reasons_en": "; ".join(r.en for r in c.reasons),
                }
            )
        query = pd.DataFrame(
            [{"key": k, "value": str(v)} for k, v in self.query.items()], columns=["key", "value"]
        )
        return {"counterparts 对接对象": pd.DataFrame(rows), "query 查询": query}


def public_profiles(
    conn: sa.Connection, idx: MatchIndex, ids: list[int]
) -> dict[int, dict[str, Any]]:
    """Return the public profile of enterprises: name, region, size class, segments."""
    cols = ["id", "name", "name_en", "region_id", "size_class"]
    rows = fetch_rows(conn, s.enterprises, cols, where="id", values=ids)
    out: dict[int, dict[str, Any]] = {}
    for r in rows:
        rid = r["region_id"]
        reg = idx.regions.rows.get(int(rid)) if rid is not None else None
        segs = []
        for sid in idx.segments_of(int(r["id"])):
            g = idx.segments.get(sid)
            if g is not None:
                segs.append(
                    {
                        "chain": g["chain"],
                        "code": g["code"],
                        "name": g["name_zh"],
                        "name_en": g["name_en"],
                    }
                )
        out[int(r["id"])] = {
            "id": int(r["id"]),
            "name": r["name"],
            "name_en": r["name_en"] or "",
            "region": None
            if reg is None
            else {"code": reg["code"], "name": reg["name_zh"], "name_en": reg["name_en"] or ""},
            "size_class": r["size_class"],
            "segments": segs,
        }
    return out


@dataclass(slots=True)
class _TextScores:
    best: FloatArray
    text: IntArray
    segment: IntArray


def _text_scores(idx: MatchIndex, product: str, kind: str, min_text: float) -> _TextScores:
    """Best product text score of every enterprise, and the text / segment behind it."""
    hits = idx.products.query(product, min_score=min_text)
    best = np.zeros(idx.n + 1)
    text = np.full(idx.n + 1, -1, dtype=np.int64)
    seg = np.full(idx.n + 1, -1, dtype=np.int64)
    owners = idx.supply if kind == "need" else idx.demand
    ids, sc, via = owners.spread(hits.doc, hits.score)
    best[ids], text[ids] = sc, via
    s_ids, s_sc, s_via = idx.segment_texts.spread(hits.doc, hits.score)
    seg_score = dict(zip(s_ids.tolist(), s_sc.tolist(), strict=True))
    seg_text = dict(zip(s_ids.tolist(), s_via.tolist(), strict=True))
    if kind == "capability":
        # the members of segments that buy from the segment making the product want it
        buys: dict[int, tuple[float, int]] = {}
        for u, b, w in idx.edges:
            if u in seg_score and w > 0:
                v = seg_score[u] * w * W_DEMAND_VIA_SEGMENT
                if v > buys.get(b, (0.0, -1))[0]:
                    buys[b] = (v, seg_text[u])
        seg_score = {b: v for b, (v, _t) in buys.items()}
        seg_text = {b: t for b, (_v, t) in buys.items()}
    for sid in sorted(seg_score, key=lambda k: seg_score[k]):
        mem = idx.members(sid)
        val = seg_score[sid]
        better = mem[val > best[mem]]
        best[better], text[better], seg[better] = val, seg_text[sid], sid
    best[-1] = 0.0
    return _TextScores(best, text, seg)


def _adjacency(idx: MatchIndex, poster: int | None, kind: str) -> tuple[FloatArray, dict[int, Any]]:
    """Adjacency by enterprise, and per wanted segment the (weight, poster segment)."""
    adj = np.zeros(idx.n + 1)
    wanted: dict[int, tuple[float, int]] = {}
    if poster is None:
        return adj, wanted
    mine = set(idx.segments_of(poster))
    for u, b, w in idx.edges:
        other, own = (u, b) if kind == "need" else (b, u)
        if own in mine and w > wanted.get(other, (0.0, -1))[0]:
            wanted[other] = (w, own)
    for sid, (w, _own) in sorted(wanted.items(), key=lambda kv: kv[1][0]):
        mem = idx.members(sid)
        adj[mem] = np.maximum(adj[mem], w)
    return adj, wanted


def _ties(conn: sa.Connection, poster: int | None) -> set[int]:
    if poster is None:
        return set()
    t = s.supply_links
    cols = ["supplier_id", "buyer_id"]
    rows = fetch_rows(conn, t, cols, where="supplier_id", values=[poster])
    rows += fetch_rows(conn, t, cols, where="buyer_id", values=[poster])
    ids = {int(r["buyer_id"]) for r in rows} | {int(r["supplier_id"]) for r in rows}
    return ids - {poster}


def _home(idx: MatchIndex, poster: int | None) -> tuple[int, int, int, str] | None:
    if poster is None or poster >= idx.n:
        return None
    r = idx.location(poster)
    return (
        int(idx.district_of[r]),
        int(idx.city_of[r]),
        int(idx.province_of[r]),
        str(idx.country_of[r]),
    )


def _region_mask(conn: sa.Connection, idx: MatchIndex, refs: list[str]) -> npt.NDArray[np.bool_]:
    mask = np.zeros(idx.regions.size + 1, dtype=bool)
    for ref in refs:
        mask |= resolve_scope(conn, idx.regions, ref).local
    return mask


def match(
    conn: sa.Connection,
    need: str | None = None,
    *,
    product: str | None = None,
    kind: str = "need",
    enterprise: int | str | None = None,
    top: int = 20,
    region: str | None = None,
    as_enterprise: int | None = None,
    min_text: float = MIN_TEXT,
    weights: MatchWeights | None = None,
    index: MatchIndex | None = None,
) -> MatchResult:
    """Rank counterparts for the post ``need`` (a code) or ad-hoc ``product`` text.

    Parameters
    ----------
    need : str, optional
        Code of a docking post; its enterprise, kind, product and preferred regions apply.
    product, kind, enterprise : optional
        Ad-hoc query instead of a post: product text, ``need`` (find suppliers) or
        ``capability`` (find buyers), and optionally the enterprise asking (for distance,
        adjacency and ties; without it those components are 0 for everyone).
    top : int
        How many counterparts to return.
    region : str, optional
        Only counterparts located in this region or cooperation area.
    as_enterprise : int, optional
        The enterprise id of an enterprise-scoped caller: it may only match its own posts.
    min_text : float
        Smallest product text score considered.
    weights : MatchWeights, optional
        Component weights (default :class:`MatchWeights`).
    index : MatchIndex, optional
        A prebuilt index (default: the cached one, rebuilt when stale).

    Raises
    ------
    InvalidData
        When neither or both of ``need`` and ``product`` are given, the product text is
        empty, ``kind`` is unknown or ``top`` is below 1.
    NotFound
        When the post, enterprise or region does not exist (or the post is another
        enterprise's, for an enterprise-scoped caller).
    PermissionDenied
        When an enterprise-scoped caller matches for another enterprise.
    """
    if (need is None) == (product is None):
        raise InvalidData("give a need code or --product text (one of them)")
    if top < 1:
        raise InvalidData(f"top: must be at least 1, not {top}")
    post: Need | None = None
    poster: int | None = None
    prefs: list[str] = []
    if need is not None:
        post = get_need(conn, need, enterprise_id=as_enterprise)
        text, kind, poster, prefs = (
            post.product,
            post.kind,
            post.enterprise_id,
            list(post.preferred_regions),
        )
    else:
        text = (product or "").strip()
        if not text:
            raise InvalidData("product: the product text is empty")
        if kind not in NEED_KINDS:
            raise InvalidData(f"kind: must be need or capability, not {kind!r}")
        if enterprise is not None:
            poster = int(resolve_enterprise(conn, enterprise)["id"])
    if as_enterprise is not None and poster != as_enterprise:
        raise PermissionDenied("an enterprise may only match its own needs and capabilities")
    idx = index if index is not None else match_index(conn)
    w = weights or MatchWeights()
    ts = _text_scores(idx, text, kind, min_text)
    keep = (ts.best >= min_text) & idx.known
    if poster is not None and poster < len(keep):
        keep[poster] = False
    area_mask = _region_mask(conn, idx, [region]) if region else None
    if area_mask is not None:
        keep &= area_mask[idx.region] | area_mask[idx.park]
    cand = np.flatnonzero(keep)
    adj_all, wanted = _adjacency(idx, poster, kind)
    partners = _ties(conn, poster)
    home = _home(idx, poster)
    reg, prk = idx.region[cand], idx.park[cand]
    loc = np.where(reg == idx.regions.size, prk, reg)
    if home is None:
        level = np.full(len(cand), DISTANCE_LEVELS.index("unknown"), dtype=np.int64)
        dist = np.zeros(len(cand))
        in_area = np.zeros(len(cand), dtype=bool)
    else:
        in_area = np.zeros(len(cand), dtype=bool)
        mine_loc = idx.location(poster) if poster is not None else idx.regions.size
        for _code, _zh, _en, mask in idx.areas:
            if mask[mine_loc]:
                in_area |= mask[loc]
        level = distance_levels(
            home,
            idx.district_of[loc],
            idx.city_of[loc],
            idx.province_of[loc],
            idx.country_of[loc],
            in_area,
        )
        table = np.array([DISTANCE_SCORES[lv] for lv in DISTANCE_LEVELS])
        dist = table[level]
    preferred = np.zeros(len(cand), dtype=bool)
    if prefs:
        pmask = _region_mask(conn, idx, prefs)
        preferred = pmask[reg] | pmask[prk]
        dist = np.where(preferred, np.maximum(dist, PREFERRED_DISTANCE), dist)
    comp = {
        "text": ts.best[cand],
        "adjacency": adj_all[cand],
        "distance": dist,
        "scale": idx.scale[cand],
        "ties": np.isin(cand, np.fromiter(partners, dtype=np.int64, count=len(partners))).astype(
            float
        ),
        "risk": 1.0 - idx.risk[cand],
    }
    score = combine_scores(
        comp["text"],
        comp["adjacency"],
        comp["distance"],
        comp["scale"],
        comp["ties"],
        comp["risk"],
        weights=w,
    )
    k = min(top, len(cand))
    best = np.argpartition(-score, k - 1)[:k] if 0 < k < len(cand) else np.arange(len(cand))
    best = best[np.lexsort((cand[best], -score[best]))]
    profiles = public_profiles(conn, idx, [int(c) for c in cand[best]])
    out = []
    for rank, i in enumerate(best.tolist(), start=1):
        e = int(cand[i])
        parts = {k2: float(comp[k2][i]) for k2 in _COMPONENTS}
        lvl = DISTANCE_LEVELS[int(level[i])]
        out.append(
            Counterpart(
                rank=rank,
                profile=profiles[e],
                score=float(score[i]),
                components=parts,
                matched_text=idx.products.texts[int(ts.text[e])] if ts.text[e] >= 0 else "",
                distance_level=lvl,
                reasons=match_reasons(
                    idx,
                    e,
                    kind,
                    parts,
                    lvl,
                    preferred=bool(preferred[i]),
                    matched=idx.products.texts[int(ts.text[e])] if ts.text[e] >= 0 else "",
                    via_segment=int(ts.segment[e]),
                    wanted=wanted,
                    poster=poster,
                ),
            )
        )
    warnings = []
    if not len(cand):
        warnings.append(
            Text(
                "no_counterpart",
                f"没有企业的产品与“{text}”匹配（文本得分不低于{min_text}）。",
                f"No enterprise's products match “{text}” (text score at least {min_text}).",
            )
        )
    query = {
        "need": None if post is None else post.code,
        "kind": kind,
        "product": text,
        "enterprise": None if poster is None else {"id": poster, "name": _name(conn, poster)},
        "region": region,
        "preferred_regions": prefs,
        "top": top,
        "min_text": min_text,
    }
    return MatchResult(query, out, int(len(cand)), w, idx.to_dict(), warnings)


def _name(conn: sa.Connection, eid: int) -> str:
    rows = fetch_rows(conn, s.enterprises, ["name"], where="id", values=[eid])
    return str(rows[0]["name"]) if rows else ""
