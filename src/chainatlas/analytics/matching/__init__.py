"""Supply-demand matching: product text search and the match score.

Pure functions and classes over text and arrays (no store access): the tokeniser
(jieba words and character n-grams), TF-IDF vectors, the product index with rapidfuzz
re-ranking, text owners, and the weighted rule combining the match components. See
docs/docking.md.
"""

from __future__ import annotations

from chainatlas.analytics.matching.index import ProductIndex, TextHits, TextOwners
from chainatlas.analytics.matching.scoring import (
    ADJACENCY_SCORES,
    DISTANCE_LEVELS,
    DISTANCE_SCORES,
    SIZE_SCORES,
    MatchWeights,
    combine_scores,
    distance_levels,
    scale_scores,
)
from chainatlas.analytics.matching.tfidf import TfidfModel
from chainatlas.analytics.matching.tokens import Tokeniser, dictionary_terms, normalise

__all__ = [
    "ADJACENCY_SCORES",
    "DISTANCE_LEVELS",
    "DISTANCE_SCORES",
    "SIZE_SCORES",
    "MatchWeights",
    "ProductIndex",
    "TextHits",
    "TextOwners",
    "TfidfModel",
    "Tokeniser",
    "combine_scores",
    "dictionary_terms",
    "distance_levels",
    "normalise",
    "scale_scores",
]
