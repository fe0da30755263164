"""Resolve references in imported rows (codes and names) to ids, with caches."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from chainatlas.domain.credit_code import is_valid_credit_code, normalise_credit_code
from chainatlas.domain.names import normalise_name
from chainatlas.importers.parse import normalise_stock_code
from chainatlas.importers.values import ValueProblem
from chainatlas.store import schema as s
from chainatlas.store import schema_activity as sa_
from chainatlas.store.records import fetch_rows

__all__ = ["RefResolver", "short_region_name"]

_REGION_SUFFIX = re.compile(
    r"(维吾尔自治区|壮族自治区|回族自治区|特别行政区|自治区|自治州|省|市|地区|盟|区|县)$"
)


def short_region_name(name: str) -> str:
    """Return a Chinese region name without its administrative suffix.

    >>> short_region_name("广西壮族自治区"), short_region_name("杭州市")
    ('广西', '杭州')
    """
    short = _REGION_SUFFIX.sub("", name.strip())
    return short or name


class RefResolver:
    """Looks up ids for codes and names, loading each index once per import."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self._codes: dict[str, dict[Any, int]] = {}
        self._region_names: dict[str, set[int]] | None = None
        self._segments: dict[tuple[int, str], int] | None = None
        self._ent: dict[str, dict[Any, Any]] | None = None
        #: Enterprise id -> name as stored, for reports.
        self.display_names: dict[int, str] = {}

    # -- simple code indexes -------------------------------------------------------
    def _code_index(self, name: str, table: sa.Table) -> dict[Any, int]:
        if name not in self._codes:
            rows = fetch_rows(self.conn, table, ["id", "code"])
            self._codes[name] = {r["code"]: r["id"] for r in rows}
        return self._codes[name]

    def remember(self, kind: str, row: dict[str, Any], new_id: int) -> None:
        """Make a record inserted during this import resolvable by later rows."""
        if kind in {"regions", "chains", "region_groups", "indicators", "innovation_resources"}:
            key = {"innovation_resources": "resource", "region_groups": "region_group"}.get(
                kind, kind.rstrip("s")
            )
            if key in self._codes:
                self._codes[key][row["code"]] = new_id
            if kind == "regions" and self._region_names is not None:
                self._add_region_names(row, new_id)
        elif kind == "industries":
            if "industry" in self._codes:
                self._codes["industry"][(row["scheme"], row["code"])] = new_id
        elif kind == "segments" and self._segments is not None:
            self._segments[(row["chain_id"], row["code"])] = new_id
            self._segments.setdefault((row["chain_id"], row["name_zh"]), new_id)
        elif kind == "enterprises" and self._ent is not None:
            self._index_enterprise({**row, "id": new_id})

    def _ref_by_code(self, name: str, table: sa.Table, value: str, label: str) -> int:
        idx = self._code_index(name, table)
        if value in idx:
            return idx[value]
        raise ValueProblem(f"unknown {label} {value!r}")

    def chain(self, value: str) -> int:
        """Return the id of the chain with code ``value``."""
        return self._ref_by_code("chain", s.chains, value, "chain")

    def region_group(self, value: str) -> int:
        """Return the id of the region group with code ``value``."""
        return self._ref_by_code("region_group", s.region_groups, value, "region group")

    def indicator(self, value: str) -> int:
        """Return the id of the indicator with code ``value``."""
        return self._ref_by_code("indicator", sa_.indicators, value, "indicator")

    def resource(self, value: str) -> int:
        """Return the id of the innovation resource with code ``value``."""
        return self._ref_by_code("resource", sa_.innovation_resources, value, "resource")

    def industry(self, value: str, scheme: str | None) -> int:
        """Return the id of industry ``value`` in ``scheme`` (default GB/T 4754)."""
        if "industry" not in self._codes:
            rows = fetch_rows(self.conn, s.industries, ["id", "scheme", "code"])
            self._codes["industry"] = {(r["scheme"], r["code"]): r["id"] for r in rows}
        key = (scheme or "gbt4754", value)
        if key in self._codes["industry"]:
            return self._codes["industry"][key]
        raise ValueProblem(f"unknown {key[0]} industry code {value!r}")

    # -- regions -------------------------------------------------------------------
    def _add_region_names(self, row: dict[str, Any], rid: int) -> None:
        assert self._region_names is not None
        for name in (row.get("name_zh"), row.get("name_en")):
            if name:
                for key in {name, short_region_name(name), name.lower()}:
                    self._region_names.setdefault(key, set()).add(rid)

    def region(self, value: str) -> int:
        """Return the id of a region given by code, full name, short name or unique prefix."""
        codes = self._code_index("region", s.regions)
        if value in codes:
            return codes[value]
        if self._region_names is None:
            self._region_names = {}
            for r in fetch_rows(self.conn, s.regions, ["id", "name_zh", "name_en"]):
                self._add_region_names(r, r["id"])
        for key in (value, value.lower(), short_region_name(value)):
            ids = self._region_names.get(key, set())
            if len(ids) == 1:
                return next(iter(ids))
            if len(ids) > 1:
                raise ValueProblem(f"region name {value!r} is ambiguous; give the region code")
        prefixed = {
            rid for name, ids in self._region_names.items() if name.startswith(value) for rid in ids
        }
        if len(prefixed) == 1 and len(value) >= 2:
            return next(iter(prefixed))
        raise ValueProblem(f"unknown region {value!r}")

    # -- segments ------------------------------------------------------------------
    def segment(self, value: str, chain_value: str | None) -> int:
        """Return the id of a segment given by code or Chinese name within its chain."""
        if not chain_value:
            raise ValueProblem("a segment needs its chain (add a 'chain' column)")
        chain_id = self.chain(chain_value)
        if self._segments is None:
            self._segments = {}
            for r in fetch_rows(self.conn, s.segments, ["id", "chain_id", "code", "name_zh"]):
                self._segments[(r["chain_id"], r["code"])] = r["id"]
                self._segments.setdefault((r["chain_id"], r["name_zh"]), r["id"])
        key = (chain_id, value)
        if key in self._segments:
            return self._segments[key]
        raise ValueProblem(f"chain {chain_value!r} has no segment {value!r}")

    # -- enterprises ---------------------------------------------------------------
    def _load_enterprises(self) -> dict[str, dict[Any, Any]]:
        if self._ent is None:
            self._ent = {"credit": {}, "stock": {}, "name": {}}
            cols = ["id", "credit_code", "stock_code", "name_norm", "region_id", "name"]
            for r in fetch_rows(self.conn, s.enterprises, cols):
                self._index_enterprise(r)
        return self._ent

    def _index_enterprise(self, r: dict[str, Any]) -> None:
        assert self._ent is not None
        if r.get("credit_code"):
            self._ent["credit"][r["credit_code"]] = r["id"]
        if r.get("stock_code"):
            self._ent["stock"][r["stock_code"]] = r["id"]
        if r.get("name"):
            self.display_names[r["id"]] = r["name"]
        self._ent["name"].setdefault(r["name_norm"], {})[r["id"]] = (
            r.get("region_id"),
            bool(r.get("credit_code")),
        )

    def enterprise(self, value: str) -> int:
        """Return the id of an enterprise given by credit code, stock code or name."""
        ent = self._load_enterprises()
        code = normalise_credit_code(value)
        if len(code) == 18 and is_valid_credit_code(code):
            if code in ent["credit"]:
                return int(ent["credit"][code])
            raise ValueProblem(f"no enterprise has credit code {code}")
        stock, _ = normalise_stock_code(value)
        if stock in ent["stock"]:
            return int(ent["stock"][stock])
        matches = ent["name"].get(normalise_name(value), {})
        if len(matches) == 1:
            return int(next(iter(matches)))
        if len(matches) > 1:
            raise ValueProblem(
                f"{len(matches)} enterprises are called {value!r}; give the credit code"
            )
        raise ValueProblem(f"unknown enterprise {value!r}")

    def match_enterprise(
        self,
        credit_code: str | None,
        stock_code: str | None,
        name_norm: str | None,
        region_id: int | None,
    ) -> int | None:
        """Find the existing enterprise a row describes (entity resolution).

        Order: same credit code; else same stock code; else the same normalised name in the
        same region, taking only a firm without a credit code when the row has one.
        """
        ent = self._load_enterprises()
        if credit_code and credit_code in ent["credit"]:
            return int(ent["credit"][credit_code])
        if stock_code and stock_code in ent["stock"]:
            return int(ent["stock"][stock_code])
        if name_norm:
            for eid, (rid, has_code) in ent["name"].get(name_norm, {}).items():
                if rid == region_id and not (credit_code and has_code):
                    return int(eid)
        return None

    def enterprise_names(self) -> dict[str, dict[int, tuple[int | None, bool]]]:
        """Return the normalised-name index (name -> {id: (region id, has credit code)})."""
        return self._load_enterprises()["name"]
