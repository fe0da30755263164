"""Input-output analysis: coefficients, inverses, multipliers, linkages, extraction, IIM.

Pure functions over NumPy arrays or labelled pandas objects; a labelled input gives a
labelled output with the same index. Orientation throughout: ``Z[i, j]`` is the sale of
sector ``i`` (row) to sector ``j`` (column), ``x`` is total output, ``f`` final demand and
``v`` primary inputs (value added), so that ``x = Z 1 + f`` and ``x' = 1'Z + v'``.
"""

from chainatlas.analytics.inputoutput.coefficients import (
    allocation_coefficients,
    direct_coefficients,
    technical_coefficients,
)
from chainatlas.analytics.inputoutput.extraction import (
    ExtractionMethod,
    backward_extraction,
    complete_extraction,
    extraction_losses,
    forward_extraction,
)
from chainatlas.analytics.inputoutput.imports import ImportDependence, import_dependence
from chainatlas.analytics.inputoutput.inoperability import (
    demand_inoperability,
    interdependency_matrix,
    supply_inoperability,
)
from chainatlas.analytics.inputoutput.inverses import MIN_RCOND, ghosh_inverse, leontief_inverse
from chainatlas.analytics.inputoutput.linkages import (
    SectorClass,
    backward_linkages,
    forward_linkages,
    key_sectors,
)
from chainatlas.analytics.inputoutput.multipliers import (
    MultiplierKind,
    employment_multipliers,
    income_multipliers,
    output_multipliers,
    value_added_multipliers,
)

__all__ = [
    "MIN_RCOND",
    "ExtractionMethod",
    "ImportDependence",
    "MultiplierKind",
    "SectorClass",
    "allocation_coefficients",
    "backward_extraction",
    "backward_linkages",
    "complete_extraction",
    "demand_inoperability",
    "direct_coefficients",
    "employment_multipliers",
    "extraction_losses",
    "forward_extraction",
    "forward_linkages",
    "ghosh_inverse",
    "import_dependence",
    "income_multipliers",
    "interdependency_matrix",
    "key_sectors",
    "leontief_inverse",
    "output_multipliers",
    "supply_inoperability",
    "technical_coefficients",
    "value_added_multipliers",
]
