"""Build, cache and refresh the docking match index from the store.

The index holds everything the matcher needs in memory, as arrays by id:

* a :class:`~chainatlas.analytics.matching.ProductIndex` over every distinct product text:
  enterprises' main products (``enterprise_segments.main_product``) and descriptions,
  posted needs and capabilities that are not closed, and segment names and products
  (Chinese and English); the tokeniser's domain dictionary comes from the bundled chain
  templates and the segments in the store;
* text owners: which enterprises make a text (main product 1.0, posted capability 1.0,
  description 0.9), which enterprises want it (posted need 1.0), and which segments it
  belongs to (segment product 0.85, segment name 0.8); segment members then make what
  their segment makes, and the members of the segments it supplies want it (0.8 times
  the edge's adjacency score);
* enterprise location (district, city, province, country), cooperation areas, scale
  (:func:`~chainatlas.analytics.matching.scale_scores`), supply risk (active disruption
  events; foreign location 0.3) and segment memberships and template edges.

Freshness: an index is reused while its fingerprint holds, i.e. while the row count,
largest id and latest ``imported_at`` of enterprises, memberships, supply links,
segments, segment edges, docking needs, events and regions, the number of closed needs and
today's date (events start and end) are unchanged; otherwise it is rebuilt. One index is
kept in memory per engine; ``cache_dir`` also keeps it on disk (a pickle named by the
fingerprint), so a later process with an unchanged database loads it instead of building.
"""

from __future__ import annotations

import hashlib
import pickle
import time
import weakref
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chainatlas.analytics.matching import (
    ADJACENCY_SCORES,
    ProductIndex,
    TextOwners,
    dictionary_terms,
    scale_scores,
)
from chainatlas.services._scope import RegionIndex
from chainatlas.store import analysis_reads as ar
from chainatlas.store import schema as s
from chainatlas.store import schema_activity as sa_
from chainatlas.store.records import fetch_rows
from chainatlas.templates.loader import list_templates, load_template

__all__ = [
    "W_DEMAND_VIA_SEGMENT",
    "W_SEG_PRODUCT",
    "MatchIndex",
    "build_match_index",
    "clear_match_cache",
    "index_fingerprint",
    "match_index",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjArray = npt.NDArray[np.object_]

W_MAIN, W_POST, W_DESC = 1.0, 1.0, 0.9
W_SEG_PRODUCT, W_SEG_NAME = 0.85, 0.8
W_DEMAND_VIA_SEGMENT = 0.8
FOREIGN_RISK = 0.3

_FINGERPRINT_TABLES = (
    s.enterprises,
    s.enterprise_segments,
    s.supply_links,
    s.segments,
    s.segment_edges,
    s.regions,
    sa_.docking_needs,
    sa_.events,
)


def index_fingerprint(conn: sa.Connection) -> tuple[Any, ...]:
    """Return what decides whether a match index is still fresh (see the module doc)."""
    parts: list[Any] = [date.today().isoformat()]
    for t in _FINGERPRINT_TABLES:
        cols = [sa.func.count(), sa.func.max(t.c.id)]
        if "imported_at" in t.c:
            cols.append(sa.func.max(t.c.imported_at))
        parts.append((t.name, *(str(v) for v in conn.execute(sa.select(*cols)).one())))
    d = sa_.docking_needs
    closed = conn.execute(
        sa.select(sa.func.count()).select_from(d).where(d.c.status == "closed")
    ).scalar_one()
    parts.append(("closed_needs", int(closed)))
    m = s.region_group_members
    parts.append(("area_members", conn.execute(sa.select(sa.func.count()).select_from(m)).one()[0]))
    return tuple(parts)


@dataclass(slots=True)
class MatchIndex:
    """The in-memory match index (see the module doc); arrays by id end with a default."""

    fingerprint: tuple[Any, ...]
    products: ProductIndex
    supply: TextOwners
    demand: TextOwners
    segment_texts: TextOwners
    n: int
    known: BoolArray
    region: IntArray
    park: IntArray
    scale: FloatArray
    risk: FloatArray
    risk_event: ObjArray
    regions: RegionIndex
    district_of: IntArray
    city_of: IntArray
    province_of: IntArray
    country_of: ObjArray
    areas: list[tuple[str, str, str, BoolArray]]
    m_ent: IntArray
    m_seg: IntArray
    seg_ptr: IntArray
    seg_members: IntArray
    segments: dict[int, dict[str, Any]]
    edges: list[tuple[int, int, float]]
    built_at: str = ""
    build_seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def nbytes(self) -> int:
        """Approximate bytes held by the arrays and the text index."""
        arrays = [
            self.known,
            self.region,
            self.park,
            self.scale,
            self.risk,
            self.risk_event,
            self.m_ent,
            self.m_seg,
            self.seg_ptr,
            self.seg_members,
        ]
        own = self.supply.nbytes + self.demand.nbytes + self.segment_texts.nbytes
        return int(sum(a.nbytes for a in arrays) + own + self.products.nbytes)

    def members(self, segment_id: int) -> IntArray:
        """Return the enterprise ids of a segment's members."""
        if segment_id + 1 >= len(self.seg_ptr):
            return np.zeros(0, dtype=np.int64)
        out: IntArray = self.seg_members[self.seg_ptr[segment_id] : self.seg_ptr[segment_id + 1]]
        return out

    def location(self, enterprise_id: int) -> int:
        """Return the region id locating an enterprise (its park when it has no region)."""
        r = int(self.region[enterprise_id])
        return int(self.park[enterprise_id]) if r == self.regions.size else r

    def segments_of(self, enterprise_id: int) -> list[int]:
        """Return the segment ids an enterprise belongs to."""
        lo, hi = np.searchsorted(self.m_ent, [enterprise_id, enterprise_id + 1])
        return [int(v) for v in self.m_seg[lo:hi]]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON summary: when built, how long it took, sizes."""
        return {
            "built_at": self.built_at,
            "build_seconds": round(self.build_seconds, 3),
            "texts": self.products.size,
            "bytes": self.nbytes,
            **self.counts,
        }


def _geo(
    regions: RegionIndex,
) -> tuple[IntArray, IntArray, IntArray, ObjArray]:
    size = regions.size + 1
    out = {lvl: np.full(size, -1, dtype=np.int64) for lvl in ("district", "city", "province")}
    country = np.full(size, "", dtype=object)
    for rid in regions.rows:
        for anc in regions.ancestors(rid):
            lvl = regions.rows[anc]["level"] if anc in regions.rows else ""
            if lvl in out and out[lvl][rid] < 0:
                out[lvl][rid] = anc
        country[rid] = regions.country[rid]
    return out["district"], out["city"], out["province"], country


def _areas(conn: sa.Connection, regions: RegionIndex) -> list[tuple[str, str, str, BoolArray]]:
    groups: dict[str, list[int]] = {}
    for _gid, code, rid in ar.region_group_members(conn):
        groups.setdefault(code, []).append(rid)
    out = []
    for code, rids in sorted(groups.items()):
        g = ar.find_region_group(conn, code) or {}
        out.append((code, g.get("name_zh", code), g.get("name_en", code), regions.subtree(rids)))
    return out


def _template_terms() -> list[str]:
    names: list[str] = []
    for code in list_templates():
        chain = load_template(code)
        names.append(chain.name_zh)
        for seg in chain.segments:
            names += [seg.name_zh, *seg.products]
    return names


def _enterprise_rows(conn: sa.Connection) -> pd.DataFrame:
    e = s.enterprises
    rows = conn.execute(sa.select(e.c.id, e.c.size_class, e.c.description)).all()
    return pd.DataFrame(rows, columns=["id", "size_class", "description"])


def _risk(
    conn: sa.Connection,
    n: int,
    region: IntArray,
    park: IntArray,
    regions: RegionIndex,
    country_of: ObjArray,
    main: pd.DataFrame,
) -> tuple[FloatArray, ObjArray]:
    """Return each enterprise's supply risk and the event behind it (None: none)."""
    risk = np.zeros(n + 1)
    event: ObjArray = np.full(n + 1, None, dtype=object)
    foreign = (country_of[region] != "") & (country_of[region] != "CN")
    risk[foreign] = FOREIGN_RISK
    event[foreign] = "foreign"
    today = date.today()
    for ev in fetch_rows(conn, sa_.events):
        ended = ev["ended_on"]
        if (
            ended is not None
            and (ended if isinstance(ended, date) else date.fromisoformat(ended)) < today
        ):
            continue
        hit = np.zeros(n + 1, dtype=bool)
        if ev["region_id"] is not None:
            inside = regions.subtree([int(ev["region_id"])])
            hit = inside[region] | inside[park]
        elif ev["enterprise_id"] is not None and int(ev["enterprise_id"]) < n:
            hit[int(ev["enterprise_id"])] = True
        elif ev["kind"] == "product":
            hit[:] = True
        product = (ev["product"] or "").strip().casefold()
        if product:
            makers = main.loc[main["text"].str.casefold() == product, "enterprise_id"].to_numpy()
            only = np.zeros(n + 1, dtype=bool)
            only[makers[makers < n]] = True
            hit &= only
        hit[-1] = False
        sev = float(ev["severity"])
        worse = hit & (sev > risk)
        risk[worse] = sev
        event[worse] = ev["code"]
    return risk, event


def build_match_index(conn: sa.Connection) -> MatchIndex:
    """Read the store and build a fresh match index (no caching)."""
    t0 = time.perf_counter()
    fp = index_fingerprint(conn)
    regions = RegionIndex.load(conn)
    district_of, city_of, province_of, country_of = _geo(regions)
    attrs = ar.enterprise_attributes(conn)
    n = int(attrs["id"].max(initial=0)) + 1
    known = np.zeros(n + 1, dtype=bool)
    known[attrs["id"]] = True
    region = np.full(n + 1, regions.size, dtype=np.int64)  # the regions' default element
    park = np.full(n + 1, regions.size, dtype=np.int64)
    region[attrs["id"]] = np.where(attrs["region_id"] >= 0, attrs["region_id"], regions.size)
    park[attrs["id"]] = np.where(attrs["park_id"] >= 0, attrs["park_id"], regions.size)
    ents = _enterprise_rows(conn)
    size: ObjArray = np.full(n + 1, None, dtype=object)
    size[ents["id"].to_numpy(dtype=np.int64)] = ents["size_class"].to_numpy(dtype=object)
    rank = np.full(n + 1, np.nan)
    year = ar.latest_output_year(conn)
    if year is not None:
        out = ar.outputs(conn, year)
        ok = ~np.isnan(out["output_value"])
        ids, vals = out["enterprise_id"][ok], out["output_value"][ok]
        if len(vals):
            rank[ids] = pd.Series(vals).rank(pct=True).to_numpy()
    scale = scale_scores(size, rank)

    # texts: (text, owner, weight) for enterprises, segments and posts
    es = s.enterprise_segments
    main = pd.DataFrame(
        conn.execute(
            sa.select(es.c.enterprise_id, es.c.main_product).where(es.c.main_product != "")
        ).all(),
        columns=["enterprise_id", "text"],
    )
    desc = ents.loc[ents["description"].fillna("") != "", ["id", "description"]]
    desc = desc.rename(columns={"id": "enterprise_id", "description": "text"})
    d = sa_.docking_needs
    posts = pd.DataFrame(
        conn.execute(
            sa.select(d.c.enterprise_id, d.c.product, d.c.kind).where(d.c.status != "closed")
        ).all(),
        columns=["enterprise_id", "text", "kind"],
    )
    seg_rows = {int(r["id"]): r for r in ar.segment_index(conn)}
    chain_code = {int(r["id"]): r["code"] for r in ar.chain_rows(conn)}
    seg_text: list[tuple[str, int, float]] = []
    seg_names: list[str] = []
    for sid, _cid, zh, en in ar.segment_products(conn):
        r = seg_rows[sid]
        r["chain"] = chain_code.get(int(r["chain_id"]), "")
        r["products"] = zh
        seg_names += [r["name_zh"], *zh]
        seg_text += [(p, sid, W_SEG_PRODUCT) for p in (*zh, *en) if p]
        seg_text += [(nm, sid, W_SEG_NAME) for nm in (r["name_zh"], r["name_en"]) if nm]
    supply_df = pd.concat(
        [
            main.assign(w=W_MAIN),
            desc.assign(w=W_DESC),
            posts.loc[posts["kind"] == "capability", ["enterprise_id", "text"]].assign(w=W_POST),
        ]
    )
    demand_df = posts.loc[posts["kind"] == "need", ["enterprise_id", "text"]].assign(w=W_POST)
    all_texts = pd.concat(
        [supply_df["text"], demand_df["text"], pd.Series([t for t, _, _ in seg_text], dtype=object)]
    ).astype(str)
    products = ProductIndex(dictionary_terms([*_template_terms(), *seg_names])).build(
        list(all_texts)
    )
    pos = pd.Series(range(products.size), index=products.texts)

    def owners(df: pd.DataFrame) -> TextOwners:
        return TextOwners.from_pairs(
            pos.loc[df["text"].astype(str)].to_numpy(dtype=np.int64),
            df["enterprise_id"].to_numpy(dtype=np.int64),
            df["w"].to_numpy(dtype=np.float64),
            n_texts=products.size,
            n_owners=n,
        )

    n_seg = max(seg_rows, default=0) + 1
    segment_texts = TextOwners.from_pairs(
        [int(pos[t]) for t, _, _ in seg_text],
        [sid for _, sid, _ in seg_text],
        [w for _, _, w in seg_text],
        n_texts=products.size,
        n_owners=n_seg,
    )
    mem = ar.chain_memberships(conn)
    m_ent, m_seg = mem["enterprise_id"], mem["segment_id"]
    by_seg = np.argsort(m_seg, kind="stable")
    seg_ptr = np.zeros(n_seg + 1, dtype=np.int64)
    np.cumsum(np.bincount(m_seg, minlength=n_seg)[:n_seg], out=seg_ptr[1:])
    edges: list[tuple[int, int, float]] = []
    for cid in chain_code:
        for e in ar.segment_edge_rows(conn, cid):
            w = ADJACENCY_SCORES.get(str(e["input_class"]), 0.0)
            edges.append((int(e["supplier_segment_id"]), int(e["buyer_segment_id"]), w))
    risk, risk_event = _risk(conn, n, region, park, regions, country_of, main)
    return MatchIndex(
        fingerprint=fp,
        products=products,
        supply=owners(supply_df),
        demand=owners(demand_df),
        segment_texts=segment_texts,
        n=n,
        known=known,
        region=region,
        park=park,
        scale=scale,
        risk=risk,
        risk_event=risk_event,
        regions=regions,
        district_of=district_of,
        city_of=city_of,
        province_of=province_of,
        country_of=country_of,
        areas=_areas(conn, regions),
        m_ent=m_ent,
        m_seg=m_seg,
        seg_ptr=seg_ptr,
        seg_members=m_ent[by_seg],
        segments=seg_rows,
        edges=edges,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=time.perf_counter() - t0,
        counts={
            "enterprises": int(known.sum()),
            "memberships": len(m_ent),
            "segments": len(seg_rows),
            "posts": len(posts),
        },
    )


_CACHE: weakref.WeakKeyDictionary[Engine, MatchIndex] = weakref.WeakKeyDictionary()


def clear_match_cache() -> None:
    """Forget the in-memory indexes (the next :func:`match_index` call rebuilds)."""
    _CACHE.clear()


def match_index(conn: sa.Connection, *, cache_dir: str | Path | None = None) -> MatchIndex:
    """Return a fresh match index for the connection's database, reusing a cached one.

    The in-memory index of the connection's engine is reused while its fingerprint holds;
    with ``cache_dir`` an index pickled there by an earlier process is loaded when its
    fingerprint matches, and a newly built one is written there.
    """
    fp = index_fingerprint(conn)
    held = _CACHE.get(conn.engine)
    if held is not None and held.fingerprint == fp:
        return held
    path = None
    if cache_dir is not None:
        key = hashlib.sha256(repr((str(conn.engine.url), fp)).encode()).hexdigest()[:24]
        path = Path(cache_dir) / f"match-index-{key}.pkl"
        if path.exists():
            with path.open("rb") as fh:
                loaded = pickle.load(fh)  # noqa: S301 - a file this function wrote
            if isinstance(loaded, MatchIndex) and loaded.fingerprint == fp:
                _CACHE[conn.engine] = loaded
                return loaded
    built = build_match_index(conn)
    _CACHE[conn.engine] = built
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(built, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    return built
