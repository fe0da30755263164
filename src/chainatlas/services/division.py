"""Regional division of labour: specialisation, structural similarity, competition, lead regions.

``division_of_labour(conn, ["330000", "320000"])`` (or ``group="YRD"``) compares the
regions of a cooperation area on the regions × industries matrix of the store:

* each region's location quotients against the country and its Krugman specialisation
  index (against the rest of the group and against the country);
* the pairwise structural similarity coefficient of their industrial structures
  (产业结构相似系数, cosine of the share vectors);
* per chain, the segments several regions specialise in (they compete for the same
  links) and a suggested lead region with its reasons
  (:mod:`chainatlas.analytics.chainbuild.division`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from chainatlas.analytics.chainbuild import (
    LeadWeights,
    contested_segments,
    lead_reasons,
    lead_scores,
)
from chainatlas.analytics.chainmap import Text
from chainatlas.analytics.relatedness import (
    krugman_specialisation,
    location_quotient,
    structural_similarity,
)
from chainatlas.errors import AnalysisError, InvalidData, RegionNotFound
from chainatlas.services._location_matrix import group_matrix
from chainatlas.services._scope import RegionIndex, Scope, resolve_scope
from chainatlas.services.chain_context import AnalysisOptions, prepare, shared_data
from chainatlas.services.chain_profile import ChainProfile, profile_from
from chainatlas.store import analysis_reads as ar

__all__ = ["DivisionReport", "division_of_labour"]


def _num(x: Any) -> float | None:
    if x is None:
        return None
    f = float(x)
    return None if math.isnan(f) or math.isinf(f) else f


@dataclass(slots=True)
class DivisionReport:
    """Specialisation, similarity, contested segments and lead regions of a region set."""

    group: dict[str, Any] | None
    regions: list[dict[str, Any]]
    scheme: str
    basis: str
    year: int | None
    specialisation: list[dict[str, Any]]
    similarity: dict[str, dict[str, float]]
    chains: list[dict[str, Any]]
    rules: dict[str, Any]
    warnings: list[Text] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape (see docs/build-the-chain.md)."""
        return {
            "group": self.group,
            "regions": self.regions,
            "scheme": self.scheme,
            "basis": self.basis,
            "year": self.year,
            "specialisation": self.specialisation,
            "similarity": self.similarity,
            "chains": self.chains,
            "rules": self.rules,
            "warnings": [w.to_dict() for w in self.warnings],
        }

    def sheets(self) -> dict[str, pd.DataFrame]:
        """Return the tables of the report."""
        spec = pd.DataFrame(
            [
                {k: v for k, v in s.items() if k != "top_industries"}
                | {
                    "top_industries": ", ".join(
                        f"{t['code']} ({t['lq']:.2f})" for t in s["top_industries"]
                    )
                }
                for s in self.specialisation
            ]
        )
        sim = pd.DataFrame(self.similarity)
        chains = pd.DataFrame(
            [
                {
                    "chain": c["chain"],
                    "name": c["name"],
                    "lead_region": c["lead"]["region"] if c["lead"] else None,
                    "lead_score": c["lead"]["lead_score"] if c["lead"] else None,
                    "contested_segments": ", ".join(s["segment"] for s in c["contested"]),
                    "理由": "；".join(r["zh"].rstrip("。") for r in c["lead"]["reasons"]) + "。"
                    if c["lead"]
                    else "",
                    "reasons": " ".join(r["en"] for r in c["lead"]["reasons"]) if c["lead"] else "",
                }
                for c in self.chains
            ]
        )
        return {
            "specialisation 专业化": spec,
            "similarity 相似系数": sim.reset_index(names="region"),
            "chains 分工": chains,
        }

    def write_xlsx(self, path: str | Path) -> Path:
        """Write the report as a workbook, one sheet per table."""
        out = Path(path)
        with pd.ExcelWriter(out, engine="openpyxl") as xw:
            for name, frame in self.sheets().items():
                frame.to_excel(xw, sheet_name=name[:31], index=False)
        return out


def _scopes(
    conn: sa.Connection, regions: RegionIndex, refs: Sequence[str] | None, group: str | None
) -> tuple[list[Scope], dict[str, Any] | None]:
    if group is not None:
        g = ar.find_region_group(conn, group)
        if g is None:
            raise RegionNotFound(f"no region group {group!r} (give its code or Chinese name)")
        codes = [str(regions.rows[m]["code"]) for m in sorted(g["members"]) if m in regions.rows]
        head = {k: g[k] for k in ("code", "name_zh", "name_en")}
    else:
        codes, head = list(dict.fromkeys(refs or [])), None
    if len(codes) < 2:
        raise InvalidData(
            "a comparison needs at least two regions "
            f"(got {len(codes)}: {', '.join(codes) or 'none'})"
        )
    scopes = [resolve_scope(conn, regions, c) for c in codes]
    for a in scopes:
        for b in scopes:
            if a is not b and bool((a.local & b.local).any()):
                raise InvalidData(
                    f"regions {a.code} and {b.code} overlap: compare regions that do not contain "
                    "each other"
                )
    return scopes, head


def _chain_rows(
    conn: sa.Connection,
    scopes: list[Scope],
    chains: Sequence[str],
    opts: AnalysisOptions,
    weights: LeadWeights,
) -> list[dict[str, Any]]:
    # every chain owner counts (the profile lists 10 by default)
    wide = replace(opts, thresholds=replace(opts.thresholds, owners=1_000_000))
    shared = [shared_data(conn, sc.code, wide) for sc in scopes]
    out = []
    for code in chains:
        profiles: list[ChainProfile] = [
            profile_from(conn, prepare(conn, code, sh)) for sh in shared
        ]
        labels = [sc.code for sc in scopes]
        segs = [s.id for s in profiles[0].segments]
        status = pd.DataFrame(
            {lab: [s.status for s in p.segments] for lab, p in zip(labels, profiles, strict=True)},
            index=segs,
        )
        lq = pd.DataFrame(
            {
                lab: [np.nan if s.lq is None else s.lq for s in p.segments]
                for lab, p in zip(labels, profiles, strict=True)
            },
            index=segs,
        )
        cont = contested_segments(status, lq, weights)
        basis = "output" if all(p.basis == "output" for p in profiles) else "count"
        size = [
            (p.scorecard["local_output"] or 0.0)
            if basis == "output"
            else p.scorecard["local_enterprises"]
            for p in profiles
        ]
        figures = pd.DataFrame(
            {
                "size": size,
                "score": [
                    np.nan if p.scorecard["score"] is None else p.scorecard["score"]
                    for p in profiles
                ],
                "owners": [len(p.owners) for p in profiles],
            },
            index=labels,
        )
        leads = lead_scores(figures, weights)
        names = {
            p.segments[i].id: p.segments[i].name for p in profiles[:1] for i in range(len(segs))
        }
        chain_name = (str(profiles[0].chain["name_zh"]), str(profiles[0].chain["name_en"] or code))
        by_code = {sc.code: sc for sc in scopes}
        ranking = []
        for lab, r in leads.iterrows():
            sc = by_code[str(lab)]
            m = {
                "share": float(r["share"]),
                "score": float(r["score"]),
                "owners": int(r["owners"]),
                "basis": basis,
            }
            ranking.append(
                {
                    "region": str(lab),
                    "name": sc.name_zh,
                    "rank": int(r["rank"]),
                    "lead_score": round(float(r["lead_score"]), 6),
                    "share": _num(r["share"]),
                    "score": _num(r["score"]),
                    "owners": int(r["owners"]),
                    "size": _num(r["size"]),
                    "reasons": [
                        t.to_dict()
                        for t in lead_reasons(
                            m, region=(sc.name_zh, sc.name_en or sc.code), chain=chain_name
                        )
                    ],
                }
            )
        no_data = float(figures["size"].sum()) <= 0
        out.append(
            {
                "chain": code,
                "name": chain_name[0],
                "name_en": chain_name[1],
                "basis": basis,
                "lead": None if no_data else ranking[0],
                "ranking": ranking,
                "contested": [
                    {"segment": s, "name": names[s], "regions": list(sp)}
                    for s, sp, c in zip(segs, cont["specialised"], cont["contested"], strict=True)
                    if c
                ],
                "segments": len(segs),
                "specialised": {
                    s: list(sp) for s, sp in zip(segs, cont["specialised"], strict=True) if sp
                },
            }
        )
    return out


def division_of_labour(
    conn: sa.Connection,
    regions: Sequence[str] | None = None,
    *,
    group: str | None = None,
    chains: Sequence[str] | None = None,
    scheme: str | None = None,
    basis: str = "auto",
    weights: LeadWeights | None = None,
    options: AnalysisOptions | None = None,
) -> DivisionReport:
    """Compare regions (or the members of a region group) and suggest a lead per chain.

    Raises
    ------
    RegionNotFound
        When a region or the group does not exist.
    InvalidData
        When fewer than two regions are given, or two of them overlap.
    AnalysisError
        When a region has no enterprises with an industry, or no industry data is loaded.
    """
    w = weights or LeadWeights()
    opts = options or AnalysisOptions()
    idx = RegionIndex.load(conn)
    scopes, head = _scopes(conn, idx, regions, group)
    year = opts.year if opts.year is not None else ar.latest_output_year(conn)
    m, reference = group_matrix(conn, idx, scopes, scheme=scheme, basis=basis, year=year)
    empty = [sc for sc in scopes if float(m.X.loc[sc.code].sum()) <= 0]
    if empty:
        names = ", ".join(f"{sc.code} ({sc.name_zh})" for sc in empty)
        raise AnalysisError(
            f"region(s) with no enterprises classified in scheme {m.scheme}: {names}; leave "
            "them out or import their enterprises"
        )
    if len(m.X.columns) < 2:
        raise AnalysisError("fewer than two industries have enterprises: nothing to compare")
    lq = location_quotient(m.X, reference=reference)
    k_group = krugman_specialisation(m.X)
    k_country = krugman_specialisation(m.X, reference=reference)
    sim = structural_similarity(m.X)
    spec = []
    for sc in scopes:
        values = np.asarray(lq.loc[sc.code], dtype=np.float64)
        order = [j for j in np.argsort(-values, kind="stable") if values[j] >= 1][:5]
        cols = [str(c) for c in m.X.columns]
        spec.append(
            {
                "region": sc.code,
                "name": sc.name_zh,
                "total": float(m.X.loc[sc.code].sum()),
                "krugman_vs_group": _num(k_group[sc.code]),
                "krugman_vs_country": _num(k_country[sc.code]),
                "specialised_industries": int((values >= 1).sum()),
                "top_industries": [
                    {
                        "code": cols[j],
                        "name": m.col_names.get(cols[j], (cols[j], cols[j]))[0],
                        "lq": float(values[j]),
                    }
                    for j in order
                ],
            }
        )
    codes = list(chains) if chains is not None else [str(r["code"]) for r in ar.chain_rows(conn)]
    chain_rows = _chain_rows(conn, scopes, codes, opts, w)
    warnings = []
    for c in chain_rows:
        if c["lead"] is None:
            warnings.append(
                Text(
                    "chain_no_data",
                    f"{c['chain']}：各地区均无该产业链企业，未推荐牵头地区。",
                    f"{c['chain']}: no region has enterprises in this chain; no lead region.",
                )
            )
    return DivisionReport(
        group=head,
        regions=[sc.to_dict() for sc in scopes],
        scheme=str(m.scheme),
        basis=m.basis,
        year=year if m.basis == "output" else None,
        specialisation=spec,
        similarity={str(a): {str(b): float(v) for b, v in r.items()} for a, r in sim.iterrows()},
        chains=chain_rows,
        rules={"lead": asdict(w)},
        warnings=warnings,
    )
