"""Push lists (免申即享): every enterprise that qualifies for a policy, evaluated all at once.

:func:`eligible_enterprises` (by policy code) and :func:`push_list` (for a policy record)
read the attribute columns the rule needs for every enterprise (in bulk, through the
process-wide attribute cache, see :mod:`chainatlas.services.attribute_cache`), evaluate
the rule column by column (:func:`~chainatlas.domain.policy_frame.evaluate_frame`) and
read names and codes of the qualifying enterprises in one query.
:func:`policy_masks` does the same for many policies at once (coverage).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa

from chainatlas.domain.policy_frame import AttributeFrame, evaluate_frame
from chainatlas.domain.policy_rules import FIELDS, FieldKind, Rule
from chainatlas.errors import RegionNotFound, RuleError
from chainatlas.services.enterprise_attrs import load_attributes
from chainatlas.services.policy_catalogue import PolicyRecord, get_policy, list_policies
from chainatlas.store import analysis_reads as ar
from chainatlas.store import policy_reads as pr

BoolArray = npt.NDArray[np.bool_]

__all__ = [
    "PushList",
    "active_policies",
    "eligible_enterprises",
    "policy_masks",
    "push_list",
    "region_code",
    "write_sheets",
]

_LABELS = ("id", "name", "credit_code", "stock_code", "region", "region_name")


def write_sheets(sheets: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write tables to a workbook, one sheet each (names cut to Excel's 31 characters)."""
    out = Path(path)
    with pd.ExcelWriter(out, engine="openpyxl") as xw:
        for name, frame in sheets.items():
            frame.to_excel(xw, sheet_name=name[:31], index=False)
    return out


@dataclass(slots=True)
class PushList:
    """Every enterprise that qualifies for a policy (免申即享), with the figures tested."""

    policy: PolicyRecord
    on: date
    region: str | None
    evaluated: int
    enterprises: list[dict[str, Any]]
    columns: list[str]

    @property
    def active(self) -> bool:
        """Return whether the policy is valid on the day of the list."""
        return self.policy.active_on(self.on)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape (see docs/policies.md)."""
        return {
            "policy": self.policy.summary(),
            "on": self.on.isoformat(),
            "active": self.active,
            "region": self.region,
            "evaluated": self.evaluated,
            "count": len(self.enterprises),
            "fields": self.columns,
            "enterprises": self.enterprises,
        }

    def sheets(self) -> dict[str, pd.DataFrame]:
        """Return the tables of the XLSX export (one row per enterprise)."""
        frame = pd.DataFrame(self.enterprises, columns=[*_LABELS, *self.columns])
        return {"push list 推送名单": frame}

    def write_xlsx(self, path: str | Path) -> Path:
        """Write the push list as a workbook."""
        return write_sheets(self.sheets(), path)


def region_code(conn: sa.Connection, ref: str) -> str:
    """Return the code of the region with code or name ``ref``.

    Raises
    ------
    RegionNotFound
        When no region has that code or name.
    """
    found = ar.find_region(conn, ref)
    if not found:
        raise RegionNotFound(f"no region has the code or name {ref!r}")
    return str(found[0]["code"])


def _shown_columns(rule: Rule) -> list[str]:
    keys: list[str] = []
    for c in rule.conditions():
        if FIELDS[c.field].kind is not FieldKind.SET and c.key not in keys:
            keys.append(c.key)
    return keys


def _shown_values(frame: AttributeFrame, key: str, rows: npt.NDArray[np.int64]) -> list[Any]:
    """Return a column's values at ``rows`` as JSON values (None where missing)."""
    col = frame.columns[key][rows]
    if col.dtype == object:
        return list(col.tolist())
    flag = FIELDS[key.split("@")[0]].kind is FieldKind.BOOL
    # NaN is the only float that differs from itself
    return [None if v != v else (bool(v) if flag else v) for v in col.tolist()]


def _rows_out(
    conn: sa.Connection, frame: AttributeFrame, rows: npt.NDArray[np.int64], shown: list[str]
) -> list[dict[str, Any]]:
    """Return the push list's rows: labels of the enterprises at ``rows`` and shown figures."""
    ids = frame.ids[rows]
    labels = pr.label_rows(conn, ids)
    if len(labels) != len(ids):  # an enterprise deleted meanwhile keeps empty labels
        by_id = {int(r[0]): r for r in labels}
        labels = [by_id.get(i, (i, None, None, None, None)) for i in ids.tolist()]
    regions = {int(r["id"]): (r["code"], r["name_zh"]) for r in ar.region_rows(conn)}
    values = [_shown_values(frame, key, rows) for key in shown]
    out: list[dict[str, Any]] = []
    for (eid, name, credit, stock, rid), *figures in zip(labels, *values, strict=True):
        region, region_name = regions.get(rid, (None, None))
        item = {
            "id": eid,
            "name": name,
            "credit_code": credit,
            "stock_code": stock,
            "region": region,
            "region_name": region_name,
        }
        item.update(zip(shown, figures, strict=True))
        out.append(item)
    return out


def push_list(
    conn: sa.Connection,
    policy: PolicyRecord,
    *,
    region: str | None = None,
    on: date | None = None,
    cache: bool = True,
) -> PushList:
    """Return every enterprise that qualifies for ``policy``, by id.

    ``region`` (a code or name) keeps the enterprises in or below that region; ``on``
    (default today) is the day ages are counted to; ``cache`` False reads every column
    afresh instead of through the attribute cache.

    Raises
    ------
    RegionNotFound
        When the region does not exist.
    RuleError
        When the policy's stored rule is invalid.
    """
    day = on or date.today()
    rule = policy.effective_rule()
    if rule is None:
        raise RuleError(f"policy {policy.code}: {policy.error}")
    code = None if region is None else region_code(conn, region)
    keys = rule.keys() | ({"region"} if code else set())
    frame = load_attributes(conn, keys, on=day, cache=cache)
    mask = evaluate_frame(rule, frame)
    if code is not None:
        mask &= frame.sets["region"].has_any([code], len(frame))
    rows = np.flatnonzero(mask)
    shown = _shown_columns(rule)
    out = _rows_out(conn, frame, rows, shown)
    return PushList(policy, day, code, len(frame), out, shown)


def eligible_enterprises(
    conn: sa.Connection,
    policy_code: str,
    *,
    region: str | None = None,
    on: date | None = None,
    cache: bool = True,
) -> PushList:
    """Return every enterprise that qualifies for the policy ``policy_code``, by id.

    See :func:`push_list`.

    Raises
    ------
    PolicyNotFound, RegionNotFound
        When the policy or the region does not exist.
    RuleError
        When the policy's stored rule is invalid.
    """
    return push_list(conn, get_policy(conn, policy_code), region=region, on=on, cache=cache)


def active_policies(
    conn: sa.Connection, day: date
) -> tuple[list[PolicyRecord], list[PolicyRecord]]:
    """Return (policies valid on ``day`` with a valid rule, the others)."""
    good: list[PolicyRecord] = []
    other: list[PolicyRecord] = []
    for p in list_policies(conn):
        (good if p.rule is not None and p.active_on(day) else other).append(p)
    return good, other


def policy_masks(
    conn: sa.Connection,
    policies: Sequence[PolicyRecord],
    day: date,
    extra: set[str],
    *,
    cache: bool = True,
) -> tuple[AttributeFrame, dict[str, BoolArray]]:
    """Return the attribute frame of all enterprises and each policy's qualifying mask."""
    keys = set(extra)
    rules: dict[str, Rule] = {}
    for p in policies:
        rule = p.effective_rule()
        if rule is not None:
            rules[p.code] = rule
            keys |= rule.keys()
    frame = load_attributes(conn, keys, on=day, cache=cache)
    return frame, {code: evaluate_frame(rule, frame) for code, rule in rules.items()}
