"""Chain map analytics: segment strength, supply concentration, risk scoring, propagation.

Pure functions over NumPy arrays and pandas frames (no store access). See
docs/chain-analysis.md for every measure, the thresholds and the scoring rule.
"""

from __future__ import annotations

from chainatlas.analytics.chainmap.concentration import (
    grouped_hhi,
    grouped_share,
    grouped_sum,
    hhi,
    location_quotient,
    nested_hhi,
)
from chainatlas.analytics.chainmap.graph import (
    acyclic_order,
    break_cycles,
    depths,
    find_cycle,
    reachable,
)
from chainatlas.analytics.chainmap.propagation import (
    Reach,
    dependence_weights,
    downstream_exposure,
    downstream_reach,
)
from chainatlas.analytics.chainmap.risk import (
    REASON_CODES,
    TIER_AREA,
    TIER_COUNTRY,
    TIER_OUTSIDE,
    TIER_REGION,
    TIER_UNKNOWN,
    RiskLevel,
    RiskRule,
    input_risk_measures,
    score_risks,
)
from chainatlas.analytics.chainmap.strength import (
    SegmentStatus,
    StrengthThresholds,
    chain_completeness,
    chain_owner_spans,
    chain_strength_score,
    segment_status,
    segment_strength,
    top_per_group,
)
from chainatlas.analytics.chainmap.texts import (
    Text,
    countermeasure_text,
    fmt_share,
    fmt_yuan,
    risk_reasons,
    status_reason,
)

__all__ = [
    "REASON_CODES",
    "TIER_AREA",
    "TIER_COUNTRY",
    "TIER_OUTSIDE",
    "TIER_REGION",
    "TIER_UNKNOWN",
    "Reach",
    "RiskLevel",
    "RiskRule",
    "SegmentStatus",
    "StrengthThresholds",
    "Text",
    "acyclic_order",
    "break_cycles",
    "chain_completeness",
    "chain_owner_spans",
    "chain_strength_score",
    "countermeasure_text",
    "dependence_weights",
    "depths",
    "downstream_exposure",
    "downstream_reach",
    "find_cycle",
    "fmt_share",
    "fmt_yuan",
    "grouped_hhi",
    "grouped_share",
    "grouped_sum",
    "hhi",
    "input_risk_measures",
    "location_quotient",
    "nested_hhi",
    "reachable",
    "risk_reasons",
    "score_risks",
    "segment_status",
    "segment_strength",
    "status_reason",
    "top_per_group",
]
