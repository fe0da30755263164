"""The policy engine (政策包): who qualifies, what each firm still lacks, and coverage.

- :func:`check_enterprise` — for one enterprise, the policies valid on a day that it
  qualifies for and, for the others, every condition it fails with the gap in words.
- :func:`eligible_enterprises` — for one policy, every qualifying enterprise (the 免申即享
  push list), evaluated column-wise over all enterprises at once (defined in
  :mod:`chainatlas.services.policy_push`, re-exported here).
- :func:`coverage` — by life-cycle stage, chain segment and city: how many policies
  serve the enterprises there (at least one qualifies) and where few do.

Policies are limited to their region (see :mod:`chainatlas.services.policy_catalogue`).
Every result has ``to_dict()`` (the JSON shape in ``docs/policies.md``) and ``sheets()``
/ ``write_xlsx()`` for exports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa

from chainatlas.domain.lifecycle import STAGE_NAMES_ZH
from chainatlas.domain.policy_eval import Evaluation, evaluate
from chainatlas.services.enterprise_attrs import ALL_KEYS, load_attributes, resolve_enterprise
from chainatlas.services.policy_catalogue import PolicyRecord, list_policies
from chainatlas.services.policy_push import (
    PushList,
    active_policies,
    eligible_enterprises,
    policy_masks,
    push_list,
    region_code,
    write_sheets,
)
from chainatlas.store import analysis_reads as ar

BoolArray = npt.NDArray[np.bool_]

__all__ = [
    "Coverage",
    "PolicyCheck",
    "PolicyResult",
    "PushList",
    "active_policies",
    "check_enterprise",
    "coverage",
    "eligible_enterprises",
    "enterprise_label",
    "policy_masks",
    "push_list",
    "region_code",
    "write_sheets",
]


def enterprise_label(conn: sa.Connection, enterprise_id: int) -> dict[str, Any]:
    """Return id, name, English name, credit and stock code and region of an enterprise."""
    lab = ar.enterprise_labels(conn, [enterprise_id])[enterprise_id]
    return {
        "id": enterprise_id,
        "name": lab["name"],
        "name_en": lab["name_en"],
        "credit_code": lab["credit_code"],
        "stock_code": lab["stock_code"],
        "region": lab["region_code"],
        "region_name": lab["region_name"],
    }


@dataclass(frozen=True, slots=True)
class PolicyResult:
    """One policy's verdict for one enterprise, condition by condition."""

    policy: PolicyRecord
    evaluation: Evaluation

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape: the policy, the verdict and every condition."""
        return {
            **self.policy.summary(),
            "qualified": self.evaluation.passed,
            "failed_count": len(self.evaluation.failed),
            "conditions": [c.to_dict() for c in self.evaluation.conditions],
            "failed": [c.to_dict() for c in self.evaluation.failed],
        }


@dataclass(slots=True)
class PolicyCheck:
    """Which policies an enterprise qualifies for on a day, and what it lacks for the rest."""

    enterprise: dict[str, Any]
    on: date
    qualified: list[PolicyResult]
    failed: list[PolicyResult]
    inactive: list[dict[str, Any]] = field(default_factory=list)
    invalid: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape (see docs/policies.md)."""
        return {
            "enterprise": self.enterprise,
            "on": self.on.isoformat(),
            "summary": {
                "qualified": len(self.qualified),
                "failed": len(self.failed),
                "inactive": len(self.inactive),
                "invalid": len(self.invalid),
            },
            "qualified": [r.to_dict() for r in self.qualified],
            "failed": [r.to_dict() for r in self.failed],
            "inactive": self.inactive,
            "invalid": self.invalid,
        }

    def sheets(self) -> dict[str, pd.DataFrame]:
        """Return the tables of the XLSX export."""
        qualified = pd.DataFrame(
            [
                {
                    "code": r.policy.code,
                    "title": r.policy.title,
                    "title_en": r.policy.title_en,
                    "benefits": r.policy.benefits,
                    "valid_to": r.policy.valid_to,
                }
                for r in self.qualified
            ],
            columns=["code", "title", "title_en", "benefits", "valid_to"],
        )
        cols = ["code", "title", "path", "field", "op", "required", "year_used", "actual"]
        cols += ["gap", "reason", "reason_zh"]
        failed = pd.DataFrame(
            [
                {
                    "code": r.policy.code,
                    "title": r.policy.title,
                    **{k: _cell(v) for k, v in c.to_dict().items() if k in cols},
                }
                for r in self.failed
                for c in r.evaluation.failed
            ],
            columns=cols,
        )
        return {"qualified 符合": qualified, "failed conditions 未满足条件": failed}

    def write_xlsx(self, path: str | Path) -> Path:
        """Write the check as a workbook."""
        return write_sheets(self.sheets(), path)


def _cell(v: Any) -> Any:
    if isinstance(v, list | tuple | set | frozenset):
        return ", ".join(str(x) for x in (sorted(v) if isinstance(v, set | frozenset) else v))
    return v


def check_enterprise(
    conn: sa.Connection, enterprise: str | int, *, on: date | None = None
) -> PolicyCheck:
    """Check every policy valid on ``on`` (default today) against one enterprise.

    ``enterprise`` is an id, credit code, stock code or exact name. Policies are listed
    qualified first, then failed ones with the fewest failed conditions first.

    Raises
    ------
    EnterpriseNotFound
        When the enterprise does not exist.
    """
    day = on or date.today()
    eid = resolve_enterprise(conn, enterprise)
    policies = list_policies(conn)
    keys = set(ALL_KEYS)
    for p in policies:
        rule = p.effective_rule()
        if rule is not None:
            keys |= rule.keys()
    frame = load_attributes(conn, keys, ids=[eid], on=day)
    record = frame.record(0)
    check = PolicyCheck(enterprise_label(conn, eid), day, [], [])
    for p in policies:
        rule = p.effective_rule()
        if rule is None:
            check.invalid.append({"code": p.code, "title": p.title, "error": p.error})
            continue
        if not p.active_on(day):
            check.inactive.append(
                {"code": p.code, "title": p.title, "reason": p.inactive_reason(day)}
            )
            continue
        res = PolicyResult(p, evaluate(rule, record))
        (check.qualified if res.evaluation.passed else check.failed).append(res)
    check.failed.sort(key=lambda r: (len(r.evaluation.failed), r.policy.code))
    return check


_STAGE_ORDER = ("seed", "startup", "growth", "expansion", "mature", "decline", "unknown")


@dataclass(slots=True)
class Coverage:
    """How many policies serve each life-cycle stage, segment and city, and the gaps.

    A policy *serves* a group when at least one enterprise of the group qualifies.
    ``gaps`` are groups with enterprises but fewer than ``few`` serving policies.
    """

    on: date
    policies: int
    enterprises: int
    few: int
    dimensions: dict[str, list[dict[str, Any]]]

    @property
    def gaps(self) -> list[dict[str, Any]]:
        """Return the groups served by fewer than ``few`` policies, fewest first."""
        out = [
            {"dimension": dim, **row}
            for dim, rows in self.dimensions.items()
            for row in rows
            if row["policies"] < self.few
        ]
        out.sort(key=lambda r: (r["policies"], -r["enterprises"], r["dimension"], r["group"]))
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape (see docs/policies.md)."""
        return {
            "on": self.on.isoformat(),
            "policies": self.policies,
            "enterprises": self.enterprises,
            "few": self.few,
            "dimensions": self.dimensions,
            "gaps": self.gaps,
        }

    def sheets(self) -> dict[str, pd.DataFrame]:
        """Return one table per dimension and one of the gaps."""
        out = {
            dim: pd.DataFrame(
                [{**r, "policy_codes": ", ".join(r["policy_codes"])} for r in rows],
                columns=_COVERAGE_COLUMNS,
            )
            for dim, rows in self.dimensions.items()
        }
        out["gaps 薄弱"] = pd.DataFrame(
            [{**r, "policy_codes": ", ".join(r["policy_codes"])} for r in self.gaps],
            columns=["dimension", *_COVERAGE_COLUMNS],
        )
        return out

    def write_xlsx(self, path: str | Path) -> Path:
        """Write the coverage tables as a workbook."""
        return write_sheets(self.sheets(), path)


_COVERAGE_COLUMNS = [
    "group",
    "name",
    "enterprises",
    "policies",
    "covered_enterprises",
    "covered_share",
    "policy_codes",
]


def _grouped(
    rows: npt.NDArray[np.int64],
    labels: Sequence[str],
    masks: dict[str, BoolArray],
    names: dict[str, str],
    order: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    codes, uniq = pd.factorize(pd.Series(list(labels), dtype=object), sort=True)
    g = len(uniq)
    counts = np.bincount(codes, minlength=g)
    any_mask = np.logical_or.reduce(list(masks.values())) if masks else None
    covered = (
        np.bincount(codes[any_mask[rows]], minlength=g)
        if any_mask is not None
        else np.zeros(g, dtype=np.int64)
    )
    serving: list[list[str]] = [[] for _ in range(g)]
    for code, m in masks.items():
        for k in np.flatnonzero(np.bincount(codes[m[rows]], minlength=g)).tolist():
            serving[k].append(code)
    out = [
        {
            "group": str(uniq[k]),
            "name": names.get(str(uniq[k]), str(uniq[k])),
            "enterprises": int(counts[k]),
            "policies": len(serving[k]),
            "covered_enterprises": int(covered[k]),
            "covered_share": float(covered[k] / counts[k]) if counts[k] else None,
            "policy_codes": serving[k],
        }
        for k in range(g)
    ]
    if order is not None:
        rank = {v: i for i, v in enumerate(order)}
        out.sort(key=lambda r: rank.get(str(r["group"]), len(rank)))
    return out


def coverage(conn: sa.Connection, *, on: date | None = None, few: int = 2) -> Coverage:
    """Count the policies valid on ``on`` that serve each stage, segment and city.

    Enterprises without a stage count under ``unknown``; segments are ``chain:segment``;
    cities are the city-level regions the enterprises are in (or below).
    """
    day = on or date.today()
    policies, _ = active_policies(conn, day)
    frame, masks = policy_masks(conn, policies, day, {"lifecycle_stage", "segment", "region"})
    n = len(frame)
    stage = frame.columns["lifecycle_stage"]
    stage_labels = ["unknown" if v is None else str(v) for v in stage.tolist()]
    dims: dict[str, list[dict[str, Any]]] = {
        "lifecycle_stage": _grouped(
            np.arange(n), stage_labels, masks, {**STAGE_NAMES_ZH, "unknown": "未知"}, _STAGE_ORDER
        )
    }
    seg = frame.sets["segment"]
    inv = {c: v for v, c in seg.vocab.items()}
    seg_vals = [inv[int(c)] for c in seg.codes.tolist()]
    keep = np.array([":" in v for v in seg_vals], dtype=bool)
    seg_names = {
        f"{ch['code']}:{sg['code']}": f"{ch['name_zh']} / {sg['name_zh']}"
        for ch in ar.chain_rows(conn)
        for sg in ar.segment_index(conn)
        if sg["chain_id"] == ch["id"]
    }
    dims["segment"] = _grouped(
        seg.rows[keep],
        [v for v, k in zip(seg_vals, keep.tolist(), strict=True) if k],
        masks,
        seg_names,
    )
    regions = ar.region_rows(conn)
    cities = {str(r["code"]): str(r["name_zh"]) for r in regions if r["level"] == "city"}
    reg = frame.sets["region"]
    rinv = {c: v for v, c in reg.vocab.items()}
    reg_vals = [rinv[int(c)] for c in reg.codes.tolist()]
    rkeep = np.array([v in cities for v in reg_vals], dtype=bool)
    dims["region"] = _grouped(
        reg.rows[rkeep],
        [v for v, k in zip(reg_vals, rkeep.tolist(), strict=True) if k],
        masks,
        cities,
    )
    return Coverage(day, len(policies), n, few, dims)
