"""Build the chain (补链/强链/延链): the scoring rules behind targets, champions and opportunities.

Pure functions over NumPy arrays and pandas frames (no store access): the attraction
target fit score, the 专精特新 seedling check, the hidden-champion and chain-owner rules,
the growth-opportunity strategy weighting, the division-of-labour rules and their
bilingual reasons. See docs/build-the-chain.md.
"""

from __future__ import annotations

from chainatlas.analytics.chainbuild._ranks import grouped_percentile
from chainatlas.analytics.chainbuild.champions import (
    ChampionRule,
    hidden_champion_mask,
    owner_scores,
)
from chainatlas.analytics.chainbuild.division import LeadWeights, contested_segments, lead_scores
from chainatlas.analytics.chainbuild.seedlings import CRITERIA, SeedlingCriteria, check_seedlings
from chainatlas.analytics.chainbuild.strategy import (
    STRATEGIES,
    OpportunityWeights,
    opportunity_scores,
    parse_weights,
)
from chainatlas.analytics.chainbuild.targets import (
    COMPONENTS,
    TargetWeights,
    target_scores,
    tie_score,
)
from chainatlas.analytics.chainbuild.texts import (
    champion_reasons,
    lead_reasons,
    opportunity_reasons,
    owner_reasons,
    seedling_reasons,
    target_reasons,
)

__all__ = [
    "COMPONENTS",
    "CRITERIA",
    "STRATEGIES",
    "ChampionRule",
    "LeadWeights",
    "OpportunityWeights",
    "SeedlingCriteria",
    "TargetWeights",
    "champion_reasons",
    "check_seedlings",
    "contested_segments",
    "grouped_percentile",
    "hidden_champion_mask",
    "lead_reasons",
    "lead_scores",
    "opportunity_reasons",
    "opportunity_scores",
    "owner_reasons",
    "owner_scores",
    "parse_weights",
    "seedling_reasons",
    "target_reasons",
    "target_scores",
    "tie_score",
]
