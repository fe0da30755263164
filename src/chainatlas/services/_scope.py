"""Regions and the analysed scope, as arrays by region id, for chain analysis.

Arrays "by id" are indexed directly by database id and have one extra last element that
holds the default, so that the id -1 (no region, no park) reads the default.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from chainatlas.analytics.chainmap import (
    TIER_AREA,
    TIER_COUNTRY,
    TIER_OUTSIDE,
    TIER_REGION,
    TIER_UNKNOWN,
)
from chainatlas.errors import RegionNotFound
from chainatlas.services._refs import short_region_name
from chainatlas.store import analysis_reads as ar

__all__ = ["RegionIndex", "Scope", "by_id", "resolve_scope"]

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]


_AREA_LEVELS = {"province", "country"}


def by_id(size: int, fill: Any, dtype: Any) -> npt.NDArray[Any]:
    """Return an array for ids 0..size plus the default element, filled with ``fill``."""
    return np.full(size + 1, fill, dtype=dtype)


@dataclass(frozen=True, slots=True)
class RegionIndex:
    """Every region, as arrays by region id (the last element is the 'no region' default)."""

    rows: dict[int, dict[str, Any]]
    parent: IntArray
    country: ObjArray
    area: IntArray

    @property
    def size(self) -> int:
        """Length of the arrays without the default element."""
        return len(self.parent) - 1

    @classmethod
    def load(cls, conn: sa.Connection) -> RegionIndex:
        """Read every region and derive parents, countries and areas."""
        rows = {int(r["id"]): r for r in ar.region_rows(conn)}
        size = max(rows, default=0) + 1
        parent = by_id(size, -1, np.int64)
        country = by_id(size, "", object)
        level = by_id(size, "", object)
        for rid, r in rows.items():
            parent[rid] = -1 if r["parent_id"] is None else int(r["parent_id"])
            country[rid] = r["country"] or ""
            level[rid] = r["level"]
        # area: the province (or country) a region lies in, found by pointer jumping
        area = np.arange(size + 1, dtype=np.int64)
        area[-1] = -1
        for _ in range(12):
            at_area = np.isin(level[area], list(_AREA_LEVELS)) | (area < 0)
            up = np.where(at_area, area, parent[area])
            up = np.where(up < 0, area, up)
            if np.array_equal(up, area):
                break
            area = up
        area[-1] = -1
        return cls(rows, parent, country, area)

    def subtree(self, roots: Iterable[int]) -> BoolArray:
        """Return a mask by id of the regions at or below ``roots``."""
        mask = by_id(self.size, False, bool)
        for r in roots:
            mask[r] = True
        has_parent = self.parent >= 0
        for _ in range(32):
            grown = mask | (has_parent & mask[self.parent])
            grown[-1] = False
            if np.array_equal(grown, mask):
                break
            mask = grown
        return mask

    def ancestors(self, rid: int) -> list[int]:
        """Return ``rid`` and its ancestors, nearest first."""
        out = []
        while rid >= 0 and rid not in out:
            out.append(rid)
            rid = int(self.parent[rid])
        return out


@dataclass(frozen=True, slots=True)
class Scope:
    """The analysed region: which regions are local, in its cooperation area, domestic.

    ``kind`` is ``region``, ``group`` (a cooperation area given as the region) or
    ``country`` (no region given: the whole home country). Masks are by region id.
    """

    code: str
    name_zh: str
    name_en: str
    kind: str
    local: BoolArray
    area: BoolArray
    domestic: BoolArray
    reference: BoolArray
    country: str
    reference_label: str
    area_groups: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON description of the region."""
        return {
            "code": self.code,
            "name": self.name_zh,
            "name_en": self.name_en,
            "kind": self.kind,
            "country": self.country,
            "cooperation_areas": list(self.area_groups),
        }

    def tiers(self, region_id: IntArray, park_id: IntArray) -> npt.NDArray[np.int64]:
        """Return the tier of enterprises located at ``region_id`` / ``park_id`` (-1: none)."""
        local = self.local[region_id] | self.local[park_id]
        area = self.area[region_id] | self.area[park_id]
        dom = self.domestic[region_id]
        tier = np.where(
            local,
            TIER_REGION,
            np.where(area, TIER_AREA, np.where(dom, TIER_COUNTRY, TIER_OUTSIDE)),
        )
        return np.where((region_id < 0) & ~local, TIER_UNKNOWN, tier).astype(np.int64)

    def in_reference(self, region_id: IntArray, park_id: IntArray) -> BoolArray:
        """Return whether enterprises at ``region_id`` / ``park_id`` are in the reference."""
        out: BoolArray = self.reference[region_id] | self.reference[park_id]
        return out


def _match_regions(idx: RegionIndex, ref: str) -> list[dict[str, Any]]:
    exact = [
        r
        for r in idx.rows.values()
        if ref in (r["code"], r["name_zh"]) or (r["name_en"] or "").lower() == ref.lower()
    ]
    if exact:
        return exact
    short = short_region_name(ref)
    return [r for r in idx.rows.values() if short_region_name(r["name_zh"]) == short]


def _known_regions(idx: RegionIndex) -> str:
    top = [r for r in idx.rows.values() if r["level"] in {"country", "province"}][:8]
    return ", ".join(f"{r['code']} ({r['name_zh']})" for r in top) or "none loaded"


def resolve_scope(
    conn: sa.Connection,
    regions: RegionIndex,
    region: str | None,
    reference: str | None = None,
) -> Scope:
    """Resolve a region (code or name), a region group, or None (the home country).

    ``reference`` is None (the region's country), ``"all"`` (all data loaded) or a
    region / region group code or name.

    Raises
    ------
    RegionNotFound
        When no region or region group matches (the message names some that exist), or
        when a name matches several regions.
    """
    groups = ar.region_group_members(conn)
    group_code_of: dict[int, set[str]] = {}
    for _gid, gcode, rid in groups:
        group_code_of.setdefault(rid, set()).add(gcode)
    kind = "region"
    area_groups: tuple[str, ...] = ()
    if region is None:
        country = "CN"
        local = regions.country == country
        local[-1] = False
        area = local.copy()
        cn = next((r for r in regions.rows.values() if r["code"] == country), None)
        code, name_zh, name_en = country, cn["name_zh"] if cn else "中国", "China"
        kind = "country"
    else:
        roots, code, name_zh, name_en = _roots(conn, regions, region)
        if roots is None:
            raise RegionNotFound(
                f"no region or region group {region!r} (give a code or a name; regions "
                f"include {_known_regions(regions)})"
            )
        group = ar.find_region_group(conn, region)
        if group is not None and not _match_regions(regions, region):
            kind = "group"
        local = regions.subtree(roots)
        countries = Counter(str(regions.country[r]) for r in roots)
        country = countries.most_common(1)[0][0] if countries else "CN"
        if kind == "group":
            area = local.copy()
            area_groups = (code,)
        else:
            codes: set[str] = set()
            for r in roots:
                for anc in regions.ancestors(r):
                    codes |= group_code_of.get(anc, set())
            area_groups = tuple(sorted(codes))
            members = [rid for _g, gcode, rid in groups if gcode in codes]
            area = local | regions.subtree(members)
    domestic = regions.country == country
    domestic[-1] = False
    if reference is None:
        ref_mask, ref_label = domestic.copy(), country
    elif reference.lower() == "all":
        ref_mask = by_id(regions.size, True, bool)
        ref_mask[-1] = False
        ref_label = "all"
    else:
        rroots, rcode, _z, _e = _roots(conn, regions, reference)
        if rroots is None:
            raise RegionNotFound(f"no reference region or region group {reference!r}")
        ref_mask, ref_label = regions.subtree(rroots), rcode
    return Scope(
        code,
        name_zh,
        name_en,
        kind,
        local,
        area,
        domestic,
        ref_mask,
        country,
        ref_label,
        area_groups,
    )


def _roots(
    conn: sa.Connection, regions: RegionIndex, ref: str
) -> tuple[list[int] | None, str, str, str]:
    found = _match_regions(regions, ref)
    if len(found) > 1:
        names = ", ".join(f"{r['code']} ({r['name_zh']}, {r['level']})" for r in found[:6])
        raise RegionNotFound(f"region {ref!r} is ambiguous: {names}; give its code")
    if found:
        r = found[0]
        return [int(r["id"])], r["code"], r["name_zh"], r["name_en"] or ""
    group = ar.find_region_group(conn, ref)
    if group is None:
        return None, ref, ref, ref
    return list(group["members"]), group["code"], group["name_zh"], group["name_en"] or ""
