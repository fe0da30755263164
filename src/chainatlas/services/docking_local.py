"""Local substitution: inputs local buyers get from outside, and local firms that make them.

An input is a (segment, product) of the supply links whose buyer is located in the region
and whose supplier is not. For each input the outside value at stake is the sum of those
links' annual values. Local makers are enterprises located in the region that either
belong to the input's segment (maker score 0.85, as a segment product) or whose own
product text matches the input's product (the text score of the match index, at least
``min_text``); they are listed best score first, then by scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from chainatlas.analytics.chainmap import Text
from chainatlas.errors import ChainNotFound
from chainatlas.services._frames import load_link_table
from chainatlas.services._scope import resolve_scope
from chainatlas.services.docking_match import public_profiles
from chainatlas.services.match_index import W_SEG_PRODUCT, MatchIndex, match_index
from chainatlas.store import analysis_reads as ar

__all__ = ["SubstitutionResult", "local_substitution"]


@dataclass(slots=True)
class SubstitutionResult:
    """Inputs bought from outside the region, with the local enterprises that make them."""

    region: dict[str, Any]
    chain: str | None
    totals: dict[str, Any]
    items: list[dict[str, Any]]
    warnings: list[Text] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape (see docs/docking.md)."""
        return {
            "region": self.region,
            "chain": self.chain,
            "totals": self.totals,
            "items": self.items,
            "warnings": [w.to_dict() for w in self.warnings],
        }

    def sheets(self) -> dict[str, pd.DataFrame]:
        """Return the workbook sheets: inputs and their local makers (one row per maker)."""
        inputs, makers = [], []
        for it in self.items:
            seg = it["segment"] or {}
            base = {"chain": seg.get("chain"), "segment": seg.get("code"), "product": it["product"]}
            inputs.append(
                {
                    **base,
                    "outside_value": it["outside_value"],
                    "links": it["links"],
                    "local_buyers": it["local_buyers"],
                    "outside_suppliers": it["outside_suppliers"],
                    "local_makers": it["local_makers_total"],
                }
            )
            for m in it["local_makers"]:
                makers.append(
                    {
                        **base,
                        "maker": m["name"],
                        "region": (m["region"] or {}).get("code"),
                        "size_class": m["size_class"],
                        "score": m["score"],
                        "via": m["via"],
                    }
                )
        return {
            "inputs 外购投入": pd.DataFrame(inputs),
            "local makers 本地企业": pd.DataFrame(makers),
        }


def local_substitution(
    conn: sa.Connection,
    region: str,
    *,
    chain: str | None = None,
    makers: int = 5,
    limit: int | None = 50,
    min_text: float = 0.5,
    as_of: date | None = None,
    index: MatchIndex | None = None,
) -> SubstitutionResult:
    """List inputs local buyers get from outside ``region``, and local enterprises making them.

    Parameters
    ----------
    region : str
        Region code or name, or a cooperation-area code.
    chain : str, optional
        Only this chain's links.
    makers : int
        Local makers listed per input (the total is always given).
    limit : int, optional
        Inputs listed, largest outside value first (None: all).
    min_text : float
        Smallest product text score for a maker found by its products.
    as_of : date, optional
        Links valid on this day (default: all links).
    index : MatchIndex, optional
        A prebuilt match index (default: the cached one).

    Raises
    ------
    RegionNotFound
        When the region does not exist.
    ChainNotFound
        When the chain does not exist.
    """
    idx = index if index is not None else match_index(conn)
    scope = resolve_scope(conn, idx.regions, region)
    chain_id = None
    if chain is not None:
        head = ar.find_chain(conn, chain)
        if head is None:
            raise ChainNotFound(f"chain: no chain {chain!r}")
        chain_id = int(head["id"])
    links = load_link_table(conn, chain_id=chain_id, as_of=as_of)
    local_e = scope.local[idx.region] | scope.local[idx.park]
    local_e[-1] = False
    sup = np.minimum(links.supplier, idx.n)
    buy = np.minimum(links.buyer, idx.n)
    inflow = local_e[buy] & ~local_e[sup] & idx.known[sup]
    df = pd.DataFrame(
        {
            "segment": links.segment[inflow],
            "product": links.product[inflow],
            "value": np.nan_to_num(links.value[inflow]),
            "buyer": buy[inflow],
            "supplier": sup[inflow],
        }
    )
    grouped = (
        df.groupby(["segment", "product"], sort=False)
        .agg(
            outside_value=("value", "sum"),
            links=("value", "size"),
            local_buyers=("buyer", "nunique"),
            outside_suppliers=("supplier", "nunique"),
        )
        .reset_index()
        .sort_values(["outside_value", "links"], ascending=False, kind="stable")
    )
    if limit is not None:
        grouped = grouped.head(limit)
    items: list[dict[str, Any]] = []
    want: set[int] = set()
    cols = [grouped[c].to_numpy() for c in ("segment", "product", "outside_value", "links")]
    cols += [grouped[c].to_numpy() for c in ("local_buyers", "outside_suppliers")]
    for seg_v, prod_v, value_v, links_v, buyers_v, sups_v in zip(*cols, strict=True):
        sid, product = int(seg_v), links.products[int(prod_v)]
        score: dict[int, tuple[float, str]] = {}
        if sid >= 0:
            for e in idx.members(sid).tolist():
                if local_e[e]:
                    score[e] = (W_SEG_PRODUCT, "segment")
        if product:
            hits = idx.products.query(product, min_score=min_text)
            ids, sc, _via = idx.supply.spread(hits.doc, hits.score)
            for e, v in zip(ids.tolist(), sc.tolist(), strict=True):
                if local_e[e] and v > score.get(e, (0.0, ""))[0]:
                    score[e] = (v, "product")
        ranked = sorted(score, key=lambda e: (-score[e][0], -idx.scale[e], e))
        shown = ranked[:makers]
        want.update(shown)
        g = idx.segments.get(sid)
        items.append(
            {
                "segment": None
                if g is None
                else {
                    "chain": g["chain"],
                    "code": g["code"],
                    "name": g["name_zh"],
                    "name_en": g["name_en"],
                },
                "product": product,
                "outside_value": float(value_v),
                "links": int(links_v),
                "local_buyers": int(buyers_v),
                "outside_suppliers": int(sups_v),
                "local_makers_total": len(ranked),
                "local_makers": [
                    {"id": e, "score": round(score[e][0], 4), "via": score[e][1]} for e in shown
                ],
            }
        )
    profiles = public_profiles(conn, idx, sorted(want))
    for it in items:
        it["local_makers"] = [
            {**profiles.get(m["id"], {"id": m["id"]}), **m} for m in it["local_makers"]
        ]
    warnings = []
    if df.empty:
        warnings.append(
            Text(
                "no_outside_inputs",
                "该地区的买方没有从区外采购的供应关系。",
                "No supply link brings inputs to the region's buyers from outside it.",
            )
        )
    with_makers = [it for it in items if it["local_makers_total"]]
    totals = {
        "outside_value": float(df["value"].sum()),
        "links": len(df),
        "inputs": int(len(df.groupby(["segment", "product"]))) if len(df) else 0,
        "inputs_listed": len(items),
        "inputs_with_local_makers": len(with_makers),
        "value_with_local_makers": float(sum(it["outside_value"] for it in with_makers)),
    }
    return SubstitutionResult(scope.to_dict(), chain, totals, items, warnings)
