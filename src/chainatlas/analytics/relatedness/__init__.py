"""Relatedness and economic complexity on a locations × products matrix.

Pure functions over NumPy arrays or labelled pandas objects; a labelled input gives a
labelled output. Orientation throughout: rows are locations (countries, provinces,
cities), columns are products (or industries). ``X`` holds exports, output or employment;
``M`` is the binary presence matrix ``presence(rca(X))``; ``phi`` the product proximity.
Conventions are those of Hidalgo & Hausmann (2009), the Atlas of Economic Complexity and
py-ecomplexity; formulas and sources are in each docstring and in docs/math.md.
"""

from chainatlas.analytics.relatedness.complexity import Complexity, complexity
from chainatlas.analytics.relatedness.opportunity import Opportunity, opportunity
from chainatlas.analytics.relatedness.proximity import density, proximity
from chainatlas.analytics.relatedness.rca import location_quotient, presence, rca
from chainatlas.analytics.relatedness.specialisation import (
    krugman_specialisation,
    structural_similarity,
)

__all__ = [
    "Complexity",
    "Opportunity",
    "complexity",
    "density",
    "krugman_specialisation",
    "location_quotient",
    "opportunity",
    "presence",
    "proximity",
    "rca",
    "structural_similarity",
]
